"""The supplier register: where each supplier is (borough, county, elsewhere, unknown), an
officer's override of that, and the SME / VCSE flags officers import from a spreadsheet.

Locality comes from the supplier's postcode. The ONS postcode lookup decides first: a district
code equal to the council's is the borough, one of the county's districts (the `[spend]` table of
the reference data) is the county, any other is elsewhere. A postcode the lookup does not hold
falls back to the council's local postcode prefixes, compared as whole outward codes, for the
borough; otherwise the locality is unknown. This agrees with `neighbourhoods.selectors.
postcode_locality` and adds the county. An officer's decision, with its reason, is never
recomputed.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core.tabular import ImportRefused, RowError, columns_find
from metrics.spend.models import Locality, LocalitySource, Supplier
from metrics.spend.names import supplier_name_normalise
from metrics.spend.reference import spend_reference
from neighbourhoods.models import Council, PostcodeLookup
from neighbourhoods.postcodes import normalise_postcode, outward_code
from neighbourhoods.selectors import council_current


class LocalityDecision(NamedTuple):
    locality: str
    source: str


def supplier_locality_decide(
    *,
    postcode: str,
    lad_code: str | None,
    council_lad_code: str,
    county_lad_codes: Iterable[str],
    local_prefixes: Iterable[str],
) -> LocalityDecision:
    """Where a supplier with this postcode is, and how that was decided. Pure.

    `lad_code` is the ONS lookup's district for the postcode, or None when the lookup does not
    hold it.
    """
    if not postcode:
        return LocalityDecision(Locality.UNKNOWN, LocalitySource.NONE)
    if lad_code and council_lad_code:
        if lad_code == council_lad_code:
            return LocalityDecision(Locality.BOROUGH, LocalitySource.POSTCODE_LOOKUP)
        if lad_code in set(county_lad_codes):
            return LocalityDecision(Locality.COUNTY, LocalitySource.POSTCODE_LOOKUP)
        return LocalityDecision(Locality.ELSEWHERE, LocalitySource.POSTCODE_LOOKUP)
    outward = outward_code(postcode)
    prefixes = {prefix.strip().upper() for prefix in local_prefixes}
    if outward is not None and outward in prefixes:
        return LocalityDecision(Locality.BOROUGH, LocalitySource.POSTCODE_PREFIX)
    return LocalityDecision(Locality.UNKNOWN, LocalitySource.NONE)


# Where a normalised postcode {postcode} lies, as SQL: the same decision as
# supplier_locality_decide, for every row at once. {lookup} is the postcode lookup's row for it
# (a LEFT JOIN). Text that is not a normalised UK postcode ("D02 X285", "SG1") is unknown.
_LOCALITY_CASE = """
CASE
    WHEN {postcode} !~ '^[A-Z]{{1,2}}[0-9][0-9A-Z]? [0-9][A-Z]{{2}}$' THEN 'unknown'
    WHEN {lookup}.lad_code <> '' AND %(council_lad)s <> '' THEN
        CASE WHEN {lookup}.lad_code = %(council_lad)s THEN 'borough'
             WHEN {lookup}.lad_code = ANY(%(county)s) THEN 'county'
             ELSE 'elsewhere' END
    WHEN split_part({postcode}, ' ', 1) = ANY(%(prefixes)s) THEN 'borough'
    ELSE 'unknown'
END"""
_SOURCE_CASE = """
CASE
    WHEN {postcode} !~ '^[A-Z]{{1,2}}[0-9][0-9A-Z]? [0-9][A-Z]{{2}}$' THEN 'none'
    WHEN {lookup}.lad_code <> '' AND %(council_lad)s <> '' THEN 'postcode_lookup'
    WHEN split_part({postcode}, ' ', 1) = ANY(%(prefixes)s) THEN 'postcode_prefix'
    ELSE 'none'
