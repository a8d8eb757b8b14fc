"""/spend/: the shares equal an independent calculation, a fixed number of queries whatever the
data size, safe CSV downloads, and no query string breaks it."""

import csv
import datetime
import io
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.spend.models import Locality
from metrics.spend.sources import spend_shares
from tests.metrics.factories_spend import spend_generate


def _payments():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.payment_date, t.amount, t.department, s.locality, s.is_sme, s.is_vcse,
                s.is_redacted, s.name
            FROM metrics_spendtransaction t JOIN metrics_supplier s ON s.id = t.supplier_id
            """
        )
        return cursor.fetchall()


def _pct(part, whole) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def independent(start, end):
    """The shares worked out in Python over the same rows, from the method's written rules."""
    sums, counts = defaultdict(Decimal), defaultdict(int)
    for day, amount, _department, locality, sme, vcse, redacted, _name in _payments():
        if not start <= day <= end:
            continue
        if redacted:
            sums["redacted"] += amount
            counts["redacted"] += 1
            continue
        sums["total"] += amount
        counts["total"] += 1
        sums[locality] += amount
        counts[locality] += 1
        if sme:
            sums["sme"] += amount
        if sme is not None:
            sums["sme_known"] += amount
        if vcse:
            sums["vcse"] += amount
    total = sums["total"]
    return {
        "sums": sums,
        "counts": counts,
        "value": {loc: _pct(sums[loc], total) for loc in Locality.values},
        "count": {loc: _pct(counts[loc], counts["total"]) for loc in Locality.values},
        "borough": _pct(sums["borough"], total),
        "county": _pct(sums["borough"] + sums["county"], total),
        "sme": _pct(sums["sme"], total),
        "sme_of_known": _pct(sums["sme"], sums["sme_known"]),
        "vcse": _pct(sums["vcse"], total),
    }


@pytest.fixture
def spend(council):
    spend_generate(1000)


YEAR = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
QUARTER = (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))


@pytest.mark.parametrize(
    ("query", "period"), [("year=2024-25", YEAR), ("quarter=2024-25-Q3", QUARTER),
                          ("year=2024-25&quarter=Q3", QUARTER)]
)  # fmt: skip
def test_the_shares_equal_an_independent_calculation(spend, client, query, period):
    expected = independent(*period)
    response = client.get(f"/spend/?{query}")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.total == expected["sums"]["total"]
    assert summary.count == expected["counts"]["total"]
    assert summary.redacted_total == expected["sums"]["redacted"]
    for row in summary.localities:
        assert row.total == expected["sums"][row.locality]
        assert row.value_share == expected["value"][row.locality]
        assert row.count_share == expected["count"][row.locality]
    assert sum(row.value_share for row in summary.localities) == pytest.approx(100, abs=0.001)
    assert summary.shares.borough_share == expected["borough"]
    assert summary.shares.county_share == expected["county"]
    assert summary.sme.share == expected["sme"]
    assert summary.sme.share_of_known == expected["sme_of_known"]
    assert summary.vcse.share == expected["vcse"]
    # The metrics' single definition gives the same figures.
    canonical = spend_shares(period_start=period[0], period_end=period[1])
    assert canonical == summary.shares
    # And the page shows them.
    page = re.sub(r"\s+", " ", response.content.decode())
    assert f'data-figure="borough-share">{expected["borough"]:.1f}%<' in page
    assert f'data-figure="county-share">{expected["county"]:.1f}%<' in page


def test_the_default_period_is_the_latest_year_with_spend(spend, client):
    response = client.get("/spend/")
    assert response.context["period"].slug == "2025-26"
    assert response.context["error"] == ""


def test_the_trend_has_each_quarter_up_to_the_period(spend, client):
    trend = client.get("/spend/?year=2024-25").context["trend"]
    labels = [row["label"] for row in trend]
    assert labels == [f"2023/24 Q{q}" for q in range(1, 5)] + [f"2024/25 Q{q}" for q in range(1, 5)]


