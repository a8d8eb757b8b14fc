"""Import the council's "spending over £500" files (Local Government Transparency Code).

    python manage.py import_spend spend-2024-q1.csv spend-2024-q2.xlsx
    python manage.py import_spend payments.csv --map "Cost Centre=department" --map "VAT=ignore"
    python manage.py import_spend payments.csv --dry-run
    python manage.py import_spend payments.csv --leave-out-trivial   (lines with no supplier and
        a trivial amount, such as £0.01 "Difference A/c" lines, are left out and listed)
    python manage.py import_spend payments.csv --publish   (scripted imports: public at once)
    python manage.py import_spend --refresh-localities   (after `import_postcodes`)

Each file is all or nothing: one bad row and nothing from the file is imported; every bad row is
listed (line, column, value, reason) and kept on a rejected import batch. A good file makes a
batch in review, which an officer publishes or discards in admin; `--publish` publishes it at
once. A file already held by a batch (queued, importing, in review or published) is skipped,
saying which batch holds it, and creates nothing; lines already held from another file add
nothing.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from audit.trail import trail_command
from metrics.spend.importer import FIELD_LABELS, HEADER_ALIASES, header_map_parse
from metrics.spend.services import (
    SpendFileHeld,
    SpendImportError,
    import_batch_publish,
    spend_import,
)
from metrics.spend.suppliers import supplier_localities_refresh

BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar on stderr, redrawn with \\r at most five times a second."""

    def __init__(self, stream: OutputWrapper, label: str, *, enabled: bool):
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, fraction: float, rows: int) -> None:
        now = time.monotonic()
        if not self.enabled or (fraction < 1 and now - self.drawn < 0.2):
            return
        self.drawn = now
        filled = int(BAR_WIDTH * fraction)
        elapsed = now - self.started
        rate = rows / elapsed if elapsed > 0 else 0
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{fraction:4.0%} {rows:,} rows ({rate:,.0f}/s)",
            style_func=str,
            ending="\n" if fraction >= 1 else "",
        )
        self.stream.flush()


def _fields_help() -> str:
    return "; ".join(f"{name} ({', '.join(HEADER_ALIASES[name][:3])}...)" for name in FIELD_LABELS)


class Command(BaseCommand):
    help = (
        "Import Transparency Code 'spending over £500' files (CSV or XLSX). All or nothing per "
        "file; each good file makes a batch in review (published at once with --publish); a "
        "file already held is skipped. Fields and some of their header aliases: " + _fields_help()
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, metavar="FILE")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"Column Header=field"',
            help="Read a column as a field (or 'ignore' it); repeat for more columns. A column "
            "the file lacks is an error. When the import succeeds the mapping is saved for the "
            "body the file is from (--body, else the file's body-name column) and applied to "
            "that body's next files; officers edit saved mappings in admin.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, then save nothing."
        )
        parser.add_argument(
            "--body", default="", metavar="NAME", help="Body name for rows that give none."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish each imported batch at once instead of leaving it in review for an "
            "officer (for scripted imports of files already checked).",
        )
        parser.add_argument(
            "--leave-out-trivial",
            action="store_true",
            help="Leave out, and list on the batch, lines that fail only because they name no "
            "supplier and their amount is trivial (under the council's trivial_amount, £1.00 "
            "by default), instead of rejecting the file. Never in any figure.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )
        parser.add_argument(
            "--refresh-localities",
            action="store_true",
            help="Work out again where every supplier is from its postcode (those an officer "
            "has not placed), e.g. after `manage.py import_postcodes`.",
        )

    @trail_command("import_spend")
    def handle(
        self, *args, paths, map, dry_run, body, publish, no_progress, refresh_localities, **options
    ):
        if not paths and not refresh_localities:
            raise CommandError("Name at least one file to import.")
        try:
            header_map = header_map_parse(map)
        except ValueError as error:
            raise CommandError(str(error)) from error
        show_progress = not no_progress and options.get("verbosity", 1) > 0
        rejected = 0
        for path in paths:
            progress = ProgressBar(self.stderr, path.name, enabled=show_progress)
            try:
                result = spend_import(
                    path=path,
                    file_name=path.name,
                    header_map=header_map,
                    body_name=body,
                    dry_run=dry_run,
                    progress=progress,
                    leave_out_trivial=options.get("leave_out_trivial", False),
                )
            except SpendImportError as error:
                rejected += 1
                self._report(path, error)
                continue
            except SpendFileHeld as held:
                self.stderr.write(self.style.WARNING(f"{path.name}: {held}."))
                continue
            for label, column in result.columns:
                if options.get("verbosity", 1) > 1:
                    self.stdout.write(f"  {label}: column “{column}”")
            self._sheets(result)
            if result.mapping_applied_for:
                self.stdout.write(
                    f"  The saved column mapping of “{result.mapping_applied_for}” was applied."
                )
            if result.mapping_saved_for:
                self.stdout.write(
                    f"  Column mapping saved for “{result.mapping_saved_for}”: applied to its "
                    "next files."
                )
            elif header_map and not dry_run:
                self.stdout.write(
                    "  The column mapping was not saved: the file names no body; give --body "
                    "to save it for the body's next files."
                )
            verb = "would add" if dry_run else "added"
            left_out = (
                f"{result.left_out:,} left out (listed on the batch), " if result.left_out else ""
            )
            summary = (
                f"{path.name}: {result.rows:,} rows read, {result.added:,} {verb}, {left_out}"
                f"{result.already_held:,} already held; {result.new_suppliers:,} new suppliers."
            )
            if dry_run:
                summary += " Dry run: nothing was saved."
            elif publish and result.batch is not None:
                import_batch_publish(batch=result.batch, actor=None)
                summary += f" Batch {result.batch.pk} published."
            elif result.batch is not None:
                summary += (
                    f" Batch {result.batch.pk} is in review: nothing is public until an officer "
                    "publishes it in admin."
                )
            self.stdout.write(self.style.SUCCESS(summary))
        if refresh_localities and not dry_run:
            changed = supplier_localities_refresh()
            self.stdout.write(f"Suppliers placed again from their postcodes: {changed} changed.")
        if rejected:
            raise CommandError(
                f"{rejected} of {len(paths)} file(s) had problems: nothing from them was imported."
            )

    def _sheets(self, result) -> None:
        """Each sheet of a workbook: its header row and lines, or why it was not read."""
        if not any(sheet.name for sheet in result.sheets):
            return
        for sheet in result.sheets:
            if sheet.skipped:
                self.stdout.write(f"  Sheet “{sheet.name}”: {sheet.skipped}.")
                continue
            left_out = f" ({sheet.left_out:,} left out)" if sheet.left_out else ""
            self.stdout.write(
                f"  Sheet “{sheet.name}”: header row on line {sheet.header_line}, "
                f"{sheet.rows:,} lines{left_out}."
            )

    def _report(self, path: Path, error: SpendImportError) -> None:
        for problem in error.errors:
            where = f"line {problem.line}" if problem.line else "file"
            if getattr(problem, "sheet", ""):
                where = f"sheet “{problem.sheet}”, {where}"
            column = f", column “{problem.column}”" if problem.column else ""
            self.stderr.write(f"{path.name}, {where}{column}: {problem.value!r}: {problem.reason}")
        if error.total > len(error.errors):
            self.stderr.write(f"... and {error.total - len(error.errors):,} more problems.")
        self.stderr.write(
            self.style.ERROR(
                f"{path.name}: nothing was imported: {error.total:,} problem(s) in "
                f"{error.rows:,} rows."
            )
        )
