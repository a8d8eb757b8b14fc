from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from charter_portal.backups import (
    BackupError,
    Database,
    backup_restore,
    database_create_if_missing,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database, in one transaction. "
        "A database that already holds tables is refused unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file (var/backups/*.dump).")
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--database-url",
            default=None,
            help="Restore into this database instead of the configured one (DATABASE_URL's form).",
        )
        target.add_argument(
            "--database",
            default=None,
            metavar="NAME",
            help="Restore into this database on the configured server, created if missing.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Restore into a database that is not empty: every object the backup holds is "
                "dropped and recreated from it; anything else there is left as it was."
            ),
        )

    def handle(self, *args, file, database_url, database, force, **options):
        configured = Database.from_settings(connection.settings_dict)
        try:
            if database_url:
                target = Database.from_url(database_url)
            elif database:
                target = configured.elsewhere(database)
                if database_create_if_missing(target):
                    self.stdout.write(f"Created the empty {target}.")
            else:
                target = configured
            result = backup_restore(file, target, force=force)
        except BackupError as error:
            raise CommandError(f"Nothing was restored. {error}") from error

        if result.replaced:
            self.stdout.write(
                self.style.WARNING(
                    f"{target} was not empty (--force): it held {len(result.replaced)} tables, "
                    f"sequences and views; those the backup holds were dropped and recreated "
                    f"from it."
                )
            )
        if result.left_alone:
            self.stdout.write(
                self.style.WARNING(
                    "These tables were not in the backup and were left as they were: "
                    + ", ".join(result.left_alone)
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {file} (taken from PostgreSQL {result.archive.dumped_from}) into "
                f"{target}: {len(result.rows)} tables, {sum(result.rows.values()):,} rows, in "
                f"{result.seconds:.1f} s, with {result.tool}."
            )
        )
        self.stdout.write("If this code is newer than the backup, run `manage.py migrate` next.")
