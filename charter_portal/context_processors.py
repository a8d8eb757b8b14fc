from django.conf import settings
from django.db import DatabaseError

from neighbourhoods.selectors import council_current


def service(request):
    """The council and the service name for the header, footer and page titles.

    Falls back to a neutral name while the database is unreachable, so that the 404 and 503
    pages still render.
    """
    try:
        council = council_current()
    except DatabaseError:
        council = None
    service_name = council.service_name if council else settings.CHARTER_FALLBACK_SERVICE_NAME
    return {"council": council, "service_name": service_name}
