"""Issue 12's acceptance, end to end through the officer's path: files in the layouts real
councils publish are uploaded on the admin upload page, imported by the background worker and
published from the batch page; the public pages (/spend/, /spend/suppliers/, the CSV downloads,
the impact report) then say what the payments written here add up to, worked out in this module
with Decimal from the amounts written into the files, never from the importer.

The files: (a) a workbook of three monthly sheets, each with a title block above its LGA-style
header row ("N/A" in every "Irrecoverable VAT" cell) and a "Total" line below its payments; (b) a
file with nine £0.01 lines naming no supplier, rejected unless the officer chooses to leave
such lines out; (c) a supplier paid at a borough postcode and at one outside it, and a "THIRD
PARTY SUPPLIER" payee; (d) payments to Hertfordshire County Council and HMRC."""

import csv
import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.formatting import percentage, pounds
from metrics.spend.models import ImportBatch, SpendTransaction
from neighbourhoods.services import postcodes_import
from tests.metrics.factories import officer_user
from tests.signin import sign_in_verified

UPLOAD = "/admin/metrics/importbatch/upload/"
YEAR = "2024-25"
BODY = "Stevenage Borough Council"
PENNY = Decimal("0.01")

# Postcodes and the districts the (test's own) lookup places them in.
BOROUGH_POSTCODE = "SG1 1AA"  # Stevenage
BOROUGH_POSTCODE_2 = "SG2 7BB"  # Stevenage
COUNTY_POSTCODE = "SG4 9AA"  # North Hertfordshire
COUNTY_COUNCIL_POSTCODE = "SG13 8DQ"  # East Hertfordshire
ELSEWHERE_POSTCODE = "MK9 2FP"  # Milton Keynes
ELSEWHERE_POSTCODE_2 = "LU1 2AA"  # Luton
LOOKUPS = {
    BOROUGH_POSTCODE: "E07000243",
    BOROUGH_POSTCODE_2: "E07000243",
    COUNTY_POSTCODE: "E07000099",
    COUNTY_COUNCIL_POSTCODE: "E07000242",
    ELSEWHERE_POSTCODE: "E06000042",
    ELSEWHERE_POSTCODE_2: "E06000032",
}
BOROUGH, COUNTY, ELSEWHERE, UNKNOWN = "borough", "county", "elsewhere", "unknown"
PLACE = {
    BOROUGH_POSTCODE: BOROUGH,
    BOROUGH_POSTCODE_2: BOROUGH,
    COUNTY_POSTCODE: COUNTY,
    COUNTY_COUNCIL_POSTCODE: COUNTY,
    ELSEWHERE_POSTCODE: ELSEWHERE,
    ELSEWHERE_POSTCODE_2: ELSEWHERE,
    "": UNKNOWN,
}
WITHHELD = "THIRD PARTY SUPPLIER"
# A private individual's name and home postcode, on the withheld payee's line: neither may
# ever appear on a public page.
WITHHELD_POSTCODE = "SG1 9ZZ"


# --- The files, as (supplier, postcode, amount, is public body) payments plus their layout ----

# (a) One sheet a month: (date, supplier, postcode, amount).
WORKBOOK_SHEETS = {
    "April 2024": [
        (datetime.date(2024, 4, 3), "Bedwell Roofing Ltd", BOROUGH_POSTCODE, Decimal("1250.00")),
        (datetime.date(2024, 4, 9), "Hitchin Glazing Ltd", COUNTY_POSTCODE, Decimal("2310.45")),
        (datetime.date(2024, 4, 22), "Atlas Software plc", ELSEWHERE_POSTCODE, Decimal("9800.00")),
    ],
    "May 2024": [
        (datetime.date(2024, 5, 2), "Bedwell Roofing Ltd", BOROUGH_POSTCODE, Decimal("875.10")),
        (datetime.date(2024, 5, 17), "Atlas Software plc", ELSEWHERE_POSTCODE, Decimal("4200.00")),
    ],
    "June 2024": [
        (datetime.date(2024, 6, 4), "Hitchin Glazing Ltd", COUNTY_POSTCODE, Decimal("640.00")),
        (datetime.date(2024, 6, 12), "Bedwell Roofing Ltd", BOROUGH_POSTCODE, Decimal("3125.99")),
        (datetime.date(2024, 6, 28), "Atlas Software plc", ELSEWHERE_POSTCODE, Decimal("-300.00")),
    ],
}
# (b) A quarter's file: payments, and nine "Difference A/c" lines of a penny with no supplier.
PENNY_PAYMENTS = [
    (datetime.date(2024, 7, 5), "Shephall Catering Ltd", BOROUGH_POSTCODE_2, Decimal("1980.00")),
    (datetime.date(2024, 8, 14), "Atlas Software plc", ELSEWHERE_POSTCODE, Decimal("5150.75")),
]
PENNY_LINES = 9
# (c) One supplier paid at a borough postcode and at one outside the borough; a withheld payee.
TWO_PLACES_SUPPLIER = "Fairlands Print Works Ltd"
TWO_PLACES = [
    (datetime.date(2024, 9, 2), TWO_PLACES_SUPPLIER, BOROUGH_POSTCODE_2, Decimal("2000.00")),
    (datetime.date(2024, 9, 16), TWO_PLACES_SUPPLIER, ELSEWHERE_POSTCODE_2, Decimal("3000.00")),
]
WITHHELD_PAYMENTS = [
    (datetime.date(2024, 9, 20), WITHHELD, WITHHELD_POSTCODE, Decimal("750.00")),
]
# (d) Other public bodies, which the reference file's register leaves out of influenceable spend.
PUBLIC_BODIES = [
    (
        datetime.date(2024, 10, 15),
        "Hertfordshire County Council",
        COUNTY_COUNCIL_POSTCODE,
        Decimal("8000.00"),
    ),
    (datetime.date(2024, 10, 15), "HMRC", "", Decimal("4500.00")),
]


