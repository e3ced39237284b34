"""Versioned Arrow schemas of the lake. Bump ``SCHEMA_VERSION`` on any change and note it in
docs/decisions.md; the warehouse's staging models cast from these names."""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

_TS = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),  # sha256(normalised url)[:32]
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string()),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("domain", pa.string()),
        pa.field("language", pa.string()),
        pa.field("title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("body", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("published_at", _TS),
        pa.field("modified_at", _TS),
        pa.field("date_source", pa.string()),  # jsonld | meta | feed | sitemap | page_text | url | None
        pa.field("fetched_at", _TS, nullable=False),
        pa.field("crawl_date", pa.date32(), nullable=False),
        pa.field("http_status", pa.int16()),
        pa.field("content_hash", pa.string()),  # sha256 of the normalised body text
        pa.field("simhash", pa.uint64()),  # 64-bit simhash of body word shingles
        pa.field("word_count", pa.int32()),
        pa.field("image_url", pa.string()),
        pa.field("views", pa.int64()),
        pa.field("extractor", pa.string()),  # e.g. "newsradar/1 (jsonld+trafilatura)"
        pa.field("schema_version", pa.int16(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ],
    metadata={"newsradar.table": "articles", "newsradar.schema_version": str(SCHEMA_VERSION)},
)

# One row per URL tried. ``outcome`` is one of: article, not_article, unchanged (skipped as known),
# or an error kind: http_404, http_4xx, http_429, http_5xx, timeout, dns, connection, too_large,
# decompression_bomb, redirect_loop, robots_denied, offsite, parse_error, xml_bomb, not_a_feed,
# not_a_sitemap, extract_error, other. Discovery pages fetched fine are not_article (see ``kind``).
FETCH_LOG_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("crawl_date", pa.date32(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("kind", pa.string()),  # what was fetched: robots, feed, sitemap, listing, homepage, article
        pa.field("discovered_via", pa.string()),  # feed | sitemap | listing | robots | homepage | None
        pa.field("fetched_at", _TS, nullable=False),
        pa.field("http_status", pa.int16()),
        pa.field("bytes", pa.int64()),
        pa.field("elapsed_ms", pa.float64()),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("schema_version", pa.int16(), nullable=False),
    ],
    metadata={"newsradar.table": "fetch_log", "newsradar.schema_version": str(SCHEMA_VERSION)},
)

DATE_SOURCES = ("jsonld", "meta", "microdata", "feed", "sitemap", "page_text", "url")
