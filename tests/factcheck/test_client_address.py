"""The client address every per-address limit counts by: the connecting peer, unless a proxy
named in TRUSTED_PROXIES forwarded the request."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from factcheck.clientaddr import client_address, trusted_proxies_check

CHAIN = "6.6.6.6, 198.51.100.7, 10.1.2.3"


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded_for", "client"),
    [
        ([], "203.0.113.9", "198.51.100.7", "203.0.113.9"),  # no proxies: the header is noise
        (["127.0.0.1"], "203.0.113.9", "198.51.100.7", "203.0.113.9"),  # peer not a proxy
        (["127.0.0.1"], "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        # The client wrote the left part itself; our proxy appended the address it saw.
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", CHAIN, "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", CHAIN, "10.1.2.3"),  # 10.1.2.3 is not trusted here
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, not-an-address", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_address_believes_forwarded_for_only_from_trusted_proxies(
    proxies: list[str], peer: str, forwarded_for: str, client: str
) -> None:
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_address(peer=peer, forwarded_for=forwarded_for) == client


def test_a_malformed_trusted_proxy_stops_start_up() -> None:
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        trusted_proxies_check(["10.0.0.0/8", "proxy.example"])
