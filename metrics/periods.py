"""Reporting periods of metric values: financial years, their quarters, months, and labels."""

import datetime

from core.periods import FinancialYear
from metrics.models import Frequency


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
    return (start, end) == FinancialYear(start.year).dates


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
        return FinancialYear(start.year).label
    months = _months_between(start, end)
    if months == 1:
        return f"{start:%B %Y}"
    if months and start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    if months:
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
