"""The workflow steps offered on a metric value's own admin page (the buttons of
core.admin.WorkflowActionsMixin): what each confirmation page says and which service takes the
step. The list of values keeps its bulk actions (metrics.admin)."""

from django import forms

from core.admin import DetailAction
from core.forms import GovukErrorsMixin
from metrics.services import (
    metric_value_reopen,
    metric_value_return,
    metric_value_submit,
    metric_value_validate,
)


class _CommentFields(forms.Form):
    """The intermediate page of an action that needs a comment (returning, reopening)."""

    comment = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), strip=True
    )

    def __init__(self, *args, label: str, help_text: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["comment"]
        field.label = label
        field.help_text = help_text
        field.error_messages["required"] = required_message


class CommentForm(GovukErrorsMixin, _CommentFields):
    """The comment form, its other messages in the GOV.UK voice (written from its label, which
    `_CommentFields` sets before the mixin reads it)."""


def return_form(data) -> CommentForm:
    return CommentForm(
        data,
        label="What needs to change",
        help_text="The officers see this comment on the value, and it is kept in its history.",
        required_message="Enter a comment saying what needs to change",
    )


def reopen_form(data) -> CommentForm:
    return CommentForm(
        data,
        label="Why the value needs correcting",
        help_text="Kept in the value's history. The value leaves the public pages until it "
        "is validated again.",
        required_message="Enter the reason the value needs correcting",
    )


def _submit(request, value, data) -> int:
    metric_value_submit(metric_value=value, actor=request.user)
    return 1


def _validate(request, value, data) -> int:
    metric_value_validate(metric_value=value, actor=request.user)
    return 1


def _return(request, value, data) -> int:
    metric_value_return(metric_value=value, actor=request.user, comment=data["comment"])
    return 1


def _reopen(request, value, data) -> int:
    metric_value_reopen(metric_value=value, actor=request.user, reason=data["comment"])
    return 1


VALUE_DETAIL_ACTIONS = (
    DetailAction(
        name="submit",
        title="Submit this value for validation",
        intro="A member of the CWB Group checks the value and validates it or returns it with "
        "comments. It cannot be changed while it is with them.",
        submit="Submit for validation",
        done="Submitted the value for validation.",
        run=_submit,
    ),
    DetailAction(
        name="validate",
        title="Validate this value",
        intro="Check the value and its evidence first. Once validated it is public: it appears "
        "on the metrics pages, the neighbourhood pages and the impact report.",
        submit="Validate the value",
        done="Validated the value: it is public now.",
        run=_validate,
        permission="validate",
    ),
    DetailAction(
        name="return",
        title="Return this value with comments",
        intro="The value goes back to the officers with your comment, for them to correct and "
        "submit again.",
        submit="Return the value",
        done="Returned the value to the officers with your comment.",
        run=_return,
        form=return_form,
        permission="validate",
    ),
    DetailAction(
        name="reopen",
        title="Reopen this value for correction",
        intro="The validated value becomes a draft again: it leaves the public pages until it is "
        "corrected, submitted and validated again.",
        submit="Reopen the value",
        done="Reopened the value as a draft.",
        run=_reopen,
        form=reopen_form,
    ),
)
