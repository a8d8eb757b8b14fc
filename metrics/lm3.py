"""LM3, the New Economics Foundation's Local Multiplier 3 ("The Money Trail", 2002).

    R1 = the income being followed;
    R2 = how R1 is spent locally: with local suppliers, and as wages to local staff;
    R3 = how those suppliers and staff re-spend it locally (rates from surveys);
    LM3 = (R1 + R2 + R3) / R1, between 1 and 3.

Example: R1 £1,000,000; R2 £300,000 suppliers + £200,000 staff; they re-spend 40% and 45% locally,
so R3 = £120,000 + £90,000 = £210,000 and LM3 = £1,710,000 / £1,000,000 = 1.71: every £1 of income
is worth £1.71 to the local economy.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from metrics.models import LM3Study
from metrics.spend.models import Locality
from metrics.spend.sources import payment_locality, spend_in_scope

PENNY = Decimal("0.01")
LM3_PLACES = Decimal("0.01")


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


@dataclass(frozen=True)
class LM3Breakdown:
    round1: Decimal
    round2_suppliers: Decimal
    round2_staff: Decimal
    supplier_respend_rate: Decimal
    staff_respend_rate: Decimal
    round3_suppliers: Decimal
    round3_staff: Decimal

    @property
    def round2(self) -> Decimal:
        return self.round2_suppliers + self.round2_staff

    @property
    def round3(self) -> Decimal:
        return self.round3_suppliers + self.round3_staff

    @property
    def total(self) -> Decimal:
        return self.round1 + self.round2 + self.round3

    @property
    def multiplier(self) -> Decimal:
        """(R1 + R2 + R3) / R1, unrounded."""
        return self.total / self.round1

    @property
    def lm3(self) -> Decimal:
        """LM3 to two decimal places, as it is reported."""
        return self.multiplier.quantize(LM3_PLACES, rounding=ROUND_HALF_UP)

    @property
    def supplier_respend_percent(self) -> str:
        """0.4 -> "40", 0.125 -> "12.5"."""
        return _percent(self.supplier_respend_rate)

    @property
    def staff_respend_percent(self) -> str:
        return _percent(self.staff_respend_rate)


def lm3_compute(
    *,
    round1_income: Decimal,
    round2_local_suppliers: Decimal,
    round2_local_staff: Decimal,
    supplier_respend_rate: Decimal,
    staff_respend_rate: Decimal,
) -> LM3Breakdown:
    """LM3 and its breakdown, in Decimal throughout. Rates are fractions between 0 and 1.

    Raises ValueError for figures that cannot make a multiplier: income not positive, negative
    round 2 spend, round 2 beyond the income, or a rate outside 0 to 1.
    """
    r1 = Decimal(round1_income)
    suppliers, staff = Decimal(round2_local_suppliers), Decimal(round2_local_staff)
    supplier_rate, staff_rate = Decimal(supplier_respend_rate), Decimal(staff_respend_rate)
    if not all(x.is_finite() for x in (r1, suppliers, staff, supplier_rate, staff_rate)):
        raise ValueError("Every figure must be a number")
    if r1 <= 0:
        raise ValueError("Round 1 income must be more than £0")
    if suppliers < 0 or staff < 0:
        raise ValueError("Round 2 spend cannot be negative")
    if suppliers + staff > r1:
        raise ValueError("Round 2 spend cannot be more than the round 1 income")
    for rate in (supplier_rate, staff_rate):
        if not 0 <= rate <= 1:
            raise ValueError("Re-spend rates must be between 0 and 1")
    return LM3Breakdown(
        round1=r1,
        round2_suppliers=suppliers,
        round2_staff=staff,
        supplier_respend_rate=supplier_rate,
        staff_respend_rate=staff_rate,
        round3_suppliers=(suppliers * supplier_rate).quantize(PENNY, rounding=ROUND_HALF_UP),
        round3_staff=(staff * staff_rate).quantize(PENNY, rounding=ROUND_HALF_UP),
    )


def lm3_for_study(study: LM3Study) -> LM3Breakdown:
    return lm3_compute(
        round1_income=study.round1_income,
        round2_local_suppliers=study.round2_local_suppliers,
        round2_local_staff=study.round2_local_staff,
        supplier_respend_rate=study.supplier_respend_rate,
        staff_respend_rate=study.staff_respend_rate,
    )


def lm3_round2_suppliers_from_spend(
    *, period_start: datetime.date, period_end: datetime.date
) -> Decimal:
    """Round 2 supplier spend drawn from the imported spend: payments in the period to
    suppliers in the borough, net of credit notes (never below £0). The same scope as the spend
    shares (metrics.spend.sources.spend_in_scope), each payment where it went
    (payment_locality)."""
    total = (
        spend_in_scope(period_start=period_start, period_end=period_end)
        .annotate(went_to=payment_locality())
        .filter(went_to=Locality.BOROUGH)
        .aggregate(
            total=Coalesce(
                Sum("amount"),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=20, decimal_places=2),
            )
        )["total"]
    )
    return max(Decimal(total), Decimal("0.00"))
