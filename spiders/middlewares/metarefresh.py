"""Scrapy's ``MetaRefreshMiddleware`` (same settings, same redirects), without decoding every page.

Scrapy's middleware decodes each HTML body (``response.text``: charset detection and a decode of the
whole page) to look for ``<meta http-equiv="refresh">`` in its first 4,096 characters. Almost no
page has one, and the crawl process never needs the text otherwise (articles are decoded in the
extraction pool). So the bytes are checked first: a page whose first 16 KB (4,096 characters are at
most 16 KB in UTF-8, fewer in single-byte encodings) do not contain ``refresh`` in any letter case
cannot declare a refresh in any ASCII-compatible encoding, and is passed on untouched (w3lib rules a
refresh out on the same grounds). Everything else, including pages in UTF-16/32 (NUL bytes), goes
through Scrapy's own check.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.http import HtmlResponse

SCAN_BYTES = 4 * 4096


def may_declare_refresh(body: bytes) -> bool:
    """False when ``body`` certainly declares no meta refresh in its first 4,096 characters."""
    head = body[:SCAN_BYTES]
    return b"\x00" in head or b"refresh" in head.lower()


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    def process_response(self, request, response):
        if isinstance(response, HtmlResponse) and not may_declare_refresh(response.body):
            return response
        return super().process_response(request, response)
