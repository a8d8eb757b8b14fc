"""The life of a spend import batch, declared once (see core.workflow).

A batch is written once, by `spend_import`, in its final state: imported (every row added or
already held), or rejected (nothing imported; the batch keeps the report of what was wrong).
No action changes a batch afterwards: a corrected file is a new import.
"""

from core.workflow import NEW, Action, Workflow
from metrics.spend.models import ImportBatch

BATCH_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(ImportBatch.Status.values),
    actions=(
        Action(
            name="import",
            label="Import a spending file",
            sources=frozenset({NEW}),
            target=ImportBatch.Status.IMPORTED,
            refusal="This batch is {state}: import the file again as a new batch.",
        ),
        Action(
            name="reject",
            label="Refuse a spending file",
            sources=frozenset({NEW}),
            target=ImportBatch.Status.REJECTED,
            refusal="This batch is {state}: import the file again as a new batch.",
        ),
    ),
)

IMPORT = BATCH_WORKFLOW["import"]
REJECT = BATCH_WORKFLOW["reject"]
