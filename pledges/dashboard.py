"""Reads for the councillors' and officers' dashboards: pledge figures per neighbourhood, and
the contact details of pledgers who agreed to be contacted (private: logged on every view).

Every function runs a fixed number of aggregate queries, whatever the number of pledges.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from neighbourhoods.models import Neighbourhood
from pledges.models import (
    Pledge,
    PledgerType,
    PledgeStatus,
    PledgeUpdate,
    UpdateStatus,
)

AWAITING_MODERATION = (PledgeStatus.CONFIRMED, PledgeStatus.HELD)
CONTACTABLE = (PledgeStatus.CONFIRMED, PledgeStatus.HELD, PledgeStatus.PUBLISHED)
MONTHS_SHOWN = 24


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _in(neighbourhood: Neighbourhood | None) -> Q:
    return Q(neighbourhood=neighbourhood) if neighbourhood else Q()


@dataclass(frozen=True)
class UpdateFigures:
    updates: int = 0
    hours_volunteered: int = 0
    people_supported: int = 0
    placements_offered: int = 0
    spent_locally: object = 0


@dataclass(frozen=True)
class PledgeDashboard:
    published: int
    new_this_month: int
    awaiting_moderation: int
    by_commitment: list[tuple[str, int]]
    by_foundation: list[tuple[str, int]]
    by_pledger_type: list[tuple[str, int]]
    by_month: list[tuple[datetime.date, int]]
    figures: UpdateFigures = field(default_factory=UpdateFigures)


def pledge_dashboard(
    *, neighbourhood: Neighbourhood | None, today: datetime.date | None = None
) -> PledgeDashboard:
    """Pledge figures for one neighbourhood (or the whole area): six queries."""
    today = today or timezone.localdate()
    month_start = _month_start(today)
    published = Pledge.objects.filter(_in(neighbourhood), status=PledgeStatus.PUBLISHED)
    headline = Pledge.objects.filter(_in(neighbourhood)).aggregate(
        published=Count("pk", filter=Q(status=PledgeStatus.PUBLISHED)),
        new_this_month=Count(
            "pk", filter=Q(status=PledgeStatus.PUBLISHED, published_at__date__gte=month_start)
        ),
        awaiting=Count("pk", filter=Q(status__in=AWAITING_MODERATION)),
    )
    # Counted from the pledge-commitment links, a join: excluding "no commitment" through the
    # pledge's own multi-valued join made a correlated NOT EXISTS per pledge, which PostgreSQL
    # ran as a nested loop (seconds per query on the demo data).
    links = Pledge.commitments.through.objects.filter(pledge__in=published.values("pk"))
    by_commitment = list(
        links.values_list("commitment__title")
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by("-n", "commitment__title")
    )
    by_foundation = list(
        links.values_list("commitment__foundation__name")
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by("-n", "commitment__foundation__name")
    )
    labels = dict(PledgerType.choices)
    by_type = dict(published.values_list("pledger_type").annotate(n=Count("pk")))
    first_month = _month_start(month_start - datetime.timedelta(days=31 * (MONTHS_SHOWN - 1)))
    counts = dict(
        published.filter(published_at__date__gte=first_month)
        .annotate(month=TruncMonth("published_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    counts = {month.date() if hasattr(month, "date") else month: n for month, n in counts.items()}
    months, month = [], first_month
    while month <= month_start:
        months.append((month, counts.get(month, 0)))
        month = _month_start(month + datetime.timedelta(days=32))
    figures = PledgeUpdate.objects.filter(
        status=UpdateStatus.PUBLISHED,
        **({"pledge__neighbourhood": neighbourhood} if neighbourhood else {}),
    ).aggregate(
        updates=Count("pk"),
        hours_volunteered=Sum("hours_volunteered", default=0),
        people_supported=Sum("people_supported", default=0),
        placements_offered=Sum("placements_offered", default=0),
        spent_locally=Sum("spent_locally", default=0),
    )
    return PledgeDashboard(
        published=headline["published"],
        new_this_month=headline["new_this_month"],
        awaiting_moderation=headline["awaiting"],
        by_commitment=by_commitment,
        by_foundation=by_foundation,
        by_pledger_type=[(labels[v], by_type.get(v, 0)) for v in PledgerType.values],
        by_month=months,
        figures=UpdateFigures(**figures),
    )


@dataclass(frozen=True)
class NeighbourhoodPledgeSummary:
    published: int = 0
    awaiting_moderation: int = 0
    new_this_month: int = 0
    updates: int = 0


def pledge_summaries_by_neighbourhood(
    *, today: datetime.date | None = None
) -> dict[int | None, NeighbourhoodPledgeSummary]:
    """Headline pledge figures for every neighbourhood at once (None = town-wide): two queries."""
    month_start = _month_start(today or timezone.localdate())
    rows = Pledge.objects.values("neighbourhood_id").annotate(
        published=Count("pk", filter=Q(status=PledgeStatus.PUBLISHED)),
        awaiting=Count("pk", filter=Q(status__in=AWAITING_MODERATION)),
        new=Count(
            "pk", filter=Q(status=PledgeStatus.PUBLISHED, published_at__date__gte=month_start)
        ),
    )
    updates = dict(
        PledgeUpdate.objects.filter(status=UpdateStatus.PUBLISHED)
        .values_list("pledge__neighbourhood_id")
        .annotate(n=Count("pk"))
    )
    return {
        row["neighbourhood_id"]: NeighbourhoodPledgeSummary(
            published=row["published"],
            awaiting_moderation=row["awaiting"],
            new_this_month=row["new"],
            updates=updates.get(row["neighbourhood_id"], 0),
        )
        for row in rows
    }


def pledge_contacts(*, neighbourhood: Neighbourhood) -> QuerySet[Pledge]:
    """Pledgers in the neighbourhood who agreed to be contacted, with their details. Private."""
    return (
        Pledge.objects.filter(
            neighbourhood=neighbourhood,
            contact_consent=True,
            status__in=CONTACTABLE,
            personal_data_erased_at__isnull=True,
        )
        .exclude(email="")
        .only(
            "reference",
            "pledger_type",
            "display_name",
            "show_name",
            "contact_name",
            "email",
            "status",
            "published_at",
            "confirmed_at",
        )
        .order_by("contact_name", "pk")
    )


@dataclass(frozen=True)
class PledgeYearTotals:
    made: int  # published pledges confirmed in the period
    to_date: int  # published pledges confirmed by the end of the period
    updates: int
    by_pledger_type: list[tuple[str, int]]


def pledge_year_totals(*, start: datetime.date, end: datetime.date) -> PledgeYearTotals:
    """Published pledges made in a period, and since the Charter began: three queries."""
    published = Pledge.objects.filter(status=PledgeStatus.PUBLISHED)
    in_period = Q(confirmed_at__date__range=(start, end))
    totals = published.aggregate(
        made=Count("pk", filter=in_period),
        to_date=Count("pk", filter=Q(confirmed_at__date__lte=end)),
    )
    labels = dict(PledgerType.choices)
    by_type = dict(published.filter(in_period).values_list("pledger_type").annotate(n=Count("pk")))
    updates = PledgeUpdate.objects.filter(
        status=UpdateStatus.PUBLISHED, created_at__date__range=(start, end)
    ).count()
    return PledgeYearTotals(
        made=totals["made"],
        to_date=totals["to_date"],
        updates=updates,
        by_pledger_type=[(labels[v], by_type.get(v, 0)) for v in PledgerType.values],
    )
