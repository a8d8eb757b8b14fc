"""Queue, send and retry emails. Callers render nothing: they name a template and give context."""

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)

# Wait longer after each failed attempt: 1, 2, 4 … minutes, at most an hour.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600


def email_queue(
    *, to: str, kind: str, template: str, context: dict[str, Any], about: models.Model | None = None
) -> OutboundEmail:
    """Render `template` (its first line is the subject) and queue the email for sending.

    Runs inside the caller's transaction: the email exists exactly when the change does.
    """
    from outbox.tasks import email_deliver

    rendered = render_to_string(template, {"site_url": settings.CHARTER_SITE_URL, **context})
    subject, _, body = rendered.strip().partition("\n")
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject.strip(),
        body=body.strip() + "\n",
        kind=kind,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=about.pk if about is not None else None,
    )
    email_deliver.enqueue(email.pk)
    return email


def email_send_now(*, email_id: int) -> bool:
    """Try to send one queued email; on failure record it and schedule a retry.

    Returns True when the email was sent (or had been already).
    """
    from outbox.tasks import email_deliver

    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.PENDING:
            return email is not None
        email.attempts += 1
        try:
            EmailMessage(
                subject=email.subject,
                body=email.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[email.to],
            ).send()
        except Exception as error:  # any transport failure: keep the email, try again later
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= settings.PLEDGE_EMAIL_MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
                logger.error("Gave up sending email %s: %s", email.pk, email.last_error)
            else:
                delay = min(RETRY_BASE_SECONDS * 2 ** (email.attempts - 1), RETRY_MAX_SECONDS)
                run_after = timezone.now() + datetime.timedelta(seconds=delay)
                email_deliver.using(run_after=run_after).enqueue(email.pk)
                logger.warning("Email %s not sent, retrying in %ss: %s", email.pk, delay, error)
            email.save(update_fields=["attempts", "last_error", "status"])
            return False
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True


@transaction.atomic
def emails_retry(*, emails: Iterable[Any]) -> int:
    """Send again emails the worker gave up on: back to pending with a fresh count of attempts.

    Only failed emails change; pending and sent ones are left alone. Returns how many.
    """
    from outbox.tasks import email_deliver

    ids = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=[email.pk for email in emails], status=OutboundEmail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(status=OutboundEmail.Status.PENDING, attempts=0)
    for pk in ids:
        email_deliver.enqueue(pk)
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
