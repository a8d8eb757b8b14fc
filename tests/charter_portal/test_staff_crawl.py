"""No staff page answers 5xx: a crawl signed in as each demo role, on the demo data.

From admin's index: every changelist and add page it links to, one change page per model, and the
pages those link to (object tools: history, events, uploads, imports). From the staff home and
the dashboards: every staff page they link to (the filtered admin lists included).
"""

import re
from collections import deque

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.signin import sign_in_verified

DEMO_ROLES = ("officer", "validator", "dataprotection", "councillor", "admin")
START = ("/staff/", "/admin/", "/dashboard/", "/balance-sheets/manage/", "/sign-in/settings/")
STAFF_PREFIXES = (
    "/staff/",
    "/admin/",
    "/dashboard/",
    "/balance-sheets/manage/",
    "/sign-in/settings/",
)
# Signing out would end the crawl; deleting is a superuser's rare task, not a page to crawl.
NOT_CRAWLED = re.compile(r"^/admin/(logout|r|jsi18n)/|/delete/|^/admin/password_change/")
CHANGE_PAGE = re.compile(r"^/admin/(\w+)/(\w+)/[^/]+/change/$")
MAX_PAGES = 600


def _links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"#]*)"', html)]


def staff_crawl(client) -> dict[str, int]:
    """Status by path of every staff page reachable from START, one change page per model.

    Admin's own links are followed without their query (sorting and filter links would multiply
    the pages without reaching new code); the staff home's filtered lists keep theirs."""
    statuses: dict[str, int] = {}
    seen, queue = set(), deque(START)
    change_pages_of: set[tuple[str, str]] = set()
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code in (301, 302):
            location = response.get("Location", "")
            if location.startswith(STAFF_PREFIXES):
                queue.append(location)
            continue
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            continue
        from_admin = path.startswith("/admin/")
        for link in _links(response.content.decode()):
            if from_admin:
                link = link.split("?")[0]
            if not link.startswith(STAFF_PREFIXES) or NOT_CRAWLED.search(link) or link in seen:
                continue
            change = CHANGE_PAGE.match(link.split("?")[0])
            if change:
                if change.groups() in change_pages_of:
                    continue
                change_pages_of.add(change.groups())
            queue.append(link)
    return statuses


@pytest.fixture
def crawl_client():
    # A 500 is a response to record, not an exception that ends the crawl.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_no_staff_page_answers_5xx_for_a_demo_role(seeded, crawl_client, username):
    user = get_user_model().objects.get(username=username)
    sign_in_verified(crawl_client, user)
    statuses = staff_crawl(crawl_client)
    failures = {path: status for path, status in statuses.items() if status >= 500}
    assert not failures, f"{username}: {len(failures)} of {len(statuses)} pages failed: {failures}"
    assert len(statuses) < MAX_PAGES, "the crawl stopped before reaching every page"


def test_the_crawl_reaches_admin_pages_of_every_kind(seeded, crawl_client):
    sign_in_verified(crawl_client, get_user_model().objects.get(username="officer"))
    statuses = staff_crawl(crawl_client)
    visited = set(statuses)
    assert "/admin/pledges/pledge/" in visited
    assert "/admin/metrics/metricvalue/add/" in visited
    assert any(CHANGE_PAGE.match(path) for path in visited)
    assert any(path.startswith("/balance-sheets/manage/") for path in visited)
