"""The public pages of the demo site (`make run`'s data) in a real browser, at 320 and 1280 px.

The demo data is what people try the site with, so its long names, many rows and wide tables are
what must fit a phone. Seeding it takes half a minute, so it is seeded once for this module,
committed (a live server reads it from another connection) and flushed afterwards; the pages are
walked once by `demo_walk` and each test reads what was seen. The walk starts its own live server
and never asks for the `live_server` fixture, whose per-test flush would empty the database after
the first test.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import resolve
from pytest_django.live_server_helper import LiveServer

from tests.browser.fixtures import (
    DESKTOP_VIEWPORT,
    NARROWEST_VIEWPORT,
    axe_violations,
    horizontal_overflow,
)
from tests.conftest import demo_seed
from tests.crawl import public_pages

# axe is run on this many pages of each kind (URL name), the sideways-scroll check on more: pages
# of one kind share their template, and walking all ~200 took minutes of the suite's time.
AXE_PAGES_PER_KIND = 2
OVERFLOW_PAGES_PER_KIND = 6
SPEND_CHART_MIN_HEIGHT = 200  # CSS pixels: readable on a phone (it once collapsed to 20 px)

# Marked so that pytest-django sets up the test database; each test's own transaction reads the
# committed demo data and writes nothing.
pytestmark = pytest.mark.django_db


@dataclass
class Walk:
    paths: list[str] = field(default_factory=list)
    overflow: dict[str, int] = field(default_factory=dict)  # path: pixels too wide at 320 px
    axe: dict[tuple[int, str], list[str]] = field(default_factory=dict)  # (width, path): problems
    spend_charts: list[dict] = field(default_factory=list)  # each canvas at 320 px
    spend_tables: int = 0  # tables a chart is drawn from, still on the page


def _axe_summary(page) -> list[str]:
    return [
        f"{v['id']}: {', '.join(str(node['target'][0]) for node in v['nodes'][:5])}"
        for v in axe_violations(page)
    ]


def _sample(paths: list[str], per_kind: int) -> list[str]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        by_kind[resolve(path.split("?")[0]).view_name].append(path)
    return [path for kind_paths in by_kind.values() for path in kind_paths[:per_kind]]


def _walk(browser, base_url: str, paths: list[str]) -> Walk:
    walk = Walk(paths=paths)
    context = browser.new_context(base_url=base_url, viewport=NARROWEST_VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sample = set(_sample(paths, AXE_PAGES_PER_KIND))
    for path in _sample(paths, OVERFLOW_PAGES_PER_KIND):
        page.goto(path)
        walk.overflow[path] = horizontal_overflow(page)
        if path in sample:
            walk.axe[NARROWEST_VIEWPORT["width"], path] = _axe_summary(page)
    page.goto("/spend/")
    page.locator("canvas").first.wait_for()
    walk.spend_charts = page.locator("canvas").evaluate_all(
        "canvases => canvases.map(c => ({label: c.getAttribute('aria-label'),"
        " height: c.getBoundingClientRect().height}))"
    )
    walk.spend_tables = page.locator("table[data-chart]").count()
    page.set_viewport_size(DESKTOP_VIEWPORT)
    for path in sorted(sample, key=paths.index):
        page.goto(path)
        walk.axe[DESKTOP_VIEWPORT["width"], path] = _axe_summary(page)
    context.close()
    return walk


def _flush():
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def demo_walk(django_db_setup, django_db_blocker, browser):
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda handler: handler  # WhiteNoise, as in live_server
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        _flush()  # a run stopped half-way may have left its rows
        try:
            demo_seed()
            pages = public_pages(Client(), skip=(".pdf", ".csv", ".json"), max_pages=1000)
            paths = [path for path, page in pages.items() if page.is_html and page.status == 200]
            server._live_server_modified_settings.enable()
            server.start()
            try:
                yield _walk(browser, server.url, paths)
            finally:
                server.stop()
                server._live_server_modified_settings.disable()
        finally:
            _flush()


def test_the_walk_reaches_every_kind_of_public_page(demo_walk):
    kinds = {resolve(path.split("?")[0]).view_name for path in demo_walk.paths}
    assert {
        "home",
        "spend:index",
        "spend:suppliers",
        "pledges:wall",
        "pledges:detail",
        "balancesheets:sheet",
        "metrics:detail",
        "impact",
        "neighbourhood",
        "accessibility",
    } <= kinds


def test_no_public_page_of_any_kind_scrolls_sideways_at_320_pixels(demo_walk):
    too_wide = {path: pixels for path, pixels in demo_walk.overflow.items() if pixels}
    assert too_wide == {}


@pytest.mark.parametrize("width", [NARROWEST_VIEWPORT["width"], DESKTOP_VIEWPORT["width"]])
def test_axe_finds_nothing_on_the_public_pages(demo_walk, width):
    problems = {path: found for (at, path), found in demo_walk.axe.items() if at == width and found}
    assert problems == {}


def test_the_spend_charts_keep_a_readable_height_at_320_pixels(demo_walk):
    assert len(demo_walk.spend_charts) == 2
    assert [c for c in demo_walk.spend_charts if c["height"] < SPEND_CHART_MIN_HEIGHT] == []


def test_the_spend_charts_figures_stay_on_the_page_as_tables(demo_walk):
    assert demo_walk.spend_tables == 2
