"""A workflow step from the item's own admin page, in a real browser: an officer rejects a pledge
from its page without JavaScript (the missing reason shown as an error first), and the step's
page and its confirmation page pass axe (WCAG 2.2 AA, target size included) at 1280 and 320 px."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import OFFICERS
from pledges.models import Commitment, PledgeStatus, RejectionReason
from tests.browser.fixtures import (
    NARROWEST_VIEWPORT,
    assert_no_axe_violations,
)
from tests.factories import PledgeFactory, UserFactory
from tests.signin import browser_sign_in

PASSWORD = "a-long-test-password"  # UserFactory's


@pytest.fixture
def officer(staff_roles):
    user = UserFactory(username="moderating-officer", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


@pytest.fixture
def waiting(council):
    return PledgeFactory(
        status=PledgeStatus.CONFIRMED,
        published_at=None,
        confirmed_at=timezone.now(),
        neighbourhood=council.neighbourhoods.first(),
        commitments=[Commitment.objects.first()],
    )


def _open_the_pledge(page, officer, pledge):
    path = f"/admin/pledges/pledge/{pledge.pk}/change/"
    browser_sign_in(page, officer, PASSWORD, next_path=path)
    page.wait_for_url(f"**{path}")


def test_an_officer_rejects_a_pledge_from_its_page_without_javascript(
    officer, waiting, page_without_javascript
):
    page = page_without_javascript
    _open_the_pledge(page, officer, waiting)
    page.get_by_role("link", name="Reject", exact=True).click()
    expect(page.get_by_role("heading", name="Reject this pledge")).to_be_visible()
    page.get_by_role("button", name="Reject the pledge").click()
    expect(page.get_by_role("link", name="Choose a reason for rejecting")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == PledgeStatus.CONFIRMED
    reason = RejectionReason.objects.filter(is_active=True).first()
    page.get_by_label("Reason").select_option(str(reason.pk))
    page.get_by_role("button", name="Reject the pledge").click()
    page.wait_for_url(f"**/admin/pledges/pledge/{waiting.pk}/change/")
    expect(page.get_by_text("Rejected the pledge.")).to_be_visible()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.rejection_reason) == (PledgeStatus.REJECTED, reason)


@pytest.mark.parametrize("width", [1280, NARROWEST_VIEWPORT["width"]])
def test_the_pledge_pages_steps_and_its_reject_page_pass_axe(officer, waiting, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    _open_the_pledge(page, officer, waiting)
    expect(page.locator(".workflow-actions")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"/admin/pledges/pledge/{waiting.pk}/action/reject/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Reject the pledge").click()  # no reason: the error state
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
