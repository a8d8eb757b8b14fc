"""Writing spend: importing a "spending over £500" file, all or nothing and idempotently.

Every import, small or large, takes the same path:

1. The file is read row by row (metrics.spend.importer); memory stays flat whatever its size.
2. The checked lines are written in steps of PIPELINE_ROWS (`_Inserter`): each step is copied
   into a TEMP staging table with PostgreSQL COPY, its new suppliers inserted (ON CONFLICT on
   the normalised name: an existing supplier only gains a postcode or supplier ID it lacked)
   and their localities worked out, then its lines not already held inserted (imports take
   turns through a table lock that readers do not wait for) by a statement that runs on a
   thread of its own while the next step is read: reading and writing overlap.
3. Any bad row stops the writing; the rest of the file is still checked so that the report lists
   every bad row, then the transaction rolls back: nothing is imported (steps already written
   included), and a rejected ImportBatch keeps the report (line, column, value, reason).

`line_hash` = the first 128 bits of sha256(base hash of the line's normalised values + ":" + n),
n being the line's occurrence among identical lines of the same file (numbered as the lines are
read, `_Occurrences`): an invoice split into two identical lines is two payments, both kept; the
same file, or lines already held from another file, add nothing.

A batch ends in review: its payments are held (later files recognise them) but not public until
an officer publishes it (`import_batch_publish`); discarding (`import_batch_discard`) or
withdrawing a published batch with a reason (`import_batch_withdraw`) deletes its payments, so
the same file may be imported again. A file a batch already holds (same sha256) is refused
before anything is written (`SpendFileHeld`), and a database constraint backs that up.
"""

import datetime
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.trail import trail_step
from core.tabular import RowError
from metrics.spend.files import SpendFile, SpendFileError
from metrics.spend.importer import LeftOutRow, SheetRead, SpendColumns, SpendRow, spend_rows
from metrics.spend.mappings import column_mapping_save, column_mappings_by_body
from metrics.spend.models import BATCH_HOLDING_STATES, ImportBatch, SpendTransaction, Supplier
from metrics.spend.reference import SpendReference, spend_reference
from metrics.spend.suppliers import (
    locality_case_sql,
    locality_sql_params,
    supplier_localities_refresh,
)
from metrics.spend.workflows import (
    BATCH_WORKFLOW,
    DISCARD,
    IMPORT,
    PUBLISH,
    REJECT,
    WITHDRAW,
)
from neighbourhoods.models import Council, PostcodeLookup
from neighbourhoods.selectors import council_current

# Enough to show what is wrong with a file without storing a million problems.
SPEND_MAX_ERRORS = 1000
PREVIEW_ROWS = 10

