"""Write the fetch log: exactly one row per URL tried, to ``<lake>/fetch_log/source=.../crawl_date=...``.

Rows come from ``FetchLogItem``s the spider yields (discovery pages, not-articles, failures), from
article items that reached the end of the pipeline (outcome ``article``), and from article items
another pipeline dropped (``extract_error`` for invalid ones, ``unchanged`` for in-run duplicates).
Counts by outcome go to the crawl stats (``newsradar/outcome/<outcome>``) for progress and summary.
Keep this pipeline last.
"""

from __future__ import annotations

import logging

from scrapy import signals

from spiders.items import ArticleItem, FetchLogItem, as_row, fetch_of
from spiders.pipelines.dedupe import DuplicateItem
from spiders.pipelines.partition import PartitionPipeline

log = logging.getLogger(__name__)


class FetchLogPipeline(PartitionPipeline):
    table = "fetch_log"

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        # bound once: every attribute lookup on Scrapy 2.19's stats collector runs a Python __getattribute__
        self._inc_stat = crawler.stats.inc_value
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    def record(self, row: FetchLogItem) -> None:
        inc = self._inc_stat
        inc(f"newsradar/outcome/{row.outcome}")
        if row.http_status is not None:
            inc("newsradar/pages_fetched")
        if self.writer is not None:
            self.writer.write(as_row(row))

    def process_item(self, item):
        if isinstance(item, FetchLogItem):
            self.record(item)
        elif isinstance(item, ArticleItem):
            fetch = fetch_of(item)
            if fetch is None:
                log.warning("article item without fetch context: %s", item.url)
            else:
                fetch.outcome, fetch.error = "article", None
                self.record(fetch)
        return item

    def item_dropped(self, item, response, exception, spider=None) -> None:
        if not isinstance(item, ArticleItem) or (fetch := fetch_of(item)) is None:
            return
        fetch.outcome = "unchanged" if isinstance(exception, DuplicateItem) else "extract_error"
        fetch.error = str(exception)[:2000]
        log.info("dropped %s: %s", item.url, exception)
        self.record(fetch)

    def item_error(self, item, response, failure, spider=None) -> None:
        if not isinstance(item, ArticleItem) or (fetch := fetch_of(item)) is None:
            return
        fetch.outcome, fetch.error = "other", f"pipeline error: {failure.value!r}"[:2000]
        self.record(fetch)
