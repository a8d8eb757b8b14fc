"""The pledge journey through the test client: every page, errors, and what gets made."""

import re

import pytest

from outbox.models import OutboundEmail
from pledges.models import Pledge, PledgeStatus
from pledges.services import pledge_for_manage_token, pledge_withdraw

RESIDENT_ANSWERS = [
    ("/pledge/", {"pledger_type": "resident"}),
    ("/pledge/name/", {"display_name": "Ada Lovelace", "show_name": "no"}),
    ("/pledge/area/", {"area": "chells-and-manor"}),
    ("/pledge/commitments/", {"fairer_society": ["COMMITMENT"]}),
    ("/pledge/your-pledge/", {"text": "I will mentor two people.", "target": "2 mentees"}),
    ("/pledge/email/", {"email": "ada@private.example.org", "contact_consent": "on"}),
]


def answer_all(client, council, answers=RESIDENT_ANSWERS):
    from pledges.models import Commitment

    first = str(Commitment.objects.filter(benefit="fairer_society").first().pk)
    for path, data in answers:
        if "fairer_society" in data:
            data = {"fairer_society": [first]}
        response = client.post(path, data)
        assert response.status_code == 302, (path, response.content.decode()[:2000])
    return client.get("/pledge/check-answers/")


def send(client):
    page = client.get("/pledge/check-answers/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)
    return client.post("/pledge/check-answers/", {"submission_key": key}), key


def test_the_journey_makes_one_unconfirmed_pledge_and_queues_its_email(council, client):
    check = answer_all(client, council)
    assert check.status_code == 200
    assert "Ada Lovelace" in check.content.decode()
    response, _ = send(client)
    assert response.url == "/pledge/check-your-email/"
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.UNCONFIRMED
    assert pledge.neighbourhood.slug == "chells-and-manor"
    assert pledge.email == "ada@private.example.org"
    assert pledge.contact_consent
    assert not pledge.show_name
    assert OutboundEmail.objects.get().kind == "confirm"


def test_the_confirmation_email_link_confirms_once(council, client, deliver_emails):
    answer_all(client, council)
    send(client)
    (message,) = deliver_emails()
    confirm_path = re.search(r"http://[^/]+(/pledge/confirm/[^/\s]+/)", message.body).group(1)
    assert client.get(confirm_path).status_code == 200
    assert Pledge.objects.get().status == PledgeStatus.UNCONFIRMED
    assert "Pledge confirmed" in client.post(confirm_path).content.decode()
    assert Pledge.objects.get().status == PledgeStatus.CONFIRMED
    again = client.post(confirm_path).content.decode()
    assert "already confirmed" in again


def test_the_confirmation_email_carries_a_working_manage_link(council, client, deliver_emails):
    answer_all(client, council)
    send(client)
    (message,) = deliver_emails()
    token = re.search(r"/pledge/manage/([^/\s]+)/", message.body).group(1)
    assert pledge_for_manage_token(token=token) == Pledge.objects.get()
    assert client.get(f"/pledge/manage/{token}/").status_code == 200


def test_a_tampered_confirmation_link_is_refused(council, client):
    response = client.get("/pledge/confirm/not-a-real-token/")
    assert response.status_code == 404
    assert "The link is not valid" in response.content.decode()


def test_posting_check_answers_twice_makes_one_pledge(council, client):
    answer_all(client, council)
    _first, key = send(client)
    second = client.post("/pledge/check-answers/", {"submission_key": key})
    assert second.url == "/pledge/check-your-email/"
    assert Pledge.objects.count() == 1


def test_a_business_is_asked_its_size(council, client):
    client.post("/pledge/", {"pledger_type": "business"})
    response = client.get("/pledge/name/")
    assert response.url == "/pledge/business-size/"


def test_skipping_ahead_returns_to_the_first_unanswered_question(council, client):
    response = client.get("/pledge/your-pledge/")
    assert response.url == "/pledge/"


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/pledge/", {}, "Select who you are pledging as"),
    ],
)
def test_an_empty_answer_shows_the_error_summary(council, client, path, data, message):
    response = client.post(path, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert f'href="#id_pledger_type">{message}</a>' in page
    assert 'id="id_pledger_type"' in page


def test_a_filled_hidden_field_holds_the_pledge_for_review_after_confirmation(
    council, client, deliver_emails
):
    autofilled = {"email": "resident@example.org", "website": "http://my-site.example"}
    answers = [*RESIDENT_ANSWERS[:-1], ("/pledge/email/", autofilled)]
    answer_all(client, council, answers)
    send(client)
    pledge = Pledge.objects.get()
    assert "hidden anti-spam field" in pledge.hold_reason
    (message,) = deliver_emails()  # its author is told to check their email: the email exists
    confirm_path = re.search(r"http://[^/]+(/pledge/confirm/[^/\s]+/)", message.body).group(1)
    client.post(confirm_path)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.HELD


def test_a_too_long_email_address_gets_an_error_in_the_govuk_voice(council, client):
    answer_all(client, council)
    long_address = f"{'a' * 60}.{'b' * 60}.{'c' * 60}@{'d' * 60}.example.org"
    page = client.post("/pledge/email/", {"email": long_address}).content.decode()
    assert "Email address must be 254 characters or fewer" in page
    assert "Ensure this value" not in page


def test_a_pledge_over_1000_characters_is_refused_with_a_clear_error(council, client):
    answer_all(client, council)
    response = client.post("/pledge/your-pledge/", {"text": "x" * 1001})
    assert "Your pledge must be 1,000 characters or fewer" in response.content.decode()


def test_the_postcode_finds_the_neighbourhood(council, client):
    from django.core.management import call_command

    call_command("import_postcodes", "data/postcodes/stevenage-sample.csv", verbosity=0)
    client.post("/pledge/", {"pledger_type": "resident"})
    client.post("/pledge/name/", {"display_name": "Ada", "show_name": "yes"})
    client.post("/pledge/area/", {"area": "postcode"})
    assert client.post("/pledge/postcode/", {"postcode": "sg11hn"}).url == "/pledge/commitments/"
    check = answer_all(client, council, RESIDENT_ANSWERS[3:])
    assert "Bedwell and Pin Green (from postcode SG1 1HN)" in check.content.decode()


def test_an_unknown_postcode_says_what_to_do(council, client):
    client.post("/pledge/", {"pledger_type": "resident"})
    client.post("/pledge/name/", {"display_name": "Ada", "show_name": "yes"})
    client.post("/pledge/area/", {"area": "postcode"})
    response = client.post("/pledge/postcode/", {"postcode": "SG1 9ZZ"})
    assert "We cannot find that postcode in Stevenage" in response.content.decode()


def _answer_until(client, council, path):
    """Answer the resident journey's questions that come before `path`."""
    answers = []
    for step_path, data in RESIDENT_ANSWERS:
        if step_path == path:
            break
        answers.append((step_path, data))
    answer_all(client, council, answers)


@pytest.mark.parametrize(
    ("path", "posted", "field", "message"),
    [
        ("/pledge/name/", {"show_name": "yes"}, "display_name", "Enter your full name"),
        ("/pledge/name/", {"display_name": "Ada"}, "show_name", "Select yes if we can show"),
        ("/pledge/area/", {}, "area", "Select where your pledge will make a difference"),
        ("/pledge/commitments/", {}, "fairer_society", "Select at least one thing you will do"),
        ("/pledge/your-pledge/", {"text": "   "}, "text", "Enter your pledge"),
        ("/pledge/email/", {"email": "not-an-email"}, "email", "Enter an email address in the"),
    ],
)
def test_each_error_is_in_the_summary_linked_to_its_field(
    council, client, path, posted, field, message
):
    _answer_until(client, council, path)
    page = client.post(path, posted).content.decode()
    assert "<title>Error: " in page
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert re.search(rf'<a href="#id_{field}">{message}', summary), summary
    assert f'id="id_{field}"' in page  # the link's target exists
    assert 'class="govuk-error-message"' in page


def _confirmed_then(client, council, deliver_emails, close) -> str:
    """A confirmed pledge that `close` then closes; returns its confirmation link's path."""
    answer_all(client, council)
    send(client)
    (message,) = deliver_emails()
    confirm_path = re.search(r"http://[^/]+(/pledge/confirm/[^/\s]+/)", message.body).group(1)
    client.post(confirm_path)
    close(Pledge.objects.get())
    return confirm_path


def test_a_withdrawn_pledges_confirmation_link_says_it_was_withdrawn(
    council, client, deliver_emails
):
    path = _confirmed_then(client, council, deliver_emails, lambda p: pledge_withdraw(pledge=p))
    for response in (client.get(path), client.post(path)):
        page = response.content.decode()
        assert "You withdrew this pledge" in page
        assert "already confirmed" not in page
    assert Pledge.objects.get().status == PledgeStatus.WITHDRAWN


def test_a_rejected_pledges_confirmation_link_says_it_was_not_published(
    council, client, deliver_emails
):
    path = _confirmed_then(
        client,
        council,
        deliver_emails,
        lambda p: Pledge.objects.filter(pk=p.pk).update(status=PledgeStatus.REJECTED),
    )
    page = client.post(path).content.decode()
    assert "This pledge was not published" in page
    assert "already confirmed" not in page
    assert Pledge.objects.get().status == PledgeStatus.REJECTED
