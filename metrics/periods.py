"""Reporting periods: UK financial years (1 April to 31 March), their quarters, and labels."""

import datetime
import re

from metrics.models import Frequency

FINANCIAL_YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[-/]\s*(\d{2}|\d{4}))?\s*$")


def financial_year(start_year: int) -> tuple[datetime.date, datetime.date]:
    """The financial year starting in April of `start_year`: (1 April, 31 March)."""
    return datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 3, 31)


def financial_year_of(day: datetime.date) -> int:
    """The start year of the financial year `day` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    """2024 -> "2024/25"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_slug(start_year: int) -> str:
    """2024 -> "2024-25", as financial years are written in URLs."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_parse(text: str) -> int | None:
    """ "2024/25", "2024-25", "2024-2025" or "2024" -> 2024; None when it is not a year."""
    match = FINANCIAL_YEAR_PATTERN.match(text or "")
    if not match:
        return None
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2))
        if end != (start + 1) % (100 if len(match.group(2)) == 2 else 10000):
            return None
    return start if 1900 <= start <= 2200 else None


def _is_month_start(day: datetime.date) -> bool:
    return day.day == 1


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _months_between(start: datetime.date, end: datetime.date) -> int | None:
    """How many whole calendar months [start, end] spans, or None if not whole months."""
    if not _is_month_start(start) or end != _month_end(end):
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def is_financial_year(start: datetime.date, end: datetime.date) -> bool:
    return (start, end) == financial_year(start.year)


def is_financial_quarter(start: datetime.date, end: datetime.date) -> bool:
    return start.month in (1, 4, 7, 10) and _months_between(start, end) == 3


def period_fits(*, frequency: str, start: datetime.date, end: datetime.date) -> bool:
    """Whether a value's period matches its metric's frequency, so that trends line up."""
    if frequency == Frequency.ANNUAL:
        return is_financial_year(start, end)
    if frequency == Frequency.QUARTERLY:
        return is_financial_quarter(start, end)
    if frequency == Frequency.MONTHLY:
        return _months_between(start, end) == 1
    return end >= start


# Keyed by Frequency; typed by str because that is what a model's choice field holds.
PERIOD_HINTS: dict[str, str] = {
    Frequency.ANNUAL: "a financial year: 1 April to 31 March",
    Frequency.QUARTERLY: "a quarter: April to June, July to September, October to December "
    "or January to March",
    Frequency.MONTHLY: "a calendar month",
}


def period_label(start: datetime.date, end: datetime.date) -> str:
    """How a period reads on a page: "2024/25", "April to June 2024", "May 2024", or dates."""
    if is_financial_year(start, end):
        return financial_year_label(start.year)
    months = _months_between(start, end)
    if months == 1:
        return f"{start:%B %Y}"
    if months and start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    if months:
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
