"""The one way the service makes an outbound HTTP request: feeds, the pages they link to,
ClaimReview URLs, and webhook deliveries all go through `fetch`.

Each request, and each redirect it follows, is checked the same way before a byte is sent:
- the URL must pass factcheck.links.web_url (http(s), no backslash, no credentials, every parser
  reading the same host);
- the host is resolved once, and every address it resolves to must be public (not loopback,
  private, link-local, multicast, reserved or a cloud metadata address) unless
  IMPORT_ALLOW_PRIVATE_NETWORKS is on or the host is named in IMPORT_FETCH_ALLOWED_HOSTS;
- the connection goes to the address that was checked, never to a second resolution of the name
  (a DNS answer that changes between check and connect cannot redirect it), while the Host
  header, TLS server name and certificate check still use the name.
A fetch ends by IMPORT_FETCH_DEADLINE seconds after it started, whatever the server does
(connect, every read and every redirect count against it: a server dripping a byte a second is
cut off), and reads at most IMPORT_FETCH_MAX_BYTES. Webhook deliveries pass their own deadline,
size limit and allowed hosts (WEBHOOK_* settings), and follow no redirect; the rule is the same.
"""

import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urljoin

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from factcheck.links import UnsafeURL, WebURL, web_url

logger = logging.getLogger(__name__)

