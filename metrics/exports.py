"""A metric's validated values as spreadsheet-safe CSV."""

from collections.abc import Iterable, Iterator
from typing import Any

from core.csv import csv_lines
from metrics.models import Metric, MetricValue
from metrics.periods import period_label

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
