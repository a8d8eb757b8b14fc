"""The background worker: django-tasks-db's worker, kept running through database outages, that
also runs scheduled jobs between tasks.

django-tasks-db's `db_worker` exits on the first OperationalError (a 12 s database restart was
enough); this one closes its connections, waits (1, 2, 4 … seconds, at most
WORKER_RECONNECT_MAX_SECONDS, each wait logged) and carries on. Tasks left RUNNING by an outage
or a killed worker are the owning app's to pick up (outbox.services.emails_requeue_stale).
"""

import datetime
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from core.models import ScheduledRun

logger = logging.getLogger(__name__)

RECONNECT_FIRST_SECONDS = 1.0
WORKER_RECONNECT_MAX_SECONDS = 30.0
DATABASE_ERRORS = (OperationalError, InterfaceError)
# A scheduled job that fails is tried again after this long, not a whole interval later.
RETRY_FAILED_JOB_AFTER = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class ScheduledJob:
    """A job the worker runs between tasks.

    `shared=False`: every worker runs it on start and then every `every` (cheap, idempotent
    sweeps). `shared=True`: it runs once per `every` across all workers and restarts, claimed
    through its ScheduledRun row (the daily housekeeping).
    """

    name: str
    every: datetime.timedelta
    run: Callable[[], Any]
    shared: bool = False


def scheduled_run_claim(*, name: str, every: datetime.timedelta, now: datetime.datetime) -> bool:
    """Claim the run of a shared job that is due: True for exactly one caller per interval."""
    ScheduledRun.objects.get_or_create(
        name=name, defaults={"started_at": now - every - datetime.timedelta(seconds=1)}
    )
    return bool(
        ScheduledRun.objects.filter(name=name, started_at__lte=now - every).update(started_at=now)
    )


class ResilientWorker(Worker):
    def __init__(self, *, jobs: Sequence[ScheduledJob] = (), **options: Any):
        super().__init__(**options)
        self.jobs = list(jobs)
        self._last_local_run: dict[str, float] = {}
        self.reconnect_delay = RECONNECT_FIRST_SECONDS

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        while self.running:
            try:
                self.jobs_run_due()
                ran = self.run_next_task()
            except DATABASE_ERRORS as error:
                self.reconnect_wait(error)
                continue
            self.reconnect_delay = RECONNECT_FIRST_SECONDS
            if self.batch and not ran:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran the maximum %d tasks - exiting.", self._run_tasks)
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def reconnect_wait(self, error: Exception) -> None:
        logger.warning(
            "Database unavailable (%s: %s); trying again in %.0f s",
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            self.reconnect_delay,
        )
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DATABASE_ERRORS:
                connection.connection = None  # already gone: forget it
        time.sleep(self.reconnect_delay)
        self.reconnect_delay = min(self.reconnect_delay * 2, WORKER_RECONNECT_MAX_SECONDS)

    def run_next_task(self) -> bool:
        """Claim and run one ready task, as django-tasks-db's loop does. True if one ran."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.run_task(task_result)
        close_old_connections()
        return True

    def jobs_run_due(self) -> None:
        now = time.monotonic()
        for job in self.jobs:
            if job.shared:
                if scheduled_run_claim(name=job.name, every=job.every, now=timezone.now()):
                    self._job_run_shared(job)
            elif now - self._last_local_run.get(job.name, -float("inf")) >= (
                job.every.total_seconds()
            ):
                self._last_local_run[job.name] = now
                self._job_run(job)

    def _job_run(self, job: ScheduledJob) -> str:
        try:
            result = job.run()
        except DATABASE_ERRORS:
            raise
        except Exception as error:
            logger.exception("Scheduled job %s failed", job.name)
            return f"Failed: {type(error).__name__}: {error}"
        return "" if result is None else str(result)

    def _job_run_shared(self, job: ScheduledJob) -> None:
        logger.info("Running scheduled job %s", job.name)
        try:
            outcome = self._job_run(job)
        except DATABASE_ERRORS:
            self._job_retry_soon(job)  # may fail too; the claim then stands until the interval
            raise
        if outcome.startswith("Failed:"):
            self._job_retry_soon(job)
        ScheduledRun.objects.filter(name=job.name).update(
            finished_at=timezone.now(), outcome=outcome[:2000]
        )

    def _job_retry_soon(self, job: ScheduledJob) -> None:
        retry_at = timezone.now() + RETRY_FAILED_JOB_AFTER
        try:
            ScheduledRun.objects.filter(name=job.name).update(started_at=retry_at - job.every)
        except DATABASE_ERRORS:
            logger.warning("Could not reschedule %s: it runs again after its interval", job.name)
