"""Fixtures for the metrics tests."""

import pytest


@pytest.fixture
def run_worker(monkeypatch):
    """Run the background worker over every task queued, as `db_worker` does (spend imports)."""
    from django.core.management import call_command

    # The worker drops "old" connections between tasks; inside a test's transaction that would
    # close the test's own connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    return run
