"""Page furniture every app uses, in GOV.UK Design System markup: pagination, breadcrumbs and
tables. Each tag renders one partial under templates/includes/, so no template writes it out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.core.paginator import Page
from django.shortcuts import resolve_url

from core.tables import Table

register = template.Library()


@dataclass(frozen=True)
class PageLink:
    href: str
    title: str  # what the link says
    hidden: str = ""  # words after the title for screen readers only
    label: str = ""  # the block style's second line, "Page 2 of 5"


def page_href(number: int, query: Mapping[str, object]) -> str:
    """A page's address, keeping the query; page 1 is the page's plain address."""
    return "?" + urlencode({**query, "page": number} if number > 1 else dict(query))


def _numbered_items(page: Page, query: Mapping[str, object]) -> list[dict]:
    """The first, last, current and neighbouring pages, with an ellipsis for each gap."""
    last = page.paginator.num_pages
    shown = sorted(
        {1, last, page.number - 1, page.number, page.number + 1} & set(range(1, last + 1))
    )
    items: list[dict] = []
    for number in shown:
        gap = number - items[-1]["number"] if items else 1
        if gap == 2:  # one page missing: show it rather than an ellipsis
            items.append({"number": number - 1, "href": page_href(number - 1, query)})
        elif gap > 2:
            items.append({"number": number - 1, "ellipsis": True})
        items.append(
            {
                "number": number,
                "href": page_href(number, query),
                "current": number == page.number,
            }
        )
    return items


@register.inclusion_tag("includes/_pagination.html")
def pagination(
    page: Page,
    query: Mapping[str, object] | None = None,
    *,
    numbered: bool = False,
    block: bool = False,
    previous_title: str = "Previous",
    next_title: str = "Next",
    hidden: str = " page",
    label: str = "Results pages",
):
    """Links to the pages either side of a Django page, keeping `query` (the filters, without
    `page`); nothing when there is one page. `numbered` adds the list of page numbers, `block`
    the stacked style with "Page 2 of 5" under each link.
    """
    query = query or {}
    if not page.has_other_pages():
        return {}

    def link(number: int, title: str) -> PageLink:
        of = f"Page {number} of {page.paginator.num_pages}" if block else ""
        return PageLink(href=page_href(number, query), title=title, hidden=hidden, label=of)

    return {
        "label": label,
        "block": block,
        "icons": numbered,
        "previous": link(page.number - 1, previous_title) if page.has_previous() else None,
        "next": link(page.number + 1, next_title) if page.has_next() else None,
        "items": _numbered_items(page, query) if numbered else [],
    }


@register.inclusion_tag("includes/_pagination.html")
def pagination_links(
    *,
    previous_href: str,
    next_href: str,
    previous_title: str,
    next_title: str,
    label: str,
    block: bool = False,
    classes: str = "",
):
    """Previous and next links that are not pages of a list (the year before, the year after)."""
    return {
        "label": label,
        "block": block,
        "classes": classes,
        "previous": PageLink(href=previous_href, title=previous_title) if previous_href else None,
        "next": PageLink(href=next_href, title=next_title) if next_href else None,
    }


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(*labels_and_destinations):
    """`{% breadcrumbs "Home" "home" "Metrics" "metrics:index" %}`: pairs of label and where it
    goes, a URL name or a path (as `redirect()` takes them), from the top of the site down.
    """
    if len(labels_and_destinations) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of label and destination.")
    pairs = zip(labels_and_destinations[::2], labels_and_destinations[1::2], strict=True)
    return {"crumbs": [(label, resolve_url(destination)) for label, destination in pairs]}


def _classes(base: str, *, numeric: bool, narrow: bool) -> str:
    """A header's or cell's classes: narrow padding first, as the GOV.UK examples order them."""
    return (
        base
        + (" govuk-!-padding-right-2" if narrow else "")
        + (f" {base}--numeric" if numeric else "")
    )


@register.inclusion_tag("includes/_table.html")
def govuk_table(table: Table):
    """A `core.tables.Table` as a GOV.UK table; the last column keeps the standard padding."""
    last = len(table.columns) - 1
    headers, cells = [], []
    for index, column in enumerate(table.columns):
        narrow = table.narrow and index < last
        headers.append(
            {
                "label": column.label,
                "hidden": column.hidden,
                "classes": _classes("govuk-table__header", numeric=column.numeric, narrow=narrow),
            }
        )
        base = "govuk-table__header" if index == 0 else "govuk-table__cell"
        cells.append((column, _classes(base, numeric=column.numeric, narrow=narrow)))
    rows = [
        [
            {
                "text": row.get(column.key),
                "classes": classes,
                # A row without the chart's key (a total) is left out of the chart.
                "charted": bool(column.chart_key) and column.chart_key in row,
                "value": row.get(column.chart_key) if column.chart_key else None,
            }
            for column, classes in cells
        ]
        for row in table.rows
    ]
    return {
        "caption": table.caption,
        "chart": table.chart,
        "small_text": table.small_text,
        "headers": headers,
        "rows": rows,
    }
