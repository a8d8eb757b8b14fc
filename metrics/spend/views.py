"""/spend/: how much of the council's spend stays local, for a financial year or a quarter, and
each of its tables as CSV. Thin views: read the period, call the selectors, render."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.csv import csv_download, csv_lines
from core.formatting import DASH, percentage, pounds
from metrics.spend.exclusions import spend_exclusions
from metrics.spend.periods import PeriodError, SpendPeriod, period_from_query
from metrics.spend.selectors import (
    LOCALITY_LABELS,
    TOP_SUPPLIERS_LIMIT,
    BreakdownRow,
    SpendSummary,
    spend_by_department,
    spend_date_range,
    spend_leakage,
    spend_summary,
    spend_top_suppliers,
    spend_trend_by_quarter,
    spend_years,
)
from metrics.spend.selectors import percentage as share_of
from metrics.spend.sources import UNKNOWN_LIMIT, spend_shares
from metrics.spend.tables import spend_page_tables, top_suppliers_table

QUARTER_CHOICES = [
    ("", "The whole year"),
    ("Q1", "April to June (Q1)"),
    ("Q2", "July to September (Q2)"),
    ("Q3", "October to December (Q3)"),
    ("Q4", "January to March (Q4)"),
]
NOT_AVAILABLE = DASH  # nothing to divide by
# Preston's six anchor institutions (CLES): share of £750m spend retained.
PRESTON = [
    ("2012/13", "5%", "39%"),
    ("2016/17", "18.2%", "79.2%"),
]


def money(value: Decimal | None) -> str:
    """£ in whole pounds for the page ("£1,234,568", a true minus sign when negative); the CSVs
    keep the pence."""
    return pounds(value, pence=False)


def _chart_number(value: Decimal | None) -> str | None:
    """A share for the charts to read from the table (data-value), one decimal place."""
    return None if value is None else f"{value:.1f}"


def _latest_year(bounds) -> int:
    return spend_years(first=bounds[0], last=bounds[1])[0]


def _period(query, bounds) -> tuple[SpendPeriod, str]:
    """The period asked for, or the latest financial year with spend, and any error message."""
    default = SpendPeriod(_latest_year(bounds))
    try:
        return period_from_query(query) or default, ""
    except PeriodError as error:
        return default, str(error)


def _period_choices(period: SpendPeriod, bounds) -> dict:
    """The period chooser's options (templates/metrics/spend/_period_form.html): every year
    with spend held, and the one asked for even when it has none."""
    years = spend_years(first=bounds[0], last=bounds[1])
    if period.start_year not in years:
        years = sorted({*years, period.start_year}, reverse=True)
    return {
        "year_choices": [(SpendPeriod(year).slug, SpendPeriod(year).label) for year in years],
        "quarter_choices": QUARTER_CHOICES,
        "selected_quarter": f"Q{period.quarter}" if period.quarter else "",
    }


def _top_suppliers(period: SpendPeriod):
    """The period's shares and its largest suppliers (the page and its CSV)."""
    exclusions = spend_exclusions()
    shares = spend_shares(period_start=period.start, period_end=period.end, exclusions=exclusions)
    rows = spend_top_suppliers(
        start=period.start, end=period.end, total=shares.total, exclusions=exclusions
    )
    return shares, rows


def _yes_no(value: bool | None) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


def _influence(summary: SpendSummary) -> dict:
    """The headline's influenceable figures and the unknown-locality caveat: a share is shown
    as a finding only when no more than UNKNOWN_LIMIT % of its spend has an unknown locality."""
    shares = summary.shares
    unknown_influenceable = shares.unknown - shares.excluded_unknown
    return {
        "judgeable": shares.judgeable,
        "influenceable_judgeable": shares.influenceable_judgeable,
        "unknown_limit": f"{UNKNOWN_LIMIT:.0f}%",
        "unknown_total": money(shares.unknown),
        "unknown_share": percentage(shares.unknown_share),
        "unknown_any": shares.unknown != 0,
        "influenceable_unknown_total": money(unknown_influenceable),
        "influenceable_unknown_share": percentage(shares.influenceable_unknown_share),
        "influenceable_borough": percentage(shares.influenceable_borough_share),
        "influenceable_county": percentage(shares.influenceable_county_share),
        "influenceable_total": money(shares.influenceable),
        "excluded_total": money(shares.excluded),
        "excluded_share": percentage(shares.excluded_share),
        "excluded_any": shares.excluded != 0,
        "excluded": [
            {
                "name": row.name,
                "reason": row.reason,
                "total": money(row.total),
                "count": row.count,
                "share": percentage(row.share),
            }
            for row in summary.excluded
        ],
    }


def _breakdown(rows: Iterable[BreakdownRow]) -> list[dict]:
    return [
        {
            "label": row.label,
            "total": money(row.total),
            "borough": percentage(row.borough_share),
            "borough_raw": _chart_number(row.borough_share),
            "county": percentage(row.county_share),
            "county_raw": _chart_number(row.county_share),
            "elsewhere": percentage(row.elsewhere_share),
            "unknown": percentage(row.unknown_share),
        }
        for row in rows
    ]


