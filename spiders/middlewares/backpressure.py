"""Hold article requests back while the extraction pool has a full backlog.

On a fast site (the demo newsroom on localhost, a CDN) the crawl downloads pages faster than the
extraction workers turn them into records. Every page fetched ahead of the workers waits in the crawl
process with its response and its callback's chain of middleware coroutines (tens of KB each); Scrapy's
own backpressure (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``) counts bytes per spider, so with many sources and
small pages it let over a thousand pages wait, and the crawl process grew for the whole run.

This middleware makes an article request wait, before it is downloaded, until the shared pool has fewer
than ``NEWSRADAR_EXTRACT_BACKLOG`` jobs per worker unfinished. A waiting request is a small object and
still counts against ``CONCURRENT_REQUESTS``, so the engine stops taking more from the scheduler: the
number of pages held in memory is bounded by the pool's size, not by the length of the run. Discovery
requests (robots.txt, feeds, sitemaps, listings) are never held: they are few, and they feed the crawl.
On a slow or polite crawl the backlog never fills and nothing waits.
"""

from __future__ import annotations

from spiders.spiders import pool


class ExtractionBackpressureMiddleware:
    def __init__(self, per_worker: int) -> None:
        self.per_worker = per_worker

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("NEWSRADAR_EXTRACT_BACKLOG"))

    async def process_request(self, request):
        if self.per_worker <= 0 or request.cb_kwargs.get("kind") != "article":
            return None
        p = pool.current()
        if p is not None:
            await p.room(self.per_worker * p.max_workers)
        return None
