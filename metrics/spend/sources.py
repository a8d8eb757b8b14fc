"""The spend shares: the single definition of "share of spend" for the metrics, the
`/spend/` analysis and the impact report:

- only payments of published import batches count: a batch in review is not public yet, and
  a discarded or withdrawn one holds no payments (a join on the small batch table: decision 0031);
- the period is the payment date, both ends included;
- amounts as imported, net of credit notes (negative lines reduce the sums);
- payments to redacted recipients ("Redacted Personal Data" and the like) are left out of both
  the numerator and the denominator: their locality and size cannot be known, and they are mostly
  payments to individuals rather than suppliers;
- a supplier whose locality (or SME / VCSE flag) is not known counts as not local (not an SME, not
  a VCSE): unknowns never inflate a share;
- the county share counts the borough too ("within the county", as Preston's 39% → 79.2%);
- a share is a percentage with four decimal places; None when the denominator is not positive;
- the influenceable shares leave out, from both sides, the payments an exclusion rule matches
  (metrics.spend.exclusions: other public bodies, precepts, levies, taxes...; decision 0034);
- a share is a finding only when the spend whose locality is known is at least half its
  denominator (`UNKNOWN_LIMIT`): /spend/ says the share cannot be judged yet otherwise.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf

from metrics.sources import Compute, metric_source_register
from metrics.spend.exclusions import SpendExclusions, spend_exclusions
from metrics.spend.models import ImportBatch, Locality, LocalitySource, SpendTransaction
from neighbourhoods.models import Neighbourhood

SHARE_PLACES = Decimal("0.0001")
# Above this share (%) of spend with an unknown locality, a locality share is not a finding.
UNKNOWN_LIMIT = Decimal(50)
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=20, decimal_places=2)


def spend_published() -> QuerySet:
    """Every public payment: those of published import batches. Every public figure (/spend/,
    its downloads, the metric sources, the impact report, the dashboards) starts here."""
    return SpendTransaction.objects.filter(batch__status=ImportBatch.Status.PUBLISHED)


def payment_locality(prefix: str = "") -> Case:
    """Where a payment went: an officer's decision on its supplier first; else the locality of
    the postcode its own line gives; else its supplier's. `prefix` reaches the payment through
    a relation ("transactions__" from a supplier)."""
    return Case(
        When(
            **{f"{prefix}supplier__locality_source": LocalitySource.OFFICER},
            then=F(f"{prefix}supplier__locality"),
        ),
        default=Coalesce(
            NullIf(F(f"{prefix}locality"), Value("")), F(f"{prefix}supplier__locality")
        ),
    )


def spend_in_scope(*, period_start: datetime.date, period_end: datetime.date) -> QuerySet:
    """The spend every share counts: published, paid within the period, to a named (not
    redacted) supplier."""
    return spend_published().filter(
        payment_date__gte=period_start,
        payment_date__lte=period_end,
        supplier__is_redacted=False,
    )


@dataclass(frozen=True)
class SpendShares:
    """Sums of spend in scope for a period (£), and the shares (%) worked out from them."""

    total: Decimal
    borough: Decimal
    county: Decimal  # the borough included
    sme: Decimal
    vcse: Decimal
    transactions: int
    unknown: Decimal = ZERO  # locality not known
    # Left out of influenceable spend by an exclusion rule, and the parts of that by locality.
    excluded: Decimal = ZERO
    excluded_borough: Decimal = ZERO
    excluded_county: Decimal = ZERO  # the borough included
    excluded_unknown: Decimal = ZERO

    def _share(self, part: Decimal, whole: Decimal | None = None) -> Decimal | None:
        whole = self.total if whole is None else whole
        if whole <= 0:
            return None
        return (part * 100 / whole).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)

    @property
    def unknown_share(self) -> Decimal | None:
        return self._share(self.unknown)

    @property
    def judgeable(self) -> bool:
        """Whether the locality shares are findings: enough of the spend's locality known."""
        share = self.unknown_share
        return share is not None and share <= UNKNOWN_LIMIT

    @property
    def influenceable(self) -> Decimal:
        return self.total - self.excluded

    @property
    def excluded_share(self) -> Decimal | None:
        return self._share(self.excluded)

    @property
    def influenceable_borough_share(self) -> Decimal | None:
        return self._share(self.borough - self.excluded_borough, self.influenceable)

    @property
    def influenceable_county_share(self) -> Decimal | None:
        return self._share(self.county - self.excluded_county, self.influenceable)

    @property
    def influenceable_unknown_share(self) -> Decimal | None:
        return self._share(self.unknown - self.excluded_unknown, self.influenceable)

    @property
    def influenceable_judgeable(self) -> bool:
        share = self.influenceable_unknown_share
        return share is not None and share <= UNKNOWN_LIMIT

    @property
    def borough_share(self) -> Decimal | None:
        return self._share(self.borough)

    @property
    def county_share(self) -> Decimal | None:
        return self._share(self.county)

    @property
    def sme_share(self) -> Decimal | None:
        return self._share(self.sme)

    @property
    def vcse_share(self) -> Decimal | None:
        return self._share(self.vcse)


def _sum(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=_MONEY)


EXCLUDED = Q(excluded_by__isnull=False)  # over spend annotated by spend_annotated()


