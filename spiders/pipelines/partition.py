"""Shared base of the pipelines that stream rows into one lake partition of this run."""

from __future__ import annotations

from newsradar.lake import PartitionWriter


class PartitionPipeline:
    """Opens a ``PartitionWriter`` for ``table`` when the spider opens; publishes it when it closes."""

    table: str

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
            self.table,
            spider.source.id,
            spider.crawl_date,
            spider.run_id,
            row_group_size=self.crawler.settings.getint("NEWSRADAR_LAKE_ROW_GROUP_SIZE", 1000),
        )

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
