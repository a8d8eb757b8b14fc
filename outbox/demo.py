"""The demo data's emails: a story told in the past sent its emails when it happened.

Development only (`manage.py seed_demo`): each demo module takes its records through the real
services inside `story_step(at)`, so the services stamp the step with its time in the story
(core.clock) and the emails it queued are recorded as sent then, leaving the worker of
`make run` nothing of the past to send.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from core.clock import recorded_at
from outbox.models import OutboundEmail
from outbox.services import emails_record_sent


@contextmanager
def story_step(at: datetime.datetime) -> Iterator[None]:
    """One step of the demo's story at `at`: recorded then, and its emails sent then."""
    last = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with recorded_at(at):
        yield
    queued = OutboundEmail.objects.filter(pk__gt=last, status=OutboundEmail.Status.PENDING)
    emails_record_sent(sent_at=dict.fromkeys(queued.values_list("pk", flat=True), at))
