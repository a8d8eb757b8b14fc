"""Property-based: whatever is typed into any question of the journey, no page errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pledges.test_journey import RESIDENT_ANSWERS, answer_all

any_text = st.text(max_size=1200) | st.sampled_from(["", " ", "\x00", "=SUM(1)", "sg1 1hn"])
QUESTION_FIELDS = {
    "/pledge/": ["pledger_type"],
    "/pledge/business-size/": ["organisation_size"],
    "/pledge/name/": ["display_name", "show_name", "contact_name"],
    "/pledge/area/": ["area"],
    "/pledge/postcode/": ["postcode"],
    "/pledge/commitments/": ["fairer_society", "resilient_economy"],
    "/pledge/your-pledge/": ["text", "target"],
    "/pledge/email/": ["email", "contact_consent", "website"],
    "/pledge/check-answers/": ["submission_key"],
}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("path", list(QUESTION_FIELDS))
@FUZZ
@given(data=st.data())
def test_no_input_makes_a_question_page_fail(small_council, client, path, data):
    posted = {name: data.draw(any_text, label=name) for name in QUESTION_FIELDS[path]}
    response = client.post(path, posted)
    assert response.status_code in (200, 302)


@FUZZ
@given(text=any_text, target=any_text, email=any_text)
def test_no_input_at_the_end_of_the_journey_makes_it_fail(council, client, text, target, email):
    answer_all(client, council, RESIDENT_ANSWERS)
    for path, posted in (
        ("/pledge/your-pledge/", {"text": text, "target": target}),
        ("/pledge/email/", {"email": email}),
    ):
        assert client.post(path, posted).status_code in (200, 302)
    assert client.get("/pledge/check-answers/").status_code in (200, 302)


@FUZZ
@given(token=st.text(max_size=300).filter(lambda t: "/" not in t and t.strip()))
def test_no_confirmation_or_manage_link_makes_a_page_fail(small_council, client, token):
    from urllib.parse import quote

    for path in (f"/pledge/confirm/{quote(token)}/", f"/pledge/manage/{quote(token)}/"):
        assert client.get(path).status_code in (200, 404)
        assert client.post(path).status_code in (200, 404, 405)
