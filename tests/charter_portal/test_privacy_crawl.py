"""Personal data never reaches a public page, export or API: crawl the whole public site."""

import re
from collections import deque

import pytest

from pledges.models import PledgeStatus
from tests.factories import CommitmentFactory, PledgeFactory

SECRETS = {
    "email": "hidden.person@private.example.org",
    "contact_name": "Zebedee Contactname",
    "private_name": "Ophelia Unshown",
    "postcode": "SG2 9ZX",
    "ip_hash": "f" * 64,
}
NOT_PUBLIC_PREFIXES = ("/admin/", "/static/", "/pledge/", "/dashboard/", "/sign-in/")
MAX_PAGES = 400


@pytest.fixture
def pledges_with_secrets(council):
    chells = council.neighbourhoods.get(slug="chells-and-manor")
    commitment = CommitmentFactory()
    pledges = [
        PledgeFactory(
            display_name=SECRETS["private_name"],
            show_name=False,
            contact_name=SECRETS["contact_name"],
            email=SECRETS["email"],
            postcode=SECRETS["postcode"],
            ip_hash=SECRETS["ip_hash"],
            neighbourhood=chells,
            commitments=[commitment],
        ),
        PledgeFactory(
            pledger_type="business",
            display_name="Visible Co-op",
            contact_name=SECRETS["contact_name"],
            email=SECRETS["email"],
            postcode=SECRETS["postcode"],
            commitments=[commitment],
        ),
    ]
    for status in (PledgeStatus.CONFIRMED, PledgeStatus.HELD, PledgeStatus.REJECTED):
        pledges.append(
            PledgeFactory(display_name="Unpublished Shownname", status=status, published_at=None)
        )
    return pledges


OPEN_DATA_AND_SEARCHES = (
    "/",
    "/pledges.json",
    "/pledges.csv",
    "/pledges/counts.json",
    "/pledges/?neighbourhood=chells-and-manor",
    "/pledges/?q=co-op",
    "/pledges/?pledger_type=resident",
)


def crawl(client, start=OPEN_DATA_AND_SEARCHES):
    """Every public page reachable by links from the home page, and the open data."""
    seen, bodies, queue = set(), {}, deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302):
            queue.append(response.url)
            continue
        assert response.status_code in (200, 404), (path, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        bodies[path] = body.decode("utf-8-sig")
        for link in re.findall(r'href="(/[^"#]*)"', bodies[path]):
            link = link.replace("&amp;", "&")
            if not link.startswith(NOT_PUBLIC_PREFIXES) and link not in seen:
                queue.append(link)
    return bodies


def test_no_public_page_or_export_shows_personal_data(client, pledges_with_secrets):
    bodies = crawl(client)
    assert len(bodies) > 15  # the crawl really went round the site
    assert any("Visible Co-op" in body for body in bodies.values())
    for path, body in bodies.items():
        for kind, secret in SECRETS.items():
            assert secret not in body, f"{kind} on {path}"
        assert "Unpublished Shownname" not in body, path


def test_the_search_does_not_find_pledges_by_private_names(client, pledges_with_secrets):
    for words in ("Ophelia", "Zebedee", "hidden.person"):
        page = client.get("/pledges/", {"q": words}).content.decode()
        assert "No pledges match" in page, words
