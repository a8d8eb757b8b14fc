"""Reads for pledges: the Charter's commitments, the public pledge wall and its open data.

Everything public reads published pledges only, and loads only the columns the public may see:
the private ones (email, contact name, postcode, IP hash, moderation and token fields) are never
even fetched. A pledger's name reaches the public only through `Pledge.public_name`.
"""

import datetime
from dataclasses import dataclass, fields

from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from metrics.models import Foundation
from neighbourhoods.models import Council, Neighbourhood
from neighbourhoods.selectors import StaffAccess
from pledges.models import (
    Benefit,
    Campaign,
    Commitment,
    Pledge,
    PledgerType,
    PledgeStatus,
    PledgeUpdate,
    UpdateStatus,
)

# The neighbourhood filter's value for pledges made for the whole area (no neighbourhood).
TOWN_WIDE = "town-wide"
# The key for those pledges in the open-data counts, which are keyed by neighbourhood name.
TOWN_WIDE_NAME = "Town-wide"

# The only Pledge columns a public page, export or API may load.
PUBLIC_PLEDGE_FIELDS = (
    "pk",
    "reference",
    "pledger_type",
    "organisation_size",
    "display_name",  # read only through Pledge.public_name, which honours show_name
    "show_name",
    "neighbourhood",
    "text",
    "target",
    "status",
    "published_at",
)
PUBLIC_NEIGHBOURHOOD_FIELDS = ("neighbourhood__slug", "neighbourhood__name")

PledgeCommitment = Pledge.commitments.through


def commitment_list_active() -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(is_active=True)
        .select_related("foundation")
        .order_by("benefit", "order", "title")
    )


def commitments_by_benefit() -> list[tuple[str, list[Commitment]]]:
    """Active commitments grouped under each benefit's label, in the Charter's order."""
    commitments = list(commitment_list_active())
    return [
        (benefit.label, [c for c in commitments if c.benefit == benefit.value])
        for benefit in Benefit
    ]


# The pledge wall


