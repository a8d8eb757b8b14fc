"""The annual impact report, /impact/<year>/: each metric against its target and the year
before, pledge totals, the local spend shares, LM3 studies, and that year's balance sheets.
Public: validated values and published data only."""

from decimal import Decimal

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from balancesheets.selectors import published_years
from core.csv import csv_download, csv_lines
from core.periods import FinancialYear
from metrics.selectors import lm3_studies_for, metric_report
from metrics.spend.selectors import spend_summary
from neighbourhoods.selectors import council_current
from pledges.dashboard import pledge_year_totals


def _report(year_slug: str) -> dict:
    financial_year = FinancialYear.parse(year_slug)
    if financial_year is None:
        raise Http404("No such financial year.")
    # A year that has not begun has nothing to report.
    current = FinancialYear.current()
    if financial_year > current:
        raise Http404("That financial year has not begun.")
    year = financial_year.start_year
    start, end = financial_year.dates
    council = council_current()
    sheet_years = {y.year for y in published_years(council=council)} if council else set()
    spend = spend_summary(start=start, end=end)
    return {
        "year": year,
        "year_label": financial_year.label,
        "year_slug": financial_year.slug,
        "previous_slug": financial_year.previous.slug if financial_year.previous.in_range else "",
        "next_slug": financial_year.next.slug if financial_year < current else "",
        "start": start,
        "end": end,
        "foundations": metric_report(period_start=start, period_end=end),
        "pledges": pledge_year_totals(start=start, end=end),
        "spend": None if spend.is_empty else spend,
        "lm3_studies": lm3_studies_for(period_start=start, period_end=end),
        "balance_sheets_published": year in sheet_years,
    }


@require_safe
def impact_latest(request):
    """The most recent complete financial year's report."""
    return redirect("impact", year=FinancialYear.current().previous.slug)


@require_safe
def impact_report(request, year: str):
    return render(request, "impact/report.html", _report(year))


def _figure(value: Decimal | None) -> str | None:
    """A stored figure without the column's padding: 500, not 500.0000; 17.969 as it is."""
    return None if value is None else f"{value.normalize():f}"


def _share(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rows(report: dict) -> list[dict]:
    rows = []
    for group in report["foundations"]:
        for row in group.metrics:
            rows.append(
                {
                    "foundation": group.foundation.name,
                    "metric": row.metric.name,
                    "code": row.metric.code,
                    "unit": row.metric.unit,
                    "value": _figure(row.value.value if row.value else None),
                    "previous": _figure(row.previous.value if row.previous else None),
                    "target": _figure(row.metric.target),
                    "on_track": row.on_track_label,
                }
            )
    return rows


@require_safe
def impact_report_json(request, year: str):
    report = _report(year)
    spend = report["spend"]
    return JsonResponse(
        {
            "financial_year": report["year_label"],
            "period": {"start": report["start"].isoformat(), "end": report["end"].isoformat()},
            "metrics": _rows(report),
            "pledges": {
                "made_in_year": report["pledges"].made,
                "to_date": report["pledges"].to_date,
                "progress_updates": report["pledges"].updates,
            },
            "spend": None
            if spend is None
            else {
                "total": str(spend.total),
                "borough_share": str(spend.shares.borough_share),
                "county_share": str(spend.shares.county_share),
                "sme_share": str(spend.shares.sme_share),
                "vcse_share": str(spend.shares.vcse_share),
                "unknown_locality_share": _share(spend.shares.unknown_share),
                "shares_judgeable": spend.shares.judgeable,
                "influenceable_total": str(spend.shares.influenceable),
                "influenceable_borough_share": _share(spend.shares.influenceable_borough_share),
                "influenceable_county_share": _share(spend.shares.influenceable_county_share),
                "influenceable_shares_judgeable": spend.shares.influenceable_judgeable,
                "excluded_total": str(spend.shares.excluded),
                "excluded_by_rule": [
                    {"rule": row.name, "reason": row.reason, "total": str(row.total)}
                    for row in spend.excluded
                ],
            },
            "lm3": [
                {"name": s.name, "organisation": s.organisation, "lm3": str(s.breakdown.lm3)}
                for s in report["lm3_studies"]
            ],
        }
    )


@require_safe
def impact_report_csv(request, year: str):
    report = _report(year)
    header = ["foundation", "metric", "code", "unit", "value", "previous", "target", "on_track"]
    return csv_download(
        filename=f"impact-{report['year_slug']}.csv",
        lines=csv_lines(
            header=header, rows=[[row[key] for key in header] for row in _rows(report)]
        ),
    )
