"""Normalise article items: canonical URL form, ``article_id``, whitespace.

``normalise_url`` is also what the spider uses before it compares a discovered URL with the lake,
so that ``https://Example.org/a?utm_source=x#top`` and ``https://example.org/a`` are one article.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from spiders.items import ArticleItem

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga"}
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE_CHARS = (
    "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\f\v"
)
_SPACES = re.compile(f"[ {_SPACE_CHARS}]+")
# the same replacement, matching only where it changes something (runs of 2+, or any space but " ")
_SPACES_TO_FIX = re.compile(f"[ {_SPACE_CHARS}]{{2,}}|[{_SPACE_CHARS}]")
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """Lowercase scheme and host, drop default ports, fragments and tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, ...). Other query parameters keep their order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id_for(url: str) -> str:
    """``sha256(normalised url)`` as hex, first 32 characters."""
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()[:32]


def clean_line(text: str | None) -> str | None:
    """Collapse all whitespace to single spaces; empty becomes ``None``."""
    if text is None:
        return None
    out = " ".join(_SPACES.sub(" ", text).split())
    return out or None


def clean_body(text: str | None) -> str | None:
    """Collapse spaces within lines, strip lines, keep paragraph breaks (at most one blank line)."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Collapsing spaces line by line equals collapsing them in the whole text (no space class matches a
    # line break); most bodies have nothing to collapse, which substring tests find faster than a regex.
    if "  " in text or any(c in text for c in _SPACE_CHARS):
        text = _SPACES_TO_FIX.sub(" ", text)
    text = "\n".join(map(str.strip, text.split("\n")))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    out = text.strip()
    return out or None


class NormalisePipeline:
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        item.url = normalise_url(item.url)
        item.article_id = article_id_for(item.url)
        if item.canonical_url:
            item.canonical_url = normalise_url(item.canonical_url)
        if item.domain:
            item.domain = item.domain.lower()
        for name in ("title", "subtitle", "section", "language", "date_source", "image_url", "extractor"):
            setattr(item, name, clean_line(getattr(item, name)))
        item.body = clean_body(item.body)
        item.authors = _clean_list(item.authors)
        item.tags = _clean_list(item.tags)
        return item


def _clean_list(values: list[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for v in values or []:
        c = clean_line(v)
        if c and c not in seen:
            seen[c] = None
    return list(seen)