# The order of the COPY lines; the one column that may be NULL comes last.
STAGING_COLUMNS = (
    "line",
    "base_hash",
    "occurrence",
    "body_name",
    "payment_date",
    "transaction_number",
    "amount",
    "supplier_name",
    "supplier_key",
    "supplier_ref",
    "supplier_postcode",
    "is_redacted",
    "department",
    "expense_type",
    "description",
    "payment_postcode",
    "irrecoverable_vat",
)
COPY_CHUNK_ROWS = 2000
# Lines written per step of the pipeline: while the database inserts one step's lines, the next
# step's are read and checked (see _Inserter).
PIPELINE_ROWS = 50_000
_STAGING_DDL = """
CREATE TEMP TABLE {table} (
    line integer NOT NULL,
    base_hash text NOT NULL,
    occurrence integer NOT NULL,
    body_name text NOT NULL,
    payment_date date NOT NULL,
    transaction_number text NOT NULL,
    amount numeric(14, 2) NOT NULL,
    irrecoverable_vat numeric(14, 2),
    supplier_name text NOT NULL,
    supplier_key text NOT NULL,
    supplier_ref text NOT NULL,
    supplier_postcode text NOT NULL,
    is_redacted boolean NOT NULL,
    department text NOT NULL,
    expense_type text NOT NULL,
    description text NOT NULL,
    payment_postcode text NOT NULL
) ON COMMIT DROP
"""
# One row per supplier of the file (the first line naming it, preferring lines that give a
# postcode and an ID). An existing supplier keeps its name and flags and only gains a postcode
# or supplier ID it lacked; RETURNING names the suppliers whose locality must be worked out.
_SUPPLIERS_SQL = """
WITH incoming AS (
    SELECT DISTINCT ON (supplier_key)
        supplier_key, supplier_name, supplier_ref, supplier_postcode, is_redacted
    FROM {staging}
    ORDER BY supplier_key, supplier_postcode = '', supplier_ref = '', line
)
INSERT INTO {supplier} AS s (
    name, normalised_name, supplier_ref, postcode, company_number, charity_number,
    is_redacted, locality, locality_source, locality_override_reason
)
SELECT supplier_name, supplier_key, supplier_ref, supplier_postcode, '', '',
    is_redacted, 'unknown', 'none', ''
FROM incoming
ON CONFLICT (normalised_name) DO UPDATE SET
    postcode = CASE WHEN s.postcode = '' THEN EXCLUDED.postcode ELSE s.postcode END,
    supplier_ref = CASE WHEN s.supplier_ref = '' THEN EXCLUDED.supplier_ref
        ELSE s.supplier_ref END
WHERE (s.postcode = '' AND EXCLUDED.postcode <> '')
    OR (s.supplier_ref = '' AND EXCLUDED.supplier_ref <> '')
RETURNING s.id, (s.xmax = 0) AS inserted
"""
# The file's lines not already held. Concurrent imports are serialised by a lock taken just
# before (readers are not blocked), so the anti-join is enough and the costlier ON CONFLICT
# speculative insertion is not needed; the unique index still guards the invariant.
_TRANSACTIONS_SQL = """
WITH added AS (
INSERT INTO {transaction} (
    batch_id, body_name, payment_date, transaction_number, amount, irrecoverable_vat,
    supplier_id, department, expense_type, description, line_hash, postcode, locality
)
SELECT %(batch)s, t.body_name, t.payment_date, t.transaction_number, t.amount,
    t.irrecoverable_vat, s.id, t.department, t.expense_type, t.description, t.line_hash,
    t.payment_postcode,
    CASE WHEN t.payment_postcode = '' OR s.is_redacted THEN '' ELSE {locality} END
FROM (
    SELECT n.*,
        encode(substring(sha256(convert_to(n.base_hash || ':' || n.occurrence, 'UTF8'))
            FROM 1 FOR 16), 'hex')::uuid AS line_hash
    FROM {staging} AS n
) AS t
JOIN {supplier} AS s ON s.normalised_name = t.supplier_key
LEFT JOIN {lookup_table} AS l ON l.postcode = t.payment_postcode AND t.payment_postcode <> ''
WHERE NOT EXISTS (SELECT 1 FROM {transaction} AS held WHERE held.line_hash = t.line_hash)
RETURNING amount
)
SELECT count(*), coalesce(sum(amount), 0) FROM added
"""
_LOCK_SQL = "LOCK TABLE {transaction} IN SHARE ROW EXCLUSIVE MODE"

Progress = Callable[[float, int], None]


@dataclass
class SpendImportResult:
    batch: ImportBatch | None
    file_name: str
    rows: int
    added: int
    new_suppliers: int
    dry_run: bool = False
    columns: list[tuple[str, str]] = field(default_factory=list)
    preview: list[SpendRow] = field(default_factory=list)
    left_out: int = 0
    sheets: list[SheetRead] = field(default_factory=list)
    # The publishing body whose saved column mapping applied, and the one the import's own
    # mapping was saved for (metrics.spend.mappings); "" for none.
    mapping_applied_for: str = ""
    mapping_saved_for: str = ""

    @property
    def already_held(self) -> int:
        return self.rows - self.added - self.left_out


class SpendImportError(Exception):
    """A file with problems: nothing from it was imported.

    `errors` lists the problems (at most SPEND_MAX_ERRORS), `total` counts them all, `batch` is
    the rejected ImportBatch that keeps the report (None for a dry run).
    """

    def __init__(
        self,
        errors: list[RowError],
        *,
        total: int,
        rows: int,
        batch: ImportBatch | None = None,
        columns: list[tuple[str, str]] | None = None,
        preview: list[SpendRow] | None = None,
        sheets: list[SheetRead] | None = None,
    ):
        self.errors = errors
        self.total = total
        self.rows = rows
        self.batch = batch
        self.columns = columns or []
        self.preview = preview or []
        self.sheets = sheets or []
        super().__init__(f"{total} problems; nothing was imported")

    def report(self) -> list[dict]:
        report = [error.as_dict() for error in self.errors]
        if self.total > len(self.errors):
            more = self.total - len(self.errors)
            report.append({"line": None, "column": "", "value": "", "reason": f"{more} more"})
        return report


