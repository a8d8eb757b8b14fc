"""UK financial years (1 April to 31 March): one type for labels, URL slugs, dates and parsing.

A financial year is named by the calendar year it starts in. It is written "2024/25" on pages,
in files and in the accounts, and "2024-25" in URLs (a slash cannot stand in a path segment).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

# "2024/25", "2024-25", "2024-2025", "2024 / 25" or "2024".
_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[-/]\s*(\d{2}|\d{4}))?\s*$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    # The years the portal accepts anywhere: in URLs, forms, imports and the database.
    FIRST = 2000
    LAST = 2099

    @property
    def in_range(self) -> bool:
        """Whether the portal accepts this year (parse and from_slug give no other)."""
        return self.FIRST <= self.start_year <= self.LAST

    @classmethod
    def of(cls, day: datetime.date) -> "FinancialYear":
        """The financial year a day falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def current(cls) -> "FinancialYear":
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str | None) -> "FinancialYear | None":
        """ "2024/25", "2024-25", "2024-2025" or "2024"; None when it is no financial year."""
        match = _PATTERN.match(text or "")
        if not match:
            return None
        start = int(match.group(1))
        if match.group(2):
            end = int(match.group(2))
            if end != (start + 1) % (100 if len(match.group(2)) == 2 else 10000):
                return None
        year = cls(start)
        return year if year.in_range else None

    @classmethod
    def from_slug(cls, slug: str) -> "FinancialYear | None":
        """Only the URL form, exactly: "2024-25"."""
        year = cls.parse(slug)
        return year if year is not None and year.slug == slug else None

    @property
    def label(self) -> str:
        """2024 -> "2024/25"."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        """2024 -> "2024-25"."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def dates(self) -> tuple[datetime.date, datetime.date]:
        return self.start, self.end

    @property
    def previous(self) -> "FinancialYear":
        return FinancialYear(self.start_year - 1)

    @property
    def next(self) -> "FinancialYear":
        return FinancialYear(self.start_year + 1)

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def financial_year_label(start_year: int) -> str:
    """The label of the financial year starting in April of `start_year`, for templates and code
    that hold a bare year (a model's `year` column)."""
    return FinancialYear(start_year).label


def financial_year_slug(start_year: int) -> str:
    return FinancialYear(start_year).slug
