"""Reads for the CWB framework: the public metrics pages, the impact report and LM3 studies.

Everything public reads validated values only. Each selector runs a fixed number of queries,
however many values are held.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from core.periods import FinancialYear
from metrics.lm3 import LM3Breakdown, lm3_for_study
from metrics.models import (
    Better,
    Foundation,
    LM3Study,
    Metric,
    MetricValue,
    MetricValueEvent,
    ValueStatus,
)
from metrics.periods import period_label

# How many periods the trend on /metrics/ shows for each metric.
TREND_LENGTH = 5


def foundation_list() -> QuerySet[Foundation]:
    return Foundation.objects.order_by("order", "name")


def metric_values_validated() -> QuerySet[MetricValue]:
    """Validated values: the only ones the public sees."""
    return MetricValue.objects.filter(status=ValueStatus.VALIDATED)


# --- Is a metric on track? -----------------------------------------------------------------------


class OnTrack(models.TextChoices):
    MET = "met", "Target met"
    ON_TRACK = "on_track", "On track"
    OFF_TRACK = "off_track", "Not on track"
    NO_TARGET = "no_target", "No target set"
    NO_VALUE = "no_value", "Not yet measured"


ON_TRACK_TAG_CLASSES = {
    OnTrack.MET: "govuk-tag--green",
    OnTrack.ON_TRACK: "govuk-tag--green",
    OnTrack.OFF_TRACK: "govuk-tag--red",
    OnTrack.NO_TARGET: "govuk-tag--grey",
    OnTrack.NO_VALUE: "govuk-tag--grey",
}


def _better(metric: Metric, a: Decimal, b: Decimal) -> bool:
    """Whether `a` is strictly better than `b` for this metric."""
    return a < b if metric.better == Better.LOWER else a > b


def _at_least_as_good(metric: Metric, a: Decimal, b: Decimal) -> bool:
    return a <= b if metric.better == Better.LOWER else a >= b


def _expected_on_trajectory(metric: Metric, year: int) -> Decimal | None:
    """Where the value should be in financial year `year` on a straight line from the baseline
    to the target, or None when the baseline, the target or their periods are not known."""
    if metric.baseline is None or metric.target is None:
        return None
    baseline_year = FinancialYear.parse(metric.baseline_period)
    target_year = FinancialYear.parse(metric.target_period)
    if baseline_year is None or target_year is None or target_year <= baseline_year:
        return None
    start, end = baseline_year.start_year, target_year.start_year
    year = min(max(year, start), end)
    return metric.baseline + (metric.target - metric.baseline) * (year - start) / (end - start)


@dataclass(frozen=True)
class Judgement:
    """Whether a value is on track, and the figure it was held against: the target, or where
    the line from the baseline to the target is in the value's financial year."""

    status: OnTrack
    measured: Decimal | None = None  # the value as stored, never a rounded copy
    expected: Decimal | None = None  # the line's figure for the value's year, if there is a line
    year_label: str = ""  # the value's financial year, 2025/26

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def tag_class(self) -> str:
        return ON_TRACK_TAG_CLASSES[self.status]


def metric_judgement(*, metric: Metric, value: MetricValue | None) -> Judgement:
    """The one rule for "on track", written for the public in templates/metrics/_on_track_rule.html
    (change both together). On the value as stored, in the metric's direction (higher or lower
    is better): no judgement without a value or without a target; target met at or beyond the
    target; with a baseline, on track at or beyond the straight line from the baseline to the
    target for the value's financial year, not on track short of it; with no baseline there is
    no line, so short of the target is not on track."""
    if value is None:
        return Judgement(OnTrack.NO_VALUE)
    if metric.target is None:
        return Judgement(OnTrack.NO_TARGET, measured=value.value)
    year = FinancialYear.of(value.period_start)
    if _at_least_as_good(metric, value.value, metric.target):
        return Judgement(OnTrack.MET, measured=value.value, year_label=year.label)
    expected = _expected_on_trajectory(metric, year.start_year)
    good = expected is not None and _at_least_as_good(metric, value.value, expected)
    return Judgement(
        OnTrack.ON_TRACK if good else OnTrack.OFF_TRACK,
        measured=value.value,
        expected=expected,
        year_label=year.label,
    )


