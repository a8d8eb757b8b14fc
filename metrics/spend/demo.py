"""Demo spend for `make run`: a council's "spending over £500" payments from April 2024 to
today, imported through the real import path, with a Community Wealth Building story: the share
spent with suppliers in the borough rises over time. The payments come in three published
files, as councils publish them: the months up to the last quarter in one CSV file; the three
months before last in a workbook of monthly sheets, each with a title block and a "Total" line
(left out and listed), whose supplier ID column the officer maps once (the mapping is saved for
the body); and last month's file, read with that saved mapping, whose penny "Difference A/c"
lines the officer chose to leave out. A fourth, small file waits in review for an officer
(last month's file issued again with late payments added: most of its lines are already held),
so the review step has something to show.

Everything here is illustrative: the suppliers are invented, and the postcode lookups added for
suppliers outside Hertfordshire are demo data, not ONS data. Development only; idempotent.
"""

import csv
import datetime
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from metrics.spend.models import ImportBatch, SpendTransaction
from metrics.spend.names import supplier_name_normalise
from metrics.spend.services import import_batch_publish, spend_import
from metrics.spend.suppliers import supplier_flags_import
from neighbourhoods.models import Council, PostcodeLookup
from neighbourhoods.services import postcodes_import

DEMO_FILE_NAME = "demo-spending-over-500.csv"
REVIEW_HELD_LINES = 30  # lines of last month's file already held
REVIEW_NEW_LINES = 12  # late payments, new
FIRST_DAY = datetime.date(2024, 4, 1)
SAMPLE_POSTCODES = Path(settings.BASE_DIR) / "data" / "postcodes" / "stevenage-sample.csv"
BODY = "Stevenage Borough Council"

# Illustrative lookups for suppliers outside the county (not ONS data).
ELSEWHERE_LOOKUPS = [
    ("MK9 2FP", "E06000042"),  # Milton Keynes
    ("LU1 2AA", "E06000032"),  # Luton
    ("EC1A 1BB", "E09000001"),  # City of London
    ("B1 1AA", "E08000025"),  # Birmingham
    ("M1 1AA", "E08000003"),  # Manchester
    ("LS1 4AP", "E08000035"),  # Leeds
    ("CB1 1AA", "E07000008"),  # Cambridge
    ("BS1 1AA", "E06000023"),  # Bristol
]
# Towns of the county and a postcode of each (a firm named after a town has its postcode there).
COUNTY_PLACES = {"Hitchin": "SG4 9AA", "St Albans": "AL1 1AA", "Ware": "SG12 0AA",
                 "Knebworth": "SG3 6AA"}  # fmt: skip
NATIONAL = ["Albion", "Meridian", "Sovereign", "Northgate", "Crown", "Pinnacle", "Vanguard",
            "Atlas", "Summit", "Keystone", "Horizon", "Sterling"]  # fmt: skip
LOCAL_TRADES = ["Building Services", "Roofing", "Electrical", "Plumbing and Heating", "Glazing",
                "Landscapes", "Cleaning Services", "Printers", "Catering", "Joinery",
                "Decorators", "Locksmiths", "Tree Surgery", "Skip Hire"]  # fmt: skip
NATIONAL_TRADES = ["Facilities Management", "Energy Supply", "Software", "Consulting",
                   "Fleet Services", "Insurance Services", "Recruitment", "Construction",
                   "Waste Management", "Legal Services", "Telecoms", "Office Supplies"]  # fmt: skip
VCSE_NAMES = ["{} Community Association", "{} Food Bank", "{} Youth Trust", "{} Credit Union",
              "{} Community Transport", "{} Arts Collective CIC", "{} Repair Cafe CIC"]  # fmt: skip
SUFFIXES = ["Ltd", "Limited", "Ltd", "LLP", "& Co", "Ltd"]
SOLE_TRADERS = ["Ahmed", "Brennan", "Clarke", "Doyle", "Edwards", "Fletcher", "Gill", "Hart",
                "Iqbal", "Jenkins", "Kowalski", "Lynch", "Mensah", "Norris", "O'Neill", "Price",
                "Rahman", "Shaw", "Turner", "Webb"]  # fmt: skip
