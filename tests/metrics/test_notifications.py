"""Who is emailed as a metric value moves through validation: submitted → the CWB Group,
returned → the officer who submitted it, with the comment."""

import pytest

from core.periods import FinancialYear
from metrics.models import Metric
from metrics.services import metric_value_return, metric_value_save, metric_value_submit
from outbox.services import emails_about
from tests.metrics.factories import officer_user, validator_user

FY = FinancialYear(2023).dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(council):
    return officer_user(email="ann.officer@council.example", first_name="Ann", last_name="Lee")


@pytest.fixture
def draft(council, officer):
    return metric_value_save(
        actor=officer,
        metric=Metric.objects.get(code="stevenage-works-starts"),
        period_start=FY[0],
        period_end=FY[1],
        value=42,
    )


def test_a_submitted_value_is_emailed_to_each_active_cwb_group_member(
    draft, officer, deliver_emails
):
    validator_user(email="val@cwb.example")
    validator_user(email="sam@cwb.example")
    validator_user(email="gone@cwb.example", is_active=False)
    validator_user(email="")  # no address: nobody to email
    metric_value_submit(metric_value=draft, actor=officer)
    outbox = deliver_emails()
    assert sorted(email.to[0] for email in outbox) == ["sam@cwb.example", "val@cwb.example"]
    email = outbox[0]
    assert email.subject.startswith("A metric value is waiting for validation")
    assert "Ann Lee submitted a value" in email.body
    assert "Value: 42" in email.body
    assert f"/admin/metrics/metricvalue/{draft.pk}/change/" in email.body
    assert emails_about(draft).count() == 2


def test_a_returned_value_is_emailed_to_its_submitter_with_the_comment(
    draft, officer, deliver_emails
):
    validator = validator_user(first_name="Val", last_name="Idator")
    submitted = metric_value_submit(metric_value=draft, actor=officer)
    metric_value_return(
        metric_value=submitted, actor=validator, comment="Starts should count the quarter only."
    )
    [email] = deliver_emails()
    assert email.to == ["ann.officer@council.example"]
    assert email.subject.startswith("A metric value you submitted was returned")
    assert "Val Idator of the CWB Group returned" in email.body
    assert "Starts should count the quarter only." in email.body


def _drafts(officer, count, first_year=2020):
    metric = Metric.objects.get(code="stevenage-works-starts")
    return [
        metric_value_save(
            actor=officer,
            metric=metric,
            period_start=FinancialYear(first_year + n).dates[0],
            period_end=FinancialYear(first_year + n).dates[1],
            value=10 + n,
        )
        for n in range(count)
    ]


def test_a_bulk_submission_is_one_email_per_member_listing_the_values(
    officer, client, deliver_emails
):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from tests.signin import sign_in_verified

    validator_user(email="val@cwb.example")
    validator_user(email="sam@cwb.example")
    drafts = _drafts(officer, 3)
    sign_in_verified(client, officer)
    client.post(
        "/admin/metrics/metricvalue/",
        {"action": "submit_selected", "index": 0, ACTION_CHECKBOX_NAME: [v.pk for v in drafts]},
    )
    outbox = deliver_emails()
    assert sorted(email.to[0] for email in outbox) == ["sam@cwb.example", "val@cwb.example"]
    email = outbox[0]
    assert email.subject == "3 metric values are waiting for validation"
    assert email.body.count("- Residents into jobs") == 3
    assert "/admin/metrics/metricvalue/?status__exact=submitted" in email.body


def test_a_bulk_return_is_one_email_to_each_submitter(officer, deliver_emails):
    from metrics.notifications import metric_value_notifications_batched

    validator = validator_user()
    other = officer_user(email="bo@council.example")
    mine = [metric_value_submit(metric_value=v, actor=officer) for v in _drafts(officer, 2)]
    [theirs] = _drafts(other, 1, first_year=2015)
    theirs = metric_value_submit(metric_value=theirs, actor=other)
    with metric_value_notifications_batched():
        for value in (*mine, theirs):
            metric_value_return(metric_value=value, actor=validator, comment="Check the source.")
    by_address = {email.to[0]: email for email in deliver_emails()}
    assert by_address["ann.officer@council.example"].subject == (
        "2 metric values you submitted were returned"
    )
    assert "Check the source." in by_address["ann.officer@council.example"].body
    assert by_address["bo@council.example"].subject.startswith(
        "A metric value you submitted was returned"
    )
