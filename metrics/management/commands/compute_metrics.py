"""Compute every computed CWB metric for a period, as drafts awaiting validation."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.trail import trail_command
from core.periods import FinancialYear
from metrics.services import metric_values_compute


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date like 2024-04-01") from error


class Command(BaseCommand):
    help = (
        "Compute the computed CWB metrics (spend shares, pledge counts…) for a financial year "
        "(--year 2024 is April 2024 to March 2025) or for --from/--to dates. Values are drafts "
        "that the CWB Group must validate; validated values are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The financial year starting in April of it.")
        parser.add_argument("--from", dest="date_from", help="First day, e.g. 2024-04-01.")
        parser.add_argument("--to", dest="date_to", help="Last day, e.g. 2025-03-31.")
        parser.add_argument("--user", help="Username recorded as having computed the values.")

    @trail_command("compute_metrics")
    def handle(self, *args, year, date_from, date_to, user, **options):
        if year is not None and (date_from or date_to):
            raise CommandError("Give either --year or --from and --to, not both.")
        if year is not None:
            financial_year = FinancialYear(year)
            if not financial_year.in_range:
                raise CommandError(
                    f"--year is a financial year's first year, like 2024, from "
                    f"{FinancialYear.FIRST} to {FinancialYear.LAST}."
                )
            start, end = financial_year.dates
            label = financial_year.label
        elif date_from and date_to:
            start, end = _date(date_from), _date(date_to)
            label = f"{start:%d %B %Y} to {end:%d %B %Y}"
        else:
            raise CommandError("Give --year (e.g. --year 2024), or --from and --to.")
        if end < start:
            raise CommandError("--to must be on or after --from.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user is called {user!r}.")
        try:
            result = metric_values_compute(period_start=start, period_end=end, actor=actor)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for source in result.missing_sources:
            self.stderr.write(self.style.WARNING(f"No metric source is registered as {source}."))
        self.stdout.write(
            self.style.SUCCESS(
                f"Computed metrics for {label}: {result.created} new, {result.updated} refreshed, "
                f"{result.unchanged} unchanged, {result.kept_validated} validated and kept, "
                f"{result.no_data} without data."
            )
        )
        if result.other_frequency:
            self.stdout.write(
                f"{result.other_frequency} computed metric(s) skipped: the period does not match "
                "their frequency (annual metrics need a whole financial year)."
            )
