"""Shared fixtures: the real PostgreSQL test database, reference data, staff roles."""

import io
import os

import pghistory.models
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from charter_portal.reference_data import DEFAULT_REFERENCE_FILE, reference_data_load
from charter_portal.roles import staff_roles_apply
from neighbourhoods.models import Council
from tests import factories
from tests.signin import second_factor_device, sign_in_verified, totp_code  # noqa: F401

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from fixtures
# are still synchronous, so its async-safety guard would raise without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A query that runs away fails its test after two minutes instead of holding the run."""
    from django.conf import settings

    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c statement_timeout=120000".strip()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make sure the staff roles match the roles map, as every migrate leaves them.

    A reused test database may have been left by a run that stopped mid-way through a
    transactional test's flush; applying the map is idempotent and cheap.
    """
    with django_db_blocker.unblock():
        staff_roles_apply()


@pytest.fixture
def staff_roles(db):
    """The staff groups as the roles map declares them (for transactional tests)."""
    staff_roles_apply()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hashing each test user's password with the production hasher takes most of a second."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def _project_models():
    """Our apps' tables (with their many-to-many tables): no proxies, no database views."""
    return [
        model
        for model in django_apps.get_models(include_auto_created=True)
        if model._meta.app_config.path.startswith(str(settings.BASE_DIR))
        and ".venv" not in model._meta.app_config.path
        and model._meta.managed
        and not model._meta.proxy
    ]


@pytest.fixture(scope="session")
def stevenage_reference_rows(django_db_setup, django_db_blocker):
    """The rows Stevenage's reference file makes, loaded by the real loader once per session.

    Loading the file takes a second or two; copying its rows takes a few milliseconds. The load
    is rolled back, so tests that do not ask for the council still start from an empty database
    (and may make a council of their own), and a transactional test's flush loses nothing.
    """
    models = _project_models()
    with django_db_blocker.unblock(), transaction.atomic():
        existing = {
            model: set(model._base_manager.values_list("pk", flat=True)) for model in models
        }
        council = reference_data_load(path=DEFAULT_REFERENCE_FILE)
        # The audit trail's events are left out: the triggers write them again when the rows
        # are copied in, and copying them too collided with those on their ids.
        rows = [
            (model, [row for row in model._base_manager.all() if row.pk not in existing[model]])
            for model in models
            if not issubclass(model, pghistory.models.Event)
        ]
        transaction.set_rollback(True)
    return council.pk, [(model, model_rows) for model, model_rows in rows if model_rows]


@pytest.fixture
def council(db, stevenage_reference_rows):
    """Stevenage's real reference data: council, six neighbourhoods, wards, Charter actions."""
    council_pk, rows = stevenage_reference_rows
    # Foreign keys are checked at commit, so the order of the tables does not matter.
    with transaction.atomic():
        for model, model_rows in rows:
            model._base_manager.bulk_create(model_rows)
    return Council.objects.get(pk=council_pk)


@pytest.fixture
def small_council(db):
    """A council of its own, for tests that need one but do not test Stevenage's file."""
    return factories.small_council()


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
def sign_in():
    """`sign_in(client, user)`: force_login plus a verified second factor (see sign_in_verified).

    Every private page needs both; a bare `client.force_login` is now "signed in, not verified"
    and is sent to the second-factor step."""
    return sign_in_verified


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


# What seed_demo wrote, table by table (COPY's text format), the first time a test process
# seeded: later modules load it back in a second or two instead of seeding again for half a
# minute (seeding is deterministic, so the rows are the same).
_DEMO_SNAPSHOT: dict[str, bytes] = {}


def _public_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _may_load_snapshot(cursor) -> bool:
    """Loading rows back with their triggers off (the audit trail would record them again)
    takes a superuser, as the embedded PostgreSQL's is; otherwise every module seeds."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


# Every sequence owned by a column, with its table and column.
_OWNED_SEQUENCES = """
SELECT s.relname, t.relname, a.attname
FROM pg_class AS s
JOIN pg_depend AS d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
JOIN pg_class AS t ON t.oid = d.refobjid
JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace
"""


def _sequences_past_rows(cursor) -> None:
    """Move each sequence past the rows loaded back (a flush restarts them), never back:
    sequences ignore rollbacks, and rows committed before this module (by migrations) keep
    their ids when its transaction rolls back."""
    cursor.execute(_OWNED_SEQUENCES)
    for sequence, table, column in cursor.fetchall():
        # Names from the catalogue, not from input.
        highest = f'SELECT coalesce(max("{column}"), 0) FROM "{table}"'  # noqa: S608
        cursor.execute(
            f'SELECT setval(%s, GREATEST(({highest}), (SELECT last_value FROM "{sequence}")))',  # noqa: S608
            [f'"{sequence}"'],
        )


def demo_seed(*, snapshot_allowed: bool = True) -> None:
    """The database as seed_demo leaves it: seeded the first time, loaded from the snapshot
    afterwards. Runs inside the caller's transaction (or commits, outside one)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if _DEMO_SNAPSHOT and snapshot_allowed and _may_load_snapshot(cursor):
            tables = _public_tables(cursor)
            cursor.execute("SET LOCAL session_replication_role = replica")
            # DELETE, not TRUNCATE: TRUNCATE waits for every other session that has read a
            # table (a worker process, a live server's connection), DELETE for none of them.
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from the catalogue)
            for table, data in _DEMO_SNAPSHOT.items():
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(data)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            _sequences_past_rows(cursor)
        else:
            call_command("seed_demo", stdout=io.StringIO())
            if snapshot_allowed and not _DEMO_SNAPSHOT:
                for table in _public_tables(cursor):
                    with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                        _DEMO_SNAPSHOT[table] = b"".join(bytes(chunk) for chunk in copy)
        # Autovacuum never sees rows of an open transaction: without statistics the planner
        # takes the demo's hundreds of pledges for a handful and picks nested loops.
        cursor.execute("ANALYZE")


@pytest.fixture(scope="module")
def _demo_seeded_for_module(django_db_setup, django_db_blocker):
    """The demo data once for a whole test module, inside a transaction that is rolled back
    when the module ends; each test's own transaction nests inside it."""
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        demo_seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_demo_seeded_for_module, db, settings):
    """The demo data of `make run`, for tests that read it (or seed again on top of it)."""
    settings.DEBUG = True
