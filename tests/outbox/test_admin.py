"""The outbox in admin: stuck and capped emails are counted, stuck ones can be retried."""

import datetime
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import OFFICERS
from outbox.models import OutboundEmail
from tests.factories import UserFactory

OUTBOX = "/admin/outbox/outboundemail/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, sign_in, staff_roles):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    sign_in(client, user)
    return client


def _email(**fields):
    defaults = {
        "to": "pledger@private.example.org",
        "subject": "Confirm your pledge",
        "body": "Follow the link.\n",
        "kind": "confirm",
    }
    return OutboundEmail.objects.create(**(defaults | fields))


def _stuck():
    return _email(claimed_at=timezone.now() - datetime.timedelta(hours=1), attempts=1)


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_stuck_filter_lists_the_emails_whose_worker_stopped(officer_client):
    stuck = _stuck()
    being_sent = _email(claimed_at=timezone.now(), subject="Being sent now")
    page = _text(officer_client.get(OUTBOX, {"stuck": "yes"}))
    assert f"/admin/outbox/outboundemail/{stuck.pk}/change/" in page
    assert f"/admin/outbox/outboundemail/{being_sent.pk}/change/" not in page


def test_capped_emails_are_counted_in_the_status_filter(officer_client):
    for _ in range(2):
        _email(status=OutboundEmail.Status.CAPPED, body="")
    page = _text(officer_client.get(OUTBOX))
    assert "Not sent: too many to this address (2)" in page


def test_retrying_a_stuck_email_sends_it(officer_client, deliver_emails):
    stuck = _stuck()
    officer_client.post(
        OUTBOX, {"action": "retry_sending", "index": 0, ACTION_CHECKBOX_NAME: [stuck.pk]}
    )
    outbox = deliver_emails()
    stuck.refresh_from_db()
    assert stuck.status == OutboundEmail.Status.SENT
    assert len(outbox) == 1


SECRET = "s3cr3t-Token_value-that-acts-as-the-pledger"


def test_an_emails_page_shows_its_text_with_private_links_masked(officer_client):
    body = (
        "Thank you.\n\nSee it on the wall: http://testserver/pledges/ABC123/\n\n"
        f"Your private link: http://testserver/pledge/manage/{SECRET}/\n"
        f"Confirm: http://testserver/pledge/confirm/{SECRET}/\n"
    )
    email = _email(body=body)
    page = _text(officer_client.get(f"{OUTBOX}{email.pk}/change/"))
    assert "Thank you." in page
    assert "http://testserver/pledges/ABC123/" in page  # a public link stays readable
    assert "Your private link: [private link]" in page
    assert "Confirm: [private link]" in page
    assert SECRET not in page


def test_a_link_to_a_page_we_do_not_know_is_masked_too(officer_client):
    email = _email(body=f"Open http://testserver/somewhere/else/{SECRET}/ now\n")
    page = _text(officer_client.get(f"{OUTBOX}{email.pk}/change/"))
    assert "Open [private link] now" in page
    assert SECRET not in page


def test_the_data_protection_staff_opening_an_email_is_logged(client, sign_in, staff_roles):
    from audit.models import PersonalDataView
    from core.roles import DATA_PROTECTION

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS), Group.objects.get(name=DATA_PROTECTION))
    sign_in(client, user)
    email = _email()
    page = _text(client.get(f"{OUTBOX}{email.pk}/change/"))
    assert "pledger@private.example.org" in page
    view = PersonalDataView.objects.get(viewer=user)
    assert view.object_ids == [email.pk]


def test_an_officer_opening_an_email_sees_no_address_and_is_not_logged(officer_client):
    from audit.models import PersonalDataView

    email = _email()
    page = _text(officer_client.get(f"{OUTBOX}{email.pk}/change/"))
    assert "pledger@private.example.org" not in page
    assert not PersonalDataView.objects.exists()
