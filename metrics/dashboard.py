"""Reads for the neighbourhood dashboards: a neighbourhood's metric values, latest first.

Validated values for everyone; drafts, submitted and returned values too for staff who curate
and validate them. One query.
"""

from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from metrics.models import MetricValue, ValueStatus
from metrics.periods import period_label
from metrics.templatetags.metric_format import metric_value_format
from neighbourhoods.models import Neighbourhood

PERIODS_PER_METRIC = 3


@dataclass(frozen=True)
class AreaMetricRow:
    metric_name: str
    period: str
    value_display: str
    status: str
    validated: bool


def metric_values_for_area(
    *, neighbourhood: Neighbourhood, include_drafts: bool
) -> list[AreaMetricRow]:
    """The latest few values of each metric recorded for the neighbourhood."""
    values = MetricValue.objects.filter(neighbourhood=neighbourhood, metric__is_active=True)
    if not include_drafts:
        values = values.filter(status=ValueStatus.VALIDATED)
    latest = (
        values.select_related("metric")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("metric_id")], order_by=F("period_start").desc()
            )
        )
        .order_by("metric__foundation__order", "metric__order", "metric__name", "-period_start")
    )
    return [
        AreaMetricRow(
            metric_name=value.metric.name,
            period=period_label(value.period_start, value.period_end),
            value_display=metric_value_format(value.value, value.metric.unit),
            status=ValueStatus(value.status).label,
            validated=value.status == ValueStatus.VALIDATED,
        )
        for value in latest
        if value.rank <= PERIODS_PER_METRIC
    ]
