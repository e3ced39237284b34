"""Validate article items before anything else touches them: required fields and types.

An invalid item is dropped (``DropItem``); the fetch-log pipeline records the URL's row with
outcome ``extract_error`` and the reason.
"""

from __future__ import annotations

from datetime import date, datetime

from scrapy.exceptions import DropItem

from spiders.items import ArticleItem

_STR = ("url", "source_id", "run_id")
_OPT_STR = (
    "canonical_url",
    "domain",
    "language",
    "title",
    "subtitle",
    "body",
    "section",
    "date_source",
    "content_hash",
    "image_url",
    "extractor",
)
_OPT_INT = ("http_status", "word_count", "views", "simhash")
_OPT_TS = ("published_at", "modified_at")
_INT_RANGES = {
    "http_status": (0, 2**15 - 1),
    "word_count": (0, 2**31 - 1),
    "views": (0, 2**63 - 1),
    "simhash": (0, 2**64 - 1),
}


class InvalidItem(DropItem):
    """An article item failed validation (recorded as ``extract_error``)."""


def problems(item: ArticleItem) -> list[str]:
    errs: list[str] = []
    for name in _STR:
        v = getattr(item, name)
        if not isinstance(v, str) or not v.strip():
            errs.append(f"{name}: required non-empty string, got {v!r}")
    for name in _OPT_STR:
        v = getattr(item, name)
        if v is not None and not isinstance(v, str):
            errs.append(f"{name}: expected a string, got {type(v).__name__}")
    for name in _OPT_INT:
        v = getattr(item, name)
        if v is None:
            continue
        lo, hi = _INT_RANGES[name]
        if isinstance(v, bool) or not isinstance(v, int):
            errs.append(f"{name}: expected an integer, got {type(v).__name__}")
        elif not lo <= v <= hi:
            errs.append(f"{name}: {v} out of range [{lo}, {hi}]")
    for name in (*_OPT_TS, "fetched_at"):
        v = getattr(item, name)
        if v is None and name != "fetched_at":
            continue
        if not isinstance(v, datetime):
            errs.append(f"{name}: expected a datetime, got {type(v).__name__}")
        elif v.tzinfo is None or v.utcoffset() is None:
            errs.append(f"{name}: datetime must be timezone-aware")
    if not isinstance(item.crawl_date, date) or isinstance(item.crawl_date, datetime):
        errs.append(f"crawl_date: expected a date, got {type(item.crawl_date).__name__}")
    for name in ("authors", "tags"):
        v = getattr(item, name)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            errs.append(f"{name}: expected a list of strings")
    if not (item.body or "").strip() and not (item.title or "").strip():
        errs.append("no title and no body extracted")
    return errs


class ValidatePipeline:
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        errs = problems(item)
        if errs:
            raise InvalidItem(f"invalid article {item.url!r}: " + "; ".join(errs))
        return item