@require_safe
def spend_index(request):
    bounds = spend_date_range()
    if bounds is None:
        return render(request, "metrics/spend/index.html", {"empty": True, "preston": PRESTON})
    period, error = _period(request.GET, bounds)
    summary = spend_summary(start=period.start, end=period.end, exclusions=spend_exclusions())
    trend = spend_trend_by_quarter(end=period.end)
    departments, other_departments = spend_by_department(start=period.start, end=period.end)
    leakage = spend_leakage(start=period.start, end=period.end, total=summary.total)
    query = urlencode(period.query)
    csv_urls = {
        table.replace("-", "_"): f"{reverse('spend:csv', args=[table])}?{query}"
        for table in CSV_TABLES
    }
    shares = summary.shares
    context = {
        "period": period,
        "error": error,
        "first": bounds[0],
        "last": bounds[1],
        **_period_choices(period, bounds),
        "summary": summary,
        "headline": {
            "borough": percentage(shares.borough_share),
            "county": percentage(shares.county_share),
            "total": money(summary.total),
            "count": summary.count,
            "suppliers": summary.suppliers,
            "sme": percentage(summary.sme.share),
            "vcse": percentage(summary.vcse.share),
            **_influence(summary),
        },
        "localities": [
            {
                "key": row.locality,
                "label": row.label,
                "total": money(row.total),
                "value_share": percentage(row.value_share),
                "value_share_raw": _chart_number(row.value_share),
                "count": row.count,
                "count_share": percentage(row.count_share),
            }
            for row in summary.localities
        ],
        "redacted": {
            "total": money(summary.redacted_total),
            "count": summary.redacted_count,
            "share": percentage(summary.redacted_share),
        },
        "flags": [
            {
                "label": flag.label,
                "share": percentage(flag.share),
                "share_of_known": percentage(flag.share_of_known),
                "coverage": percentage(flag.coverage),
            }
            for flag in (summary.sme, summary.vcse)
        ],
        "trend": _breakdown(trend),
        "departments": _breakdown(departments),
        "other_departments": _breakdown([other_departments]) if other_departments else [],
        "leakage": [
            {
                "rank": row.rank,
                "name": row.name,
                "where": row.locality_label,
                "total": money(row.total),
                "share": percentage(row.share),
            }
            for row in leakage
        ],
        "csv_urls": csv_urls,
        "top_suppliers_url": f"{reverse('spend:suppliers')}?{query}",
        "top_suppliers_limit": TOP_SUPPLIERS_LIMIT,
        "preston": PRESTON,
    }
    context["tables"] = spend_page_tables(context)
    return render(request, "metrics/spend/index.html", context)


@require_safe
def spend_suppliers(request):
    """The largest suppliers of a period (Preston's top 300), where each is based, with their
    SME and VCSE flags; redacted recipients never listed."""
    bounds = spend_date_range()
    if bounds is None:
        raise Http404("No spend has been published.")
    period, error = _period(request.GET, bounds)
    shares, rows = _top_suppliers(period)
    listed = sum((row.total for row in rows), Decimal(0))
    query = urlencode(period.query)
    context = {
        "period": period,
        "error": error,
        **_period_choices(period, bounds),
        "limit": TOP_SUPPLIERS_LIMIT,
        "count": len(rows),
        "total": money(shares.total),
        "listed_total": money(listed),
        "listed_share": percentage(share_of(listed, shares.total)),
        "table": top_suppliers_table(
            period=period,
            rows=[
                {
                    "rank": row.rank,
                    "name": row.name,
                    "where": row.locality_label,
                    "sme": _yes_no(row.is_sme),
                    "vcse": _yes_no(row.is_vcse),
                    "total": money(row.total),
                    "share": percentage(row.share, places=2),
                    "excluded": money(row.excluded) if row.excluded else "",
                }
                for row in rows
            ],
        ),
        "csv_url": f"{reverse('spend:csv', args=['top-suppliers'])}?{query}",
        "spend_url": f"{reverse('spend:index')}?{query}",
    }
    return render(request, "metrics/spend/suppliers.html", context)


# --- CSV downloads --------------------------------------------------------------------------


def _number(value: Decimal | int | None) -> Any:
    return "" if value is None else value


def _share_cell(value: Decimal | None) -> str:
    """A share as stored without its padding: 12.5, not 12.5000; 0, not 0.0000."""
    return "" if value is None else f"{value.normalize():f}"


def _breakdown_csv(rows: Iterable[BreakdownRow], *, first: str) -> tuple[list, list]:
    header = [
        first,
        "spend_gbp",
        "payments",
        *(f"{locality}_gbp" for locality in LOCALITY_LABELS),
        "borough_percent",
        "county_including_borough_percent",
        "elsewhere_percent",
        "unknown_percent",
    ]
    lines = [
        [
            row.label,
            row.total,
            row.count,
            *(row.totals.get(locality) for locality in LOCALITY_LABELS),
            _number(row.borough_share),
            _number(row.county_share),
            _number(row.elsewhere_share),
            _number(row.unknown_share),
        ]
        for row in rows
    ]
    return header, lines


