"""`manage.py worker`: the background worker to run in production and under `make run`.

django-tasks-db's `db_worker` with the same options, but it survives database outages
(core.worker.ResilientWorker) and runs the scheduled jobs: the outbox's sweep for emails left by
a worker that died mid-send (on start, then every minute) and the daily housekeeping (retention,
abandoned journeys' sessions), once a day however many workers run.
"""

import datetime
import logging

from django.conf import settings
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from core.worker import ResilientWorker, ScheduledJob
from outbox.services import emails_requeue_stale

logger = logging.getLogger(__name__)


def housekeeping() -> str:
    call_command("housekeeping", verbosity=0)
    return "Done"


def scheduled_jobs() -> list[ScheduledJob]:
    return [
        ScheduledJob(
            name="outbox: requeue emails of stopped workers",
            every=datetime.timedelta(seconds=settings.WORKER_STALE_SWEEP_SECONDS),
            run=lambda: emails_requeue_stale(),
        ),
        ScheduledJob(
            name="daily housekeeping",
            every=datetime.timedelta(hours=settings.WORKER_HOUSEKEEPING_HOURS),
            run=housekeeping,
            shared=True,
        ),
    ]


class Command(DatabaseWorkerCommand):
    help = "Run the background worker: tasks, kept running through database outages, and jobs."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        worker = ResilientWorker(
            jobs=scheduled_jobs(),
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        # No autoreload: a reload would kill a task mid-send (the sweep would catch it, late).
        worker.configure_signals()
        worker.run()
