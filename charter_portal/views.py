"""Public pages that combine several apps. Thin: read through each app's selectors, render."""

from django.conf import settings
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from balancesheets.dashboard import sheet_dashboard_summaries
from balancesheets.selectors import capital_list
from metrics.dashboard import metric_values_for_area
from metrics.selectors import foundation_list
from neighbourhoods.current import council_or_404
from neighbourhoods.selectors import neighbourhood_get, neighbourhood_list
from pledges.selectors import (
    PledgeFilters,
    campaign_progress,
    commitments_by_benefit,
    pledge_published_total,
    pledge_wall_list,
)

# How many of a neighbourhood's newest pledges its public page shows.
LATEST_PLEDGES = 5


@require_safe
def home(request):
    return render(
        request,
        "pages/home.html",
        {
            "benefits": commitments_by_benefit(),
            "foundations": list(foundation_list()),
            "published_total": pledge_published_total(),
            "campaign": campaign_progress(),
        },
    )


@require_safe
def charter(request):
    return render(
        request,
        "pages/charter.html",
        {
            "benefits": commitments_by_benefit(),
            "foundations": list(foundation_list()),
        },
    )


# The public pages that draw charts (static/js/charts.mjs), named in the accessibility statement:
# (the page's name, its URL name). A test crawls the site and checks these, and only these, do.
PAGES_WITH_CHARTS = (("Local spend", "spend:index"),)


@require_safe
def accessibility_statement(request):
    pages_with_charts = [(name, reverse(url_name)) for name, url_name in PAGES_WITH_CHARTS]
    return render(request, "pages/accessibility.html", {"pages_with_charts": pages_with_charts})


@require_safe
def privacy_notice(request):
    # The retention schedule shown is the one the code applies (pledges.services, the journey).
    retention = {
        "journey_hours": settings.PLEDGE_JOURNEY_SESSION_MAX_AGE // 3600,
        "unconfirmed_days": settings.PLEDGE_RETENTION_UNCONFIRMED_DAYS,
        "closed_days": settings.PLEDGE_RETENTION_CLOSED_DAYS,
        "closed_months": round(settings.PLEDGE_RETENTION_CLOSED_DAYS / 30.44),
    }
    return render(request, "pages/privacy.html", {"retention": retention})


@require_safe
def cookies(request):
    return render(request, "pages/cookies.html")


@require_safe
def neighbourhoods(request):
    council = council_or_404()
    return render(
        request,
        "neighbourhoods/list.html",
        {"neighbourhoods": list(neighbourhood_list(council=council))},
    )


@require_safe
def neighbourhood_detail(request, slug: str):
    council = council_or_404()
    neighbourhood = neighbourhood_get(council=council, slug=slug)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    published = pledge_wall_list(filters=PledgeFilters(neighbourhood=neighbourhood.slug))
    return render(
        request,
        "neighbourhoods/detail.html",
        {
            "neighbourhood": neighbourhood,
            "capitals": list(capital_list()),
            "pledge_count": published.count(),
            "latest_pledges": list(published[:LATEST_PLEDGES]),
            "sheet": sheet_dashboard_summaries(council=council).get(neighbourhood.pk),
            "metric_values": metric_values_for_area(
                neighbourhood=neighbourhood, include_drafts=False
            ),
        },
    )


@never_cache
@require_safe
def healthz(request):
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (OperationalError, InterfaceError):
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
