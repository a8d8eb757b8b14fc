"""The spend import batch's workflow: an upload is queued, started by the background task, and
ends imported, rejected or failed; `import_spend` writes its batch imported or rejected at once;
no action changes a batch once it has ended. The expected matrix is written out here, not read
from the table."""

import pytest

from core.workflow import NEW, TransitionNotAllowed
from metrics.spend.models import ImportBatch
from metrics.spend.services import SpendImportError, spend_import
from metrics.spend.uploads import spend_batch_run, spend_upload_queue
from metrics.spend.workflows import BATCH_WORKFLOW
from tests.factories import UserFactory
from tests.metrics.factories import ImportBatchFactory
from tests.metrics.factories_spend import csv_file

STATES = ["queued", "importing", "imported", "rejected", "failed"]
FINAL_STATES = ["imported", "rejected", "failed"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
MATRIX = {
    "queue": ({"new"}, "queued"),
    "start": ({"queued"}, "importing"),
    "import": ({"new", "importing"}, "imported"),
    "reject": ({"new", "importing"}, "rejected"),
    "fail": ({"queued", "importing"}, "failed"),
}

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


def test_a_batch_ends_imported_rejected_or_failed():
    assert BATCH_WORKFLOW.final_states() == set(FINAL_STATES)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_each_action_is_allowed_exactly_from_its_sources(state, action):
    batch = ImportBatchFactory(status=state)
    allowed = state in MATRIX[action][0]
    if allowed:
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, UserFactory())
    else:
        with pytest.raises(
            TransitionNotAllowed, match=f"This batch is {batch.get_status_display().lower()}"
        ):
            BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, UserFactory())


def test_a_good_file_makes_an_imported_batch(council, tmp_path):
    result = spend_import(path=csv_file(tmp_path / "spend.csv", [GOOD_LINE]), council=council)
    assert result.batch.status == "imported"


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
    assert spend_batch_run(batch_id=batch.pk, options={}) == "imported"
    batch.refresh_from_db()
    assert batch.status == "imported"


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("state", FINAL_STATES)
def test_no_action_is_taken_on_a_batch_once_ended(state, action):
    batch = ImportBatchFactory(status=state)
    user = UserFactory()
    assert BATCH_WORKFLOW.available(batch, user) == []
    with pytest.raises(TransitionNotAllowed, match=f"This batch is {state}"):
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user)
    assert BATCH_WORKFLOW.state_of(None) == NEW
