"""The annual impact report: validated figures only, the year's pledges and spend, downloads."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import FinancialYear
from metrics.models import ValueStatus
from metrics.spend.models import Locality
from tests.factories import PledgeFactory
from tests.metrics.factories import (
    MetricFactory,
    MetricValueFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

REPORT = "/impact/2024-25/"


def test_the_report_shows_validated_values_against_the_target(council, client):
    metric = MetricFactory(name="Apprenticeships started", target=Decimal("50"))
    MetricValueFactory(metric=metric, value=Decimal("42"))
    MetricValueFactory(
        metric=metric,
        value=Decimal("30"),
        period_start=datetime.date(2023, 4, 1),
        period_end=datetime.date(2024, 3, 31),
    )
    page = client.get(REPORT).content.decode()
    assert "Apprenticeships started" in page
    assert ">42<" in page.replace(" ", "")
    assert ">30<" in page.replace(" ", "")


def test_a_value_not_yet_validated_is_not_in_the_report(council, client):
    metric = MetricFactory(name="Volunteer hours")
    MetricValueFactory(metric=metric, value=Decimal("987654"), status=ValueStatus.SUBMITTED)
    page = client.get(REPORT).content.decode()
    assert "987,654" not in page
    assert "987654" not in page
    assert "Not validated" in page


def test_the_report_counts_the_years_published_pledges(council, client):
    in_year = datetime.datetime(2024, 9, 1, tzinfo=datetime.UTC)
    PledgeFactory.create_batch(3, confirmed_at=in_year)
    PledgeFactory(confirmed_at=datetime.datetime(2023, 9, 1, tzinfo=datetime.UTC))
    PledgeFactory(confirmed_at=in_year, status="confirmed", published_at=None)
    totals = client.get(REPORT).context["pledges"]
    assert (totals.made, totals.to_date) == (3, 4)


def test_the_report_gives_the_local_spend_share(council, client):
    local = SupplierFactory(locality=Locality.BOROUGH)
    SpendTransactionFactory(supplier=local, amount=Decimal("250.00"))
    SpendTransactionFactory(amount=Decimal("750.00"))
    data = client.get("/impact/2024-25.json").json()
    assert Decimal(data["spend"]["borough_share"]) == Decimal("25")


def test_the_csv_lists_every_metric_safely(council, client):
    MetricFactory(name="=HYPERLINK(1)")
    body = client.get("/impact/2024-25.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize("path", ["/impact/not-a-year/", "/impact/2024-99/", "/impact/1850-51/"])
def test_a_bad_year_is_not_found(council, client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("formats", ["/", ".json", ".csv"])
def test_a_year_that_has_not_begun_has_no_report(council, client, formats):
    next_year = FinancialYear.current().next
    assert client.get(f"/impact/{next_year.slug}{formats}").status_code == 404


def test_this_years_report_links_to_no_later_year(council, client):
    this_year = FinancialYear.current()
    page = client.get(f"/impact/{this_year.slug}/").content.decode()
    assert f'href="/impact/{this_year.previous.slug}/"' in page
    assert f'href="/impact/{this_year.next.slug}/"' not in page


def test_the_first_years_report_links_to_no_earlier_year(council, client):
    first = FinancialYear(FinancialYear.FIRST)
    page = client.get(f"/impact/{first.slug}/").content.decode()
    assert f'href="/impact/{first.previous.slug}/"' not in page  # a year the portal refuses


def test_the_downloads_give_figures_as_stored_without_padding(council, client):
    metric = MetricFactory(code="apprenticeships", unit="count", target=Decimal("500.0000"))
    MetricValueFactory(metric=metric, value=Decimal("63.0000"))
    share = MetricFactory(code="borough-share", unit="percent", target=Decimal("20"))
    MetricValueFactory(metric=share, value=Decimal("17.9690"))
    rows = {row["code"]: row for row in client.get("/impact/2024-25.json").json()["metrics"]}
    assert (rows["apprenticeships"]["value"], rows["apprenticeships"]["target"]) == ("63", "500")
    assert rows["borough-share"]["value"] == "17.969"
    body = client.get("/impact/2024-25.csv").content.decode("utf-8-sig")
    assert ",63,,500,Not on track" in body
    assert ".0000" not in body


def test_the_report_shows_no_none(council, client):
    MetricFactory(name="Apprenticeships started", target=None)
    page = client.get(REPORT).content.decode()
    assert "None" not in page.split("<main")[1]
    assert "No target set" in page


def test_the_report_runs_the_same_queries_however_many_values(council, client):
    metrics = MetricFactory.create_batch(2)
    for metric in metrics:
        MetricValueFactory(metric=metric)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORT)
    for metric in MetricFactory.create_batch(20):
        MetricValueFactory(metric=metric)
        SpendTransactionFactory()
        PledgeFactory()
    with CaptureQueriesContext(connection) as many:
        client.get(REPORT)
    assert len(many) == len(few)