DEPARTMENTS = ["Housing and Investment", "Housing Revenue Account", "Stevenage Direct Services",
               "Communities and Neighbourhoods", "Planning and Regulation", "Regeneration",
               "Finance and Estates", "Digital and Transformation", "Leisure and Culture",
               "Corporate Services"]  # fmt: skip
EXPENSE_TYPES = ["Repairs and Maintenance", "Professional Fees", "Agency Staff", "Equipment",
                 "Software Licences", "Grants to Voluntary Organisations", "Utilities",
                 "Cleaning", "Catering", "Consultancy", "Printing", "Vehicle Fuel",
                 "Grounds Maintenance", "Training", "Security"]  # fmt: skip
# The workbook's columns (the LGA spend schema's names) and a supplier ID column that no
# alias knows, which the officer maps once (a saved column mapping for the body).
CREDITOR_COLUMN = "Creditor Account"
WORKBOOK_HEADER = ["Organisation Name", "Invoice Payment Date", "Trans No", "Amount Paid",
                   "Irrecoverable VAT", "Supplier (Beneficiary) Name", CREDITOR_COLUMN,
                   "Supplier Postcode", "Service Division Categorisation",
                   "Expenditure Category", "Purpose of Expenditure"]  # fmt: skip
REDACTIONS = ["Redacted Personal Data", "REDACTED - COMMERCIAL CONFIDENTIALITY"]
# Monthly payments to other public bodies, which the exclusion rules of the reference file leave
# out of influenceable spend: (name as the file spells it, its ID, postcode, expense type,
# department, typical amount). The names are real bodies; the amounts are invented.
PUBLIC_BODY_PAYMENTS = [
    ("Hertfordshire County Council", "SUP90001", "SG13 8DQ", "Contributions to Other Authorities",
     "Finance and Estates", 21_000),
    ("HM Revenue & Customs", "SUP90002", "", "Employer's National Insurance",
     "Corporate Services", 38_000),
    ("Hertfordshire Pension Fund", "SUP90003", "SG13 8DQ", "Employer's Pension Contributions",
     "Corporate Services", 52_000),
]  # fmt: skip


def _postcodes_ensure(council: Council) -> list[str]:
    """The sample lookup (and the demo's lookups outside the county); the borough postcodes."""
    if not PostcodeLookup.objects.filter(lad_code=council.ons_code).exists():
        with SAMPLE_POSTCODES.open(encoding="utf-8-sig", newline="") as handle:
            postcodes_import(rows=csv.DictReader(handle), council=council)
    known = set(PostcodeLookup.objects.filter(postcode__in=[p for p, _ in ELSEWHERE_LOOKUPS]))
    if len(known) < len(ELSEWHERE_LOOKUPS):
        postcodes_import(
            rows=[{"pcds": postcode, "lad24cd": lad} for postcode, lad in ELSEWHERE_LOOKUPS]
        )
    return list(
        PostcodeLookup.objects.filter(lad_code=council.ons_code, terminated__isnull=True)
        .order_by("postcode")
        .values_list("postcode", flat=True)
    )


# Legal forms a trading name may end in ("& Co" is normalised to "and co").
_LEGAL_FORMS = {"ltd", "plc", "llp", "cic", "cio", "lp"}


def supplier_trading_key(name: str) -> str:
    """A supplier's normalised name without its legal form: "Bedwell Roofing" and "Bedwell
    Roofing Ltd" read as one firm, so the demo invents only one of them."""
    words = supplier_name_normalise(name).split()
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    if len(words) > 2 and words[-2:] == ["and", "co"]:
        words = words[:-2]
    return " ".join(words)


