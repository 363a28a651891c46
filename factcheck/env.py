"""Typed readers for environment variables that fail loudly on bad values.

Every deployment difference comes from the environment (docs/configuration.md lists them);
these helpers keep the settings (`factcheck/settings/`) declarative and make a typo in a value
stop start-up with the variable's name instead of silently falling back to a default.
"""

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envnetworks(name: str, default: str) -> list[IPv4Network | IPv6Network]:
    """A list of networks in CIDR notation (a lone address is a network of one)."""
    try:
        return [ip_network(item, strict=False) for item in envlist(name, default)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def envorigins(name: str, default: str) -> list[str]:
    """Web origins (`https://tool.example.org`, a port if not the scheme's own), or ["*"]: any
    origin. A path, a trailing slash, another scheme, or "*" among origins stops start-up."""
    origins = envlist(name, default)
    if origins == ["*"]:
        return origins
    for origin in origins:
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or origin != (f"{parts.scheme}://{parts.netloc}")
        ):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin such as https://tool.example.org "
                "(scheme and host, no path), nor * alone"
            )
    return origins