@dataclass(frozen=True)
class PledgeFilters:
    """What the pledge wall is filtered by; an empty string means "any"."""

    q: str = ""
    neighbourhood: str = ""  # a neighbourhood's slug, or TOWN_WIDE
    pledger_type: str = ""
    commitment: str = ""  # a commitment's code
    foundation: str = ""  # a foundation's code

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def as_query(self) -> dict[str, str]:
        """The filters that are set, as query-string parameters."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


NO_FILTERS = PledgeFilters()


def pledges_published() -> QuerySet[Pledge]:
    """Published pledges: the only ones the public sees."""
    return Pledge.objects.filter(status=PledgeStatus.PUBLISHED)


def _public_columns(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    return (
        queryset.select_related("neighbourhood")
        .only(*PUBLIC_PLEDGE_FIELDS, *PUBLIC_NEIGHBOURHOOD_FIELDS)
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("foundation").only(
                    "code", "title", "benefit", "order", "foundation__code", "foundation__name"
                ),
            )
        )
    )


def _filtered(filters: PledgeFilters, *, ignore: str = "") -> QuerySet[Pledge]:
    """Published pledges with every filter applied except the one named by `ignore`."""
    queryset = pledges_published()
    if filters.neighbourhood and ignore != "neighbourhood":
        if filters.neighbourhood == TOWN_WIDE:
            queryset = queryset.filter(neighbourhood__isnull=True)
        else:
            queryset = queryset.filter(neighbourhood__slug=filters.neighbourhood)
    if filters.pledger_type and ignore != "pledger_type":
        queryset = queryset.filter(pledger_type=filters.pledger_type)
    if filters.commitment and ignore != "commitment":
        queryset = queryset.filter(
            Exists(
                PledgeCommitment.objects.filter(
                    pledge_id=OuterRef("pk"), commitment__code=filters.commitment
                )
            )
        )
    if filters.foundation and ignore != "foundation":
        queryset = queryset.filter(
            Exists(
                PledgeCommitment.objects.filter(
                    pledge_id=OuterRef("pk"), commitment__foundation__code=filters.foundation
                )
            )
        )
    if filters.q and ignore != "q":
        queryset = queryset.filter(
            search_vector=SearchQuery(filters.q, search_type="websearch", config="english")
        )
    return queryset


def pledge_wall_list(*, filters: PledgeFilters = NO_FILTERS) -> QuerySet[Pledge]:
    """Published pledges matching the filters, newest first, with public columns only."""
    return _public_columns(_filtered(filters)).order_by("-published_at", "-pk")


def pledge_wall_page(
    *, filters: PledgeFilters = NO_FILTERS, page_number: int | str | None, per_page: int = 20
) -> Page:
    """One page of the wall; a page number that is not a number or out of range gives the
    first or the last page (Paginator.get_page)."""
    return Paginator(pledge_wall_list(filters=filters), per_page).get_page(page_number)


@dataclass(frozen=True)
class FilterCounts:
    """How many published pledges each filter option would show, keyed by option value."""

    neighbourhood: dict[str, int]  # slug (or TOWN_WIDE) -> count
    pledger_type: dict[str, int]
    commitment: dict[str, int]  # commitment code -> count
    foundation: dict[str, int]  # foundation code -> count


def pledge_filter_counts(*, filters: PledgeFilters = NO_FILTERS) -> FilterCounts:
    """Counts beside each filter option: one GROUP BY query a facet, each with the other
    facets' filters (and the text search) applied, so a count says what choosing it would show."""
    by_neighbourhood = (
        _filtered(filters, ignore="neighbourhood")
        .order_by()
        .values("neighbourhood__slug")
        .annotate(n=Count("pk"))
    )
    by_type = (
        _filtered(filters, ignore="pledger_type")
        .order_by()
        .values("pledger_type")
        .annotate(n=Count("pk"))
    )
    by_commitment = (
        PledgeCommitment.objects.filter(
            pledge__in=_filtered(filters, ignore="commitment").values("pk")
        )
        .order_by()
        .values("commitment__code")
        .annotate(n=Count("pledge_id"))
    )
    by_foundation = (
        PledgeCommitment.objects.filter(
            pledge__in=_filtered(filters, ignore="foundation").values("pk")
        )
        .order_by()
        .values("commitment__foundation__code")
        .annotate(n=Count("pledge_id", distinct=True))
    )
    return FilterCounts(
        neighbourhood={
            row["neighbourhood__slug"] or TOWN_WIDE: row["n"] for row in by_neighbourhood
        },
        pledger_type={row["pledger_type"]: row["n"] for row in by_type},
        commitment={row["commitment__code"]: row["n"] for row in by_commitment},
        foundation={row["commitment__foundation__code"]: row["n"] for row in by_foundation},
    )


@dataclass(frozen=True)
class FilterChoices:
    """The options of each filter as (value, label) pairs, in display order."""

    neighbourhood: list[tuple[str, str]]
    pledger_type: list[tuple[str, str]]
    commitment: list[tuple[str, str]]
    foundation: list[tuple[str, str]]

    def valid(self, *, name: str, value: str) -> bool:
        return any(option == value for option, _ in getattr(self, name))


def pledge_filter_choices(*, council: Council | None, town_wide_label: str) -> FilterChoices:
    """Every option the wall's filters offer: the council's neighbourhoods (and town-wide),
    pledger types, commitments and foundations."""
    neighbourhoods = Neighbourhood.objects.order_by("order", "name")
    if council is not None:
        neighbourhoods = neighbourhoods.filter(council=council)
    return FilterChoices(
        neighbourhood=[
            *neighbourhoods.values_list("slug", "name"),
            (TOWN_WIDE, town_wide_label),
        ],
        pledger_type=list(PledgerType.choices),
        commitment=list(
            Commitment.objects.order_by("benefit", "order", "title").values_list("code", "title")
        ),
        foundation=list(Foundation.objects.order_by("order", "name").values_list("code", "name")),
    )


