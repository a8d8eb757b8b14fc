"""Queue, send and retry emails. Callers render nothing: they name a template and give context."""

import datetime
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone

from outbox.models import AddressKey, OutboundEmail

logger = logging.getLogger(__name__)

# Wait longer after each failed attempt: 1, 2, 4 … minutes, at most an hour.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# While the database is away after an email went, keep trying to record it as sent.
RECORD_RETRY_MAX_SECONDS = 30
TASK_PATH = "outbox.tasks.email_deliver"
WORKER_LOST = "The worker stopped while running this task; its email was queued again."

T = TypeVar("T")


def _address_lock(to: str) -> None:
    """Serialise queueing to one address until commit, so concurrent journeys count right."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"outbox-to:{to.lower()}"]
        )


def emails_to_address_recent(*, to: str, since: datetime.datetime) -> int:
    """How many emails (capped ones aside) were queued to `to`, tags and case aside, since."""
    return (
        OutboundEmail.objects.alias(address=AddressKey("to"))
        .filter(address=AddressKey(models.Value(to)), created_at__gte=since)
        .exclude(status=OutboundEmail.Status.CAPPED)
        .count()
    )


def email_address_capped(*, to: str) -> bool:
    """Whether a capped email to `to` would now be held back: OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR
    emails went to that address in the last hour."""
    since = timezone.now() - datetime.timedelta(hours=1)
    return (
        emails_to_address_recent(to=to, since=since) >= settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR
    )


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a named email template: its first line is the subject. What
    email_queue sends, and what a preview shows."""
    rendered = render_to_string(template, {"site_url": settings.CHARTER_SITE_URL, **context})
    subject, _, body = rendered.strip().partition("\n")
    return subject.strip()[:200], body.strip() + "\n"


PRIVATE_LINK = "[private link]"
_LINK = re.compile(r"https?://[^\s<>\"']+")


def email_body_masked(body: str) -> str:
    """An email's body with its private links (any link whose page takes a `token`: a pledger's
    manage or confirmation link, which lets whoever holds it act as the pledger) replaced by
    PRIVATE_LINK, for showing to staff. Other links are kept."""

    def masked(match: re.Match[str]) -> str:
        path = urlsplit(match.group(0)).path
        try:
            private = "token" in resolve(path).kwargs
        except Resolver404:
            # Not one of our pages (or a mangled link): it may still carry a secret.
            private = True
        return PRIVATE_LINK if private else match.group(0)

    return _LINK.sub(masked, body)


def email_queue(
    *,
    to: str,
    kind: str,
    template: str,
    context: dict[str, Any],
    about: models.Model | None = None,
    capped: bool = False,
) -> OutboundEmail:
    """Render `template` (its first line is the subject) and queue the email for sending.

    Runs inside the caller's transaction: the email exists exactly when the change does.
    `capped`: an email anyone can trigger by typing an address (a confirmation, a notice). Past
    OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR emails to that address in the last hour it is recorded as
    capped, without its body, and never sent: nobody can flood a stranger's inbox through us.
    """
    from outbox.tasks import email_deliver

    subject, body = email_render(template=template, context=context)
    with transaction.atomic():
        status = OutboundEmail.Status.PENDING
        if capped:
            _address_lock(to)
            if email_address_capped(to=to):
                status = OutboundEmail.Status.CAPPED
        email = OutboundEmail.objects.create(
            to=to,
            subject=subject,
            # A capped email is never sent: its body (with any private link) is not kept.
            body="" if status == OutboundEmail.Status.CAPPED else body,
            kind=kind,
            status=status,
            about_type=ContentType.objects.get_for_model(about) if about is not None else None,
            about_id=about.pk if about is not None else None,
        )
    if status == OutboundEmail.Status.CAPPED:
        logger.warning("Email %s (%s) not sent: the per-address cap was reached", email.pk, kind)
    else:
        email_deliver.enqueue(email.pk)
    return email


def _claim_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.OUTBOX_SEND_CLAIM_TIMEOUT)


def _until_recorded(write: Callable[[], T]) -> T:
    """Run a write that must not be lost (an email went: it must be recorded as sent), trying
    again while the database is unreachable rather than leaving a sent email claimable."""
    delay = 0.5
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block:
                raise
            logger.warning(
                "Database unavailable recording an email, retrying in %ss: %s", delay, error
            )
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, RECORD_RETRY_MAX_SECONDS)


