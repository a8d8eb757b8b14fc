"""The life of a spend import batch, declared once (see core.workflow).

An officer's upload makes a queued batch; the background task starts it (importing) and ends
it in review (every row added or already held) or rejected (nothing imported; the batch keeps
the report of what was wrong). An import that cannot finish (a crash, a worker stopped mid-way,
a task lost) ends failed, with the reason. `manage.py import_spend` writes its batch at once,
in review or rejected (`--publish` publishes it straight after, for scripted imports).

A batch in review is not public: an officer reads its preview and publishes it (its payments
then count in every public figure) or discards it (its payments are deleted). A published batch
may be withdrawn, with a reason: its payments are deleted and the figures go back to what they
were without it. Discarded, withdrawn, rejected and failed batches are final: a corrected file
is a new import, and the same file may be imported again.
"""

from typing import Any

from core.workflow import NEW, Action, Workflow
from metrics.spend.models import ImportBatch

QUEUED = ImportBatch.Status.QUEUED
IMPORTING = ImportBatch.Status.IMPORTING
ENDED = "This batch is {state}: import the file again as a new batch."
REVIEW = ImportBatch.Status.REVIEW
PUBLISHED = ImportBatch.Status.PUBLISHED
REVIEW_PERMISSION = "metrics.publish_importbatch"


def _may_review(user: Any, batch: Any) -> bool:
    """Officers holding the permission; None is a command run by the system's administrator."""
    return user is None or bool(user.has_perm(REVIEW_PERMISSION))


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
            target=REVIEW,
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
        Action(
            name="publish",
            label="Publish",
            sources=frozenset({REVIEW}),
            target=PUBLISHED,
            allowed=_may_review,
            forbidden="You cannot publish spend import batches.",
            refusal="This batch is {state}: only a batch in review can be published.",
        ),
        Action(
            name="discard",
            label="Discard",
            sources=frozenset({REVIEW}),
            target=ImportBatch.Status.DISCARDED,
            allowed=_may_review,
            forbidden="You cannot discard spend import batches.",
            refusal="This batch is {state}: only a batch in review can be discarded.",
        ),
        Action(
            name="withdraw",
            label="Withdraw",
            sources=frozenset({PUBLISHED}),
            target=ImportBatch.Status.WITHDRAWN,
            allowed=_may_review,
            needs_reason=True,
            forbidden="You cannot withdraw spend import batches.",
            refusal="This batch is {state}: only a published batch can be withdrawn.",
            reason_missing="Enter why the batch is being withdrawn",
        ),
    ),
)

QUEUE = BATCH_WORKFLOW["queue"]
START = BATCH_WORKFLOW["start"]
IMPORT = BATCH_WORKFLOW["import"]
REJECT = BATCH_WORKFLOW["reject"]
FAIL = BATCH_WORKFLOW["fail"]
PUBLISH = BATCH_WORKFLOW["publish"]
DISCARD = BATCH_WORKFLOW["discard"]
WITHDRAW = BATCH_WORKFLOW["withdraw"]
