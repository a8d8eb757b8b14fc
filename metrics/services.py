"""Writes for the CWB framework: reference data, metric values and their validation, LM3 studies.

Each function is one transaction, records who acted, and runs `full_clean()`, so the admin, the
commands and the demo data obey the same rules.

The life of a metric value:

    draft ──submit──▶ submitted ──validate (CWB Group)──▶ validated  (public)
      ▲                   │                                   │
      │◀──save── returned ◀──return with a comment (CWB Group)│
      └─────────────────────reopen for correction (reason)────┘

- Officers enter and change draft or returned values (`metric_value_save`); a submitted or
  validated value cannot be changed.
- Only members of the CWB Group validate or return, and never a value they submitted themselves.
- A validated value is never changed in place. To correct it, an officer reopens it with a reason
  (`metric_value_reopen`): it becomes a draft again, leaves the public pages, and is changed,
  submitted and validated like any other value.
- Computed metrics' values come from `metric_values_compute`, never from typing; they are drafts
  that go through the same validation. Recomputing refreshes drafts, returned and submitted values
  (a changed figure goes back to draft) and never touches a validated one.
- Every change is kept by the audit trail (audit.trail; the database's triggers): who, when,
  the workflow step (`ChangeAction`), the value before and after, and any comment as its reason.
  MetricValueChange, the history before the trail, is kept read only (docs/decisions).
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.trail import trail_step
from core import clock
from core.roles import CWB_GROUP
from metrics.models import (
    Foundation,
    LM3Study,
    Metric,
    MetricValue,
    Unit,
)
from metrics.notifications import metric_value_returned_notify, metric_value_submitted_notify
from metrics.periods import PERIOD_HINTS, period_fits
from metrics.sources import metric_source_get
from metrics.workflows import (
    RECOMPUTE,
    REOPEN,
    RETURN,
    SAVE,
    SUBMIT,
    VALIDATE,
    VALUE_WORKFLOW,
)
from neighbourhoods.models import Neighbourhood

VALUE_PLACES = Decimal("0.0001")


class ChangeAction:
    """The workflow steps a metric value's audit trail names (its context's "action")."""

    CREATED = "created"
    CHANGED = "changed"
    COMPUTED = "computed"
    RECOMPUTED = "recomputed"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    RETURNED = "returned"
    REOPENED = "reopened"


# --- Reference data -------------------------------------------------------------------------


@transaction.atomic
def foundations_load(*, foundations: Sequence[Mapping[str, Any]]) -> list[Foundation]:
    """Create or update foundations by code, in the order given. Idempotent."""
    loaded = []
    for order, data in enumerate(foundations, start=1):
        foundation = Foundation.objects.filter(code=data["code"]).first()
        foundation = foundation or Foundation(code=data["code"])
        foundation.name = data["name"]
        foundation.summary = data.get("summary", "")
        foundation.order = data.get("order", order)
        foundation.full_clean()
        foundation.save()
        loaded.append(foundation)
    return loaded


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


@transaction.atomic
def metrics_load(*, metrics: Sequence[Mapping[str, Any]]) -> list[Metric]:
    """Create or update the CWB metrics by code, in the order given. Idempotent.

    Each names its foundation by code (load foundations first) and, when computed, a registered
    source. An officer's choice to retire a metric (is_active) is kept unless the data sets it.
    """
    foundations = {f.code: f for f in Foundation.objects.all()}
    loaded = []
    for order, data in enumerate(metrics, start=1):
        code = data["code"]
        if data["foundation"] not in foundations:
            raise ValidationError(f"Metric {code}: no foundation has the code {data['foundation']}")
        metric = Metric.objects.filter(code=code).first() or Metric(code=code)
        metric.name = data["name"]
        metric.foundation = foundations[data["foundation"]]
        metric.unit = data["unit"]
        metric.better = data.get("better", "higher")
        metric.method = data["method"]
        metric.owning_department = data["owning_department"]
        metric.frequency = data.get("frequency", "annual")
        metric.baseline = _decimal_or_none(data.get("baseline"))
        metric.baseline_period = data.get("baseline_period", "")
        metric.target = _decimal_or_none(data.get("target"))
        metric.target_period = data.get("target_period", "")
        metric.by_neighbourhood = data.get("by_neighbourhood", False)
        metric.computed = data.get("computed", False)
        metric.source = data.get("source", "")
        metric.order = data.get("order", order)
        if "is_active" in data:
            metric.is_active = data["is_active"]
        if metric.computed and metric_source_get(metric.source) is None:
            raise ValidationError(
                f"Metric {code}: no metric source is registered as {metric.source}"
            )
        metric.full_clean()
        metric.save()
        loaded.append(metric)
    return loaded


# --- Rules about values ----------------------------------------------------------------------


def is_cwb_group_member(user: User | AnonymousUser | None) -> bool:
    """Whether `user` may validate or return values: an active member of the CWB Group."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=CWB_GROUP).exists()


