import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from core.tabular import ImportRefused, RowError, columns_find
from neighbourhoods.models import Council, Membership, Neighbourhood, PostcodeLookup, Ward
from neighbourhoods.postcodes import normalise_postcode


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def council_load_reference(
    *, council: Mapping[str, Any], neighbourhoods: Sequence[Mapping[str, Any]]
) -> Council:
    """Create or update a council, its neighbourhoods and their wards from reference data.

    Idempotent: councils match on slug, neighbourhoods on (council, slug), wards on
    (name, valid_from). Officers' later corrections to fields absent from the data are kept.
    """
    council_fields = dict(council)
    slug = council_fields.pop("slug")
    record = Council.objects.filter(slug=slug).first() or Council(slug=slug)
    for field, value in council_fields.items():
        setattr(record, field, value)
    _saved(record)

    for order, area in enumerate(neighbourhoods, start=1):
        area_fields = dict(area)
        wards = area_fields.pop("wards", [])
        area_slug = area_fields.pop("slug")
        neighbourhood = Neighbourhood.objects.filter(council=record, slug=area_slug).first()
        neighbourhood = neighbourhood or Neighbourhood(council=record, slug=area_slug)
        neighbourhood.order = area_fields.pop("order", order)
        for field, value in area_fields.items():
            setattr(neighbourhood, field, value)
        _saved(neighbourhood)
        for ward in wards:
            valid_from = _as_date(ward["valid_from"])
            existing = Ward.objects.filter(name=ward["name"], valid_from=valid_from).first()
            existing = existing or Ward(name=ward["name"], valid_from=valid_from)
            existing.neighbourhood = neighbourhood
            valid_to = ward.get("valid_to")
            existing.valid_to = _as_date(valid_to) if valid_to is not None else None
            existing.ons_code = ward.get("ons_code", existing.ons_code)
            _saved(existing)
    return record


