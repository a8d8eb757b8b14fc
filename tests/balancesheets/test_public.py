"""The public balance sheet pages, their CSV, JSON and PDF: published sheets only, the same
totals everywhere, restatements shown, and a fixed number of queries whatever the years."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balancesheets import services
from balancesheets.models import BalanceSheet
from balancesheets.selectors import sheet_totals
from core.formatting import pounds
from tests.balancesheets.conftest import QUANTITIES, fill, publish
from tests.balancesheets.factories import BalanceSheetFactory, LineFactory, publish_directly

SHEET = "/balance-sheets/2024-25/{slug}/"


@pytest.fixture
def slug(published_sheet):
    return published_sheet.neighbourhood.slug


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# What is public


def test_only_published_sheets_are_public(
    client, council, published_sheet, library, an_officer, slug
):
    others = list(council.neighbourhoods.order_by("order"))[1:]
    draft = services.balance_sheet_create(
        council=council, neighbourhood=others[0], year=2024, actor=an_officer
    )
    fill(draft, library, an_officer, {"regular-volunteers": 5})
    submitted = services.balance_sheet_create(
        council=council, neighbourhood=others[1], year=2024, actor=an_officer
    )
    fill(submitted, library, an_officer, {"regular-volunteers": 5})
    services.balance_sheet_submit(sheet=submitted, actor=an_officer)
    unpublished_year = services.balance_sheet_create(
        council=council, neighbourhood=others[2], year=2022, actor=an_officer
    )
    fill(unpublished_year, library, an_officer, {"regular-volunteers": 5})

    index = client.get("/balance-sheets/")
    assert index.status_code == 200
    assert b"Community Balance Sheets 2024/25" in index.content
    assert b"2022/23" not in index.content
    assert client.get("/balance-sheets/2022-23/").status_code == 404
    assert client.get(SHEET.format(slug=slug)).status_code == 200
    for sheet in (draft, submitted):
        for suffix in ("/", ".csv", ".json", ".pdf"):
            url = f"/balance-sheets/2024-25/{sheet.neighbourhood.slug}{suffix}"
            assert client.get(url).status_code == 404, url
    year = client.get("/balance-sheets/2024-25/")
    assert year.content.count(b"Not published yet") == 2 * 5
    year_json = client.get("/balance-sheets/2024-25.json").json()
    published = [a["slug"] for a in year_json["neighbourhoods"] if a["published"]]
    assert published == [slug]


def test_unknown_years_and_areas_are_not_found(client, published_sheet, slug):
    for path in (
        "/balance-sheets/2024-26/",
        "/balance-sheets/1999-00/",
        "/balance-sheets/2025-26/",
        f"/balance-sheets/2023-24/{slug}/",
        "/balance-sheets/2024-25/nowhere/",
        "/balance-sheets/2024-25/borough/",
        f"/balance-sheets/2024-25/{slug}/version-7/",
        f"/balance-sheets/2024-25/{'x' * 300}/",
    ):
        assert client.get(path).status_code == 404, path


def test_the_sheet_page_shows_totals_by_capital_and_evidence(client, published_sheet, slug):
    response = client.get(SHEET.format(slug=slug))
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-xl">{published_sheet.neighbourhood.name}</h1>' in page
    for amount in ("£2,690,000.50", "£276,000.00", "£2,414,000.50", "\u2212£175,000.00"):
        assert amount in page, amount
    assert "Measure Up, regular volunteering (2023 prices), illustrative" in page
    assert "Test evidence" in page
    assert "Counted in units only" in page  # street trees: no proxy
    assert "No sheet was published for the year before" in page
    assert "illustrative proxies" in page
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_the_sheet_page_summarises_large_sums_and_keeps_the_exact_ones(
    client, published_sheet, slug
):
    page = client.get(SHEET.format(slug=slug)).content.decode()
    assert "<strong>£2.4m</strong>" in page  # the net position in the summary
    assert "£2,414,000.50" in page  # to the penny in the table of capitals


def test_the_change_against_the_previous_year(
    client, council, published_sheet, library, an_officer, a_validator, slug
):
    last_year = services.balance_sheet_create(
        council=council, neighbourhood=published_sheet.neighbourhood, year=2023, actor=an_officer
    )
    fill(last_year, library, an_officer, {"regular-volunteers": 90, "people-in-work": 50})
    publish(last_year, by=an_officer, checked_by=a_validator)
    previous_net = Decimal(90 * 3400 + 50 * 42000)
    change = Decimal("2414000.50") - previous_net
    page = client.get(SHEET.format(slug=slug)).content.decode()
    assert f"+{pounds(change, pence=True)}" in page
    assert pounds(previous_net, pence=True) in page
    record = client.get(f"/balance-sheets/2024-25/{slug}.json").json()
    assert record["totals"]["previous_net"] == f"{previous_net:.2f}"
    assert record["totals"]["change"] == f"{change:.2f}"
    assert record["previous_year"]["financial_year"] == "2023/24"


# Downloads carry the same totals


def test_the_json_carries_the_same_totals_and_lines(client, published_sheet, slug):
    record = client.get(f"/balance-sheets/2024-25/{slug}.json").json()
    totals = sheet_totals(sheet=published_sheet)
    assert record["financial_year"] == "2024/25"
    assert record["version"] == 1
    assert record["totals"]["assets"] == "2690000.50" == f"{totals.assets:.2f}"
    assert record["totals"]["liabilities"] == "276000.00"
    assert record["totals"]["net"] == "2414000.50"
    natural = next(c for c in record["totals"]["capitals"] if c["code"] == "natural")
    assert natural["net"] == "-175000.00"
    assert len(record["lines"]) == len(QUANTITIES)
    assert sum(Decimal(line["value"] or 0) for line in record["lines"]) == Decimal("2966000.50")
    volunteers = next(x for x in record["lines"] if x["indicator"]["code"] == "regular-volunteers")
    assert volunteers["proxy"]["illustrative"] is True
    assert volunteers["value"] == "340000.00"
    assert "email" not in json.dumps(record)


def test_the_csv_carries_the_same_totals(client, published_sheet, slug):
    response = client.get(f"/balance-sheets/2024-25/{slug}.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    lines = [row for row in rows if row["row_type"] == "line"]
    total = next(row for row in rows if row["row_type"] == "total")
    assert len(lines) == len(QUANTITIES)
    assert Decimal(total["assets_gbp"]) == Decimal("2690000.50")
    assert Decimal(total["net_gbp"]) == Decimal("2414000.50")
    for row in (r for r in rows if r["row_type"] == "capital_total"):
        mine = [x for x in lines if x["capital_code"] == row["capital_code"]]
        assets = sum(
            (Decimal(x["value_gbp"] or 0) for x in mine if x["side"] == "asset"), Decimal(0)
        )
        assert Decimal(row["assets_gbp"]) == assets


def test_the_year_downloads_carry_the_page_totals(client, published_sheet, slug):
    rows = _csv(client.get("/balance-sheets/2024-25.csv"))
    mine = next(r for r in rows if r["area_slug"] == slug and r["capital_code"] == "")
    assert Decimal(mine["net_gbp"]) == Decimal("2414000.50")
    borough = next(r for r in rows if r["area_slug"] == "borough" and r["capital_code"] == "")
    assert borough["summed_from_neighbourhoods"] == "yes"
    assert Decimal(borough["net_gbp"]) == Decimal("2414000.50")
    record = client.get("/balance-sheets/2024-25.json").json()
    assert record["borough"]["totals"]["net"] == "2414000.50"
    page = client.get("/balance-sheets/2024-25/").content.decode()
    assert page.count("£2.4m") == 2  # the neighbourhood and the borough total


def test_a_spreadsheet_formula_in_the_evidence_is_defused(
    council, library, an_officer, a_validator, client
):
    sheet = services.balance_sheet_create(
        council=council, neighbourhood=None, year=2024, actor=an_officer
    )
    services.balance_sheet_line_add(
        sheet=sheet,
        indicator=library["green-space"],
        data=services.LineInput(quantity=Decimal(1), evidence='=HYPERLINK("http://x")'),
        actor=an_officer,
    )
    publish(sheet, by=an_officer, checked_by=a_validator)
    rows = _csv(client.get("/balance-sheets/2024-25/borough.csv"))
    assert rows[0]["evidence"].startswith("'=")


# The PDF


def test_the_pdf_opens_and_carries_the_page_totals(client, published_sheet, slug):
    response = client.get(f"/balance-sheets/2024-25/{slug}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    page = client.get(SHEET.format(slug=slug)).content.decode()
    assert published_sheet.neighbourhood.name in text
    for amount in ("£2,690,000.50", "£276,000.00", "£2,414,000.50", "£2,100,000.00"):
        assert amount in text, amount
        assert amount in page, amount
    assert "Measure Up" in text


def test_the_pdf_fetches_nothing_from_the_network(published_sheet, monkeypatch, slug, client):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("The PDF tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert client.get(f"/balance-sheets/2024-25/{slug}.pdf").content.startswith(b"%PDF")


# Restatements


@pytest.fixture
def restated(published_sheet, an_officer, a_validator):
    version_2 = services.balance_sheet_restate(
        sheet=published_sheet, actor=an_officer, reason="Volunteers were counted twice"
    )
    services.balance_sheet_line_change(
        line=version_2.lines.get(indicator__code="regular-volunteers"),
        data=services.LineInput(quantity=Decimal(80)),
        actor=an_officer,
    )
    return publish(version_2, by=an_officer, checked_by=a_validator)


def test_an_unpublished_restatement_leaves_the_published_version_in_place(
    client, published_sheet, an_officer, slug
):
    services.balance_sheet_restate(sheet=published_sheet, actor=an_officer, reason="Typo")
    page = client.get(SHEET.format(slug=slug)).content.decode()
    assert "£2,414,000.50" in page
    assert "Restated" not in page


def test_a_restatement_shows_what_was_restated_and_keeps_both_versions(client, restated, slug):
    page = client.get(SHEET.format(slug=slug)).content.decode()
    assert "Restated on" in page
    assert "Volunteers were counted twice" in page
    assert "£2,346,000.50" in page  # 20 fewer volunteers at £3,400
    assert f"/balance-sheets/2024-25/{slug}/version-1/" in page
    first = client.get(f"/balance-sheets/2024-25/{slug}/version-1/").content.decode()
    assert "£2,414,000.50" in first
    assert "It was restated on" in first
    assert "See the current version" in first
    assert client.get(f"/balance-sheets/2024-25/{slug}/version-2/").status_code == 302
    record = client.get(f"/balance-sheets/2024-25/{slug}/version-1.json").json()
    assert record["current"] is False
    assert record["totals"]["net"] == "2414000.50"
    assert record["restated_by"]["version"] == 2
    current = client.get(f"/balance-sheets/2024-25/{slug}.json").json()
    assert current["restatement_reason"] == "Volunteers were counted twice"
    assert current["restates"]["url"].endswith(f"/balance-sheets/2024-25/{slug}/version-1/")
    old_pdf = _pdf_text(client.get(f"/balance-sheets/2024-25/{slug}/version-1.pdf").content)
    assert "Superseded" in old_pdf
    assert "£2,414,000.50" in old_pdf
    year = client.get("/balance-sheets/2024-25/").content.decode()
    assert "£2.3m" in year  # £2,346,000.50
    assert "£2.4m" not in year  # £2,414,000.50
    index = client.get("/balance-sheets/").content.decode()
    assert "1 restatement" in index


# Queries


def _years_of_sheets(council, library, years, by, checked_by):
    neighbourhoods = list(council.neighbourhoods.order_by("order"))
    for year in years:
        for neighbourhood in [*neighbourhoods, None]:
            sheet = BalanceSheetFactory(council=council, neighbourhood=neighbourhood, year=year)
            for code in ("regular-volunteers", "people-in-work", "household-emissions"):
                LineFactory(sheet=sheet, indicator=library[code])
            publish_directly(sheet, by=by, checked_by=checked_by)


def _count_queries(client, paths) -> dict[str, int]:
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = len(queries)
    return counts


def test_public_pages_read_as_many_queries_for_ten_years_as_for_one(
    client, council, library, an_officer, a_validator
):
    from django.core.cache import cache

    slug = council.neighbourhoods.order_by("order").first().slug
    paths = [
        "/balance-sheets/",
        "/balance-sheets/2024-25/",
        "/balance-sheets/2024-25.csv",
        "/balance-sheets/2024-25.json",
        f"/balance-sheets/2024-25/{slug}/",
        f"/balance-sheets/2024-25/{slug}.csv",
        f"/balance-sheets/2024-25/{slug}.json",
        f"/balance-sheets/2024-25/{slug}.pdf",
        "/balance-sheets/2024-25/borough/",
    ]
    _years_of_sheets(council, library, [2024], an_officer, a_validator)
    cache.clear()
    one_year = _count_queries(client, paths)
    _years_of_sheets(council, library, range(2015, 2024), an_officer, a_validator)
    assert BalanceSheet.objects.filter(status="published").count() == 70
    cache.clear()
    ten_years = _count_queries(client, paths)
    assert ten_years == one_year
    assert max(one_year.values()) <= 8, one_year
