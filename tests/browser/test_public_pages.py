"""Every public page in a real browser: WCAG 2.2 AA by axe, JavaScript off, 320 px, keyboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import assert_no_axe_violations, horizontal_overflow

PUBLIC_PAGES = [
    ("/", "Stevenage Inclusive Economy Charter"),
    ("/charter/", "The Co-operative Inclusive Economy Charter"),
    ("/accessibility/", "Accessibility statement"),
    ("/privacy/", "Privacy"),
    ("/cookies/", "Cookies"),
    ("/neighbourhoods/", "Co-operative Neighbourhoods"),
    ("/neighbourhoods/chells-and-manor/", "Chells and Manor"),
    ("/no-such-page/", "Page not found"),
]
PATHS = [path for path, _ in PUBLIC_PAGES]


@pytest.mark.parametrize("path", PATHS)
def test_page_has_no_accessibility_violations(council, page, path):
    page.goto(path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_page_renders_fully_without_javascript(council, page_without_javascript, path, heading):
    page = page_without_javascript
    page.goto(path)
    assert heading in page.locator("h1").inner_text()
    expect(page.locator("footer").get_by_role("link", name="Accessibility")).to_be_visible()
    expect(
        page.locator("nav[aria-label=Menu]").get_by_role("link", name="The Charter")
    ).to_be_visible()
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")


@pytest.mark.parametrize("path", PATHS)
def test_page_does_not_scroll_sideways_at_320_pixels(council, narrow_page, path):
    narrow_page.goto(path)
    assert horizontal_overflow(narrow_page) == 0


def test_page_scripts_run_under_the_content_security_policy(council, page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    assert not [m for m in messages if "Content Security Policy" in m]


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main_content(council, page):
    page.goto("/charter/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_service_menu_collapses_behind_a_button_on_a_phone(council, narrow_page):
    narrow_page.goto("/")
    menu_button = narrow_page.get_by_role("button", name="Menu")
    charter_link = narrow_page.locator("#navigation").get_by_role("link", name="The Charter")
    assert not charter_link.is_visible()
    menu_button.click()
    expect(charter_link).to_be_visible()


@pytest.mark.parametrize("path", ["/impact/2024-25/"])
def test_the_impact_report_is_accessible_with_and_without_javascript(
    council, page, page_without_javascript, path
):
    page.goto(path)
    assert_no_axe_violations(page)
    page_without_javascript.goto(path)
    assert "Impact report 2024/25" in page_without_javascript.locator("h1").inner_text()
