"""Property-based: no query string makes a public page answer 5xx.

Query strings are built by hand, so they can hold what a browser would never send: NUL and other
control characters, bytes that are not UTF-8, numbers too large for any column, odd Unicode
(right-to-left marks, byte order marks, characters outside the Basic Multilingual Plane), and the
same key many times.
"""

from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import PledgeFactory
from tests.metrics.factories import LM3StudyFactory, MetricValueFactory
from tests.metrics.factories_spend import spend_generate

# The keys the public pages read, and a few they do not.
KEYS = ("q", "page", "neighbourhood", "pledger_type", "commitment", "foundation", "year",
        "quarter", "change", "sort", "format", "callback")  # fmt: skip
ODD_VALUES = (
    "", "0", "-1", "1e309", "NaN", "inf", "9" * 400, str(2**63), str(-(2**63) - 1),
    "2024-25", "2024/25", "2024-25-Q1", "Q1", "Q5", "1999-00", "9999-10000",
    "\x00", "a\x00b", "\ufeff", "\u202e", "\U0001d518", "\ud7ff", " " * 50, "%", "%%00",
    "' OR 1=1--", "<script>", "../../etc/passwd", "chells-and-manor", "resident",
)  # fmt: skip
text_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
huge_numbers = st.integers(min_value=-(10**40), max_value=10**40).map(str)


def _encoded(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value)  # not necessarily UTF-8
    return quote(value, safe="")


values = st.one_of(text_values, huge_numbers, st.sampled_from(ODD_VALUES), st.binary(max_size=40))
other_keys = st.one_of(text_values, st.binary(max_size=10))
# Mostly the keys the pages read (often repeated), then some they do not.
pairs = st.tuples(
    st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=8),
    st.lists(st.tuples(other_keys, values), max_size=3),
).map(lambda lists: lists[0] + lists[1])
query_strings = st.one_of(
    pairs.map(lambda items: "&".join(f"{_encoded(k)}={_encoded(v)}" for k, v in items)),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=100).map(
        lambda raw: quote(raw, safe="=&;+%")  # stray separators and broken escapes
    ),
)

PAGES = (
    "/",
    "/charter/",
    "/pledges/",
    "/pledges.json",
    "/pledges.csv",
    "/pledges/counts.json",
    "/neighbourhoods/",
    "/metrics/",
    "/lm3/",
    "/spend/",
    "/spend/suppliers.csv",
    "/balance-sheets/",
    "/impact/",
    "/impact/2024-25/",
    "/impact/2024-25.csv",
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def something_on_every_list(council):
    neighbourhood = council.neighbourhoods.first()
    for n in range(3):
        PledgeFactory(neighbourhood=neighbourhood if n else None)
    MetricValueFactory()
    LM3StudyFactory()
    spend_generate(30)


def _get(client, path: str):
    response = client.get(path)
    if response.streaming:  # a streamed download fails while it streams, if it fails
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("path", PAGES)
@FUZZ
@given(query=query_strings)
def test_no_query_string_makes_a_public_page_fail(something_on_every_list, client, path, query):
    response = _get(client, f"{path}?{query}")
    assert response.status_code < 500, (path, query)
