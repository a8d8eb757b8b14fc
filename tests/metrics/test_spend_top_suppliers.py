"""/spend/suppliers/ and its CSV: the 300 suppliers paid the most (Preston's first step), where
each is based, their SME and VCSE flags; redacted recipients never listed; formula-safe cells;
the same queries whatever the data size."""

import csv
import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.spend.models import Locality, SpendTransaction, Supplier
from metrics.spend.names import supplier_name_normalise
from metrics.spend.values import line_hash
from tests.metrics.factories_spend import ImportBatchFactory, spend_generate
from tests.metrics.test_spend_page import _payments

IN_YEAR = datetime.date(2024, 6, 1)
LOCALITIES = [Locality.BOROUGH, Locality.COUNTY, Locality.ELSEWHERE, Locality.UNKNOWN]


def _many_suppliers(count: int) -> None:
    """`count` suppliers, each paid once in 2024/25, supplier i paid £(1000 + i)."""
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name=f"Firm {i:03d} Ltd",
            normalised_name=supplier_name_normalise(f"Firm {i:03d} Ltd"),
            locality=LOCALITIES[i % 4],
            is_sme=[True, False, None][i % 3],
            is_vcse=[False, True][i % 2],
        )
        for i in range(count)
    )
    batch = ImportBatchFactory()
    SpendTransaction.objects.bulk_create(
        SpendTransaction(
            batch=batch,
            payment_date=IN_YEAR,
            amount=Decimal(1000 + i),
            supplier=supplier,
            line_hash=line_hash(f"many-{i}", 1),
        )
        for i, supplier in enumerate(suppliers)
    )


def test_the_table_lists_the_300_suppliers_paid_the_most_largest_first(council, client):
    _many_suppliers(305)
    response = client.get("/spend/suppliers/?year=2024-25")
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert len(rows) == 300
    assert [row["name"] for row in rows[:2]] == ["Firm 304 Ltd", "Firm 303 Ltd"]
    assert rows[-1]["name"] == "Firm 005 Ltd"
    assert rows[0]["where"] == "In the borough"  # 304 % 4 == 0
    assert (rows[0]["sme"], rows[0]["vcse"]) == ("No", "No")  # 304 % 3 == 1, 304 % 2 == 0
    assert rows[1]["sme"] == "Yes"  # 303 % 3 == 0
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "The 300 suppliers paid the most, 2024/25, largest first" in page


@pytest.fixture
def spend(council):
    spend_generate(1000)


def _independent(start, end):
    totals, counts, boroughs = defaultdict(Decimal), defaultdict(int), defaultdict(Decimal)
    for day, amount, _dept, locality, _sme, _vcse, redacted, name in _payments():
        if start <= day <= end and not redacted:
            totals[name] += amount
            counts[name] += 1
            if locality == Locality.BOROUGH:
                boroughs[name] += amount
    return totals, counts, boroughs


def test_the_csv_gives_each_suppliers_spend_and_is_formula_safe(spend, client):
    totals, counts, boroughs = _independent(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    response = client.get("/spend/top-suppliers.csv?year=2024-25")
    assert response.status_code == 200
    text = response.content.decode("utf-8")[1:]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(totals)
    for row in rows:
        assert row["supplier"].startswith("'=")  # every name here looks like a formula
        name = row["supplier"][1:]
        assert Decimal(row["spend_gbp"]) == totals[name]
        assert int(row["payments"]) == counts[name]
        assert Decimal(row["paid_in_borough_gbp"]) == boroughs[name]
    spent = [Decimal(row["spend_gbp"]) for row in rows]
    assert spent == sorted(spent, reverse=True)


def test_redacted_recipients_are_never_listed(spend, client):
    redacted = Supplier.objects.get(is_redacted=True)
    redacted.name = "Jane Private Person"
    redacted.save()
    page = client.get("/spend/suppliers/?year=2024-25").content.decode()
    text = client.get("/spend/top-suppliers.csv?year=2024-25").content.decode()
    assert "Jane Private Person" not in page
    assert "Jane Private Person" not in text


def test_without_spend_the_page_is_not_found(council, client):
    assert client.get("/spend/suppliers/").status_code == 404


def test_a_bad_period_shows_an_error_and_the_latest_year(spend, client):
    response = client.get("/spend/suppliers/?year=nonsense")
    assert response.status_code == 200
    assert response.context["error"]
    assert "Error: " in response.content.decode()


def test_the_spend_page_links_to_the_table_for_its_period(spend, client):
    page = client.get("/spend/?quarter=2024-25-Q3").content.decode()
    assert 'href="/spend/suppliers/?quarter=2024-25-Q3"' in page


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_and_csv_run_the_same_queries_for_1000_and_20000_payments(
    council, client, django_assert_max_num_queries
):
    paths = ("/spend/suppliers/", "/spend/top-suppliers.csv?year=2024-25")
    spend_generate(1000)
    small = {path: _queries(client, path) for path in paths}
    spend_generate(19_000, first=1001)
    _many_suppliers(400)
    with django_assert_max_num_queries(small["/spend/suppliers/"]):
        client.get("/spend/suppliers/")
    large = {path: _queries(client, path) for path in paths}
    assert small == large
    assert small["/spend/suppliers/"] <= 6
