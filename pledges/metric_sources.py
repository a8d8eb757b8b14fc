"""The CWB metrics that pledges can compute, registered with metrics in `PledgesConfig.ready()`.

Each counts only what the public can see: published pledges, and published progress updates of
published pledges. A period's dates are whole days in UK time, both ends included. A pledge
counts in the period in which its pledger confirmed it (or made it, for pledges with no
confirmation date); a progress update in the period in which it was reported. A count of pledges
is 0 when none was made; a sum over progress updates is None (no value) when no update in the
period reported that figure.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from metrics.sources import metric_source_register
from neighbourhoods.models import Neighbourhood
from pledges.models import Pledge, PledgeStatus, PledgeUpdate, UpdateStatus


def _day_range(period_start: datetime.date, period_end: datetime.date):
    """The period as aware datetimes [start, end) in the current (UK) time zone."""
    start = timezone.make_aware(datetime.datetime.combine(period_start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def pledges_made(
    period_start: datetime.date,
    period_end: datetime.date,
    neighbourhood: Neighbourhood | None = None,
) -> Decimal:
    """Published pledges confirmed in the period: all of them, or one neighbourhood's."""
    start, end = _day_range(period_start, period_end)
    pledges = Pledge.objects.filter(status=PledgeStatus.PUBLISHED).alias(
        pledged_at=Coalesce("confirmed_at", "created_at")
    )
    pledges = pledges.filter(pledged_at__gte=start, pledged_at__lt=end)
    if neighbourhood is not None:
        pledges = pledges.filter(neighbourhood=neighbourhood)
    return Decimal(pledges.aggregate(n=Count("pk"))["n"])


def _updates_sum(field: str):
    def compute(
        period_start: datetime.date,
        period_end: datetime.date,
        neighbourhood: Neighbourhood | None = None,
    ) -> Decimal | None:
        """The sum of the figure over published updates reported in the period; None when no
        update in the period reported the figure (nothing reported is not a reported zero)."""
        start, end = _day_range(period_start, period_end)
        updates = PledgeUpdate.objects.filter(
            status=UpdateStatus.PUBLISHED,
            pledge__status=PledgeStatus.PUBLISHED,
            created_at__gte=start,
            created_at__lt=end,
        )
        if neighbourhood is not None:
            updates = updates.filter(pledge__neighbourhood=neighbourhood)
        total = updates.aggregate(total=Sum(field))["total"]
        return None if total is None else Decimal(total)

    compute.__name__ = f"pledge_updates_{field}"
    return compute


placements_pledged = _updates_sum("placements_offered")
volunteer_hours = _updates_sum("hours_volunteered")
people_supported = _updates_sum("people_supported")
spent_locally = _updates_sum("spent_locally")


def metric_sources_register() -> None:
    metric_source_register(
        "pledges.published", label="Pledges: published pledges made", compute=pledges_made
    )
    metric_source_register(
        "pledges.placements_pledged",
        label="Pledges: work placements reported in progress updates",
        compute=placements_pledged,
    )
    metric_source_register(
        "pledges.volunteer_hours",
        label="Pledges: volunteer hours reported in progress updates",
        compute=volunteer_hours,
    )
    metric_source_register(
        "pledges.people_supported",
        label="Pledges: people supported, reported in progress updates",
        compute=people_supported,
    )
    metric_source_register(
        "pledges.spent_locally",
        label="Pledges: £ spent locally, reported in progress updates",
        compute=spent_locally,
    )
