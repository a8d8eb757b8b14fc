"""The axe run every browser test uses checks WCAG 2.5.8 target size (a rule axe marks as off by
default)."""

from tests.browser.fixtures import axe_violations


def test_axe_reports_links_too_small_and_too_close(browser):
    page = browser.new_page()
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>Targets</title></head><body><main>'
        '<p style="font-size: 10px; line-height: 1"><a href="/a">A</a><a href="/b">B</a></p>'
        "</main></body></html>"
    )
    assert "target-size" in {violation["id"] for violation in axe_violations(page)}
    page.close()
