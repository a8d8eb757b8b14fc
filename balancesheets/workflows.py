"""The life of a Community Balance Sheet, declared once (see core.workflow).

    draft ──submit──▶ submitted ──validate (CWB Group)──▶ validated ──publish──▶ published
      ▲ edit            │                                                   │ restate (a new
      └── returned ◀────┘ return with comments (CWB Group)                  ▼ draft version)
          ▲ edit

Lines change (edit: add, change, remove, copy forward, build the borough sheet) only in draft
or returned; a published sheet is final, and `restate` starts a corrected version beside it.
The services enforce this table, the editor offers only what it allows, and the database
triggers (balancesheets.triggers) take their states from it.
"""

from typing import Any

from balancesheets.models import BalanceSheet, SheetStatus
from core.workflow import NEW, Action, Workflow

# Who may. The checks live with the services (they import this table, hence the late imports).


def _may_edit(user: Any, sheet: Any) -> bool:
    from balancesheets.services import user_can_edit

    return user_can_edit(user)


def _may_submit(user: Any, sheet: Any) -> bool:
    from balancesheets.services import user_can_submit

    return user_can_submit(user)


def _is_validator(user: Any, sheet: Any) -> bool:
    from balancesheets.services import user_is_validator

    return user_is_validator(user)


def _may_validate(user: Any, sheet: Any) -> bool:
    """A CWB Group member, and never the one who submitted the sheet (so no Validate button)."""
    submitter = getattr(sheet, "submitted_by_id", None)
    if submitter is not None and submitter == getattr(user, "pk", None):
        return False
    return _is_validator(user, sheet)


def _may_publish(user: Any, sheet: Any) -> bool:
    from balancesheets.services import user_can_publish

    return user_can_publish(user)


def _lines_locked(sheet: BalanceSheet) -> str:
    message = f"This sheet is {sheet.get_status_display().lower()}, so its lines cannot be changed."
    return message + (" Restate it to correct it." if sheet.status == SheetStatus.PUBLISHED else "")


_EDITABLE = frozenset({SheetStatus.DRAFT, SheetStatus.RETURNED})

SHEET_WORKFLOW = Workflow(
    state_field="status",
    states=frozenset(SheetStatus.values),
    actions=(
        Action(
            name="create",
            label="Start a balance sheet",
            sources=frozenset({NEW}),
            target=SheetStatus.DRAFT,
            allowed=_may_edit,
            forbidden="You cannot start balance sheets.",
        ),
        Action(
            name="edit",
            label="Change the lines",
            sources=_EDITABLE,
            target=None,
            allowed=_may_edit,
            forbidden="You cannot change balance sheets.",
            refusal=_lines_locked,
        ),
        Action(
            name="submit",
            label="Submit for validation",
            sources=_EDITABLE,
            target=SheetStatus.SUBMITTED,
            allowed=_may_submit,
            forbidden="You cannot submit balance sheets.",
            refusal=_lines_locked,
        ),
        Action(
            name="validate",
            label="Validate",
            sources=frozenset({SheetStatus.SUBMITTED}),
            target=SheetStatus.VALIDATED,
            allowed=_may_validate,
            forbidden="Only members of the CWB Group validate balance sheets.",
            refusal="Only a sheet submitted for validation can be validated or returned.",
        ),
        Action(
            name="return",
            label="Return with comments",
            sources=frozenset({SheetStatus.SUBMITTED}),
            target=SheetStatus.RETURNED,
            allowed=_is_validator,
            needs_reason=True,
            forbidden="Only members of the CWB Group validate balance sheets.",
            refusal="Only a sheet submitted for validation can be validated or returned.",
            reason_field="comments",
            reason_missing="Enter what the officers need to change",
        ),
        Action(
            name="publish",
            label="Publish",
            sources=frozenset({SheetStatus.VALIDATED}),
            target=SheetStatus.PUBLISHED,
            allowed=_may_publish,
            forbidden="You cannot publish balance sheets.",
            refusal="Only a validated sheet can be published.",
        ),
        Action(
            name="restate",
            label="Restate this sheet",
            sources=frozenset({SheetStatus.PUBLISHED}),
            target=None,  # the sheet stays published; the correction is a new draft version
            allowed=_may_edit,
            needs_reason=True,
            forbidden="You cannot restate balance sheets.",
            refusal="Only a published sheet is restated; change this one instead.",
            reason_missing="Enter what is being corrected and why",
        ),
    ),
)

CREATE = SHEET_WORKFLOW["create"]
EDIT = SHEET_WORKFLOW["edit"]
SUBMIT = SHEET_WORKFLOW["submit"]
VALIDATE = SHEET_WORKFLOW["validate"]
RETURN = SHEET_WORKFLOW["return"]
PUBLISH = SHEET_WORKFLOW["publish"]
RESTATE = SHEET_WORKFLOW["restate"]

# Officers change lines only in these states; the database refuses line changes in the others.
EDITABLE_STATUSES = SHEET_WORKFLOW.states_from(EDIT)
