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
- a share is a percentage with four decimal places; None when the denominator is not positive.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf

from metrics.sources import Compute, metric_source_register
from metrics.spend.models import ImportBatch, Locality, LocalitySource, SpendTransaction
from neighbourhoods.models import Neighbourhood

SHARE_PLACES = Decimal("0.0001")
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

    def _share(self, part: Decimal) -> Decimal | None:
        if self.total <= 0:
            return None
        return (part * 100 / self.total).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)

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


def spend_shares(*, period_start: datetime.date, period_end: datetime.date) -> SpendShares:
    """Every spend share of a period in one aggregate query over spend joined to suppliers."""
    spend = spend_in_scope(period_start=period_start, period_end=period_end)
    totals = spend.annotate(went_to=payment_locality()).aggregate(
        total=_sum(),
        borough=_sum(Q(went_to=Locality.BOROUGH)),
        county=_sum(Q(went_to__in=[Locality.BOROUGH, Locality.COUNTY])),
        sme=_sum(Q(supplier__is_sme=True)),
        vcse=_sum(Q(supplier__is_vcse=True)),
        transactions=Count("pk"),
    )
    return SpendShares(**totals)


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

SHARE_SOURCES = [
    ("metrics.spend_borough_share", "suppliers in the borough", spend_share_borough),
    ("metrics.spend_county_share", "suppliers in the county", spend_share_county),
    ("metrics.spend_sme_share", "SMEs", spend_share_sme),
    ("metrics.spend_vcse_share", "VCSE organisations", spend_share_vcse),
]


def metric_sources_register() -> None:
    """Register the spend shares as computed-metric sources (from MetricsConfig.ready())."""
    for key, label, compute in SHARE_SOURCES:
        metric_source_register(key, label=f"Spend data: share with {label}", compute=compute)
