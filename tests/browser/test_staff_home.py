"""Each demo role signs in from the footer and reaches every task waiting for it in at most two
clicks from where signing in lands; the staff home is accessible at 1280 and 320 px."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from charter_portal.demo import demo_users_ensure
from tests.browser.fixtures import (
    DESKTOP_VIEWPORT,
    NARROWEST_VIEWPORT,
    assert_no_axe_violations,
    horizontal_overflow,
)
from tests.charter_portal.test_staff_home import TASK_ITEMS, waiting_items
from tests.signin import browser_second_factor, second_factor_device

User = get_user_model()
STAFF_ROLES = ("officer", "validator", "dataprotection", "admin")


@pytest.fixture
def demo(council):
    passwords = {login.username: login.password for login in demo_users_ensure(council=council)}
    return passwords, waiting_items(council)


def _sign_in_from_the_footer(page, username, password):
    second_factor_device(User.objects.get(username=username))  # enrolled: the code step next
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Sign in for councillors and staff"
    ).click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    browser_second_factor(page, User.objects.get(username=username))


def _waiting_tasks(page) -> list[str]:
    """The labels of the tasks whose status says something is waiting."""
    items = page.locator(".govuk-task-list__item").filter(has=page.locator(".govuk-tag"))
    return [label.strip() for label in items.locator(".govuk-task-list__link").all_inner_texts()]


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_each_waiting_task_is_two_clicks_from_signing_in(demo, page, username):
    passwords, waiting = demo
    _sign_in_from_the_footer(page, username, passwords[username])
    expect(page.locator("h1")).to_have_text("Your work")
    home = page.url
    tasks = _waiting_tasks(page)
    assert tasks, f"nothing waits for {username}"
    for label in tasks:
        item = waiting[TASK_ITEMS[label]]
        page.get_by_role("link", name=label, exact=True).click()  # one: the list
        # Two: the item (admin keeps the list's filters in the link's query).
        page.locator(f'#result_list a[href*="/{item.pk}/change/"]').first.click()
        assert re.search(rf"/{item.pk}/change/(\?|$)", page.url), (label, page.url)
        expect(page.locator("#content h1, main h1").first).to_be_visible()
        page.goto(home)


def test_the_officer_reaches_a_held_pledge_and_a_sheet_in_one_click(demo, page):
    passwords, waiting = demo
    _sign_in_from_the_footer(page, "officer", passwords["officer"])
    held = waiting["held"]
    page.get_by_role("link", name=held.reference, exact=True).click()
    assert page.url.endswith(f"/admin/pledges/pledge/{held.pk}/change/")
    page.go_back()
    sheet = waiting["sheet_returned"]
    page.get_by_role("link", name=str(sheet), exact=True).click()
    assert page.url.endswith(f"/balance-sheets/manage/{sheet.pk}/")


def test_the_councillor_lands_on_their_neighbourhood_dashboard(demo, page, council):
    passwords, _ = demo
    _sign_in_from_the_footer(page, "councillor", passwords["councillor"])
    area = council.neighbourhoods.order_by("order", "name").first()
    assert page.url.endswith(f"/dashboard/{area.slug}/")
    expect(page.locator("h1")).to_contain_text(area.name)


@pytest.mark.parametrize("username", STAFF_ROLES)
def test_the_staff_home_is_accessible_at_1280_and_320_px(demo, page, username):
    passwords, _ = demo
    _sign_in_from_the_footer(page, username, passwords[username])
    expect(page.locator("h1")).to_have_text("Your work")
    page.set_viewport_size(DESKTOP_VIEWPORT)
    assert_no_axe_violations(page)
    page.set_viewport_size(NARROWEST_VIEWPORT)
    assert_no_axe_violations(page)
    assert horizontal_overflow(page) == 0
