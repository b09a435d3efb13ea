"""Reading pages in tests."""

import re

#: The value of every src= and href= attribute (quoted either way).
LINKED = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def linked_urls(html: str) -> list[str]:
    """Every address the page loads or links to: asset and link URLs, not text (a random
    CSRF token may well contain "cdn")."""
    return LINKED.findall(html)


def no_cdn(html: str) -> bool:
    """No asset or link of the page points at a content delivery network."""
    return not any("cdn" in url.lower() for url in linked_urls(html))
