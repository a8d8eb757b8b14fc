"""The pledge rate rule behind a reverse proxy: keyed on the real client, not on what it types."""

import pytest

from pledges.models import Pledge
from tests.pledges.test_journey import RESIDENT_ANSWERS, answer_all, send

PROXY = "10.0.0.5"


def submit_through(client, council, n, **headers):
    answers = [
        (path, data | {"text": f"I will mentor {n} people."} if "text" in data else data)
        for path, data in RESIDENT_ANSWERS
    ]
    answer_all(client, council, answers)
    client.defaults.update(headers)
    try:
        response, _ = send(client)
    finally:
        for header in headers:
            client.defaults.pop(header)
    assert response.url == "/pledge/check-your-email/"


def held_count():
    return Pledge.objects.exclude(hold_reason="").count()


@pytest.mark.parametrize(
    "trust", [{"CHARTER_TRUSTED_PROXY_COUNT": 1}, {"CHARTER_TRUSTED_PROXIES": [PROXY]}]
)
def test_rotating_the_leftmost_forwarded_for_does_not_get_past_the_rate_rule(
    council, client, settings, trust
):
    for name, value in trust.items():
        setattr(settings, name, value)
    for n in range(6):
        submit_through(
            client,
            council,
            n,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.9",
        )
    assert Pledge.objects.count() == 6
    assert held_count() == 5


def test_different_clients_behind_the_proxy_are_not_held_together(council, client, settings):
    settings.CHARTER_TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        submit_through(
            client, council, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        )
    assert Pledge.objects.count() == 6
    assert held_count() == 0


def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(council, client, settings):
    settings.CHARTER_TRUSTED_PROXY_COUNT = 0
    settings.CHARTER_TRUSTED_PROXIES = []
    for n in range(2):
        submit_through(
            client, council, n, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
    assert held_count() == 1
