"""Look at the first bytes of a document to decide what it is, whatever its name or content type says."""

from __future__ import annotations

import re

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_HEAD_BYTES = 64 * 1024
# Skipped before the root element: XML declaration and processing instructions, comments,
# a DOCTYPE (with an internal subset), whitespace.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S | re.I)
_TAG = re.compile(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)")
_XML_ENCODING_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)", re.I)


def head_text(body: bytes, limit: int = _HEAD_BYTES) -> str:
    """The start of the document as text, good enough to look at markup (not for content)."""
    head = body[:limit]
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(enc, errors="replace")
    if len(head) >= 4 and head[0] == 0 and head[1] != 0:
        return head.decode("utf-16-be", errors="replace")
    if len(head) >= 4 and head[1] == 0 and head[0] != 0:
        return head.decode("utf-16-le", errors="replace")
    return head.decode("latin-1")


def root_element(head: str, *, strict: bool = False) -> str | None:
    """Local name (lowercased, prefix dropped) of the first element, or None if none is visible.

    ``strict``: only an element right after the prolog counts (no junk before it)."""
    pos = 0
    while True:
        m = _PROLOG_ITEM.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _TAG.match(head, pos)
    if m:
        return m.group(1).rsplit(":", 1)[-1].lower()
    if strict:
        return None
    m = _TAG.search(head, pos)  # junk before the root (a stray PI, text): take the first tag seen
    return m.group(1).rsplit(":", 1)[-1].lower() if m else None


def first_char(head: str) -> str:
    stripped = head.lstrip()
    return stripped[:1]


def declared_xml_encoding(body: bytes) -> str | None:
    m = _XML_ENCODING_DECL.match(body[:1024])
    return m.group(1).decode("ascii").lower() if m else None


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._\-]+)", content_type, re.I)
    return m.group(1).lower() if m else None


_JUNK_WINDOW = 4096
_XML_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:RDF", b"<urlset", b"<sitemapindex")


def skip_leading_junk(body: bytes, wanted_roots: set[str]) -> tuple[bytes, int]:
    """Cut text a server printed before the document (PHP warnings, a stray ``<br />``).

    Only when the document does not already start with one of ``wanted_roots`` and the XML start
    is within the first 4 KB. Returns the body and the number of bytes removed (0: unchanged).
    """
    if root_element(head_text(body), strict=True) in wanted_roots:
        return body, 0
    window = body[:_JUNK_WINDOW]
    positions = [p for p in (window.find(mark) for mark in _XML_STARTS) if p > 0]
    if not positions:
        return body, 0
    cut = min(positions)
    rest = body[cut:]
    if root_element(head_text(rest), strict=True) not in wanted_roots:
        return body, 0
    return rest, cut
