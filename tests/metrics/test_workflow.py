"""Values and their validation: officers enter and submit, only the CWB Group validates or
returns, validated values are public and never change in place, and every change is history."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError

from core.periods import FinancialYear
from metrics.models import LM3Study, Metric, MetricValue, ValueStatus
from metrics.selectors import metric_value_history
from metrics.services import (
    metric_value_reopen,
    metric_value_return,
    metric_value_save,
    metric_value_submit,
    metric_value_validate,
)
from tests.metrics.factories import (
    SpendTransactionFactory,
    SupplierFactory,
    officer_user,
    validator_user,
)
from tests.signin import sign_in_verified

FY = FinancialYear(2023).dates
CHANGELIST = "/admin/metrics/metricvalue/"
ADD = "/admin/metrics/metricvalue/add/"


@pytest.fixture
def officer(council):
    return officer_user()


@pytest.fixture
def validator(council):
    return validator_user()


@pytest.fixture
def starts(council):
    return Metric.objects.get(code="stevenage-works-starts")


@pytest.fixture
def draft(starts, officer):
    return metric_value_save(
        actor=officer,
        metric=starts,
        period_start=FY[0],
        period_end=FY[1],
        value=Decimal("97"),
        evidence="Partnership return",
    )


@pytest.fixture
def submitted(draft, officer):
    return metric_value_submit(metric_value=draft, actor=officer)


def _history(value):
    """The value's history, as the audit trail keeps it."""
    return metric_value_history(metric_value=value)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _errors(response) -> str:
    """The error messages on an admin form page, for an assertion's message."""
    return " / ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', _text(response)))


# The services.


def test_an_officer_enters_a_draft_and_the_history_records_it(draft, officer):
    assert draft.status == ValueStatus.DRAFT
    assert draft.created_by == officer
    [created] = _history(draft)
    assert (created.action, created.changed_by, created.before) == ("created", officer, {})
    assert created.after["value"] == "97.0000"
    assert created.after["status"] == "draft"


def test_changing_a_draft_records_the_value_before_and_after(draft, officer, starts):
    metric_value_save(
        actor=officer,
        metric=starts,
        period_start=FY[0],
        period_end=FY[1],
        value=Decimal("95"),
        evidence="Corrected return",
    )
    changed = _history(draft)[-1]
    assert changed.action == "changed"
    assert (changed.before["value"], changed.after["value"]) == ("97.0000", "95.0000")
    assert (changed.before["evidence"], changed.after["evidence"]) == (
        "Partnership return",
        "Corrected return",
    )
    assert MetricValue.objects.count() == 1


def test_an_officer_cannot_validate(submitted, officer):
    other_officer = officer_user()
    for actor in (officer, other_officer):
        with pytest.raises(PermissionDenied):
            metric_value_validate(metric_value=submitted, actor=actor)
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.SUBMITTED
    assert [c.action for c in _history(submitted)] == ["created", "submitted"]


def test_an_officer_cannot_return_a_value(submitted, officer):
    with pytest.raises(PermissionDenied):
        metric_value_return(metric_value=submitted, actor=officer, comment="No")


def test_a_cwb_group_member_validates_and_the_history_says_who(submitted, validator):
    metric_value_validate(metric_value=submitted, actor=validator)
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.VALIDATED
    assert submitted.validated_by == validator
    assert submitted.validated_at is not None
    validated = _history(submitted)[-1]
    assert (validated.action, validated.changed_by) == ("validated", validator)
    assert (validated.before["status"], validated.after["status"]) == ("submitted", "validated")


def test_nobody_validates_a_value_they_submitted(draft):
    member = validator_user()
    metric_value_submit(metric_value=draft, actor=member)
    with pytest.raises(PermissionDenied, match="someone other than"):
        metric_value_validate(metric_value=draft, actor=member)


def test_an_inactive_member_cannot_validate(submitted, validator):
    validator.is_active = False
    validator.save()
    with pytest.raises(PermissionDenied):
        metric_value_validate(metric_value=submitted, actor=validator)


def test_only_submitted_values_are_validated(draft, validator):
    with pytest.raises(ValidationError, match="Only submitted values"):
        metric_value_validate(metric_value=draft, actor=validator)


