"""Import postcodes from an ONS Postcode Directory (ONSPD or NSPL) CSV extract.

    python manage.py import_postcodes ONSPD_FEB_2025_UK.csv --only-lad E07000243
    python manage.py import_postcodes data/postcodes/stevenage-sample.csv

The sample shipped in data/postcodes/stevenage-sample.csv is illustrative demo data: its
postcode-to-ward assignments are approximate and are not ONS data. Load the real directory from
the ONS Open Geography Portal for live use.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neighbourhoods.selectors import council_current
from neighbourhoods.services import PostcodeImportError, postcodes_import


class Command(BaseCommand):
    help = (
        "Import postcodes (postcode, ward, local authority district, termination date) from an "
        "ONSPD/NSPL CSV extract; all or nothing, and re-importing updates rather than duplicates. "
        "The bundled data/postcodes/stevenage-sample.csv is illustrative: its postcode-to-ward "
        "assignments are approximate demo data, not ONS data."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")
        parser.add_argument(
            "--only-lad",
            metavar="CODE",
            help="Keep only the rows of this local authority district, e.g. E07000243.",
        )

    def handle(self, *args, path: Path, only_lad: str | None, **options):
        try:
            # newline="" lets the csv module handle quoted line breaks; utf-8-sig drops Excel's BOM.
            with path.open(encoding="utf-8-sig", newline="") as handle:
                result = postcodes_import(
                    rows=csv.DictReader(handle), council=council_current(), only_lad=only_lad
                )
        except PostcodeImportError as error:
            for problem in error.errors:
                self.stderr.write(
                    f"Line {problem.line}, column {problem.column or '-'}: "
                    f"{problem.value!r}: {problem.reason}"
                )
            more = " (stopped reading there)" if error.truncated else ""
            raise CommandError(
                f"Nothing was imported: {len(error.errors)} problems in {path}{more}."
            ) from error
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Nothing was imported: cannot read {path}: {error}") from error

        summary = f"Imported {result.imported} postcodes ({result.matched} matched to a ward)"
        if result.skipped:
            summary += f"; skipped {result.skipped} rows of other districts"
        self.stdout.write(self.style.SUCCESS(summary + "."))
