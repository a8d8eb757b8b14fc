"""The background worker (`manage.py worker`) as an operator sees it: it keeps running through a
database outage and sends what was queued meanwhile, a worker killed mid-send still delivers that
email exactly once, and the daily housekeeping runs once a day however many workers run.

The database outage is real for the worker but not for anyone else on the machine: the worker
subprocess reaches PostgreSQL through a small TCP proxy in this test, which is cut (every
connection dropped, new ones closed at once, as a stopped server does) and then restored.
"""

import contextlib
import datetime
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import ScheduledRun
from core.worker import ResilientWorker, ScheduledJob, scheduled_run_claim
from outbox.models import OutboundEmail
from outbox.services import TASK_PATH, email_queue

BACKEND = "tests.outbox.blocking_mail.BlockingFileBackend"


class DatabaseProxy:
    """127.0.0.1:<port> → the test database's server; `cut()` and `restore()` it."""

    def __init__(self, target: tuple[str, int] | str):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _upstream(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            return upstream
        return socket.create_connection(self.target)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            upstream = self._upstream()
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            for end in sockets:
                end.close()

    def cut(self):
        self.cut_off = True
        with self.lock:
            for pair in self.pairs:
                for end in pair:
                    with contextlib.suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)
                    end.close()
            self.pairs.clear()

    def restore(self):
        self.cut_off = False

    def close(self):
        self.cut()
        self.listener.close()


def _server_address() -> tuple[str, int] | str:
    db = connection.settings_dict
    host, port = db.get("HOST") or "", int(db.get("PORT") or 5432)
    if not host or host.startswith("/"):
        return f"{host or '/var/run/postgresql'}/.s.PGSQL.{port}"
    return (host, port)


@pytest.fixture
def database_proxy():
    proxy = DatabaseProxy(_server_address())
    yield proxy
    proxy.close()