def workbook_file() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    number = 0
    for name, payments in WORKBOOK_SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([BODY])
        sheet.append([f"Expenditure over £500: {name}"])
        sheet.append(["Published under the Local Government Transparency Code 2015"])
        sheet.append([])
        sheet.append(
            ["Organisation Name", "Invoice Payment Date", "Trans No",
             "Supplier (Beneficiary) Name", "Supplier Postcode", "Amount Paid",
             "Irrecoverable VAT", "Expenditure Category"]
        )  # fmt: skip
        for day, supplier, postcode, amount in payments:
            number += 1
            sheet.append(
                [BODY, day, f"T{number:05d}", supplier, postcode, float(amount), "N/A", "Works"]
            )
        # The VAT column's "N/A" runs down into the total line too.
        total = float(sum(p[3] for p in payments))
        sheet.append(["Total", None, None, None, None, total, "N/A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_file(payments, *, extra_lines=()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Body Name", "Payment Date", "Transaction Number", "Supplier Name",
                     "Supplier Postcode", "Amount", "Expense Type"])  # fmt: skip
    for number, (day, supplier, postcode, amount) in enumerate(payments, start=1):
        writer.writerow(
            [BODY, f"{day:%d/%m/%Y}", f"C{number:05d}", supplier, postcode, f"£{amount:,}",
             "Services"]
        )  # fmt: skip
    writer.writerows(extra_lines)
    return out.getvalue().encode("utf-8")


def pennies_file() -> bytes:
    pennies = [
        [BODY, f"{day:02d}/07/2024", f"D{day:05d}", "", "", "0.01", "Difference A/c"]
        for day in range(1, PENNY_LINES + 1)
    ]
    return _csv_file(PENNY_PAYMENTS, extra_lines=pennies)


def two_places_file() -> bytes:
    return _csv_file(TWO_PLACES + WITHHELD_PAYMENTS)


def public_bodies_file() -> bytes:
    return _csv_file(PUBLIC_BODIES)


# --- The figures, worked out here -------------------------------------------------------------


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def expected() -> dict:
    """The year's figures from the payments written above: named suppliers only (the withheld
    payee is left out of every share, the penny lines and footers out of everything), each
    payment placed where its own postcode is, HCC and HMRC left out of influenceable spend."""
    named = [
        *(payment for payments in WORKBOOK_SHEETS.values() for payment in payments),
        *PENNY_PAYMENTS,
        *TWO_PLACES,
        *PUBLIC_BODIES,
    ]
    total = sum((amount for *_, amount in named), Decimal(0))
    borough = sum(
        (amount for _, _, postcode, amount in named if PLACE[postcode] == BOROUGH), Decimal(0)
    )
    excluded = sum((amount for *_, amount in PUBLIC_BODIES), Decimal(0))
    excluded_borough = sum(
        (amount for _, _, postcode, amount in PUBLIC_BODIES if PLACE[postcode] == BOROUGH),
        Decimal(0),
    )
    influenceable = total - excluded
    return {
        "total": total,
        "borough_share": _share(borough, total),
        "influenceable": influenceable,
        "influenceable_borough_share": _share(borough - excluded_borough, influenceable),
        "excluded": excluded,
        "withheld": sum((amount for *_, amount in WITHHELD_PAYMENTS), Decimal(0)),
    }


# --- The officer's path -----------------------------------------------------------------------


