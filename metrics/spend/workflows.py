"""The life of a spend import batch, declared once (see core.workflow).

An officer's upload makes a queued batch; the background task starts it (importing) and ends
it imported (every row added or already held) or rejected (nothing imported; the batch keeps
the report of what was wrong). An import that cannot finish (a crash, a worker stopped mid-way,
a task lost) ends failed, with the reason. `manage.py import_spend` writes its batch at once in
its final state, imported or rejected. No action changes a batch once it has ended: a
corrected file is a new import.
"""

from core.workflow import NEW, Action, Workflow
from metrics.spend.models import ImportBatch

QUEUED = ImportBatch.Status.QUEUED
IMPORTING = ImportBatch.Status.IMPORTING
ENDED = "This batch is {state}: import the file again as a new batch."

BATCH_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(ImportBatch.Status.values),
    actions=(
        Action(
            name="queue",
            label="Upload a spending file to import",
            sources=frozenset({NEW}),
            target=QUEUED,
            refusal=ENDED,
        ),
        Action(
            name="start",
            label="Start importing the file",
            sources=frozenset({QUEUED}),
            target=IMPORTING,
            refusal="This batch is {state}: it is imported only once.",
        ),
        Action(
            name="import",
            label="Import a spending file",
            sources=frozenset({NEW, IMPORTING}),
            target=ImportBatch.Status.IMPORTED,
            refusal=ENDED,
        ),
        Action(
            name="reject",
            label="Refuse a spending file",
            sources=frozenset({NEW, IMPORTING}),
            target=ImportBatch.Status.REJECTED,
            refusal=ENDED,
        ),
        Action(
            name="fail",
            label="Record that the import could not finish",
            sources=frozenset({QUEUED, IMPORTING}),
            target=ImportBatch.Status.FAILED,
            refusal=ENDED,
        ),
    ),
)

QUEUE = BATCH_WORKFLOW["queue"]
START = BATCH_WORKFLOW["start"]
IMPORT = BATCH_WORKFLOW["import"]
REJECT = BATCH_WORKFLOW["reject"]
FAIL = BATCH_WORKFLOW["fail"]
