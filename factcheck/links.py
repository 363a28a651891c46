"""URLs that come from outside (feed links, ClaimReview and table review URLs, fetch targets,
webhook endpoints): accepted only when they are absolute http(s) URLs that every parser reads
alike.

Three parsers look at a URL on its way through the service: Python's `urlsplit` (what our own
checks read), urllib3's `parse_url` (what the HTTP client reads) and a WHATWG parser (ada, what
browsers read when the URL is rendered as a link). A URL they disagree on (`http://a\\@b/`
reaches `a` in a browser and `b` in urlsplit) is refused rather than interpreted, and so is
anything they may normalise differently: backslashes, whitespace and control characters, user
names and passwords, and hosts in other than their plain form.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import ada_url
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

# The length of every URL column (Source.url, Verdict.review_url, Citation.url).
MAX_URL_CHARS = 2000
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Backslash, C0 controls, space and DEL: parsers strip, keep or reinterpret them differently.
_AMBIGUOUS = re.compile(r"[\x00-\x20\x7f\\]")


class UnsafeURL(ValueError):
    """The URL is refused; the message says why, for the person who supplied it."""


@dataclass(frozen=True)
class WebURL:
    """An accepted URL: as given, and the parts every parser agreed on."""

    url: str
    scheme: str  # "http" or "https"
    host: str  # lower case ASCII (IDNA); an IPv6 address without brackets
    port: int  # explicit, or the scheme's default
    target: str  # the request target: path and query, as the WHATWG parser normalised them

    @property
    def authority(self) -> str:
        """The Host header's value: the host, and the port unless it is the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def web_url(url: str) -> WebURL:
    """`url` checked and parsed: an absolute http(s) URL of at most MAX_URL_CHARS characters,
    without user name or password, whose scheme, host and port urlsplit, urllib3 and the WHATWG
    parser read alike. Raises UnsafeURL naming the reason."""
    shown = url if len(url) <= 100 else url[:97] + "..."
    if len(url) > MAX_URL_CHARS:
        raise UnsafeURL(f"{shown!r}: longer than {MAX_URL_CHARS:,} characters")
    bad = _AMBIGUOUS.search(url)
    if bad:
        what = "a backslash" if bad.group() == "\\" else "whitespace or a control character"
        raise UnsafeURL(f"{shown!r}: contains {what}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"{shown!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsafeURL(f"{shown!r}: only http and https URLs are accepted")
    if "@" in parts.netloc:
        raise UnsafeURL(f"{shown!r}: a user name or password in a URL is refused")
    if not parts.hostname:
        raise UnsafeURL(f"{shown!r}: no host")
    try:
        whatwg = ada_url.URL(url)
        client = parse_url(url)
    except (ValueError, LocationParseError):
        raise UnsafeURL(f"{shown!r}: not a valid URL") from None
    host = whatwg.hostname.strip("[]")
    readings = {
        (scheme, _ascii_host(parts.hostname), port or _DEFAULT_PORTS[scheme]),
        (
            (client.scheme or "").lower(),
            _ascii_host((client.host or "").strip("[]")),
            client.port or _DEFAULT_PORTS[scheme],
        ),
        (whatwg.protocol.rstrip(":"), host, int(whatwg.port or _DEFAULT_PORTS[scheme])),
    }
    if len(readings) != 1:
        raise UnsafeURL(f"{shown!r}: parsers read different hosts from it")
    return WebURL(
        url=url,
        scheme=scheme,
        host=host,
        port=port or _DEFAULT_PORTS[scheme],
        target=(whatwg.pathname or "/") + whatwg.search,
    )


def web_url_check(url: str) -> str:
    """`url` if web_url accepts it; raises UnsafeURL otherwise. For importers that store a URL
    from outside: the one check every stored URL passes."""
    return web_url(url).url


def _ascii_host(host: str) -> str:
    """`host` lower case, a non-ASCII name in its IDNA (ASCII) form."""
    host = host.lower()
    if host.isascii():
        return host
    try:
        encoded = ada_url.idna_to_ascii(host)  # bytes, as idna.encode documents
    except ValueError:
        return host
    return encoded.decode("ascii")


def web_url_or_empty(url: str | None) -> str:
    """`url` if web_url accepts it, else "": for whatever renders a URL from outside as a link
    or hands it on (templates, ClaimReview JSON-LD), so a value stored before the import checks,
    or typed in by hand, never becomes a `javascript:` link."""
    if not url:
        return ""
    try:
        return web_url(url).url
    except UnsafeURL:
        return ""
