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
            return head[len(bom):].decode(enc, errors="replace")
    if len(head) >= 4 and head[0] == 0 and head[1] != 0:
        return head.decode("utf-16-be", errors="replace")
    if len(head) >= 4 and head[1] == 0 and head[0] != 0:
        return head.decode("utf-16-le", errors="replace")
    return head.decode("latin-1")


def root_element(head: str) -> str | None:
    """Local name (lowercased, prefix dropped) of the first element, or None if none is visible."""
    pos = 0
    while True:
        m = _PROLOG_ITEM.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _TAG.match(head, pos)
    if m:
        return m.group(1).rsplit(":", 1)[-1].lower()
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
