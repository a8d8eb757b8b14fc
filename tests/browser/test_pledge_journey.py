"""The pledge journey in a real browser: JavaScript on and off, keyboard only, axe on every
page and error state, then the email link, an officer publishing, and the pledge wall."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.roles import OFFICERS
from pledges.models import Pledge, PledgeStatus
from tests.browser.fixtures import assert_no_axe_violations
from tests.factories import UserFactory
from tests.signin import browser_sign_in

PLEDGE_TEXT = "We will offer four work placements a year to young people leaving care."


def _continue(page):
    page.get_by_role("button", name=re.compile("Continue|Send pledge")).click()


def _fill_journey(page, *, check_accessibility=False):
    """Answer every question; with check_accessibility, run axe on each page and its errors."""

    def audit():
        if check_accessibility:
            assert_no_axe_violations(page)

    page.goto("/pledge/")
    for heading in (
        "Who are you pledging as?",
        "Name of your organisation",
        "Where will your pledge make a difference?",
        "What will you commit to?",
        "Your pledge in your own words",
        "How can we confirm your pledge?",
    ):
        audit()
        if check_accessibility:
            _continue(page)  # with nothing answered: the error state
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            assert page.title().startswith("Error: ")
            audit()
        if heading == "Who are you pledging as?":
            page.get_by_label("A business").check()
            _continue(page)
            audit()
            page.get_by_label("Small (10 to 49 people)").check()
        elif heading == "Name of your organisation":
            page.get_by_label("Name of your organisation").fill("Fairlands Print Co-op")
            page.get_by_label("Your name").fill("Private Contact Person")
            page.get_by_label("Yes").check()
        elif heading == "Where will your pledge make a difference?":
            page.get_by_label("Chells and Manor").check()
        elif heading == "What will you commit to?":
            page.get_by_label("Offering work placements for people who need extra support").check()
        elif heading == "Your pledge in your own words":
            page.get_by_label("Your pledge in your own words").fill(PLEDGE_TEXT)
            page.get_by_label("A measurable target (optional)").fill("4 placements a year")
        elif heading == "How can we confirm your pledge?":
            page.get_by_label("Email address").fill("contact@private.example.org")
        _continue(page)
    assert page.locator("h1").inner_text() == "Check your answers before sending your pledge"
    audit()
    _continue(page)
    assert page.locator("h1").inner_text() == "Check your email"
    audit()


def _confirm_by_email(page, deliver_emails):
    (message,) = deliver_emails()
    confirm_path = re.search(r"http://[^/]+(/pledge/confirm/[^/\s]+/)", message.body).group(1)
    page.goto(confirm_path)
    page.get_by_role("button", name="Confirm my pledge").click()
    assert "Pledge confirmed" in page.locator("h1").inner_text()


def _officer_publishes(page, live_server):
    officer = UserFactory(username="officer-browser", is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    browser_sign_in(page, officer, next_path="/admin/pledges/pledge/")
    pledge = Pledge.objects.get()
    page.locator(f"input[name=_selected_action][value='{pledge.pk}']").check()
    page.locator("select[name=action]").select_option(label="Publish selected pledges")
    page.get_by_role("button", name="Go").click()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PUBLISHED
    return pledge


def test_the_whole_journey_with_javascript_reaches_the_wall(
    council, staff_roles, page, live_server, deliver_emails
):
    _fill_journey(page, check_accessibility=True)
    _confirm_by_email(page, deliver_emails)
    assert_no_axe_violations(page)
    pledge = _officer_publishes(page, live_server)
    page.goto("/pledges/")
    expect(page.get_by_text("Fairlands Print Co-op").first).to_be_visible()
    listed = page.request.get(f"{live_server.url}/pledges.json").json()
    assert pledge.reference in [item["reference"] for item in listed["results"]]


def test_the_whole_journey_works_without_javascript(
    council, staff_roles, page_without_javascript, live_server, deliver_emails
):
    page = page_without_javascript
    _fill_journey(page)
    _confirm_by_email(page, deliver_emails)
    _officer_publishes(page, live_server)
    page.goto("/pledges/")
    expect(page.get_by_text("Fairlands Print Co-op").first).to_be_visible()


def _tab_to(page, locator, limit=80):
    """Press Tab until `locator` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Could not reach {locator} with the Tab key")


def test_the_journey_can_be_completed_by_keyboard_alone(council, page):
    page.goto("/pledge/")
    _tab_to(page, page.get_by_label("A resident"))
    page.keyboard.press("Space")
    _tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/name/")
    _tab_to(page, page.get_by_label("Your full name"))
    page.keyboard.type("Kim Keyboard")
    _tab_to(page, page.get_by_label("Yes"))  # a radio group is one Tab stop; arrows choose
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("No").is_checked()
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/area/")
    _tab_to(page, page.get_by_label("Bedwell and Pin Green"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Chells and Manor").is_checked()
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/commitments/")
    _tab_to(page, page.get_by_label("Offering careers advice in schools"))
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/your-pledge/")
    _tab_to(page, page.get_by_label("Your pledge in your own words"))
    page.keyboard.type("I will give a careers talk at my old school.")
    _tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/email/")
    _tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type("kim@private.example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/check-answers/")
    _tab_to(page, page.get_by_role("button", name="Send pledge"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledge/check-your-email/")
    assert Pledge.objects.get().display_name == "Kim Keyboard"
