"""Spending files uploaded by officers, imported in the background, never inside the request.

1. `spend_upload_queue` stores the upload privately (under MEDIA_ROOT, which nothing serves),
   makes a queued ImportBatch and enqueues `metrics.spend.tasks.spend_batch_import`, in one
   transaction: the batch and its task exist together or not at all. A file a batch already
   holds (the same sha256) is refused there and then (`SpendFileHeld`): nothing is kept.
2. The task (`spend_batch_run`) takes the batch's advisory lock, starts the batch and runs
   `spend_import` on it (all or nothing, as ever), reporting rows read and the share of the
   file read on the batch every few thousand rows through a connection of its own, since the
   import's own transaction shows nothing until it commits. It ends in review (for an officer
   to publish or discard), rejected (the row-by-row report) or failed (the reason), and deletes
   the stored file.
3. `spend_batches_stale_fail` ends as failed, with a message, every batch whose import can no
   longer finish: one being imported whose worker has gone (PostgreSQL released its session's
   advisory lock when the connection dropped: a crash, a kill, an out-of-memory, a database
   outage), and one queued whose task is finished, lost or orphaned. The batch pages run it,
   so an officer never watches a batch that will never move.
"""

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from metrics.spend.models import ImportBatch
from metrics.spend.services import (
    SpendFileHeld,
    SpendImportError,
    import_batch_holding,
    spend_import,
)
from metrics.spend.workflows import BATCH_WORKFLOW, FAIL, QUEUE, START

logger = logging.getLogger(__name__)

# The first key of the advisory lock a running import holds on its batch (the second is the
# batch's id): "SP" in ASCII, so no other lock of ours collides with it.
IMPORT_LOCK_CLASS = 0x5350
# A task that was taken by a worker but has not started its batch within this long lost its
# worker between the two.
START_GRACE_SECONDS = 60
UPLOAD_DIR_NAME = "spend-uploads"

WORKER_GONE = (
    "The import stopped before it finished: the background worker was stopped, restarted or "
    "ran out of memory, or lost the database, while it read this file. Nothing was imported. "
    "Upload the file again."
)
TASK_LOST = (
    "The background worker never imported this file (its task ended or was lost). Nothing "
    "was imported. Upload the file again."
)


def spend_upload_dir() -> Path:
    """Where uploads wait for the worker: under MEDIA_ROOT (var/media), which nothing serves;
    the web and the worker must share it."""
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIR_NAME
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def spend_upload_queue(
    *,
    chunks: Iterable[bytes],
    file_name: str,
    suffix: str,
    actor: User,
    options: Mapping[str, Any] | None = None,
) -> ImportBatch:
    """Store an uploaded spending file and queue its import; returns the queued batch.

    `options` are passed to `spend_import` as they are (header_map, body_name...), so the
    task need not know the importer's choices. Raises SpendFileHeld, keeping nothing, when a
    batch holds the same file already."""
    from metrics.spend.tasks import spend_batch_import

    BATCH_WORKFLOW.check(QUEUE, None, actor)
    stored = spend_upload_dir() / f"{secrets.token_hex(16)}{suffix}"
    digest = hashlib.sha256()
    with stored.open("xb") as handle:
        stored.chmod(0o600)
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    sha256 = digest.hexdigest()
    try:
        holder = import_batch_holding(sha256)
        if holder is not None:
            raise SpendFileHeld(holder)
        with transaction.atomic():
            batch = ImportBatch(
                file_name=Path(file_name).name[:255],
                sha256=sha256,
                imported_by=actor if getattr(actor, "pk", None) else None,
                stored_file=stored.name,
            )
            BATCH_WORKFLOW.apply(QUEUE, batch)
            batch.save()
            result = spend_batch_import.enqueue(batch.pk, dict(options or {}))
            batch.task_id = str(result.id)
            batch.save(update_fields=["task_id"])
    except IntegrityError:
        # The same file uploaded twice at once: the constraint let one batch hold it.
        stored.unlink(missing_ok=True)
        holder = import_batch_holding(sha256)
        if holder is None:
            raise
        raise SpendFileHeld(holder) from None
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return batch


def spend_batch_run(*, batch_id: int, options: Mapping[str, Any]) -> str:
    """Import a queued batch's stored file (the task's body). Returns the batch's end state."""
    # The lock is held from before the batch starts until it ends, so a batch being imported
    # without it has lost its worker.
    with _import_lock(batch_id):
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("imported_by")
                .filter(pk=batch_id)
                .first()
            )
            if batch is None or batch.status not in BATCH_WORKFLOW.states_from(START):
                # Already run (a task delivered twice), or ended as failed meanwhile.
                return batch.status if batch else "missing"
            BATCH_WORKFLOW.check(START, batch, batch.imported_by)
            BATCH_WORKFLOW.apply(START, batch)
            batch.progress_at = timezone.now()
            batch.save(update_fields=["status", "progress_at"])
        return _batch_import(batch, options)


