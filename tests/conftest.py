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
        for app_label, grants in _staff_role_grants():
            grant_model_permissions(django_apps, grants, app_label)


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