END"""
_SUPPLIERS_REFRESH_SQL = """
WITH decided AS (
    SELECT s.id,
        {locality} AS locality,
        {source} AS source,
        CASE WHEN {locality} = 'borough' THEN n.id END AS neighbourhood_id
    FROM {supplier} AS s
    LEFT JOIN {lookup_table} AS l ON l.postcode = s.postcode AND s.postcode <> ''
    LEFT JOIN {ward} AS w ON w.id = l.ward_id
    LEFT JOIN {neighbourhood} AS n ON n.id = w.neighbourhood_id AND n.council_id = %(council)s
    WHERE s.locality_source <> 'officer' AND NOT s.is_redacted {only}
)
UPDATE {supplier} AS s
SET locality = d.locality, locality_source = d.source, neighbourhood_id = d.neighbourhood_id
FROM decided AS d
WHERE s.id = d.id
    AND (s.locality, s.locality_source, s.neighbourhood_id)
        IS DISTINCT FROM (d.locality, d.source, d.neighbourhood_id)
"""
# Payments whose own line gave a postcode ("payment_postcode": as written; UK ones normalised).
_PAYMENTS_REFRESH_SQL = """
UPDATE {transaction} AS t
SET locality = d.locality
FROM (
    SELECT p.id, {locality} AS locality
    FROM {transaction} AS p
    LEFT JOIN {lookup_table} AS l ON l.postcode = p.postcode
    WHERE p.postcode <> ''
) AS d
WHERE t.id = d.id AND t.locality IS DISTINCT FROM d.locality
"""


def locality_sql_params(council: Council | None) -> dict:
    """The parameters of the locality SQL (_LOCALITY_CASE) for this council (with none, every
    postcode is unknown)."""
    if council is None:
        return {"council": None, "council_lad": "", "county": [], "prefixes": []}
    return {
        "council": council.pk,
        "council_lad": council.ons_code or "",
        "county": sorted(spend_reference(council=council).county_lad_codes),
        "prefixes": sorted({prefix.strip().upper() for prefix in council.local_postcode_prefixes}),
    }


def locality_case_sql(*, postcode: str, lookup: str) -> str:
    """SQL for where the (normalised) postcode `postcode` lies; `lookup` is the alias of the
    postcode lookup's LEFT JOINed row for it. Takes locality_sql_params()."""
    return _LOCALITY_CASE.format(postcode=postcode, lookup=lookup)


def _tables() -> dict[str, str]:
    from metrics.spend.models import SpendTransaction
    from neighbourhoods.models import Neighbourhood, Ward

    return {
        "supplier": Supplier._meta.db_table,
        "transaction": SpendTransaction._meta.db_table,
        "lookup_table": PostcodeLookup._meta.db_table,
        "ward": Ward._meta.db_table,
        "neighbourhood": Neighbourhood._meta.db_table,
    }


def supplier_localities_refresh(
    *,
    council: Council | None = None,
    supplier_ids: Iterable[int] | None = None,
    payments: bool | None = None,
) -> int:
    """Recompute locality and neighbourhood from postcodes for suppliers an officer has not
    decided (all of them, or those given), in one statement; with `payments` (the default when
    no suppliers are named, as after a postcode import) also every payment whose own line gave a
    postcode. Returns how many suppliers changed."""
    council = council or council_current()
    if council is None:
        return 0
    params = locality_sql_params(council)
    only = ""
    if supplier_ids is not None:
        params["ids"] = list(supplier_ids)
        only = "AND s.id = ANY(%(ids)s)"
    tables = _tables()
    sql = _SUPPLIERS_REFRESH_SQL.format(
        locality=_LOCALITY_CASE.format(postcode="s.postcode", lookup="l"),
        source=_SOURCE_CASE.format(postcode="s.postcode", lookup="l"),
        only=only,
        **tables,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        changed = cursor.rowcount
        if payments if payments is not None else supplier_ids is None:
            cursor.execute(
                _PAYMENTS_REFRESH_SQL.format(
                    locality=_LOCALITY_CASE.format(postcode="p.postcode", lookup="l"), **tables
                ),
                params,
            )
    return changed


def _log(*, actor: AbstractBaseUser | None, suppliers: list[Supplier], message: str) -> None:
    """The audit rows: Django admin's history of each supplier, naming who acted."""
    if actor is None or actor.pk is None or not suppliers:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=suppliers, action_flag=CHANGE, change_message=message
    )


