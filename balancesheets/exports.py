"""Open data: published sheets as JSON records and spreadsheet-safe CSV.

Amounts are exact: strings in JSON ("3400.00"), plain numbers in CSV, pounds to the penny. The
same selectors feed the pages, the PDF and these files, so their totals are the same.
"""

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from balancesheets.models import BalanceSheet
from balancesheets.selectors import SheetDetail, SheetTotals, YearOverview
from core.csv import csv_lines


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _totals_record(totals: SheetTotals) -> dict[str, Any]:
    return {
        "assets": _amount(totals.assets),
        "liabilities": _amount(totals.liabilities),
        "net": _amount(totals.net),
        "previous_net": _amount(totals.previous_net),
        "change": _amount(totals.change),
        "capitals": [
            {
                "code": c.capital.code,
                "name": c.capital.name,
                "assets": _amount(c.assets),
                "liabilities": _amount(c.liabilities),
                "net": _amount(c.net),
                "previous_net": _amount(c.previous_net),
                "change": _amount(c.change),
            }
            for c in totals.capitals
        ],
    }


def _version_record(sheet: BalanceSheet, url_for: Callable[[BalanceSheet], str]) -> dict:
    return {
        "version": sheet.version,
        "url": url_for(sheet),
        "published_at": sheet.published_at.isoformat() if sheet.published_at else None,
        "restatement_reason": sheet.restatement_reason or None,
    }


def sheet_record(*, detail: SheetDetail, url_for: Callable[[BalanceSheet], str]) -> dict:
    """One published sheet: its area, year, version, totals by capital and every line."""
    sheet = detail.sheet
    return {
        "council": sheet.council.name,
        "area": {"slug": sheet.area_slug, "name": sheet.area_name, "borough": sheet.is_borough},
        "financial_year": sheet.year_label,
        "version": sheet.version,
        "current": detail.is_current,
        "url": url_for(sheet),
        "published_at": sheet.published_at.isoformat() if sheet.published_at else None,
        "restates": _version_record(sheet.restates, url_for) if sheet.restates else None,
        "restatement_reason": sheet.restatement_reason or None,
        "restated_by": (
            _version_record(detail.restated_by, url_for) if detail.restated_by else None
        ),
        "previous_year": (
            {"financial_year": detail.previous.year_label, "url": url_for(detail.previous)}
            if detail.previous
            else None
        ),
        "currency": "GBP",
        "totals": _totals_record(detail.totals),
        "lines": [
            {
                "capital": line.indicator.capital.code,
                "side": line.indicator.side,
                "indicator": {"code": line.indicator.code, "name": line.indicator.name},
                "unit": line.indicator.unit,
                "quantity": f"{line.quantity}",
                "value_per_unit": _amount(line.unit_value),
                "value": _amount(line.value),
                "value_entered": line.value_overridden,
                "value_entered_reason": line.override_reason or None,
                "proxy": (
                    {
                        "source": line.proxy.source,
                        "price_year": line.proxy.price_year,
                        "illustrative": line.proxy.is_illustrative,
                    }
                    if line.proxy
                    else None
                ),
                "evidence": line.evidence,
                "note": line.note,
            }
            for line in detail.lines
        ],
    }


SHEET_CSV_HEADER = (
    "row_type",
    "capital_code",
    "capital",
    "side",
    "indicator_code",
    "indicator",
    "unit",
    "quantity",
    "value_per_unit_gbp",
    "value_gbp",
    "assets_gbp",
    "liabilities_gbp",
    "net_gbp",
    "previous_year_net_gbp",
    "change_gbp",
    "value_entered_reason",
    "proxy_source",
    "proxy_price_year",
    "proxy_illustrative",
    "evidence",
    "note",
)


def sheet_csv_lines(*, detail: SheetDetail) -> Iterator[str]:
    """A sheet as CSV: a row per line, then a row per capital's totals, then the sheet's total
    (row_type line, capital_total and total)."""

    def rows():
        for line in detail.lines:
            proxy = line.proxy
            yield [
                "line",
                line.indicator.capital.code,
                line.indicator.capital.name,
                line.indicator.side,
                line.indicator.code,
                line.indicator.name,
                line.indicator.unit,
                line.quantity,
                line.unit_value,
                line.value,
                None, None, None, None, None,
                line.override_reason,
                proxy.source if proxy else "",
                proxy.price_year if proxy else "",
                ("yes" if proxy.is_illustrative else "no") if proxy else "",
                line.evidence,
                line.note,
            ]  # fmt: skip
        for c in detail.totals.capitals:
            yield ["capital_total", c.capital.code, c.capital.name, "", "", "", "", None, None,
                   None, c.assets, c.liabilities, c.net, c.previous_net, c.change,
                   "", "", "", "", "", ""]  # fmt: skip
        totals = detail.totals
        yield ["total", "", "All capitals", "", "", "", "", None, None, None, totals.assets,
               totals.liabilities, totals.net, totals.previous_net, totals.change,
               "", "", "", "", "", ""]  # fmt: skip

    return csv_lines(header=SHEET_CSV_HEADER, rows=rows())


def year_record(*, overview: YearOverview, url_for: Callable[[BalanceSheet], str]) -> dict:
    """A year's published sheets side by side: each area's totals, and the borough's."""

    def area(column) -> dict:
        return {
            "slug": column.slug,
            "name": column.name,
            "borough": column.is_borough,
            "published": column.sheet is not None,
            "summed_from_neighbourhoods": column.is_sum,
            # A sum of fewer than all the neighbourhoods is not the whole borough; its change
            # compares the same neighbourhoods the year before, or is left out saying why.
            "neighbourhoods_summed": column.parts if column.is_sum else None,
            "neighbourhoods_in_borough": column.of if column.is_sum else None,
            "change_not_shown_because": column.change_missing_reason or None,
            "version": column.sheet.version if column.sheet else None,
            "url": url_for(column.sheet) if column.sheet else None,
            "published_at": column.sheet.published_at.isoformat() if column.sheet else None,
            "totals": _totals_record(column.totals) if column.totals else None,
        }

    return {
        "financial_year": overview.label,
        "currency": "GBP",
        "neighbourhoods": [area(column) for column in overview.neighbourhoods],
        "borough": area(overview.borough),
    }


YEAR_CSV_HEADER = (
    "area_slug",
    "area",
    "version",
    "summed_from_neighbourhoods",
    "capital_code",
    "capital",
    "assets_gbp",
    "liabilities_gbp",
    "net_gbp",
    "previous_year_net_gbp",
    "change_gbp",
    "neighbourhoods_summed",
    "neighbourhoods_in_borough",
)


def year_csv_lines(*, overview: YearOverview) -> Iterator[str]:
    """A row per area and capital, and a row per area for all capitals (capital_code empty)."""

    def rows():
        for column in overview.columns:
            if column.totals is None:
                continue
            version = column.sheet.version if column.sheet else ""
            summed = "yes" if column.is_sum else "no"
            parts = [column.parts, column.of] if column.is_sum else ["", ""]
            for c in column.totals.capitals:
                yield [column.slug, column.name, version, summed, c.capital.code,
                       c.capital.name, c.assets, c.liabilities, c.net, c.previous_net,
                       c.change, *parts]  # fmt: skip
            t = column.totals
            yield [column.slug, column.name, version, summed, "", "All capitals", t.assets,
                   t.liabilities, t.net, t.previous_net, t.change, *parts]  # fmt: skip

    return csv_lines(header=YEAR_CSV_HEADER, rows=rows())