@pytest.fixture
def officer(council, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    postcodes_import(rows=[{"pcds": postcode, "lad24cd": lad} for postcode, lad in LOOKUPS.items()])
    user = officer_user()
    sign_in_verified(client, user)
    return user


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def upload(client, run_worker, name: str, content: bytes, **data) -> ImportBatch:
    """Upload on the admin page, let the background worker import it; the batch."""
    kind = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile(name, content, content_type=kind), **data}
    )
    assert response.status_code == 302, _text(response)
    run_worker()
    return ImportBatch.objects.get(pk=re.search(r"/(\d+)/change/$", response["Location"])[1])


def publish(client, batch: ImportBatch) -> None:
    """The batch page's publish button: its confirmation page, then confirm."""
    url = f"/admin/metrics/importbatch/{batch.pk}/action/publish/"
    assert client.get(url).status_code == 200
    client.post(url, {"apply": "yes"})
    batch.refresh_from_db()
    assert batch.status == "published", batch.error_report


@pytest.fixture
def published(officer, client, run_worker):
    """All four files uploaded (the penny file with the officer's choice) and published."""
    batches = [
        upload(client, run_worker, "spend-q1.xlsx", workbook_file()),
        upload(client, run_worker, "spend-q2.csv", pennies_file(), leave_out_trivial="on"),
        upload(client, run_worker, "spend-sep.csv", two_places_file()),
        upload(client, run_worker, "spend-oct.csv", public_bodies_file()),
    ]
    for batch in batches:
        assert batch.status == "review", batch.error_report
        publish(client, batch)
    client.logout()  # the public pages, as the public sees them
    return batches


def _figure(page: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]+)<', page)[1].strip()


def _spend_page(client) -> str:
    response = client.get("/spend/", {"year": YEAR})
    assert response.status_code == 200
    return _text(response)


def _download(client, table: str) -> list[dict]:
    response = client.get(f"/spend/{table}.csv", {"year": YEAR})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- What the officer sees ----------------------------------------------------------------------


def test_every_sheet_of_the_workbook_is_read_below_its_title_block_and_its_totals_left_out(
    officer, client, run_worker
):
    batch = upload(client, run_worker, "spend-q1.xlsx", workbook_file())

    assert batch.status == "review", batch.error_report
    assert [(sheet["name"], sheet["header_line"]) for sheet in batch.sheets] == [
        (name, 5) for name in WORKBOOK_SHEETS
    ]
    payments = [payment for payments in WORKBOOK_SHEETS.values() for payment in payments]
    assert batch.added == len(payments)
    assert batch.left_out == len(WORKBOOK_SHEETS)  # one "Total" line a sheet
    assert [(item["sheet"], Decimal(item["amount"])) for item in batch.left_out_report] == [
        (name, sum(p[3] for p in sheet)) for name, sheet in WORKBOOK_SHEETS.items()
    ]
    held = SpendTransaction.objects.filter(batch=batch)
    assert sum(t.amount for t in held) == sum(p[3] for p in payments)
    assert not held.exclude(irrecoverable_vat=None).exists()  # "N/A" read as empty


def test_the_batch_page_names_each_sheet_its_header_row_and_its_lines(officer, client, run_worker):
    batch = upload(client, run_worker, "spend-q1.xlsx", workbook_file())

    page = _text(client.get(f"/admin/metrics/importbatch/{batch.pk}/change/"))
    for name, payments in WORKBOOK_SHEETS.items():
        lines = len(payments) + 1  # and its "Total" line, left out
        assert f"<tr><td>{name}</td><td>5</td><td>{lines} (1 left out)</td><td>read</td></tr>" in (
            page
        )


def test_penny_lines_with_no_supplier_reject_the_file_and_the_message_names_the_choice(
    officer, client, run_worker
):
    batch = upload(client, run_worker, "spend-q2.csv", pennies_file())

    assert (batch.status, batch.added) == ("rejected", 0)
    assert SpendTransaction.objects.count() == 0
    page = _text(client.get(f"/admin/metrics/importbatch/{batch.pk}/change/"))
    assert "choose to leave out trivial lines" in page


def test_with_the_officers_choice_the_penny_lines_are_left_out_and_listed_on_the_batch_page(
    officer, client, run_worker
):
    upload(client, run_worker, "spend-q2.csv", pennies_file())  # rejected first
    batch = upload(client, run_worker, "spend-q2.csv", pennies_file(), leave_out_trivial="on")

    assert (batch.status, batch.leave_out_trivial) == ("review", True)
    assert (batch.added, batch.left_out) == (len(PENNY_PAYMENTS), PENNY_LINES)
    held = SpendTransaction.objects.filter(batch=batch)
    assert sum(t.amount for t in held) == sum(p[3] for p in PENNY_PAYMENTS)
    page = _text(client.get(f"/admin/metrics/importbatch/{batch.pk}/change/"))
    assert f"{PENNY_LINES} lines left out." in page
    assert page.count("<td>£0.01</td>") == PENNY_LINES