def test_returning_needs_a_comment_and_the_officer_can_then_correct(
    submitted, validator, officer, starts
):
    with pytest.raises(ValidationError):
        metric_value_return(metric_value=submitted, actor=validator, comment="  ")
    metric_value_return(metric_value=submitted, actor=validator, comment="Two live elsewhere")
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.RETURNED
    assert submitted.return_comment == "Two live elsewhere"
    returned = _history(submitted)[-1]
    assert (returned.action, returned.comment) == ("returned", "Two live elsewhere")

    corrected = metric_value_save(
        actor=officer,
        metric=starts,
        period_start=FY[0],
        period_end=FY[1],
        value=Decimal("95"),
        evidence="Partnership return, corrected",
    )
    assert corrected.status == ValueStatus.DRAFT
    metric_value_submit(metric_value=corrected, actor=officer)
    metric_value_validate(metric_value=corrected, actor=validator)
    corrected.refresh_from_db()
    assert (corrected.status, corrected.value) == (ValueStatus.VALIDATED, Decimal("95"))
    assert [c.action for c in _history(corrected)] == [
        "created",
        "submitted",
        "returned",
        "changed",
        "submitted",
        "validated",
    ]


def test_a_submitted_or_validated_value_cannot_be_changed(submitted, validator, officer, starts):
    def change():
        metric_value_save(
            actor=officer, metric=starts, period_start=FY[0], period_end=FY[1], value=Decimal("1")
        )

    with pytest.raises(ValidationError, match="submitted"):
        change()
    metric_value_validate(metric_value=submitted, actor=validator)
    with pytest.raises(ValidationError, match="reopen it for correction"):
        change()
    submitted.refresh_from_db()
    assert submitted.value == Decimal("97")


def test_a_correction_reopens_the_validated_value_as_a_draft(
    submitted, validator, officer, starts, client
):
    metric_value_validate(metric_value=submitted, actor=validator)
    with pytest.raises(ValidationError):
        metric_value_reopen(metric_value=submitted, actor=officer, reason="")
    metric_value_reopen(metric_value=submitted, actor=officer, reason="Double-counted a start")
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.DRAFT
    assert submitted.validated_by is None
    assert "Partnership return" not in _text(client.get("/metrics/stevenage-works-starts/"))
    reopened = _history(submitted)[-1]
    assert (reopened.action, reopened.comment) == ("reopened", "Double-counted a start")
    assert (reopened.before["status"], reopened.after["status"]) == ("validated", "draft")


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("spend-borough-share", {"value": Decimal("101")}, "value"),  # computed anyway
        ("council-emissions", {"value": Decimal("-1")}, "value"),
        ("stevenage-works-starts", {"value": Decimal("1.5")}, "value"),
        ("council-emissions", {"period_start": FY[0].replace(month=1)}, "period_start"),
        ("council-emissions", {"period_end": FY[0].replace(year=2022)}, "period_end"),
        ("council-emissions", {"neighbourhood": "first"}, "neighbourhood"),
        ("council-emissions", {"period_start": FinancialYear(2099).start,
                               "period_end": FinancialYear(2099).end}, "period_start"),
    ],
)  # fmt: skip
def test_values_that_break_the_rules_are_refused(council, officer, code, changes, field):
    metric = Metric.objects.get(code=code)
    data = {"period_start": FY[0], "period_end": FY[1], "value": Decimal("5")}
    data.update(changes)
    if data.get("neighbourhood") == "first":
        data["neighbourhood"] = council.neighbourhoods.first()
    with pytest.raises(ValidationError) as error:
        metric_value_save(actor=officer, metric=metric, **data)
    assert field in error.value.message_dict
    assert not MetricValue.objects.exists()


def test_a_percentage_over_100_is_refused(council, officer, starts):
    metric = Metric.objects.get(code="spend-borough-share")
    metric.computed, metric.source = False, ""
    metric.save()
    with pytest.raises(ValidationError, match="between 0 and 100"):
        metric_value_save(
            actor=officer, metric=metric, period_start=FY[0], period_end=FY[1], value=101
        )


# The admin.


def _action(client, action, values, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [v.pk for v in values], **data},
    )