class SpendFileHeld(Exception):
    """The very same file (same sha256) is held by a batch queued, importing, in review or
    published: nothing was written. `batch` is the batch that holds it."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        super().__init__(
            f"This file is already held by import batch {batch.pk} "
            f"(“{batch.file_name}”, {batch.get_status_display().lower()}): nothing was imported"
        )


def import_batch_holding(sha256: str) -> ImportBatch | None:
    """The batch that holds a file with this sha256, if any."""
    if not sha256:
        return None
    return (
        ImportBatch.objects.filter(sha256=sha256, status__in=BATCH_HOLDING_STATES)
        .order_by("pk")
        .first()
    )


def _held_check(sha256: str, *, batch: ImportBatch | None = None) -> None:
    holder = import_batch_holding(sha256)
    if holder is not None and (batch is None or holder.pk != batch.pk):
        raise SpendFileHeld(holder)


class _DryRun(Exception):
    def __init__(self, result: SpendImportResult):
        self.result = result


def spend_import(
    *,
    path: Path,
    file_name: str | None = None,
    header_map: Mapping[str, str] | None = None,
    body_name: str = "",
    dry_run: bool = False,
    actor: User | None = None,
    council: Council | None = None,
    progress: Progress | None = None,
    preview_rows: int = PREVIEW_ROWS,
    today: datetime.date | None = None,
    batch: ImportBatch | None = None,
    leave_out_trivial: bool = False,
) -> SpendImportResult:
    """Import one spending file (CSV or XLSX). All or nothing; idempotent.

    Raises SpendImportError (with the rejected batch, unless a dry run) when any row is bad or
    the file cannot be read, and SpendFileHeld (writing nothing) when a batch holds the same
    file already. A dry run does everything, then rolls back: its result says how many rows
    would be added, and previews the first rows. `batch` is a batch already made and started (a
    background import, metrics.spend.uploads) to finish, instead of a new one. The batch ends
    in review: nothing of it is public until it is published (`import_batch_publish`).
    `leave_out_trivial` is the officer's choice, for this import, to leave out lines that fail
    only because they name no supplier and their amount is trivial (importer.LeftOutRow).
    """
    if batch is not None and dry_run:
        raise ValueError("A dry run makes no batch: do not give one")
    file_name = file_name or Path(path).name
    council = council or council_current()
    reference = spend_reference(council=council)
    spend_file = None
    try:
        spend_file = SpendFile.open(path)
        _held_check(spend_file.sha256, batch=batch)
        with transaction.atomic():
            result = _import(
                spend_file,
                file_name=file_name,
                header_map=header_map or {},
                aliases=reference.header_aliases,
                body_name=body_name,
                actor=actor,
                council=council,
                progress=progress,
                preview_rows=preview_rows,
                today=today,
                batch=batch,
                leave_out_trivial=leave_out_trivial,
                reference=reference,
            )
            if dry_run:
                result.dry_run = True
                result.batch = None
                raise _DryRun(result)
        return result
    except _DryRun as rolled_back:
        return rolled_back.result
    except SpendFileError as error:
        problem = SpendImportError(error.errors, total=len(error.errors), rows=0)
    except SpendImportError as error:
        problem = error
    if not dry_run:
        BATCH_WORKFLOW.check(REJECT, batch, actor)
        if batch is None:
            batch = ImportBatch(
                file_name=file_name[:255],
                imported_by=actor if getattr(actor, "pk", None) else None,
            )
        BATCH_WORKFLOW.apply(REJECT, batch)
        batch.sha256 = spend_file.sha256 if spend_file else ""
        batch.rows, batch.added, batch.error_report = problem.rows, 0, problem.report()
        batch.sheets = [sheet.as_dict() for sheet in problem.sheets]
        batch.leave_out_trivial = leave_out_trivial
        batch.finished_at = timezone.now()
        batch.save()
        problem.batch = batch
    raise problem


def _import(
    spend_file: SpendFile,
    *,
    file_name: str,
    header_map: Mapping[str, str],
    aliases: Mapping[str, str],
    body_name: str,
    actor: User | None,
    council: Council | None,
    progress: Progress | None,
    preview_rows: int,
    today: datetime.date | None,
    batch: ImportBatch | None,
    leave_out_trivial: bool = False,
    reference: SpendReference | None = None,
) -> SpendImportResult:
    BATCH_WORKFLOW.check(IMPORT, batch, actor)
    reference = reference or SpendReference()
    if batch is None:
        try:
            with transaction.atomic():
                batch = ImportBatch.objects.create(
                    file_name=file_name[:255],
                    sha256=spend_file.sha256,
                    status=IMPORT.to_state,
                    imported_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:  # another import of the same file got there first
            _held_check(spend_file.sha256)
            raise
    # A batch given is not written until the end: a background import reports its progress on
    # the batch's row through another connection, which would wait on this transaction's lock.
    seen_columns: list[SpendColumns] = []
    preview: list[SpendRow] = []
    errors: list[RowError] = []
    total_errors = rows = left_out = 0
    left_out_report: list[dict] = []
    sheets: list[SheetRead] = []
    rows_iter = spend_rows(
        spend_file,
        header_map=header_map,
        aliases=aliases,
        body_name=body_name,
        today=today,
        on_columns=seen_columns.append,
        saved_mappings=column_mappings_by_body(),
        on_sheet=sheets.append,
        leave_out_trivial=leave_out_trivial,
        trivial_amount=reference.trivial_amount,
        withheld_payees=reference.withheld_payees,
    )
    occurrences = _Occurrences()
    locality_params = locality_sql_params(council)
    inserter = _Inserter(batch=batch, locality_params=locality_params)
    new_suppliers = 0
    with connection.cursor() as cursor:
        # Room to keep each step's staging table in memory (this takes effect only before a
        # session's first temporary table, as in the command; otherwise it is ignored).
        cursor.execute("SET LOCAL temp_buffers = '512MB'")
        lines: list[str] = []
        try:
            for item in rows_iter:
                rows += 1
                if isinstance(item, LeftOutRow):
                    left_out += 1
                    if len(left_out_report) < SPEND_MAX_ERRORS:
                        left_out_report.append(item.as_dict())
                elif isinstance(item, list):
                    total_errors += len(item)
                    errors.extend(item[: max(0, SPEND_MAX_ERRORS - len(errors))])
                    lines = []
                elif not total_errors:
                    lines.append(_copy_line(item, occurrences.next(item.base_hash)))
                    if len(preview) < preview_rows:
                        preview.append(item)
                    if len(lines) >= PIPELINE_ROWS:
                        new_suppliers += inserter.step(cursor, lines, council=council)
                        lines = []
                if progress and rows % 5000 == 0:
                    progress(spend_file.fraction_read(), rows)
            if lines and not total_errors:
                new_suppliers += inserter.step(cursor, lines, council=council)
        finally:
            inserter.wait()  # never leave a statement running on the connection
        inserter.finish(cursor)
        if progress:
            progress(1.0, rows)
        columns = seen_columns[0].describe() if seen_columns else []
        if total_errors:
            raise SpendImportError(
                errors,
                total=total_errors,
                rows=rows,
                columns=columns,
                preview=preview,
                sheets=sheets,
            )
    added, total_value = inserter.added, inserter.total_value
    BATCH_WORKFLOW.apply(IMPORT, batch)
    batch.sha256, batch.rows, batch.added, batch.total_value, batch.finished_at = (
        spend_file.sha256,
        rows,
        added,
        total_value,
        timezone.now(),
    )
    batch.left_out, batch.left_out_report = left_out, left_out_report
    batch.sheets = [sheet.as_dict() for sheet in sheets]
    body = next((columns.body for columns in seen_columns if columns.body), "")
    saved = column_mapping_save(body_name=body, columns=header_map, actor=actor)
    batch.leave_out_trivial = leave_out_trivial
    batch.save(
        update_fields=[
            "status",
            "sha256",
            "rows",
            "added",
            "total_value",
            "finished_at",
            "left_out",
            "left_out_report",
            "sheets",
            "leave_out_trivial",
        ]
    )
    return SpendImportResult(
        batch=batch,
        file_name=file_name,
        rows=rows,
        added=added,
        new_suppliers=new_suppliers,
        columns=columns,
        preview=preview,
        left_out=left_out,
        sheets=sheets,
        mapping_applied_for=next((c.body for c in seen_columns if c.mapping_applied), ""),
        mapping_saved_for=saved.body_name if saved else "",
    )


class _Occurrences:
    """Numbers identical lines of a file 1, 2, ... (the n of `line_hash`) as they are read, so
    that each step of the pipeline can be written on its own. Keeps a 64-bit key per distinct
    line (about 60 bytes each), and a count only for lines met more than once."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.repeated: dict[str, int] = {}

    def next(self, base_hash: str) -> int:
        key = int(base_hash[:16], 16)
        if key not in self.seen:
            self.seen.add(key)
            return 1
        occurrence = self.repeated.get(base_hash, 1) + 1
        self.repeated[base_hash] = occurrence
        return occurrence


