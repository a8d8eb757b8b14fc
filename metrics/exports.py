"""A metric's validated values as spreadsheet-safe CSV.

metrics sits below pledges, so it keeps its own small copy of the CSV-injection guard.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from metrics.models import Metric, MetricValue
from metrics.periods import period_label

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"

METRIC_CSV_HEADER = (
    "metric_code",
    "metric_name",
    "unit",
    "period",
    "period_start",
    "period_end",
    "area",
    "neighbourhood_slug",
    "value",
    "validated_at",
)


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading single quote.

    Numbers are written as numbers: a negative number is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


class _Line:
    """A file-like object whose write() hands back what it was given: one CSV line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text line by line (a byte order mark before the header), every cell spreadsheet-safe."""
    writer = csv.writer(_Line())
    yield BYTE_ORDER_MARK + writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([spreadsheet_safe("" if cell is None else cell) for cell in row])


def metric_csv_row(*, metric: Metric, value: MetricValue, borough_name: str) -> list[Any]:
    neighbourhood = value.neighbourhood
    return [
        metric.code,
        metric.name,
        metric.get_unit_display(),
        period_label(value.period_start, value.period_end),
        value.period_start.isoformat(),
        value.period_end.isoformat(),
        neighbourhood.name if neighbourhood else borough_name,
        neighbourhood.slug if neighbourhood else "",
        format(value.value.normalize(), "f"),  # 12.5000 -> 12.5, 100.0000 -> 100
        value.validated_at.isoformat() if value.validated_at else "",
    ]


def metric_csv_lines(
    *, metric: Metric, values: Iterable[MetricValue], borough_name: str
) -> Iterator[str]:
    """The CSV of a metric's validated values, line by line."""
    return csv_lines(
        header=METRIC_CSV_HEADER,
        rows=(
            metric_csv_row(metric=metric, value=value, borough_name=borough_name)
            for value in values
        ),
    )
