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
