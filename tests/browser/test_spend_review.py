"""A spend import batch reviewed in a real browser: an officer publishes it from its page, then
withdraws it (the missing reason shown as an error first), without JavaScript; the batch page's
preview and steps and the confirmation pages pass axe (WCAG 2.2 AA) at 1280 and 320 px."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.roles import OFFICERS
from metrics.spend.models import Locality
from metrics.spend.services import spend_import
from tests.browser.fixtures import NARROWEST_VIEWPORT, assert_no_axe_violations
from tests.factories import UserFactory
from tests.metrics.factories_spend import SpendTransactionFactory, SupplierFactory
from tests.signin import browser_sign_in

PASSWORD = "a-long-test-password"  # UserFactory's
FILE = (
    "Date,Supplier Name,Amount,Expense Area\n"
    '01/05/2024,Local Builders Ltd,"£1,000.00",Housing\n'
    '02/05/2024,Faraway Holdings plc,"£5,000.00",Leisure\n'
)


@pytest.fixture
def officer(staff_roles):
    user = UserFactory(username="spend-officer", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


@pytest.fixture
def batch(council, tmp_path):
    local = SupplierFactory(name="Local Builders Ltd", locality=Locality.BOROUGH)
    SpendTransactionFactory.create_batch(3, supplier=local)
    path = tmp_path / "spend.csv"
    path.write_text(FILE, encoding="utf-8")
    return spend_import(path=path, council=council).batch


def _open(page, officer, batch):
    path = f"/admin/metrics/importbatch/{batch.pk}/change/"
    browser_sign_in(page, officer, PASSWORD, next_path=path)
    page.wait_for_url(f"**{path}")


def test_an_officer_publishes_then_withdraws_a_batch_without_javascript(
    officer, batch, page_without_javascript
):
    page = page_without_javascript
    _open(page, officer, batch)
    expect(page.get_by_text("What publishing this batch changes")).to_be_visible()
    page.get_by_role("link", name="Publish", exact=True).click()
    page.get_by_role("button", name="Publish the batch").click()
    expect(page.get_by_text("The batch is published")).to_be_visible()
    page.get_by_role("link", name="Withdraw", exact=True).click()
    page.get_by_role("button", name="Withdraw the batch").click()
    expect(page.get_by_role("link", name="Enter why the batch is being withdrawn")).to_be_visible()
    page.get_by_label("Why the batch is being withdrawn").fill("The wrong quarter's file")
    page.get_by_role("button", name="Withdraw the batch").click()
    expect(page.get_by_text("The batch is withdrawn")).to_be_visible()
    batch.refresh_from_db()
    assert (batch.status, batch.withdrawal_reason) == ("withdrawn", "The wrong quarter's file")


@pytest.mark.parametrize("width", [1280, NARROWEST_VIEWPORT["width"]])
def test_the_batch_page_and_its_confirmation_pages_pass_axe(officer, batch, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, officer, batch)
    expect(page.locator("#batch-preview")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"/admin/metrics/importbatch/{batch.pk}/action/publish/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Publish the batch").click()
    page.goto(f"/admin/metrics/importbatch/{batch.pk}/action/withdraw/")
    page.get_by_role("button", name="Withdraw the batch").click()  # no reason: the error state
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