def _ward_postcodes(borough_postcodes: list[str]) -> dict[str, list[str]]:
    """The borough's postcodes by the ward the lookup places them in."""
    by_ward: dict[str, list[str]] = {}
    lookups = PostcodeLookup.objects.filter(postcode__in=borough_postcodes, ward__isnull=False)
    for postcode, ward in lookups.order_by("postcode").values_list("postcode", "ward__name"):
        by_ward.setdefault(ward, []).append(postcode)
    return by_ward


def _suppliers(rng: random.Random, borough_postcodes: list[str]) -> dict[str, list[dict]]:
    """About 250 invented suppliers by where they are, with their flags. A firm named after a
    ward has its postcode in that ward (so it sits in the neighbourhood holding the ward), and
    no firm appears twice under a name that differs only by its legal form."""
    suppliers: dict[str, list[dict]] = {"borough": [], "county": [], "elsewhere": [], "none": []}
    names: set[str] = set()
    by_ward = _ward_postcodes(borough_postcodes)
    wards = sorted(by_ward)

    def add(group: str, name: str, postcode: str, sme: str, vcse: str) -> None:
        key = supplier_trading_key(name)
        if key in names:
            return
        names.add(key)
        ref = f"SUP{len(names):05d}"
        suppliers[group].append(
            {"name": name, "ref": ref, "postcode": postcode, "sme": sme, "vcse": vcse}
        )

    for _ in range(70 if wards else 0):
        ward = rng.choice(wards)
        name = f"{ward} {rng.choice(LOCAL_TRADES)} {rng.choice(SUFFIXES)}"
        add("borough", name, rng.choice(by_ward[ward]), "yes", "no")
    for template in VCSE_NAMES:
        add("borough", template.format("Stevenage"), rng.choice(borough_postcodes), "yes", "yes")
        add("county", template.format("North Herts"), COUNTY_PLACES["Hitchin"], "yes", "yes")
    for _ in range(60):
        town = rng.choice(sorted(COUNTY_PLACES))
        name = f"{town} {rng.choice(LOCAL_TRADES)} {rng.choice(SUFFIXES)}"
        add("county", name, COUNTY_PLACES[town], rng.choice(["yes", "yes", ""]), "no")
    for _ in range(90):
        name = f"{rng.choice(NATIONAL)} {rng.choice(NATIONAL_TRADES)} {rng.choice(['Ltd', 'plc', 'Limited', 'Group plc'])}"
        postcode = rng.choice(ELSEWHERE_LOOKUPS)[0]
        add("elsewhere", name, postcode, rng.choice(["no", "no", "yes", ""]), "no")
    for _ in range(30):
        # Sole traders without a postcode: named after no place, since where they are is unknown.
        name = f"{rng.choice(SOLE_TRADERS)} {rng.choice(LOCAL_TRADES)}"
        add("none", name, "", rng.choice(["yes", ""]), "")
    return suppliers


def _rows(
    rng: random.Random, suppliers: dict[str, list[dict]], today: datetime.date, used: set[str]
):
    """Payment lines month by month; the borough's share of lines and of value rises."""
    span = max(1, (today - FIRST_DAY).days)
    day = FIRST_DAY
    number = 0
    while day < today:
        progress = (day - FIRST_DAY).days / span  # 0 at the start, 1 today
        weights = {
            "borough": 0.16 + 0.16 * progress,
            "county": 0.24 + 0.04 * progress,
            "elsewhere": 0.47 - 0.2 * progress,
            "none": 0.07,
            "redacted": 0.06,
        }
        for _ in range(rng.randint(4, 9)):  # payments a working day
            group = rng.choices(list(weights), weights=list(weights.values()))[0]
            scale = {"borough": 7.0, "county": 7.3, "elsewhere": 8.0}.get(group, 6.8)
            amount = round(max(500.0, rng.lognormvariate(scale, 1.0)), 2)
            if group == "redacted":
                name, ref, postcode = rng.choice(REDACTIONS), "", ""
            else:
                supplier = rng.choice(suppliers[group])
                name, ref, postcode = supplier["name"], supplier["ref"], supplier["postcode"]
                used.add(ref)
            number += 1
            text = f"£{amount:,.2f}"
            if rng.random() < 0.02:
                text = f"(£{amount / 10:,.2f})"  # a credit note
            yield [
                BODY,
                day.strftime("%d/%m/%Y"),
                f"SBC{number:07d}",
                text,
                name,
                ref,
                postcode,
                rng.choice(DEPARTMENTS),
                rng.choice(EXPENSE_TYPES),
                "Payment to supplier",
            ]
        day += datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)


