"""Stream validated articles into the lake partition of this run (``newsradar.lake.PartitionWriter``):
hidden temporary file while crawling, merged and published atomically when the spider closes."""

from __future__ import annotations

from newsradar.lake import PartitionWriter
from spiders.items import ArticleItem, as_row


class ArticleParquetPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.writer: PartitionWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.writer = PartitionWriter(
            spider.paths.lake_uri,
            "articles",
            spider.source.id,
            spider.crawl_date,
            spider.run_id,
            row_group_size=self.crawler.settings.getint("NEWSRADAR_LAKE_ROW_GROUP_SIZE", 1000),
        )

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def process_item(self, item):
        if isinstance(item, ArticleItem):
            self.writer.write(as_row(item))
            self.crawler.stats.inc_value("newsradar/articles_written")
        return item
