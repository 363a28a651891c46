"""URLs from outside are accepted only as http(s) URLs every parser reads alike."""

import pytest

from factcheck.links import UnsafeURL, web_url, web_url_check


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(document.cookie)", "only http and https"),
        ("JaVaScRiPt:alert(1)", "only http and https"),
        ("data:text/html,<script>alert(1)</script>", "only http and https"),
        ("vbscript:msgbox(1)", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/a", "only http and https"),
        ("//example.com/a", "only http and https"),
        ("/relative/path", "only http and https"),
        (" javascript:alert(1)", "whitespace or a control character"),
        ("java\tscript:alert(1)", "whitespace or a control character"),
        ("http://127.0.0.1:8000\\@8.8.8.8/x", "backslash"),
        ("http://evil.example\\.good.example/", "backslash"),
        ("http://user:pass@example.com/", "user name or password"),
        ("http://good.example@evil.example/", "user name or password"),
        ("http://0x7f.1/", "parsers read different hosts"),
        ("http://%65vil.example/", "parsers read different hosts"),
        ("http:///path", "no host"),
        ("http://example.com:99999/", "out of range"),
        ("https://example.com/" + "a" * 2000, "longer than 2,000"),
    ],
)
def test_unsafe_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL, match=reason):
        web_url_check(url)


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("https://example.com", "example.com", 443, "/"),
        ("HTTP://Example.COM:8080/a/b?q=1#frag", "example.com", 8080, "/a/b?q=1"),
        ("https://es.wikipedia.org/wiki/España", "es.wikipedia.org", 443, "/wiki/Espa%C3%B1a"),
        ("https://bücher.example/x", "xn--bcher-kva.example", 443, "/x"),
        ("http://[2001:db8::1]:81/", "2001:db8::1", 81, "/"),
    ],
)
def test_http_urls_are_accepted_with_the_parts_every_parser_read(
    url: str, host: str, port: int, target: str
) -> None:
    parsed = web_url(url)

    assert (parsed.host, parsed.port, parsed.target) == (host, port, target)
    assert web_url_check(url) == url
