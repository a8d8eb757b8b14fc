"""The outbox: an email is queued with the change it is about, and sent by the worker."""

import pytest
from django.db import transaction

from outbox.models import OutboundEmail
from outbox.services import email_queue, emails_about
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db


def _queue(**overrides):
    return email_queue(
        **{
            "to": "pledger@private.example.org",
            "kind": "confirm",
            "template": "pledges/email/already_pledged.txt",
            "context": {"service_name": "Testshire Charter"},
            **overrides,
        }
    )


def test_the_template_gives_the_subject_and_the_body():
    email = _queue()
    assert email.subject
    assert "\n" not in email.subject
    assert email.body.endswith("\n")
    assert email.status == OutboundEmail.Status.PENDING


def test_an_email_knows_the_record_it_is_about():
    council = CouncilFactory()
    email = _queue(about=council)
    assert email.about == council
    assert list(emails_about(council)) == [email]
    assert list(emails_about(CouncilFactory())) == []


def test_an_email_exists_exactly_when_the_change_it_is_queued_with_does():
    def change_that_fails():
        with transaction.atomic():
            _queue()
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboundEmail.objects.exists()


def test_the_worker_sends_what_was_queued(deliver_emails):
    email = _queue(to="someone@private.example.org")
    outbox = deliver_emails()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [message.to for message in outbox] == [["someone@private.example.org"]]
