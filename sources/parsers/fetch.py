"""A careful HTTP fetcher for imports: http and https only, timeouts, a size limit, a bounded
number of redirects (each one checked again), and no private or loopback addresses unless
IMPORT_ALLOW_PRIVATE_NETWORKS is on (the tests turn it on to reach their local server)."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

_http = urllib3.PoolManager(retries=False, headers={"User-Agent": "factcheck-importer/1.0"})


class FetchError(Exception):
    """The URL cannot be fetched and trying again will not help (bad URL, refused address,
    too large, 4xx)."""


class FetchUnavailable(FetchError):
    """A transient failure worth retrying later: timeout, connection error, 5xx, 429."""


@dataclass
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str


def fetch(url: str) -> Fetched:
    """GET `url` within the configured limits. Raises FetchError or FetchUnavailable."""
    limit = settings.IMPORT_FETCH_MAX_BYTES
    timeout = urllib3.Timeout(connect=10, read=settings.IMPORT_FETCH_TIMEOUT)
    for _ in range(settings.IMPORT_FETCH_MAX_REDIRECTS + 1):
        _check_url(url)
        try:
            response = _http.request(
                "GET", url, redirect=False, preload_content=False, timeout=timeout
            )
        except urllib3.exceptions.HTTPError as exc:
            raise FetchUnavailable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url}: redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status == 429 or response.status >= 500:
                raise FetchUnavailable(f"{url}: HTTP {response.status}")
            if response.status >= 400:
                raise FetchError(f"{url}: HTTP {response.status}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"{url}: {int(declared):,} bytes, over {limit:,}")
            chunks, size = [], 0
            try:
                for chunk in response.stream(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"{url}: over IMPORT_FETCH_MAX_BYTES ({limit:,})")
                    chunks.append(chunk)
            except urllib3.exceptions.HTTPError as exc:
                raise FetchUnavailable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
            return Fetched(url, b"".join(chunks), response.headers.get("Content-Type", ""))
        finally:
            response.release_conn()
    raise FetchError(f"{url}: more than {settings.IMPORT_FETCH_MAX_REDIRECTS} redirects")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    if not parts.hostname:
        raise FetchError(f"{url}: no host")
    if settings.IMPORT_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchUnavailable(f"{url}: cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(
                f"{url}: {parts.hostname} is a private or loopback address ({address}); "
                "set IMPORT_ALLOW_PRIVATE_NETWORKS to allow it"
            )
