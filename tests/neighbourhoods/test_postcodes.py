import csv
import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from core.tabular import RowError
from neighbourhoods.models import PostcodeLookup, Ward
from neighbourhoods.postcodes import normalise_postcode, outward_code
from neighbourhoods.selectors import (
    neighbourhood_for_postcode,
    postcode_locality,
    postcode_lookup,
)
from neighbourhoods.services import PostcodeImportError, postcodes_import
from tests.factories import CouncilFactory, NeighbourhoodFactory, WardFactory

SAMPLE = settings.BASE_DIR / "data" / "postcodes" / "stevenage-sample.csv"
CURRENT_WARDS = [
    "Almond Hill",
    "Bandley Hill and Poplars",
    "Bedwell",
    "Chells",
    "Longmeadow",
    "Manor",
    "Martins Wood",
    "Old Town",
    "Roebuck",
    "St Nicholas",
    "Shephall",
    "Symonds Green",
    "Woodfield",
]


def _csv_rows(text: str) -> csv.DictReader:
    return csv.DictReader(io.StringIO(text))


def _import_sample(**options) -> str:
    out = io.StringIO()
    call_command("import_postcodes", str(SAMPLE), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def sample(council):
    _import_sample()
    return council


# Normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sg11hn", "SG1 1HN"),
        ("SG1 1HN", "SG1 1HN"),
        ("  sg1   1hn  ", "SG1 1HN"),
        ("s g 1 1 h n", "SG1 1HN"),
        ("SG1\t1HN\n", "SG1 1HN"),
        ("SG1\u00a01HN", "SG1 1HN"),  # a non-breaking space pasted from a web page
        ("sg120ab", "SG12 0AB"),
        ("M1 1AE", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("ec1a1bb", "EC1A 1BB"),  # AA9A
        ("gir0aa", "GIR 0AA"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_a_valid_postcode_is_normalised(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "SG1",  # an outward code alone
        "1HN",
        "SG1 1H",
        "SG1 1HNN",
        "SG123 1HN",  # too many digits in the outward code
        "1SG 1HN",
        "SG1 HN1",
        "SGG1 1HN",
        "AI1 1AA",  # I is never a second letter
        "SG1-1HN",
        "SG1 1HN!",
        "GIR 0AB",
        "\u017fG1 1HN",  # long s upper-cases to S; not a postcode character
        "SG\uff11 1HN",  # a full-width digit
    ],
)
def test_an_invalid_postcode_is_none(text):
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("SG1 1HN", "SG1"),
        ("sg11hn", "SG1"),
        ("SG12 0AB", "SG12"),
        ("EC1A 1BB", "EC1A"),
        ("GIR 0AA", "GIR"),
        ("not a postcode", None),
        ("", None),
    ],
)
def test_the_outward_code_is_the_whole_part_before_the_space(postcode, expected):
    assert outward_code(postcode) == expected


# The model


@pytest.mark.django_db
@pytest.mark.parametrize("postcode", ["sg1 1hn", "SG11HN", "SG1  1HN", ""])
def test_only_the_normalised_form_can_be_stored(postcode):
    with pytest.raises(IntegrityError):
        PostcodeLookup.objects.create(postcode=postcode)


@pytest.mark.django_db
def test_a_postcode_is_stored_once():
    PostcodeLookup.objects.create(postcode="SG1 1HN")
    with pytest.raises(IntegrityError):
        PostcodeLookup.objects.create(postcode="SG1 1HN")


@pytest.mark.django_db
def test_a_postcode_lookup_reads_as_its_postcode():
    assert str(PostcodeLookup.objects.create(postcode="SG1 1HN")) == "SG1 1HN"


@pytest.mark.django_db
def test_deleting_a_ward_keeps_its_postcodes():
    ward = WardFactory()
    PostcodeLookup.objects.create(postcode="SG1 1HN", ward=ward)
    ward.delete()
    assert PostcodeLookup.objects.get().ward is None


# Importing the sample


def test_the_sample_imports_every_row_and_matches_the_borough_to_current_wards(council):
    output = _import_sample()

    assert "Imported 64 postcodes (60 matched to a ward)" in output
    assert PostcodeLookup.objects.count() == 64
    matched = PostcodeLookup.objects.filter(ward__isnull=False)
    assert set(matched.values_list("lad_code", flat=True)) == {"E07000243"}
    assert not matched.filter(ward__valid_to__isnull=False).exists()
    assert sorted(set(matched.values_list("ward__name", flat=True))) == sorted(CURRENT_WARDS)
    daneshill = PostcodeLookup.objects.get(postcode="SG1 1HN")
    assert daneshill.ward.name == "Bedwell"
    assert daneshill.ward.valid_to is None


