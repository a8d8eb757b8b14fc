"""The spend import's rate on a generated 1,000,000-row "spending over £500" file, beside a
plain PostgreSQL COPY of the same file into a bare table in the same run, and the command's
peak memory.

    make bench        (or: .venv/bin/python -m pytest tests/bench -q -p no:xdist -s)

SPEND_BENCH_ROWS changes the size (e.g. 100000 for a quick look).
"""

import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from metrics.spend.models import ImportBatch, SpendTransaction
from neighbourhoods.models import PostcodeLookup
from neighbourhoods.services import postcodes_import

ROWS = int(os.environ.get("SPEND_BENCH_ROWS", "1000000"))
SEED = 2016
HEADER = [
    "Body name",
    "Date",
    "Transaction number",
    "Amount",
    "Supplier name",
    "Supplier ID",
    "Supplier Postcode",
    "Expense area",
    "Expense type",
    "Expense code",
    "Extended description",
]
DEPARTMENTS = [
    "Housing Revenue Account", "Housing General Fund", "Environmental Services",
    "Waste and Recycling", "Parks and Open Spaces", "Leisure and Culture",
    "Planning and Regeneration", "Finance and Estates", "Digital and Transformation",
    "Human Resources", "Legal and Democratic Services", "Communities and Neighbourhoods",
    "Stevenage Works", "Garage and Fleet", "Building Control", "Car Parks",
]  # fmt: skip
EXPENSE_TYPES = [
    "Repairs and Maintenance", "Professional Fees", "Agency Staff", "Equipment Purchase",
    "Software Licences", "Grants to Voluntary Organisations", "Utilities", "Cleaning",
    "Catering", "Consultancy", "Printing and Stationery", "Vehicle Fuel", "Insurance",
    "Rents Payable", "Training", "Subscriptions", "Security", "Waste Disposal",
]  # fmt: skip
WORDS = [
    "Hertford", "Chells", "Fairlands", "Anchor", "Beacon", "Crown", "Meridian", "Apex", "Summit",
    "Harbour", "Oak", "Willow", "Kingfisher", "Phoenix", "Northgate", "Castle", "Greenway",
    "Riverside", "Pioneer", "Lister", "Danestrete", "Bedwell", "Monument",
]  # fmt: skip
TRADES = ["Builders", "Roofing", "Electrical", "Plumbing", "Cleaning Services", "IT Solutions",
          "Consulting", "Landscapes", "Print", "Catering", "Security", "Training",
          "Engineering", "Legal", "Environmental", "Supplies", "Fleet Services"]  # fmt: skip
SUFFIXES = ["Ltd", "Limited", "LTD", "Ltd.", "PLC", "LLP", "CIC", "& Co", ""]
POSTCODES = [
    "SG1 1HN", "SG1 2EF", "SG1 3AU", "SG1 4AX", "SG2 7AQ", "SG2 8AS", "SG2 9AP",  # borough
    "SG4 9AA", "AL1 1AA", "SG12 0AA", "SG3 6AA",  # county
    "MK9 2FP", "LU1 2AA", "EC1A 1BB", "B1 1AA", "M1 1AA", "LS1 4AP",  # elsewhere
    "",  # not given
]  # fmt: skip
REDACTIONS = ["Redacted Personal Data", "REDACTED - COMMERCIAL CONFIDENTIALITY"]


