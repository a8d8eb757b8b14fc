"""Reading spend: the local-spend analysis behind /spend/ (the CLES/Preston method).

Every figure is an aggregate worked out in the database, one query per table, whatever the
number of transactions. The rules are those of `metrics.spend.sources` (the single definition shared
with the metrics and the impact report), so the figures agree:

- a period counts payments by payment date, both ends included; credit notes reduce the sums;
- payments to redacted recipients are outside the shares, in both numerator and denominator, and
  are reported on their own ("redacted");
- the four localities (borough, rest of the county, elsewhere, unknown) split the rest: they add
  up to 100%. "In the county" in the headline counts the borough too, as Preston's figures do;
- the SME and VCSE shares are of all spend in scope, a supplier whose flag is not known counting
  as not an SME (the metric's rule); beside them, the share among suppliers whose flag is known
  and how much of the spend that covers;
- a payment is where it went (metrics.spend.sources.payment_locality): an officer's decision on
  its supplier, else its own line's postcode, else its supplier's;
- influenceable spend leaves out the payments the exclusion rules match (metrics.spend.
  exclusions), shown by rule with each rule's reason.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter

from core.periods import FinancialYear
from metrics.spend.exclusions import SpendExclusions, spend_exclusions
from metrics.spend.models import ImportBatch, Locality, SpendTransaction
from metrics.spend.periods import SpendPeriod, quarter_of
from metrics.spend.sources import (
    EXCLUDED,
    SpendShares,
    groups_sum,
    payment_locality,
    shares_from_groups,
    spend_annotated,
    spend_groups,
    spend_in_scope,
    spend_published,
)

LOCALITIES = (Locality.BOROUGH, Locality.COUNTY, Locality.ELSEWHERE, Locality.UNKNOWN)
LOCALITY_LABELS = {
    Locality.BOROUGH: "In the borough",
    Locality.COUNTY: "Elsewhere in the county",
    Locality.ELSEWHERE: "Outside the county",
    Locality.UNKNOWN: "Not known",
}
NON_LOCAL = (Locality.COUNTY, Locality.ELSEWHERE)
LEAKAGE_LIMIT = 20
TOP_SUPPLIERS_LIMIT = 300  # Preston's first step: the anchor's top 300 suppliers
DEPARTMENT_LIMIT = 40
TREND_QUARTERS = 12
ZERO = Decimal("0.00")
_MONEY: DecimalField = DecimalField(max_digits=20, decimal_places=2)
_PLACES = Decimal("0.0001")


def _sum(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=_MONEY)


def _count(condition: Q | None = None) -> Count:
    return Count("pk", filter=condition)


def percentage(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part as a percentage of whole, four decimal places (as metrics.spend.sources); None when the
    whole is not positive."""
    if whole is None or whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PLACES, rounding=ROUND_HALF_UP)


def _locality(locality: str) -> Q:
    """Payments that went to `locality`, over spend annotated with `went_to`."""
    return Q(went_to=locality)


def _by_locality_aggregates() -> dict:
    aggregates = {"total": _sum(), "count": _count()}
    for locality in LOCALITIES:
        aggregates[f"{locality}_total"] = _sum(_locality(locality))
        aggregates[f"{locality}_count"] = _count(_locality(locality))
    return aggregates


@dataclass(frozen=True)
class LocalityRow:
    locality: str
    label: str
    total: Decimal
    count: int
    value_share: Decimal | None
    count_share: Decimal | None


@dataclass(frozen=True)
class FlagShare:
    """SME or VCSE: the share of all spend in scope (the metric) and among known flags."""

    label: str
    flagged: Decimal
    known: Decimal
    share: Decimal | None  # of all spend in scope; not known counts as "no"
    share_of_known: Decimal | None
    coverage: Decimal | None  # how much of the spend has a known flag


@dataclass(frozen=True)
class ExcludedRow:
    """What one exclusion rule left out of influenceable spend in the period."""

    pk: int
    name: str
    reason: str
    total: Decimal
    count: int
    share: Decimal | None  # of all spend in scope


@dataclass(frozen=True)
class SpendSummary:
    total: Decimal
    count: int
    localities: list[LocalityRow]
    shares: SpendShares  # metrics.spend.sources' figures, from the same sums
    redacted_total: Decimal
    redacted_count: int
    sme: FlagShare
    vcse: FlagShare
    suppliers: int
    excluded: list[ExcludedRow] = field(default_factory=list)  # by rule, every active rule

    @property
    def all_total(self) -> Decimal:
        return self.total + self.redacted_total

    @property
    def redacted_share(self) -> Decimal | None:
        """Redacted payments as a share of all spend, them included."""
        return percentage(self.redacted_total, self.all_total)

    @property
    def is_empty(self) -> bool:
        return not self.count and not self.redacted_count


