"""Every pledge and progress-update action from every state: the services refuse exactly what
the workflow table forbids. The expected matrices are written out here, not read from the table."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.workflow import TransitionNotAllowed
from pledges.models import Pledge, PledgeStatus, PledgeUpdate, RejectionReason, UpdateStatus
from pledges.services import (
    ConfirmResult,
    UpdateAnswers,
    pledge_confirm,
    pledge_publish,
    pledge_reject,
    pledge_update_submit,
    pledge_updates_moderate,
    pledge_withdraw,
)
from pledges.tokens import confirmation_token_make, new_secret, secret_hash
from pledges.workflows import PLEDGE_WORKFLOW, UPDATE_WORKFLOW
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

PLEDGE_STATES = ["unconfirmed", "confirmed", "held", "published", "rejected", "withdrawn"]

# action: the states it may be taken from ("new": not made yet) and the state it leads to.
PLEDGE_MATRIX = {
    "submit": ({"new"}, "unconfirmed"),
    "confirm": ({"unconfirmed"}, "confirmed"),
    "hold": ({"confirmed"}, "held"),
    "publish": ({"confirmed", "held"}, "published"),
    "reject": ({"confirmed", "held", "published"}, "rejected"),
    "withdraw": ({"unconfirmed", "confirmed", "held", "published"}, "withdrawn"),
    "report_progress": ({"confirmed", "held", "published"}, None),
}

UPDATE_STATES = ["pending", "published", "rejected"]
UPDATE_MATRIX = {
    "submit": ({"new"}, "pending"),
    "publish": ({"pending"}, "published"),
    "reject": ({"pending"}, "rejected"),
}


def _table(workflow):
    return {
        action.name: ({state or "new" for state in action.sources}, action.target)
        for action in workflow.actions
    }


def test_the_pledge_table_is_the_agreed_one():
    assert _table(PLEDGE_WORKFLOW) == PLEDGE_MATRIX


def test_the_update_table_is_the_agreed_one():
    assert _table(UPDATE_WORKFLOW) == UPDATE_MATRIX


def _pledge(status: str) -> Pledge:
    published = status == PledgeStatus.PUBLISHED
    return PledgeFactory(
        status=status,
        published_at=timezone.now() if published else None,
        confirmed_at=None if status == PledgeStatus.UNCONFIRMED else timezone.now(),
        confirmation_nonce="a-nonce-still-unused",
    )


def _reason() -> RejectionReason:
    return RejectionReason.objects.get_or_create(
        code="test", defaults={"title": "Test", "explanation": "Because."}
    )[0]


def _confirm(pledge: Pledge) -> bool:
    token = confirmation_token_make(reference=pledge.reference, nonce=pledge.confirmation_nonce)
    return pledge_confirm(token=token)[0] == ConfirmResult.CONFIRMED


def _withdraw(pledge: Pledge) -> bool:
    pledge_withdraw(pledge=pledge)
    return True


def _report_progress(pledge: Pledge) -> bool:
    pledge_update_submit(pledge=pledge, answers=UpdateAnswers(text="We bought local."))
    return True


# Each service, run on one pledge: True when it acted, False when it left the pledge alone.
PLEDGE_SERVICES = {
    "confirm": _confirm,
    "publish": lambda pledge: pledge_publish(pledges=[pledge], actor=UserFactory()) == 1,
    "reject": lambda pledge: (
        pledge_reject(pledges=[pledge], actor=UserFactory(), reason=_reason()) == 1
    ),
    "withdraw": _withdraw,
    "report_progress": _report_progress,
}


@pytest.mark.parametrize("action", sorted(PLEDGE_SERVICES))
@pytest.mark.parametrize("state", PLEDGE_STATES)
def test_a_pledge_service_acts_exactly_from_the_states_the_matrix_allows(action, state):
    pledge = _pledge(state)
    sources, target = PLEDGE_MATRIX[action]
    try:
        acted = PLEDGE_SERVICES[action](pledge)
    except TransitionNotAllowed:
        acted = False
    pledge.refresh_from_db()
    assert acted == (state in sources)
    if acted:
        assert pledge.status == (target or state)
    else:
        assert pledge.status == state
        assert not pledge.updates.exists()


def test_confirming_a_pledge_a_rate_rule_tripped_holds_it():
    pledge = _pledge(PledgeStatus.UNCONFIRMED)
    Pledge.objects.filter(pk=pledge.pk).update(hold_reason="Too many from one connection")
    pledge.refresh_from_db()
    assert _confirm(pledge)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.HELD


def test_withdrawing_a_rejected_pledge_is_refused():
    """The bug of issue 9: the service withdrew a rejected pledge when asked."""
    pledge = _pledge(PledgeStatus.REJECTED)
    with pytest.raises(TransitionNotAllowed, match="rejected, so it cannot be withdrawn"):
        pledge_withdraw(pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REJECTED
    assert pledge.withdrawn_at is None


def _update(status: str) -> PledgeUpdate:
    return PledgeUpdate.objects.create(
        pledge=_pledge(PledgeStatus.PUBLISHED), text="Progress", status=status
    )


UPDATE_SERVICES = {
    "publish": lambda update: (
        pledge_updates_moderate(updates=[update], actor=UserFactory(), publish=True) == 1
    ),
    "reject": lambda update: (
        pledge_updates_moderate(
            updates=[update], actor=UserFactory(), publish=False, reason=_reason()
        )
        == 1
    ),
}


@pytest.mark.parametrize("action", sorted(UPDATE_SERVICES))
@pytest.mark.parametrize("state", UPDATE_STATES)
def test_an_update_service_acts_exactly_from_the_states_the_matrix_allows(action, state):
    update = _update(state)
    sources, target = UPDATE_MATRIX[action]
    acted = UPDATE_SERVICES[action](update)
    update.refresh_from_db()
    assert acted == (state in sources)
    assert update.status == (target if acted else state)


def test_rejecting_an_update_needs_a_reason():
    update = _update(UpdateStatus.PENDING)
    with pytest.raises(ValidationError, match="reason"):
        pledge_updates_moderate(updates=[update], actor=UserFactory(), publish=False)
    update.refresh_from_db()
    assert update.status == UpdateStatus.PENDING


@pytest.mark.parametrize("state", PLEDGE_STATES)
def test_the_manage_page_offers_exactly_what_the_matrix_allows(state, client):
    token = new_secret()
    pledge = _pledge(state)
    Pledge.objects.filter(pk=pledge.pk).update(manage_token_hash=secret_hash(token))
    page = client.get(f"/pledge/manage/{token}/").content.decode()
    assert ("Withdraw your pledge" in page) == (state in PLEDGE_MATRIX["withdraw"][0])
    assert ("Report progress" in page) == (state in PLEDGE_MATRIX["report_progress"][0])


def test_posting_withdraw_for_a_rejected_pledge_leaves_it_rejected(client):
    token = new_secret()
    pledge = _pledge(PledgeStatus.REJECTED)
    Pledge.objects.filter(pk=pledge.pk).update(manage_token_hash=secret_hash(token))
    response = client.post(f"/pledge/manage/{token}/withdraw/")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REJECTED
