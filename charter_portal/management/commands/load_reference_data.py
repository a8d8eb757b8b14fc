from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.trail import trail_command
from charter_portal.reference_data import (
    DEFAULT_REFERENCE_FILE,
    ReferenceDataError,
    reference_data_load,
)


class Command(BaseCommand):
    help = "Load a council's reference data (neighbourhoods, wards, Charter actions) from TOML."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_REFERENCE_FILE)

    @trail_command("load_reference_data")
    def handle(self, *args, path: Path, **options):
        try:
            council = reference_data_load(path=path)
        except (ReferenceDataError, ValidationError, KeyError) as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Loaded reference data for {council}."))
