"""The pledger's private pages in a real browser: accessible, error states included."""

import pytest
from playwright.sync_api import expect

from pledges.tokens import new_secret, secret_hash
from tests.browser.fixtures import assert_no_axe_violations
from tests.factories import PledgeFactory


@pytest.fixture
def manage_url(small_council):
    token = new_secret()
    PledgeFactory(manage_token_hash=secret_hash(token))
    return f"/pledge/manage/{token}/"


@pytest.mark.parametrize("suffix", ["", "progress/", "withdraw/", "erase/"])
def test_manage_pages_have_no_accessibility_violations(manage_url, page, suffix):
    page.goto(manage_url + suffix)
    assert_no_axe_violations(page)


def test_the_progress_error_state_has_no_accessibility_violations(manage_url, page):
    page.goto(manage_url + "progress/")
    page.get_by_label("Hours volunteered").fill("lots")
    page.get_by_role("button", name="Send update").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_reporting_progress_works_without_javascript(manage_url, page_without_javascript):
    page = page_without_javascript
    page.goto(manage_url + "progress/")
    page.get_by_label("Tell us about the great things you are doing").fill("Two placements.")
    page.get_by_role("button", name="Send update").click()
    assert "We will check your update" in page.locator(".govuk-notification-banner").inner_text()


@pytest.mark.parametrize("path", ["/pledge/confirm/not-a-token/", "/pledge/check-your-email/"])
def test_confirmation_pages_have_no_accessibility_violations(small_council, page, path):
    page.goto(path)
    assert_no_axe_violations(page)
