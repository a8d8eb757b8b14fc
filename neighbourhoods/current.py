"""The deployment's council, resolved once per request.

Pages, context processors and the emails a request queues all ask for the current council; the
middleware gives each request a small cache so the database is asked once, however many ask.
Outside a request (commands, the worker) every call asks the database.
"""

from contextvars import ContextVar

from django.conf import settings
from django.http import Http404

from neighbourhoods.models import Council

_request_cache: ContextVar[dict | None] = ContextVar("current_council_cache", default=None)


def _council_query() -> Council | None:
    councils = Council.objects.all()
    if settings.CHARTER_COUNCIL_SLUG:
        councils = councils.filter(slug=settings.CHARTER_COUNCIL_SLUG)
    return councils.order_by("pk").first()


def council_current() -> Council | None:
    """The deployment's council: the one named by CHARTER_COUNCIL_SLUG, or the only one."""
    cache = _request_cache.get()
    if cache is None:
        return _council_query()
    if "council" not in cache:
        cache["council"] = _council_query()
    return cache["council"]


def council_or_404() -> Council:
    """The current council for a page that cannot be shown before one is loaded."""
    council = council_current()
    if council is None:
        raise Http404("No council has been loaded.")
    return council


class CurrentCouncilMiddleware:
    """Gives each request its own one-entry cache of the current council."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_cache.set({})
        try:
            return self.get_response(request)
        finally:
            _request_cache.reset(token)
