"""The accessibility statement says true things of the pages as they are: the pages it names as
drawing charts are the pages that do, with the demo data's figures on every page."""

import re

import pytest
from django.urls import resolve

from charter_portal.views import PAGES_WITH_CHARTS
from tests.crawl import public_pages

# What makes static/js/charts.mjs draw a chart: a table that names its chart.
CHART_HOOK = re.compile(r"<table[^>]*\bdata-chart=")


@pytest.fixture
def statement_links(client) -> set[str]:
    page = client.get("/accessibility/").content.decode()
    charts_list = re.search(r'<ul[^>]*id="pages-with-charts"[^>]*>(.*?)</ul>', page, re.S)
    assert charts_list, "the statement lists the pages with charts"
    return set(re.findall(r'href="([^"]+)"', charts_list.group(1)))


def test_the_statement_names_exactly_the_pages_that_draw_charts(seeded, client, statement_links):
    pages = public_pages(client, skip=(".pdf", ".csv", ".json"), max_pages=1000)
    with_charts = {
        path.split("?")[0]
        for path, page in pages.items()
        if page.is_html and CHART_HOOK.search(page.text)
    }
    assert with_charts  # the demo data draws charts somewhere
    assert statement_links == with_charts


def test_the_statement_links_each_page_it_names_by_its_url_name(seeded, client, statement_links):
    assert {resolve(path).view_name for path in statement_links} == {
        url_name for _, url_name in PAGES_WITH_CHARTS
    }
