"""The periods /spend/ reports on: a financial year (`?year=2024-25`) or one of its quarters
(`?quarter=2024-25-Q1`, April to June 2024)."""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.periods import FinancialYear

_QUARTER = re.compile(r"(?:(\d{4})-(\d{2})-)?Q([1-4])", re.IGNORECASE)
# A financial quarter's first month, and the year it falls in relative to the financial year.
_QUARTER_STARTS = {1: (4, 0), 2: (7, 0), 3: (10, 0), 4: (1, 1)}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class SpendPeriod:
    start_year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        if self.quarter is None:
            return FinancialYear(self.start_year).start
        month, offset = _QUARTER_STARTS[self.quarter]
        return datetime.date(self.start_year + offset, month, 1)

    @property
    def end(self) -> datetime.date:
        if self.quarter is None:
            return FinancialYear(self.start_year).end
        start = self.start
        following = datetime.date(
            start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1
        )
        return following - datetime.timedelta(days=1)

    @property
    def year_slug(self) -> str:
        return FinancialYear(self.start_year).slug

    @property
    def slug(self) -> str:
        return self.year_slug if self.quarter is None else f"{self.year_slug}-Q{self.quarter}"

    @property
    def query(self) -> dict[str, str]:
        return {"year": self.slug} if self.quarter is None else {"quarter": self.slug}

    @property
    def label(self) -> str:
        """ "2024/25" or "April to June 2024 (2024/25 Q1)"."""
        year = FinancialYear(self.start_year).label
        if self.quarter is None:
            return year
        return f"{self.start:%B} to {self.end:%B %Y} ({year} Q{self.quarter})"

    @property
    def short_label(self) -> str:
        year = FinancialYear(self.start_year).label
        return year if self.quarter is None else f"{year} Q{self.quarter}"


def quarter_of(day: datetime.date) -> SpendPeriod:
    """The financial quarter a day falls in."""
    return SpendPeriod(FinancialYear.of(day).start_year, ((day.month - 4) % 12) // 3 + 1)


def period_from_query(query: Mapping[str, str]) -> SpendPeriod | None:
    """The period a query string asks for, None when it asks for none. Raises PeriodError.

    `quarter=2024-25-Q1` alone, `year=2024-25` alone, or the chooser form's `year=2024-25` with
    `quarter=Q1` (an empty quarter means the whole year).
    """
    year_text = (query.get("year") or "").strip()
    quarter_text = (query.get("quarter") or "").strip()
    if len(year_text) > 20 or len(quarter_text) > 20:
        raise PeriodError("Choose a financial year from the list")
    start_year = None
    if year_text:
        start_year = _start_year(year_text)
        if start_year is None or ("-" not in year_text and "/" not in year_text):
            raise PeriodError("Choose a financial year from the list")
    quarter = None
    if quarter_text:
        match = _QUARTER.fullmatch(quarter_text)
        if not match:
            raise PeriodError("Choose a quarter from the list")
        if match.group(1):
            quarter_year = _start_year(f"{match.group(1)}-{match.group(2)}")
            if quarter_year is None or (start_year is not None and quarter_year != start_year):
                raise PeriodError("Choose a quarter from the list")
            start_year = quarter_year
        elif start_year is None:
            raise PeriodError("Choose a financial year as well as a quarter")
        quarter = int(match.group(3))
    if start_year is None:
        return None
    return SpendPeriod(start_year, quarter)


def _start_year(text: str) -> int | None:
    year = FinancialYear.parse(text)
    return None if year is None else year.start_year
