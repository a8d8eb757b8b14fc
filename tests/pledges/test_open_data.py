"""Open data: /pledges.json, /pledges.csv, /pledges/counts.json,
and a crawl of every public pledge output for personal data."""

import csv
import datetime
import io
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from core.csv import BYTE_ORDER_MARK
from pledges.exports import CSV_HEADER
from pledges.models import Commitment, Pledge, PledgerType, PledgeStatus
from tests.factories import PledgeFactory

LONDON = ZoneInfo("Europe/London")
UNPUBLISHED = [s for s in PledgeStatus.values if s != PledgeStatus.PUBLISHED]


def csv_records(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(BYTE_ORDER_MARK)
    return list(csv.DictReader(io.StringIO(body.removeprefix(BYTE_ORDER_MARK))))


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http"
    assert parts.netloc == "testserver"
    return parts.path + (f"?{parts.query}" if parts.query else "")


# /pledges.json


def test_the_json_lists_published_pledges_with_their_public_fields(council, client):
    chells = council.neighbourhoods.get(slug="chells-and-manor")
    buy_local = Commitment.objects.get(code="buy-local")
    pledge = PledgeFactory(
        display_name="Old Town Hardware",
        pledger_type=PledgerType.BUSINESS,
        organisation_size="micro",
        neighbourhood=chells,
        commitments=[buy_local],
        text="We will buy from local wholesalers.",
        target="30% of spend local",
        published_at=datetime.datetime(2025, 6, 4, 10, 30, tzinfo=LONDON),
    )
    response = client.get("/pledges.json")
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "reference": pledge.reference,
                "url": f"http://testserver/pledges/{pledge.reference}/",
                "name": "Old Town Hardware",
                "pledger_type": "business",
                "pledger_type_label": "A business",
                "organisation_size": "micro",
                "neighbourhood": {"slug": "chells-and-manor", "name": "Chells and Manor"},
                "commitments": [
                    {
                        "code": "buy-local",
                        "title": "Buying goods or services from others in the local area",
                        "foundation": "procurement-social-value",
                    }
                ],
                "text": "We will buy from local wholesalers.",
                "target": "30% of spend local",
                "published_at": "2025-06-04T09:30:00+00:00",
            }
        ],
    }


def test_the_json_gives_a_private_name_as_the_anonymous_one(council, client):
    PledgeFactory(display_name="Bartholomew Secretname", show_name=False, neighbourhood=None)
    (result,) = client.get("/pledges.json").json()["results"]
    assert result["name"] == "A local resident"
    assert result["neighbourhood"] is None
    assert result["organisation_size"] is None


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_the_json_leaves_out_unpublished_pledges(council, client, status):
    published = PledgeFactory()
    PledgeFactory(status=status)
    data = client.get("/pledges.json").json()
    assert data["count"] == 1
    assert [r["reference"] for r in data["results"]] == [published.reference]


def test_the_json_lists_the_newest_first(council, client):
    now = timezone.now()
    old = PledgeFactory(published_at=now - datetime.timedelta(days=1))
    new = PledgeFactory(published_at=now)
    results = client.get("/pledges.json").json()["results"]
    assert [r["reference"] for r in results] == [new.reference, old.reference]


def test_the_json_has_a_hundred_pledges_a_page_linked_by_next_and_previous(council, client):
    PledgeFactory.create_batch(205)
    first = client.get("/pledges.json").json()
    assert first["count"] == 205
    assert len(first["results"]) == 100
    assert first["previous"] is None
    assert first["next"] == "http://testserver/pledges.json?page=2"

    second = client.get(local_path(first["next"])).json()
    assert second["previous"] == "http://testserver/pledges.json?page=1"
    assert second["next"] == "http://testserver/pledges.json?page=3"

    third = client.get(local_path(second["next"])).json()
    assert len(third["results"]) == 5
    assert third["next"] is None
    references = {r["reference"] for page in (first, second, third) for r in page["results"]}
    assert len(references) == 205


def test_the_json_with_no_pledges_is_an_empty_first_page(council, client):
    assert client.get("/pledges.json").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize("page", ["0", "3", "abc", "-1", "9" * 400])
def test_the_json_answers_404_for_a_page_that_does_not_exist(council, client, page):
    PledgeFactory.create_batch(3)
    response = client.get(f"/pledges.json?page={page}")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such page."}


# /pledges.csv


