"""The shared page furniture: pagination, breadcrumbs and tables in GOV.UK markup."""

import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template, TemplateSyntaxError

from core.tables import Column, Table


def render(source: str, **context) -> str:
    return Template("{% load core_layout %}" + source).render(Context(context))


def page_of(count: int, number: int, per_page: int = 10):
    return Paginator(range(count), per_page).get_page(number)


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_one_page_has_no_pagination():
    assert render("{% pagination page %}", page=page_of(5, 1)).strip() == ""


def test_pagination_keeps_the_query_and_gives_page_one_its_plain_address():
    html = render("{% pagination page query %}", page=page_of(30, 2), query={"year": 2024})
    assert hrefs(html) == ["?year=2024", "?year=2024&amp;page=3"]


def test_numbered_pagination_marks_the_current_page_and_elides_the_gaps():
    html = render("{% pagination page numbered=True %}", page=page_of(100, 5))
    assert re.findall(r'aria-label="Page (\d+)"', html) == ["1", "4", "5", "6", "10"]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert 'aria-current="page">5</a>' in html


def test_a_single_missing_page_is_shown_rather_than_an_ellipsis():
    html = render("{% pagination page numbered=True %}", page=page_of(50, 4))
    assert re.findall(r'aria-label="Page (\d+)"', html) == ["1", "2", "3", "4", "5"]
    assert "ellipses" not in html


def test_block_pagination_says_which_page_each_link_goes_to():
    html = render("{% pagination page block=True %}", page=page_of(30, 2))
    assert "govuk-pagination--block" in html
    assert "Page 1 of 3" in html
    assert "Page 3 of 3" in html


def test_pagination_titles_can_be_renamed():
    html = render(
        '{% pagination page previous_title="Newer" next_title="Older" hidden=" changes" %}',
        page=page_of(30, 2),
    )
    assert 'Newer<span class="govuk-visually-hidden"> changes</span>' in html
    assert 'Older<span class="govuk-visually-hidden"> changes</span>' in html


def test_breadcrumbs_take_url_names_and_paths():
    html = render('{% breadcrumbs "Home" "home" "A year" path %}', path="/balance-sheets/2024-25/")
    assert hrefs(html) == ["/", "/balance-sheets/2024-25/"]
    assert re.findall(r'breadcrumbs__link" href="[^"]*">([^<]*)</a>', html) == ["Home", "A year"]


def test_breadcrumbs_refuse_a_label_without_a_destination():
    with pytest.raises(TemplateSyntaxError):
        render('{% breadcrumbs "Home" "home" "Orphan" %}')


def test_a_table_right_aligns_numbers_and_gives_charts_their_values():
    table = Table(
        caption="Spend",
        chart="localities",
        columns=[Column("Where", "label"), Column("Share", "share", numeric=True, chart_key="raw")],
        rows=[
            {"label": "Borough", "share": "12.5%", "raw": "12.5"},
            {"label": "All", "share": "100%"},
        ],
    )
    html = render("{% govuk_table table %}", table=table)
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Share' in html
    assert '<th scope="row" class="govuk-table__header">Borough</th>' in html
    assert 'class="govuk-table__cell govuk-table__cell--numeric" data-value="12.5">12.5%' in html
    # A row without the chart's value (a total) stays out of the chart.
    assert 'class="govuk-table__cell govuk-table__cell--numeric">100%</td>' in html


def test_a_narrow_table_pads_every_column_but_the_last():
    table = Table(
        caption="Flags",
        narrow=True,
        columns=[
            Column("Suppliers", "label"),
            Column("Share", "a", numeric=True),
            Column("Known", "b", numeric=True),
        ],
        rows=[{"label": "SME", "a": "1%", "b": "2%"}],
    )
    html = render("{% govuk_table table %}", table=table)
    assert html.count("govuk-!-padding-right-2") == 4  # two headers, the row header, one cell


def test_a_table_scrolls_in_a_focusable_region_named_by_its_caption():
    table = Table(
        caption="Spending by department",
        columns=[Column("Department", "label")],
        rows=[{"label": "Housing"}],
    )
    html = render("{% govuk_table table %}", table=table)
    region = re.search(r"<div ([^>]*)>\s*(?:\{#.*?#\}\s*)?<table", html, re.S)
    assert region, html
    attributes = region.group(1)
    assert 'class="charter-table-scroll"' in attributes  # overflow-x: auto, in application.scss
    assert 'role="region"' in attributes
    assert 'aria-label="Spending by department"' in attributes
    assert 'tabindex="0"' in attributes