def test_the_sample_keeps_outside_postcodes_without_a_ward(sample):
    outside = PostcodeLookup.objects.exclude(lad_code="E07000243")
    assert dict(outside.values_list("postcode", "lad_code")) == {
        "SG3 6AA": "E07000099",
        "SG4 9AA": "E07000099",
        "SG12 0AA": "E07000242",
        "AL1 1AA": "E07000240",
    }
    assert not outside.filter(ward__isnull=False).exists()


def test_a_terminated_postcode_keeps_the_first_day_of_its_month(sample):
    assert PostcodeLookup.objects.get(postcode="SG1 2EF").terminated == datetime.date(2020, 3, 1)
    assert PostcodeLookup.objects.get(postcode="SG1 1HN").terminated is None


def test_reimporting_the_sample_adds_nothing(sample):
    before = list(PostcodeLookup.objects.values_list("pk", "postcode", "ward", "lad_code"))
    output = _import_sample()
    assert "Imported 64 postcodes (60 matched to a ward)" in output
    after = list(PostcodeLookup.objects.values_list("pk", "postcode", "ward", "lad_code"))
    assert after == before


def test_only_lad_keeps_one_district(council):
    output = _import_sample(only_lad="e07000243")
    assert "Imported 60 postcodes (60 matched to a ward)" in output
    assert "skipped 4 rows" in output
    assert set(PostcodeLookup.objects.values_list("lad_code", flat=True)) == {"E07000243"}


# Import rules


@pytest.mark.django_db
def test_reimporting_updates_an_existing_postcode():
    first, second = WardFactory(name="First"), WardFactory(name="Second")
    postcodes_import(rows=[{"pcds": "SG1 1HN", "ward_name": "First", "lad24cd": "E07000243"}])
    result = postcodes_import(
        rows=[{"pcd": "sg11hn", "ward_name": "second", "lad24cd": "E07000999", "doterm": "202401"}]
    )
    assert result.imported == 1
    lookup = PostcodeLookup.objects.get()
    assert (lookup.ward, lookup.lad_code, lookup.terminated) == (
        second,
        "E07000999",
        datetime.date(2024, 1, 1),
    )
    assert first.postcodes.count() == 0


@pytest.mark.django_db
def test_headers_are_matched_whatever_their_case():
    ward = WardFactory(ons_code="E05012345")
    rows = _csv_rows("PCDS,OSLAUA,OSWARD,DOTERM\nSG1 1HN,E07000243,E05012345,\n")
    postcodes_import(rows=rows)
    lookup = PostcodeLookup.objects.get()
    assert (lookup.postcode, lookup.lad_code, lookup.ward) == ("SG1 1HN", "E07000243", ward)


@pytest.mark.django_db
def test_a_ward_code_wins_over_a_ward_name():
    by_code = WardFactory(name="Coded", ons_code="E05012345")
    WardFactory(name="Named")
    postcodes_import(rows=[{"pcds": "SG1 1HN", "wd24cd": "E05012345", "ward_name": "Named"}])
    assert PostcodeLookup.objects.get().ward == by_code


@pytest.mark.django_db
def test_an_unknown_ward_code_falls_back_to_the_ward_name():
    named = WardFactory(name="Named")
    postcodes_import(rows=[{"pcds": "SG1 1HN", "wd24cd": "E05099999", "ward_name": "NAMED"}])
    assert PostcodeLookup.objects.get().ward == named


@pytest.mark.django_db
def test_a_ward_name_matches_only_a_current_ward():
    WardFactory(name="Pin Green", valid_from=datetime.date(1999, 5, 6), valid_to=None)
    WardFactory(
        name="Old Ward", valid_from=datetime.date(1999, 5, 6), valid_to=datetime.date(2024, 5, 1)
    )
    result = postcodes_import(
        rows=[
            {"pcds": "SG1 4AX", "ward_name": "Pin Green"},
            {"pcds": "SG1 4EP", "ward_name": "Old Ward"},
            {"pcds": "SG1 4HG", "ward_name": "Nowhere"},
        ]
    )
    assert result.matched == 1
    assert PostcodeLookup.objects.get(postcode="SG1 4EP").ward is None


@pytest.mark.django_db
def test_a_ward_name_two_councils_share_is_not_guessed_unless_the_council_is_given():
    ours = WardFactory(name="Manor")
    # Ward names are unique per vintage; another council's Manor started a day later.
    WardFactory(name="Manor", valid_from=datetime.date(2024, 5, 3))
    postcodes_import(rows=[{"pcds": "SG2 7DA", "ward_name": "Manor"}])
    assert PostcodeLookup.objects.get().ward is None

    postcodes_import(
        rows=[{"pcds": "SG2 7DA", "ward_name": "Manor"}], council=ours.neighbourhood.council
    )
    assert PostcodeLookup.objects.get().ward == ours


