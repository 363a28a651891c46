"""The address a request really comes from, the one every per-address limit counts by (API
throttles, failed sign-ins).

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as it
was written by a proxy of ours: TRUSTED_PROXIES lists them (addresses or networks; none by
default). Reading the header from the right, each hop added by a trusted proxy names the one
before it; the first address that is not a trusted proxy is the client. Without trusted proxies
the client is the connecting peer, whatever the header says, so a rotating header buys nothing.
"""

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def trusted_proxies_check(proxies: list[str]) -> None:
    """Raises ImproperlyConfigured unless every entry is an address or a network."""
    _trusted(tuple(proxies))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(*, peer: str, forwarded_for: str) -> str:
    """The client's address: `peer` (REMOTE_ADDR) unless it is a trusted proxy, then the
    right-most address of `forwarded_for` that is not a trusted proxy (a malformed entry ends
    the walk at the last trusted hop's word)."""
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    client = peer
    if not networks or not forwarded_for:
        return client
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not _is_trusted(client, networks):
            break
        try:
            client = str(ipaddress.ip_address(hop))
        except ValueError:
            break
    return client


def request_client_address(request: HttpRequest) -> str:
    """The client address of `request` (after ClientAddressMiddleware, its REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address (client_address), so Django, DRF's throttles
    (NUM_PROXIES 0: they read REMOTE_ADDR alone) and django-axes count by the same address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.META["REMOTE_ADDR"] = client_address(
            peer=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        )
        return self.get_response(request)