def test_the_leakage_table_lists_non_local_suppliers_largest_first(spend, client):
    start, end = YEAR
    totals = defaultdict(Decimal)
    for day, amount, _dept, locality, _sme, _vcse, redacted, name in _payments():
        if start <= day <= end and not redacted and locality in ("county", "elsewhere"):
            totals[name] += amount
    expected = sorted(totals, key=lambda name: (-totals[name], name))[:20]
    leakage = client.get("/spend/?year=2024-25").context["leakage"]
    assert [row["name"] for row in leakage] == expected


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_for_1000_and_100000_payments(council, client):
    spend_generate(1000)
    small = {path: _queries(client, path) for path in ("/spend/", "/spend/?quarter=2024-25-Q2")}
    spend_generate(99_000, first=1001)
    large = {path: _queries(client, path) for path in small}
    assert small == large
    assert small["/spend/"] <= 9  # and the exclusion rules read, and spend left out by rule
    print(f"\n/spend/ queries: {small}")


def test_with_no_spend_the_page_says_so(council, client):
    response = client.get("/spend/?year=2024-25")
    assert response.status_code == 200
    assert b"No spending has been published here yet" in response.content
    assert client.get("/spend/localities.csv").status_code == 404


def test_a_period_without_payments_says_so(spend, client):
    response = client.get("/spend/?year=2019-20")
    assert response.status_code == 200
    assert b"No payments were made in this period" in response.content
    assert ("2019-20", "2019/20") in response.context["year_choices"]


CSV_TABLES = ["localities", "quarters", "departments", "suppliers", "sme-vcse", "top-suppliers",
              "excluded"]  # fmt: skip


@pytest.mark.parametrize("table", CSV_TABLES)
def test_each_table_downloads_as_csv_without_formulas(spend, client, table):
    response = client.get(f"/spend/{table}.csv?year=2024-25")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="spend-{table}-2024-25.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            # Numbers may be negative; text never starts a formula.
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_supplier_csv_guards_formula_like_names(spend, client):
    text = client.get("/spend/suppliers.csv?year=2024-25").content.decode()
    assert "'=Supplier" in text
    assert ",=Supplier" not in text


def test_the_localities_csv_adds_up(spend, client):
    text = client.get("/spend/localities.csv?quarter=2024-25-Q3").content.decode()
    rows = {row["locality"]: row for row in csv.DictReader(io.StringIO(text[1:]))}
    expected = independent(*QUARTER)
    for locality in Locality.values:
        assert Decimal(rows[locality]["spend_gbp"]) == expected["sums"][locality]
    assert Decimal(rows["redacted"]["spend_gbp"]) == expected["sums"]["redacted"]


def test_csv_links_on_the_page_keep_the_period(spend, client):
    page = client.get("/spend/?quarter=2024-25-Q2").content.decode()
    assert 'href="/spend/quarters.csv?quarter=2024-25-Q2"' in page


BAD_QUERIES = [
    "year=abc",
    "year=2024-26",
    "year=2024",
    "year=99999-00",
    "year=1850-51",
    "quarter=Q9",
    "quarter=Q1",
    "quarter=2024-25-Q5",
    "quarter=2024-25-Q1&year=2023-24",
    "year=%00",
    "quarter=%00%ff",
    "year=" + "9" * 5000,
    "year=\uff12\uff10\uff12\uff14-\uff12\uff15",  # full-width digits
    "year[]=2024-25",
    "year=2024-25&year=<script>",
    "page=-1&sort=;DROP TABLE",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_strings_never_break_the_page(spend, client, query):
    response = client.get(f"/spend/?{query}")
    assert response.status_code == 200
    assert b"<script>" not in response.content


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_strings_never_break_the_csv(spend, client, query):
    response = client.get(f"/spend/localities.csv?{query}")
    assert response.status_code in (200, 400)


def test_a_bad_period_shows_an_error_and_the_default_period(spend, client):
    response = client.get("/spend/?year=2024-26")
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Choose a financial year from the list" in page
    assert response.context["period"].slug == "2025-26"


def test_unknown_tables_are_not_found(spend, client):
    assert client.get("/spend/colours.csv").status_code == 404
    assert client.get("/spend/localities.csv?year=2024-26").status_code == 400


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(year=st.text(max_size=30), quarter=st.text(max_size=30))
def test_any_period_text_gives_a_page(spend, client, year, quarter):
    response = client.get("/spend/", {"year": year, "quarter": quarter})
    assert response.status_code == 200