# One pledge


def pledge_published_get(*, reference: str) -> Pledge | None:
    """A published pledge by its reference, with its published progress updates prefetched as
    `published_updates` (oldest first), or None."""
    updates = PledgeUpdate.objects.filter(status=UpdateStatus.PUBLISHED).order_by(
        "created_at", "pk"
    )
    return (
        _public_columns(pledges_published().filter(reference=reference))
        .prefetch_related(Prefetch("updates", queryset=updates, to_attr="published_updates"))
        .first()
    )


# Campaigns


def campaign_progress(*, today: datetime.date | None = None) -> Campaign | None:
    """The campaign running today, else the most recent one that has started, or None.

    The campaign carries `count`: published pledges made (confirmed, or created when there is
    no confirmation date) within its dates, counted in the same query.
    """
    today = today or timezone.localdate()
    in_window = (
        pledges_published()
        .annotate(pledged_on=TruncDate(Coalesce("confirmed_at", "created_at")))
        .filter(pledged_on__gte=OuterRef("starts_on"), pledged_on__lte=OuterRef("ends_on"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return (
        Campaign.objects.filter(starts_on__lte=today)
        .annotate(
            running=Case(
                When(ends_on__gte=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            count=Coalesce(Subquery(in_window, output_field=IntegerField()), Value(0)),
        )
        .order_by("-running", "-starts_on", "-pk")
        .first()
    )


# Open data


def pledge_open_data_list() -> QuerySet[Pledge]:
    """Every published pledge, newest first, with public columns only: for the JSON and CSV."""
    return pledge_wall_list()


def pledge_counts_open_data() -> dict[str, dict[str, int]]:
    """Published pledges counted by neighbourhood (name), pledger type, commitment (code),
    foundation (code) and month published ("YYYY-MM", UK time), all by database aggregates."""
    published = pledges_published().order_by()
    by_neighbourhood = published.values("neighbourhood__name").annotate(n=Count("pk"))
    by_type = published.values("pledger_type").annotate(n=Count("pk")).order_by("pledger_type")
    by_commitment = (
        PledgeCommitment.objects.filter(pledge__status=PledgeStatus.PUBLISHED)
        .order_by()
        .values("commitment__code")
        .annotate(n=Count("pledge_id"))
    )
    by_foundation = (
        PledgeCommitment.objects.filter(pledge__status=PledgeStatus.PUBLISHED)
        .order_by()
        .values("commitment__foundation__code")
        .annotate(n=Count("pledge_id", distinct=True))
    )
    by_month = (
        published.annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    neighbourhoods = {
        row["neighbourhood__name"] or TOWN_WIDE_NAME: row["n"] for row in by_neighbourhood
    }
    return {
        "neighbourhoods": dict(sorted(neighbourhoods.items())),
        "pledger_types": {row["pledger_type"]: row["n"] for row in by_type},
        "commitments": dict(sorted((row["commitment__code"], row["n"]) for row in by_commitment)),
        "foundations": dict(
            sorted((row["commitment__foundation__code"], row["n"]) for row in by_foundation)
        ),
        "months": {
            timezone.localtime(row["month"]).strftime("%Y-%m"): row["n"] for row in by_month
        },
    }


def pledge_published_total() -> int:
    """How many pledges are published: one COUNT, an index-only scan of the partial index on
    published pledges (tests/bench/bench_pledge_counts.py times it at 100,000 pledges)."""
    return pledges_published().count()


def pledges_with_visible_contacts(*, access: StaffAccess) -> Q:
    """The pledges whose contact details (email, contact name, postcode, IP hash, a name not
    agreed to be shown) `access` may see: those of the neighbourhoods it is an officer of, or
    all for the data-protection staff. Town-wide pledges are the data-protection staff's alone."""
    if access.sees_all_personal_data:
        return Q()
    return Q(neighbourhood_id__in=sorted(access.officer_of))
