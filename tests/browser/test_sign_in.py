"""Signing in for the first time in a real browser: password, set up an authenticator app from
the key the page shows, recovery codes; with and without JavaScript; accessible throughout."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import expect

from core.roles import OFFICERS
from tests.browser.fixtures import _new_page, assert_no_axe_violations
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"  # UserFactory's


@pytest.fixture
def new_officer(small_council, staff_roles):
    user = UserFactory(username="new-officer", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def _code_from_setup_key(page) -> str:
    """What an authenticator app shows after the person types in the key from the page."""
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


def _password(page, next_path="/admin/"):
    page.goto(next_path)
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Username").fill("new-officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _enrol(page) -> list[str]:
    _password(page)
    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    expect(page.locator("figure svg")).to_be_visible()
    # No code first: the GOV.UK error summary, and still not in.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(_code_from_setup_key(page))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your authenticator app is set up")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    return codes


def _continue_to_admin(page):
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#site-name")).to_be_visible()
    assert re.search(r"/admin/$", page.url)


def test_first_sign_in_enrols_and_every_step_is_accessible(new_officer, page):
    _password(page)
    assert_no_axe_violations(page)  # the set-up page, QR code and key
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)  # with its error
    page.get_by_label("Code from your authenticator app").fill(_code_from_setup_key(page))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page)  # the recovery codes
    _continue_to_admin(page)


@pytest.fixture
def another_browser(browser, live_server):
    """A second browser, so nothing of the first session (nor a late response to it) remains."""
    contexts = []

    def open_page(**options):
        context, page = _new_page(browser, live_server, **options)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_first_sign_in_works_without_javascript_then_a_recovery_code_signs_in(
    new_officer, page_without_javascript, another_browser
):
    page = page_without_javascript
    codes = _enrol(page)
    _continue_to_admin(page)
    page = another_browser(java_script_enabled=False)
    _password(page)
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#site-name")).to_be_visible()


def test_the_second_factor_step_and_its_errors_are_accessible(new_officer, page, another_browser):
    codes = _enrol(page)
    page = another_browser()
    _password(page)
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Code from your authenticator app").fill(codes[1])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#site-name")).to_be_visible()


def test_the_lockout_page_is_accessible(new_officer, page):
    page.goto("/sign-in/")
    for _ in range(10):
        page.get_by_label("Username").fill("new-officer")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
        if page.locator("h1").inner_text() != "Sign in":
            break
    expect(page.locator("h1")).to_have_text("Too many sign-in attempts")
    assert_no_axe_violations(page)