def _as_date(value: str | datetime.date) -> datetime.date:
    """Reference files give dates as ISO strings; callers in code may pass dates."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


@transaction.atomic
def membership_grant(*, user: User, neighbourhood: Neighbourhood, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, neighbourhood=neighbourhood, role=role
    )
    return membership


# Header aliases across ONSPD and NSPL releases, best first; matched case-insensitively.
POSTCODE_COLUMNS = ("pcds", "pcd", "postcode")
LAD_COLUMNS = ("lad25cd", "lad24cd", "lad23cd", "laua", "oslaua", "lad_code")
WARD_COLUMNS = ("wd25cd", "wd24cd", "wd23cd", "osward", "ward_code")
WARD_NAME_COLUMNS = ("ward_name",)
DOTERM_COLUMNS = ("doterm",)

POSTCODE_BATCH_SIZE = 5000
# Enough to show what is wrong with a file without printing a whole national directory.
POSTCODE_MAX_ERRORS = 100

# ONS GSS codes: a letter and eight digits (E07000243; L99999999 and M99999999 in ONSPD stand
# for the Channel Islands and the Isle of Man).
_GSS_CODE = re.compile(r"[A-Z][0-9]{8}")
_DOTERM = re.compile(r"([0-9]{4})(0[1-9]|1[0-2])")


class PostcodeImportError(ImportRefused):
    """A postcode file with problems: nothing from it was imported."""


@dataclass(frozen=True)
class PostcodeImportResult:
    imported: int
    matched: int
    skipped: int = 0


@dataclass(frozen=True)
class _PostcodeColumns:
    postcode: str
    lad: str | None
    ward: str | None
    ward_name: str | None
    doterm: str | None

    @classmethod
    def from_header(cls, header: Iterable[str | None], *, need_lad: bool) -> "_PostcodeColumns":
        # The header's own spelling of each column, so each row is read without lookups.
        found = columns_find(
            header,
            {
                "postcode": POSTCODE_COLUMNS,
                "lad": LAD_COLUMNS,
                "ward": WARD_COLUMNS,
                "ward_name": WARD_NAME_COLUMNS,
                "doterm": DOTERM_COLUMNS,
            },
        )
        postcode, lad = found.get("postcode"), found.get("lad")
        if postcode is None:
            reason = f"No postcode column: name one {', '.join(POSTCODE_COLUMNS)}"
            raise PostcodeImportError([RowError(1, "", "", reason)])
        if need_lad and lad is None:
            reason = f"No district column to filter on: name one {', '.join(LAD_COLUMNS)}"
            raise PostcodeImportError([RowError(1, "", "", reason)])
        return cls(
            postcode=postcode,
            lad=lad,
            ward=found.get("ward"),
            ward_name=found.get("ward_name"),
            doterm=found.get("doterm"),
        )


def _cell(row: Mapping[str, str | None], column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""


def _ward_maps(*, council: Council | None) -> tuple[dict[str, Ward], dict[str, Ward | None]]:
    """Wards by ONS code (any vintage, latest wins) and current wards by lower-case name.

    A name shared by two current wards (two councils without `council` given) maps to None,
    so such rows stay unmatched rather than land in the wrong place.
    """
    wards = Ward.objects.order_by("valid_from", "pk")
    if council is not None:
        wards = wards.filter(neighbourhood__council=council)
    by_code: dict[str, Ward] = {}
    by_name: dict[str, Ward | None] = {}
    for ward in wards:
        if ward.ons_code:
            by_code[ward.ons_code.upper()] = ward
        if ward.valid_to is None:
            name = " ".join(ward.name.split()).lower()
            by_name[name] = None if name in by_name else ward
    return by_code, by_name


@transaction.atomic
def postcodes_import(
    *,
    rows: Iterable[Mapping[str, str | None]],
    council: Council | None = None,
    only_lad: str | None = None,
) -> PostcodeImportResult:
    """Create or update postcode lookups from ONSPD/NSPL rows (e.g. a csv.DictReader).

    All or nothing: if any row is bad, PostcodeImportError lists every problem (line, column,
    value, reason; the header is line 1) and nothing is kept. Idempotent: postcodes match on
    their normalised form. Rows are streamed and written in batches inside this transaction, so a
    national directory never sits in memory; after the first problem nothing more is written and
    the transaction rolls back. `council` limits ward matching to its wards; `only_lad` keeps only
    the rows of one local authority district.

    Wards match on ONS code first, then on `ward_name` among current wards, else stay empty.
    """
    only_lad = only_lad.strip().upper() if only_lad else None
    by_code, by_name = _ward_maps(council=council)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    batch: list[PostcodeLookup] = []
    imported = matched = skipped = 0
    columns: _PostcodeColumns | None = None

    for line, row in enumerate(rows, start=2):
        columns = columns or _PostcodeColumns.from_header(row, need_lad=bool(only_lad))
        lad_code = _cell(row, columns.lad).upper()
        if only_lad and lad_code != only_lad:
            skipped += 1
            continue

        raw_postcode = _cell(row, columns.postcode)
        postcode = normalise_postcode(raw_postcode)
        if postcode is None:
            reason = "Missing postcode" if not raw_postcode else "Not a UK postcode"
            errors.append(RowError(line, columns.postcode, raw_postcode, reason))
        elif postcode in seen:
            reason = f"Repeats the postcode on line {seen[postcode]}"
            errors.append(RowError(line, columns.postcode, raw_postcode, reason))
        else:
            seen[postcode] = line

        if lad_code and not _GSS_CODE.fullmatch(lad_code):
            reason = "Not an ONS district code like E07000243"
            errors.append(RowError(line, columns.lad or "", lad_code, reason))

        ward_code = _cell(row, columns.ward).upper()
        if ward_code and not _GSS_CODE.fullmatch(ward_code):
            reason = "Not an ONS ward code like E05012345"
            errors.append(RowError(line, columns.ward or "", ward_code, reason))

        doterm = _cell(row, columns.doterm)
        terminated = None
        if doterm:
            if match := _DOTERM.fullmatch(doterm):
                terminated = datetime.date(int(match[1]), int(match[2]), 1)
            else:
                reason = "Not a year and month like 202401"
                errors.append(RowError(line, columns.doterm or "", doterm, reason))

        if len(errors) >= POSTCODE_MAX_ERRORS:
            raise PostcodeImportError(errors, truncated=True)
        if errors or postcode is None:
            continue  # keep validating to report every problem, but write nothing more

        ward = by_code.get(ward_code) if ward_code else None
        if ward is None:
            ward_name = " ".join(_cell(row, columns.ward_name).split()).lower()
            ward = by_name.get(ward_name) if ward_name else None
        batch.append(
            PostcodeLookup(postcode=postcode, ward=ward, lad_code=lad_code, terminated=terminated)
        )
        imported += 1
        matched += ward is not None
        if len(batch) >= POSTCODE_BATCH_SIZE:
            _postcodes_write(batch)
            batch = []

    if errors:
        raise PostcodeImportError(errors)
    _postcodes_write(batch)
    return PostcodeImportResult(imported=imported, matched=matched, skipped=skipped)


def _postcodes_write(batch: list[PostcodeLookup]) -> None:
    # No full_clean: it would query once per row for uniqueness. Rows are validated above and
    # the database's check constraint guards the stored form.
    if batch:
        PostcodeLookup.objects.bulk_create(
            batch,
            batch_size=POSTCODE_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["ward", "lad_code", "terminated"],
        )
