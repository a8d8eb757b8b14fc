"""Uploads imported in the background: the batch page shows progress while the task runs and
the result after; an import that cannot finish ends failed with a message, never stuck."""

import contextlib
import re

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from metrics.spend import uploads
from metrics.spend.models import ImportBatch, SpendTransaction
from metrics.spend.uploads import (
    IMPORT_LOCK_CLASS,
    TASK_LOST,
    WORKER_GONE,
    spend_batch_run,
    spend_batches_stale_fail,
    spend_upload_queue,
)
from tests.factories import UserFactory
from tests.metrics.factories_spend import ImportBatchFactory

HEADER = "Date,Supplier Name,Amount\n"


def _rows(count: int) -> bytes:
    lines = [f"01/04/2024,Supplier {n % 50} Ltd,{600 + n}.00\n" for n in range(count)]
    return (HEADER + "".join(lines)).encode()


@pytest.fixture
def officer(council, client, settings, tmp_path, sign_in):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, user)
    return user


def _page(client, batch) -> str:
    response = client.get(f"/admin/metrics/importbatch/{batch.pk}/change/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@contextlib.contextmanager
def _other_session():
    """A database session of its own (as a worker process or the web would have)."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield other
    finally:
        other.close()


@contextlib.contextmanager
def _worker_alive(batch):
    """Another session holds the batch's import lock, as a running worker does."""
    with _other_session() as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK_CLASS, batch.pk])
        yield


def _queued(officer, content=b"Date,Supplier Name,Amount\n01/04/2024,Acme Ltd,600\n"):
    return spend_upload_queue(chunks=[content], file_name="spend.csv", suffix=".csv", actor=officer)


def test_a_queued_batch_page_says_it_waits_and_reloads_itself(
    officer, client, django_assert_max_num_queries
):
    batch = _queued(officer)
    # Sign-in (session, user, second factor, the idle clock's save), the stale-batch sweep, the
    # batch and the page's furniture: the same for any number of batches.
    with django_assert_max_num_queries(13):
        page = _page(client, batch)
    assert "Waiting for the background worker to start importing spend.csv" in page
    assert '<meta http-equiv="refresh" content="3">' in page


def test_an_importing_batch_page_shows_rows_read_and_the_share_of_the_file(
    officer, client, django_assert_max_num_queries
):
    batch = ImportBatchFactory(
        status="importing", progress_rows=12000, progress_percent=40, imported_by=officer
    )
    with _worker_alive(batch), django_assert_max_num_queries(12):
        page = _page(client, batch)
    assert "12,000 rows read, 40% of the file." in page
    assert '<progress id="import-progress-bar" max="100" value="40">40%</progress>' in page
    assert '<meta http-equiv="refresh" content="3">' in page
    batch.refresh_from_db()
    assert batch.status == "importing"  # its worker is alive: left alone


def test_an_importing_batch_whose_worker_has_gone_ends_failed_with_a_message(officer, client):
    """A worker killed mid-import (or out of memory, or cut off from the database) leaves the
    batch "importing"; its session's advisory lock went with it, and the page sees that."""
    batch = _queued(officer)
    stored = uploads.spend_upload_dir() / batch.stored_file
    ImportBatch.objects.filter(pk=batch.pk).update(status="importing")

    page = _page(client, batch)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.error_report[0]["reason"] == WORKER_GONE
    assert "the background worker was stopped, restarted or ran out of memory" in page
    assert 'http-equiv="refresh"' not in page
    assert not stored.exists()
    assert SpendTransaction.objects.count() == 0


def test_a_queued_batch_whose_task_ended_ends_failed(officer):
    from django_tasks_db.models import DBTaskResult

    batch = _queued(officer)
    DBTaskResult.objects.filter(id=batch.task_id).update(status="FAILED")
    assert spend_batches_stale_fail() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.error_report[0]["reason"]) == ("failed", TASK_LOST)