# --- What the public sees -----------------------------------------------------------------------


def test_spend_page_total_is_the_sum_of_the_named_suppliers_payments(published, client):
    page = _spend_page(client)
    assert _figure(page, "total") == pounds(expected()["total"], pence=False)


def test_spend_page_borough_share_counts_each_payment_where_its_postcode_is(published, client):
    page = _spend_page(client)
    assert _figure(page, "borough-share") == percentage(expected()["borough_share"])


def test_spend_page_borough_share_of_influenceable_spend_leaves_out_public_bodies(
    published, client
):
    page = _spend_page(client)
    figures = expected()
    assert _figure(page, "influenceable-borough-share") == percentage(
        figures["influenceable_borough_share"]
    )
    assert _figure(page, "influenceable-total") == pounds(figures["influenceable"], pence=False)


def test_spend_page_says_how_much_the_public_bodies_rules_left_out(published, client):
    page = _spend_page(client)
    excluded = expected()["excluded"]
    assert f"{pounds(excluded, pence=False)} (" in page


def test_the_left_out_download_gives_each_rules_total(published, client):
    rows = _download(client, "excluded")
    by_rule = {row["rule"]: Decimal(row["spend_gbp"]) for row in rows if row["spend_gbp"] != "0.00"}
    figures = expected()
    assert by_rule == {
        "Payments to the county council": PUBLIC_BODIES[0][3],
        "Payments to HM Revenue and Customs": PUBLIC_BODIES[1][3],
        "Left out in all": figures["excluded"],
        "Influenceable spend": figures["influenceable"],
    }


def test_the_localities_download_totals_the_named_suppliers_payments(published, client):
    rows = {row["locality"]: row for row in _download(client, "localities")}
    assert Decimal(rows["total"]["spend_gbp"]) == expected()["total"]


def test_the_withheld_payee_is_counted_apart_from_the_named_suppliers(published, client):
    withheld = expected()["withheld"]
    rows = {row["locality"]: row for row in _download(client, "localities")}
    assert Decimal(rows["redacted"]["spend_gbp"]) == withheld
    assert f"A further {pounds(withheld, pence=False)} (" in _spend_page(client)


def test_the_top_suppliers_download_lists_every_named_supplier_with_its_total(published, client):
    rows = _download(client, "top-suppliers")
    by_supplier = {row["supplier"]: Decimal(row["spend_gbp"]) for row in rows}
    assert sum(by_supplier.values()) == expected()["total"]
    assert by_supplier[TWO_PLACES_SUPPLIER] == sum(p[3] for p in TWO_PLACES)


def test_a_supplier_paid_at_two_postcodes_counts_in_the_borough_only_what_was_paid_there(
    published, client
):
    rows = {row["supplier"]: row for row in _download(client, "top-suppliers")}
    in_borough = sum(p[3] for p in TWO_PLACES if PLACE[p[2]] == BOROUGH)
    assert Decimal(rows[TWO_PLACES_SUPPLIER]["paid_in_borough_gbp"]) == in_borough


def test_the_impact_report_gives_the_same_figures(published, client):
    data = client.get(f"/impact/{YEAR}.json").json()["spend"]
    figures = expected()
    assert Decimal(data["total"]) == figures["total"]
    assert Decimal(data["borough_share"]) == figures["borough_share"]
    assert Decimal(data["influenceable_borough_share"]) == figures["influenceable_borough_share"]
    assert Decimal(data["excluded_total"]) == figures["excluded"]


def test_the_suppliers_page_lists_the_supplier_paid_at_two_places_once(published, client):
    response = client.get("/spend/suppliers/", {"year": YEAR})
    assert response.status_code == 200
    assert _text(response).count(TWO_PLACES_SUPPLIER) == 1


def test_no_public_page_shows_the_withheld_payee_or_any_postcode(published, client):
    pages = [
        _spend_page(client),
        _text(client.get("/spend/suppliers/", {"year": YEAR})),
        _text(client.get(f"/impact/{YEAR}/")),
        client.get(f"/impact/{YEAR}.json").content.decode(),
        *(
            client.get(f"/spend/{table}.csv", {"year": YEAR}).content.decode("utf-8-sig")
            for table in ("localities", "top-suppliers", "suppliers", "excluded")
        ),
    ]
    for page in pages:
        assert WITHHELD.casefold() not in page.casefold()
        for postcode in [*LOOKUPS, WITHHELD_POSTCODE]:
            assert postcode not in page
            assert postcode.replace(" ", "") not in page
