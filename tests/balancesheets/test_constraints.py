"""Each constraint on the balance sheet tables refuses the one row it exists to refuse.

The triggers that keep published sheets and the history unchanged are tested in test_models.py
and test_workflow_table.py.
"""

from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from balancesheets.models import BalanceSheet, BalanceSheetEvent
from tests.balancesheets.factories import (
    BalanceSheetFactory,
    CapitalFactory,
    IndicatorFactory,
    LineFactory,
    ProxyValueFactory,
)
from tests.constraints import (
    changed,
    constraint_tests,
    copied,
    inserted,
)
from tests.factories import CouncilFactory, UserFactory

pytestmark = pytest.mark.django_db


def _published(**fields):
    submitter, validator = UserFactory.create_batch(2)
    now = timezone.now()
    return BalanceSheetFactory(
        status="published",
        submitted_at=now,
        submitted_by=submitter,
        validated_at=now,
        validated_by=validator,
        published_at=now,
        published_by=submitter,
        **fields,
    )


def _restatement_of(sheet, **fields):
    return BalanceSheetFactory(
        council=sheet.council,
        year=sheet.year,
        version=sheet.version + 1,
        restates=sheet,
        restatement_reason="Volunteers were counted twice",
        **fields,
    )


def _published_and_draft_of_other_years():
    council = CouncilFactory()
    return _published(council=council, year=2023), BalanceSheetFactory(council=council, year=2024)


def _second_open_version():
    """A published 2024 sheet restated by an open draft, and a third version of the same year."""
    draft_restatement = _restatement_of(_published(year=2024))
    return {
        "council": draft_restatement.council,
        "year": 2024,
        "version": 3,
        "restates": draft_restatement,
        "restatement_reason": "Started twice",
    }


def _two_restatements():
    council = CouncilFactory()
    return [_restatement_of(_published(council=council, year=year)) for year in (2023, 2024)]


def _two_lines_of_one_sheet():
    return LineFactory.create_batch(2, sheet=BalanceSheetFactory())


def _two_proxies_of_one_indicator():
    indicator = IndicatorFactory()
    return [ProxyValueFactory(indicator=indicator, price_year=year) for year in (2022, 2023)]


def _two_capitals():
    return CapitalFactory(code="human"), CapitalFactory(code="social")


NOW = timezone.now()

CASES = {
    "balancesheets.Capital.code": copied(_two_capitals, "code"),
    "balancesheets.Capital.name": copied(_two_capitals, "name"),
    "balancesheets.Indicator.code": copied(lambda: IndicatorFactory.create_batch(2), "code"),
    "balancesheets.Indicator.name": copied(lambda: IndicatorFactory.create_batch(2), "name"),
    "indicator_side_valid": changed(IndicatorFactory, side="sideways"),
    "proxyvalue_unique_year": copied(_two_proxies_of_one_indicator, "price_year"),
    "proxyvalue_value_not_negative": changed(ProxyValueFactory, value_per_unit=Decimal("-1")),
    "proxyvalue_price_year_range": changed(ProxyValueFactory, price_year=1989),
    "balancesheet_status_valid": changed(BalanceSheetFactory, status="lost", submitted_at=NOW),
    "balancesheet_year_range": changed(BalanceSheetFactory, year=1999),
    "balancesheet_unique_version": copied(_published_and_draft_of_other_years, "year"),
    "balancesheet_one_open_version": inserted(BalanceSheet, _second_open_version),
    "balancesheets.BalanceSheet.restates": copied(_two_restatements, "restates_id"),
    "balancesheet_restatement_has_reason": changed(BalanceSheetFactory, version=2),
    "balancesheet_submitted_has_date": changed(BalanceSheetFactory, status="submitted"),
    "balancesheet_returned_has_comments": changed(BalanceSheetFactory, status="returned"),
    "balancesheet_validated_has_validator": changed(
        BalanceSheetFactory, status="validated", submitted_at=NOW
    ),
    "balancesheet_published_has_publisher": changed(
        lambda: BalanceSheetFactory(validated_by=UserFactory()),
        status="published",
        submitted_at=NOW,
        validated_at=NOW,
    ),
    "balancesheet_validator_not_submitter": changed(
        lambda: BalanceSheetFactory(submitted_by=UserFactory()),
        validated_by=F("submitted_by"),
    ),
    "balancesheetline_one_per_indicator": copied(_two_lines_of_one_sheet, "indicator_id"),
    "balancesheetline_quantity_not_negative": changed(LineFactory, quantity=Decimal("-1")),
    "balancesheetline_value_not_negative": changed(
        LineFactory, value=Decimal("-5"), value_overridden=True, override_reason="Refund"
    ),
    "balancesheetline_value_follows_proxy": changed(LineFactory, value=Decimal("123")),
    "balancesheetevent_action_valid": inserted(
        BalanceSheetEvent, lambda: {"sheet": BalanceSheetFactory(), "action": "teleported"}
    ),
}


(
    test_every_constraint_has_a_case,
    test_the_database_refuses_a_row_that_breaks,
    test_the_row_breaks_no_other_constraint,
) = constraint_tests("balancesheets", CASES)