@pytest.mark.django_db
def test_a_file_with_one_bad_row_imports_nothing_and_says_where():
    WardFactory(name="Bedwell")
    rows = _csv_rows(
        "pcds,lad24cd,wd24cd,ward_name,doterm\n"
        "SG1 1HN,E07000243,,Bedwell,\n"
        "SG1 1LX,E07000243,,Bedwell,\n"
        "SG1 1H,E07000243,,Bedwell,2024-01\n"
        "SG1 1XT,E07000243,,Bedwell,\n"
    )
    with pytest.raises(PostcodeImportError) as raised:
        postcodes_import(rows=rows)

    assert raised.value.errors == [
        RowError(4, "pcds", "SG1 1H", "Not a UK postcode"),
        RowError(4, "doterm", "2024-01", "Not a year and month like 202401"),
    ]
    assert PostcodeLookup.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_row_after_a_written_batch_still_imports_nothing(monkeypatch):
    monkeypatch.setattr("neighbourhoods.services.POSTCODE_BATCH_SIZE", 2)
    rows = [{"pcds": postcode} for postcode in ("SG1 1HN", "SG1 1LX", "SG1 1XT", "nonsense")]
    with pytest.raises(PostcodeImportError):
        postcodes_import(rows=rows)
    assert PostcodeLookup.objects.count() == 0


@pytest.mark.django_db
def test_rows_over_several_batches_are_all_written(monkeypatch):
    monkeypatch.setattr("neighbourhoods.services.POSTCODE_BATCH_SIZE", 2)
    rows = [{"pcds": f"SG1 1{letter}A"} for letter in "ABDEF"]
    assert postcodes_import(rows=rows).imported == 5
    assert PostcodeLookup.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ({"pcds": ""}, "pcds", "", "Missing postcode"),
        ({"pcds": "SG1 1HN", "doterm": "202413"}, "doterm", "202413", "Not a year"),
        ({"pcds": "SG1 1HN", "doterm": "2024"}, "doterm", "2024", "Not a year"),
        ({"pcds": "SG1 1HN", "lad24cd": "Stevenage"}, "lad24cd", "STEVENAGE", "Not an ONS"),
        ({"pcds": "SG1 1HN", "wd24cd": "E0501234567"}, "wd24cd", "E0501234567", "Not an ONS"),
    ],
)
def test_each_bad_value_is_reported(row, column, value, reason):
    with pytest.raises(PostcodeImportError) as raised:
        postcodes_import(rows=[row])
    [error] = raised.value.errors
    assert (error.line, error.column, error.value) == (2, column, value)
    assert error.reason.startswith(reason)


@pytest.mark.django_db
def test_a_repeated_postcode_is_reported_with_the_first_line():
    with pytest.raises(PostcodeImportError) as raised:
        postcodes_import(rows=[{"pcds": "SG1 1HN"}, {"pcds": "SG1 1LX"}, {"pcds": "sg11hn"}])
    assert raised.value.errors == [RowError(4, "pcds", "sg11hn", "Repeats the postcode on line 2")]


@pytest.mark.django_db
def test_a_file_without_a_postcode_column_is_refused():
    with pytest.raises(PostcodeImportError) as raised:
        postcodes_import(rows=_csv_rows("code,lad24cd\nSG1 1HN,E07000243\n"))
    [error] = raised.value.errors
    assert error.line == 1
    assert "No postcode column" in error.reason


@pytest.mark.django_db
def test_rows_of_other_districts_are_not_validated_when_filtered_out():
    result = postcodes_import(
        rows=[
            {"pcds": "SG1 1HN", "lad24cd": "E07000243"},
            {"pcds": "nonsense", "lad24cd": "S12000036"},
        ],
        only_lad="E07000243",
    )
    assert (result.imported, result.skipped) == (1, 1)


