"""Reads for the neighbourhood dashboards: each neighbourhood's latest published balance sheet
(its net position) and the state of this year's sheet. Three queries for every neighbourhood."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from balancesheets.models import BalanceSheet, SheetStatus
from balancesheets.selectors import sheets_published_current, sheets_totals
from core.periods import FinancialYear, financial_year_label
from neighbourhoods.models import Council


@dataclass(frozen=True)
class PublishedSheetSummary:
    year: int
    net: Decimal
    url: str

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


@dataclass(frozen=True)
class CurrentSheetSummary:
    year: int
    status: str

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


@dataclass(frozen=True)
class SheetDashboardSummary:
    published: PublishedSheetSummary | None = None
    current: CurrentSheetSummary | None = None


def sheet_dashboard_summaries(*, council: Council) -> dict[int, SheetDashboardSummary]:
    """Neighbourhood id → its latest published sheet and this financial year's sheet."""
    latest: dict[int, BalanceSheet] = {}
    for sheet in (
        sheets_published_current(council=council)
        .filter(neighbourhood__isnull=False)
        .select_related("neighbourhood")
        .order_by("neighbourhood_id", "-year")
    ):
        latest.setdefault(sheet.neighbourhood_id, sheet)
    totals = sheets_totals(sheets=latest.values())
    this_year = FinancialYear.current().start_year
    # The newest version of each neighbourhood's sheet for this year (later ones overwrite).
    current = {
        sheet.neighbourhood_id: sheet
        for sheet in BalanceSheet.objects.filter(
            council=council, year=this_year, neighbourhood__isnull=False
        ).order_by("neighbourhood_id", "version")
    }
    summaries = {}
    for neighbourhood_id in set(latest) | set(current):
        published = latest.get(neighbourhood_id)
        draft = current.get(neighbourhood_id)
        summaries[neighbourhood_id] = SheetDashboardSummary(
            published=PublishedSheetSummary(
                year=published.year,
                net=totals[published.pk].net,
                url=reverse(
                    "balancesheets:sheet", args=[published.year, published.neighbourhood.slug]
                ),
            )
            if published
            else None,
            current=CurrentSheetSummary(year=draft.year, status=SheetStatus(draft.status).label)
            if draft
            else None,
        )
    return summaries
