"""The "Check your email" page: the address the link went to, never cached, and sending it again
(capped per address, no new pledge, a clear message either way)."""

import re

import pytest

from outbox.models import OutboundEmail
from pledges.models import Pledge
from pledges.services import pledge_confirm
from tests.pledges.test_journey import answer_all, send

SENT = "/pledge/check-your-email/"
ADDRESS = "ada@private.example.org"


@pytest.fixture
def sent(council, client):
    answer_all(client, council)
    send(client)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_shows_the_address_the_link_went_to(sent):
    page = _text(sent.get(SENT))
    assert f"We have sent an email to <strong>{ADDRESS}</strong>" in page
    assert "Send the email again" in page


def test_the_page_with_the_address_is_never_cached(sent):
    response = sent.get(SENT)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_another_visitor_sees_no_address_and_no_button(sent):
    from django.test import Client

    stranger = Client()
    page = _text(stranger.get(SENT))
    assert ADDRESS not in page
    assert "Send the email again" not in page
    stranger.post(SENT)
    assert OutboundEmail.objects.count() == 1


def test_sending_again_queues_one_more_confirmation_and_no_new_pledge(sent, deliver_emails):
    response = sent.post(SENT, follow=True)
    assert "We have sent the email again." in _text(response)
    assert Pledge.objects.count() == 1
    first, again = sorted(deliver_emails(), key=lambda m: m.extra_headers["Message-ID"])
    assert again.to == [ADDRESS]
    assert again.subject == first.subject
    confirm_path = re.search(r"http://[^/]+(/pledge/confirm/[^/\s]+/)", again.body).group(1)
    assert "Pledge confirmed" in _text(sent.post(confirm_path))


def test_past_the_cap_a_clear_message_and_no_email(sent, settings):
    settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR = 2
    sent.post(SENT)  # the second email: still within the cap
    response = sent.post(SENT, follow=True)
    page = _text(response)
    assert "There is a problem" in page
    assert "We have already sent 2 emails to this address in the last hour" in page
    assert response.content.decode().count("<title>Error: ") == 1
    sent_emails = OutboundEmail.objects.exclude(status=OutboundEmail.Status.CAPPED)
    assert sent_emails.count() == 2
    # The email held back kept no body and made no manage link.
    assert Pledge.objects.get().manage_links.count() == 1


def test_after_confirming_nothing_is_sent_again(sent, deliver_emails):
    (message,) = deliver_emails()
    token = re.search(r"/pledge/confirm/([^/\s]+)/", message.body).group(1)
    pledge_confirm(token=token)
    page = _text(sent.post(SENT, follow=True))
    assert "does not need confirming any more" in page
    assert OutboundEmail.objects.count() == 1


def test_the_page_and_sending_again_run_a_bounded_number_of_queries(
    sent, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        sent.get(SENT)
    with django_assert_max_num_queries(20):
        sent.post(SENT)


def test_after_a_duplicate_sending_again_resends_the_earlier_pledges_confirmation(
    sent, council, deliver_emails
):
    answer_all(sent, council)
    send(sent)  # the same pledge again: no new one, an "already pledged" notice
    deliver_emails()
    sent.post(SENT)
    outbox = deliver_emails()
    assert Pledge.objects.count() == 1
    assert outbox[-1].subject.startswith("Confirm your pledge")
    assert Pledge.objects.get().reference in outbox[-1].body
