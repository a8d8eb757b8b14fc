"""Fixtures for balance sheets: the real reference library, staff in each role, and sheets."""

from decimal import Decimal

import pytest

from balancesheets import services
from balancesheets.models import Indicator
from tests.balancesheets.factories import officer, validator


@pytest.fixture
def an_officer(db):
    return officer(username="officer-ann", first_name="Ann", last_name="Officer")


@pytest.fixture
def another_officer(db):
    return officer(username="officer-bo", first_name="Bo", last_name="Officer")


@pytest.fixture
def a_validator(db):
    return validator(username="validator-val", first_name="Val", last_name="Idator")


@pytest.fixture
def library(council):
    """The starter library from the reference file, by code."""
    return {indicator.code: indicator for indicator in Indicator.objects.all()}


def fill(sheet, library, actor, quantities: dict[str, int | str]):
    """Add lines to a sheet through the service, from {indicator code: quantity}."""
    return [
        services.balance_sheet_line_add(
            sheet=sheet,
            indicator=library[code],
            data=services.LineInput(quantity=Decimal(str(quantity)), evidence="Test evidence"),
            actor=actor,
        )
        for code, quantity in quantities.items()
    ]


def publish(sheet, *, by, checked_by):
    """Take a sheet through the whole workflow."""
    services.balance_sheet_submit(sheet=sheet, actor=by)
    services.balance_sheet_validate(sheet=sheet, actor=checked_by)
    return services.balance_sheet_publish(sheet=sheet, actor=by)


QUANTITIES = {
    "regular-volunteers": 100,  # social asset, £3,400
    "people-often-lonely": 10,  # social liability, £1,200
    "people-in-work": 50,  # human asset, £42,000
    "community-buildings": 2,  # built asset, £25,000
    "anchor-spend-local": "125000.50",  # financial asset, £1
    "households-problem-debt": 7,  # financial liability, £2,000
    "green-space": "12.5",  # natural asset, £6,000
    "street-trees": 300,  # natural asset, no proxy
    "household-emissions": 1000,  # natural liability, £250
}


@pytest.fixture
def published_sheet(council, library, an_officer, a_validator):
    """A published 2024/25 sheet for the first neighbourhood, lines in all five capitals."""
    neighbourhood = council.neighbourhoods.order_by("order").first()
    sheet = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=2024, actor=an_officer
    )
    fill(sheet, library, an_officer, QUANTITIES)
    return publish(sheet, by=an_officer, checked_by=a_validator)