def demo_spend_ensure(
    *, council: Council, seed: int = 2024, today: datetime.date | None = None
) -> int:
    """Import the demo spend once; return how many payments are held. Idempotent."""
    if ImportBatch.objects.filter(
        file_name=DEMO_FILE_NAME, status=ImportBatch.Status.PUBLISHED
    ).exists():
        return SpendTransaction.objects.count()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    borough_postcodes = _postcodes_ensure(council)
    suppliers = _suppliers(rng, borough_postcodes)
    header = ["Body Name", "Payment Date", "Transaction Number", "Amount £", "Supplier Name",
              "Supplier ID", "Supplier Postcode", "Service Area", "Expense Type",
              "Description"]  # fmt: skip
    used: set[str] = set()
    rows = list(_rows(rng, suppliers, today, used))
    # From a generator of their own, so the suppliers' payments stay as they were.
    rows += _public_body_rows(random.Random(seed + 1), today)
    month, reissued = _month_reissued(rng, rows, today)
    # The same payments, published as councils do: the months up to the quarter before last in
    # one file, the three months before last in a workbook of monthly sheets, last month in a
    # file of its own.
    quarter = [_month_add(month, -3), _month_add(month, -2), _month_add(month, -1)]
    by_month: dict[datetime.date, list[list]] = {}
    earlier = []
    for row in rows:
        day = _day(row[1]).replace(day=1)
        if day in quarter or day == month:
            by_month.setdefault(day, []).append(row)
        else:
            earlier.append(row)
    with tempfile.TemporaryDirectory() as directory:
        path = _csv_write(Path(directory) / DEMO_FILE_NAME, header, earlier)
        imported = spend_import(path=path, file_name=DEMO_FILE_NAME, council=council)
        # Published at once, so that `make run` shows figures (an upload waits for review).
        import_batch_publish(batch=imported.batch, actor=None)
        sheets = {first: by_month[first] for first in quarter if by_month.get(first)}
        if sheets:
            name = f"demo-spending-over-500-{quarter[0]:%Y-%m}-to-{quarter[-1]:%Y-%m}.xlsx"
            path = _workbook_write(Path(directory) / name, sheets)
            # Its supplier ID column has a name no alias knows: the officer maps it once, and
            # the mapping is saved for the body (metrics.spend.mappings) for its next files.
            imported = spend_import(
                path=path,
                file_name=name,
                council=council,
                header_map={CREDITOR_COLUMN: "supplier_ref"},
            )
            import_batch_publish(batch=imported.batch, actor=None)
        if by_month.get(month):
            name = f"demo-spending-over-500-{month:%Y-%m}.csv"
            path = _csv_write(
                Path(directory) / name,
                [CREDITOR_COLUMN if column == "Supplier ID" else column for column in header],
                by_month[month] + _trivial_rows(month),
            )
            # Read with the saved mapping; the officer chose to leave out the trivial lines.
            imported = spend_import(
                path=path, file_name=name, council=council, leave_out_trivial=True
            )
            import_batch_publish(batch=imported.batch, actor=None)
        if reissued:
            name = f"demo-spending-over-500-{month:%Y-%m}-reissued.csv"
            path = _csv_write(Path(directory) / name, header, reissued)
            spend_import(path=path, file_name=name, council=council)  # left in review
    supplier_flags_import(
        rows=[
            {
                "Supplier ID": s["ref"],
                "Supplier name": s["name"],
                "SME": s["sme"],
                "VCSE": s["vcse"],
            }
            for group in suppliers.values()
            for s in group
            if s["ref"] in used
        ]
        + [
            {"Supplier ID": ref, "Supplier name": name, "SME": "no", "VCSE": "no"}
            for name, ref, *_ in PUBLIC_BODY_PAYMENTS
        ]
    )
    return SpendTransaction.objects.count()


