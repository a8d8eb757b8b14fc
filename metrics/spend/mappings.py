"""Saved column mappings: how each publishing body's spending files name their columns.

An officer who maps a council's columns once (`import_spend --map "Payee=supplier_name"`, or
the upload page's extra column names) should not map them again next month. When an import
with a mapping succeeds (not a dry run), the mapping is saved for the body the file is from:
the import's body name (`--body`, the upload page's body name), else the body name on the
file's first line below its header row. The next file from that body is read with it
automatically (importer.spend_rows), under any mapping given for that import, which wins. A
saved mapping naming a column a later file lacks is passed over (layouts change); a mapping
given for the import that names a missing column is an error. Officers edit the mappings in
admin; every change is in the audit trail (SpendColumnMappingEvent).
"""

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction

from audit.trail import trail_step
from core.tabular import header_key
from metrics.spend.models import SpendColumnMapping
from metrics.spend.values import cell_text


def column_mappings_by_body() -> dict[str, dict[str, str]]:
    """{body name: {column header: field}} for every saved mapping (a short table)."""
    return {
        mapping.body_name: dict(mapping.columns)
        for mapping in SpendColumnMapping.objects.only("body_name", "columns")
    }


def column_mapping_merge(saved: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    """The saved mapping with the given columns added or changed (a column however spelled)."""
    given_keys = {header_key(column) for column in given}
    merged = {
        column: name for column, name in saved.items() if header_key(column) not in given_keys
    }
    merged.update(given)
    return merged


@transaction.atomic
def column_mapping_save(
    *, body_name: str, columns: Mapping[str, str], actor: User | None
) -> SpendColumnMapping | None:
    """Add `columns` ({column header: field}) to the body's saved mapping; None when there is no
    body name or nothing to save. Writes nothing when the mapping already says the same."""
    body_name = cell_text(body_name)[:200]
    if not header_key(body_name) or not columns:
        return None
    mapping = (
        SpendColumnMapping.objects.select_for_update()
        .filter(body_key=header_key(body_name)[:200])
        .first()
    )
    if mapping is None:
        mapping = SpendColumnMapping(body_name=body_name, columns={})
    merged = column_mapping_merge(mapping.columns, columns)
    if mapping.pk and merged == mapping.columns:
        return mapping
    with trail_step("column mapping saved", actor=actor):
        mapping.columns = merged
        mapping.updated_by = actor if getattr(actor, "pk", None) else None
        mapping.save()
    return mapping
