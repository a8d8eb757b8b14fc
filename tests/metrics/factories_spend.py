"""Factories and file makers for the spend tests."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import factory
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from metrics.spend.models import ImportBatch, Locality, LocalitySource, SpendTransaction, Supplier
from metrics.spend.names import supplier_name_normalise
from metrics.spend.values import line_hash

LICHFIELD_HEADER = [
    "Body name",
    "Date",
    "Transaction number",
    "Amount",
    "Supplier name",
    "Supplier ID",
    "Expense area",
    "Expense type",
    "Expense code",
    "Extended description",
]


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = factory.Sequence(lambda n: f"spend-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    # Published: its payments count in the public figures (a batch in review's do not).
    status = ImportBatch.Status.PUBLISHED
    reviewed_at = factory.LazyFunction(timezone.now)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ["normalised_name"]

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    normalised_name = factory.LazyAttribute(lambda o: supplier_name_normalise(o.name))
    locality = Locality.UNKNOWN
    locality_source = factory.LazyAttribute(
        lambda o: (
            LocalitySource.NONE
            if o.locality == Locality.UNKNOWN
            else LocalitySource.POSTCODE_LOOKUP
        )
    )


class SpendTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendTransaction

    batch = factory.SubFactory(ImportBatchFactory)
    payment_date = datetime.date(2024, 6, 1)
    amount = Decimal("1000.00")
    supplier = factory.SubFactory(SupplierFactory)
    department = "Housing"
    line_hash = factory.Sequence(lambda n: line_hash(f"factory-{n}", 1))


def csv_file(
    path: Path,
    rows: list[list],
    *,
    header: list[str] | None = None,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
) -> Path:
    """Write a CSV as councils publish them: any header, encoding and BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header or LICHFIELD_HEADER)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def xlsx_file(path: Path, rows: list[list], *, header: list[str], title: str = "") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


SUPPLIER_MIX = [
    # (locality, is_sme, is_vcse, is_redacted)
    (Locality.BOROUGH, True, False, False),
    (Locality.BOROUGH, True, True, False),
    (Locality.BOROUGH, None, None, False),
    (Locality.COUNTY, True, False, False),
    (Locality.COUNTY, False, None, False),
    (Locality.ELSEWHERE, False, False, False),
    (Locality.ELSEWHERE, None, None, False),
    (Locality.ELSEWHERE, False, False, False),
    (Locality.UNKNOWN, None, None, False),
    (Locality.UNKNOWN, True, None, False),
]
FIRST_DAY = datetime.date(2023, 4, 1)  # three financial years: 2023-24 to 2025-26
DAYS = 1096


def _suppliers():
    suppliers = [
        SupplierFactory(
            name=f"=Supplier {i} {locality}",  # a formula-like name, for the CSV test
            locality=locality,
            is_sme=sme,
            is_vcse=vcse,
        )
        for i, (locality, sme, vcse, _) in enumerate(SUPPLIER_MIX * 3)
    ]
    suppliers.append(
        SupplierFactory(
            name="Redacted", normalised_name="[redacted]", is_redacted=True, locality="unknown"
        )
    )
    return suppliers


def spend_generate(count: int, *, first: int = 1) -> None:
    """`count` payments spread over three financial years, credit notes included, written by
    one INSERT ... SELECT over generate_series (100,000 rows in about a second)."""
    suppliers = _suppliers()
    batch = ImportBatchFactory()
    ids = [s.pk for s in suppliers]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO metrics_spendtransaction (
                batch_id, body_name, payment_date, transaction_number, amount,
                irrecoverable_vat, supplier_id, department, expense_type, description, line_hash
            )
            SELECT %(batch)s, 'Council', %(first)s::date + (g * 7) %% %(days)s, 'T' || g,
                CASE WHEN g %% 17 = 0 THEN -((g * 37) %% 500) ELSE 500 + (g * 7919) %% 90000 END
                    / 100.0 * 10,
                NULL, (%(ids)s::bigint[])[1 + (g * 13) %% %(n)s],
                'Department ' || (g %% 7), '', '', md5(g::text)::uuid
            FROM generate_series(%(from)s, %(from)s + %(count)s - 1) AS g
            """,
            {"batch": batch.pk, "first": FIRST_DAY, "days": DAYS, "ids": ids, "n": len(ids),
             "count": count, "from": first},
        )  # fmt: skip
