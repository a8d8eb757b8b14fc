"""Localities are worked out in SQL for every supplier (and payment) at once: the result must be
the documented rule, `supplier_locality_decide`, for every kind of postcode."""

import datetime
from decimal import Decimal

import pytest

from metrics.spend.models import Locality, LocalitySource, SpendTransaction, Supplier
from metrics.spend.services import import_batch_publish, spend_import
from metrics.spend.sources import spend_shares
from metrics.spend.suppliers import supplier_localities_refresh, supplier_locality_decide
from neighbourhoods.models import PostcodeLookup, Ward
from tests.metrics.factories import SupplierFactory

pytestmark = pytest.mark.django_db

OTHER_DISTRICT = "E09000001"  # the City of London
NORTH_HERTS = "E07000099"

POSTCODES = {
    # postcode: the ONS district the lookup gives it (None: the lookup does not hold it)
    "SG1 1HN": "E07000243",  # in the borough by the lookup
    "SG6 1AA": NORTH_HERTS,  # the county
    "EC1A 1BB": OTHER_DISTRICT,  # elsewhere
    "SG2 9ZZ": None,  # not in the lookup, but one of the council's prefixes
    "SG12 0AB": None,  # not in the lookup; "SG1" is a prefix, "SG12" is not
    "LU1 2AA": None,  # not in the lookup, no prefix: unknown
    "SG1 2XX": "",  # in the lookup without a district: the prefixes decide
}


def _lookups(council):
    ward = Ward.objects.filter(neighbourhood__council=council).first()
    for postcode, lad in POSTCODES.items():
        if lad is not None:
            PostcodeLookup.objects.create(
                postcode=postcode, lad_code=lad, ward=ward if lad == council.ons_code else None
            )
    return ward


def test_every_supplier_is_placed_as_the_documented_rule_says(council):
    ward = _lookups(council)
    suppliers = {
        postcode: SupplierFactory(postcode=postcode, locality=Locality.UNKNOWN)
        for postcode in [*POSTCODES, ""]
    }
    supplier_localities_refresh(council=council)
    county = ["E07000095", "E07000096", "E07000242", "E07000098", NORTH_HERTS, "E07000240",
              "E07000243", "E07000102", "E07000103", "E07000241"]  # fmt: skip
    for postcode, supplier in suppliers.items():
        supplier.refresh_from_db()
        expected = supplier_locality_decide(
            postcode=postcode,
            lad_code=POSTCODES.get(postcode) or None,
            council_lad_code=council.ons_code,
            county_lad_codes=county,
            local_prefixes=council.local_postcode_prefixes,
        )
        assert (supplier.locality, supplier.locality_source) == tuple(expected), postcode
    assert suppliers["SG1 1HN"].neighbourhood_id == ward.neighbourhood_id
    assert suppliers["SG2 9ZZ"].neighbourhood_id is None  # a prefix gives no neighbourhood


def test_an_officers_decision_is_never_recomputed(council):
    _lookups(council)
    decided = SupplierFactory(
        postcode="EC1A 1BB",
        locality=Locality.BOROUGH,
        locality_source=LocalitySource.OFFICER,
        locality_override_reason="Its depot is in Stevenage",
    )
    assert supplier_localities_refresh(council=council) == 0
    decided.refresh_from_db()
    assert decided.locality == Locality.BOROUGH


def _write(path, rows):
    lines = ["Date,Amount,Supplier name,Supplier postcode"]
    lines += [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_supplier_paid_at_two_postcodes_counts_each_payment_where_it_went(council, tmp_path):
    _lookups(council)
    path = _write(
        tmp_path / "spend.csv",
        [
            ("01/06/2024", "1000.00", "Acme Builders Ltd", "EC1A 1BB"),  # its head office
            ("02/06/2024", "250.00", "Acme Builders Ltd", "SG1 1HN"),  # its Stevenage depot
            ("03/06/2024", "100.00", "Acme Builders Ltd", ""),  # no postcode: the supplier's
            ("04/06/2024", "50.00", "Acme Builders Ltd", "D02 X285"),  # an Eircode: unknown
        ],
    )
    result = spend_import(path=path, council=council)
    assert Supplier.objects.get().postcode == "EC1A 1BB"  # the first postcode given
    payments = {p.amount: p for p in SpendTransaction.objects.all()}
    assert (payments[Decimal("1000.00")].postcode, payments[Decimal("1000.00")].locality) == (
        "EC1A 1BB",
        Locality.ELSEWHERE,
    )
    assert payments[Decimal("250.00")].locality == Locality.BOROUGH
    assert (payments[Decimal("100.00")].postcode, payments[Decimal("100.00")].locality) == ("", "")
    assert (payments[Decimal("50.00")].postcode, payments[Decimal("50.00")].locality) == (
        "D02 X285",
        Locality.UNKNOWN,
    )
    import_batch_publish(batch=result.batch, actor=None)
    shares = spend_shares(
        period_start=datetime.date(2024, 4, 1), period_end=datetime.date(2025, 3, 31)
    )
    # Only the £250 paid at the Stevenage depot is in the borough (£1,400 in all).
    assert shares.total == Decimal("1400.00")
    assert shares.borough == Decimal("250.00")
    assert shares.borough_share == (Decimal(250) * 100 / Decimal(1400)).quantize(Decimal("0.0001"))