class _Inserter:
    """Writes the file's checked lines step by step: each step's lines are copied into a
    staging table, its new suppliers inserted (on this thread, through Django, so the audit
    trail knows who acted), then its payments inserted by a statement that runs on a thread
    of its own while the next step's lines are read and checked. Python reading the file and
    PostgreSQL writing it then overlap instead of taking turns. The foreign keys are checked
    as each statement runs (not all at commit), so that their cost overlaps too."""

    def __init__(self, *, batch: ImportBatch, locality_params: dict):
        self.batch = batch
        self.locality_params = locality_params
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.added = 0
        self.total_value = Decimal(0)
        self.started = False
        self.staging: list[str] = []
        self.foreign_keys: list[str] = []

    def _start(self, cursor) -> None:
        table = SpendTransaction._meta.db_table
        cursor.execute(_LOCK_SQL.format(transaction=table))
        self.foreign_keys = _foreign_keys(cursor, table)
        if self.foreign_keys:
            cursor.execute(f"SET CONSTRAINTS {', '.join(self.foreign_keys)} IMMEDIATE")
        self.started = True

    def step(self, cursor, lines: list[str], *, council: Council | None) -> int:
        """Write these lines; returns how many suppliers they added."""
        self.wait()
        if not self.started:
            self._start(cursor)
        staging = f"spend_staging_{secrets.token_hex(6)}"
        cursor.execute(_STAGING_DDL.format(table=staging))
        self.staging.append(staging)
        copy_sql = f"COPY {staging} ({', '.join(STAGING_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for start in range(0, len(lines), COPY_CHUNK_ROWS):
                copy.write("".join(lines[start : start + COPY_CHUNK_ROWS]))
        new_suppliers = _suppliers_write(cursor, staging=staging, council=council)
        sql = _TRANSACTIONS_SQL.format(
            transaction=SpendTransaction._meta.db_table,
            staging=staging,
            supplier=Supplier._meta.db_table,
            lookup_table=PostcodeLookup._meta.db_table,
            locality=locality_case_sql(postcode="t.payment_postcode", lookup="l"),
        )
        params = {"batch": self.batch.pk, **self.locality_params}
        # The thread uses the connection only while this one waits for it (self.wait()).
        raw = connection.connection
        self.thread = threading.Thread(target=self._insert, args=(raw, sql, params))
        self.thread.start()
        return new_suppliers

    def _insert(self, raw, sql: str, params: dict) -> None:
        try:
            with connection.wrap_database_errors, raw.cursor() as cursor:
                cursor.execute(sql, params)
                added, total_value = cursor.fetchone()
            self.added += added
            self.total_value += total_value
        except BaseException as error:  # raised again on the importing thread
            self.error = error

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def finish(self, cursor) -> None:
        for staging in self.staging:
            cursor.execute(f"DROP TABLE {staging}")
        self.staging = []
        if self.foreign_keys:
            cursor.execute(f"SET CONSTRAINTS {', '.join(self.foreign_keys)} DEFERRED")