# A payment's place in the shares: the few values every share is summed over. Grouping by them
# evaluates where each payment went and the rule leaving it out once per payment, and the
# shares are added up from the groups (a few hundred rows at most).
GROUP_KEYS = ("went_to", "excluded_by", "is_sme", "is_vcse", "is_redacted")


def spend_groups(spend: QuerySet, exclusions: SpendExclusions) -> list[dict]:
    """Spend (£ and payments) by where it went, the rule leaving it out, the supplier's SME,
    VCSE and redacted flags: one query."""
    return list(
        spend_annotated(spend, exclusions)
        .values(
            "went_to",
            "excluded_by",
            is_sme=F("supplier__is_sme"),
            is_vcse=F("supplier__is_vcse"),
            is_redacted=F("supplier__is_redacted"),
        )
        .annotate(total=_sum(), count=Count("pk"))
        .order_by()
    )


def groups_sum(groups: list[dict], *, key: str = "total", **where: Any) -> Any:
    """The sum of `key` over the groups whose values match `where` (a value, or a tuple of
    values any of which matches; `excluded=True` for groups a rule left out)."""
    excluded = where.pop("excluded", None)
    total: Any = ZERO if key == "total" else 0
    for group in groups:
        if excluded is not None and (group["excluded_by"] is not None) != excluded:
            continue
        if all(
            group[name] in value if isinstance(value, tuple) else group[name] == value
            for name, value in where.items()
        ):
            total += group[key]
    return total


def shares_from_groups(groups: list[dict]) -> SpendShares:
    """SpendShares of named suppliers' spend, added up from spend_groups()."""
    named = [group for group in groups if not group["is_redacted"]]
    in_county = (Locality.BOROUGH, Locality.COUNTY)
    return SpendShares(
        total=groups_sum(named),
        borough=groups_sum(named, went_to=Locality.BOROUGH),
        county=groups_sum(named, went_to=in_county),
        sme=groups_sum(named, is_sme=True),
        vcse=groups_sum(named, is_vcse=True),
        transactions=groups_sum(named, key="count"),
        unknown=groups_sum(named, went_to=Locality.UNKNOWN),
        excluded=groups_sum(named, excluded=True),
        excluded_borough=groups_sum(named, excluded=True, went_to=Locality.BOROUGH),
        excluded_county=groups_sum(named, excluded=True, went_to=in_county),
        excluded_unknown=groups_sum(named, excluded=True, went_to=Locality.UNKNOWN),
    )


def spend_annotated(spend: QuerySet, exclusions: SpendExclusions) -> QuerySet:
    """Payments with where each went (`went_to`) and the rule leaving it out (`excluded_by`)."""
    return spend.annotate(went_to=payment_locality(), excluded_by=exclusions.excluded_by())


def spend_shares(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    exclusions: SpendExclusions | None = None,
) -> SpendShares:
    """Every spend share of a period: the exclusion rules read (unless given), then one
    grouped query over spend joined to suppliers."""
    exclusions = spend_exclusions() if exclusions is None else exclusions
    spend = spend_in_scope(period_start=period_start, period_end=period_end)
    return shares_from_groups(spend_groups(spend, exclusions))


def _borough_wide_share(attribute: str, description: str) -> Compute:
    """A source reading one share of SpendShares; spend is the council's, so borough-wide only
    (a neighbourhood gets None)."""

    def compute(
        period_start: datetime.date,
        period_end: datetime.date,
        neighbourhood: Neighbourhood | None = None,
    ) -> Decimal | None:
        if neighbourhood is not None:
            return None
        return getattr(spend_shares(period_start=period_start, period_end=period_end), attribute)

    compute.__doc__ = f"% of spend in scope {description}. Borough-wide only."
    return compute


spend_share_borough = _borough_wide_share("borough_share", "with suppliers in the borough")
spend_share_county = _borough_wide_share(
    "county_share", "with suppliers in the county, the borough included"
)
spend_share_sme = _borough_wide_share("sme_share", "with suppliers flagged as SMEs")
spend_share_vcse = _borough_wide_share("vcse_share", "with suppliers flagged as VCSE organisations")
spend_share_borough_influenceable = _borough_wide_share(
    "influenceable_borough_share",
    "with suppliers in the borough, of influenceable spend (exclusion rules applied)",
)
spend_share_county_influenceable = _borough_wide_share(
    "influenceable_county_share",
    "with suppliers in the county, the borough included, of influenceable spend",
)

SHARE_SOURCES = [
    ("metrics.spend_borough_share", "suppliers in the borough", spend_share_borough),
    ("metrics.spend_county_share", "suppliers in the county", spend_share_county),
    ("metrics.spend_sme_share", "SMEs", spend_share_sme),
    ("metrics.spend_vcse_share", "VCSE organisations", spend_share_vcse),
    (
        "metrics.spend_borough_share_influenceable",
        "suppliers in the borough, of influenceable spend",
        spend_share_borough_influenceable,
    ),
    (
        "metrics.spend_county_share_influenceable",
        "suppliers in the county, of influenceable spend",
        spend_share_county_influenceable,
    ),
]


def metric_sources_register() -> None:
    """Register the spend shares as computed-metric sources (from MetricsConfig.ready())."""
    for key, label, compute in SHARE_SOURCES:
        metric_source_register(key, label=f"Spend data: share with {label}", compute=compute)