def spend_date_range() -> tuple[datetime.date, datetime.date] | None:
    """The first and last payment dates held, or None when no spend is imported."""
    bounds = spend_published().aggregate(first=Min("payment_date"), last=Max("payment_date"))
    if bounds["first"] is None:
        return None
    return bounds["first"], bounds["last"]


def _excluded_by_rule(
    groups: list[dict], *, total: Decimal, exclusions: SpendExclusions
) -> list[ExcludedRow]:
    """What each active rule left out of named suppliers' spend (a payment under the first rule
    it matches), in the rules' order, rules that left nothing out included."""
    named = [group for group in groups if not group["is_redacted"]]
    rows = []
    for rule in exclusions.rules:
        left_out = groups_sum(named, excluded_by=rule.pk)
        rows.append(
            ExcludedRow(
                pk=rule.pk,
                name=rule.name,
                reason=rule.reason,
                total=left_out,
                count=groups_sum(named, key="count", excluded_by=rule.pk),
                share=percentage(left_out, total),
            )
        )
    return rows


def spend_summary(
    *, start: datetime.date, end: datetime.date, exclusions: SpendExclusions | None = None
) -> SpendSummary:
    """Spend by where payments went (value and count), redacted payments, SME and VCSE shares,
    influenceable spend and what each exclusion rule left out: the rules read (unless given),
    one grouped query (where each payment went and the rule leaving it out worked out once per
    payment) and one counting the suppliers."""
    exclusions = spend_exclusions() if exclusions is None else exclusions
    spend = spend_published().filter(payment_date__gte=start, payment_date__lte=end)
    groups = spend_groups(spend, exclusions)
    suppliers = spend.filter(supplier__is_redacted=False).aggregate(
        suppliers=Count("supplier", distinct=True)
    )["suppliers"]
    named = [group for group in groups if not group["is_redacted"]]
    redacted = [group for group in groups if group["is_redacted"]]
    shares = shares_from_groups(groups)
    total, count = shares.total, shares.transactions
    rows = []
    for locality in LOCALITIES:
        locality_total = groups_sum(named, went_to=locality)
        locality_count = groups_sum(named, key="count", went_to=locality)
        rows.append(
            LocalityRow(
                locality=locality,
                label=LOCALITY_LABELS[locality],
                total=locality_total,
                count=locality_count,
                value_share=percentage(locality_total, total),
                count_share=percentage(locality_count, count),
            )
        )

    def flag(label: str, known: Decimal, flagged: Decimal, share: Decimal | None) -> FlagShare:
        return FlagShare(
            label=label,
            flagged=flagged,
            known=known,
            share=share,
            share_of_known=percentage(flagged, known),
            coverage=percentage(known, total),
        )

    return SpendSummary(
        total=total,
        count=count,
        localities=rows,
        shares=shares,
        redacted_total=groups_sum(redacted),
        redacted_count=groups_sum(redacted, key="count"),
        sme=flag(
            "Small and medium-sized enterprises (SMEs)",
            groups_sum(named, is_sme=(True, False)),
            shares.sme,
            shares.sme_share,
        ),
        vcse=flag(
            "Voluntary, community and social enterprises (VCSEs)",
            groups_sum(named, is_vcse=(True, False)),
            shares.vcse,
            shares.vcse_share,
        ),
        suppliers=suppliers,
        excluded=_excluded_by_rule(groups, total=total, exclusions=exclusions),
    )


@dataclass(frozen=True)
class BreakdownRow:
    """One quarter's or one department's spend in scope, split by supplier locality."""

    label: str
    total: Decimal
    count: int
    totals: dict[str, Decimal] = field(default_factory=dict)
    key: str = ""

    def share(self, locality: str) -> Decimal | None:
        return percentage(self.totals.get(locality, ZERO), self.total)

    @property
    def borough_share(self) -> Decimal | None:
        return self.share(Locality.BOROUGH)

    @property
    def county_share(self) -> Decimal | None:
        """In the county, the borough included (as the headline)."""
        county = self.totals.get(Locality.BOROUGH, ZERO) + self.totals.get(Locality.COUNTY, ZERO)
        return percentage(county, self.total)

    @property
    def elsewhere_share(self) -> Decimal | None:
        return self.share(Locality.ELSEWHERE)

    @property
    def unknown_share(self) -> Decimal | None:
        return self.share(Locality.UNKNOWN)


