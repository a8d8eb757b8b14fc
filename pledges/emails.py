"""The outbox: emails are written with the change they are about and sent by the worker."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from neighbourhoods.selectors import council_current
from pledges.models import OutboundEmail, Pledge

logger = logging.getLogger(__name__)

# Wait longer after each failed attempt: 1, 2, 4 … minutes, at most an hour.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600


def email_queue(
    *, to: str, kind: str, context: dict, pledge: Pledge | None = None
) -> OutboundEmail:
    """Render `pledges/email/<kind>.txt` (first line is the subject) and queue it for sending.

    Runs inside the caller's transaction: the email exists exactly when the change does.
    """
    from pledges.tasks import email_deliver

    council = council_current()
    rendered = render_to_string(
        f"pledges/email/{kind}.txt",
        {
            "site_url": settings.CHARTER_SITE_URL,
            "service_name": council.service_name if council else "",
            **context,
        },
    )
    subject, _, body = rendered.strip().partition("\n")
    email = OutboundEmail.objects.create(
        to=to, subject=subject.strip(), body=body.strip() + "\n", kind=kind, pledge=pledge
    )
    email_deliver.enqueue(email.pk)
    return email


def email_send_now(*, email_id: int) -> bool:
    """Try to send one queued email; on failure record it and schedule a retry.

    Returns True when the email was sent (or had been already).
    """
    from pledges.tasks import email_deliver

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