@pytest.mark.django_db
def test_the_command_prints_each_problem_and_fails(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text("pcds,doterm\nSG1 1HN,\nSG1 1H,\nSG1 1XT,20240\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problems"):
        call_command("import_postcodes", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "Line 3, column pcds: 'SG1 1H': Not a UK postcode",
        "Line 4, column doterm: '20240': Not a year and month like 202401",
    ]
    assert PostcodeLookup.objects.count() == 0


@pytest.mark.django_db
def test_the_command_reads_a_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text("pcds,lad24cd\nSG1 1HN,E07000243\n", encoding="utf-8-sig")
    call_command("import_postcodes", str(path), stdout=io.StringIO())
    assert PostcodeLookup.objects.get().lad_code == "E07000243"


@pytest.mark.django_db
def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_postcodes", str(tmp_path / "absent.csv"))


@pytest.mark.django_db
@pytest.mark.parametrize("count", [20, 200])
def test_the_import_makes_a_fixed_number_of_queries(count, django_assert_max_num_queries):
    wards = WardFactory.create_batch(5)
    coded = WardFactory(ons_code="E05012345")
    rows = [
        {
            "pcds": f"SG{1 + n % 2} {n % 10}{'ABDEFGHJLN'[n // 10 % 10]}{'PQRSTUWXYZ'[n // 100]}",
            "lad24cd": "E07000243",
            "wd24cd": "E05012345" if n % 3 == 0 else "",
            "ward_name": wards[n % 5].name,
            "doterm": "",
        }
        for n in range(count)
    ]
    # One read of the wards and one insert per 5,000 rows, inside the service's savepoint.
    with django_assert_max_num_queries(4):
        result = postcodes_import(rows=rows)
    assert result.imported == result.matched == count
    assert PostcodeLookup.objects.count() == count
    assert coded.postcodes.count() == len(range(0, count, 3))


# Selectors


def test_a_postcode_is_found_however_it_is_typed(sample, django_assert_num_queries):
    with django_assert_num_queries(1):
        lookup = postcode_lookup(postcode=" sg1  1hn ")
        assert lookup.ward.neighbourhood.name == "Bedwell and Pin Green"


def test_an_unknown_or_invalid_postcode_has_no_lookup(sample, django_assert_num_queries):
    assert postcode_lookup(postcode="SG1 9ZZ") is None
    with django_assert_num_queries(0):
        assert postcode_lookup(postcode="not a postcode") is None


def test_a_postcode_belongs_to_its_wards_neighbourhood(sample):
    neighbourhood = neighbourhood_for_postcode(council=sample, postcode="sg1 1hn")
    assert neighbourhood.name == "Bedwell and Pin Green"
    assert neighbourhood_for_postcode(council=sample, postcode="SG2 9TW").slug == (
        "shephall-and-bandley-hill"
    )


def test_a_postcode_without_a_ward_has_no_neighbourhood(sample):
    assert neighbourhood_for_postcode(council=sample, postcode="SG3 6AA") is None
    assert neighbourhood_for_postcode(council=sample, postcode="SG1 9ZZ") is None
    assert neighbourhood_for_postcode(council=sample, postcode="nonsense") is None


def test_another_councils_neighbourhood_is_not_returned(sample):
    other = CouncilFactory()
    elsewhere = WardFactory(neighbourhood=NeighbourhoodFactory(council=other))
    PostcodeLookup.objects.create(postcode="TS1 1AA", ward=elsewhere)
    assert neighbourhood_for_postcode(council=sample, postcode="TS1 1AA") is None
    assert neighbourhood_for_postcode(council=other, postcode="TS1 1AA") == elsewhere.neighbourhood
    assert neighbourhood_for_postcode(council=other, postcode="SG1 1HN") is None


@pytest.mark.parametrize(
    ("postcode", "locality"),
    [
        ("SG1 1HN", "borough"),  # in the lookup, Stevenage's district
        ("sg2 9tw", "borough"),
        ("SG3 6AA", "elsewhere"),  # in the lookup, North Hertfordshire
        ("SG12 0AA", "elsewhere"),
        ("AL1 1AA", "elsewhere"),
        ("SG1 9ZZ", "borough"),  # not in the lookup: the SG1 prefix decides
        ("SG2 0ZZ", "borough"),
        ("SG12 9ZZ", "unknown"),  # not in the lookup, and SG12 is not SG1
        ("SG3 9ZZ", "unknown"),
        ("LS1 1AA", "unknown"),
        ("not a postcode", "unknown"),
        ("", "unknown"),
    ],
)
def test_a_postcodes_locality(sample, postcode, locality):
    assert postcode_locality(council=sample, postcode=postcode) == locality


def test_a_lookup_without_a_district_falls_back_to_the_prefixes(sample):
    PostcodeLookup.objects.create(postcode="SG1 9ZZ", lad_code="")
    PostcodeLookup.objects.create(postcode="SG12 9ZZ", lad_code="")
    assert postcode_locality(council=sample, postcode="SG1 9ZZ") == "borough"
    assert postcode_locality(council=sample, postcode="SG12 9ZZ") == "unknown"


@pytest.mark.django_db
def test_a_council_without_prefixes_leaves_unlisted_postcodes_unknown():
    council = CouncilFactory(local_postcode_prefixes=[])
    assert postcode_locality(council=council, postcode="TS1 1AA") == "unknown"


def test_wards_of_both_vintages_exist_for_the_sample(council):
    # The sample names 2024 wards; the reference data must keep providing them.
    current = set(Ward.objects.filter(valid_to__isnull=True).values_list("name", flat=True))
    assert current == set(CURRENT_WARDS)
