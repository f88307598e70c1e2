"""The client's address: the TCP peer, or what a trusted proxy says in its headers.

A proxy header is only believed when the direct peer is one of ENCOURS_TRUSTED_PROXIES;
anyone else could send ``X-Forwarded-For: <a new address each time>`` and escape the
per-address login throttling. With a chain of proxies, the address kept is the last one
that is not itself a trusted proxy (the leftmost entries are the client's to write).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from fastapi import Request

from encours.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"
FORWARDED_FOR = re.compile(r'(?:^|[;,\s])for=("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def _address(text: str) -> Address | None:
    value = text.strip().strip('"')
    if value.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # 192.0.2.1:4711
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: Sequence[Network]
) -> bool:
    return address is not None and any(address in network for network in proxies)


def _hops(request: Request) -> list[str]:
    """Addresses the proxies appended, first hop first (Forwarded wins over X-Forwarded-For)."""
    forwarded = request.headers.getlist("forwarded")
    if forwarded:
        return [match.group(1) for value in forwarded for match in FORWARDED_FOR.finditer(value)]
    return [part for value in request.headers.getlist("x-forwarded-for") for part in value.split(",")]


def client_address(request: Request, proxies: Sequence[Network]) -> str:
    peer = request.client.host if request.client else UNKNOWN
    if not _trusted(_address(peer), proxies):
        return peer
    client = peer
    for hop in reversed(_hops(request)):
        address = _address(hop)
        if address is None:
            return client  # garbage from further left is not believed
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


def request_address(request: Request) -> str:
    """The address of this request's client, with the app's trusted proxies."""
    settings: Settings = request.app.state.settings
    return client_address(request, settings.trusted_proxies)
