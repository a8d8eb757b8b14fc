"""The supplier register: locality from postcodes, officers' overrides, SME / VCSE flags."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from metrics.spend.models import Locality, LocalitySource, Supplier
from metrics.spend.reference import spend_reference
from metrics.spend.suppliers import (
    SupplierFlagsImportError,
    supplier_flags_import,
    supplier_localities_refresh,
    supplier_locality_decide,
    supplier_locality_override,
    supplier_locality_override_clear,
)
from neighbourhoods.models import PostcodeLookup
from neighbourhoods.selectors import postcode_locality
from neighbourhoods.services import postcodes_import
from tests.factories import UserFactory
from tests.metrics.factories_spend import SupplierFactory

SAMPLE = Path(settings.BASE_DIR, "data", "postcodes", "stevenage-sample.csv")
HERTS = {"E07000095", "E07000096", "E07000242", "E07000098", "E07000099", "E07000240",
         "E07000243", "E07000102", "E07000103", "E07000241"}  # fmt: skip


@pytest.fixture
def lookups(council):
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        postcodes_import(rows=csv.DictReader(handle), council=council)
    postcodes_import(rows=[{"pcds": "MK9 2FP", "lad24cd": "E06000042"}])


def _decide(postcode, lad):
    return supplier_locality_decide(
        postcode=postcode,
        lad_code=lad,
        council_lad_code="E07000243",
        county_lad_codes=HERTS,
        local_prefixes=["SG1", "SG2"],
    )


@pytest.mark.parametrize(
    ("postcode", "lad", "locality", "source"),
    [
        ("SG1 1HN", "E07000243", "borough", "postcode_lookup"),
        ("SG4 9AA", "E07000099", "county", "postcode_lookup"),
        ("AL1 1AA", "E07000240", "county", "postcode_lookup"),
        ("MK9 2FP", "E06000042", "elsewhere", "postcode_lookup"),
        # The lookup decides even where the outward code is the borough's (Great Ashby, SG1).
        ("SG1 6AA", "E07000099", "county", "postcode_lookup"),
        ("SG2 9ZZ", None, "borough", "postcode_prefix"),  # not in the lookup: the prefixes
        ("SG12 0ZZ", None, "unknown", "none"),  # "SG1" is not a prefix of "SG12"
        ("MK9 9ZZ", None, "unknown", "none"),
        ("", None, "unknown", "none"),
    ],
)
def test_locality_decisions(postcode, lad, locality, source):
    assert _decide(postcode, lad) == (locality, source)


def test_the_county_districts_come_from_the_reference_data(council):
    assert spend_reference(council=council).county_lad_codes == HERTS


def test_refresh_places_suppliers_and_their_neighbourhoods(council, lookups):
    borough = SupplierFactory(name="Bedwell Builders", postcode="SG1 1HN")
    county = SupplierFactory(name="Hitchin Roofing", postcode="SG4 9AA")
    elsewhere = SupplierFactory(name="National Co", postcode="MK9 2FP")
    prefix = SupplierFactory(name="Prefix Co", postcode="SG2 9ZZ")
    unknown = SupplierFactory(name="Nowhere Co", postcode="")
    assert supplier_localities_refresh(council=council) == 4
    for supplier in (borough, county, elsewhere, prefix, unknown):
        supplier.refresh_from_db()
    assert borough.locality == Locality.BOROUGH
    ward = PostcodeLookup.objects.get(postcode="SG1 1HN").ward
    assert ward is not None
    assert borough.neighbourhood == ward.neighbourhood
    assert (county.locality, county.neighbourhood) == (Locality.COUNTY, None)
    assert elsewhere.locality == Locality.ELSEWHERE
    assert (prefix.locality, prefix.locality_source) == (Locality.BOROUGH, "postcode_prefix")
    assert (unknown.locality, unknown.locality_source) == (Locality.UNKNOWN, "none")
    # Nothing changes the second time.
    assert supplier_localities_refresh(council=council) == 0


def test_the_decision_agrees_with_the_neighbourhoods_postcode_locality(council, lookups):
    for postcode in ["SG1 1HN", "SG2 7AQ", "SG4 9AA", "MK9 2FP", "SG2 9ZZ", "SG12 0ZZ"]:
        lookup = PostcodeLookup.objects.filter(postcode=postcode).first()
        ours = _decide(postcode, lookup.lad_code if lookup else None).locality
        theirs = postcode_locality(council=council, postcode=postcode)
        # Theirs has no county: a county supplier is "elsewhere" to them.
        assert (ours if ours != Locality.COUNTY else Locality.ELSEWHERE) == theirs


def test_refresh_after_a_postcode_import_moves_prefix_decisions_to_the_lookup(council):
    supplier = SupplierFactory(name="Great Ashby Gardens", postcode="SG1 6AA")
    supplier_localities_refresh(council=council)
    supplier.refresh_from_db()
    assert (supplier.locality, supplier.locality_source) == (Locality.BOROUGH, "postcode_prefix")
    postcodes_import(rows=[{"pcds": "SG1 6AA", "lad24cd": "E07000099"}])  # North Herts
    supplier_localities_refresh(council=council)
    supplier.refresh_from_db()
    assert (supplier.locality, supplier.locality_source) == (Locality.COUNTY, "postcode_lookup")


def test_an_officer_override_needs_a_reason_and_then_stands(council, lookups):
    officer = UserFactory()
    supplier = SupplierFactory(name="Registered Office Ltd", postcode="MK9 2FP")
    supplier_localities_refresh(council=council)
    supplier.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        supplier_locality_override(
            supplier=supplier, locality="borough", reason="  ", actor=officer
        )
    assert "locality_override_reason" in raised.value.message_dict

    supplier_locality_override(
        supplier=supplier,
        locality=Locality.BOROUGH,
        reason="Trades from Danestrete; MK is its registered office",
        actor=officer,
    )
    supplier.refresh_from_db()
    assert (supplier.locality, supplier.locality_source) == (Locality.BOROUGH, "officer")
    log = LogEntry.objects.get(object_id=str(supplier.pk))
    assert log.user == officer
    assert "registered office" in log.change_message
    # Refreshing from postcodes leaves the officer's decision alone.
    supplier_localities_refresh(council=council)
    supplier.refresh_from_db()
    assert supplier.locality == Locality.BOROUGH

    supplier_locality_override_clear(supplier=supplier, actor=officer, council=council)
    assert (supplier.locality, supplier.locality_source) == (Locality.ELSEWHERE, "postcode_lookup")
    assert supplier.locality_override_reason == ""


def test_the_database_refuses_an_override_without_a_reason(db):
    supplier = SupplierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.filter(pk=supplier.pk).update(
            locality=Locality.BOROUGH, locality_source=LocalitySource.OFFICER
        )


# --- SME / VCSE flags ------------------------------------------------------------------------


def _flag_rows(text: str):
    return list(csv.DictReader(io.StringIO(text)))


def test_flags_import_matches_by_id_or_name_and_leaves_empty_cells_alone(council, lookups):
    acme = SupplierFactory(name="ACME LTD", supplier_ref="S1", is_vcse=False)
    bravo = SupplierFactory(name="Bravo Trust", supplier_ref="")
    charlie = SupplierFactory(name="Charlie Ltd", is_sme=True)
    result = supplier_flags_import(
        rows=_flag_rows(
            "Supplier ID,Supplier Name,SME,VCSE,Postcode,Company number,Charity number\n"
            "S1,,yes,,,1234567,\n"
            ",The Bravo Trust,No,Y,sg11hn,,1012345\n"
            ",Charlie Limited,unknown,,,,\n"
        ),
        actor=UserFactory(),
    )
    assert (result.rows, result.updated) == (3, 3)
    acme.refresh_from_db()
    bravo.refresh_from_db()
    charlie.refresh_from_db()
    assert (acme.is_sme, acme.is_vcse, acme.company_number) == (True, False, "01234567")
    assert (bravo.is_sme, bravo.is_vcse, bravo.charity_number) == (False, True, "1012345")
    assert (bravo.postcode, bravo.locality) == ("SG1 1HN", Locality.BOROUGH)
    assert charlie.is_sme is None


def test_flags_import_is_all_or_nothing_with_every_problem(council):
    acme = SupplierFactory(name="Acme Ltd", supplier_ref="S1")
    SupplierFactory(name="Twin One Ltd", supplier_ref="DUP")
    SupplierFactory(name="Twin Two Ltd", supplier_ref="DUP")
    with pytest.raises(SupplierFlagsImportError) as raised:
        supplier_flags_import(
            rows=_flag_rows(
                "Supplier ID,Name,SME,VCSE,Postcode,Company number\n"
                "S1,,yes,,,\n"
                ",Nobody Ltd,yes,,,\n"
                ",Acme Limited,maybe,,SG1,ABC\n"
                "DUP,,yes,,,\n"
            )
        )
    problems = [(e.line, e.column, e.value, e.reason) for e in raised.value.errors]
    assert problems == [
        (3, "Name", "Nobody Ltd", "No supplier with this ID or name is in the register"),
        (4, "Name", "Acme Limited", "Repeats line 2"),
        (5, "Supplier ID", "DUP", "2 suppliers have this ID: add the supplier's name"),
    ]
    acme.refresh_from_db()
    assert acme.is_sme is None


def test_flags_import_reports_bad_values(council):
    SupplierFactory(name="Acme Ltd")
    with pytest.raises(SupplierFlagsImportError) as raised:
        supplier_flags_import(
            rows=_flag_rows("Name,SME,Postcode,Company number\nAcme Ltd,maybe,SG1,ABC\n")
        )
    assert [(e.column, e.reason) for e in raised.value.errors] == [
        ("SME", "Enter yes, no or unknown, or leave it empty"),
        ("Postcode", "Not a full UK postcode"),
        ("Company number", "Not a Companies House number like 01234567 or SC123456"),
    ]


def test_the_flags_command(council, tmp_path):
    SupplierFactory(name="Acme Ltd")
    path = tmp_path / "flags.csv"
    path.write_text("Supplier name,SME,VCSE\nAcme Ltd,yes,no\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_supplier_flags", str(path), stdout=out)
    assert "1 supplier(s) changed" in out.getvalue()
    assert Supplier.objects.get().is_sme is True
    path.write_text("Supplier name,SME\nNobody,yes\n")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_supplier_flags", str(path), stdout=out, stderr=io.StringIO())
