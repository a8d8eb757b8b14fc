"""The client's address behind trusted proxies: taken from the right of X-Forwarded-For."""

import pytest

from core.client_address import client_address_from

PROXY = "10.0.0.5"


def test_without_trusted_proxies_the_header_is_ignored():
    address = client_address_from(remote_addr="198.51.100.9", forwarded_for="203.0.113.1")
    assert address == "198.51.100.9"


def test_behind_one_proxy_the_address_it_appended_is_the_client():
    address = client_address_from(
        remote_addr=PROXY, forwarded_for="203.0.113.66, 198.51.100.9", proxy_count=1
    )
    assert address == "198.51.100.9"


def test_behind_two_proxies_the_second_from_the_right_is_the_client():
    address = client_address_from(
        remote_addr=PROXY, forwarded_for="203.0.113.66, 198.51.100.9, 10.0.0.4", proxy_count=2
    )
    assert address == "198.51.100.9"


def test_listed_proxies_are_skipped_from_the_right():
    address = client_address_from(
        remote_addr=PROXY,
        forwarded_for="203.0.113.66, 198.51.100.9, 10.0.0.4",
        proxies=["10.0.0.0/24"],
    )
    assert address == "198.51.100.9"


def test_a_request_not_from_a_listed_proxy_has_its_header_ignored():
    address = client_address_from(
        remote_addr="198.51.100.9", forwarded_for="203.0.113.66", proxies=["10.0.0.0/24"]
    )
    assert address == "198.51.100.9"


@pytest.mark.parametrize("junk", ["unknown", "", "not-an-address", "999.1.1.1"])
def test_junk_where_the_client_should_be_falls_back_to_the_proxy(junk):
    address = client_address_from(remote_addr=PROXY, forwarded_for=junk, proxy_count=1)
    assert address == PROXY


def test_ports_and_brackets_are_dropped():
    assert (
        client_address_from(remote_addr=PROXY, forwarded_for="[2001:db8::1]:4711", proxy_count=1)
        == "2001:db8::1"
    )
    assert (
        client_address_from(remote_addr=PROXY, forwarded_for="198.51.100.9:4711", proxy_count=1)
        == "198.51.100.9"
    )
