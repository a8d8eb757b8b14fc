"""Reads for the neighbourhood dashboards: each neighbourhood's latest published balance sheet
(its net position) and the state of this year's sheet. Three queries for every neighbourhood."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from balancesheets.models import BalanceSheet, SheetStatus, financial_year_title
from balancesheets.selectors import sheets_published_current, sheets_totals
from metrics.periods import financial_year_of
from neighbourhoods.models import Council


@dataclass(frozen=True)
class PublishedSheetSummary:
    year: int
    net: Decimal
    url: str

    @property
    def year_title(self) -> str:
        return financial_year_title(self.year)


@dataclass(frozen=True)
class CurrentSheetSummary:
    year: int
    status: str

    @property
    def year_title(self) -> str:
        return financial_year_title(self.year)


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
    this_year = financial_year_of(timezone.localdate())
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
