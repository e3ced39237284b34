"""Typed items the spiders yield. ``ArticleItem`` has exactly the fields of ``ARTICLE_SCHEMA``,
``FetchLogItem`` exactly those of ``FETCH_LOG_SCHEMA`` (a unit test checks both).

The fetch context of an article (bytes, timing, how it was discovered) is not part of the article
record; it travels with the item as a private attribute set by ``attach_fetch`` so that the fetch-log
pipeline can write the URL's single fetch-log row once the article has been validated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from newsradar.schema import SCHEMA_VERSION


@dataclass
class ArticleItem:
    article_id: str | None
    url: str
    source_id: str
    fetched_at: datetime
    crawl_date: date
    run_id: str
    canonical_url: str | None = None
    domain: str | None = None
    language: str | None = None
    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None
    http_status: int | None = None
    content_hash: str | None = None
    simhash: int | None = None
    word_count: int | None = None
    image_url: str | None = None
    views: int | None = None
    extractor: str | None = None
    schema_version: int = SCHEMA_VERSION


@dataclass
class FetchLogItem:
    run_id: str
    source_id: str
    crawl_date: date
    url: str
    fetched_at: datetime
    outcome: str
    kind: str | None = None
    discovered_via: str | None = None
    http_status: int | None = None
    bytes: int | None = None
    elapsed_ms: float | None = None
    error: str | None = None
    schema_version: int = SCHEMA_VERSION


ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleItem))
FETCH_LOG_FIELDS = tuple(f.name for f in dataclasses.fields(FetchLogItem))

_FETCH_ATTR = "_newsradar_fetch"


def attach_fetch(item: ArticleItem, fetch: FetchLogItem) -> ArticleItem:
    """Attach the URL's fetch-log row (outcome filled in by the pipelines) to an article item."""
    object.__setattr__(item, _FETCH_ATTR, fetch)
    return item


def fetch_of(item: ArticleItem) -> FetchLogItem | None:
    return getattr(item, _FETCH_ATTR, None)


def as_row(item: ArticleItem | FetchLogItem) -> dict:
    """The item as a lake row (a plain dict of its fields, without the private fetch context)."""
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
