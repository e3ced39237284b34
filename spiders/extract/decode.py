"""Layer 0: bytes to text. HTTP ``Content-Type`` charset, then BOM / ``<meta charset>`` /
``http-equiv``, then detection (strict UTF-8 first, then charset-normalizer)."""

from __future__ import annotations

from collections.abc import Mapping

from w3lib.encoding import html_to_unicode


def _header(headers: Mapping | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() != name:
            continue
        if isinstance(value, list | tuple):  # Scrapy Headers hold lists of bytes
            value = value[0] if value else None
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return value
    return None


def _detect(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported lazily: only undeclared non-UTF-8 pages need it

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best else None


def decode_html(html: bytes | str, headers: Mapping | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``. Text input is returned as is (encoding ``"unicode"``)."""
    if isinstance(html, str):
        return html, "unicode"
    content_type = _header(headers, "content-type")
    encoding, text = html_to_unicode(content_type, html, default_encoding="utf-8", auto_detect_fun=_detect)
    return text, encoding
