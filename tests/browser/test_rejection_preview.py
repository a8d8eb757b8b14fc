"""The rejection page's email preview in a real browser: choosing a reason opens its email and
closes the others (JavaScript); without it, each reason's email opens by hand."""

from playwright.sync_api import expect

from pledges.models import RejectionReason
from tests.browser.test_detail_actions import PASSWORD, officer, waiting  # noqa: F401
from tests.signin import browser_sign_in


def _reject_page(page, officer, pledge):  # noqa: F811 - the imported fixture's name
    path = f"/admin/pledges/pledge/{pledge.pk}/action/reject/"
    browser_sign_in(page, officer, PASSWORD, next_path=path)
    page.wait_for_url(f"**{path}")


def test_choosing_a_reason_opens_its_email(officer, waiting, page):  # noqa: F811
    _reject_page(page, officer, waiting)
    first, second = RejectionReason.objects.filter(is_active=True)[:2]
    page.get_by_label("Reason").select_option(str(first.pk))
    expect(page.locator(f"#rejection-preview-{first.pk}")).to_have_attribute("open", "")
    page.get_by_label("Reason").select_option(str(second.pk))
    expect(page.locator(f"#rejection-preview-{second.pk}")).to_have_attribute("open", "")
    expect(page.locator(f"#rejection-preview-{first.pk}")).not_to_have_attribute("open", "")
    expect(page.locator(f"#rejection-preview-{second.pk}")).to_contain_text(second.explanation[:40])


def test_without_javascript_each_reasons_email_opens_by_hand(
    officer,  # noqa: F811
    waiting,  # noqa: F811
    page_without_javascript,
):
    page = page_without_javascript
    _reject_page(page, officer, waiting)
    reason = RejectionReason.objects.filter(is_active=True).first()
    preview = page.locator(f"#rejection-preview-{reason.pk}")
    preview.locator("summary").click()
    expect(preview).to_contain_text("We could not publish your pledge")
    expect(preview).to_contain_text("[private link]")
