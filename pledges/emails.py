"""The pledgers' emails: the templates under pledges/email/, queued through the outbox."""

from neighbourhoods.selectors import council_current
from outbox.models import OutboundEmail
from outbox.services import email_queue
from pledges.models import Pledge

# The emails anyone can make us send by typing an address into the journey: capped per address
# (OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR). Officers' emails (published, rejected) are not.
CAPPED_KINDS = frozenset({"confirm", "already_pledged"})


def pledge_email_queue(
    *, to: str, kind: str, context: dict, pledge: Pledge | None = None
) -> OutboundEmail:
    """Queue `pledges/email/<kind>.txt` to a pledger, in the caller's transaction."""
    council = council_current()
    return email_queue(
        to=to,
        kind=kind,
        template=f"pledges/email/{kind}.txt",
        context={"service_name": council.service_name if council else "", **context},
        about=pledge,
        capped=kind in CAPPED_KINDS,
    )
