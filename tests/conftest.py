"""Shared fixtures: the real PostgreSQL test database, reference data, staff roles."""

import importlib
import os
import pkgutil

import pytest
from django.apps import apps as django_apps

from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from neighbourhoods.roles import grant_model_permissions

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from fixtures
# are still synchronous, so its async-safety guard would raise without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser.fixtures"]


def _staff_role_grants():
    """Every app's role grants, read from the data migrations that define them."""
    for app_label in ("neighbourhoods", "metrics", "pledges", "balancesheets"):
        package = importlib.import_module(f"{app_label}.migrations")
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{app_label}.migrations.{module_info.name}")
            if hasattr(module, "GRANTS"):
                yield app_label, module.GRANTS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Restore the staff roles that migrations create.

    Transactional tests (the browser tests) flush every table when they finish, and the reused
    test database keeps that flushed state into the next run; the groups come back here from the
    same grants the migrations apply.
    """
    with django_db_blocker.unblock():
        _restore_staff_roles()


def _restore_staff_roles():
    for app_label, grants in _staff_role_grants():
        grant_model_permissions(django_apps, grants, app_label)


@pytest.fixture
def staff_roles(db):
    """The staff groups, for transactional tests: their flush removes what migrations made."""
    _restore_staff_roles()


@pytest.fixture
def council(db):
    """Stevenage's real reference data: council, six neighbourhoods, wards, Charter actions."""
    return reference_data_load(path=DEFAULT_REFERENCE_FILE)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped browser test is a failure: the browser must be there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("CI") == "true":
        report.outcome = "failed"
        report.longrepr = f"Browser test skipped in CI, which must run it: {report.longrepr}"


@pytest.fixture
def deliver_emails(mailoutbox, monkeypatch):
    """Run the email worker over everything queued, as `db_worker` does; return the mailbox."""
    from django.core.management import call_command

    # The worker drops "old" connections between tasks; inside a test's transaction that would
    # close the test's own connection (Django's test client skips the same signal for this).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def deliver():
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
        return mailoutbox

    return deliver