def _breakdown_row(values: dict, *, label: str, key: str = "") -> BreakdownRow:
    return BreakdownRow(
        label=label,
        key=key,
        total=values["total"],
        count=values["count"],
        totals={locality: values[f"{locality}_total"] for locality in LOCALITIES},
    )


def spend_trend_by_quarter(
    *, end: datetime.date, quarters: int = TREND_QUARTERS
) -> list[BreakdownRow]:
    """Spend in scope by financial quarter for the `quarters` quarters up to the one holding
    `end`, oldest first; quarters without spend are left out. One query."""
    last = quarter_of(end)
    first_day = last.start
    for _ in range(quarters - 1):
        first_day = quarter_of(first_day - datetime.timedelta(days=1)).start
    rows = (
        spend_in_scope(period_start=first_day, period_end=last.end)
        .annotate(quarter=TruncQuarter("payment_date"), went_to=payment_locality())
        .values("quarter")
        .annotate(**_by_locality_aggregates())
        .order_by("quarter")
    )
    trend = []
    for values in rows:
        period: SpendPeriod = quarter_of(values["quarter"])
        trend.append(_breakdown_row(values, label=period.short_label, key=period.slug))
    return trend


def spend_by_department(
    *, start: datetime.date, end: datetime.date, limit: int = DEPARTMENT_LIMIT
) -> tuple[list[BreakdownRow], BreakdownRow | None]:
    """Spend in scope by department (service area), largest first: the first `limit` rows, and
    the rest summed into one row (None when there is no rest). One query."""
    rows = list(
        spend_in_scope(period_start=start, period_end=end)
        .annotate(went_to=payment_locality())
        .values("department")
        .annotate(**_by_locality_aggregates())
        .order_by("-total", "department")
    )
    shown = [
        _breakdown_row(values, label=values["department"] or "Not given", key=values["department"])
        for values in rows[:limit]
    ]
    rest = None
    if len(rows) > limit:
        others = rows[limit:]
        summed = {
            key: sum((values[key] for values in others), ZERO if key != "count" else 0)
            for key in ("total", "count", *(f"{loc}_total" for loc in LOCALITIES))
        }
        rest = _breakdown_row(summed, label=f"The other {len(others)} departments")
    return shown, rest


@dataclass(frozen=True)
class LeakageRow:
    rank: int
    name: str
    locality: str
    locality_label: str
    total: Decimal
    count: int
    share: Decimal | None
    is_sme: bool | None
    is_vcse: bool | None


