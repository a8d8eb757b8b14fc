"""Dashboards in a real browser: sign in as a councillor, accessible, without JavaScript."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.roles import COUNCILLORS
from neighbourhoods.models import Membership
from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow
from tests.factories import MembershipFactory, PledgeFactory, UserFactory
from tests.signin import browser_second_factor, second_factor_device

User = get_user_model()

AREA = "bedwell-and-pin-green"


@pytest.fixture
def councillor(council, staff_roles):
    neighbourhood = council.neighbourhoods.get(slug=AREA)
    PledgeFactory.create_batch(3, neighbourhood=neighbourhood, contact_consent=True)
    user = UserFactory(username="cllr")
    user.groups.add(Group.objects.get(name=COUNCILLORS))
    MembershipFactory(user=user, neighbourhood=neighbourhood, role=Membership.Role.COUNCILLOR)
    return user


def _sign_in(page):
    second_factor_device(User.objects.get(username="cllr"))
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text() == "Sign in"
    page.get_by_label("Username").fill("cllr")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    browser_second_factor(page, User.objects.get(username="cllr"))
    assert page.locator("h1").inner_text() == "Neighbourhood dashboards"


def test_a_councillor_signs_in_and_the_dashboards_are_accessible(councillor, page):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    _sign_in(page)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Bedwell and Pin Green").click()
    assert "Pledgers who agreed to be contacted" in page.content()
    assert_no_axe_violations(page)


def test_the_dashboard_works_without_javascript(councillor, page_without_javascript):
    page = page_without_javascript
    _sign_in(page)
    page.goto(f"/dashboard/{AREA}/")
    expect(page.get_by_role("table").first).to_be_visible()


def test_the_dashboard_fits_a_phone_screen(councillor, narrow_page):
    _sign_in(narrow_page)
    narrow_page.goto(f"/dashboard/{AREA}/")
    assert horizontal_overflow(narrow_page) == 0