USER_AGENT = "factcheck/1.0"
# Seconds to wait for a TCP connection (the deadline still bounds it).
CONNECT_TIMEOUT = 10
# How much of a refused answer's body (4xx, 5xx) a FetchError keeps, for logs.
EXCERPT_BYTES = 1024
_REDIRECTS = (301, 302, 303, 307, 308)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The URL cannot be fetched and trying again will not help (refused URL or address, too
    large, 4xx). `status`: the HTTP status that ended it, if any; `body`: the first bytes
    (EXCERPT_BYTES) of that answer."""

    def __init__(self, message: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class FetchUnavailable(FetchError):
    """A transient failure worth retrying later: timeout, deadline, connection error, 5xx, 429."""


@dataclass
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_redirects: int | None = None,
    max_bytes: int | None = None,
    deadline_seconds: float | None = None,
    allowed_hosts: Collection[str] | None = None,
) -> Fetched:
    """Send `method` to `url` (with `headers` and `body`, e.g. a webhook's POST) and return
    the final 2xx response, following at most `max_redirects` redirects (default
    IMPORT_FETCH_MAX_REDIRECTS; 0: a redirect is an error). A 303, or a 301/302 after a POST,
    is followed with a GET and no body; 307 and 308 repeat the request. The whole fetch ends
    within `deadline_seconds` (default IMPORT_FETCH_DEADLINE). `allowed_hosts`: the hosts that
    may resolve to private addresses (default IMPORT_FETCH_ALLOWED_HOSTS, and any host while
    IMPORT_ALLOW_PRIVATE_NETWORKS is on); given, only those.

    Raises FetchError for a refused URL or address, a response over `max_bytes` (default
    IMPORT_FETCH_MAX_BYTES) or a 4xx; FetchUnavailable for what may pass (timeouts, the
    deadline, connection errors, 5xx, 429)."""
    limit = settings.IMPORT_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    redirects = settings.IMPORT_FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    deadline = Deadline(
        settings.IMPORT_FETCH_DEADLINE if deadline_seconds is None else deadline_seconds
    )
    try:
        for _ in range(redirects + 1):
            target = _target(url)
            address = _checked_address(target, allowed_hosts)
            response = _send(target, address, method, sent, body, deadline)
            status = response.status
            excerpt = b""
            if not 200 <= status < 300:
                if status not in _REDIRECTS:
                    excerpt = _excerpt(response)
                response.close()
            if status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url}: redirect without a Location", status=status)
                url = urljoin(url, location)
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                continue
            if status == 429 or status >= 500:
                raise FetchUnavailable(f"{url}: HTTP {status}", status=status, body=excerpt)
            if status >= 300:
                raise FetchError(f"{url}: HTTP {status}", status=status, body=excerpt)
            data = _read(url, response, limit, deadline)
            return Fetched(
                url=url,
                body=data,
                content_type=response.headers.get("Content-Type", ""),
                status=status,
                headers=dict(response.headers),
            )
        raise FetchError(f"{url}: more than {redirects} redirects")
    except FetchError:
        if deadline.expired:
            raise deadline.error(url) from None
        raise
    finally:
        deadline.close()


def _target(url: str) -> WebURL:
    try:
        return web_url(url)
    except UnsafeURL as exc:
        raise FetchError(str(exc)) from None


def address_refused(address: IPAddress) -> bool:
    """Whether `address` is not a public internet address: loopback, private, link-local (cloud
    metadata), multicast, reserved, unspecified, or one of these wrapped in IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and address_refused(embedded):
            return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` resolves to, in the resolver's order. One lookup per request: the
    connection goes to one of these addresses, never to a second lookup of the name."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _checked_address(target: WebURL, allowed_hosts: Collection[str] | None) -> IPAddress:
    """The address to connect to for `target`: the first it resolves to, once every address it
    resolves to passed the check (see fetch for `allowed_hosts`). Raises FetchError (refused)
    or FetchUnavailable (no answer)."""
    try:
        addresses = resolve(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise FetchUnavailable(f"{target.url}: cannot resolve {target.host}: {exc}") from None
    if not addresses:
        raise FetchUnavailable(f"{target.url}: {target.host} has no address")
    named: Collection[str]
    if allowed_hosts is None:
        named = settings.IMPORT_FETCH_ALLOWED_HOSTS
        anywhere = settings.IMPORT_ALLOW_PRIVATE_NETWORKS
        hint = "set IMPORT_ALLOW_PRIVATE_NETWORKS or name the host in IMPORT_FETCH_ALLOWED_HOSTS"
    else:
        named, anywhere = allowed_hosts, False
        hint = "name the host in WEBHOOK_ALLOWED_HOSTS"
    allowed = anywhere or target.host.rstrip(".") in {name.lower().rstrip(".") for name in named}
    if not allowed:
        for address in addresses:
            if address_refused(address):
                raise FetchError(
                    f"{target.url}: {target.host} is a private or loopback address "
                    f"({address}); {hint} to allow it"
                )
    return addresses[0]


class Deadline:
    """The end of a fetch: `remaining()` bounds each wait, and when it passes, every connection
    it watches is shut down, which ends a read blocked on a server that sends a byte now and
    then (a per-read timeout never fires for those)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.name = "fetch-deadline"
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when the deadline passes. A duplicate of its descriptor is kept:
        TLS takes the original socket object over, and shutting down the duplicate ends the
        connection all the same."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shutdown(duplicate)

    def error(self, url: str) -> "FetchUnavailable":
        return FetchUnavailable(
            f"{url}: no complete answer within {self.seconds:g} s (IMPORT_FETCH_DEADLINE)"
        )

    def close(self) -> None:
        self._timer.cancel()
        self._timer.join()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


class _Pinned:
    """What a pinned connection connects to, and the deadline that watches it."""

    def __init__(self, address: IPAddress, deadline: Deadline) -> None:
        self.address = address
        self.deadline = deadline

    def connect(self, conn: HTTPConnection) -> socket.socket:
        """A TCP connection to the checked address (conn.host is only the name it stands for),
        with urllib3's errors and socket options, watched by the deadline."""
        timeout = min(CONNECT_TIMEOUT, self.deadline.remaining())
        try:
            sock = socket.create_connection((str(self.address), conn.port), timeout)
        except TimeoutError as exc:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc
        for option in conn.socket_options or ():
            sock.setsockopt(*option)
        sys.audit("http.client.connect", conn, conn.host, conn.port)
        self.deadline.watch(sock)
        return sock


class _PinnedConnection:
    """Makes a urllib3 connection class connect to a checked address (see _Pinned)."""

    def __init__(self, *args: Any, pinned: _Pinned, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned = pinned

    def _new_conn(self) -> socket.socket:
        return self._pinned.connect(cast(HTTPConnection, self))


class PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


def _send(
    target: WebURL,
    address: IPAddress,
    method: str,
    headers: Mapping[str, str],
    body: bytes | None,
    deadline: Deadline,
) -> urllib3.BaseHTTPResponse:
    """Send one request to `address` and read the response's status and headers."""
    pinned = _Pinned(address, deadline)
    cls = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    conn = cls(target.host, target.port, timeout=deadline.remaining(), pinned=pinned)
    try:
        conn.request(
            method,
            target.target,
            body=body,
            headers={"Host": target.authority, **headers},
            preload_content=False,
        )
        conn.timeout = min(settings.IMPORT_FETCH_TIMEOUT, deadline.remaining())
        return conn.getresponse()
    except urllib3.exceptions.HTTPError as exc:
        conn.close()
        raise FetchUnavailable(f"{target.url}: {exc.__class__.__name__}: {exc}") from exc
    except OSError as exc:  # raised by http.client while sending or reading the headers
        conn.close()
        raise FetchUnavailable(f"{target.url}: {exc.__class__.__name__}: {exc}") from exc


def _excerpt(response: urllib3.BaseHTTPResponse) -> bytes:
    """The first EXCERPT_BYTES of a refused answer's body, or what arrives of them (the deadline
    and the read timeout still bound the wait); b"" if reading fails."""
    try:
        return response.read(EXCERPT_BYTES, decode_content=False) or b""
    except (urllib3.exceptions.HTTPError, OSError):
        return b""


def _read(url: str, response: urllib3.BaseHTTPResponse, limit: int, deadline: Deadline) -> bytes:
    """The body of `response`, at most `limit` bytes, before the deadline."""
    try:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: {int(declared):,} bytes, over {limit:,}")
        chunks, size = [], 0
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url}: over IMPORT_FETCH_MAX_BYTES ({limit:,})")
            chunks.append(chunk)
            if deadline.expired:
                break
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchUnavailable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        response.close()
    if deadline.expired:  # the connection was cut: what was read may be incomplete
        raise deadline.error(url)
    return b"".join(chunks)
