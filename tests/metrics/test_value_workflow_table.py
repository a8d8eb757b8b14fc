"""Every metric value action from every state: the services refuse exactly what the workflow
table forbids. The expected matrix is written out here, not read from the table."""

import datetime
from decimal import Decimal

import pytest

from core.workflow import TransitionNotAllowed
from metrics.models import Metric, MetricValue, ValueStatus
from metrics.services import (
    metric_value_reopen,
    metric_value_return,
    metric_value_save,
    metric_value_submit,
    metric_value_validate,
    metric_values_compute,
)
from metrics.workflows import VALUE_WORKFLOW
from tests.metrics.factories import MetricFactory, MetricValueFactory, officer_user, validator_user

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "validated", "returned"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
MATRIX = {
    "save": ({"new", "draft", "returned"}, "draft"),
    "submit": ({"draft", "returned"}, "submitted"),
    "validate": ({"submitted"}, "validated"),
    "return": ({"submitted"}, "returned"),
    "reopen": ({"validated"}, "draft"),
    "recompute": ({"new", "draft", "returned", "submitted"}, "draft"),
}

FY = (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))  # the financial year 2023/24


def test_the_table_is_the_agreed_one():
    table = {
        action.name: ({state or "new" for state in action.sources}, action.target)
        for action in VALUE_WORKFLOW.actions
    }
    assert table == MATRIX


@pytest.fixture
def people(db):
    return {"officer": officer_user(), "validator": validator_user()}


def _value(state: str) -> MetricValue:
    # Submitted by nobody in particular, so any CWB Group member may validate it.
    return MetricValueFactory(
        metric=MetricFactory(), period_start=FY[0], period_end=FY[1], status=state
    )


def _save(value, people):
    metric_value_save(
        actor=people["officer"],
        metric=value.metric,
        period_start=value.period_start,
        period_end=value.period_end,
        value=value.value + 1,
    )


SERVICES = {
    "save": _save,
    "submit": lambda value, people: metric_value_submit(
        metric_value=value, actor=people["officer"]
    ),
    "validate": lambda value, people: metric_value_validate(
        metric_value=value, actor=people["validator"]
    ),
    "return": lambda value, people: metric_value_return(
        metric_value=value, actor=people["validator"], comment="Which year is this?"
    ),
    "reopen": lambda value, people: metric_value_reopen(
        metric_value=value, actor=people["officer"], reason="The return was restated"
    ),
}


@pytest.mark.parametrize("action", list(SERVICES))
@pytest.mark.parametrize("state", STATES)
def test_a_service_acts_exactly_from_the_states_the_matrix_allows(action, state, people):
    value = _value(state)
    sources, target = MATRIX[action]
    try:
        SERVICES[action](value, people)
        acted = True
    except TransitionNotAllowed:
        acted = False
    value.refresh_from_db()
    assert acted == (state in sources)
    assert value.status == (target if acted else state)


def test_saving_a_new_value_makes_a_draft(people):
    value = metric_value_save(
        actor=people["officer"],
        metric=MetricFactory(),
        period_start=FY[0],
        period_end=FY[1],
        value=Decimal("4"),
    )
    assert value.status == ValueStatus.DRAFT


@pytest.mark.parametrize("state", STATES)
def test_recomputing_acts_exactly_from_the_states_the_matrix_allows(state, council):
    held = MetricValueFactory(
        metric=Metric.objects.get(code="pledges-made"),
        period_start=FY[0],
        period_end=FY[1],
        status=state,
        value=Decimal("999"),  # no pledges: the computed figure differs
    )
    metric_values_compute(period_start=FY[0], period_end=FY[1])
    held.refresh_from_db()
    sources, target = MATRIX["recompute"]
    acted = held.value != Decimal("999")
    assert acted == (state in sources)
    assert held.status == (target if acted else state)
