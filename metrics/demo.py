"""Demo CWB metric values and LM3 studies for `make run`. Development only; idempotent.

- Validated values for the last four financial years for every officer-entered metric
  (borough-wide, and by neighbourhood where the metric is), entered by the demo officer and
  validated by the demo CWB Group validator.
- This year's values in every state an officer or a validator meets: draft, submitted, returned.
- Computed metrics (spend shares, pledge counts) computed from whatever data is held: past years
  submitted and validated, this year left as drafts. Spend shares appear once spend is imported
  (the spend demo data); run seed_demo again after it, or call `demo_computed_metrics_ensure`.
- Two LM3 studies, one of them the New Economics Foundation's worked example (LM3 1.71).
"""

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.periods import FinancialYear
from core.roles import CWB_GROUP
from metrics.models import (
    LM3Study,
    Metric,
    MetricValue,
    Unit,
    ValueStatus,
)
from metrics.services import (
    ChangeAction,
    metric_value_return,
    metric_value_save,
    metric_value_submit,
    metric_value_validate,
    metric_values_compute,
)
from neighbourhoods.models import Council
from outbox.demo import story_step

DEMO_EVIDENCE = "Demo figure (illustrative): "
PAST_YEARS = 4

# Illustrative borough-wide figures for the last four financial years, oldest first, and this
# year's figure in progress. Metrics not named here get a series from their baseline and target.
SERIES = {
    "social-value-committed": ["910000", "1240000", "1515000", "1780000", "1935000"],
    "placements-delivered": ["24", "31", "38", "46", "19"],
    "stevenage-works-starts": ["62", "81", "97", "118", "54"],
    "real-living-wage-pledgers": ["14", "19", "23", "29", "31"],
    "council-emissions": ["4650", "4312.5", "3980", "3721.8", "3540"],
}
EVIDENCE = {
    "social-value-committed": "Social Value Portal report for contracts over £75,000",
    "placements-delivered": "Placement providers' returns to Economic Development",
    "stevenage-works-starts": "Stevenage Works partnership monitoring return",
    "real-living-wage-pledgers": "Pledging employers checked against the Living Wage "
    "Foundation's list of accredited employers",
    "council-emissions": "The council's annual carbon report",
}
# This year's officer-entered values: what state each is in.
THIS_YEAR_STATUS = {
    "social-value-committed": ValueStatus.DRAFT,
    "placements-delivered": ValueStatus.SUBMITTED,
    "stevenage-works-starts": ValueStatus.RETURNED,
    "real-living-wage-pledgers": ValueStatus.SUBMITTED,
    "council-emissions": ValueStatus.DRAFT,
}
RETURN_COMMENT = (
    "The partnership's return counts two people who live in North Hertfordshire: please take "
    "them out and resubmit."
)

LM3_STUDIES = [
    {
        "name": "Council spending: the worked example",
        "organisation": "Stevenage Borough Council",
        "years_ago": 2,
        "round1_income": Decimal("1000000.00"),
        "round2_local_suppliers": Decimal("300000.00"),
        "round2_local_staff": Decimal("200000.00"),
        "supplier_respend_rate": Decimal("0.4000"),
        "staff_respend_rate": Decimal("0.4500"),
        "notes": "Illustrative figures following the New Economics Foundation's worked example "
        "in The Money Trail: £1,000,000 of income, £300,000 spent with local suppliers and "
        "£200,000 paid to local staff, who re-spend 40% and 45% locally.",
    },
    {
        "name": "Town centre market traders",
        "organisation": "Stevenage town centre market traders",
        "years_ago": 1,
        "round1_income": Decimal("420000.00"),
        "round2_local_suppliers": Decimal("96000.00"),
        "round2_local_staff": Decimal("118000.00"),
        "supplier_respend_rate": Decimal("0.3800"),
        "staff_respend_rate": Decimal("0.5200"),
        "notes": "Illustrative figures from a survey of 40 traders and 25 of their suppliers.",
    },
]


@dataclass(frozen=True)
class DemoMetrics:
    values: int
    studies: int


def _users():
    User = get_user_model()
    officer = User.objects.filter(username="officer").first()
    validator = (
        User.objects.filter(username="validator", groups__name=CWB_GROUP).first()
        or User.objects.filter(groups__name=CWB_GROUP, is_active=True).order_by("pk").first()
    )
    if validator is not None and officer is not None and validator.pk == officer.pk:
        validator = None
    return officer, validator


def _series(metric: Metric, rng: random.Random) -> list[Decimal]:
    """Five illustrative borough figures, oldest first: four past years and this year."""
    if metric.code in SERIES:
        return [Decimal(x) for x in SERIES[metric.code]]
    start = metric.baseline if metric.baseline is not None else Decimal(10)
    end = metric.target if metric.target is not None else start * Decimal("1.5")
    steps = [start + (end - start) * Decimal(i) / 6 for i in range(1, 6)]
    if metric.unit == Unit.PERCENT:
        steps = [min(max(s, Decimal(0)), Decimal(100)) for s in steps]
    return [s.quantize(Decimal(1)) for s in steps]


