"""The fetcher under attack, each against a real server on 127.0.0.1: a URL that parsers read
differently, a DNS answer that changes between check and connect, redirects to private
addresses, and a server that drips its answer."""

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from factcheck import fetch as fetch_module
from factcheck.fetch import FetchError, FetchUnavailable, address_refused, fetch
from tests.local_http import Handler, serving

SECRET = (200, "text/plain", b"internal secret")


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.mark.parametrize("allow_private", [True, False])
def test_a_backslash_url_never_reaches_the_loopback_server(
    server: str, settings: Settings, allow_private: bool
) -> None:
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = allow_private
    Handler.routes = {"/x": SECRET, "/@8.8.8.8/x": SECRET}

    with pytest.raises(FetchError, match="backslash"):
        fetch(f"http://127.0.0.1:{port_of(server)}\\@8.8.8.8/x")

    assert Handler.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://0x7f.1:{port}/x",  # a browser reads 127.0.0.1
        "http://%31%32%37.0.0.1:{port}/x",
        "http://user@127.0.0.1:{port}/x",
        "http://127.0.0.1:{port}/x\n",
    ],
)
def test_a_url_parsers_read_differently_is_refused_before_any_request(
    server: str, url: str
) -> None:
    Handler.routes = {"/x": SECRET}

    with pytest.raises(FetchError):
        fetch(url.format(port=port_of(server)))

    assert Handler.requests == []


class PublicHandler(Handler):
    """Stands in for a public web server (the test never leaves the machine)."""

    routes: dict[str, tuple[int, str, bytes]] = {}
    requests: list[tuple[str, str, str]] = []


PUBLIC = "93.184.215.14"


@pytest.fixture
def public_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Connections to PUBLIC (any port) reach PublicHandler on 127.0.0.1 instead."""
    PublicHandler.routes = {"/x": (200, "text/plain", b"public page")}
    PublicHandler.requests = []
    with serving(PublicHandler) as base:
        real = socket.create_connection

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
            if address[0] == PUBLIC:
                address = ("127.0.0.1", port_of(base))
            return real(address, *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", create_connection)
        yield base


def test_a_rebinding_resolver_cannot_turn_the_checked_address_into_loopback(
    server: str, public_server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name resolves to a public address first and to loopback on every later lookup: the
    fetch connects to the address it checked, and the loopback server sees nothing."""
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = False
    Handler.routes = {"/x": SECRET}
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = PUBLIC if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.example:{port_of(server)}/x"

    fetched = fetch(url)

    assert fetched.body == b"public page"
    assert lookups == ["rebind.example"]
    assert Handler.requests == []
    assert PublicHandler.requests == [("GET", "/x", f"rebind.example:{port_of(server)}")]


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = False
    Handler.routes = {"/x": SECRET}
    answers = [ipaddress.ip_address(PUBLIC), ipaddress.ip_address("127.0.0.1")]
    monkeypatch.setattr(fetch_module, "resolve", lambda host, port: answers)

    with pytest.raises(FetchError, match=r"private or loopback address \(127.0.0.1\)"):
        fetch(f"http://mixed.example:{port_of(server)}/x")

    assert Handler.requests == []


@pytest.fixture
def internal_host(server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """The local server under the name feeds.internal, which IMPORT_FETCH_ALLOWED_HOSTS allows;
    every other private address stays refused."""
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = False
    settings.IMPORT_FETCH_ALLOWED_HOSTS = ["feeds.internal"]
    real = fetch_module.resolve

    def resolve(host: str, port: int) -> list[Any]:
        if host == "feeds.internal":
            return [ipaddress.ip_address("127.0.0.1")]
        return real(host, port)

    monkeypatch.setattr(fetch_module, "resolve", resolve)
    return f"http://feeds.internal:{port_of(server)}"


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:{port}\\@8.8.8.8/secret",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_private_or_unsafe_target_is_refused(
    internal_host: str, server: str, location: str
) -> None:
    Handler.routes = {
        "/ok": (200, "text/plain", b"fine"),
        "/r": (302, "", location.format(port=port_of(server)).encode()),
        "/secret": SECRET,
    }
    assert fetch(f"{internal_host}/ok").body == b"fine"

    with pytest.raises(FetchError):
        fetch(f"{internal_host}/r")

    assert [path for _method, path, _host in Handler.requests] == ["/ok", "/r"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.100.100.200",  # a cloud metadata address in shared address space
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert address_refused(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not address_refused(ipaddress.ip_address(address))


class DripHandler(BaseHTTPRequestHandler):
    """Sends its answer one byte a second: the body, or already the headers."""

    drip_headers = False

    def do_GET(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
        try:
            if self.drip_headers:
                self.wfile.write(head[:17])
                head = b"X-Slow: " + b"a" * 1000
            self.wfile.write(head)
            self.wfile.flush()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass  # the client hung up

    def log_message(self, *args: object) -> None:
        pass


class HeaderDripHandler(DripHandler):
    drip_headers = True


@pytest.mark.parametrize("handler", [DripHandler, HeaderDripHandler])
def test_a_dripping_server_is_cut_off_at_the_deadline(
    settings: Settings, handler: type[DripHandler]
) -> None:
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    settings.IMPORT_FETCH_TIMEOUT = 5  # each byte comes sooner: a per-read timeout never fires
    settings.IMPORT_FETCH_DEADLINE = 3
    with serving(handler) as base:
        started = time.monotonic()
        with pytest.raises(FetchUnavailable, match="IMPORT_FETCH_DEADLINE"):
            fetch(f"{base}/slow")
        elapsed = time.monotonic() - started

    assert 2.9 < elapsed < 4.5
    assert not [t for t in threading.enumerate() if t.name == "fetch-deadline"]


def test_a_post_with_headers_and_a_body_goes_through_the_same_checks(server: str) -> None:
    Handler.routes = {"/hook": (200, "application/json", b"{}")}

    fetched = fetch(
        f"{server}/hook", method="POST", headers={"X-Signature": "abc"}, body=b'{"a": 1}'
    )

    assert (fetched.status, fetched.body) == (200, b"{}")
    assert Handler.requests == [("POST", "/hook", server.removeprefix("http://"))]
