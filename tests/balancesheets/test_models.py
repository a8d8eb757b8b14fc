"""The invariants the database itself enforces, whatever code writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from balancesheets import services
from balancesheets.models import (
    BalanceSheet,
    BalanceSheetEvent,
    BalanceSheetLine,
    SheetStatus,
)
from tests.balancesheets.conftest import fill
from tests.balancesheets.factories import BalanceSheetFactory, LineFactory


def _refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_a_published_sheet_cannot_be_updated_or_deleted(published_sheet):
    sheet = BalanceSheet.objects.filter(pk=published_sheet.pk)
    _refused(lambda: sheet.update(status=SheetStatus.DRAFT))
    _refused(lambda: sheet.update(restatement_reason="Quietly changed"))
    _refused(lambda: BalanceSheetEvent.objects.filter(sheet=published_sheet).delete())
    _refused(sheet.delete)
    assert sheet.get().status == SheetStatus.PUBLISHED


def test_the_lines_of_a_published_sheet_cannot_be_changed(published_sheet, library):
    lines = BalanceSheetLine.objects.filter(sheet=published_sheet)
    count = lines.count()
    _refused(lambda: lines.update(note="Quietly changed"))
    _refused(lambda: lines.delete())
    _refused(
        lambda: LineFactory(sheet=published_sheet, indicator=library["apprenticeships-started"])
    )
    assert lines.count() == count


def test_the_lines_of_a_submitted_sheet_cannot_be_changed(council, library, an_officer):
    sheet = BalanceSheetFactory(council=council)
    fill(sheet, library, an_officer, {"regular-volunteers": 5})
    services.balance_sheet_submit(sheet=sheet, actor=an_officer)
    _refused(lambda: BalanceSheetLine.objects.filter(sheet=sheet).update(quantity=6))


def test_the_history_is_only_added_to(published_sheet):
    _refused(
        lambda: BalanceSheetEvent.objects.filter(sheet=published_sheet).update(comment="Edited")
    )


def test_a_value_that_is_not_quantity_times_proxy_needs_a_reason_in_the_database(council, library):
    line = LineFactory(
        sheet=BalanceSheetFactory(council=council), indicator=library["regular-volunteers"]
    )
    lines = BalanceSheetLine.objects.filter(pk=line.pk)
    _refused(lambda: lines.update(value=Decimal("1.00")))
    _refused(lambda: lines.update(value_overridden=True, value=Decimal("1.00")))
    lines.update(value_overridden=True, value=Decimal("1.00"), override_reason="Measured cost")
    _refused(lambda: lines.update(quantity=Decimal(-1)))


def test_a_line_without_a_proxy_has_no_value_unless_entered(council, library):
    line = LineFactory(
        sheet=BalanceSheetFactory(council=council), indicator=library["street-trees"]
    )
    assert line.value is None
    _refused(lambda: BalanceSheetLine.objects.filter(pk=line.pk).update(value=Decimal(5)))


def test_one_open_version_of_an_area_year(council):
    BalanceSheetFactory(council=council, year=2024)
    _refused(lambda: BalanceSheetFactory(council=council, year=2024))
    _refused(lambda: BalanceSheetFactory(council=council, year=2024, version=2))


def test_a_later_version_restates_one_with_a_reason(council):
    _refused(lambda: BalanceSheetFactory(council=council, year=2024, version=2))


@pytest.mark.parametrize("year", [1999, 2100])
def test_the_financial_year_is_in_range(council, year):
    _refused(lambda: BalanceSheetFactory(council=council, year=year))


def test_a_published_sheet_records_who_published_it(council):
    sheet = BalanceSheetFactory(council=council)
    _refused(lambda: BalanceSheet.objects.filter(pk=sheet.pk).update(status="published"))
    _refused(lambda: BalanceSheet.objects.filter(pk=sheet.pk).update(status="returned"))
    _refused(lambda: BalanceSheet.objects.filter(pk=sheet.pk).update(status="finished"))


def test_the_validator_is_not_the_submitter(council, an_officer):
    sheet = BalanceSheetFactory(council=council)
    _refused(
        lambda: BalanceSheet.objects.filter(pk=sheet.pk).update(
            submitted_by=an_officer, validated_by=an_officer
        )
    )