def _split(total: Decimal, parts: int, rng: random.Random, *, whole: bool) -> list[Decimal]:
    """`total` shared out over `parts` neighbourhoods, summing to it exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = sum(weights)
    places = Decimal(1) if whole else Decimal("0.01")
    shares = [
        (total * Decimal(w) / Decimal(scale)).quantize(places, rounding=ROUND_HALF_UP)
        for w in weights[:-1]
    ]
    return [*shares, total - sum(shares, Decimal(0))]


@transaction.atomic
def demo_metric_values_ensure(*, council: Council, today: datetime.date | None = None) -> int:
    """Officer-entered demo values, once, through the value services (entered by the demo
    officer, submitted, validated or returned by the demo validator, each change in the history
    as any value's is); returns how many demo values exist."""
    existing = MetricValue.objects.filter(evidence__startswith=DEMO_EVIDENCE).count()
    if existing:
        return existing
    officer, validator = _users()
    if officer is None:
        raise ValueError("The demo values are entered by the demo officer: create it first.")
    today = today or timezone.localdate()
    this_year = FinancialYear.of(today).start_year
    years = list(range(this_year - PAST_YEARS, this_year + 1))
    neighbourhoods = list(council.neighbourhoods.order_by("order", "name"))
    rng = random.Random(2020)
    entered_on: dict[int, datetime.datetime] = {}
    for metric in Metric.objects.filter(is_active=True, computed=False).order_by("pk"):
        for year, total in zip(years, _series(metric, rng), strict=True):
            start, end = FinancialYear(year).dates
            past = year < this_year
            status = ValueStatus.SUBMITTED if past else THIS_YEAR_STATUS.get(metric.code)
            if past and validator is not None:
                status = ValueStatus.VALIDATED
            if validator is None and status == ValueStatus.RETURNED:
                status = ValueStatus.SUBMITTED
            entered = timezone.make_aware(
                datetime.datetime.combine(
                    min(end + datetime.timedelta(days=45), today - datetime.timedelta(days=30)),
                    datetime.time(10),
                )
            )
            areas = [(None, total)]
            if metric.by_neighbourhood and neighbourhoods:
                whole = metric.unit == Unit.COUNT
                shares = _split(total, len(neighbourhoods), rng, whole=whole)
                areas += list(zip(neighbourhoods, shares, strict=True))
            label = FinancialYear(year).label
            for area, figure in areas:
                value = metric_value_save(
                    actor=officer,
                    metric=metric,
                    period_start=start,
                    period_end=end,
                    neighbourhood=area,
                    value=figure,
                    evidence=f"{DEMO_EVIDENCE}{EVIDENCE.get(metric.code, 'Officer records')}, "
                    f"{label}.",
                )
                # Each step is stamped with its time in the story (the trail keeps when each
                # write really happened), and its emails (to the CWB Group, the submitter) went then.
                if status not in (None, ValueStatus.DRAFT):
                    with story_step(entered + STEP_DELAYS[ChangeAction.SUBMITTED]):
                        value = metric_value_submit(metric_value=value, actor=officer)
                with story_step(entered + STEP_DELAYS[ChangeAction.VALIDATED]):
                    if status == ValueStatus.VALIDATED:
                        metric_value_validate(metric_value=value, actor=validator)
                    elif status == ValueStatus.RETURNED:
                        metric_value_return(
                            metric_value=value, actor=validator, comment=RETURN_COMMENT
                        )
                entered_on[value.pk] = entered
    return len(entered_on)


# How long after a demo value was entered each step of its history happened.
STEP_DELAYS = {
    ChangeAction.CREATED: datetime.timedelta(0),
    ChangeAction.SUBMITTED: datetime.timedelta(days=2),
    ChangeAction.VALIDATED: datetime.timedelta(days=9),
    ChangeAction.RETURNED: datetime.timedelta(days=9),
}


@transaction.atomic
def demo_lm3_studies_ensure(*, today: datetime.date | None = None) -> int:
    """The two demo LM3 studies, once each (found by name); returns how many exist."""
    officer, _ = _users()
    this_year = FinancialYear.of(today or timezone.localdate()).start_year
    for data in LM3_STUDIES:
        if LM3Study.objects.filter(name=data["name"]).exists():
            continue
        fields = {k: v for k, v in data.items() if k != "years_ago"}
        start, end = FinancialYear(this_year - data["years_ago"]).dates
        study = LM3Study(**fields, period_start=start, period_end=end, created_by=officer)
        study.full_clean()
        study.save()
    return LM3Study.objects.filter(name__in=[d["name"] for d in LM3_STUDIES]).count()


@transaction.atomic
def demo_computed_metrics_ensure(*, today: datetime.date | None = None) -> int:
    """Compute the computed metrics for the demo years from the data held (pledges, and spend
    once it is imported); submit and validate past years' drafts. Returns how many were
    validated. Safe to run again: validated values are never recomputed."""
    officer, validator = _users()
    this_year = FinancialYear.of(today or timezone.localdate()).start_year
    years = range(this_year - PAST_YEARS, this_year + 1)
    for year in years:
        start, end = FinancialYear(year).dates
        metric_values_compute(period_start=start, period_end=end, actor=officer)
    if officer is None or validator is None:
        return 0
    drafts = MetricValue.objects.filter(
        metric__computed=True,
        status=ValueStatus.DRAFT,
        period_start__gte=FinancialYear(this_year - PAST_YEARS).start,
        period_end__lt=FinancialYear(this_year).start,
    )
    validated = 0
    for value in drafts.select_related("metric", "neighbourhood"):
        with story_step(timezone.now()):
            metric_value_submit(metric_value=value, actor=officer)
            metric_value_validate(metric_value=value, actor=validator)
        validated += 1
    return validated


def demo_metrics_ensure(*, council: Council) -> DemoMetrics:
    """Everything above, in order. Idempotent."""
    values = demo_metric_values_ensure(council=council)
    studies = demo_lm3_studies_ensure()
    values += demo_computed_metrics_ensure()
    return DemoMetrics(values=values, studies=studies)