def _foreign_keys(cursor, table: str) -> list[str]:
    """The table's deferrable foreign keys, quoted, to check as each statement runs."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "AND condeferrable ORDER BY conname",
        [table],
    )
    return [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]


def _copy_line(row: SpendRow, occurrence: int) -> str:
    """One line of COPY's text format. Cells are on one line already (the reader collapses
    spaces, tabs and line breaks), so only a backslash needs escaping."""
    line = "\t".join(
        (
            str(row.line),
            row.base_hash,
            str(occurrence),
            row.body_name,
            row.payment_date.isoformat(),
            row.transaction_number,
            str(row.amount),
            row.supplier_name,
            row.supplier_key,
            row.supplier_ref,
            row.supplier_postcode,
            "t" if row.is_redacted else "f",
            row.department,
            row.expense_type,
            row.description,
            # The line's own postcode: normalised when it is a UK one, else as written.
            row.supplier_postcode or row.payment_postcode,
        )
    )
    if "\\" in line:
        line = line.replace("\\", "\\\\")
    vat = "\\N" if row.irrecoverable_vat is None else str(row.irrecoverable_vat)
    return f"{line}\t{vat}\n"


def _suppliers_write(cursor, *, staging: str, council: Council | None) -> int:
    """Insert the file's new suppliers; work out localities for those new or given a postcode.
    Returns how many suppliers are new."""
    cursor.execute(_SUPPLIERS_SQL.format(staging=staging, supplier=Supplier._meta.db_table))
    touched = cursor.fetchall()
    if touched:
        supplier_localities_refresh(council=council, supplier_ids=[pk for pk, _ in touched])
    return sum(1 for _, inserted in touched if inserted)


def spend_import_many(
    *, paths: Iterable[Path], **kwargs
) -> list[SpendImportResult | SpendImportError]:
    """Import several files, each on its own (all or nothing per file)."""
    outcomes: list[SpendImportResult | SpendImportError] = []
    for path in paths:
        try:
            outcomes.append(spend_import(path=path, **kwargs))
        except SpendImportError as error:
            outcomes.append(error)
    return outcomes


# --- The review: publish, discard, withdraw ----------------------------------------------------


def _batch_locked(batch: ImportBatch) -> ImportBatch:
    """The batch's row, locked, as it is now (another officer may have acted on it meanwhile)."""
    return ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


