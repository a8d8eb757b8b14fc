"""Financial years in URLs are written 2024-25: the converter gives views the starting year."""

from balancesheets.models import FIRST_YEAR, LAST_YEAR, financial_year_label


class FinancialYearConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> int:
        year = int(value[:4])
        # "2024-26" or "1999-00" is no financial year: the URL does not match, so a 404.
        if not FIRST_YEAR <= year <= LAST_YEAR or financial_year_label(year) != value:
            raise ValueError(value)
        return year

    def to_url(self, value: int) -> str:
        return financial_year_label(int(value))
