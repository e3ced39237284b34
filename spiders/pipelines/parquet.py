"""Stream validated articles into the lake partition of this run (``newsradar.lake.PartitionWriter``):
hidden temporary file while crawling, merged and published atomically when the spider closes."""

from __future__ import annotations

from spiders.items import ArticleItem, as_row
from spiders.pipelines.partition import PartitionPipeline


class ArticleParquetPipeline(PartitionPipeline):
    table = "articles"

    def process_item(self, item):
        if isinstance(item, ArticleItem):
            self.writer.write(as_row(item))
            self.crawler.stats.inc_value("newsradar/articles_written")
        return item
