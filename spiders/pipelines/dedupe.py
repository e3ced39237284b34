"""Drop a second article with the same ``article_id`` within one run (e.g. the same page reached
through two URLs that normalise alike). The fetch log records it as ``unchanged``."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from spiders.items import ArticleItem


class DuplicateItem(DropItem):
    """The article was already yielded in this run."""


class DedupePipeline:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        if item.article_id in self.seen:
            raise DuplicateItem(f"duplicate article in this run: {item.url}")
        self.seen.add(item.article_id)
        return item
