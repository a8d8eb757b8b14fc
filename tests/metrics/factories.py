"""Factories for the CWB framework's tests (metrics, values, LM3 studies, and a little spend)."""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.periods import FinancialYear
from core.roles import CWB_GROUP, OFFICERS
from metrics.models import Frequency, LM3Study, Metric, MetricValue, Unit, ValueStatus
from metrics.spend.models import ImportBatch, Locality, SpendTransaction, Supplier
from metrics.spend.values import line_hash as spend_line_hash
from tests.factories import FoundationFactory

FY2023 = FinancialYear(2023).dates
FY2024 = FinancialYear(2024).dates


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    code = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    foundation = factory.SubFactory(FoundationFactory)
    unit = Unit.COUNT
    method = "Counted from the officers' records."
    owning_department = "Economic Development"
    frequency = Frequency.ANNUAL


def _factory_validator():
    """One validating user for every factory-made validated value (no password to hash)."""
    return get_user_model().objects.get_or_create(username="factory-validator")[0]


class MetricValueFactory(factory.django.DjangoModelFactory):
    """A validated borough-wide value for 2024/25 by default."""

    class Meta:
        model = MetricValue

    metric = factory.SubFactory(MetricFactory)
    period_start = FY2024[0]
    period_end = FY2024[1]
    neighbourhood = None
    value = Decimal("10")
    evidence = "Officers' records"
    status = ValueStatus.VALIDATED
    validated_by = factory.LazyAttribute(
        lambda o: _factory_validator() if o.status == ValueStatus.VALIDATED else None
    )
    validated_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == ValueStatus.VALIDATED else None
    )


class LM3StudyFactory(factory.django.DjangoModelFactory):
    """The New Economics Foundation's worked example: LM3 1.71."""

    class Meta:
        model = LM3Study

    name = factory.Sequence(lambda n: f"LM3 study {n}")
    organisation = "Stevenage Borough Council"
    period_start = FY2023[0]
    period_end = FY2023[1]
    round1_income = Decimal("1000000.00")
    round2_local_suppliers = Decimal("300000.00")
    round2_local_staff = Decimal("200000.00")
    supplier_respend_rate = Decimal("0.40")
    staff_respend_rate = Decimal("0.45")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = factory.Sequence(lambda n: f"spend-{n}.csv")
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"batch {n}".encode()).hexdigest())
    # Published: its payments count in the public figures (a batch in review's do not).
    status = ImportBatch.Status.PUBLISHED
    reviewed_at = factory.LazyFunction(timezone.now)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    normalised_name = factory.LazyAttribute(lambda o: o.name.upper())
    locality = Locality.ELSEWHERE


class SpendTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendTransaction

    batch = factory.SubFactory(ImportBatchFactory)
    payment_date = datetime.date(2024, 6, 1)
    amount = Decimal("1000.00")
    supplier = factory.SubFactory(SupplierFactory)
    line_hash = factory.Sequence(lambda n: spend_line_hash(f"line {n}", 1))


_staff_numbers = iter(range(1, 10**9))


def staff_user(group_name: str, **kwargs):
    """A staff member in a role, without a password to hash (tests log in with force_login)."""
    number = next(_staff_numbers)
    user = get_user_model().objects.create(
        username=f"{group_name.lower().replace(' ', '-')}-{number}", is_staff=True, **kwargs
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def officer_user(**kwargs):
    return staff_user(OFFICERS, **kwargs)


def validator_user(**kwargs):
    return staff_user(CWB_GROUP, **kwargs)
