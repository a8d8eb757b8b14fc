"""LM3 (New Economics Foundation): the worked example gives 1.71, in Decimal throughout."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.lm3 import lm3_compute, lm3_for_study, lm3_round2_suppliers_from_spend
from metrics.spend.models import Locality
from tests.metrics.factories import (
    LM3StudyFactory,
    SpendTransactionFactory,
    SupplierFactory,
    validator_user,
)

EXAMPLE = {
    "round1_income": Decimal("1000000"),
    "round2_local_suppliers": Decimal("300000"),
    "round2_local_staff": Decimal("200000"),
    "supplier_respend_rate": Decimal("0.40"),
    "staff_respend_rate": Decimal("0.45"),
}


def test_the_worked_example_gives_1_71():
    lm3 = lm3_compute(**EXAMPLE)
    assert lm3.round2 == Decimal("500000")
    assert lm3.round3_suppliers == Decimal("120000.00")
    assert lm3.round3_staff == Decimal("90000.00")
    assert lm3.round3 == Decimal("210000.00")
    assert lm3.total == Decimal("1710000.00")
    assert lm3.lm3 == Decimal("1.71")
    assert str(lm3.lm3) == "1.71"
    assert (lm3.supplier_respend_percent, lm3.staff_respend_percent) == ("40", "45")


@pytest.mark.django_db
def test_a_saved_study_gives_the_same():
    study = LM3StudyFactory()
    study.refresh_from_db()
    assert lm3_for_study(study).lm3 == Decimal("1.71")


@pytest.mark.parametrize(
    "changes",
    [
        {"round1_income": Decimal("0")},
        {"round1_income": Decimal("-1")},
        {"round1_income": Decimal("NaN")},
        {"round2_local_staff": Decimal("-1")},
        {"round2_local_suppliers": Decimal("900000")},
        {"supplier_respend_rate": Decimal("1.01")},
        {"staff_respend_rate": Decimal("-0.01")},
        {"staff_respend_rate": Decimal("Infinity")},
    ],
)
def test_figures_that_cannot_make_a_multiplier_are_refused(changes):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        lm3_compute(**{**EXAMPLE, **changes})


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
rate = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(income=money, suppliers=money, staff=money, supplier_rate=rate, staff_rate=rate)
def test_lm3_is_always_between_1_and_3(income, suppliers, staff, supplier_rate, staff_rate):
    if income <= 0 or suppliers + staff > income:
        return
    lm3 = lm3_compute(
        round1_income=income,
        round2_local_suppliers=suppliers,
        round2_local_staff=staff,
        supplier_respend_rate=supplier_rate,
        staff_respend_rate=staff_rate,
    )
    assert Decimal(1) <= lm3.multiplier <= Decimal(3)
    assert lm3.total == income + suppliers + staff + lm3.round3


@pytest.mark.django_db
def test_round_2_from_spend_counts_borough_suppliers_in_the_period():
    borough = SupplierFactory(locality=Locality.BOROUGH)
    redacted = SupplierFactory(locality=Locality.BOROUGH, is_redacted=True)
    for supplier, day, amount in [
        (borough, "2023-04-01", "1000.00"),
        (borough, "2024-03-31", "-100.00"),  # credit note
        (borough, "2024-04-01", "5000.00"),  # next year
        (redacted, "2023-06-01", "7000.00"),
        (SupplierFactory(locality=Locality.COUNTY), "2023-06-01", "3000.00"),
    ]:
        SpendTransactionFactory(
            supplier=supplier,
            payment_date=datetime.date.fromisoformat(day),
            amount=Decimal(amount),
        )
    drawn = lm3_round2_suppliers_from_spend(
        period_start=datetime.date(2023, 4, 1), period_end=datetime.date(2024, 3, 31)
    )
    assert drawn == Decimal("900.00")
    assert lm3_round2_suppliers_from_spend(
        period_start=datetime.date(2010, 4, 1), period_end=datetime.date(2011, 3, 31)
    ) == Decimal("0.00")


@pytest.mark.django_db
def test_the_cwb_group_reads_an_lm3_study_in_admin(client, sign_in, staff_roles):
    study = LM3StudyFactory(name="Council spending: the worked example")
    sign_in(client, validator_user())
    response = client.get(f"/admin/metrics/lm3study/{study.pk}/change/")
    assert response.status_code == 200
    assert "Council spending: the worked example" in response.content.decode()
