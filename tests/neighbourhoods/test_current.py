"""The current council is asked of the database once per request, however many parts ask."""

import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from neighbourhoods.current import CurrentCouncilMiddleware, council_current, council_or_404
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db


def _council_queries(queries) -> int:
    return sum('"neighbourhoods_council"' in query["sql"] for query in queries)


def test_within_a_request_the_council_is_read_once():
    council = CouncilFactory()
    seen = []

    def view(request):
        seen.extend([council_current(), council_current(), council_or_404()])
        return HttpResponse()

    with CaptureQueriesContext(connection) as queries:
        CurrentCouncilMiddleware(view)(RequestFactory().get("/"))
    assert seen == [council, council, council]
    assert _council_queries(queries.captured_queries) == 1


def test_each_request_reads_it_afresh():
    CouncilFactory(slug="first")

    def view(request):
        return HttpResponse(council_current().slug)

    middleware = CurrentCouncilMiddleware(view)
    assert middleware(RequestFactory().get("/")).content == b"first"
    CouncilFactory._meta.model.objects.update(slug="renamed")
    assert middleware(RequestFactory().get("/")).content == b"renamed"


def test_outside_a_request_every_call_reads_the_database():
    CouncilFactory()
    with CaptureQueriesContext(connection) as queries:
        council_current()
        council_current()
    assert _council_queries(queries.captured_queries) == 2


def test_a_page_that_needs_a_council_is_not_found_before_one_is_loaded():
    with pytest.raises(Http404):
        council_or_404()
