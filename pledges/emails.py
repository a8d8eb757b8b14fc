"""The pledgers' emails: the templates under pledges/email/, queued through the outbox."""

from neighbourhoods.selectors import council_current
from outbox.models import OutboundEmail
from outbox.services import email_queue
from pledges.models import Pledge


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
    )