def test_a_queued_batch_whose_task_waits_stays_queued(officer):
    batch = _queued(officer)
    assert spend_batches_stale_fail() == 0
    batch.refresh_from_db()
    assert batch.status == "queued"


def test_a_crash_inside_the_task_ends_the_batch_failed_saying_so(officer, monkeypatch):
    batch = _queued(officer)

    def crash(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(uploads, "spend_import", crash)
    with pytest.raises(RuntimeError):
        spend_batch_run(batch_id=batch.pk, options={})
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "The import stopped with an error (RuntimeError)" in batch.error_report[0]["reason"]
    assert batch.stored_file == ""
    assert list(uploads.spend_upload_dir().iterdir()) == []


def test_a_binary_file_ends_rejected_with_a_clear_message(officer, client, run_worker):
    batch = _queued(officer, content=bytes(range(256)) * 8)
    run_worker()
    batch.refresh_from_db()
    assert batch.status == "rejected"
    assert "This file holds binary data, not text" in _page(client, batch)


def test_a_task_delivered_twice_imports_once(officer):
    batch = _queued(officer)
    assert spend_batch_run(batch_id=batch.pk, options={}) == "review"
    assert spend_batch_run(batch_id=batch.pk, options={}) == "review"
    assert SpendTransaction.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_other_sessions_while_the_import_runs(council, settings, tmp_path):
    """The import's transaction shows nothing until it commits, so progress goes through a
    connection of its own: the web's session reads it mid-import."""
    settings.MEDIA_ROOT = tmp_path
    batch = _queued(UserFactory(is_staff=True), content=_rows(12_000))
    seen = []
    report = uploads._ProgressReport.__call__

    def report_and_look(self, fraction, rows):
        report(self, fraction, rows)
        with _other_session() as web, web.cursor() as cursor:
            cursor.execute(
                "SELECT status, progress_rows, progress_percent FROM metrics_importbatch "
                "WHERE id = %s",
                [batch.pk],
            )
            seen.append(cursor.fetchone())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uploads._ProgressReport, "__call__", report_and_look)
        assert spend_batch_run(batch_id=batch.pk, options={}) == "review"

    assert [rows for _, rows, _ in seen] == [5000, 10000, 12000]
    assert all(status == "importing" for status, _, _ in seen)
    percents = [percent for _, _, percent in seen]
    assert 0 < percents[0] < percents[1] < 100
    assert percents[2] == 100
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.added) == ("review", 12000, 12000)


LOCK_HOLDER = """
import json, sys, time
import psycopg
params, lock = json.loads(sys.argv[1]), json.loads(sys.argv[2])
connection = psycopg.connect(**params, autocommit=True)
connection.execute("SELECT pg_advisory_lock(%s, %s)", lock)
print("locked", flush=True)
time.sleep(600)
"""


def test_a_worker_process_killed_mid_import_is_seen_and_its_batch_ends_failed(officer):
    """A real process holds the batch's lock as a worker does, then is killed (SIGKILL, as the
    out-of-memory killer does): PostgreSQL drops its session and the lock, and the sweep ends
    the batch. While the process lives, the batch is left alone."""
    import json
    import signal
    import subprocess
    import sys
    import time

    from django.db import connection

    batch = ImportBatchFactory(status="importing", imported_by=officer)
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in ("host", "port", "user", "password", "dbname")
    }
    worker = subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        [
            sys.executable,
            "-c",
            LOCK_HOLDER,
            json.dumps(params),
            json.dumps([IMPORT_LOCK_CLASS, batch.pk]),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "locked"
        assert spend_batches_stale_fail() == 0
        batch.refresh_from_db()
        assert batch.status == "importing"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    # The server notices the closed socket at once; allow it a few seconds on a busy machine.
    for _ in range(100):
        if spend_batches_stale_fail():
            break
        time.sleep(0.1)
    batch.refresh_from_db()
    assert (batch.status, batch.error_report[0]["reason"]) == ("failed", WORKER_GONE)
