from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from charter_portal.backups import BackupError, Database, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database with pg_dump (custom format) into a new timestamped file under "
        "var/backups/. The file holds personal data: keep it as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Where to write the file (default: var/backups/ under CHARTER_VAR_DIR).",
        )
        parser.add_argument(
            "--database-url",
            default=None,
            help="Back up this database instead of the configured one (DATABASE_URL's form).",
        )

    def handle(self, *args, output_dir, database_url, **options):
        try:
            database = (
                Database.from_url(database_url)
                if database_url
                else Database.from_settings(connection.settings_dict)
            )
            result = backup_create(database, output_dir or settings.VAR_DIR / "backups")
        except BackupError as error:
            raise CommandError(f"No backup was made. {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {database} (PostgreSQL {result.server_major}) to {result.path}: "
                f"{result.size / 1_000_000:.1f} MB in {result.seconds:.1f} s, "
                f"with {result.tool}."
            )
        )