def _message_id(email: OutboundEmail) -> str:
    """The same Message-ID on every attempt: a mail system that got it twice can tell."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    return f"<charter-outbox-{email.pk}@{domain}>"


def email_send_now(*, email_id: int) -> bool:
    """Try to send one queued email; on failure record it and schedule a retry.

    The email is claimed (claimed_at, committed) before the mail server is called and the
    claim is cleared when the outcome is recorded, so a worker that dies mid-send leaves a
    stale claim for emails_requeue_stale to find, never an email that looks untouched.
    Returns True when the email was sent (or had been already, or is not to be sent).
    """
    from outbox.tasks import email_deliver

    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.PENDING:
            return email is not None
        if email.claimed_at is not None and email.claimed_at > _claim_cutoff(now):
            return False  # another worker is sending it right now
        email.attempts += 1
        email.claimed_at = now
        email.save(update_fields=["attempts", "claimed_at"])
    try:
        EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={"Message-ID": _message_id(email)},
        ).send()
    except Exception as error:  # any transport failure: keep the email, try again later
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if email.attempts >= settings.PLEDGE_EMAIL_MAX_ATTEMPTS:
            email.status = OutboundEmail.Status.FAILED
            logger.error("Gave up sending email %s: %s", email.pk, email.last_error)
        else:
            delay = min(RETRY_BASE_SECONDS * 2 ** (email.attempts - 1), RETRY_MAX_SECONDS)
            run_after = timezone.now() + datetime.timedelta(seconds=delay)
            logger.warning("Email %s not sent, retrying in %ss: %s", email.pk, delay, error)

        def record_failure() -> None:
            with transaction.atomic():
                OutboundEmail.objects.filter(pk=email.pk).update(
                    last_error=email.last_error, status=email.status, claimed_at=None
                )
                if email.status == OutboundEmail.Status.PENDING:
                    email_deliver.using(run_after=run_after).enqueue(email.pk)

        _until_recorded(record_failure)
        return False
    _until_recorded(
        lambda: OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error="", claimed_at=None
        )
    )
    return True


def emails_stuck(now: datetime.datetime | None = None):
    """Pending emails whose sender stopped mid-send: claimed longer ago than the timeout."""
    return OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING,
        claimed_at__lt=_claim_cutoff(now or timezone.now()),
    )


def _deliveries_queue(ids: Iterable[int]) -> None:
    """Enqueue a delivery for each email that has none waiting already."""
    from django_tasks_db.models import DBTaskResult

    from outbox.tasks import email_deliver

    ids = list(ids)
    waiting = set(
        DBTaskResult.objects.filter(
            task_path=TASK_PATH, status="READY", args_kwargs__args__0__in=ids
        ).values_list("args_kwargs__args__0", flat=True)
    )
    for pk in ids:
        if pk not in waiting:
            email_deliver.enqueue(pk)


@transaction.atomic
def emails_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Pick up the emails of workers that died while sending; the worker runs it on start and
    every minute. Returns how many emails were queued again.

    Two traces of a dead worker: its delivery task left RUNNING (it may have died before it
    claimed the email) and its claim on the email left standing. Both older than
    OUTBOX_SEND_CLAIM_TIMEOUT (far longer than one send may take): the task is closed as failed
    and the email, still pending, is queued once more — sent once, as nothing recorded it sent.
    An email that keeps killing its worker counts an attempt each time and ends failed.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = _claim_cutoff(now)
    lost_tasks = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        task_path=TASK_PATH, status="RUNNING", started_at__lt=cutoff
    )
    lost = list(lost_tasks.values_list("pk", "args_kwargs"))
    DBTaskResult.objects.filter(pk__in=[pk for pk, _ in lost]).update(
        status="FAILED",
        finished_at=now,
        exception_class_path="outbox.services.WorkerLost",
        traceback=WORKER_LOST,
    )
    from_tasks = {args_kwargs["args"][0] for _, args_kwargs in lost if args_kwargs.get("args")}
    emails = list(
        OutboundEmail.objects.select_for_update(skip_locked=True)
        .filter(status=OutboundEmail.Status.PENDING)
        .filter(
            models.Q(claimed_at__lt=cutoff)
            | models.Q(pk__in=from_tasks) & models.Q(claimed_at__isnull=True)
        )
        .only("pk", "attempts")
    )
    worn_out = [e.pk for e in emails if e.attempts >= settings.PLEDGE_EMAIL_MAX_ATTEMPTS]
    OutboundEmail.objects.filter(pk__in=worn_out).update(
        status=OutboundEmail.Status.FAILED,
        claimed_at=None,
        last_error="Its worker stopped while sending, every attempt.",
    )
    again = [e.pk for e in emails if e.pk not in set(worn_out)]
    OutboundEmail.objects.filter(pk__in=again).update(claimed_at=None)
    _deliveries_queue(again)
    if again or lost:
        logger.warning(
            "Requeued %d email(s) left by a stopped worker (%d task(s) closed)",
            len(again),
            len(lost),
        )
    return len(again)


@transaction.atomic
def emails_retry(*, emails: Iterable[Any]) -> int:
    """Send again emails the worker gave up on, or whose sender stopped mid-send (stuck): back
    to pending, unclaimed, with a fresh count of attempts.

    Only failed and stuck emails change; others (sent, capped, waiting) are left alone.
    Returns how many.
    """
    selected = [email.pk for email in emails]
    ids = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=selected)
        .filter(
            models.Q(status=OutboundEmail.Status.FAILED)
            | models.Q(pk__in=emails_stuck().filter(pk__in=selected).values("pk"))
        )
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.PENDING, attempts=0, claimed_at=None
    )
    _deliveries_queue(ids)
    return len(ids)


def emails_about(obj: models.Model):
    """The emails queued about one record, newest first."""
    return OutboundEmail.objects.filter(
        about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk
    )


@transaction.atomic
def emails_record_sent(*, sent_at: Mapping[int, datetime.datetime]) -> int:
    """Record pending emails as sent at the given times ({email id: when}) without sending them,
    and cancel their queued deliveries: for a story told in the past, such as the demo data,
    whose emails went when it happened. Returns how many were recorded."""
    from django_tasks_db.models import DBTaskResult

    emails = list(
        OutboundEmail.objects.select_for_update().filter(
            pk__in=list(sent_at), status=OutboundEmail.Status.PENDING
        )
    )
    for email in emails:
        email.status = OutboundEmail.Status.SENT
        email.created_at = email.sent_at = sent_at[email.pk]
    OutboundEmail.objects.bulk_update(emails, ["status", "created_at", "sent_at"], batch_size=500)
    DBTaskResult.objects.filter(
        task_path="outbox.tasks.email_deliver",
        status="READY",
        args_kwargs__args__0__in=[email.pk for email in emails],
    ).delete()
    return len(emails)