def _batch_import(batch: ImportBatch, options: Mapping[str, Any]) -> str:
    stored = spend_upload_dir() / batch.stored_file
    progress = _ProgressReport(batch.pk)
    try:
        spend_import(
            path=stored,
            file_name=batch.file_name,
            actor=batch.imported_by,
            batch=batch,
            progress=progress,
            **options,
        )
    except SpendImportError:
        return ImportBatch.Status.REJECTED
    except SpendFileHeld as held:  # cannot happen since the upload checked; say so if it does
        _fail([batch.pk], f"{held}.")
        return ImportBatch.Status.FAILED
    except BaseException as error:  # a crash, MemoryError, the worker told to stop: say so
        logger.exception("Spend import of batch %s failed", batch.pk)
        _fail(
            [batch.pk],
            f"The import stopped with an error ({type(error).__name__}). Nothing was imported. "
            "Upload the file again; if this happens again, tell the service's administrators.",
        )
        raise
    finally:
        progress.close()
        stored.unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file="")
    return ImportBatch.Status.REVIEW


@contextlib.contextmanager
def _import_lock(batch_id: int) -> Iterator[None]:
    """Hold the batch's advisory lock for as long as this session works on it: PostgreSQL
    releases it when the session ends, however it ends, which is how a dead worker shows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK_CLASS, batch_id])
    try:
        yield
    finally:
        # A lost connection released it already.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK_CLASS, batch_id])


_PROGRESS_SQL = """
UPDATE {batch} SET progress_rows = %s, progress_percent = %s, progress_at = now()
WHERE id = %s AND status = %s
"""


class _ProgressReport:
    """Writes an import's progress to its batch through a database connection of its own: the
    import's transaction holds back everything else until it commits, and the officer's page
    must see how far it has got before then. Progress is only shown, so a failure to write it
    is logged and the import carries on."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self._connection: Any = None

    def __call__(self, fraction: float, rows: int) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        try:
            if self._connection is None:
                self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._connection.cursor() as cursor:
                    # Never wait on the batch's row: a late report is worth less than the import.
                    cursor.execute("SET lock_timeout = '2s'")
            with self._connection.cursor() as cursor:
                cursor.execute(
                    _PROGRESS_SQL.format(batch=ImportBatch._meta.db_table),
                    [rows, percent, self.batch_id, ImportBatch.Status.IMPORTING],
                )
        except DatabaseError as error:
            logger.warning("Progress of spend batch %s not recorded: %s", self.batch_id, error)

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DatabaseError):
                self._connection.close()


def _fail(batch_ids: list[int], message: str) -> int:
    """End these batches as failed with `message`, where the workflow still allows it, and
    delete their stored files. Returns how many ended."""
    if not batch_ids:
        return 0
    try:
        with transaction.atomic():
            batches = list(
                ImportBatch.objects.select_for_update().filter(
                    pk__in=batch_ids, status__in=BATCH_WORKFLOW.states_from(FAIL)
                )
            )
            for batch in batches:
                BATCH_WORKFLOW.apply(FAIL, batch)
                batch.error_report = [{"line": None, "column": "", "value": "", "reason": message}]
                batch.finished_at = timezone.now()
                stored = batch.stored_file
                batch.stored_file = ""
                batch.save(update_fields=["status", "error_report", "finished_at", "stored_file"])
                if stored:
                    (spend_upload_dir() / stored).unlink(missing_ok=True)
    except DatabaseError as error:  # the database went: the batch pages will say it later
        logger.error("Could not record spend batches %s as failed: %s", batch_ids, error)
        return 0
    return len(batches)


_STALE_SQL = """
WITH candidate AS MATERIALIZED (
    SELECT batch.id, batch.status
    FROM {batch} AS batch
    LEFT JOIN {task} AS task ON task.id::text = batch.task_id
    WHERE batch.status = %(importing)s
        OR (batch.status = %(queued)s AND (
            task.id IS NULL
            OR task.status NOT IN ('READY', 'RUNNING')
            OR (task.status = 'RUNNING'
                AND task.started_at < now() - %(grace)s * interval '1 second')
        ))
)
SELECT id, status FROM candidate WHERE pg_try_advisory_xact_lock(%(lock)s, id::integer)
"""


def spend_batches_stale_fail() -> int:
    """End as failed every batch whose import can no longer finish (see the module's notes).

    One query when nothing is stale. A batch whose worker is alive holds its advisory lock, so
    the try-lock passes it by; the locks taken here are released when the query's transaction
    ends. Returns how many batches ended."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _STALE_SQL.format(batch=ImportBatch._meta.db_table, task=DBTaskResult._meta.db_table),
            {
                "importing": ImportBatch.Status.IMPORTING,
                "queued": ImportBatch.Status.QUEUED,
                "grace": START_GRACE_SECONDS,
                "lock": IMPORT_LOCK_CLASS,
            },
        )
        stale = cursor.fetchall()
        gone = [pk for pk, status in stale if status == ImportBatch.Status.IMPORTING]
        lost = [pk for pk, status in stale if status == ImportBatch.Status.QUEUED]
        return _fail(gone, WORKER_GONE) + _fail(lost, TASK_LOST)
