"""An officer types in a pledge received by phone, in a real browser without JavaScript (the
missing answers shown as errors first); the form, its error state and the paper import's page
with its template pass axe (WCAG 2.2 AA, target size included) at 1280 and 320 px."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.roles import OFFICERS
from pledges.models import Pledge, PledgeSource, PledgeStatus
from tests.browser.fixtures import NARROWEST_VIEWPORT, assert_no_axe_violations
from tests.factories import UserFactory
from tests.signin import browser_sign_in

PASSWORD = "a-long-test-password"  # UserFactory's
ADD = "/admin/pledges/pledge/add/"


@pytest.fixture
def officer(staff_roles, council):
    user = UserFactory(username="paper-officer", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def test_an_officer_enters_a_phoned_pledge_without_javascript(officer, page_without_javascript):
    page = page_without_javascript
    browser_sign_in(page, officer, PASSWORD, next_path=ADD)
    page.wait_for_url(f"**{ADD}")
    page.get_by_role("button", name="Enter the pledge").click()
    expect(page.get_by_role("link", name="Select who is pledging")).to_be_visible()
    page.get_by_label("Phone call, entered by an officer").check()
    page.get_by_label("A resident").check()
    page.get_by_label("Name of the person or organisation").fill("Priya Patel")
    page.locator("#id_show_name_1").check()  # no: not shown
    page.locator("#id_contact_consent_0").check()  # yes: may be contacted
    page.get_by_label("Chells and Manor").check()
    page.locator("input[name=commitments]").first.check()
    page.get_by_label("The pledge in their words").fill("I will volunteer at the food bank.")
    page.get_by_role("button", name="Enter the pledge").click()
    expect(page.get_by_text("entered: it is waiting for moderation")).to_be_visible()
    pledge = Pledge.objects.get()
    assert (pledge.source, pledge.status) == (PledgeSource.PHONE, PledgeStatus.CONFIRMED)
    assert (pledge.show_name, pledge.contact_consent) == (False, True)
    assert pledge.neighbourhood.slug == "chells-and-manor"


@pytest.mark.parametrize("width", [1280, NARROWEST_VIEWPORT["width"]])
def test_the_form_and_the_import_page_pass_axe(officer, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    browser_sign_in(page, officer, PASSWORD, next_path=ADD)
    page.wait_for_url(f"**{ADD}")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enter the pledge").click()  # the error state
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto("/admin/pledges/pledge/import/")
    expect(page.get_by_role("link", name="Download the template (CSV)")).to_be_visible()
    assert_no_axe_violations(page)
