"""The address of the client that sent a request, behind however many trusted proxies.

Each proxy appends the address it received the request from to `X-Forwarded-For`, so only the
right-hand end of the header is written by machines we trust; anything to the left of that may
be typed by the client. We therefore walk from the right: REMOTE_ADDR (the nearest proxy), then
the header's entries right to left, skipping the hops we trust, and take the first one we do not.

- No trusted proxy configured: REMOTE_ADDR, and the header is ignored (anyone can send one).
- CHARTER_TRUSTED_PROXIES (addresses or CIDRs): skip hops while they are in the list. When the
  request did not come from a listed proxy at all, the header is ignored.
- CHARTER_TRUSTED_PROXY_COUNT (used when no list is set): the last that many hops are proxies.

An entry that is not an address (a typo, "unknown", a client's junk) stops the walk: the last
address we trust is used instead, which holds such clients together rather than letting a made-up
value through.
"""

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parsed(value: str) -> IPAddress | None:
    """An address from a header entry, or None. Accepts "[v6]:port" and "v4:port" forms."""
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def client_address_from(
    *, remote_addr: str, forwarded_for: str, proxies: Sequence[str] = (), proxy_count: int = 0
) -> str:
    """The client's address from REMOTE_ADDR and X-Forwarded-For, trusting the given proxies."""
    remote = _parsed(remote_addr)
    if remote is None:
        return remote_addr.strip()[:45]
    if not proxies and proxy_count <= 0:
        return str(remote)
    entries = forwarded_for.split(",") if forwarded_for.strip() else []
    hops = [remote] + [_parsed(entry) for entry in reversed(entries)]
    networks = _networks(tuple(proxies))
    client = remote
    for position, hop in enumerate(hops):
        if hop is None:
            break  # not an address: keep the last one a trusted proxy gave us
        client = hop
        if networks:
            trusted = any(hop in network for network in networks)
        else:
            trusted = position < proxy_count
        if not trusted:
            break
    return str(client)


def client_address(request) -> str:
    """The address of the client that sent `request`, as our trusted proxies report it."""
    return client_address_from(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        proxies=settings.CHARTER_TRUSTED_PROXIES,
        proxy_count=settings.CHARTER_TRUSTED_PROXY_COUNT,
    )