def test_the_officer_is_not_offered_validation_and_cannot_force_it(client, officer, submitted):
    sign_in_verified(client, officer)
    page = _text(client.get(CHANGELIST))
    assert "Submit selected values for validation" in page
    assert "validate_selected" not in page
    assert "return_selected" not in page
    response = _action(client, "validate_selected", [submitted])
    assert response.status_code in (200, 302)
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.SUBMITTED


def test_the_officer_submits_and_the_validator_validates_in_admin(
    client, officer, validator, draft
):
    sign_in_verified(client, officer)
    _action(client, "submit_selected", [draft])
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (ValueStatus.SUBMITTED, officer)
    sign_in_verified(client, validator)
    assert "Validate selected values" in _text(client.get(CHANGELIST))
    _action(client, "validate_selected", [draft], apply="1")  # confirmed on the next page
    draft.refresh_from_db()
    assert (draft.status, draft.validated_by) == (ValueStatus.VALIDATED, validator)


def test_returning_in_admin_asks_for_a_comment_first(client, validator, submitted):
    sign_in_verified(client, validator)
    page = _text(_action(client, "return_selected", [submitted]))
    assert "Return values with comments" in page
    page = _text(_action(client, "return_selected", [submitted], apply="1", comment=""))
    assert "Enter a comment saying what needs to change" in page
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.SUBMITTED
    _action(client, "return_selected", [submitted], apply="1", comment="Check the dates")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.return_comment) == (ValueStatus.RETURNED, "Check the dates")


def test_reopening_in_admin_needs_a_reason(client, officer, submitted, validator):
    metric_value_validate(metric_value=submitted, actor=validator)
    sign_in_verified(client, officer)
    _action(client, "reopen_selected", [submitted], apply="1", comment="")
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.VALIDATED
    _action(client, "reopen_selected", [submitted], apply="1", comment="Wrong year")
    submitted.refresh_from_db()
    assert submitted.status == ValueStatus.DRAFT


def test_the_add_form_saves_through_the_service(client, officer, starts):
    sign_in_verified(client, officer)
    response = client.post(
        ADD,
        {
            "metric": starts.pk,
            "period_start": "2023-04-01",
            "period_end": "2024-03-31",
            "neighbourhood": "",
            "value": "97",
            "evidence": "Partnership return",
        },
    )
    assert response.status_code == 302, _errors(response)
    value = MetricValue.objects.get()
    assert (value.status, value.created_by, value.value) == (ValueStatus.DRAFT, officer, 97)
    [created] = _history(value)
    assert created.changed_by == officer


