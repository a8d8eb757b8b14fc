"""Erasing a person from the outbox: the address, the subject and the body (which holds their
private manage link) go; the row stays, so what was sent, when, stays countable.

An email not yet sent when its person is erased is never sent: it is marked failed.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from outbox.models import OutboundEmail

ERASED = "(erased)"
NOT_SENT_ERASED = "Not sent: the person's data was erased first."


def _to_any(addresses: Iterable[str]) -> Q:
    lowered = sorted({address.strip().casefold() for address in addresses if address.strip()})
    return Q(to_lower__in=lowered) if lowered else Q(pk__in=[])


def _erase(emails) -> int:
    emails.filter(status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=NOT_SENT_ERASED
    )
    # Ids first: an update through the annotation would repeat the lowering per row anyway.
    ids = list(emails.values_list("pk", flat=True))
    return OutboundEmail.objects.filter(pk__in=ids).update(to="", subject=ERASED, body="")


def _outbox():
    return OutboundEmail.objects.annotate(to_lower=Lower("to")).exclude(to="")


def emails_erase_to(*, address: str) -> int:
    """Erase every email to `address` (any case), whatever it was about. Returns how many."""
    return _erase(_outbox().filter(_to_any([address])))


def emails_erase_about(
    *, model: type[models.Model], ids: Iterable[int], addresses: Iterable[str] = ()
) -> int:
    """Erase the emails about these records, and those to these addresses that are about no
    record (the "already pledged" notices). Three statements, whatever the number of emails."""
    about = Q(about_type=ContentType.objects.get_for_model(model), about_id__in=list(ids))
    unlinked = Q(about_type__isnull=True) & _to_any(addresses)
    return _erase(_outbox().filter(about | unlinked))


def emails_to(*, address: str):
    """Every email to `address` (any case), oldest first: for a subject access export."""
    return _outbox().filter(_to_any([address])).order_by("created_at", "pk")
