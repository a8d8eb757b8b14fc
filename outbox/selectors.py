"""Reads of the outbox for other pages (the staff home): what needs a person to look at it."""

from dataclasses import dataclass

from django.db.models import Count, Q

from outbox.models import OutboundEmail
from outbox.services import emails_stuck


@dataclass(frozen=True)
class EmailsNeedingAttention:
    failed: int  # the worker gave up after its retries
    stuck: int  # its worker stopped mid-send (requeued within a minute while a worker runs)


def emails_needing_attention() -> EmailsNeedingAttention:
    """One aggregate query, whatever the size of the outbox."""
    counts = OutboundEmail.objects.aggregate(
        failed=Count("pk", filter=Q(status=OutboundEmail.Status.FAILED)),
        stuck=Count("pk", filter=Q(pk__in=emails_stuck().values("pk"))),
    )
    return EmailsNeedingAttention(**counts)
