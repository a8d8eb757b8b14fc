import logging

from charter_portal.errors import is_database_outage, render_error_page, service_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer 503 "Sorry, the service is unavailable" while the database cannot be reached.

    Each request opens its own connection, so the service recovers by itself when the database
    returns, with no restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.error("Database unavailable: %s", exception)
            return service_unavailable(request)
        return None


NULL_CHARACTER = "\x00"


def _holds_null_character(request) -> bool:
    if NULL_CHARACTER in request.path:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    return any(
        NULL_CHARACTER in key or any(NULL_CHARACTER in value for value in values)
        for source in sources
        for key, values in source.lists()
    )


class NullCharacterMiddleware:
    """Answer 400 "the request contains a null character" to any path, query-string or form
    value holding NUL (%00).

    PostgreSQL cannot hold NUL in text, so a value carrying one made any query that used it
    raise (admin list filters and searches answered 500). Refusing it once, at the edge, covers
    every page, present and future, where checking each filter and form would miss some.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_null_character(request):
            logger.info("Refused a request holding a NUL character: %s", request.path[:200])
            return render_error_page(request, "errors/400_null_character.html", status=400)
        return self.get_response(request)
