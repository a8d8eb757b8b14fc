"""The time services record an action at: now, unless a caller recording what happened in the
past says when (the demo data tells a story of earlier years through the same services)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_recorded_at: ContextVar[datetime.datetime | None] = ContextVar("recorded_at", default=None)


def now() -> datetime.datetime:
    """When the action being recorded happens."""
    return _recorded_at.get() or timezone.now()


@contextmanager
def recorded_at(when: datetime.datetime) -> Iterator[None]:
    """Record the actions inside as having happened at `when`."""
    token = _recorded_at.set(when)
    try:
        yield
    finally:
        _recorded_at.reset(token)