def _public_body_rows(rng: random.Random, today: datetime.date) -> list[list]:
    """A payment to each public body in PUBLIC_BODY_PAYMENTS on the 15th of every month (the
    next working day when it falls at a weekend), up to today."""
    rows = []
    month = FIRST_DAY
    number = 0
    while month < today:
        day = month.replace(day=15)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        if day < today:
            for name, ref, postcode, expense_type, department, typical in PUBLIC_BODY_PAYMENTS:
                number += 1
                amount = round(typical * rng.uniform(0.9, 1.1), 2)
                rows.append(
                    [BODY, day.strftime("%d/%m/%Y"), f"SBC8{number:06d}", f"£{amount:,.2f}",
                     name, ref, postcode, department, expense_type, "Payment to public body"]
                )  # fmt: skip
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return rows


def _day(text: str) -> datetime.date:
    """A date as the demo's CSV writes it (dd/mm/yyyy)."""
    day, month, year = (int(part) for part in text.split("/"))
    return datetime.date(year, month, day)


def _month_add(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _amount(text: str) -> Decimal:
    """An amount as the demo's CSV writes it ("£1,234.56", a credit "(£12.34)")."""
    credit = text.startswith("(")
    amount = Decimal(text.strip("()£").replace(",", ""))
    return -amount if credit else amount


def _workbook_write(path: Path, sheets: dict[datetime.date, list[list]]) -> Path:
    """A workbook as a finance system exports it: a sheet a month, a title block above the
    header row (with the LGA schema's column names), a "Total" line below the payments."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for first, rows in sheets.items():
        sheet = workbook.create_sheet(f"{first:%B %Y}")
        sheet.append([BODY])
        sheet.append([f"Payments over £500: {first:%B %Y}"])
        sheet.append([])
        sheet.append(WORKBOOK_HEADER)
        total = Decimal(0)
        for row in rows:
            body, day, number, text, name, ref, postcode, department, expense, purpose = row
            amount = _amount(text)
            total += amount
            sheet.append(
                [body, _day(day), number, float(amount),
                 "N/A", name, ref, postcode, department, expense, purpose]
            )  # fmt: skip
        sheet.append(["Total", None, None, float(total)])
    workbook.save(path)
    return path


def _trivial_rows(month: datetime.date) -> list[list]:
    """Nine penny lines with no supplier, as a finance system's rounding account writes them:
    the officer leaves them out of this file's import (ImportBatch.leave_out_trivial)."""
    day = month.replace(day=28)
    return [
        [BODY, day.strftime("%d/%m/%Y"), f"SBC7{number:06d}", "£0.01", "", "", "",
         "Finance and Estates", "Difference A/c", "Rounding difference"]
        for number in range(1, 10)
    ]  # fmt: skip


def _csv_write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _month_reissued(
    rng: random.Random, rows: list[list], today: datetime.date
) -> tuple[datetime.date, list[list]]:
    """Last month's file issued again: some of its lines (already held) and late payments."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    in_month = [row for row in rows if row[1].endswith(month.strftime("/%m/%Y"))]
    if not in_month:
        return month, []
    held = rng.sample(in_month, min(REVIEW_HELD_LINES, len(in_month)))
    late = []
    for number in range(1, REVIEW_NEW_LINES + 1):
        row = list(rng.choice(in_month))
        row[2] = f"SBC9{number:06d}"  # a transaction number the published file never used
        row[3] = f"£{round(max(500.0, rng.lognormvariate(7.0, 1.0)), 2):,.2f}"
        late.append(row)
    return month, sorted(held + late, key=lambda row: row[1][6:] + row[1][3:5] + row[1][:2])
