"""Error pages: GOV.UK's "Sorry, there is a problem with the service", never a traceback."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def render_error_page(request, template_name: str, status: int) -> HttpResponse:
    """Render an error page without touching the database (it may be the thing that failed)."""
    context = {"request": request, "service_name": settings.CHARTER_FALLBACK_SERVICE_NAME}
    body = loader.get_template(template_name).render(context)
    return HttpResponse(body, status=status)


def service_unavailable(request) -> HttpResponse:
    response = render_error_page(request, "errors/503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_outage(exception: BaseException | None) -> bool:
    """True for a lost or refused connection; false for errors in our own SQL, which are bugs."""
    return isinstance(exception, OperationalError | InterfaceError)


def server_error(request) -> HttpResponse:
    """handler500: a database outage is a 503 (try again later), a NUL byte the database
    refused a 400 (charter_portal.middleware), anything else a 500."""
    from charter_portal.middleware import null_character_refused, refused_null_character

    exception = sys.exc_info()[1]
    if is_database_outage(exception):
        return service_unavailable(request)
    if refused_null_character(request, exception):
        return null_character_refused(request)
    return render_error_page(request, "errors/500.html", status=500)


def page_not_found(request, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def bad_request(request, exception=None) -> HttpResponse:
    return render_error_page(request, "errors/400.html", status=400)
