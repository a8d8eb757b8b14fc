"""Financial years in URLs are written 2024-25: the converter gives views the starting year."""

from core.periods import FinancialYear


class FinancialYearConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> int:
        # "2024-26" or "1999-00" is no financial year: the URL does not match, so a 404.
        year = FinancialYear.from_slug(value)
        if year is None:
            raise ValueError(value)
        return year.start_year

    def to_url(self, value: int) -> str:
        return FinancialYear(int(value)).slug
