"""The moderation buttons on a pledge's and a progress update's own admin page: exactly the steps
the workflow offers each role in each state, a confirmation page for each (a reason where the
table asks for one), the step taken through the service, and a stale page that changes nothing."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS
from outbox.models import OutboundEmail
from pledges.models import (
    Commitment,
    Pledge,
    PledgeStatus,
    PledgeUpdate,
    RejectionReason,
    UpdateStatus,
)
from pledges.services import pledge_publish, pledge_updates_moderate
from tests.factories import PledgeFactory, UserFactory
from tests.signin import sign_in_verified

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'id="workflow-action-([a-z_]+)"')


def _staff_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def _page(pledge) -> str:
    return f"/admin/pledges/pledge/{pledge.pk}/change/"


def _step(pledge, name) -> str:
    return f"/admin/pledges/pledge/{pledge.pk}/action/{name}/"


def _buttons(response) -> list[str]:
    assert response.status_code == 200
    return BUTTON.findall(response.content.decode())


def _pledge(council, status) -> Pledge:
    return PledgeFactory(
        status=status,
        published_at=timezone.now() if status == PledgeStatus.PUBLISHED else None,
        neighbourhood=council.neighbourhoods.first(),
        commitments=[Commitment.objects.first()],
    )


@pytest.fixture
def officer():
    return _staff_in(OFFICERS)


@pytest.fixture
def officer_client(client, officer):
    sign_in_verified(client, officer)
    return client


@pytest.fixture
def offensive():
    return RejectionReason.objects.get(code="offensive")


# Which buttons each role sees in each state (written out, not read from the table).

OFFICER_BUTTONS = {
    PledgeStatus.UNCONFIRMED: [],
    PledgeStatus.CONFIRMED: ["publish", "reject"],
    PledgeStatus.HELD: ["publish", "reject"],
    PledgeStatus.PUBLISHED: ["reject"],
    PledgeStatus.REJECTED: [],
    PledgeStatus.WITHDRAWN: [],
}


@pytest.mark.parametrize("status", list(OFFICER_BUTTONS))
def test_an_officer_sees_the_steps_the_pledge_allows(officer_client, council, status):
    pledge = _pledge(council, status)
    assert _buttons(officer_client.get(_page(pledge))) == OFFICER_BUTTONS[status]


@pytest.mark.parametrize("role", [CWB_GROUP, DATA_PROTECTION])
@pytest.mark.parametrize("status", [PledgeStatus.CONFIRMED, PledgeStatus.PUBLISHED])
def test_those_who_only_read_pledges_see_no_buttons(client, council, role, status):
    pledge = _pledge(council, status)
    sign_in_verified(client, _staff_in(role))
    response = client.get(_page(pledge))
    assert _buttons(response) == []
    assert "Nothing for you to do with it now" in response.content.decode()


@pytest.mark.parametrize("role", [CWB_GROUP, DATA_PROTECTION])
def test_those_who_only_read_pledges_cannot_take_a_step_by_its_address(client, council, role):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    sign_in_verified(client, _staff_in(role))
    assert client.get(_step(pledge, "publish")).status_code == 403
    assert client.post(_step(pledge, "publish")).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


def test_a_councillor_reaches_no_pledge_step(client, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    sign_in_verified(client, _staff_in(COUNCILLORS))
    response = client.post(_step(pledge, "publish"))
    assert response.status_code in (302, 403)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


def test_a_step_the_pledge_has_no_button_for_is_not_found(officer_client, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    assert officer_client.get(_step(pledge, "withdraw")).status_code == 404
    assert officer_client.get(_step(pledge, "hold")).status_code == 404


# Publishing.


def test_the_publish_page_says_what_will_happen_and_changes_nothing(officer_client, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    response = officer_client.get(_step(pledge, "publish"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The pledge appears on the pledge wall" in page
    assert 'value="Publish the pledge"' in page
    assert "csrfmiddlewaretoken" in page
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


def test_confirming_publishes_the_pledge_and_returns_to_it(officer_client, officer, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    response = officer_client.post(_step(pledge, "publish"), follow=True)
    assert response.redirect_chain[-1][0] == _page(pledge)
    assert "Published the pledge" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PUBLISHED
    assert pledge.published_at is not None
    assert OutboundEmail.objects.filter(to=pledge.email, kind="published").exists()


def test_publishing_a_pledge_someone_else_moderated_says_so_and_changes_nothing(
    officer_client, council
):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    assert officer_client.get(_step(pledge, "publish")).status_code == 200
    pledge_publish(pledges=[pledge], actor=_staff_in(OFFICERS))  # another officer, meanwhile
    emails = OutboundEmail.objects.count()
    response = officer_client.post(_step(pledge, "publish"), follow=True)
    assert response.redirect_chain[-1][0] == _page(pledge)
    page = response.content.decode()
    assert "Nothing was changed" in page
    assert "this one is published" in page
    assert OutboundEmail.objects.count() == emails


# Rejecting, with a reason.


def test_the_reject_page_asks_for_a_reason(officer_client, council, offensive):
    pledge = _pledge(council, PledgeStatus.HELD)
    page = officer_client.get(_step(pledge, "reject")).content.decode()
    assert 'name="reason"' in page
    assert offensive.title in page


def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(officer_client, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    response = officer_client.post(_step(pledge, "reject"), {"note": "Spam"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_reason">Choose a reason for rejecting</a>' in page
    assert "<title>Error: " in page
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED
    assert not OutboundEmail.objects.filter(kind="rejected").exists()


def test_confirming_with_a_reason_rejects_the_pledge(officer_client, council, offensive):
    pledge = _pledge(council, PledgeStatus.PUBLISHED)
    response = officer_client.post(
        _step(pledge, "reject"), {"reason": offensive.pk, "note": "Reported"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _page(pledge)
    assert "Rejected the pledge." in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.REJECTED
    assert pledge.rejection_reason == offensive


def test_a_step_is_not_taken_by_a_get(officer_client, council):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    officer_client.get(_step(pledge, "publish"), {"apply": "1"})
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


def test_a_step_needs_the_csrf_token(client, officer, council):
    from django.test import Client

    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    strict = Client(enforce_csrf_checks=True)
    sign_in_verified(strict, officer)
    assert strict.post(_step(pledge, "publish")).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED


# Bounded queries.


def test_the_pledge_page_and_its_step_pages_run_a_bounded_number_of_queries(
    officer_client, council, django_assert_max_num_queries
):
    pledge = _pledge(council, PledgeStatus.CONFIRMED)
    with django_assert_max_num_queries(24):
        assert officer_client.get(_page(pledge)).status_code == 200
    with django_assert_max_num_queries(14):
        assert officer_client.get(_step(pledge, "reject")).status_code == 200


# Progress updates.


def _update_page(update) -> str:
    return f"/admin/pledges/pledgeupdate/{update.pk}/change/"


def _update_step(update, name) -> str:
    return f"/admin/pledges/pledgeupdate/{update.pk}/action/{name}/"


def _update(council, status=UpdateStatus.PENDING) -> PledgeUpdate:
    pledge = _pledge(council, PledgeStatus.PUBLISHED)
    return PledgeUpdate.objects.create(pledge=pledge, text="Two apprentices started", status=status)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (UpdateStatus.PENDING, ["publish", "reject"]),
        (UpdateStatus.PUBLISHED, []),
        (UpdateStatus.REJECTED, []),
    ],
)
def test_an_officer_sees_the_steps_an_update_allows(officer_client, council, status, expected):
    update = _update(council, status)
    assert _buttons(officer_client.get(_update_page(update))) == expected


def test_the_cwb_group_sees_no_buttons_on_an_update(client, council):
    update = _update(council)
    sign_in_verified(client, _staff_in(CWB_GROUP))
    assert _buttons(client.get(_update_page(update))) == []


def test_confirming_publishes_the_update(officer_client, officer, council):
    update = _update(council)
    response = officer_client.post(_update_step(update, "publish"), follow=True)
    assert response.redirect_chain[-1][0] == _update_page(update)
    update.refresh_from_db()
    assert update.status == UpdateStatus.PUBLISHED
    assert update.moderated_by == officer


def test_rejecting_an_update_without_a_reason_changes_nothing(officer_client, council):
    update = _update(council)
    response = officer_client.post(_update_step(update, "reject"), {})
    assert "There is a problem" in response.content.decode()
    update.refresh_from_db()
    assert update.status == UpdateStatus.PENDING


def test_rejecting_an_update_with_a_reason(officer_client, council, offensive):
    update = _update(council)
    officer_client.post(_update_step(update, "reject"), {"reason": offensive.pk})
    update.refresh_from_db()
    assert (update.status, update.rejection_reason) == (UpdateStatus.REJECTED, offensive)


def test_an_update_moderated_meanwhile_is_left_alone(officer_client, council, offensive):
    update = _update(council)
    pledge_updates_moderate(updates=[update], actor=_staff_in(OFFICERS), publish=True)
    response = officer_client.post(
        _update_step(update, "reject"), {"reason": offensive.pk}, follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    update.refresh_from_db()
    assert update.status == UpdateStatus.PUBLISHED


def test_the_update_page_runs_a_bounded_number_of_queries(
    officer_client, council, django_assert_max_num_queries
):
    update = _update(council)
    with django_assert_max_num_queries(15):
        assert officer_client.get(_update_page(update)).status_code == 200
