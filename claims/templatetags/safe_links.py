"""`{% load safe_links %}`: URLs from outside rendered as links only when they are plain http(s).

`{{ value|safe_url }}` is the URL when factcheck.links.web_url accepts it and "" otherwise, so a
template writes `{% with href=value|safe_url %}{% if href %}<a href="{{ href }}">...</a>{% else
%}{{ value }}{% endif %}{% endwith %}` and a `javascript:` or `data:` URL shows as plain text.
"""

from django import template

from factcheck.links import web_url_or_empty

register = template.Library()


@register.filter
def safe_url(value: object) -> str:
    """The URL if it is an absolute http(s) URL every parser reads alike, else ""."""
    return web_url_or_empty(value if isinstance(value, str) else "")
