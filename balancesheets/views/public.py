"""The public Community Balance Sheets: published years, a year's areas side by side, one area's
sheet, and each as CSV, JSON and (for a sheet) PDF. Only published sheets reach these pages."""

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from balancesheets.exports import sheet_csv_lines, sheet_record, year_csv_lines, year_record
from balancesheets.models import BalanceSheet
from balancesheets.pdf import render_pdf
from balancesheets.selectors import (
    published_sheet_detail,
    published_years,
    year_overview,
)
from core.csv import csv_download
from core.periods import financial_year_slug
from neighbourhoods.current import council_or_404

MAX_SLUG_LENGTH = 100
PDF_CACHE_SECONDS = 24 * 3600


def sheet_url(sheet: BalanceSheet, *, current: bool = True, suffix: str = "") -> str:
    """The public address of a published sheet: the area's page for the current version, the
    version's own page otherwise. `suffix` is "", ".csv", ".json" or ".pdf"."""
    kinds = {"": "", ".csv": "_csv", ".json": "_json", ".pdf": "_pdf"}
    if current:
        return reverse(f"balancesheets:sheet{kinds[suffix]}", args=[sheet.year, sheet.area_slug])
    return reverse(
        f"balancesheets:sheet_version{kinds[suffix]}",
        args=[sheet.year, sheet.area_slug, sheet.version],
    )


def _detail(year: int, slug: str, version: int | None):
    if len(slug) > MAX_SLUG_LENGTH:
        raise Http404("No such balance sheet.")
    detail = published_sheet_detail(council=council_or_404(), year=year, slug=slug, version=version)
    if detail is None:
        raise Http404("No published balance sheet for that area and year.")
    return detail


def _overview(year: int):
    overview = year_overview(council=council_or_404(), year=year)
    if overview is None:
        raise Http404("No balance sheets are published for that year.")
    return overview


def _links(detail) -> dict[str, str]:
    current = detail.is_current
    sheet = detail.sheet
    return {
        suffix.lstrip(".") or "html": sheet_url(sheet, current=current, suffix=suffix)
        for suffix in ("", ".csv", ".json", ".pdf")
    }


def _url_for(request, detail):
    """Absolute addresses of the sheets a record links to: the current version (and the year
    before's, which is always its current one) at the area's address, others at their version's."""
    current = {detail.current.pk} | ({detail.previous.pk} if detail.previous else set())

    def url_for(sheet: BalanceSheet) -> str:
        return request.build_absolute_uri(sheet_url(sheet, current=sheet.pk in current))

    return url_for


@require_safe
def index(request):
    return render(
        request, "balancesheets/index.html", {"years": published_years(council=council_or_404())}
    )


@require_safe
def year(request, year: int):
    return render(request, "balancesheets/year.html", {"overview": _overview(year)})


@require_safe
def year_csv(request, year: int):
    overview = _overview(year)
    return csv_download(
        filename=f"community-balance-sheets-{financial_year_slug(year)}.csv",
        lines=year_csv_lines(overview=overview),
    )


@require_safe
def year_json(request, year: int):
    overview = _overview(year)
    return JsonResponse(
        year_record(
            overview=overview,
            url_for=lambda sheet: request.build_absolute_uri(sheet_url(sheet)),
        ),
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def sheet(request, year: int, slug: str, version: int | None = None):
    detail = _detail(year, slug, version)
    if version is not None and detail.is_current:
        # The current version has one address: the area's page.
        return redirect(sheet_url(detail.sheet), permanent=False)
    return render(
        request,
        "balancesheets/sheet.html",
        {"detail": detail, "sheet": detail.sheet, "links": _links(detail)},
    )


@require_safe
def sheet_csv(request, year: int, slug: str, version: int | None = None):
    detail = _detail(year, slug, version)
    return csv_download(filename=f"{_filename(detail)}.csv", lines=sheet_csv_lines(detail=detail))


@require_safe
def sheet_json(request, year: int, slug: str, version: int | None = None):
    detail = _detail(year, slug, version)
    return JsonResponse(
        sheet_record(detail=detail, url_for=_url_for(request, detail)),
        json_dumps_params={"ensure_ascii": False},
    )


def _filename(detail) -> str:
    sheet = detail.sheet
    name = f"community-balance-sheet-{sheet.year_slug}-{sheet.area_slug}"
    return name if detail.is_current else f"{name}-version-{sheet.version}"


@require_safe
def sheet_pdf(request, year: int, slug: str, version: int | None = None):
    """The published sheet as a PDF. A published version never changes, so its PDF is cached."""
    detail = _detail(year, slug, version)
    sheet = detail.sheet
    key = f"balancesheets:pdf:{sheet.pk}:{sheet.published_at.timestamp()}:{detail.is_current}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(
            template="balancesheets/pdf/sheet.html",
            context={
                "detail": detail,
                "sheet": sheet,
                "council": sheet.council,
                "page_url": request.build_absolute_uri(sheet_url(sheet, current=detail.is_current)),
            },
        )
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(detail)}.pdf"'
    return response
