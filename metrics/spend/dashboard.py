"""Reads for the neighbourhood dashboards: the council's spend with suppliers based in a
neighbourhood (placed there by the postcode lookup), against the town average. Three queries.
A payment counts in a neighbourhood only when it went to the borough (sources.payment_locality):
a neighbourhood's supplier paid at an address outside the borough is not spend there."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from core.periods import FinancialYear
from metrics.spend.models import Locality
from metrics.spend.selectors import percentage, spend_date_range
from metrics.spend.sources import payment_locality, spend_published
from neighbourhoods.models import Neighbourhood

TOP_SUPPLIERS = 5


@dataclass(frozen=True)
class SupplierSpend:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class NeighbourhoodSpend:
    period_title: str = ""
    total: Decimal = Decimal(0)
    transactions: int = 0
    suppliers: int = 0
    share_of_all: Decimal | None = None
    town_average_share: Decimal | None = None
    top_suppliers: list[SupplierSpend] = field(default_factory=list)


def spend_with_neighbourhood_suppliers(*, neighbourhood: Neighbourhood) -> NeighbourhoodSpend:
    """The latest financial year with spend: spend with this neighbourhood's suppliers."""
    held = spend_date_range()
    if held is None:
        return NeighbourhoodSpend()
    financial_year = FinancialYear.of(held[1])
    start, end = financial_year.dates
    in_year = (
        spend_published()
        .filter(payment_date__range=(start, end), supplier__is_redacted=False)
        .annotate(went_to=payment_locality())
    )
    in_borough = Q(went_to=Locality.BOROUGH)
    here = in_borough & Q(supplier__neighbourhood=neighbourhood)
    totals = in_year.aggregate(
        all=Sum("amount", default=Decimal(0)),
        in_neighbourhoods=Sum(
            "amount",
            filter=in_borough & Q(supplier__neighbourhood__council=neighbourhood.council),
            default=Decimal(0),
        ),
        here=Sum("amount", filter=here, default=Decimal(0)),
        transactions=Count("pk", filter=here),
        suppliers=Count("supplier", filter=here, distinct=True),
    )
    neighbourhoods = neighbourhood.council.neighbourhoods.count()
    top = (
        in_year.filter(here)
        .values_list("supplier__name")
        .annotate(amount=Sum("amount"))
        .order_by("-amount", "supplier__name")[:TOP_SUPPLIERS]
    )
    return NeighbourhoodSpend(
        period_title=financial_year.label,
        total=totals["here"],
        transactions=totals["transactions"],
        suppliers=totals["suppliers"],
        share_of_all=percentage(totals["here"], totals["all"]),
        town_average_share=percentage(
            totals["in_neighbourhoods"] / max(neighbourhoods, 1), totals["all"]
        ),
        top_suppliers=[SupplierSpend(name, amount) for name, amount in top],
    )