_DELETE_SQL = "DELETE FROM {transaction} WHERE batch_id = %s"


def _payments_delete(batch: ImportBatch) -> int:
    """Delete a batch's payments in one statement: its file's lines are no longer held, so the
    same file, or a corrected one, may be imported again. The batch keeps its counts."""
    with connection.cursor() as cursor:
        cursor.execute(_DELETE_SQL.format(transaction=SpendTransaction._meta.db_table), [batch.pk])
        return cursor.rowcount


@transaction.atomic
def import_batch_publish(*, batch: ImportBatch, actor: User | None) -> ImportBatch:
    """Make a batch in review public: its payments count in every public figure at once."""
    batch = _batch_locked(batch)
    BATCH_WORKFLOW.check(PUBLISH, batch, actor)
    with trail_step("published", actor=actor):
        BATCH_WORKFLOW.apply(PUBLISH, batch)
        batch.reviewed_by = actor if getattr(actor, "pk", None) else None
        batch.reviewed_at = timezone.now()
        batch.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return batch


@transaction.atomic
def import_batch_discard(*, batch: ImportBatch, actor: User | None) -> ImportBatch:
    """Discard a batch in review: its payments, never public, are deleted."""
    batch = _batch_locked(batch)
    BATCH_WORKFLOW.check(DISCARD, batch, actor)
    with trail_step("discarded", actor=actor):
        _payments_delete(batch)
        BATCH_WORKFLOW.apply(DISCARD, batch)
        batch.reviewed_by = actor if getattr(actor, "pk", None) else None
        batch.reviewed_at = timezone.now()
        batch.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return batch


@transaction.atomic
def import_batch_withdraw(*, batch: ImportBatch, actor: User | None, reason: str) -> ImportBatch:
    """Withdraw a published batch, saying why: its payments are deleted and every public figure
    goes back to what it was without them."""
    batch = _batch_locked(batch)
    reason = (reason or "").strip()
    BATCH_WORKFLOW.check(WITHDRAW, batch, actor, reason=reason)
    with trail_step("withdrawn", actor=actor, reason=reason):
        _payments_delete(batch)
        BATCH_WORKFLOW.apply(WITHDRAW, batch)
        batch.withdrawn_by = actor if getattr(actor, "pk", None) else None
        batch.withdrawn_at = timezone.now()
        batch.withdrawal_reason = reason
        batch.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawal_reason"])
    return batch
