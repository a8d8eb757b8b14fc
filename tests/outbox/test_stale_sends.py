"""A send whose worker died is picked up again, and only that one: no second delivery."""

import datetime

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import OutboundEmail
from outbox.services import TASK_PATH, email_queue, email_send_now, emails_requeue_stale

pytestmark = pytest.mark.django_db


def _queue():
    return email_queue(
        to="pledger@private.example.org",
        kind="confirm",
        template="pledges/email/already_pledged.txt",
        context={"service_name": "Testshire Charter"},
    )


def _task_for(email):
    return DBTaskResult.objects.get(task_path=TASK_PATH, args_kwargs__args__0=email.pk)


def _worker_died_sending(email, minutes_ago=10):
    """What a worker killed mid-send leaves: its task RUNNING, its claim on the email."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=_task_for(email).pk).update(status="RUNNING", started_at=then)
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=then, attempts=1)


def test_the_email_is_claimed_before_the_mail_server_is_called(monkeypatch, mailoutbox):
    email = _queue()
    seen = {}

    def send(message, fail_silently=False):
        seen["claim"] = OutboundEmail.objects.values_list("claimed_at", "attempts").get()
        return 1

    monkeypatch.setattr(EmailMessage, "send", send)
    assert email_send_now(email_id=email.pk) is True
    assert seen["claim"][0] is not None
    assert seen["claim"][1] == 1
    email.refresh_from_db()
    assert (email.status, email.claimed_at) == (OutboundEmail.Status.SENT, None)


def test_a_send_left_by_a_dead_worker_is_delivered_once(deliver_emails):
    email = _queue()
    _worker_died_sending(email)
    assert emails_requeue_stale() == 1
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 0
    outbox = deliver_emails()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(outbox) == 1


def test_a_task_lost_before_it_claimed_the_email_is_picked_up(deliver_emails):
    email = _queue()
    _worker_died_sending(email)
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=None, attempts=0)
    assert emails_requeue_stale() == 1
    assert len(deliver_emails()) == 1


def test_an_email_being_sent_now_is_left_alone(deliver_emails):
    email = _queue()
    _worker_died_sending(email, minutes_ago=0)
    assert emails_requeue_stale() == 0
    assert deliver_emails() == []


def test_an_email_really_sent_is_not_sent_again(deliver_emails):
    email = _queue()
    _worker_died_sending(email)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT, claimed_at=None, sent_at=timezone.now()
    )
    assert emails_requeue_stale() == 0
    assert deliver_emails() == []
    assert _task_for(email).status == "FAILED"  # the dead task is closed, not left RUNNING


def test_an_email_that_keeps_killing_its_worker_ends_failed(settings):
    settings.PLEDGE_EMAIL_MAX_ATTEMPTS = 1
    email = _queue()
    _worker_died_sending(email)
    assert emails_requeue_stale() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