def metric_on_track(*, metric: Metric, value: MetricValue | None) -> OnTrack:
    """The status of `metric_judgement`."""
    return metric_judgement(metric=metric, value=value).status


class _Progress:
    """What a value means against its metric's target and the value before it."""

    metric: Metric
    previous: MetricValue | None

    @property
    def current(self) -> MetricValue | None:
        raise NotImplementedError

    @property
    def judgement(self) -> Judgement:
        return metric_judgement(metric=self.metric, value=self.current)

    @property
    def on_track(self) -> OnTrack:
        return self.judgement.status

    @property
    def on_track_label(self) -> str:
        return self.on_track.label

    @property
    def change(self) -> Decimal | None:
        """The value less the previous value, or None without both."""
        if self.current is None or self.previous is None:
            return None
        return self.current.value - self.previous.value

    @property
    def improved(self) -> bool | None:
        """Whether the value is better than the previous one (None without both)."""
        if self.current is None or self.previous is None:
            return None
        return _better(self.metric, self.current.value, self.previous.value)


# --- /metrics/: every metric with its latest validated value and trend ---------------------------


@dataclass(frozen=True)
class MetricSummary(_Progress):
    metric: Metric
    trend: list[MetricValue]  # validated borough values, oldest first, at most TREND_LENGTH

    @property
    def current(self) -> MetricValue | None:
        return self.trend[-1] if self.trend else None

    @property
    def latest(self) -> MetricValue | None:
        return self.current

    @property
    def previous(self) -> MetricValue | None:  # type: ignore[override]
        return self.trend[-2] if len(self.trend) > 1 else None


@dataclass(frozen=True)
class FoundationMetrics:
    foundation: Foundation
    metrics: list = field(default_factory=list)


def _active_metrics() -> QuerySet[Metric]:
    return (
        Metric.objects.filter(is_active=True)
        .select_related("foundation")
        .order_by("foundation__order", "foundation__name", "order", "name")
    )


def _group_by_foundation(items: list, metric_of) -> list[FoundationMetrics]:
    groups: dict[int, FoundationMetrics] = {}
    for item in items:
        foundation = metric_of(item).foundation
        groups.setdefault(foundation.pk, FoundationMetrics(foundation=foundation))
        groups[foundation.pk].metrics.append(item)
    return list(groups.values())


def metric_overview(*, trend_length: int = TREND_LENGTH) -> list[FoundationMetrics]:
    """Every active metric grouped by foundation, each with its latest validated borough-wide
    values (the trend). Two queries."""
    metrics = list(_active_metrics())
    recent = (
        metric_values_validated()
        .filter(metric__in=[m.pk for m in metrics], neighbourhood__isnull=True)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("metric_id")], order_by=F("period_start").desc()
            )
        )
        .filter(recency__lte=trend_length)
        .order_by("metric_id", "period_start")
    )
    trends: dict[int, list[MetricValue]] = {}
    for value in recent:
        trends.setdefault(value.metric_id, []).append(value)
    summaries = [MetricSummary(metric=m, trend=trends.get(m.pk, [])) for m in metrics]
    return _group_by_foundation(summaries, lambda summary: summary.metric)


# --- /metrics/<code>/: one metric's validated history --------------------------------------------


@dataclass(frozen=True)
class PeriodValues:
    period_start: datetime.date
    period_end: datetime.date
    borough: MetricValue | None
    neighbourhoods: list[MetricValue]  # in the neighbourhoods' order

    @property
    def label(self) -> str:
        return period_label(self.period_start, self.period_end)


@dataclass(frozen=True)
class HistoryRow(_Progress):
    metric: Metric
    value: MetricValue
    previous: MetricValue | None

    @property
    def current(self) -> MetricValue | None:
        return self.value


@dataclass(frozen=True)
class MetricHistory:
    metric: Metric
    periods: list[PeriodValues]  # newest first

    @property
    def borough(self) -> list[MetricValue]:
        """The borough-wide values, newest first."""
        return [p.borough for p in self.periods if p.borough is not None]

    @property
    def borough_rows(self) -> list["HistoryRow"]:
        """The borough-wide values, newest first, each with the one before it."""
        borough = self.borough
        return [
            HistoryRow(metric=self.metric, value=value, previous=older)
            for value, older in zip(borough, [*borough[1:], None], strict=True)
        ]

    @property
    def latest(self) -> MetricValue | None:
        borough = self.borough
        return borough[0] if borough else None

    @property
    def has_neighbourhood_values(self) -> bool:
        return any(p.neighbourhoods for p in self.periods)


