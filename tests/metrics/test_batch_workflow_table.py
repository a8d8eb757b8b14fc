"""The spend import batch's workflow: a batch is written once, imported or rejected, and no
action changes it afterwards. The expected matrix is written out here, not read from the table."""

import pytest

from core.workflow import NEW, TransitionNotAllowed
from metrics.spend.models import ImportBatch
from metrics.spend.services import SpendImportError, spend_import
from metrics.spend.workflows import BATCH_WORKFLOW
from tests.factories import UserFactory
from tests.metrics.factories import ImportBatchFactory
from tests.metrics.factories_spend import csv_file

STATES = ["imported", "rejected"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
MATRIX = {
    "import": ({"new"}, "imported"),
    "reject": ({"new"}, "rejected"),
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


def test_every_state_is_final():
    assert BATCH_WORKFLOW.final_states() == set(STATES)


def test_a_good_file_makes_an_imported_batch(council, tmp_path):
    result = spend_import(path=csv_file(tmp_path / "spend.csv", [GOOD_LINE]), council=council)
    assert result.batch.status == "imported"


def test_a_bad_file_makes_a_rejected_batch(council, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Colour,Shape\nred,round\n")
    with pytest.raises(SpendImportError):
        spend_import(path=path, council=council)
    assert ImportBatch.objects.get().status == "rejected"


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("state", STATES)
def test_no_action_is_taken_on_a_batch_once_written(state, action):
    batch = ImportBatchFactory(status=state)
    user = UserFactory()
    assert BATCH_WORKFLOW.available(batch, user) == []
    with pytest.raises(TransitionNotAllowed, match=f"This batch is {state}"):
        BATCH_WORKFLOW.check(BATCH_WORKFLOW[action], batch, user)
    assert BATCH_WORKFLOW.state_of(None) == NEW
