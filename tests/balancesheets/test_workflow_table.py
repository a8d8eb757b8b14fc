"""Every balance sheet action from every state: the services refuse exactly what the workflow
table forbids, the editor offers exactly what it allows, and the database guards take their
states from it. The expected matrix is written out here, not read from the table."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from balancesheets import services
from balancesheets.models import BalanceSheet
from balancesheets.triggers import FUNCTIONS, guards_sql
from balancesheets.workflows import SHEET_WORKFLOW
from core.workflow import TransitionNotAllowed
from tests.balancesheets.factories import IndicatorFactory, ProxyValueFactory, officer, validator
from tests.factories import CouncilFactory
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "returned", "validated", "published"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
MATRIX = {
    "create": ({"new"}, "draft"),
    "edit": ({"draft", "returned"}, None),
    "submit": ({"draft", "returned"}, "submitted"),
    "validate": ({"submitted"}, "validated"),
    "return": ({"submitted"}, "returned"),
    "publish": ({"validated"}, "published"),
    "restate": ({"published"}, None),
}


def test_the_table_is_the_agreed_one():
    table = {
        action.name: ({state or "new" for state in action.sources}, action.target)
        for action in SHEET_WORKFLOW.actions
    }
    assert table == MATRIX


@pytest.fixture
def people(db):
    """An officer who may do everything officers do, and two CWB Group members."""
    return {"officer": officer(), "validator": validator(), "second_validator": validator()}


@pytest.fixture
def indicator(db):
    indicator = IndicatorFactory()
    ProxyValueFactory(indicator=indicator, price_year=2023)
    return indicator


def _line(sheet, indicator, actor, quantity="3"):
    return services.balance_sheet_line_add(
        sheet=sheet,
        indicator=indicator,
        data=services.LineInput(quantity=Decimal(quantity), evidence="Counted"),
        actor=actor,
    )


def _sheet_in(state: str, people, indicator) -> BalanceSheet:
    """A sheet taken to `state` through the services, with one line."""
    officer_, checker = people["officer"], people["validator"]
    sheet = services.balance_sheet_create(
        council=CouncilFactory(), neighbourhood=None, year=2024, actor=officer_
    )
    _line(sheet, indicator, officer_)
    if state == "draft":
        return sheet
    services.balance_sheet_submit(sheet=sheet, actor=officer_)
    if state == "returned":
        services.balance_sheet_return(sheet=sheet, actor=checker, comments="Check the count")
    elif state in ("validated", "published"):
        services.balance_sheet_validate(sheet=sheet, actor=checker)
        if state == "published":
            services.balance_sheet_publish(sheet=sheet, actor=officer_)
    sheet.refresh_from_db()
    assert sheet.status == state
    return sheet


def _edit(sheet, people, other_indicator):
    _line(sheet, other_indicator, people["officer"])


# Each service with everything it needs; a refusal is TransitionNotAllowed.
SERVICES = {
    "edit": _edit,
    "submit": lambda sheet, people, _: services.balance_sheet_submit(
        sheet=sheet, actor=people["officer"]
    ),
    "validate": lambda sheet, people, _: services.balance_sheet_validate(
        sheet=sheet, actor=people["second_validator"]
    ),
    "return": lambda sheet, people, _: services.balance_sheet_return(
        sheet=sheet, actor=people["second_validator"], comments="Once more"
    ),
    "publish": lambda sheet, people, _: services.balance_sheet_publish(
        sheet=sheet, actor=people["officer"]
    ),
    "restate": lambda sheet, people, _: services.balance_sheet_restate(
        sheet=sheet, actor=people["officer"], reason="A count was wrong"
    ),
}


@pytest.mark.parametrize("action", list(SERVICES))
@pytest.mark.parametrize("state", STATES)
def test_a_service_acts_exactly_from_the_states_the_matrix_allows(action, state, people, indicator):
    sheet = _sheet_in(state, people, indicator)
    lines_before = sheet.lines.count()
    sources, target = MATRIX[action]
    try:
        SERVICES[action](sheet, people, IndicatorFactory())
        acted = True
    except TransitionNotAllowed:
        acted = False
    sheet.refresh_from_db()
    assert acted == (state in sources)
    assert sheet.status == (target if acted and target else state)
    if not acted:
        assert sheet.lines.count() == lines_before


@pytest.mark.parametrize("state", STATES)
def test_the_editor_offers_an_officer_exactly_what_the_matrix_allows(
    state, people, indicator, client
):
    sheet = _sheet_in(state, people, indicator)
    sign_in_verified(client, people["officer"])
    offered = {
        name
        for name in ("edit", "submit", "publish", "restate")
        if client.get(reverse("balancesheets:manage_sheet", args=[sheet.pk])).context[f"can_{name}"]
    }
    expected = {
        name for name in ("edit", "submit", "publish", "restate") if state in MATRIX[name][0]
    }
    assert offered == expected


def _function_body(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
        return cursor.fetchone()[0]


def test_the_database_guards_are_the_ones_written_from_the_table():
    written = guards_sql()
    for name in FUNCTIONS:
        assert _function_body(name).strip() in written


def test_the_guards_name_the_final_and_editable_states():
    written = guards_sql()
    assert "OLD.status IN ('published')" in written
    assert written.count("IN ('draft', 'returned')") == 3