def metric_history(*, code: str) -> MetricHistory | None:
    """A metric (active or retired) by code with every validated value, borough-wide and by
    neighbourhood, grouped by period, newest first; None for no such metric. Two queries."""
    metric = Metric.objects.select_related("foundation").filter(code=code).first()
    if metric is None:
        return None
    values = (
        metric_values_validated()
        .filter(metric=metric)
        .select_related("neighbourhood")
        .order_by(
            "-period_start",
            "-period_end",
            F("neighbourhood__order").asc(nulls_first=True),
            "neighbourhood__name",
        )
    )
    periods: dict[tuple[datetime.date, datetime.date], PeriodValues] = {}
    for value in values:
        key = (value.period_start, value.period_end)
        if key not in periods:
            periods[key] = PeriodValues(
                period_start=value.period_start,
                period_end=value.period_end,
                borough=value if value.neighbourhood_id is None else None,
                neighbourhoods=[],
            )
        if value.neighbourhood_id is not None:
            periods[key].neighbourhoods.append(value)
    return MetricHistory(metric=metric, periods=list(periods.values()))


def metric_values_for_export(*, metric: Metric) -> QuerySet[MetricValue]:
    """A metric's validated values for its CSV: oldest first, borough before neighbourhoods."""
    return (
        metric_values_validated()
        .filter(metric=metric)
        .select_related("neighbourhood")
        .order_by(
            "period_start",
            "period_end",
            F("neighbourhood__order").asc(nulls_first=True),
            "neighbourhood__name",
        )
    )


# --- The annual impact report --------------------------------------------------------------------


@dataclass(frozen=True)
class MetricReportRow(_Progress):
    """A metric in a report: its validated borough value for the period (None if there is
    none), the previous validated value before the period, and the target."""

    metric: Metric
    value: MetricValue | None
    previous: MetricValue | None

    @property
    def current(self) -> MetricValue | None:
        return self.value

    @property
    def target(self) -> Decimal | None:
        return self.metric.target


def metric_report(
    *, period_start: datetime.date, period_end: datetime.date
) -> list[FoundationMetrics]:
    """For each active metric, grouped by foundation (`FoundationMetrics.metrics` holds
    `MetricReportRow`s): the validated borough-wide value for exactly this period, the latest
    validated borough-wide value that ended before the period began (the previous period's,
    normally), the target and whether it is on track. Three queries."""
    metrics = list(_active_metrics())
    borough = metric_values_validated().filter(
        metric__in=[m.pk for m in metrics], neighbourhood__isnull=True
    )
    current = {
        v.metric_id: v for v in borough.filter(period_start=period_start, period_end=period_end)
    }
    previous = {
        v.metric_id: v
        for v in borough.filter(period_end__lt=period_start)
        .order_by("metric_id", "-period_end", "-period_start")
        .distinct("metric_id")
    }
    rows = [
        MetricReportRow(metric=m, value=current.get(m.pk), previous=previous.get(m.pk))
        for m in metrics
    ]
    return _group_by_foundation(rows, lambda row: row.metric)


# --- LM3 studies ---------------------------------------------------------------------------------


def _with_breakdown(studies) -> list[LM3Study]:
    studies = list(studies)
    for study in studies:
        study.breakdown = lm3_for_study(study)
    return studies


def lm3_study_list() -> QuerySet[LM3Study]:
    """Every LM3 study, latest period first (studies are published evidence)."""
    return LM3Study.objects.order_by("-period_end", "name", "pk")


def lm3_study_page(studies) -> list[LM3Study]:
    """A page of studies, each with `breakdown` (an LM3Breakdown) attached."""
    return _with_breakdown(studies)


def lm3_study_get(*, pk: int) -> LM3Study | None:
    """One study with `breakdown` attached, or None. One query."""
    study = LM3Study.objects.filter(pk=pk).first()
    return _with_breakdown([study])[0] if study else None