def metric_value_problems(
    *,
    metric: Metric,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    neighbourhood: Neighbourhood | None,
    value: Any,
) -> dict[str, str]:
    """What is wrong with a value for a metric, by field, in words an officer can act on.

    Used by the services and by the admin form, so both say the same thing.
    """
    problems: dict[str, str] = {}
    if period_start and period_end:
        if period_end < period_start:
            problems["period_end"] = "The end of the period must be on or after its start"
        elif not period_fits(frequency=metric.frequency, start=period_start, end=period_end):
            hint = PERIOD_HINTS.get(metric.frequency, "")
            problems["period_start"] = f"This metric is {metric.get_frequency_display().lower()}"
            problems["period_start"] += f": the period must be {hint}" if hint else ""
        elif period_start > timezone.localdate():
            problems["period_start"] = "The period has not started yet"
    if neighbourhood is not None and not metric.by_neighbourhood:
        problems["neighbourhood"] = (
            "This metric is recorded for the whole borough only: leave the neighbourhood empty"
        )
    if value is None or value == "":
        problems["value"] = "Enter the value"
        return problems
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems["value"] = "Enter the value as a number, like 12.5"
        return problems
    if not number.is_finite():
        problems["value"] = "Enter the value as a number, like 12.5"
    elif number < 0:
        problems["value"] = "Enter a value of 0 or more"
    elif metric.unit == Unit.PERCENT and number > 100:
        problems["value"] = "Enter a percentage between 0 and 100"
    elif metric.unit == Unit.COUNT and number != number.to_integral_value():
        problems["value"] = "Enter a whole number"
    return problems


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})


def _locked(metric_value: MetricValue) -> MetricValue:
    return (
        MetricValue.objects.select_for_update(of=("self",))
        .select_related("metric", "neighbourhood")
        .get(pk=metric_value.pk)
    )


def _actor(actor: Any) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- Values and their validation ---------------------------------------------------------------


@transaction.atomic
def metric_value_save(
    *,
    actor: User | None,
    metric: Metric,
    period_start: datetime.date,
    period_end: datetime.date,
    value: Decimal,
    neighbourhood: Neighbourhood | None = None,
    evidence: str = "",
) -> MetricValue:
    """Enter or change an officer's value for a metric, period and area (None: the borough).

    Creates a draft, or changes the draft or returned value held for that period and area (a
    returned value becomes a draft again). Refuses submitted and validated values, and typed
    values for computed metrics (their evidence may still be changed).
    """
    _raise_problems(
        metric_value_problems(
            metric=metric,
            period_start=period_start,
            period_end=period_end,
            neighbourhood=neighbourhood,
            value=value,
        )
    )
    value = Decimal(str(value))
    existing = (
        MetricValue.objects.select_for_update(of=("self",))
        .select_related("metric", "neighbourhood")
        .filter(
            metric=metric,
            period_start=period_start,
            period_end=period_end,
            neighbourhood=neighbourhood,
        )
        .first()
    )
    VALUE_WORKFLOW.check(SAVE, existing, actor)
    if metric.computed and (existing is None or existing.value != value):
        raise ValidationError(
            {"value": ["This metric is computed by the system: its value cannot be typed in"]}
        )
    metric_value = existing or MetricValue(
        metric=metric,
        period_start=period_start,
        period_end=period_end,
        neighbourhood=neighbourhood,
        created_by=_actor(actor),
    )
    if existing is not None and existing.value == value and existing.evidence == evidence:
        return existing  # nothing changed: nothing to record
    metric_value.value = value
    metric_value.evidence = evidence.strip()
    VALUE_WORKFLOW.apply(SAVE, metric_value)
    metric_value.full_clean()
    action = ChangeAction.CHANGED if existing else ChangeAction.CREATED
    with trail_step(action, actor=_actor(actor)):
        metric_value.save()
    return metric_value


@transaction.atomic
def metric_value_submit(*, metric_value: MetricValue, actor: User) -> MetricValue:
    """Send a draft or returned value to the CWB Group for validation."""
    metric_value = _locked(metric_value)
    VALUE_WORKFLOW.check(SUBMIT, metric_value, actor)
    VALUE_WORKFLOW.apply(SUBMIT, metric_value)
    metric_value.submitted_by = _actor(actor)
    metric_value.submitted_at = clock.now()
    metric_value.full_clean()
    with trail_step(ChangeAction.SUBMITTED, actor=_actor(actor)):
        metric_value.save()
    metric_value_submitted_notify(metric_value=metric_value, actor=_actor(actor))
    return metric_value


@transaction.atomic
def metric_value_validate(*, metric_value: MetricValue, actor: User) -> MetricValue:
    """A CWB Group member validates a submitted value: from now on it is public."""
    metric_value = _locked(metric_value)
    # The table refuses the submitter too (so no page offers it); this says why.
    if metric_value.submitted_by_id is not None and metric_value.submitted_by_id == actor.pk:
        raise PermissionDenied("A value must be validated by someone other than its submitter.")
    VALUE_WORKFLOW.check(VALIDATE, metric_value, actor)
    VALUE_WORKFLOW.apply(VALIDATE, metric_value)
    metric_value.validated_by = actor
    metric_value.validated_at = clock.now()
    metric_value.return_comment = ""
    metric_value.full_clean()
    with trail_step(ChangeAction.VALIDATED, actor=actor):
        metric_value.save()
    return metric_value


