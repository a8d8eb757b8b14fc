"""The daily housekeeping: one entry point (`manage.py housekeeping`, which the background
worker runs once a day) for the jobs that keep personal data no longer than the privacy notice
says: the pledges' retention periods, and sessions (abandoned pledge journeys hold a name, an
email address and a postcode)."""

from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.utils import timezone

from pledges.journey import journey_sessions_expire
from pledges.services import RetentionResult, personal_data_retention_apply


@dataclass(frozen=True)
class HousekeepingResult:
    retention: RetentionResult
    journeys_shortened: int
    sessions_deleted: int


def housekeeping_run() -> HousekeepingResult:
    now = timezone.now()
    retention = personal_data_retention_apply(now=now)
    shortened = journey_sessions_expire(now=now)
    # What SessionStore.clear_expired() does, counted.
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return HousekeepingResult(retention, shortened, deleted)
