"""The demo spend tells the Community Wealth Building story and is made once."""

import datetime
from decimal import Decimal

from metrics.spend.demo import demo_spend_ensure
from metrics.spend.models import Locality, SpendTransaction, Supplier
from metrics.spend.sources import spend_shares


def test_demo_spend_is_realistic_idempotent_and_local_spend_rises(council):
    today = datetime.date(2025, 11, 30)
    count = demo_spend_ensure(council=council, today=today)
    assert 2000 <= count <= 8000
    assert demo_spend_ensure(council=council, today=today) == count
    assert SpendTransaction.objects.count() == count

    suppliers = Supplier.objects.filter(is_redacted=False)
    assert 200 <= suppliers.count() <= 300
    localities = set(suppliers.values_list("locality", flat=True))
    assert localities == set(Locality.values)
    assert Supplier.objects.filter(is_redacted=True).count() == 1
    assert suppliers.filter(neighbourhood__isnull=False).exists()
    assert suppliers.filter(is_sme=True).exists()
    assert suppliers.filter(is_vcse=True).exists()
    first, _last = SpendTransaction.objects.order_by("payment_date").values_list(
        "payment_date", flat=True
    )[:: max(1, count - 1)][:2]
    assert first == datetime.date(2024, 4, 1)

    earlier = spend_shares(
        period_start=datetime.date(2024, 4, 1), period_end=datetime.date(2024, 9, 30)
    )
    later = spend_shares(
        period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2025, 9, 30)
    )
    assert later.borough_share > earlier.borough_share


def test_the_demo_leaves_last_months_reissued_file_in_review_for_an_officer(council):
    from metrics.spend.models import ImportBatch
    from metrics.spend.selectors import import_batches_in_review

    demo_spend_ensure(council=council, today=datetime.date(2025, 11, 30))
    published = ImportBatch.objects.get(file_name="demo-spending-over-500.csv")
    waiting = import_batches_in_review().get()
    assert waiting.file_name == "demo-spending-over-500-2025-10-reissued.csv"
    assert (waiting.rows, waiting.added, waiting.already_held) == (42, 12, 30)
    assert published.added == SpendTransaction.objects.filter(batch=published).count()
    dates = SpendTransaction.objects.filter(batch=waiting).values_list("payment_date", flat=True)
    assert {(day.year, day.month) for day in dates} == {(2025, 10)}


def test_the_demo_publishes_a_workbook_of_monthly_sheets_with_their_totals_left_out(council):
    from metrics.spend.models import ImportBatch

    demo_spend_ensure(council=council, today=datetime.date(2025, 11, 30))
    workbook = ImportBatch.objects.get(file_name="demo-spending-over-500-2025-07-to-2025-09.xlsx")
    assert workbook.status == "published"
    assert [sheet["name"] for sheet in workbook.sheets] == [
        "July 2025",
        "August 2025",
        "September 2025",
    ]
    assert all(sheet["header_line"] == 4 and sheet["left_out"] == 1 for sheet in workbook.sheets)
    assert workbook.left_out == 3
    assert sum(sheet["rows"] for sheet in workbook.sheets) == workbook.rows
    footers = workbook.left_out_report
    assert [item["sheet"] for item in footers] == [s["name"] for s in workbook.sheets]
    for footer, sheet in zip(footers, workbook.sheets, strict=True):
        held = SpendTransaction.objects.filter(
            batch=workbook,
            payment_date__month={"July": 7, "August": 8, "September": 9}[sheet["name"][:-5]],
        )
        assert Decimal(str(footer["amount"])) == sum(t.amount for t in held)


def test_the_demo_saves_a_column_mapping_and_leaves_out_last_months_penny_lines(council):
    from metrics.spend.models import ImportBatch, SpendColumnMapping

    demo_spend_ensure(council=council, today=datetime.date(2025, 11, 30))
    mapping = SpendColumnMapping.objects.get()
    assert (mapping.body_name, mapping.columns) == (
        "Stevenage Borough Council",
        {"Creditor Account": "supplier_ref"},
    )
    month = ImportBatch.objects.get(file_name="demo-spending-over-500-2025-10.csv")
    assert (month.status, month.leave_out_trivial, month.left_out) == ("published", True, 9)
    assert len(month.left_out_report) == 9
    assert not SpendTransaction.objects.filter(amount=Decimal("0.01")).exists()