@transaction.atomic
def supplier_locality_override(
    *, supplier: Supplier, locality: str, reason: str, actor: AbstractBaseUser | None
) -> Supplier:
    """An officer decides where a supplier is, saying why; the postcode no longer decides."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"locality_override_reason": "Enter why the supplier's locality is being changed"}
        )
    if locality not in Locality.values:
        raise ValidationError({"locality": "Choose where the supplier is"})
    supplier.locality = locality
    supplier.locality_source = LocalitySource.OFFICER
    supplier.locality_override_reason = reason
    if locality != Locality.BOROUGH:
        supplier.neighbourhood = None
    supplier.full_clean()
    supplier.save()
    _log(
        actor=actor,
        suppliers=[supplier],
        message=f"Locality set to “{supplier.get_locality_display()}” by an officer: {reason}",
    )
    return supplier


@transaction.atomic
def supplier_locality_override_clear(
    *, supplier: Supplier, actor: AbstractBaseUser | None, council: Council | None = None
) -> Supplier:
    """Let the postcode decide again."""
    supplier.locality_source = LocalitySource.NONE
    supplier.locality_override_reason = ""
    supplier.save(update_fields=["locality_source", "locality_override_reason"])
    supplier_localities_refresh(council=council, supplier_ids=[supplier.pk])
    supplier.refresh_from_db()
    _log(actor=actor, suppliers=[supplier], message="Locality decided by the postcode again")
    return supplier


# --- SME / VCSE flags from officers' spreadsheets -------------------------------------------

FLAG_COLUMNS = {
    "supplier_ref": ("supplier id", "supplier ref", "supplier reference", "supplier number"),
    "name": ("supplier name", "name", "supplier"),
    "is_sme": ("sme", "is sme"),
    "is_vcse": ("vcse", "is vcse"),
    "postcode": ("postcode", "supplier postcode"),
    "company_number": ("company number", "company no", "companies house number"),
    "charity_number": ("charity number", "charity no", "registered charity number"),
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_UNKNOWN = {"unknown", "not known", "?"}
_COMPANY_NUMBER = re.compile(r"(?:[A-Z]{2}[0-9]{6}|[0-9]{8})")
_CHARITY_NUMBER = re.compile(r"(?:SC[0-9]{6}|NIC[0-9]{6}|[0-9]{6,8}(?:-[0-9]{1,2})?)")


class SupplierFlagsImportError(ImportRefused):
    """A flags file with problems: nothing from it was imported."""


@dataclass(frozen=True)
class SupplierFlagsResult:
    rows: int
    updated: int


def _flag(value: str) -> tuple[bool, bool | None]:
    """(given, value): an empty cell leaves the flag alone; "unknown" clears it."""
    key = value.strip().casefold()
    if not key:
        return False, None
    if key in _YES:
        return True, True
    if key in _NO:
        return True, False
    if key in _UNKNOWN:
        return True, None
    raise ValueError("Enter yes, no or unknown, or leave it empty")


@transaction.atomic
def supplier_flags_import(
    *, rows: Iterable[Mapping[str, Any]], actor: AbstractBaseUser | None = None
) -> SupplierFlagsResult:
    """Set SME / VCSE flags, postcodes, company and charity numbers from officers' rows (e.g. a
    csv.DictReader). Suppliers match on the council's supplier ID, else on the normalised name;
    an empty cell leaves a value as it is. All or nothing: any bad row raises
    SupplierFlagsImportError listing every problem (the header is line 1)."""
    suppliers = list(Supplier.objects.filter(is_redacted=False))
    by_ref: dict[str, list[Supplier]] = {}
    for supplier in suppliers:
        if supplier.supplier_ref:
            by_ref.setdefault(supplier.supplier_ref.strip().casefold(), []).append(supplier)
    by_key = {supplier.normalised_name: supplier for supplier in suppliers}

    errors: list[RowError] = []
    seen: dict[int, int] = {}
    changes: dict[int, dict[str, Any]] = {}
    columns: dict[str, str] | None = None
    count = 0
    for line, row in enumerate(rows, start=2):
        if columns is None:
            columns = columns_find(row, FLAG_COLUMNS)
            if "supplier_ref" not in columns and "name" not in columns:
                reason = "The file needs a Supplier ID or a Supplier name column"
                raise SupplierFlagsImportError([RowError(1, "", "", reason)])

        def cell(field: str, row=row, columns=columns) -> str:
            header = columns.get(field)
            value = row.get(header) if header else None
            return " ".join(str(value).split()) if value is not None else ""

        if not any(cell(field) for field in columns):
            continue
        count += 1
        ref, name = cell("supplier_ref"), cell("name")
        supplier = None
        matches = by_ref.get(ref.casefold(), []) if ref else []
        if len(matches) == 1:
            supplier = matches[0]
        elif name:
            supplier = by_key.get(supplier_name_normalise(name))
        if supplier is None:
            if ref and len(matches) > 1 and not name:
                reason = f"{len(matches)} suppliers have this ID: add the supplier's name"
            else:
                reason = "No supplier with this ID or name is in the register"
            column = columns.get("supplier_ref" if ref and not name else "name", "")
            errors.append(RowError(line, column, name or ref, reason))
            continue
        if supplier.pk in seen:
            errors.append(
                RowError(
                    line, columns.get("name", ""), name or ref, f"Repeats line {seen[supplier.pk]}"
                )
            )
            continue
        seen[supplier.pk] = line

        change: dict[str, Any] = {}
        for field in ("is_sme", "is_vcse"):
            try:
                given, flag = _flag(cell(field))
            except ValueError as error:
                errors.append(RowError(line, columns.get(field, ""), cell(field), str(error)))
                continue
            if given:
                change[field] = flag
        if raw := cell("postcode"):
            postcode = normalise_postcode(raw)
            if postcode is None:
                errors.append(RowError(line, columns["postcode"], raw, "Not a full UK postcode"))
            else:
                change["postcode"] = postcode
        if raw := cell("company_number"):
            number = raw.replace(" ", "").upper()
            number = number.zfill(8) if number.isdigit() else number
            if not _COMPANY_NUMBER.fullmatch(number):
                errors.append(
                    RowError(
                        line,
                        columns["company_number"],
                        raw,
                        "Not a Companies House number like 01234567 or SC123456",
                    )
                )
            else:
                change["company_number"] = number
        if raw := cell("charity_number"):
            number = raw.replace(" ", "").upper()
            if not _CHARITY_NUMBER.fullmatch(number):
                errors.append(
                    RowError(
                        line, columns["charity_number"], raw, "Not a charity number like 1234567"
                    )
                )
            else:
                change["charity_number"] = number
        changes[supplier.pk] = change

    if errors:
        raise SupplierFlagsImportError(errors)

    by_pk = {supplier.pk: supplier for supplier in suppliers}
    updated, moved = [], []
    for pk, change in changes.items():
        supplier = by_pk[pk]
        if any(getattr(supplier, field) != value for field, value in change.items()):
            if change.get("postcode", supplier.postcode) != supplier.postcode:
                moved.append(pk)
            for field, value in change.items():
                setattr(supplier, field, value)
            updated.append(supplier)
    fields = ["is_sme", "is_vcse", "postcode", "company_number", "charity_number"]
    Supplier.objects.bulk_update(updated, fields, batch_size=1000)
    if moved:
        supplier_localities_refresh(supplier_ids=moved)
    _log(actor=actor, suppliers=updated, message="Flags imported from a spreadsheet")
    return SupplierFlagsResult(rows=count, updated=len(updated))
