"""Import officers' SME / VCSE flags (and postcodes, company and charity numbers) for suppliers.

    python manage.py import_supplier_flags supplier-flags.csv

Columns: Supplier ID and/or Supplier name, then any of SME, VCSE (yes / no / unknown), Postcode,
Company number, Charity number. Suppliers match on the council's supplier ID, else on the
normalised name. All or nothing: any bad row changes nothing and every problem is listed.
"""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.trail import trail_command
from metrics.spend.suppliers import SupplierFlagsImportError, supplier_flags_import


class Command(BaseCommand):
    help = (
        "Set suppliers' SME / VCSE flags, postcodes, company and charity numbers from a CSV "
        "(matched by supplier ID or name); all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")

    @trail_command("import_supplier_flags")
    def handle(self, *args, path: Path, **options):
        try:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                text = path.read_text(encoding="cp1252")
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
            result = supplier_flags_import(rows=rows)
        except SupplierFlagsImportError as error:
            for problem in error.errors:
                self.stderr.write(
                    f"Line {problem.line}, column {problem.column or '-'}: "
                    f"{problem.value!r}: {problem.reason}"
                )
            raise CommandError(
                f"Nothing was changed: {len(error.errors)} problem(s) in {path}."
            ) from error
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Nothing was changed: cannot read {path}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Read {result.rows} row(s): {result.updated} supplier(s) changed.")
        )