@pytest.fixture
def start_worker(tmp_path):
    """Start `manage.py worker` in a subprocess on the test database (through `via`, a proxy
    port, when given); stopped with SIGTERM (or already killed) at the end of the test."""
    processes = []

    def start(via: int | None = None, **env):
        db = connection.settings_dict
        if via:
            url = f"postgres://{db['USER']}@127.0.0.1:{via}/{db['NAME']}"
        else:
            url = f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}&port={db['PORT']}"
        inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        log = (tmp_path / f"worker-{len(processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=settings.BASE_DIR,
            env={
                **inherited,
                "DATABASE_URL": url,
                "DATABASE_CONNECT_TIMEOUT": "2",
                "CHARTER_VAR_DIR": str(tmp_path),
                "DJANGO_EMAIL_BACKEND": BACKEND,
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = Path(log.name)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _mail_dir(tmp_path) -> Path:
    return tmp_path / "mail"


def _deliveries(tmp_path, email) -> int:
    """How many times `email` reached the mail server (its Message-ID in the written files)."""
    marker = f"<charter-outbox-{email.pk}@"
    folder = _mail_dir(tmp_path)
    if not folder.exists():
        return 0
    return sum(
        path.read_text(errors="replace").count(marker)
        for path in folder.iterdir()
        if path.suffix == ".log"
    )


def _queue(subject: str) -> OutboundEmail:
    return email_queue(
        to="pledger@private.example.org",
        kind="confirm",
        template="pledges/email/already_pledged.txt",
        context={"service_name": subject},
    )


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Waited {seconds} s for {what}")


def _sent(*emails) -> bool:
    return OutboundEmail.objects.filter(
        pk__in=[e.pk for e in emails], status=OutboundEmail.Status.SENT
    ).count() == len(emails)


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_database_outage_and_sends_what_was_queued(
    tmp_path, database_proxy, start_worker
):
    worker = start_worker(via=database_proxy.port)
    before = _queue("Before the outage")
    _wait_for(lambda: _sent(before), seconds=30, what="the first email")

    database_proxy.cut()
    meanwhile = [_queue(f"During the outage {n}") for n in range(5)]
    time.sleep(12)
    assert worker.poll() is None, worker.log_path.read_text()[-3000:]
    assert not _sent(*meanwhile)
    database_proxy.restore()

    _wait_for(lambda: _sent(*meanwhile), seconds=45, what="the emails queued meanwhile")
    assert worker.poll() is None
    assert [_deliveries(tmp_path, email) for email in [before, *meanwhile]] == [1] * 6
    assert "Database unavailable" in worker.log_path.read_text()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_still_delivers_that_email_exactly_once(tmp_path, start_worker):
    quick = {"OUTBOX_SEND_CLAIM_TIMEOUT": "2", "WORKER_STALE_SWEEP_SECONDS": "1"}
    first = start_worker(**quick)
    delivered_before = _queue("Sent before the kill")
    _wait_for(lambda: _sent(delivered_before), seconds=30, what="the first email")

    (_mail_dir(tmp_path) / "block").write_text("")
    interrupted = _queue("Being sent when the worker is killed")
    _wait_for(lambda: (_mail_dir(tmp_path) / "sending").exists(), seconds=30, what="the send")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    (_mail_dir(tmp_path) / "block").unlink()

    interrupted.refresh_from_db()
    assert interrupted.status == OutboundEmail.Status.PENDING
    assert interrupted.claimed_at is not None
    task = DBTaskResult.objects.get(task_path=TASK_PATH, args_kwargs__args__0=interrupted.pk)
    assert task.status == "RUNNING"

    start_worker(**quick)
    _wait_for(lambda: _sent(interrupted), seconds=30, what="the interrupted email")
    time.sleep(1.5)  # a further sweep or two finds nothing more to send
    assert _deliveries(tmp_path, interrupted) == 1
    assert _deliveries(tmp_path, delivered_before) == 1
    task.refresh_from_db()
    assert task.status == "FAILED"  # closed, not RUNNING forever


# The scheduled jobs, in process.


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """The worker drops "old" connections between tasks; inside a test's transaction that would
    close the test's own connection (as the deliver_emails fixture notes for db_worker). The
    subprocess workers are not touched by this."""
    monkeypatch.setattr("core.worker.close_old_connections", lambda: None)


def _batch_worker(jobs):
    return ResilientWorker(
        jobs=jobs,
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )


@pytest.mark.django_db
def test_a_shared_job_runs_once_per_interval_however_many_workers_start():
    runs = []
    daily = ScheduledJob(
        name="daily", every=datetime.timedelta(days=1), run=lambda: runs.append(1), shared=True
    )
    for _ in range(3):
        _batch_worker([daily]).run()
    assert len(runs) == 1
    ScheduledRun.objects.filter(name="daily").update(
        started_at=timezone.now() - datetime.timedelta(days=1, seconds=1)
    )
    _batch_worker([daily]).run()
    assert len(runs) == 2


@pytest.mark.django_db
def test_a_failed_shared_job_is_tried_again_within_the_hour_not_the_next_day():
    def fails():
        raise RuntimeError("disk full")

    job = ScheduledJob(name="daily", every=datetime.timedelta(days=1), run=fails, shared=True)
    _batch_worker([job]).run()
    run = ScheduledRun.objects.get(name="daily")
    assert "disk full" in run.outcome
    now = timezone.now()
    assert not scheduled_run_claim(name="daily", every=job.every, now=now)
    assert scheduled_run_claim(name="daily", every=job.every, now=now + datetime.timedelta(hours=1))


@pytest.mark.django_db
def test_the_worker_runs_the_daily_housekeeping(monkeypatch):
    from charter_portal.management.commands import worker as worker_command

    called = []
    monkeypatch.setattr(worker_command, "call_command", lambda name, **kw: called.append(name))
    _batch_worker(worker_command.scheduled_jobs()).run()
    _batch_worker(worker_command.scheduled_jobs()).run()
    assert called == ["housekeeping"]
    assert ScheduledRun.objects.get(name="daily housekeeping").outcome == "Done"
