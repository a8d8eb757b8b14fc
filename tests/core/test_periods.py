"""One financial-year type: 1 April to 31 March, "2024/25" on pages, "2024-25" in URLs."""

import datetime

import pytest

from core.periods import FinancialYear, financial_year_label, financial_year_slug


def test_a_financial_year_runs_from_april_to_march():
    assert FinancialYear(2024).dates == (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))


@pytest.mark.parametrize(
    ("day", "start_year"),
    [(datetime.date(2025, 3, 31), 2024), (datetime.date(2025, 4, 1), 2025)],
)
def test_a_day_falls_in_the_year_that_started_the_april_before(day, start_year):
    assert FinancialYear.of(day) == FinancialYear(start_year)
    assert day in FinancialYear(start_year)


def test_it_is_labelled_with_a_slash_and_written_in_urls_with_a_hyphen():
    assert FinancialYear(2024).label == "2024/25"
    assert FinancialYear(2099).label == "2099/00"
    assert FinancialYear(2024).slug == "2024-25"
    assert financial_year_label(2024) == "2024/25"
    assert financial_year_slug(2024) == "2024-25"


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "2024-2025", "2024", " 2024 / 25 "])
def test_the_ways_people_write_a_year_are_read(text):
    assert FinancialYear.parse(text) == FinancialYear(2024)


@pytest.mark.parametrize("text", ["2024/26", "", "24/25", "twenty", "2024-25-26", None])
def test_what_is_no_financial_year_is_not_read(text):
    assert FinancialYear.parse(text) is None


@pytest.mark.parametrize("text", ["1999/00", "2100/01"])
def test_a_year_outside_the_portals_range_is_not_read(text):
    assert FinancialYear.parse(text) is None


def test_a_url_slug_must_be_written_exactly():
    assert FinancialYear.from_slug("2024-25") == FinancialYear(2024)
    assert FinancialYear.from_slug("2024/25") is None
    assert FinancialYear.from_slug("2024-2025") is None


def test_years_order_and_step():
    year = FinancialYear(2024)
    assert year.previous < year < year.next
    assert year.next.label == "2025/26"
