import logging

from django.db import DataError

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


def holds_null_character(request) -> bool:
    """Whether the request's path, query string or form values hold NUL (%00)."""
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


def refused_null_character(request, exception: BaseException | None) -> bool:
    """Whether the exception is PostgreSQL's refusal of a NUL the request carried: psycopg's
    DataError "text fields cannot contain NUL (0x00) bytes" (a ValueError before it is sent)."""
    return isinstance(exception, DataError | ValueError) and holds_null_character(request)


def null_character_refused(request):
    return render_error_page(request, "errors/400_null_character.html", status=400)


class NullCharacterMiddleware:
    """Answer 400 "the request contains a null character" wherever a NUL byte (%00) from the
    path, the query string or a form would otherwise reach PostgreSQL, which cannot hold NUL in
    text (admin list filters and searches answered 500 to one).

    Our own pages check their parameters and forms refuse NUL with a field error, so they still
    answer as they did (200 with the value ignored or an error message, 404); only a request
    whose NUL reached the database gets this page. Exceptions raised outside views reach
    handler500, which makes the same check (charter_portal.errors.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if refused_null_character(request, exception):
            logger.info("Refused a NUL character in a request: %s", request.path[:200])
            return null_character_refused(request)
        return None
