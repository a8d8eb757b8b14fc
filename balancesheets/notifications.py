"""Who is told when a balance sheet moves through validation: the templates under
balancesheets/email/, queued through the outbox in the caller's transaction.

Submitted: every active member of the CWB Group with an address (but the submitter). Returned:
the officer who submitted it, with the CWB Group's comments.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from balancesheets.models import BalanceSheet
from core.roles import CWB_GROUP, role_addresses
from outbox.services import email_queue


def _context(sheet: BalanceSheet, actor: User | None) -> dict:
    return {
        "sheet": sheet,
        "actor_name": (actor.get_full_name() or actor.get_username()) if actor else "Someone",
        "review_url": settings.CHARTER_SITE_URL
        + reverse("balancesheets:manage_sheet", args=[sheet.pk]),
    }


def balance_sheet_submitted_notify(*, sheet: BalanceSheet, actor: User | None) -> int:
    """Tell the CWB Group a sheet waits for validation. Returns how many emails were queued."""
    context = _context(sheet, actor)
    addresses = role_addresses(CWB_GROUP, excluding=actor)
    for address in addresses:
        email_queue(
            to=address,
            kind="sheet_submitted",
            template="balancesheets/email/sheet_submitted.txt",
            context=context,
            about=sheet,
        )
    return len(addresses)


def balance_sheet_returned_notify(*, sheet: BalanceSheet, actor: User) -> int:
    """Tell the officer who submitted a sheet that it came back, and why."""
    submitter = sheet.submitted_by
    if submitter is None or not submitter.is_active or not submitter.email:
        return 0
    email_queue(
        to=submitter.email,
        kind="sheet_returned",
        template="balancesheets/email/sheet_returned.txt",
        context={**_context(sheet, actor), "comments": sheet.return_comments},
        about=sheet,
    )
    return 1
