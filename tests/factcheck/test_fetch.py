"""The fetcher: only public http(s) addresses, within size and redirect limits."""

import pytest
from pytest_django.fixtures import Settings

from factcheck.fetch import FetchError, fetch
from tests.local_http import Handler


def test_fetch_refuses_loopback_unless_allowed_and_other_schemes(
    server: str, settings: Settings
) -> None:
    Handler.routes = {"/ok": (200, "text/plain", b"fine")}
    assert fetch(f"{server}/ok").body == b"fine"
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(FetchError, match="private or loopback"):
        fetch(f"{server}/ok")
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd")


def test_fetch_bounds_size_and_redirects(server: str, settings: Settings) -> None:
    settings.IMPORT_FETCH_MAX_BYTES = 100
    settings.IMPORT_FETCH_MAX_REDIRECTS = 2
    Handler.routes = {
        "/big": (200, "text/plain", b"x" * 101),
        "/a": (302, "", b"/b"),
        "/b": (302, "", b"/c"),
        "/c": (302, "", b"/big"),
        "/r": (302, "", b"/small"),
        "/small": (200, "text/plain", b"ok"),
    }
    with pytest.raises(FetchError, match="101 bytes, over 100"):
        fetch(f"{server}/big")
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(f"{server}/a")
    assert fetch(f"{server}/r").body == b"ok"
