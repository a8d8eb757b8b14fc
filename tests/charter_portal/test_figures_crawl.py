"""Figures the public can trust, across the whole site: on the demo data, no page, download or
dashboard shows "None", a raw decimal ("4990.0000", "267081336.00" on a page) or money with a
hyphen for a minus ("£-500"). Pages are judged by the text people see (not scripts, styles or
attributes); downloads are data, so a share may keep its places there, but never padding or
"None"."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from tests.crawl import fetch, public_pages
from tests.signin import sign_in_verified

NONE = re.compile(r"\bNone\b")
RAW_DECIMAL = re.compile(r"\d+\.\d{3,}")
HYPHEN_MONEY = re.compile(r"£-|-£")
PADDED = re.compile(r"\b\d+\.\d*0000\b")  # 500.0000: a column's padding, not a figure


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _problems(path: str, text: str, patterns) -> list[str]:
    return [
        f"{path}: {pattern.pattern!r} in …{text[max(0, m.start() - 60) : m.end() + 30]}…"
        for pattern in patterns
        for m in pattern.finditer(text)
    ]


def _check(pages) -> list[str]:
    problems = []
    for path, page in pages.items():
        if page.is_html:
            problems += _problems(path, visible_text(page.text), (NONE, RAW_DECIMAL, HYPHEN_MONEY))
        elif page.content_type.startswith(("text/csv", "application/json")):
            problems += _problems(path, page.text, (NONE, PADDED, HYPHEN_MONEY))
    return problems


def test_no_public_page_or_download_shows_none_raw_decimals_or_hyphen_money(seeded, client):
    pages = public_pages(client, skip=(".pdf",), max_pages=600)
    assert len(pages) > 100  # the demo's pages, not an empty site
    assert [path for path, page in pages.items() if page.status != 200] == []
    problems = _check(pages)
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("username", ["officer", "validator", "councillor"])
def test_no_dashboard_shows_none_raw_decimals_or_hyphen_money(seeded, client, username):
    user = get_user_model().objects.filter(username__startswith=username).first()
    assert user is not None, f"no demo user {username}"
    sign_in_verified(client, user)
    pages, queue = {}, ["/dashboard/"]
    while queue:
        path = queue.pop()
        if path in pages:
            continue
        pages[path] = page = fetch(client, path)
        assert page.status == 200, path
        if page.is_html:
            queue += [
                link.replace("&amp;", "&")
                for link in re.findall(r'href="(/dashboard/[^"#]*)"', page.text)
            ]
    assert len(pages) > 2  # the index, a neighbourhood (each one for all but councillors), tables
    problems = _check(pages)
    assert problems == [], "\n".join(problems[:20])
