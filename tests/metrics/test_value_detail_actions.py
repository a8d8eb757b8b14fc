"""The workflow buttons on a metric value's own admin page: exactly the steps the workflow offers
each role in each state (never validating one's own submission), a confirmation page for each
(a comment where the table asks for one), the step taken through the service, a stale page that
changes nothing, and no status changed by editing the value."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from core.roles import DATA_PROTECTION
from metrics.models import MetricValue, ValueStatus
from metrics.services import metric_value_validate
from tests.metrics.factories import (
    FY2024,
    MetricValueFactory,
    officer_user,
    staff_user,
    validator_user,
)
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'id="workflow-action-([a-z_]+)"')
CHANGELIST = "/admin/metrics/metricvalue/"


def _page(value) -> str:
    return f"/admin/metrics/metricvalue/{value.pk}/change/"


def _step(value, name) -> str:
    return f"/admin/metrics/metricvalue/{value.pk}/action/{name}/"


def _buttons(response) -> list[str]:
    assert response.status_code == 200
    return BUTTON.findall(response.content.decode())


@pytest.fixture
def people(db):
    return {"officer": officer_user(), "validator": validator_user()}


def _value(status, *, submitted_by=None) -> MetricValue:
    return MetricValueFactory(
        status=status,
        value=Decimal("4990"),
        submitted_by=submitted_by,
        period_start=FY2024[0],
        period_end=FY2024[1],
    )


def _as(client, user):
    sign_in_verified(client, user)
    return client


# Which buttons each role sees in each state (written out, not read from the table).

OFFICER_BUTTONS = {
    ValueStatus.DRAFT: ["submit"],
    ValueStatus.RETURNED: ["submit"],
    ValueStatus.SUBMITTED: [],
    ValueStatus.VALIDATED: ["reopen"],
}

# The CWB Group holds the change permission (to validate and return), so the table's steps open to
# anyone who may change values are offered to it too.
VALIDATOR_BUTTONS = {
    ValueStatus.DRAFT: ["submit"],
    ValueStatus.RETURNED: ["submit"],
    ValueStatus.SUBMITTED: ["validate", "return"],
    ValueStatus.VALIDATED: ["reopen"],
}


@pytest.mark.parametrize("status", list(OFFICER_BUTTONS))
def test_an_officer_sees_the_steps_the_value_allows(client, people, status):
    value = _value(status)
    page = _as(client, people["officer"]).get(_page(value))
    assert _buttons(page) == OFFICER_BUTTONS[status]


@pytest.mark.parametrize("status", list(VALIDATOR_BUTTONS))
def test_the_cwb_group_sees_the_steps_the_value_allows(client, people, status):
    value = _value(status, submitted_by=people["officer"])
    page = _as(client, people["validator"]).get(_page(value))
    assert _buttons(page) == VALIDATOR_BUTTONS[status]


def test_a_member_who_submitted_the_value_is_not_offered_to_validate_it(client, people):
    member = people["validator"]
    value = _value(ValueStatus.SUBMITTED, submitted_by=member)
    assert _buttons(_as(client, member).get(_page(value))) == ["return"]
    assert client.post(_step(value, "validate")).status_code == 403
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_an_officer_cannot_validate_by_the_steps_address(client, people):
    value = _value(ValueStatus.SUBMITTED)
    assert _as(client, people["officer"]).post(_step(value, "validate")).status_code == 403
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_staff_without_access_to_values_reach_no_step(client, people):
    value = _value(ValueStatus.SUBMITTED)
    response = _as(client, staff_user(DATA_PROTECTION)).post(_step(value, "validate"))
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


# The steps.


def test_the_validate_page_shows_the_value_and_changes_nothing(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    response = _as(client, people["validator"]).get(_step(value, "validate"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "4,990" in page
    assert "4990.0000" not in page
    assert 'value="Validate the value"' in page
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_confirming_validates_the_value_and_returns_to_it(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    response = _as(client, people["validator"]).post(_step(value, "validate"), follow=True)
    assert response.redirect_chain[-1][0] == _page(value)
    assert "Validated the value: it is public now." in response.content.decode()
    value.refresh_from_db()
    assert value.status == ValueStatus.VALIDATED
    assert value.validated_by == people["validator"]


def test_validating_a_value_someone_else_validated_says_so_and_changes_nothing(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    _as(client, people["validator"])
    assert client.get(_step(value, "validate")).status_code == 200
    other = validator_user()
    metric_value_validate(metric_value=value, actor=other)  # meanwhile
    response = client.post(_step(value, "validate"), follow=True)
    assert response.redirect_chain[-1][0] == _page(value)
    assert "Nothing was changed" in response.content.decode()
    value.refresh_from_db()
    assert value.validated_by == other


def test_confirming_submits_a_draft(client, people):
    value = _value(ValueStatus.DRAFT)
    _as(client, people["officer"]).post(_step(value, "submit"))
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED
    assert value.submitted_by == people["officer"]


def test_returning_without_a_comment_shows_the_error_and_changes_nothing(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    response = _as(client, people["validator"]).post(_step(value, "return"), {"comment": "  "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_comment">Enter a comment saying what needs to change</a>' in page
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_a_too_long_comment_is_refused_in_the_govuk_voice(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    response = _as(client, people["validator"]).post(
        _step(value, "return"), {"comment": "x" * 2001}
    )
    assert "What needs to change must be 2,000 characters or fewer" in response.content.decode()
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_returning_with_a_comment_sends_the_value_back(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    _as(client, people["validator"]).post(_step(value, "return"), {"comment": "Which year?"})
    value.refresh_from_db()
    assert (value.status, value.return_comment) == (ValueStatus.RETURNED, "Which year?")


def test_reopening_without_a_reason_changes_nothing(client, people):
    value = _value(ValueStatus.VALIDATED)
    response = _as(client, people["officer"]).post(_step(value, "reopen"), {})
    assert "Enter the reason the value needs correcting" in response.content.decode()
    value.refresh_from_db()
    assert value.status == ValueStatus.VALIDATED


def test_reopening_with_a_reason_makes_a_draft(client, people):
    value = _value(ValueStatus.VALIDATED)
    _as(client, people["officer"]).post(_step(value, "reopen"), {"comment": "Restated"})
    value.refresh_from_db()
    assert value.status == ValueStatus.DRAFT


# No status changed any other way.


def test_the_change_form_has_no_status_field(client, people):
    value = _value(ValueStatus.DRAFT)
    page = _as(client, people["officer"]).get(_page(value)).content.decode()
    assert 'name="status"' not in page


def test_posting_a_status_with_the_change_form_changes_no_status(client, people):
    value = _value(ValueStatus.DRAFT)
    _as(client, people["officer"]).post(
        _page(value), {"value": "12", "evidence": "Counted", "status": ValueStatus.VALIDATED}
    )
    value.refresh_from_db()
    assert value.status == ValueStatus.DRAFT


def test_validating_from_the_list_asks_for_confirmation_first(client, people):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    _as(client, people["validator"])
    response = client.post(
        CHANGELIST, {"action": "validate_selected", "index": 0, ACTION_CHECKBOX_NAME: [value.pk]}
    )
    assert response.status_code == 200
    assert 'value="Validate values"' in response.content.decode()
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED
    client.post(
        CHANGELIST,
        {"action": "validate_selected", ACTION_CHECKBOX_NAME: [value.pk], "apply": "1"},
    )
    value.refresh_from_db()
    assert value.status == ValueStatus.VALIDATED


def test_the_value_page_and_its_step_page_run_a_bounded_number_of_queries(
    client, people, django_assert_max_num_queries
):
    value = _value(ValueStatus.SUBMITTED, submitted_by=people["officer"])
    _as(client, people["validator"])
    with django_assert_max_num_queries(22):
        assert client.get(_page(value)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(_step(value, "return")).status_code == 200
