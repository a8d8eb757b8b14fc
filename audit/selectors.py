"""Reads of audit's records for other pages (the staff home)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from audit.models import SubjectRequest


def subject_requests_recent(*, days: int = 30) -> dict[str, int]:
    """How many subject-access exports and erasures were made in the last `days` days: one
    query. Requests arrive by email or post, so this is a record of work done, not a queue."""
    since = timezone.now() - datetime.timedelta(days=days)
    return SubjectRequest.objects.filter(created_at__gte=since).aggregate(
        exports=Count("pk", filter=Q(kind=SubjectRequest.Kind.EXPORT)),
        erasures=Count("pk", filter=Q(kind=SubjectRequest.Kind.ERASURE)),
    )
