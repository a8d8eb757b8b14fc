"""Reads for pledges: the Charter's commitments, the public pledge wall and its open data.

Everything public reads published pledges only, and loads only the columns the public may see:
the private ones (email, contact name, postcode, IP hash, moderation and token fields) are never
even fetched. A pledger's name reaches the public only through `Pledge.public_name`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth import get_user_model
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
    ModerationAction,
    Pledge,
    PledgeEvent,
    PledgerType,
    PledgeStatus,
    PledgeUpdate,
    PledgeUpdateEvent,
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


def pledge_open_data_list(*, filters: PledgeFilters = NO_FILTERS) -> QuerySet[Pledge]:
    """Published pledges (those the wall's filters choose, when given), newest first, with
    public columns only: for the JSON and CSV."""
    return pledge_wall_list(filters=filters)


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


# --- A pledge's moderation history, from the audit trail ----------------------------------

# The moderation steps a pledge's trail names (its context's "action"); the update steps are
# recorded on the update's trail.
PLEDGE_STEPS = frozenset(ModerationAction.values) - {
    ModerationAction.UPDATE_PUBLISHED,
    ModerationAction.UPDATE_REJECTED,
}
UPDATE_STEPS = (ModerationAction.UPDATE_PUBLISHED, ModerationAction.UPDATE_REJECTED)


@dataclass(frozen=True)
class ModerationStep:
    """One step of a pledge's moderation: what (a `ModerationAction`, or "changed" for a status
    change no service made), who (empty when the pledger or the system acted), when, the status
    before and after (the update's, for an update step), the rejection reason's title and the
    note the officer or the rule gave."""

    pledge_id: int
    action: str
    action_label: str
    by: Any
    at: datetime.datetime
    status_before: str
    status_after: str
    reason: str
    note: str


def _step(pledge_id, event, context, users, before: str, after: str) -> ModerationStep:
    action = context.get("action") or "changed"
    label = ModerationAction(action).label if action in ModerationAction.values else "Changed"
    return ModerationStep(
        pledge_id=pledge_id,
        action=action,
        action_label=label,
        by=users.get(context.get("user")),
        at=event.pgh_created_at,
        status_before=before,
        status_after=after,
        reason=context.get("rejection_reason", ""),
        note=context.get("note", ""),
    )


def pledges_moderation_history(pledge_ids: Iterable[int]) -> dict[int, list[ModerationStep]]:
    """The moderation history of many pledges, each oldest first, read from the audit trail in
    three queries: every write a moderation service made (one step for the statements of one
    step), and any other write that changed the status (admin, bulk or raw SQL)."""
    ids = sorted(set(pledge_ids))
    pledge_events = list(
        PledgeEvent.objects.filter(pgh_obj_id__in=ids)
        .select_related("pgh_context")
        .only("pgh_obj_id", "pgh_created_at", "pgh_label", "status", "pgh_context__metadata")
        .order_by("pgh_obj_id", "pgh_id")
    )
    update_events = list(
        PledgeUpdateEvent.objects.filter(pledge_id__in=ids)
        .select_related("pgh_context")
        .only("pledge_id", "pgh_obj_id", "pgh_created_at", "status", "pgh_context__metadata")
        .order_by("pgh_obj_id", "pgh_id")
    )

    def context_of(event) -> dict:
        return event.pgh_context.metadata if event.pgh_context_id else {}

    user_ids = {context_of(e).get("user") for e in [*pledge_events, *update_events]} - {None}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    history: dict[int, list[tuple[int, ModerationStep]]] = {pk: [] for pk in ids}
    status: dict[int, str] = {}
    last_context: dict[int, Any] = {}
    for event in pledge_events:
        pk, context = event.pgh_obj_id, context_of(event)
        before, after = status.get(pk, ""), event.status
        status[pk] = after
        action = context.get("action")
        if action in PLEDGE_STEPS:
            if last_context.get(pk) == event.pgh_context_id:
                continue  # a later statement of the same step (erasure runs two)
            last_context[pk] = event.pgh_context_id
        elif event.pgh_label == "insert" or before == after:
            continue
        history[pk].append((event.pgh_id, _step(pk, event, context, users, before, after)))
    update_status: dict[int, str] = {}
    for event in update_events:
        pk, context = event.pledge_id, context_of(event)
        before = update_status.get(event.pgh_obj_id, "")
        update_status[event.pgh_obj_id] = event.status
        if context.get("action") not in UPDATE_STEPS:
            continue
        step = _step(pk, event, context, users, before, event.status)
        history.setdefault(pk, []).append((event.pgh_id, step))
    return {
        pk: [step for _, step in sorted(steps, key=lambda s: (s[1].at, s[0]))]
        for pk, steps in history.items()
    }


def pledge_moderation_history(pledge: Pledge) -> list[ModerationStep]:
    """The pledge's moderation history, oldest first, from the audit trail: who, when, what,
    the status before → after, the rejection reason and note."""
    return pledges_moderation_history([pledge.pk])[pledge.pk]


# --- The staff home: what waits for moderation ------------------------------------------------


@dataclass(frozen=True)
class HeldPledge:
    pk: int
    reference: str
    hold_reason: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class PendingUpdate:
    pk: int
    pledge_reference: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class ModerationWaiting:
    """Pledges and progress updates waiting for an officer, with the oldest few of each."""

    confirmed: int  # confirmed by email, waiting for moderation
    held: int  # held for review by an abuse rule: each says why
    updates: int
    held_oldest: list[HeldPledge]
    updates_oldest: list[PendingUpdate]

    @property
    def pledges(self) -> int:
        return self.confirmed + self.held


def moderation_waiting(*, shown: int = 5) -> ModerationWaiting:
    """Counts in the database and the `shown` oldest held pledges and pending updates: three
    queries, whatever the number waiting. No contact details are read."""
    counts = Pledge.objects.filter(
        status__in=[PledgeStatus.CONFIRMED, PledgeStatus.HELD]
    ).aggregate(
        confirmed=Count("pk", filter=Q(status=PledgeStatus.CONFIRMED)),
        held=Count("pk", filter=Q(status=PledgeStatus.HELD)),
    )
    held = [
        HeldPledge(**row)
        for row in Pledge.objects.filter(status=PledgeStatus.HELD)
        .order_by("created_at", "pk")
        .values("pk", "reference", "hold_reason", "created_at")[:shown]
    ]
    pending = PledgeUpdate.objects.filter(status=UpdateStatus.PENDING)
    updates = pending.aggregate(count=Count("pk"))["count"]
    updates_oldest = [
        PendingUpdate(
            pk=row["pk"], pledge_reference=row["pledge__reference"], created_at=row["created_at"]
        )
        for row in pending.order_by("created_at", "pk").values(
            "pk", "pledge__reference", "created_at"
        )[:shown]
    ]
    return ModerationWaiting(
        confirmed=counts["confirmed"],
        held=counts["held"],
        updates=updates,
        held_oldest=held,
        updates_oldest=updates_oldest,
    )
