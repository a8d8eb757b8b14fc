"""A borough figure summed from fewer than all the neighbourhoods says so, and its change against
the year before compares the same neighbourhoods in both years, or is not shown, saying why.

The arithmetic here is the test's own: quantities times the reference prices (regular volunteers
£3,400 each, people in work £42,000 each), not the selectors' sums.
"""

import csv
import io
from decimal import Decimal

import pytest

from balancesheets import services
from tests.balancesheets.conftest import fill, publish

VOLUNTEER, WORKER = Decimal(3400), Decimal(42000)


def _sheet(council, neighbourhood, year, quantities, library, by, checked_by):
    sheet = services.balance_sheet_create(
        council=council, neighbourhood=neighbourhood, year=year, actor=by
    )
    fill(sheet, library, by, quantities)
    return publish(sheet, by=by, checked_by=checked_by)


@pytest.fixture
def one_of_six(council, library, an_officer, a_validator):
    """2024/25: all six neighbourhoods and a borough sheet; 2025/26: only the first one."""
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    for number, neighbourhood in enumerate(neighbourhoods, start=1):
        quantities = {"regular-volunteers": 10 * number, "people-in-work": 100 * number}
        _sheet(council, neighbourhood, 2024, quantities, library, an_officer, a_validator)
    borough = {"regular-volunteers": 210, "people-in-work": 2100}
    _sheet(council, None, 2024, borough, library, an_officer, a_validator)
    this_year = {"regular-volunteers": 15, "people-in-work": 130}
    _sheet(council, neighbourhoods[0], 2025, this_year, library, an_officer, a_validator)
    return neighbourhoods


def test_a_sum_of_one_neighbourhood_says_it_is_one_of_six(client, one_of_six):
    page = client.get("/balance-sheets/2025-26/").content.decode()
    assert "Stevenage (1 of 6 neighbourhoods)" in page
    assert "only 1 of the 6 neighbourhoods\u2019 sheets are" in page
    assert "Stevenage (whole borough)" not in page


def test_the_count_comes_from_the_councils_neighbourhoods(client, council, one_of_six):
    council.neighbourhoods.create(name="Great Ashby", slug="great-ashby", order=7)
    page = client.get("/balance-sheets/2025-26/").content.decode()
    assert "Stevenage (1 of 7 neighbourhoods)" in page


def test_the_change_compares_the_same_neighbourhood_in_both_years(client, one_of_six):
    net_now = 15 * VOLUNTEER + 130 * WORKER  # £5,511,000
    net_then = 10 * VOLUNTEER + 100 * WORKER  # the same neighbourhood: £4,234,000
    change = net_now - net_then  # £1,277,000, not against 2024/25's borough of £89m
    assert change == Decimal(1_277_000)
    page = client.get("/balance-sheets/2025-26/").content.decode()
    assert page.count("+£1.3m") == 2  # the neighbourhood and the sum of one
    assert "compares the same 1 neighbourhood in both years" in page
    record = client.get("/balance-sheets/2025-26.json").json()["borough"]
    assert record["name"] == "Stevenage (1 of 6 neighbourhoods)"
    assert record["neighbourhoods_summed"] == 1
    assert record["neighbourhoods_in_borough"] == 6
    assert record["totals"]["net"] == f"{net_now:.2f}"
    assert record["totals"]["previous_net"] == f"{net_then:.2f}"
    assert record["totals"]["change"] == f"{change:.2f}"
    assert record["change_not_shown_because"] is None


def test_the_year_csv_says_how_many_neighbourhoods_the_sum_holds(client, one_of_six):
    response = client.get("/balance-sheets/2025-26.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    borough = next(r for r in rows if r["area_slug"] == "borough" and r["capital_code"] == "")
    assert (borough["neighbourhoods_summed"], borough["neighbourhoods_in_borough"]) == ("1", "6")
    assert Decimal(borough["change_gbp"]) == Decimal(1_277_000)


def test_without_the_same_neighbourhoods_a_year_before_no_change_is_shown(
    client, council, library, an_officer, a_validator, one_of_six
):
    quantities = {"regular-volunteers": 1, "people-in-work": 1}
    # 2026/27: the second neighbourhood, and one with no 2025/26 sheet (the first has one).
    _sheet(council, one_of_six[0], 2026, quantities, library, an_officer, a_validator)
    _sheet(council, one_of_six[1], 2026, quantities, library, an_officer, a_validator)
    page = client.get("/balance-sheets/2026-27/").content.decode()
    assert "Stevenage (2 of 6 neighbourhoods)" in page
    reason = "not every neighbourhood in this sum has a sheet for 2025/26"
    assert f"Not shown: {reason}" in page
    record = client.get("/balance-sheets/2026-27.json").json()["borough"]
    assert record["totals"]["change"] is None
    assert record["change_not_shown_because"] == reason


def test_all_six_neighbourhoods_make_the_whole_borough(
    client, council, library, an_officer, a_validator
):
    for neighbourhood in council.neighbourhoods.all():
        quantities = {"regular-volunteers": 1}
        _sheet(council, neighbourhood, 2024, quantities, library, an_officer, a_validator)
    page = client.get("/balance-sheets/2024-25/").content.decode()
    assert "Stevenage (whole borough)" in page
    assert "of 6 neighbourhoods)" not in page
