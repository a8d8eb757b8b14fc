"""Factories for balance sheets (the shared tests/factories.py is not ours to change)."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from balancesheets.models import (
    BalanceSheet,
    BalanceSheetLine,
    Capital,
    Indicator,
    ProxyValue,
    SheetStatus,
    Side,
    money,
)
from core.roles import CWB_GROUP, OFFICERS
from tests.factories import CouncilFactory, UserFactory


class CapitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capital
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"capital-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code.title()} capital")
    order = factory.Sequence(int)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    capital = factory.SubFactory(CapitalFactory)
    side = Side.ASSET
    unit = "person"


class ProxyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProxyValue

    indicator = factory.SubFactory(IndicatorFactory)
    price_year = 2023
    value_per_unit = Decimal("100.00")
    source = "Test source (2023 prices)"
    is_illustrative = True


class BalanceSheetFactory(factory.django.DjangoModelFactory):
    """A draft sheet; `status` other than draft fills in who and when as the workflow would."""

    class Meta:
        model = BalanceSheet

    council = factory.SubFactory(CouncilFactory)
    neighbourhood = None
    year = 2024


class LineFactory(factory.django.DjangoModelFactory):
    """A line priced from its indicator's proxy for the sheet's year (as the services do)."""

    class Meta:
        model = BalanceSheetLine

    sheet = factory.SubFactory(BalanceSheetFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    quantity = Decimal(10)

    @factory.lazy_attribute
    def proxy(self):
        return (
            ProxyValue.objects.filter(indicator=self.indicator, price_year__lte=self.sheet.year)
            .order_by("-price_year")
            .first()
        )

    @factory.lazy_attribute
    def unit_value(self):
        return self.proxy.value_per_unit if self.proxy else None

    @factory.lazy_attribute
    def value(self):
        return money(self.quantity * self.unit_value) if self.proxy else None


def user_in(group_name: str | None, **kwargs):
    """A staff user in one of the staff groups."""
    user = UserFactory(is_staff=True, **kwargs)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def officer(**kwargs):
    return user_in(OFFICERS, **kwargs)


def validator(**kwargs):
    return user_in(CWB_GROUP, **kwargs)


def publish_directly(sheet: BalanceSheet, *, by, checked_by) -> BalanceSheet:
    """Mark a sheet published as the workflow would have (for read-side tests), in one update."""
    from django.utils import timezone

    now = timezone.now()
    BalanceSheet.objects.filter(pk=sheet.pk).update(
        status=SheetStatus.PUBLISHED,
        submitted_at=now,
        submitted_by=by,
        validated_at=now,
        validated_by=checked_by,
        published_at=now,
        published_by=by,
    )
    sheet.refresh_from_db()
    return sheet
