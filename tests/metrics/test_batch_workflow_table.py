"""The spend import batch's workflow: an upload is queued, started by the background task, and
ends in review, rejected or failed; `import_spend` writes its batch in review or rejected at once.
A batch in review is published or discarded; a published one is withdrawn with a reason. No
action changes a batch once discarded, withdrawn, rejected or failed. The expected matrix is
written out here, not read from the table."""

import pytest
from django.utils import timezone

from core.workflow import NEW, ActionForbidden, TransitionNotAllowed
from metrics.spend.models import ImportBatch
from metrics.spend.services import SpendImportError, spend_import
from metrics.spend.uploads import spend_batch_run, spend_upload_queue
from metrics.spend.workflows import BATCH_WORKFLOW
from tests.factories import UserFactory
from tests.metrics.factories import ImportBatchFactory, staff_user
from tests.metrics.factories_spend import csv_file

STATES = [
    "queued",
    "importing",
    "review",
    "published",
    "discarded",
    "withdrawn",
    "rejected",
    "failed",
]
FINAL_STATES = ["discarded", "withdrawn", "rejected", "failed"]
REVIEW_ACTIONS = ["publish", "discard", "withdraw"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
MATRIX = {
    "queue": ({"new"}, "queued"),
    "start": ({"queued"}, "importing"),
    "import": ({"new", "importing"}, "review"),
    "reject": ({"new", "importing"}, "rejected"),
    "fail": ({"queued", "importing"}, "failed"),
    "publish": ({"review"}, "published"),
    "discard": ({"review"}, "discarded"),
    "withdraw": ({"published"}, "withdrawn"),
}


def _batch(state):
    extra = {}
    if state == "withdrawn":
        extra = {"withdrawn_at": timezone.now(), "withdrawal_reason": "Wrong file"}
    return ImportBatchFactory(status=state, **extra)


def _officer():
    return staff_user("Officers")


BODY = "Stevenage Borough Council"
GOOD_LINE = [
    BODY,
    "01/04/2024",
    "T1",
    "£1,234.56",
    "ACME LTD",
    "S1",
    "Housing",
    "Repairs",
    "E100",
    "",
]


def test_the_table_is_the_agreed_one():
    table = {
        action.name: ({state or "new" for state in action.sources}, action.target)
        for action in BATCH_WORKFLOW.actions
    }
    assert table == MATRIX


def test_the_states_are_the_agreed_ones():
    assert BATCH_WORKFLOW.states == set(STATES)


def test_a_batch_ends_discarded_withdrawn_rejected_or_failed():
    assert BATCH_WORKFLOW.final_states() == set(FINAL_STATES)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_each_action_is_allowed_exactly_from_its_sources(state, action):
    batch = _batch(state)
    user = _officer()
    allowed = state in MATRIX[action][0]
    if allowed:
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user, reason="Wrong file")
    else:
        with pytest.raises(
            TransitionNotAllowed, match=f"This batch is {batch.get_status_display().lower()}"
        ):
            BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user, reason="Wrong file")


@pytest.mark.django_db
@pytest.mark.parametrize("action", REVIEW_ACTIONS)
@pytest.mark.parametrize("group", ["CWB Group", "Councillors", None])
def test_only_officers_publish_discard_or_withdraw(action, group):
    batch = _batch(next(iter(MATRIX[action][0])))
    user = staff_user(group) if group else UserFactory(is_staff=True)
    assert BATCH_WORKFLOW.available(batch, user) == []
    with pytest.raises(ActionForbidden):
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user, reason="Wrong file")


@pytest.mark.django_db
def test_withdrawing_needs_a_reason():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Enter why the batch is being withdrawn"):
        BATCH_WORKFLOW.check(BATCH_WORKFLOW["withdraw"], _batch("published"), _officer())


def test_a_good_file_makes_a_batch_in_review(council, tmp_path):
    result = spend_import(path=csv_file(tmp_path / "spend.csv", [GOOD_LINE]), council=council)
    assert result.batch.status == "review"


def test_a_bad_file_makes_a_rejected_batch(council, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Colour,Shape\nred,round\n")
    with pytest.raises(SpendImportError):
        spend_import(path=path, council=council)
    assert ImportBatch.objects.get().status == "rejected"


def test_an_upload_makes_a_queued_batch_which_the_task_imports(council, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    officer = UserFactory(is_staff=True)
    content = csv_file(tmp_path / "spend.csv", [GOOD_LINE]).read_bytes()
    batch = spend_upload_queue(
        chunks=[content], file_name="spend.csv", suffix=".csv", actor=officer
    )
    assert batch.status == "queued"
    assert spend_batch_run(batch_id=batch.pk, options={}) == "review"
    batch.refresh_from_db()
    assert batch.status == "review"


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("state", FINAL_STATES)
def test_no_action_is_taken_on_a_batch_once_ended(state, action):
    batch = _batch(state)
    user = _officer()
    assert BATCH_WORKFLOW.available(batch, user) == []
    with pytest.raises(TransitionNotAllowed, match=f"This batch is {state}"):
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user)
    assert BATCH_WORKFLOW.state_of(None) == NEW