def lm3_studies_for(*, period_start: datetime.date, period_end: datetime.date) -> list[LM3Study]:
    """LM3 studies whose period overlaps the given one, latest first, each with `breakdown`
    (an LM3Breakdown: round totals, `lm3` to 2 dp) attached. One query."""
    return _with_breakdown(
        lm3_study_list().filter(period_start__lte=period_end, period_end__gte=period_start)
    )


__all__ = [
    "FoundationMetrics",
    "LM3Breakdown",
    "MetricHistory",
    "MetricReportRow",
    "MetricSummary",
    "OnTrack",
    "PeriodValues",
    "foundation_list",
    "lm3_studies_for",
    "lm3_study_get",
    "lm3_study_list",
    "lm3_study_page",
    "metric_history",
    "metric_judgement",
    "metric_on_track",
    "metric_overview",
    "metric_report",
    "metric_values_for_export",
    "metric_values_validated",
]


# --- A metric value's history, from the audit trail ---------------------------------------


@dataclass(frozen=True)
class ValueChange:
    """One step in a value's history: the workflow step (or the trail's label for a write no
    service made), who, when, the value before and after, and the comment given."""

    action: str
    changed_by: Any
    changed_at: datetime.datetime
    before: dict[str, str]
    after: dict[str, str]
    comment: str


def _value_snapshot(event: MetricValueEvent) -> dict[str, str]:
    return {
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
        "value": str(Decimal(event.value).quantize(Decimal("0.0001"))),
        "evidence": event.evidence,
        "status": event.status,
        "return_comment": event.return_comment,
    }


def metric_value_history(*, metric_value: MetricValue) -> list[ValueChange]:
    """Every change of the value, oldest first, read from its audit trail in two queries."""
    events = list(
        MetricValueEvent.objects.filter(pgh_obj_id=metric_value.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    contexts = [event.pgh_context.metadata if event.pgh_context else {} for event in events]
    users = get_user_model().objects.in_bulk({c["user"] for c in contexts if c.get("user")})
    history = []
    before: dict[str, str] = {}
    for event, context in zip(events, contexts, strict=True):
        after = {} if event.pgh_label == "delete" else _value_snapshot(event)
        history.append(
            ValueChange(
                action=context.get("action") or event.pgh_label,
                changed_by=users.get(context.get("user")),
                changed_at=event.pgh_created_at,
                before=before,
                after=after,
                comment=context.get("reason", ""),
            )
        )
        before = after
    return history


# --- The staff home: values waiting for their next step ---------------------------------------


@dataclass(frozen=True)
class ReturnedValue:
    pk: int
    label: str  # the metric, period and area
    comment: str  # what the CWB Group asked to change


@dataclass(frozen=True)
class MetricValuesWaiting:
    drafts: int  # to submit
    returned: int  # to correct and submit again
    submitted: int  # for the CWB Group to validate or return
    returned_oldest: list[ReturnedValue] = field(default_factory=list)

    @property
    def to_submit(self) -> int:
        return self.drafts + self.returned


def metric_values_waiting(*, shown: int = 5) -> MetricValuesWaiting:
    """How many values wait at each step (one aggregate) and the `shown` returned values that
    waited longest, with the CWB Group's comment (one query)."""
    counts = MetricValue.objects.aggregate(
        drafts=models.Count("pk", filter=models.Q(status=ValueStatus.DRAFT)),
        returned=models.Count("pk", filter=models.Q(status=ValueStatus.RETURNED)),
        submitted=models.Count("pk", filter=models.Q(status=ValueStatus.SUBMITTED)),
    )
    returned = (
        MetricValue.objects.filter(status=ValueStatus.RETURNED)
        .select_related("metric", "neighbourhood")
        .only(
            "pk",
            "period_start",
            "period_end",
            "return_comment",
            "metric__name",
            "neighbourhood__name",
        )
        .order_by("updated_at", "pk")[:shown]
    )
    return MetricValuesWaiting(
        **counts,
        returned_oldest=[
            ReturnedValue(
                pk=value.pk,
                label=f"{value.metric.name}, {period_label(value.period_start, value.period_end)}, "
                f"{value.neighbourhood.name if value.neighbourhood else 'whole borough'}",
                comment=value.return_comment,
            )
            for value in returned
        ],
    )
