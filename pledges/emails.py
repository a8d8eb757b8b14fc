"""The pledgers' emails: the templates under pledges/email/, queued through the outbox.

Every email about a pledge carries its private manage link. Only hashes of links are kept, so a
link cannot be read back to send again: each email gets a new one (`PledgeManageLink`), and
every link sent before keeps working.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from neighbourhoods.selectors import council_current
from outbox.models import OutboundEmail
from outbox.services import PRIVATE_LINK, email_address_capped, email_queue, email_render
from pledges.models import Pledge, PledgeManageLink, RejectionReason
from pledges.tokens import new_secret, secret_hash

# The emails anyone can make us send by typing an address into the journey: capped per address
# (OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR). Officers' emails (published, rejected) are not.
CAPPED_KINDS = frozenset({"confirm", "already_pledged"})


def site_link(name: str, *args: str) -> str:
    return f"{settings.CHARTER_SITE_URL}{reverse(name, args=args)}"


def manage_link_issue(*, pledge: Pledge) -> str:
    """A new private manage link for `pledge` (its hash kept, in the caller's transaction)."""
    token = new_secret()
    PledgeManageLink.objects.create(pledge=pledge, token_hash=secret_hash(token))
    return site_link("pledges:manage", token)


def _context(context: dict[str, Any]) -> dict[str, Any]:
    council = council_current()
    return {
        "service_name": council.service_name if council else "",
        "closed_retention_days": settings.PLEDGE_RETENTION_CLOSED_DAYS,
        **context,
    }


def pledge_email_queue(
    *, to: str, kind: str, context: dict, pledge: Pledge | None = None
) -> OutboundEmail:
    """Queue `pledges/email/<kind>.txt` to a pledger, in the caller's transaction. An email about
    a pledge carries its manage link (`manage_url`): a new one unless the caller gives it."""
    capped = kind in CAPPED_KINDS
    if pledge is not None and "manage_url" not in context:
        # An email held back by the cap keeps no body: no link to make for it.
        held_back = capped and email_address_capped(to=to)
        manage_url = PRIVATE_LINK if held_back else manage_link_issue(pledge=pledge)
        context = {**context, "manage_url": manage_url}
    return email_queue(
        to=to,
        kind=kind,
        template=f"pledges/email/{kind}.txt",
        context=_context(context),
        about=pledge,
        capped=capped,
    )


def pledge_email_preview(*, kind: str, context: dict) -> tuple[str, str]:
    """(subject, body) of a pledger's email as it will be sent, its private link masked: for
    the staff who are about to send it."""
    return email_render(
        template=f"pledges/email/{kind}.txt",
        context=_context({"manage_url": PRIVATE_LINK, **context}),
    )


def rejection_previews(*, pledge: Pledge | None = None) -> list[dict[str, Any]]:
    """What a pledger is emailed for each active rejection reason, as the rejection will send
    it (for `pledge`, else a sample reference), private links masked: the rejection page's
    preview. One query."""
    sample = pledge or Pledge(reference="PLG-EXAMPLE")
    previews = []
    for reason in RejectionReason.objects.filter(is_active=True).order_by("title"):
        subject, body = pledge_email_preview(
            kind="rejected", context={"pledge": sample, "reason": reason}
        )
        previews.append({"reason": reason, "subject": subject, "body": body})
    return previews