def test_the_change_page_shows_the_history_and_a_validated_value_is_read_only(
    client, officer, submitted, validator
):
    metric_value_validate(metric_value=submitted, actor=validator)
    sign_in_verified(client, officer)
    page = _text(client.get(f"{CHANGELIST}{submitted.pk}/change/"))
    assert "History" in page
    assert "status: submitted → validated" in page
    assert 'name="value"' not in page
    response = client.post(f"{CHANGELIST}{submitted.pk}/change/", {"value": "1"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.value == Decimal("97")


def test_the_value_list_runs_for_both_roles(client, officer, validator, submitted):
    for user in (officer, validator):
        sign_in_verified(client, user)
        assert client.get(CHANGELIST).status_code == 200
        assert client.get(CHANGELIST, {"status": "submitted"}).status_code == 200
        assert client.get(f"{CHANGELIST}{submitted.pk}/change/").status_code == 200


BAD_VALUE_FORMS = [
    {"value": "abc"},
    {"value": "NaN"},
    {"value": "Infinity"},
    {"value": "1e400"},
    {"value": "99999999999999999999999"},
    {"value": "-5"},
    {"value": "1.5", "metric": "stevenage-works-starts"},
    {"value": ""},
    {"value": "12\x00"},
    {"period_start": "2023-13-45"},
    {"period_start": "not a date"},
    {"period_end": "2023-03-31"},
    {"period_start": "2023-01-01", "period_end": "2023-12-31"},
    {"neighbourhood": "999999"},
    {"neighbourhood": "first"},
    {"metric": "spend-borough-share"},
    {"metric": "999999999999999999999"},
    {"metric": "x' OR 1=1"},
    {"evidence": "=cmd|' /C calc'!A0" * 100},
]


@pytest.mark.parametrize("changes", BAD_VALUE_FORMS)
def test_bad_input_in_the_value_form_is_an_error_message_never_a_crash(
    client, officer, council, changes
):
    starts = Metric.objects.get(code="stevenage-works-starts")
    emissions = Metric.objects.get(code="council-emissions")
    data = {
        "metric": emissions.pk,
        "period_start": "2023-04-01",
        "period_end": "2024-03-31",
        "neighbourhood": "",
        "value": "12",
        "evidence": "",
        **changes,
    }
    if data["neighbourhood"] == "first":
        data["neighbourhood"] = council.neighbourhoods.first().pk
    if Metric.objects.filter(code=data["metric"]).exists():
        data["metric"] = Metric.objects.get(code=data["metric"]).pk
    if "evidence" in changes:
        data["metric"] = starts.pk
        data["value"] = "abc"
    sign_in_verified(client, officer)
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not MetricValue.objects.exists()


def test_adding_a_value_twice_for_the_same_period_is_an_error(client, officer, draft, starts):
    sign_in_verified(client, officer)
    response = client.post(
        ADD,
        {
            "metric": starts.pk,
            "period_start": "2023-04-01",
            "period_end": "2024-03-31",
            "neighbourhood": "",
            "value": "1",
            "evidence": "",
        },
    )
    assert response.status_code == 200
    errors = _errors(response)
    # In the GOV.UK voice, not Django's "Metric value with this Metric, Period start… exists".
    assert "This metric already has a value for that period and area" in errors
    assert "with this" not in errors
    assert MetricValue.objects.count() == 1


LM3_ADD = "/admin/metrics/lm3study/add/"
GOOD_STUDY = {
    "name": "Council spending",
    "organisation": "Stevenage Borough Council",
    "period_start": "2023-04-01",
    "period_end": "2024-03-31",
    "round1_income": "1000000",
    "round2_local_suppliers": "300000",
    "round2_local_staff": "200000",
    "supplier_respend_rate": "0.40",
    "staff_respend_rate": "0.45",
    "notes": "",
}


@pytest.mark.parametrize(
    "changes",
    [
        {"round1_income": "0"},
        {"round1_income": "-10"},
        {"round1_income": "abc"},
        {"round1_income": "1e99"},
        {"round2_local_suppliers": "900000"},
        {"round2_local_suppliers": ""},
        {"round2_local_staff": "-1"},
        {"supplier_respend_rate": "45"},
        {"supplier_respend_rate": "1.5"},
        {"staff_respend_rate": "-0.1"},
        {"staff_respend_rate": "NaN"},
        {"period_end": "2020-01-01"},
        {"period_start": "31/02/2023"},
        {"round2_from_spend_data": "on", "round2_local_suppliers": ""},
        {"name": ""},
    ],
)
def test_bad_input_in_the_lm3_form_is_an_error_message_never_a_crash(client, officer, changes):
    sign_in_verified(client, officer)
    response = client.post(LM3_ADD, {**GOOD_STUDY, **changes})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not LM3Study.objects.exists()


def test_an_officer_records_an_lm3_study(client, officer):
    sign_in_verified(client, officer)
    response = client.post(LM3_ADD, GOOD_STUDY)
    assert response.status_code == 302, _errors(response)
    study = LM3Study.objects.get()
    assert study.created_by == officer
    assert "1.71" in _text(client.get("/admin/metrics/lm3study/"))


def test_round_2_can_be_drawn_from_the_spend_data(client, officer):
    SpendTransactionFactory(
        supplier=SupplierFactory(locality="borough"),
        amount=Decimal("250000.00"),
        payment_date=FY[0],
    )
    sign_in_verified(client, officer)
    response = client.post(
        LM3_ADD, {**GOOD_STUDY, "round2_from_spend_data": "on", "round2_local_suppliers": ""}
    )
    assert response.status_code == 302, _errors(response)
    study = LM3Study.objects.get()
    assert study.round2_local_suppliers == Decimal("250000.00")
    assert study.round2_from_spend_data


def test_the_cwb_group_reads_but_does_not_add_lm3_studies(client, validator):
    sign_in_verified(client, validator)
    assert client.get("/admin/metrics/lm3study/").status_code == 200
    assert client.get(LM3_ADD).status_code == 403
