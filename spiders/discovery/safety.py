"""Defences shared by the feed and sitemap parsers: capped gunzip and refusal of XML entities.

Both run on the raw bytes *before* any XML parser sees them, so neither lxml nor feedparser's
expat/sgml parsers can be made to expand an entity or fetch an external one.
"""

from __future__ import annotations

import zlib

from spiders.discovery.errors import DiscoveryError

#: Default cap on the decompressed size of a gzip body (sitemaps.org allows 50 MB uncompressed).
MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 256 * 1024

# A document can only declare entities inside a DOCTYPE. We look for both markers in the encodings
# an XML parser would auto-detect from the first bytes (UTF-8/ASCII-compatible, UTF-16, UTF-32).
_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")

# Loose parsers accept any case, so the search runs on ``body.lower()`` (ASCII bytes only change).
_DOCTYPE_MARKS = tuple((enc, "<!doctype".encode(enc)) for enc in _ENCODINGS)
_ENTITY_MARKS = tuple((enc, "<!entity".encode(enc)) for enc in _ENCODINGS)


def is_gzip(body: bytes) -> bool:
    return body[:2] == GZIP_MAGIC


def gunzip_capped(body: bytes, *, max_bytes: int = MAX_DECOMPRESSED_BYTES, url: str | None = None) -> bytes:
    """Decompress a gzip body in streaming fashion, refusing more than ``max_bytes`` of output.

    Handles multi-member gzip files. Never allocates more than ``max_bytes`` plus one chunk.
    """
    out = bytearray()
    data = body
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        while pending:
            try:
                chunk = d.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise DiscoveryError(
                    "parse_error", f"corrupt gzip data after {len(out)} bytes: {exc}", url=url
                ) from None
            out += chunk
            if len(out) > max_bytes:
                raise DiscoveryError(
                    "decompression_bomb",
                    f"gzip body ({len(body)} bytes compressed) decompresses to more than {max_bytes} bytes; refused",
                    url=url,
                )
            pending = d.unconsumed_tail
            if d.eof:
                break
        if not d.eof:
            raise DiscoveryError(
                "parse_error",
                f"truncated gzip data: stream ends after {len(out)} decompressed bytes",
                url=url,
            )
        data = d.unused_data
        if data and not is_gzip(data):
            break  # trailing garbage after the last member: ignored, as gzip(1) does
    return bytes(out)


def maybe_gunzip(body: bytes, *, max_bytes: int = MAX_DECOMPRESSED_BYTES, url: str | None = None) -> bytes:
    """Decompress when the body starts with the gzip magic bytes (whatever the file name says)."""
    return gunzip_capped(body, max_bytes=max_bytes, url=url) if is_gzip(body) else body


def refuse_xml_entities(body: bytes, *, url: str | None = None) -> None:
    """Raise ``DiscoveryError(kind="xml_bomb")`` if the document declares any XML entity.

    Entity declarations only live in a DOCTYPE; feeds and sitemaps have no use for them, and
    they are how billion-laughs and external-entity (XXE) attacks work. A DOCTYPE without entity
    declarations (old RSS 0.91 feeds reference a DTD) is fine: no parser we use loads it.
    """
    low = body.lower()
    if not any(mark in low for _, mark in _DOCTYPE_MARKS):
        return
    for enc, mark in _ENTITY_MARKS:
        pos = low.find(mark)
        if pos >= 0:
            raise DiscoveryError(
                "xml_bomb",
                f"document declares XML entities (<!ENTITY at byte {pos}, {enc}); entity "
                "expansion and external entities are refused",
                url=url,
            )