def spend_leakage(
    *, start: datetime.date, end: datetime.date, total: Decimal, limit: int = LEAKAGE_LIMIT
) -> list[LeakageRow]:
    """The `limit` suppliers outside the borough (in the rest of the county or beyond) paid the
    most in the period: where money leaks out, by where each payment went (a supplier paid at
    an address in the county and at one beyond it has a row for each). `total` is the spend in
    scope, for each supplier's share. One query."""
    rows = (
        spend_in_scope(period_start=start, period_end=end)
        .annotate(went_to=payment_locality())
        .filter(went_to__in=NON_LOCAL)
        .values("supplier_id", "went_to")
        .annotate(
            name=F("supplier__name"),
            locality=F("went_to"),
            is_sme=F("supplier__is_sme"),
            is_vcse=F("supplier__is_vcse"),
            total=_sum(),
            count=_count(),
        )
        .order_by("-total", "name")[:limit]
    )
    return [
        LeakageRow(
            rank=rank,
            name=values["name"],
            locality=values["locality"],
            locality_label=LOCALITY_LABELS[values["locality"]],
            total=values["total"],
            count=values["count"],
            share=percentage(values["total"], total),
            is_sme=values["is_sme"],
            is_vcse=values["is_vcse"],
        )
        for rank, values in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class TopSupplierRow:
    rank: int
    name: str
    locality: str  # where the supplier is based (the register's)
    locality_label: str
    total: Decimal
    count: int
    share: Decimal | None  # of all spend in scope
    borough: Decimal  # the part of its payments that went to the borough
    excluded: Decimal  # the part left out of influenceable spend by a rule
    is_sme: bool | None
    is_vcse: bool | None


def spend_top_suppliers(
    *,
    start: datetime.date,
    end: datetime.date,
    total: Decimal,
    limit: int = TOP_SUPPLIERS_LIMIT,
    exclusions: SpendExclusions | None = None,
) -> list[TopSupplierRow]:
    """The `limit` named suppliers paid the most in the period (Preston's first step: the top
    300 with where each is based), with their SME and VCSE flags, the part of their payments
    that went to the borough and the part no buying decision could make local. Redacted
    recipients are never listed. `total` is the spend in scope, for each share. One query (and
    the rules read unless given)."""
    exclusions = spend_exclusions() if exclusions is None else exclusions
    rows = (
        spend_annotated(spend_in_scope(period_start=start, period_end=end), exclusions)
        .values("supplier_id")
        .annotate(
            name=F("supplier__name"),
            locality=F("supplier__locality"),
            is_sme=F("supplier__is_sme"),
            is_vcse=F("supplier__is_vcse"),
            total=_sum(),
            count=_count(),
            borough=_sum(Q(went_to=Locality.BOROUGH)),
            excluded=_sum(EXCLUDED),
        )
        .order_by("-total", "name", "supplier_id")[:limit]
    )
    return [
        TopSupplierRow(
            rank=rank,
            name=values["name"],
            locality=values["locality"],
            locality_label=LOCALITY_LABELS[values["locality"]],
            total=values["total"],
            count=values["count"],
            share=percentage(values["total"], total),
            borough=values["borough"],
            excluded=values["excluded"],
            is_sme=values["is_sme"],
            is_vcse=values["is_vcse"],
        )
        for rank, values in enumerate(rows, start=1)
    ]


def spend_years(*, first: datetime.date, last: datetime.date) -> list[int]:
    """The financial years (start years) from the first payment to the last, newest first."""
    first_year = first.year if first.month >= 4 else first.year - 1
    last_year = last.year if last.month >= 4 else last.year - 1
    return list(range(last_year, first_year - 1, -1))


# --- Import batches: the officers' review ----------------------------------------------------


def import_batches_in_review():
    """Batches imported and waiting for an officer to publish or discard them, oldest first
    (for the staff home: `.count()`, or the first few)."""
    return ImportBatch.objects.filter(status=ImportBatch.Status.REVIEW).order_by("imported_at")


@dataclass(frozen=True)
class BatchPreview:
    """What publishing a batch changes: the shares of spend in scope over the financial years
    its payments fall in (as /spend/ shows them), from the published payments without the
    batch and with it."""

    start: datetime.date
    end: datetime.date
    payments: int
    value: Decimal
    before: SpendShares
    after: SpendShares

    @property
    def years_label(self) -> str:
        first, last = FinancialYear.of(self.start), FinancialYear.of(self.end)
        return first.label if first == last else f"{first.label} to {last.label}"


_SHARE_PARTS = ("total", "borough", "county", "sme", "vcse")


def import_batch_preview(batch: ImportBatch) -> BatchPreview | None:
    """The preview of a batch in review or published (None when it holds no payments): two
    aggregate queries, whatever the number of payments. The payments of redacted recipients
    are outside the shares, as on /spend/."""
    mine = Q(batch_id=batch.pk)
    held = SpendTransaction.objects.filter(mine).aggregate(
        first=Min("payment_date"), last=Max("payment_date"), payments=_count(), value=_sum()
    )
    if held["first"] is None:
        return None
    others = Q(batch__status=ImportBatch.Status.PUBLISHED) & ~mine
    named = Q(supplier__is_redacted=False)
    parts = {
        "total": Q(),
        "borough": Q(went_to=Locality.BOROUGH),
        "county": Q(went_to__in=[Locality.BOROUGH, Locality.COUNTY]),
        "sme": Q(supplier__is_sme=True),
        "vcse": Q(supplier__is_vcse=True),
    }
    aggregates: dict[str, Coalesce | Count] = {}
    for side, condition in (("before", others), ("batch", mine)):
        for name, part in parts.items():
            aggregates[f"{side}_{name}"] = _sum(condition & part)
        aggregates[f"{side}_transactions"] = _count(condition)
    start, end = FinancialYear.of(held["first"]).start, FinancialYear.of(held["last"]).end
    # Payments of other published batches and of this one, in the batch's financial years.
    sums = (
        SpendTransaction.objects.filter(
            named, others | mine, payment_date__gte=start, payment_date__lte=end
        )
        .annotate(went_to=payment_locality())
        .aggregate(**aggregates)
    )
    before = SpendShares(
        **{name: sums[f"before_{name}"] for name in (*_SHARE_PARTS, "transactions")}
    )
    after = SpendShares(
        **{
            name: sums[f"before_{name}"] + sums[f"batch_{name}"]
            for name in (*_SHARE_PARTS, "transactions")
        }
    )
    return BatchPreview(
        start=start,
        end=end,
        payments=held["payments"],
        value=held["value"],
        before=before,
        after=after,
    )