@transaction.atomic
def metric_value_return(*, metric_value: MetricValue, actor: User, comment: str) -> MetricValue:
    """A CWB Group member sends a submitted value back to the officers, saying why."""
    comment = (comment or "").strip()
    metric_value = _locked(metric_value)
    VALUE_WORKFLOW.check(RETURN, metric_value, actor, reason=comment)
    VALUE_WORKFLOW.apply(RETURN, metric_value)
    metric_value.return_comment = comment
    metric_value.full_clean()
    with trail_step(ChangeAction.RETURNED, actor=actor, reason=comment):
        metric_value.save()
    metric_value_returned_notify(metric_value=metric_value, actor=actor)
    return metric_value


@transaction.atomic
def metric_value_reopen(*, metric_value: MetricValue, actor: User, reason: str) -> MetricValue:
    """Reopen a validated value for correction: it becomes a draft and leaves the public pages
    until it is validated again. The reason is kept in its history."""
    reason = (reason or "").strip()
    metric_value = _locked(metric_value)
    VALUE_WORKFLOW.check(REOPEN, metric_value, actor, reason=reason)
    VALUE_WORKFLOW.apply(REOPEN, metric_value)
    metric_value.validated_by = None
    metric_value.validated_at = None
    metric_value.submitted_by = None
    metric_value.submitted_at = None
    metric_value.full_clean()
    with trail_step(ChangeAction.REOPENED, actor=_actor(actor), reason=reason):
        metric_value.save()
    return metric_value


# --- Computed metrics ------------------------------------------------------------------------


@dataclass
class ComputeResult:
    """What `metric_values_compute` did, counted by outcome."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_validated: int = 0
    no_data: int = 0
    other_frequency: int = 0  # metrics whose frequency does not match the period
    missing_sources: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated


@transaction.atomic
def metric_values_compute(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    actor: User | None = None,
) -> ComputeResult:
    """Compute every active computed metric for the period: borough-wide, and for each
    neighbourhood where the metric is recorded by neighbourhood.

    Creates drafts, and refreshes draft, returned and submitted values whose figure changed
    (back to draft, so a validator never validates a stale figure). Never touches a validated
    value. Every write is recorded in the value's history.
    """
    if period_end < period_start:
        raise ValidationError("The end of the period must be on or after its start")
    actor = _actor(actor)
    result = ComputeResult()
    metrics = list(Metric.objects.filter(is_active=True, computed=True).order_by("pk"))
    neighbourhoods = list(Neighbourhood.objects.order_by("order", "name"))
    held = {
        (v.metric_id, v.neighbourhood_id): v
        for v in MetricValue.objects.select_for_update(of=("self",))
        .select_related("metric", "neighbourhood")
        .filter(metric__in=metrics, period_start=period_start, period_end=period_end)
    }
    today = timezone.localdate()
    for metric in metrics:
        source = metric_source_get(metric.source)
        if source is None:
            result.missing_sources.append(metric.source)
            continue
        if not period_fits(frequency=metric.frequency, start=period_start, end=period_end):
            result.other_frequency += 1
            continue
        areas: list[Neighbourhood | None] = [None]
        if metric.by_neighbourhood:
            areas += neighbourhoods
        for area in areas:
            existing = held.get((metric.pk, area.pk if area else None))
            if VALUE_WORKFLOW.state_of(existing) not in RECOMPUTE.sources:
                result.kept_validated += 1
                continue
            computed = source.compute(period_start, period_end, area)
            if computed is None:
                result.no_data += 1
                continue
            computed = Decimal(computed).quantize(VALUE_PLACES)
            evidence = (
                f"Computed from {source.label[:1].lower()}{source.label[1:]} "
                f"({source.key}) on {today:%d %B %Y}."
            )
            if existing is not None and existing.value == computed:
                result.unchanged += 1
                continue
            metric_value = existing or MetricValue(
                metric=metric,
                period_start=period_start,
                period_end=period_end,
                neighbourhood=area,
                created_by=actor,
            )
            metric_value.value = computed
            metric_value.evidence = evidence
            VALUE_WORKFLOW.apply(RECOMPUTE, metric_value)
            metric_value.submitted_by = None
            metric_value.submitted_at = None
            metric_value.full_clean()
            action = ChangeAction.RECOMPUTED if existing else ChangeAction.COMPUTED
            with trail_step(action, actor=actor):
                metric_value.save()
            if existing:
                result.updated += 1
            else:
                result.created += 1
    return result


# --- LM3 studies -------------------------------------------------------------------------------


@transaction.atomic
def lm3_study_save(*, study: LM3Study, actor: User | None) -> LM3Study:
    """Create or change an LM3 study, checked against the model's rules."""
    if study.pk is None and study.created_by_id is None:
        study.created_by = _actor(actor)
    study.full_clean()
    study.save()
    return study
