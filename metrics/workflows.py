"""The life of a metric value, declared once (see core.workflow and metrics.services).

    draft ──submit──▶ submitted ──validate (CWB Group)──▶ validated  (public)
      ▲                   │                                   │
      │◀──save── returned ◀──return with a comment (CWB Group)│
      └─────────────────────reopen for correction (reason)────┘

`save` enters or changes an officer's value (a new one, a draft or a returned one: it becomes a
draft); `recompute` refreshes a computed metric's value in any state but validated.
"""

from typing import Any

from core.workflow import NEW, Action, Workflow
from metrics.models import MetricValue, ValueStatus
from metrics.periods import period_label


def _is_cwb_group_member(user: Any, metric_value: Any) -> bool:
    from metrics.services import is_cwb_group_member  # the services import this table

    return is_cwb_group_member(user)


def _may_validate(user: Any, metric_value: Any) -> bool:
    """A CWB Group member, and never the one who submitted the value."""
    submitter = getattr(metric_value, "submitted_by_id", None)
    if submitter is not None and submitter == getattr(user, "pk", None):
        return False
    return _is_cwb_group_member(user, metric_value)


def _locked_value(metric_value: MetricValue) -> str:
    period = period_label(metric_value.period_start, metric_value.period_end)
    message = (
        f"The value for {period} is {metric_value.get_status_display().lower()}, "
        "so it cannot be changed"
    )
    validated = metric_value.status == ValueStatus.VALIDATED
    return message + (": reopen it for correction first" if validated else "")


_EDITABLE = frozenset({ValueStatus.DRAFT, ValueStatus.RETURNED})

VALUE_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(ValueStatus.values),
    actions=(
        Action(
            name="save",
            label="Enter or change the value",
            sources=_EDITABLE | {NEW},
            target=ValueStatus.DRAFT,
            refusal=_locked_value,
        ),
        Action(
            name="submit",
            label="Submit for validation",
            sources=_EDITABLE,
            target=ValueStatus.SUBMITTED,
            refusal="Only draft or returned values can be submitted; this one is {state}",
        ),
        Action(
            name="validate",
            label="Validate",
            sources=frozenset({ValueStatus.SUBMITTED}),
            target=ValueStatus.VALIDATED,
            allowed=_may_validate,
            forbidden="Only members of the CWB Group, other than its submitter, can validate a "
            "value.",
            refusal="Only submitted values can be validated; this one is {state}",
        ),
        Action(
            name="return",
            label="Return with comments",
            sources=frozenset({ValueStatus.SUBMITTED}),
            target=ValueStatus.RETURNED,
            allowed=_is_cwb_group_member,
            needs_reason=True,
            forbidden="Only members of the CWB Group can return values.",
            refusal="Only submitted values can be returned; this one is {state}",
            reason_field="comment",
            reason_missing="Say what needs to change before it can be validated",
        ),
        Action(
            name="reopen",
            label="Reopen for correction",
            sources=frozenset({ValueStatus.VALIDATED}),
            target=ValueStatus.DRAFT,
            needs_reason=True,
            refusal="Only validated values need reopening: change this one directly",
            reason_missing="Say why the validated value needs correcting",
        ),
        Action(
            name="recompute",
            label="Compute again",
            sources=_EDITABLE | {NEW, ValueStatus.SUBMITTED},
            target=ValueStatus.DRAFT,
            refusal="A validated value is never recomputed: reopen it for correction first",
        ),
    ),
)

SAVE = VALUE_WORKFLOW["save"]
SUBMIT = VALUE_WORKFLOW["submit"]
VALIDATE = VALUE_WORKFLOW["validate"]
RETURN = VALUE_WORKFLOW["return"]
REOPEN = VALUE_WORKFLOW["reopen"]
RECOMPUTE = VALUE_WORKFLOW["recompute"]

# Officers change values (and submit them) only in these states.
EDITABLE = VALUE_WORKFLOW.states_from(SAVE)
