"""Journeys finished at the same moment, through the web pages: each stored exactly once, no 5xx.

The service-level tests (test_services.py) race pledge_submit itself; these race the whole
request, session and form included, from separate threads with their own connections.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from django.db import connection
from django.test import Client

from pledges.models import Pledge
from tests.pledges.test_journey import RESIDENT_ANSWERS, answer_all


def _in_a_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()  # each thread's own connection

    return run


def _submission_key(client) -> str:
    page = client.get("/pledge/check-answers/").content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_answers_sent_six_times_at_once_are_stored_once(council):
    client = Client()
    answer_all(client, council)
    key = _submission_key(client)
    cookies = client.cookies.output(header="", sep=";")

    @_in_a_thread
    def send(_):
        same_browser = Client()
        same_browser.cookies = SimpleCookie(cookies)
        return same_browser.post("/pledge/check-answers/", {"submission_key": key}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(send, range(6)))

    assert all(status < 500 for status in statuses), statuses
    assert Pledge.objects.filter(submission_key=key).count() == 1
    assert Pledge.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_journeys_finished_at_once_are_each_stored_once(council):
    @_in_a_thread
    def journey(n):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        answers = [
            (path, data | {"email": f"person{n}@private.example.org"} if "email" in data else data)
            for path, data in RESIDENT_ANSWERS
        ]
        answer_all(client, council, answers)
        response = client.post(
            "/pledge/check-answers/", {"submission_key": _submission_key(client)}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(journey, range(12)))

    assert statuses == [302] * 12
    assert sorted(Pledge.objects.values_list("email", flat=True)) == sorted(
        f"person{n}@private.example.org" for n in range(12)
    )
