"""Every erasure path clears the outbox; journeys' sessions are short-lived and cleared daily;
the retention schedule on /privacy/ is the one the code applies."""

import datetime
import re
import uuid

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from outbox.erasure import ERASED
from outbox.models import OutboundEmail
from pledges.journey import SESSION_KEY
from pledges.models import Pledge, PledgeStatus
from pledges.services import (
    PledgeAnswers,
    personal_data_retention_apply,
    pledge_erase_personal_data,
    pledge_submit,
)
from tests.factories import CommitmentFactory
from tests.signin import sign_in_verified

ADDRESS = "leaving.pledger@private.example.org"


def _submit(address=ADDRESS, text="We will buy our flour from a local mill."):
    return pledge_submit(
        answers=PledgeAnswers(
            pledger_type="resident",
            display_name="Lee Leaving",
            show_name=False,
            email=address,
            text=text,
            commitment_ids=[CommitmentFactory().pk],
        ),
        ip_address="192.0.2.9",
        submission_key=uuid.uuid4().hex,
    )


def _outbox_holds(address) -> bool:
    return OutboundEmail.objects.filter(to__iexact=address).exists() or any(
        address in body for body in OutboundEmail.objects.values_list("body", flat=True)
    )


@pytest.mark.django_db
def test_erasing_a_pledge_erases_its_emails_but_keeps_the_rows():
    outcome = _submit()
    manage_link = f"/pledge/manage/{outcome.manage_token}/"
    email = OutboundEmail.objects.get()
    assert manage_link in email.body
    pledge_erase_personal_data(pledge=outcome.pledge)
    email.refresh_from_db()
    assert (email.to, email.subject, email.body) == ("", ERASED, "")
    assert email.status == OutboundEmail.Status.FAILED  # never sent to nobody


@pytest.mark.django_db
def test_erasing_through_the_manage_link_clears_the_outbox(client):
    outcome = _submit()
    response = client.post(f"/pledge/manage/{outcome.manage_token}/erase/")
    assert response.status_code == 302
    assert Pledge.objects.get().personal_data_erased_at is not None
    assert not _outbox_holds(ADDRESS)
    assert outcome.manage_token not in "".join(OutboundEmail.objects.values_list("body", flat=True))


def test_erasing_from_admin_clears_the_outbox(client, private_pledge, officer_a):
    sign_in_verified(client, officer_a)
    client.post(
        "/admin/pledges/pledge/?needs_moderation=all",
        {
            "action": "erase_selected",
            "_selected_action": [private_pledge.pk],
            "apply": "1",
            "note": "Asked by phone",
        },
    )
    private_pledge.refresh_from_db()
    assert private_pledge.personal_data_erased_at is not None
    assert not _outbox_holds("withheld.resident@private.example.org")


@pytest.mark.django_db
def test_the_retention_job_clears_the_outbox_including_already_pledged_notices():
    old = _submit()
    _submit()  # the same pledge again: an "already pledged" notice about the earlier pledge
    other = _submit(address="staying@private.example.org", text="Something else entirely.")
    assert OutboundEmail.objects.filter(kind="already_pledged", about_id=old.pledge.pk).count() == 1
    Pledge.objects.filter(pk=old.pledge.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert personal_data_retention_apply().unconfirmed == 1
    assert not _outbox_holds(ADDRESS)
    assert OutboundEmail.objects.filter(to=other.pledge.email).count() == 1


# Sessions of abandoned journeys.


@pytest.mark.django_db
@override_settings(PLEDGE_JOURNEY_SESSION_MAX_AGE=3 * 3600)
def test_a_journey_session_expires_hours_not_weeks_after_the_last_answer(client):
    client.post("/pledge/", {"pledger_type": "resident"})
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=2, minutes=59) < left <= datetime.timedelta(hours=3)


def _stored_session(data, *, expires_in):
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


@pytest.mark.django_db
def test_housekeeping_clears_expired_and_abandoned_journey_sessions():
    journey = {SESSION_KEY: {"key": "k", "answers": {"email": ADDRESS, "postcode": "SG1 1HN"}}}
    expired = _stored_session(journey, expires_in=-datetime.timedelta(minutes=1))
    legacy = _stored_session(journey, expires_in=datetime.timedelta(days=13))
    staff = _stored_session(
        {**journey, "_auth_user_id": "1"}, expires_in=datetime.timedelta(hours=10)
    )
    call_command("housekeeping", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Session.objects.filter(session_key=expired).exists()
    shortened = Session.objects.get(session_key=legacy).expire_date - timezone.now()
    assert shortened <= datetime.timedelta(hours=24)
    assert Session.objects.filter(session_key=staff).exists()


@pytest.mark.django_db
def test_housekeeping_runs_the_retention_job():
    old = _submit()
    Pledge.objects.filter(pk=old.pledge.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    call_command("housekeeping", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Pledge.objects.get().personal_data_erased_at is not None


# The privacy notice tells the truth.


@pytest.mark.django_db
@override_settings(
    PLEDGE_RETENTION_UNCONFIRMED_DAYS=17,
    PLEDGE_RETENTION_CLOSED_DAYS=92,
    PLEDGE_JOURNEY_SESSION_MAX_AGE=5 * 3600,
)
def test_the_privacy_notice_shows_the_retention_the_code_applies(client, settings):
    page = re.sub(r"\s+", " ", client.get("/privacy/").content.decode())
    assert "erased after 17 days" in page
    assert "erased after 92 days (about 3 months)" in page
    assert "Kept 5 hours after your last answer" in page
    # And the code applies them: 17 days is the unconfirmed pledges' limit.
    pledge = _submit().pledge
    Pledge.objects.filter(pk=pledge.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=17, hours=1)
    )
    assert personal_data_retention_apply().unconfirmed == 1
    assert Pledge.objects.get().status == PledgeStatus.UNCONFIRMED


@pytest.mark.django_db
def test_the_default_schedule_is_what_the_notice_has_always_said(client):
    page = re.sub(r"\s+", " ", client.get("/privacy/").content.decode())
    assert "erased after 30 days" in page
    assert "about 6 months" in page
