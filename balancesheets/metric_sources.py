"""The CWB metrics balance sheets can compute, registered with metrics in the app's ready().

They read published sheets only, each area's current version. A balance sheet is a position at
the end of a financial year (31 March), so a period takes the latest financial year that ends
within it; None when no sheet for such a year is published. For the whole borough (no
neighbourhood) the borough sheet counts, or the sum of the neighbourhood sheets without one.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from metrics.sources import metric_source_register
from neighbourhoods.models import Neighbourhood


def _years_ending_in(period_start: datetime.date, period_end: datetime.date) -> list[int]:
    """Financial years (by starting year) whose 31 March falls within the period, latest first."""
    return [
        year
        for year in range(period_end.year - 1, period_start.year - 2, -1)
        if period_start <= datetime.date(year + 1, 3, 31) <= period_end
    ]


def _position(measure: Callable) -> Callable:
    def compute(
        period_start: datetime.date,
        period_end: datetime.date,
        neighbourhood: Neighbourhood | None = None,
    ) -> Decimal | None:
        from balancesheets.selectors import sheets_published_current, sheets_totals, sum_totals

        years = _years_ending_in(period_start, period_end)
        if not years:
            return None
        sheets = sheets_published_current(council=_council(neighbourhood)).filter(year__in=years)
        sheets = list(sheets.order_by("-year"))
        if not sheets:
            return None
        year = sheets[0].year
        sheets = [sheet for sheet in sheets if sheet.year == year]
        if neighbourhood is not None:
            sheets = [s for s in sheets if s.neighbourhood_id == neighbourhood.pk]
        else:
            borough = [s for s in sheets if s.neighbourhood_id is None]
            sheets = borough or sheets
        if not sheets:
            return None
        totals = sheets_totals(sheets=sheets)
        combined = sum_totals(
            capitals=[c.capital for c in next(iter(totals.values())).capitals],
            parts=totals.values(),
        )
        return measure(combined)

    return compute


def _council(neighbourhood: Neighbourhood | None):
    if neighbourhood is not None:
        return neighbourhood.council
    from neighbourhoods.selectors import council_current

    return council_current()


net_position = _position(lambda totals: totals.net)
social_value = _position(lambda totals: totals.for_capital("social").assets)


def metric_sources_register() -> None:
    metric_source_register(
        "balancesheets.net_position",
        label="Balance sheets: net position (£) at the end of the financial year",
        compute=net_position,
    )
    metric_source_register(
        "balancesheets.social_capital_assets",
        label="Balance sheets: social capital assets (£) at the end of the financial year",
        compute=social_value,
    )