def spend_file_generate(path: Path, rows: int, *, seed: int = SEED) -> Path:
    """A realistic spending file: ~4,000 suppliers written in several ways, £ signs and
    thousands commas, credit notes in brackets, redactions, split invoices."""
    rng = random.Random(seed)
    suppliers = []
    for number in range(4000):
        base = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {number}"
        suppliers.append((base, f"S{100000 + number}", rng.choice(POSTCODES)))
    first = date(2023, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        line = 0
        while line < rows:
            day = first + timedelta(days=rng.randrange(730))
            if rng.random() < 0.06:
                name, ref, postcode = rng.choice(REDACTIONS), "", ""
            else:
                name, ref, postcode = rng.choice(suppliers)
                name = f"{name} {rng.choice(SUFFIXES)}".strip()
            amount = round(rng.lognormvariate(7.2, 1.3), 2)
            text = f"£{amount:,.2f}" if rng.random() < 0.5 else f"{amount:.2f}"
            if rng.random() < 0.03:
                text = f"({amount:,.2f})"
            record = [
                "Stevenage Borough Council",
                day.strftime("%d/%m/%Y"),
                f"T{line:08d}",
                text,
                name,
                ref,
                postcode,
                rng.choice(DEPARTMENTS),
                rng.choice(EXPENSE_TYPES),
                f"E{rng.randrange(100, 999)}",
                f"Invoice {rng.randrange(10**6)} for {rng.choice(EXPENSE_TYPES).lower()}",
            ]
            # An invoice split into identical lines now and then: both are kept.
            for _ in range(2 if rng.random() < 0.01 else 1):
                writer.writerow(record)
                line += 1
    return path


def _database_url() -> str:
    """The test database, for the command run in a subprocess."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@/{db['NAME']}"
    if db.get("HOST"):
        url += f"?host={db['HOST']}"
    if db.get("PORT"):
        url += f"&port={db['PORT']}" if "?" in url else f"?port={db['PORT']}"
    return url


def _copy_baseline(path: Path) -> tuple[int, float]:
    """A plain COPY of the same file into a bare table of text columns: rows, seconds."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    return rows, seconds


@pytest.mark.django_db(transaction=True)
def test_spend_import_rate_against_copy(council, tmp_path):
    if not PostcodeLookup.objects.exists():
        sample = Path(settings.BASE_DIR, "data", "postcodes", "stevenage-sample.csv")
        with sample.open(encoding="utf-8-sig", newline="") as handle:
            postcodes_import(rows=csv.DictReader(handle), council=council)

    started = time.perf_counter()
    path = spend_file_generate(tmp_path / "spend.csv", ROWS)
    generated = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6

    copy_rows, copy_seconds = _copy_baseline(path)
    assert copy_rows == ROWS

    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_DEBUG": "true"}
    command = [sys.executable, "manage.py", "import_spend", str(path), "--no-progress"]
    started = time.perf_counter()
    finished = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    import_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert finished.returncode == 0, finished.stderr[-3000:]

    batch = ImportBatch.objects.get()
    assert batch.rows == ROWS
    assert SpendTransaction.objects.count() == batch.added == ROWS

    # The same file again is refused as already held (its sha256), before any row is read.
    started = time.perf_counter()
    again = subprocess.run(  # noqa: S603
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    again_seconds = time.perf_counter() - started
    assert again.returncode == 0, again.stderr[-3000:]
    assert "already held by import batch" in again.stderr
    assert SpendTransaction.objects.count() == ROWS

    # The same payments in a file that is not byte for byte the same (re-saved with a title line
    # above the header): every line is read and recognised as held, and nothing is added.
    resaved = tmp_path / "spend-resaved.csv"
    with path.open("rb") as original, resaved.open("wb") as copy:
        copy.write("Spending over £500, republished\n\n".encode())
        while chunk := original.read(1 << 20):
            copy.write(chunk)
    resaved_command = [*command[:3], str(resaved), *command[4:]]
    started = time.perf_counter()
    resaved_run = subprocess.run(  # noqa: S603
        resaved_command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    resaved_seconds = time.perf_counter() - started
    assert resaved_run.returncode == 0, resaved_run.stderr[-3000:]
    assert SpendTransaction.objects.count() == ROWS
    assert ImportBatch.objects.order_by("-pk").first().added == 0

    copy_rate = copy_rows / copy_seconds
    import_rate = ROWS / import_seconds
    print(
        f"\nSpend import benchmark: {ROWS:,} rows, {size_mb:,.0f} MB CSV "
        f"(generated in {generated:.1f} s)\n"
        f"  plain COPY into a bare table: {copy_seconds:6.1f} s  {copy_rate:>10,.0f} rows/s\n"
        f"  manage.py import_spend:       {import_seconds:6.1f} s  {import_rate:>10,.0f} rows/s"
        f"  ({import_seconds / copy_seconds:.1f}x the COPY time; "
        f"{import_rate / copy_rate:.1%} of its rate)\n"
        f"  the same file again:          {again_seconds:6.1f} s  (refused: already held; "
        f"{again_seconds / import_seconds:.1%} of the import's time)\n"
        f"  the same rows, re-saved:      {resaved_seconds:6.1f} s  (read, nothing added; "
        f"{resaved_seconds / import_seconds:.1%} of the import's time)\n"
        f"  import_spend peak memory (max RSS): {peak_mb:,.0f} MB"
    )
