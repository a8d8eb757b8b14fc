"""Data subject rights: everything held about an email address, exported (JSON and a page)
and erased everywhere, both recorded without the address."""

import json
import re
import uuid

import pytest
from django.contrib.postgres.search import SearchQuery
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection

from audit.access import address_hash
from audit.models import SubjectRequest
from pledges.journey import SESSION_KEY
from pledges.models import Pledge, PledgeUpdate
from pledges.services import PledgeAnswers, pledge_publish, pledge_submit
from tests.factories import CommitmentFactory
from tests.signin import sign_in_verified

EXPORT = "/admin/audit/subjectrequest/export/"
ERASE = "/admin/audit/subjectrequest/erase/"
ADDRESS = "Subject.Person@Private.Example.org"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def subject(council, area_a, officer_a):
    """Everything the portal can come to hold about one person, made the way it is made: two
    pledges (one sent twice: an "already pledged" notice), emails with the manage link, an
    update that quotes the address, a search for it, an unfinished journey's session, and the
    trail's copies of all of it."""
    commitment = CommitmentFactory()

    def submit(text, key):
        return pledge_submit(
            answers=PledgeAnswers(
                pledger_type="resident",
                display_name="Sabine Subject",
                show_name=False,
                contact_name="Sabine Subject",
                email=ADDRESS,
                postcode="SG1 1HN",
                neighbourhood_id=area_a.pk,
                text=text,
                commitment_ids=[commitment.pk],
                contact_consent=True,
            ),
            ip_address="192.0.2.44",
            submission_key=key,
        )

    first = submit("We will grow vegetables for the food bank.", uuid.uuid4().hex)
    submit("We will grow vegetables for the food bank.", uuid.uuid4().hex)  # already pledged
    second = submit(f"Write to me at {ADDRESS.lower()} to help.", uuid.uuid4().hex)
    Pledge.objects.filter(pk__in=[first.pledge.pk, second.pledge.pk]).update(status="confirmed")
    pledge_publish(pledges=[first.pledge, second.pledge], actor=officer_a)
    PledgeUpdate.objects.create(pledge=first.pledge, text=f"Ask {ADDRESS} how it went.")
    journey = SessionStore()
    journey[SESSION_KEY] = {"key": "k", "answers": {"email": ADDRESS, "display_name": "Sabine"}}
    journey.create()
    return {"pledges": [first.pledge, second.pledge], "manage_token": first.manage_token}


def _erase(client, address=ADDRESS, **extra):
    return client.post(
        ERASE, {"email": address, "reason": "Request 2026-117", "confirm": "on", **extra}
    )


def _tables_holding(needle: str) -> list[tuple[str, str, int]]:
    """Every text, varchar, JSON and search-vector column of every table, searched for the
    needle (case-insensitive) through the PostgreSQL catalog; sessions decoded."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                   'tsvector') OR c.udt_name IN ('_text', '_varchar'))
            ORDER BY 1, 2
            """
        )
        columns = cursor.fetchall()
        assert len(columns) > 100  # the catalog really was read
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            if count := cursor.fetchone()[0]:
                found.append((table, column, count))
    store = SessionStore()
    decoded = sum(
        needle.casefold() in json.dumps(store.decode(s.session_data)).casefold()
        for s in Session.objects.all()
    )
    if decoded:
        found.append(("django_session", "session_data (decoded)", decoded))
    return found


def test_erase_by_email_leaves_no_trace_of_the_address_in_any_table(
    client, subject, data_protection
):
    sign_in_verified(client, data_protection)
    # Staff searched for the person and exported their data first: both are recorded too.
    client.get("/admin/pledges/pledge/", {"q": ADDRESS})
    client.post(EXPORT, {"email": ADDRESS, "reason": "Request 2026-117"})
    before = _tables_holding(ADDRESS)
    held = {table for table, _, _ in before}
    assert {"pledges_pledge", "pledges_pledgeupdate", "outbox_outboundemail"} <= held
    assert "django_session" in held
    assert any("event" in table for table in held)  # the trail

    response = _erase(client)

    assert response.status_code == 302
    assert _tables_holding(ADDRESS) == []
    assert _tables_holding(subject["manage_token"]) == []
    assert not Pledge.objects.filter(search_vector=SearchQuery(ADDRESS.lower())).exists()
    assert Pledge.objects.count() == 2  # the pledges stay, without their personal data


def test_the_erasure_is_recorded_by_a_hash_of_the_address(client, subject, data_protection):
    sign_in_verified(client, data_protection)
    _erase(client)
    record = SubjectRequest.objects.get()
    assert (record.kind, record.actor, record.address_hash) == (
        "erasure",
        data_protection,
        address_hash(ADDRESS),
    )
    assert record.counts["pledges"] >= 2
    assert record.counts["outbox"] == 0  # the pledges' erasure had cleared them already
    assert record.counts["sessions"] == 1
    assert "trail" in record.counts  # the pledges' erasure may have scrubbed their trail first
    assert record.reason == "Request 2026-117"


