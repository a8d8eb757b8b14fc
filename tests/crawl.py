"""A crawl of the public site by its links, for tests that check every public page."""

import re
from collections import deque
from dataclasses import dataclass

# Staff and private areas, and the pledge journey (session-bound questions, fetched separately).
NOT_PUBLIC_PREFIXES = ("/admin/", "/static/", "/pledge/", "/dashboard/", "/sign-in/", "/account/")
START = (
    "/",
    "/pledges.json",
    "/pledges.csv",
    "/pledges/counts.json",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
)


@dataclass(frozen=True)
class Page:
    path: str
    status: int
    content_type: str
    body: bytes
    location: str = ""

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8-sig")


def fetch(client, path: str) -> Page:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Page(
        path,
        response.status_code,
        response.get("Content-Type", ""),
        body,
        response.get("Location", ""),
    )


def public_pages(client, start=START, max_pages=400, skip=()) -> dict[str, Page]:
    """Every public page reachable by links from `start`, by path (redirects followed), but
    those whose path (before any query) ends with one of `skip` (e.g. ".pdf")."""
    seen, pages, queue = set(), {}, deque(start)
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        if path in seen or (skip and path.split("?")[0].endswith(tuple(skip))):
            continue
        seen.add(path)
        page = fetch(client, path)
        if page.status in (301, 302) and page.location.startswith("/"):
            queue.append(page.location)
            continue
        pages[path] = page
        if page.is_html:
            for link in re.findall(r'href="(/[^"#]*)"', page.text):
                link = link.replace("&amp;", "&")
                if not link.startswith(NOT_PUBLIC_PREFIXES) and link not in seen:
                    queue.append(link)
    return pages
