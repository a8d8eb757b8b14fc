import logging

from charter_portal.errors import is_database_outage, service_unavailable

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
