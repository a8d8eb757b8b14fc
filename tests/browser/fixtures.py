"""Headless Chromium (Debian's, never a Playwright download) with axe-core, one per test worker."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Chromium's own background traffic is refused on a closed network; these keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
NARROWEST_VIEWPORT = {"width": 320, "height": 640}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but static files come through WhiteNoise as in production.

    pytest-django serves static files from the finders, which cannot resolve the hashed names
    that the manifest storage gives `{% static %}`; WhiteNoise serves the collected files.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP_VIEWPORT, **context_options
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_javascript(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def narrow_page(browser, live_server):
    context, page = _new_page(browser, live_server)
    page.set_viewport_size(NARROWEST_VIEWPORT)
    yield page
    context.close()


AXE_SOURCE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Rules axe marks as off by default although their criterion is AA, named so they stay on
# whatever axe's defaults become: 2.5.8 target size (24 px, or spaced so that a 24 px circle
# around each target touches no other).
AXE_RULES_ENABLED = {"target-size": {"enabled": True}}


def axe_violations(page) -> list[dict]:
    """Run axe-core over the page for WCAG 2.0, 2.1 and 2.2 A and AA (target size included);
    return its violations.

    axe is evaluated through the DevTools protocol, so the page's Content-Security-Policy stays
    in force while it runs.
    """
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        "([tags, rules]) => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']})",
        [WCAG_AA_TAGS, AXE_RULES_ENABLED],
    )
    return result["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{summary}"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 means no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
