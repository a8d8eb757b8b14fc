"""`manage.py backup` then `manage.py restore` reproduce every row of every table.

The comparison is made here, in SQL of its own (a row count and an md5 of every row's text per
table, and each sequence's position), not by the code under test. The restores go into a scratch
database named after the test database, so parallel workers never share one.
"""

import datetime
import io
import re
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from balancesheets.models import BalanceSheet
from charter_portal.backups import Database, Tool, tool_choose
from outbox.models import OutboundEmail
from pledges.models import PledgeUpdate
from pledges.services import PledgeAnswers, pledge_submit
from tests.balancesheets.factories import IndicatorFactory, LineFactory, ProxyValueFactory, officer
from tests.factories import CommitmentFactory, MembershipFactory, PledgeFactory
from tests.metrics.factories import MetricValueFactory
from tests.metrics.factories_spend import spend_generate

# Text that a careless dump or restore would mangle: quotes, backslashes, newlines, tabs,
# characters outside the Basic Multilingual Plane, and something that looks like SQL.
AWKWARD_TEXT = "It's \"ours\" \\ C:\\new\n\ttab; 'DROP TABLE x;--' café 🌱 ẞ \U0001d518"


def _database() -> Database:
    return Database.from_settings(connection.settings_dict)


def _scratch(name: str) -> Database:
    return _database().elsewhere(f"{connection.settings_dict['NAME']}_{name}")


def _drop(database: Database) -> None:
    with _database().connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name))
        )


@pytest.fixture
def scratch_database():
    """An empty database of the test's own, dropped afterwards."""
    database = _scratch("restored")
    _drop(database)
    with _database().connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
    yield database
    _drop(database)


def table_fingerprints(database: Database) -> dict[str, tuple[int, str]]:
    """Every table's row count and an md5 of its rows' text in a fixed order."""
    with database.connect() as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        return {
            f"{schema}.{table}": conn.execute(
                sql.SQL(
                    "SELECT count(*),"
                    " md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                    " FROM {} AS t"
                ).format(sql.Identifier(schema, table))
            ).fetchone()
            for schema, table in tables
        }


def sequence_positions(database: Database) -> dict[str, int | None]:
    """Where each sequence stands, so rows added after a restore do not collide."""
    with database.connect() as conn:
        return dict(
            conn.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        )


def realistic_data(council):
    """Rows in every app: pledges through the real service (with their emails), updates,
    memberships, a priced balance sheet, validated metric values, spend and its suppliers."""
    neighbourhoods = list(council.neighbourhoods.all())
    commitments = [CommitmentFactory() for _ in range(3)]
    for n in range(12):
        PledgeFactory(
            neighbourhood=neighbourhoods[n % len(neighbourhoods)],
            commitments=commitments[: 1 + n % 3],
            text=f"{AWKWARD_TEXT} {n}",
        )
    for n in range(3):
        pledge = pledge_submit(
            answers=PledgeAnswers(
                pledger_type="business",
                organisation_size="small",
                display_name=f"Bakery {n}",
                show_name=True,
                contact_name="Sam Private",
                email=f"sam{n}@private.example.org",
                text=f"We will buy our flour from a local mill. {AWKWARD_TEXT}",
                commitment_ids=[commitments[0].pk],
            ),
            ip_address=f"192.0.2.{n}",
            submission_key=uuid.uuid4().hex,
        ).pledge
        PledgeUpdate.objects.create(pledge=pledge, text=AWKWARD_TEXT, hours_volunteered=n)
    OutboundEmail.objects.create(
        to="someone@private.example.org", subject="Hello", body=AWKWARD_TEXT, kind="test"
    )
    staff = officer()
    MembershipFactory(neighbourhood=neighbourhoods[0])
    indicator = IndicatorFactory()
    ProxyValueFactory(indicator=indicator)
    LineFactory(sheet=BalanceSheet.objects.create(council=council, year=2024), indicator=indicator)
    for year in range(2021, 2025):
        MetricValueFactory(
            period_start=datetime.date(year, 4, 1),
            period_end=datetime.date(year + 1, 3, 31),
            evidence=AWKWARD_TEXT,
            validated_by=staff,
        )
    spend_generate(300)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_reproduces_every_row(
    council, scratch_database, tmp_path
):
    realistic_data(council)
    source = table_fingerprints(_database())
    assert sum(1 for count, _ in source.values() if count) >= 25  # the data reaches most tables

    call_command("backup", output_dir=tmp_path, stdout=io.StringIO())
    (backup,) = tmp_path.glob("*.dump")
    call_command("restore", backup, database=scratch_database.name, stdout=io.StringIO())

    restored = table_fingerprints(scratch_database)
    assert restored.keys() == source.keys()
    assert {t: v for t, v in restored.items() if v != source[t]} == {}
    assert sequence_positions(scratch_database) == sequence_positions(_database())


@pytest.mark.django_db(transaction=True)
def test_a_forced_restore_puts_back_the_rows_of_the_backup(council, scratch_database, tmp_path):
    realistic_data(council)
    call_command("backup", output_dir=tmp_path, stdout=io.StringIO())
    (backup,) = tmp_path.glob("*.dump")
    call_command("restore", backup, database=scratch_database.name, stdout=io.StringIO())
    with scratch_database.connect() as conn:
        conn.execute("DELETE FROM pledges_pledgeupdate")
        conn.execute("UPDATE outbox_outboundemail SET body = 'changed since'")

    call_command(
        "restore", backup, database=scratch_database.name, force=True, stdout=io.StringIO()
    )

    assert table_fingerprints(scratch_database) == table_fingerprints(_database())


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(
    scratch_database, tmp_path
):
    PledgeFactory()
    call_command("backup", output_dir=tmp_path, stdout=io.StringIO())
    (backup,) = tmp_path.glob("*.dump")
    with scratch_database.connect() as conn:
        conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')")
    before = table_fingerprints(scratch_database)

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", backup, database=scratch_database.name)

    assert table_fingerprints(scratch_database) == before


@pytest.mark.django_db
def test_a_backup_file_is_readable_by_its_owner_only(tmp_path):
    call_command("backup", output_dir=tmp_path / "backups", stdout=io.StringIO())
    (backup,) = (tmp_path / "backups").glob("*.dump")
    assert backup.stat().st_mode & 0o777 == 0o600
    assert backup.parent.stat().st_mode & 0o777 == 0o700
    assert re.fullmatch(r".+-\d{8}T\d{6}Z\.dump", backup.name)


def _tool(where: str, major: int) -> Tool:
    return Tool(Path(where) / "pg_dump", major, f"{major}.1")


def test_the_servers_own_version_on_path_is_preferred():
    chosen = tool_choose(
        "pg_dump",
        [_tool("/usr/bin", 16), _tool("wheel18", 18), _tool("wheel16", 16)],
        at_least=16,
        purpose="",
    )
    assert chosen.path == Path("/usr/bin/pg_dump")


def test_a_pg_dump_older_than_the_server_is_never_chosen():
    chosen = tool_choose(
        "pg_dump", [_tool("/usr/bin", 15), _tool("wheel16", 16), _tool("wheel18", 18)], at_least=17,
        purpose="",
    )  # fmt: skip
    assert chosen.path == Path("wheel18/pg_dump")


def test_no_pg_dump_new_enough_is_a_clear_error():
    from charter_portal.backups import BackupError

    with pytest.raises(BackupError, match="pg_dump 19 or newer is needed"):
        tool_choose(
            "pg_dump", [_tool("/usr/bin", 15), _tool("wheel18", 18)], at_least=19, purpose=""
        )
