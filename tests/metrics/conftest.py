"""Fixtures for the metrics tests."""

import pytest


@pytest.fixture
def run_worker(monkeypatch):
    """Run the spend queue's worker over every task queued there, as `db_worker` does."""
    from django.core.management import call_command

    # The worker drops "old" connections between tasks; inside a test's transaction that would
    # close the test's own connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command(
            "db_worker",
            "--queue-name=spend",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            verbosity=0,
        )

    return run
