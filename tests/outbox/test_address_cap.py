"""The per-address cap: nobody can make us flood an inbox with confirmations and notices."""

from outbox.models import OutboundEmail
from outbox.services import email_queue
from tests.pledges.test_journey import RESIDENT_ANSWERS, answer_all, send

VICTIM = "victim@private.example.org"


def _queue(to=VICTIM, capped=True):
    return email_queue(
        to=to,
        kind="already_pledged",
        template="pledges/email/already_pledged.txt",
        context={"service_name": "Testshire Charter"},
        capped=capped,
    )


def _journey_to(client, council, address, text):
    answers = [
        (path, data | {"email": address} if "email" in data else data)
        for path, data in RESIDENT_ANSWERS
    ]
    answers = [(path, data | {"text": text} if "text" in data else data) for path, data in answers]
    answer_all(client, council, answers)
    response, _ = send(client)
    return response


def test_twelve_submissions_to_one_address_send_at_most_the_cap(council, client, deliver_emails):
    # Half new pledges (confirmations), half the same pledge again ("already pledged" notices).
    texts = [f"I will mentor {n} people." for n in range(6)] + ["I will mentor 0 people."] * 6
    pages = [_journey_to(client, council, VICTIM, text).url for text in texts]
    outbox = deliver_emails()
    assert len(outbox) == 3
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.CAPPED).count() == 9
    # The person sees the same page whether or not their email went.
    assert set(pages) == {"/pledge/check-your-email/"}


def test_the_cap_comes_from_the_settings(db, settings):
    settings.OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR = 5
    statuses = [_queue().status for _ in range(7)]
    assert statuses.count(OutboundEmail.Status.PENDING) == 5


def test_case_and_plus_tags_count_as_the_same_address(db):
    for to in ["Victim@private.example.org", "victim+1@private.example.org", VICTIM]:
        assert _queue(to=to).status == OutboundEmail.Status.PENDING
    assert _queue(to="VICTIM+2@Private.Example.org").status == OutboundEmail.Status.CAPPED


def test_a_capped_email_is_not_queued_for_sending_and_keeps_no_body(db, deliver_emails):
    for _ in range(3):
        _queue()
    capped = _queue()
    assert capped.status == OutboundEmail.Status.CAPPED
    assert capped.body == ""
    assert len(deliver_emails()) == 3


def test_other_addresses_are_not_held_back(db):
    for _ in range(3):
        _queue()
    assert _queue(to="someone.else@private.example.org").status == OutboundEmail.Status.PENDING


def test_emails_an_officer_sends_are_not_capped(db):
    for _ in range(3):
        _queue()
    assert _queue(capped=False).status == OutboundEmail.Status.PENDING
