"""The public CWB metrics pages, a metric's CSV, and the LM3 studies.

Thin views: parse, call a selector, render. Only validated values reach these pages.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.csv import csv_stream
from metrics.exports import metric_csv_lines
from metrics.selectors import (
    lm3_study_get,
    lm3_study_list,
    lm3_study_page,
    metric_history,
    metric_overview,
    metric_values_for_export,
)
from neighbourhoods.selectors import council_current

LM3_PAGE_SIZE = 20
MAX_CODE_LENGTH = 60
CSV_CHUNK_SIZE = 2000
MAX_PRIMARY_KEY = 2**63 - 1  # PostgreSQL bigint: a larger id would be a database error


def _metric_history_or_404(code: str):
    history = metric_history(code=code) if len(code) <= MAX_CODE_LENGTH else None
    if history is None:
        raise Http404("No such metric.")
    return history


@require_safe
def metrics_index(request):
    return render(request, "metrics/index.html", {"foundations": metric_overview()})


@require_safe
def metric_detail(request, code: str):
    return render(request, "metrics/detail.html", {"history": _metric_history_or_404(code)})


@require_safe
def metric_csv(request, code: str):
    """A metric's validated values, borough-wide and by neighbourhood, as CSV."""
    history = _metric_history_or_404(code)
    council = council_current()
    values = metric_values_for_export(metric=history.metric).iterator(chunk_size=CSV_CHUNK_SIZE)
    return csv_stream(
        filename=f"metric-{history.metric.code}.csv",
        lines=metric_csv_lines(
            metric=history.metric,
            values=values,
            borough_name=council.area_name if council else "Whole borough",
        ),
    )


@require_safe
def lm3_list(request):
    page = Paginator(lm3_study_list(), LM3_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "metrics/lm3_list.html", {"page": page, "studies": lm3_study_page(page)})


@require_safe
def lm3_detail(request, pk: int):
    study = lm3_study_get(pk=pk) if pk <= MAX_PRIMARY_KEY else None
    if study is None:
        raise Http404("No such LM3 study.")
    return render(request, "metrics/lm3_detail.html", {"study": study})
