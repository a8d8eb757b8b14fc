"""'Check your email' in a real browser: the address shown, sending the email again without
JavaScript, and the cap's message; axe on each state at 1280 px and 320 px."""

import pytest

from outbox.models import OutboundEmail
from tests.browser.fixtures import assert_no_axe_violations
from tests.browser.test_pledge_journey import _fill_journey

ADDRESS = "contact@private.example.org"


def _send_again(page):
    page.get_by_role("button", name="Send the email again").click()


def test_sending_again_works_without_javascript(council, page_without_javascript, settings):
    page = page_without_javascript
    settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR = 2
    _fill_journey(page)
    assert ADDRESS in page.locator("main").inner_text()
    _send_again(page)
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "We have sent the email again." in banner
    _send_again(page)
    assert "in the last hour" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert OutboundEmail.objects.exclude(status=OutboundEmail.Status.CAPPED).count() == 2


@pytest.mark.parametrize("width", [1280, 320])
def test_each_state_has_no_accessibility_violations(council, page, settings, width):
    settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR = 2
    page.set_viewport_size({"width": width, "height": 900})
    _fill_journey(page)
    assert_no_axe_violations(page)
    _send_again(page)
    assert_no_axe_violations(page)
    _send_again(page)
    assert_no_axe_violations(page)
