"""The moderation steps offered on a pledge's and a progress update's own admin page (the
buttons of core.admin.WorkflowActionsMixin): what each confirmation page says and which service
takes the step. The list pages keep their bulk actions (pledges.admin)."""

from core.admin import DetailAction
from pledges.forms_admin import ActionConfirmationForm
from pledges.services import pledge_publish, pledge_reject, pledge_updates_moderate


def _pledge_publish(request, pledge, data) -> int:
    return pledge_publish(pledges=[pledge], actor=request.user)


def _pledge_reject(request, pledge, data) -> int:
    return pledge_reject(
        pledges=[pledge], actor=request.user, reason=data["reason"], note=data["note"]
    )


def _update_publish(request, update, data) -> int:
    return pledge_updates_moderate(updates=[update], actor=request.user, publish=True)


def _update_reject(request, update, data) -> int:
    return pledge_updates_moderate(
        updates=[update], actor=request.user, publish=False, reason=data["reason"]
    )


def _update_reject_form(data) -> ActionConfirmationForm:
    form = ActionConfirmationForm(data, with_note=False)
    form.fields["reason"].help_text = "Recorded in the pledge's history."
    return form


PLEDGE_DETAIL_ACTIONS = (
    DetailAction(
        name="publish",
        title="Publish this pledge",
        intro="The pledge appears on the pledge wall, and the pledger is emailed a link to it.",
        submit="Publish the pledge",
        done="Published the pledge: it is on the pledge wall now.",
        run=_pledge_publish,
    ),
    DetailAction(
        name="reject",
        title="Reject this pledge",
        intro="The pledge will not be shown (a published pledge leaves the pledge wall). The "
        "pledger is emailed the explanation of the reason you choose.",
        submit="Reject the pledge",
        done="Rejected the pledge.",
        run=_pledge_reject,
        form=ActionConfirmationForm,
    ),
)

UPDATE_DETAIL_ACTIONS = (
    DetailAction(
        name="publish",
        title="Publish this progress update",
        intro="The update appears with the pledge on the pledge wall.",
        submit="Publish the update",
        done="Published the progress update.",
        run=_update_publish,
    ),
    DetailAction(
        name="reject",
        title="Reject this progress update",
        intro="The update will not be published.",
        submit="Reject the update",
        done="Rejected the progress update.",
        run=_update_reject,
        form=_update_reject_form,
    ),
)