def _localities_csv(period: SpendPeriod) -> tuple[list, list]:
    summary = spend_summary(start=period.start, end=period.end)
    header = [
        "locality",
        "label",
        "spend_gbp",
        "share_of_spend_percent",
        "payments",
        "share_of_payments_percent",
    ]
    lines = [
        [
            row.locality,
            row.label,
            row.total,
            _number(row.value_share),
            row.count,
            _number(row.count_share),
        ]
        for row in summary.localities
    ]
    lines.append(["total", "All named suppliers", summary.total, "", summary.count, ""])
    lines.append(
        [
            "redacted",
            "Redacted recipients (outside the shares)",
            summary.redacted_total,
            "",
            summary.redacted_count,
            "",
        ]
    )
    return header, lines


def _quarters_csv(period: SpendPeriod) -> tuple[list, list]:
    return _breakdown_csv(spend_trend_by_quarter(end=period.end), first="quarter")


def _departments_csv(period: SpendPeriod) -> tuple[list, list]:
    rows, rest = spend_by_department(start=period.start, end=period.end, limit=10_000)
    return _breakdown_csv([*rows, *([rest] if rest else [])], first="department")


def _suppliers_csv(period: SpendPeriod) -> tuple[list, list]:
    summary_total = spend_summary(start=period.start, end=period.end).total
    rows = spend_leakage(start=period.start, end=period.end, total=summary_total)
    header = [
        "rank",
        "supplier",
        "locality",
        "spend_gbp",
        "payments",
        "share_percent",
        "sme",
        "vcse",
    ]

    def flag(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    lines = [
        [
            row.rank,
            row.name,
            row.locality,
            row.total,
            row.count,
            _number(row.share),
            flag(row.is_sme),
            flag(row.is_vcse),
        ]
        for row in rows
    ]
    return header, lines


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _top_suppliers_csv(period: SpendPeriod) -> tuple[list, list]:
    _, rows = _top_suppliers(period)
    header = [
        "rank",
        "supplier",
        "based_in",
        "spend_gbp",
        "payments",
        "share_percent",
        "paid_in_borough_gbp",
        "not_influenceable_gbp",
        "sme",
        "vcse",
    ]
    lines = [
        [
            row.rank,
            row.name,
            row.locality,
            row.total,
            row.count,
            _share_cell(row.share),
            row.borough,
            row.excluded,
            _flag(row.is_sme),
            _flag(row.is_vcse),
        ]
        for row in rows
    ]
    return header, lines


def _excluded_csv(period: SpendPeriod) -> tuple[list, list]:
    summary = spend_summary(start=period.start, end=period.end)
    shares = summary.shares
    header = ["rule", "reason", "spend_gbp", "payments", "share_of_spend_percent"]
    lines = [
        [row.name, row.reason, row.total, row.count, _share_cell(row.share)]
        for row in summary.excluded
    ]
    lines.append(["Left out in all", "", shares.excluded, "", _share_cell(shares.excluded_share)])
    lines.append(["Influenceable spend", "", shares.influenceable, "", ""])
    return header, lines


def _sme_vcse_csv(period: SpendPeriod) -> tuple[list, list]:
    summary = spend_summary(start=period.start, end=period.end)
    header = [
        "measure",
        "flagged_gbp",
        "flag_known_gbp",
        "spend_in_scope_gbp",
        "share_of_all_spend_percent",
        "share_where_known_percent",
        "spend_with_flag_known_percent",
    ]
    lines = [
        [
            key,
            flag.flagged,
            flag.known,
            summary.total,
            _number(flag.share),
            _number(flag.share_of_known),
            _number(flag.coverage),
        ]
        for key, flag in (("sme", summary.sme), ("vcse", summary.vcse))
    ]
    return header, lines


@dataclass(frozen=True)
class CsvTable:
    title: str
    build: Callable[[SpendPeriod], tuple[list, list]]


CSV_TABLES = {
    "localities": CsvTable("Spend by where suppliers are", _localities_csv),
    "quarters": CsvTable("Spend by quarter", _quarters_csv),
    "departments": CsvTable("Spend by department", _departments_csv),
    "suppliers": CsvTable("Largest suppliers outside the borough", _suppliers_csv),
    "sme-vcse": CsvTable("Spend with SMEs and VCSEs", _sme_vcse_csv),
    "top-suppliers": CsvTable("The largest suppliers", _top_suppliers_csv),
    "excluded": CsvTable("Spend left out of influenceable spend, by rule", _excluded_csv),
}


@require_safe
def spend_csv(request, table: str):
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    try:
        period = period_from_query(request.GET)
    except PeriodError as error:
        return HttpResponse(f"{error}.\n", status=400, content_type="text/plain; charset=utf-8")
    if period is None:
        bounds = spend_date_range()
        if bounds is None:
            raise Http404("No spend has been imported.")
        period = SpendPeriod(_latest_year(bounds))
    header, lines = CSV_TABLES[table].build(period)
    return csv_download(
        filename=f"spend-{table}-{period.slug}.csv", lines=csv_lines(header=header, rows=lines)
    )