def test_the_csv_is_a_streamed_utf8_attachment_called_pledges_csv(council, client):
    PledgeFactory()
    response = client.get("/pledges.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pledges.csv"'


def test_the_csv_has_the_json_fields_flattened(council, client):
    chells = council.neighbourhoods.get(slug="chells-and-manor")
    commitments = list(Commitment.objects.filter(code__in=["buy-local", "careers-advice"]))
    pledge = PledgeFactory(
        display_name="Old Town Hardware",
        pledger_type=PledgerType.BUSINESS,
        organisation_size="micro",
        neighbourhood=chells,
        commitments=commitments,
        text="We will buy from local wholesalers.",
        target="30% of spend local",
        published_at=datetime.datetime(2025, 6, 4, 10, 30, tzinfo=LONDON),
    )
    (record,) = csv_records(client.get("/pledges.csv"))
    assert tuple(record) == CSV_HEADER
    assert record == {
        "reference": pledge.reference,
        "url": f"http://testserver/pledges/{pledge.reference}/",
        "name": "Old Town Hardware",
        "pledger_type": "business",
        "pledger_type_label": "A business",
        "organisation_size": "micro",
        "neighbourhood_slug": "chells-and-manor",
        "neighbourhood_name": "Chells and Manor",
        "commitment_codes": "careers-advice; buy-local",
        "commitments": "Offering careers advice in schools; "
        "Buying goods or services from others in the local area",
        "foundations": "training-skills; procurement-social-value",
        "text": "We will buy from local wholesalers.",
        "target": "30% of spend local",
        "published_at": "2025-06-04T09:30:00+00:00",
    }


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_the_csv_leaves_out_unpublished_pledges(council, client, status):
    published = PledgeFactory()
    PledgeFactory(status=status)
    assert [r["reference"] for r in csv_records(client.get("/pledges.csv"))] == [
        published.reference
    ]


def test_the_csv_lists_the_newest_first(council, client):
    now = timezone.now()
    old = PledgeFactory(published_at=now - datetime.timedelta(days=1))
    new = PledgeFactory(published_at=now)
    records = csv_records(client.get("/pledges.csv"))
    assert [r["reference"] for r in records] == [new.reference, old.reference]


@pytest.mark.parametrize("formula", ["=SUM(1)", "+44 1438 242242", "-2", "@cmd"])
def test_the_csv_defuses_formulas_in_names_texts_and_targets(council, client, formula):
    PledgeFactory(display_name=formula, show_name=True, text=formula, target=formula)
    (record,) = csv_records(client.get("/pledges.csv"))
    assert record["name"] == "'" + formula
    assert record["text"] == "'" + formula
    assert record["target"] == "'" + formula


def test_the_csv_streams_thousands_of_pledges_in_chunks_with_their_commitments(council, client):
    commitments = list(Commitment.objects.all())
    now = timezone.now()
    pledges = Pledge.objects.bulk_create(
        PledgeFactory.build(published_at=now - datetime.timedelta(seconds=i)) for i in range(2500)
    )
    Pledge.commitments.through.objects.bulk_create(
        Pledge.commitments.through(pledge_id=p.pk, commitment_id=commitments[i % 12].pk)
        for i, p in enumerate(pledges)
    )
    records = csv_records(client.get("/pledges.csv"))
    assert len(records) == 2500
    assert all(record["commitment_codes"] for record in records)
    assert records[-1]["reference"] == pledges[-1].reference


# /pledges/counts.json


def test_the_counts_give_published_pledges_by_every_breakdown_and_a_total(council, client):
    chells = council.neighbourhoods.get(slug="chells-and-manor")
    buy_local = Commitment.objects.get(code="buy-local")
    PledgeFactory(
        neighbourhood=chells,
        commitments=[buy_local],
        published_at=datetime.datetime(2025, 6, 4, tzinfo=LONDON),
    )
    PledgeFactory(
        neighbourhood=None,
        pledger_type=PledgerType.EDUCATION,
        published_at=datetime.datetime(2025, 7, 4, tzinfo=LONDON),
    )
    for status in UNPUBLISHED:
        PledgeFactory(status=status, neighbourhood=chells, commitments=[buy_local])
    assert client.get("/pledges/counts.json").json() == {
        "neighbourhoods": {"Chells and Manor": 1, "Town-wide": 1},
        "pledger_types": {"education": 1, "resident": 1},
        "commitments": {"buy-local": 1},
        "foundations": {"procurement-social-value": 1},
        "months": {"2025-06": 1, "2025-07": 1},
        "total": 2,
    }


def test_the_counts_with_no_pledges_are_empty_with_a_total_of_nought(council, client):
    assert client.get("/pledges/counts.json").json()["total"] == 0


# No personal data anywhere


PRIVATE_NAMES = ["Zebedee Quartermaine", "Philippa Wolstenholme", "Ignatius Blenkinsop"]


@pytest.fixture
def pledges_with_secrets(council):
    """Published pledges (enough for two JSON pages) full of private details, and pledges in
    every other status with public-looking names that must not show either."""
    neighbourhoods = [*council.neighbourhoods.all(), None]
    commitments = list(Commitment.objects.all())
    secrets = []
    for i in range(130):
        private = {
            "email": f"secret.pledger{i}@private.example.org",
            "contact_name": f"Contactperson Hiddensurname{i}",
            "postcode": f"SG2 {i % 10}ZQ",
            "ip_hash": f"iphash{i:058d}",
            "hold_reason": f"Holdreason secret {i}",
            "submission_key": f"submissionkey-secret-{i}",
            "duplicate_fingerprint": f"fingerprint-secret-{i}",
            "confirmation_nonce": f"nonce-secret-{i}",
            "manage_token_hash": f"managetoken-secret-{i}",
        }
        hidden_name = PRIVATE_NAMES[i % 3] if i % 2 else ""
        PledgeFactory(
            display_name=hidden_name or f"Open Name {i}",
            show_name=not hidden_name,
            neighbourhood=neighbourhoods[i % len(neighbourhoods)],
            commitments=[commitments[i % len(commitments)]],
            pledger_type=PledgerType.BUSINESS if i % 5 == 0 else PledgerType.RESIDENT,
            **private,
        )
        secrets.extend(private.values())
    for status in UNPUBLISHED:
        PledgeFactory(
            status=status,
            display_name=f"Unpublished Pledger {status}",
            text=f"Unpublished pledge text {status}",
        )
        secrets.extend([f"Unpublished Pledger {status}", f"Unpublished pledge text {status}"])
    return secrets + PRIVATE_NAMES


def crawl(client) -> dict[str, str]:
    """Every public output of the pledge wall: path -> body."""
    bodies = {}
    path = "/pledges/"
    while path:
        body = client.get(path).content.decode()
        bodies[path] = body
        following = re.search(r'href="([^"]+)" rel="next"', body)
        path = "/pledges/" + following.group(1).replace("&amp;", "&") if following else None
    path = "/pledges.json"
    references = []
    while path:
        response = client.get(path)
        bodies[path] = response.content.decode()
        data = response.json()
        references.extend(r["reference"] for r in data["results"])
        path = local_path(data["next"]) if data["next"] else None
    for reference in references:
        bodies[f"/pledges/{reference}/"] = client.get(f"/pledges/{reference}/").content.decode()
    bodies["/pledges.csv"] = b"".join(client.get("/pledges.csv").streaming_content).decode()
    bodies["/pledges/counts.json"] = client.get("/pledges/counts.json").content.decode()
    return bodies


def test_no_public_pledge_output_carries_personal_data(client, pledges_with_secrets):
    bodies = crawl(client)
    assert len([p for p in bodies if p.startswith("/pledges/") and p.count("/") == 3]) >= 130
    assert len([p for p in bodies if p.startswith("/pledges/?") or p == "/pledges/"]) == 7
    assert len([p for p in bodies if p.startswith("/pledges.json")]) == 2
    assert "Open Name 0" in bodies["/pledges.csv"]  # the crawl sees what it should
    leaks = [
        (path, secret)
        for path, body in bodies.items()
        for secret in pledges_with_secrets
        if secret.lower() in body.lower()
    ]
    assert not leaks, leaks[:10]


# The open data follows the wall's filters


def _mixed_pledges(council) -> set[str]:
    """Three businesses and two residents; returns the businesses' references."""
    businesses = PledgeFactory.create_batch(3, pledger_type=PledgerType.BUSINESS)
    PledgeFactory.create_batch(2, pledger_type=PledgerType.RESIDENT)
    return {pledge.reference for pledge in businesses}


def test_the_csv_holds_only_the_pledges_the_filter_chooses(council, client):
    businesses = _mixed_pledges(council)
    records = csv_records(client.get("/pledges.csv", {"pledger_type": "business"}))
    assert {record["reference"] for record in records} == businesses


def test_the_json_holds_only_the_pledges_the_filter_chooses_and_pages_keep_it(
    council, client, monkeypatch
):
    monkeypatch.setattr("pledges.views.wall.JSON_PAGE_SIZE", 2)
    businesses = _mixed_pledges(council)
    first = client.get("/pledges.json", {"pledger_type": "business"}).json()
    assert first["count"] == 3
    assert first["next"] == "http://testserver/pledges.json?pledger_type=business&page=2"
    second = client.get(local_path(first["next"])).json()
    assert {r["reference"] for r in first["results"] + second["results"]} == businesses


def test_an_unknown_filter_value_gives_every_pledge(council, client):
    _mixed_pledges(council)
    assert len(csv_records(client.get("/pledges.csv", {"pledger_type": "robots"}))) == 5


def test_the_walls_download_links_carry_its_filters(council, client):
    _mixed_pledges(council)
    page = client.get("/pledges/", {"pledger_type": "business", "page": "1"}).content.decode()
    assert 'href="/pledges.csv?pledger_type=business"' in page
    assert 'href="/pledges.json?pledger_type=business"' in page
