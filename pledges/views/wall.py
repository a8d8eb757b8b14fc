"""The public pledge wall, one pledge's page, and the pledges as open data (JSON and CSV).

Thin views: read the query string, call the selectors, render. Only published pledges and only
their public fields reach any of these responses.
"""

import unicodedata
from dataclasses import asdict
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.csv import csv_stream
from neighbourhoods.selectors import council_current
from pledges.exports import pledge_record, pledges_csv_lines
from pledges.selectors import (
    FilterChoices,
    FilterCounts,
    PledgeFilters,
    campaign_progress,
    pledge_counts_open_data,
    pledge_filter_choices,
    pledge_filter_counts,
    pledge_open_data_list,
    pledge_published_get,
    pledge_wall_page,
)

WALL_PAGE_SIZE = 20
JSON_PAGE_SIZE = 100
CSV_CHUNK_SIZE = 2000
MAX_SEARCH_LENGTH = 200
MAX_REFERENCE_LENGTH = 8
# Each filter beside the search box: query parameter, label, and the option that means "any".
FACETS = (
    ("neighbourhood", "Neighbourhood", "All neighbourhoods"),
    ("pledger_type", "Pledging as", "Everyone"),
    ("commitment", "Commitment", "All commitments"),
    ("foundation", "Foundation", "All foundations"),
)


def _search_text(value: str) -> str:
    """The search box's text without control characters (PostgreSQL refuses NUL), capped."""
    printable = "".join(c for c in value if unicodedata.category(c)[0] != "C" or c in " \t")
    return " ".join(printable.split())[:MAX_SEARCH_LENGTH]


def _filters_from(query: QueryDict, choices: FilterChoices) -> PledgeFilters:
    """The filters asked for; a value that is not one of the options is ignored."""
    facets = {
        name: value if choices.valid(name=name, value=(value := query.get(name, ""))) else ""
        for name, _, _ in FACETS
    }
    return PledgeFilters(q=_search_text(query.get("q", "")), **facets)


def _facets(choices: FilterChoices, counts: FilterCounts, filters: PledgeFilters) -> list[dict]:
    """Each filter with its options, the count beside each option, and which one is chosen."""
    return [
        {
            "name": name,
            "label": label,
            "any": any_label,
            "options": [
                {
                    "value": value,
                    "label": option_label,
                    "count": getattr(counts, name).get(value, 0),
                    "selected": getattr(filters, name) == value,
                }
                for value, option_label in getattr(choices, name)
            ],
        }
        for name, label, any_label in FACETS
    ]


def _filters_asked(request) -> tuple[FilterChoices, PledgeFilters]:
    council = council_current()
    area = council.area_name if council else "the whole area"
    choices = pledge_filter_choices(council=council, town_wide_label=f"Across {area}")
    return choices, _filters_from(request.GET, choices)


def _filters_query(filters: PledgeFilters) -> str:
    """The filters chosen as a query string (no page), for links that keep them."""
    return urlencode({name: value for name, value in asdict(filters).items() if value})


@require_safe
def pledge_wall(request):
    choices, filters = _filters_asked(request)
    page = pledge_wall_page(
        filters=filters, page_number=request.GET.get("page"), per_page=WALL_PAGE_SIZE
    )
    return render(
        request,
        "pledges/wall.html",
        {
            "page": page,
            "pledges": page.object_list,
            "filters": filters,
            "facets": _facets(choices, pledge_filter_counts(filters=filters), filters),
            "campaign": campaign_progress(),
            # The open-data downloads hold what the wall shows.
            "filters_query": _filters_query(filters),
        },
    )


@require_safe
def pledge_detail(request, reference: str):
    if not (len(reference) <= MAX_REFERENCE_LENGTH and reference.isascii() and reference.isalnum()):
        raise Http404("No such pledge.")
    pledge = pledge_published_get(reference=reference)
    if pledge is None:
        raise Http404("No such pledge.")
    return render(request, "pledges/detail.html", {"pledge": pledge})


def _detail_url(request, reference: str) -> str:
    return request.build_absolute_uri(reverse("pledges:detail", args=[reference]))


@require_safe
def pledges_json(request):
    """Published pledges (filtered as the wall is), newest first, 100 a page: {"count", "next",
    "previous", "results"}."""
    _, filters = _filters_asked(request)
    paginator = Paginator(pledge_open_data_list(filters=filters), JSON_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        return JsonResponse({"detail": "There is no such page."}, status=404)

    def page_url(number: int) -> str:
        query = "&".join(filter(None, [_filters_query(filters), f"page={number}"]))
        return request.build_absolute_uri(f"{reverse('pledges:json')}?{query}")

    return JsonResponse(
        {
            "count": paginator.count,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [
                pledge_record(pledge=pledge, url=_detail_url(request, pledge.reference))
                for pledge in page.object_list
            ],
        }
    )


@require_safe
def pledges_csv(request):
    """Published pledges (filtered as the wall is) as CSV, streamed in chunks so memory stays
    flat."""
    _, filters = _filters_asked(request)
    pledges = pledge_open_data_list(filters=filters).iterator(chunk_size=CSV_CHUNK_SIZE)
    return csv_stream(
        filename="pledges.csv",
        lines=pledges_csv_lines(
            pledges=pledges, url_for=lambda reference: _detail_url(request, reference)
        ),
    )


@require_safe
def pledge_counts_json(request):
    """Published pledges counted by neighbourhood, pledger type, commitment, foundation, month."""
    counts = pledge_counts_open_data()
    return JsonResponse({**counts, "total": sum(counts["pledger_types"].values())})