def test_the_export_holds_pledges_updates_emails_and_mentions(client, subject, data_protection):
    sign_in_verified(client, data_protection)
    response = client.post(EXPORT, {"email": ADDRESS, "reason": "SAR 9", "json": "1"})
    assert response["Content-Type"].startswith("application/json")
    export = json.loads(response.content)
    parts = {part["key"]: part["records"] for part in export["parts"]}
    references = {pledge["reference"] for pledge in parts["pledges"]}
    assert references == {pledge.reference for pledge in subject["pledges"]}
    [with_update] = [p for p in parts["pledges"] if p["updates"]]
    assert with_update["updates"][0]["progress"].startswith("Ask ")
    assert {email["kind"] for email in parts["outbox"]} == {
        "confirm",
        "already_pledged",
        "published",
    }
    assert all("body" not in email for email in parts["outbox"])  # the manage link stays private
    assert len(parts["sessions"]) == 1
    assert parts["trail"]
    # The export is recorded, without the address.
    record = SubjectRequest.objects.get()
    assert (record.kind, record.counts["pledges"]) == ("export", 2)
    assert (
        ADDRESS.lower()
        not in json.dumps(list(SubjectRequest.objects.values()), default=str).lower()
    )


def test_the_export_reads_as_a_page(client, subject, data_protection):
    sign_in_verified(client, data_protection)
    page = _text(client.post(EXPORT, {"email": ADDRESS, "reason": "SAR 9"}))
    assert "Pledges, progress updates and their history (2)" in page
    assert "Emails sent to the address (5)" in page
    assert subject["pledges"][0].reference in page
    assert subject["manage_token"] not in page


def test_a_search_for_the_address_is_an_access_log_mention(client, subject, data_protection):
    sign_in_verified(client, data_protection)
    client.get("/admin/pledges/pledge/", {"q": ADDRESS})
    export = json.loads(client.post(EXPORT, {"email": ADDRESS, "reason": "x", "json": "1"}).content)
    [records] = [part["records"] for part in export["parts"] if part["key"] == "audit_records"]
    assert [record["record"] for record in records] == ["A search for the address"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "reason": "x"}, "Enter the email address the request is about"),
        ({"email": "not-an-address", "reason": "x"}, "Enter an email address in the correct"),
        ({"email": ADDRESS, "reason": ""}, "Enter the reason"),
    ],
)
def test_bad_input_shows_the_error_summary(client, data_protection, db, data, message):
    sign_in_verified(client, data_protection)
    for url in (EXPORT, ERASE):
        response = client.post(url, data)
        assert response.status_code == 200
        page = _text(response)
        assert "There is a problem" in page
        assert message in page
    assert not SubjectRequest.objects.exists()


def test_erasure_needs_the_confirmation(client, subject, data_protection):
    sign_in_verified(client, data_protection)
    response = client.post(ERASE, {"email": ADDRESS, "reason": "x"})
    assert "Confirm that everything held about the address is erased" in _text(response)
    assert Pledge.objects.filter(email=ADDRESS).count() == 2


@pytest.mark.parametrize("role", ["officer_a", "cwb_member"])
def test_only_the_data_protection_staff_export_or_erase(request, client, subject, role):
    sign_in_verified(client, request.getfixturevalue(role))
    assert client.get(EXPORT).status_code == 403
    assert _erase(client).status_code == 403
    assert Pledge.objects.filter(email=ADDRESS).count() == 2


def test_the_pages_run_a_bounded_number_of_queries(
    client, subject, data_protection, django_assert_max_num_queries
):
    sign_in_verified(client, data_protection)
    with django_assert_max_num_queries(25):
        assert client.get(EXPORT).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.post(EXPORT, {"email": ADDRESS, "reason": "x"}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(ERASE).status_code == 200


def test_the_export_costs_the_same_queries_for_more_pledges(
    client, subject, data_protection, officer_a
):
    from django.test.utils import CaptureQueriesContext

    sign_in_verified(client, data_protection)
    with CaptureQueriesContext(connection) as few:
        client.post(EXPORT, {"email": ADDRESS, "reason": "x"})
    for pledge in Pledge.objects.all():
        pledge.pk = None
        pledge.reference = uuid.uuid4().hex[:8].upper()
        pledge.submission_key = pledge.manage_token_hash = None
        pledge.save()
    with CaptureQueriesContext(connection) as more:
        client.post(EXPORT, {"email": ADDRESS, "reason": "x"})
    assert len(more) == len(few)


def test_erasing_an_unknown_address_erases_nothing_and_is_recorded(
    client, subject, data_protection
):
    sign_in_verified(client, data_protection)
    assert _erase(client, address="nobody@example.org").status_code == 302
    assert Pledge.objects.filter(email=ADDRESS).count() == 2
    assert SubjectRequest.objects.get().counts["pledges"] == 0
