"""The spider's article queue (spiders.spiders.news): discovered article URLs wait as small tuples and
become requests only while the engine has room; start() ends only when nothing is left that could
queue more. The engine here is a stand-in with the four things the queue looks at."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from scrapy.utils.test import get_crawler

from newsradar.settings import Paths
from newsradar.sources import Source
from spiders.spiders.news import NewsSpider

SOURCE = Source.model_validate(
    {
        "id": "q",
        "name": "Queue Times",
        "homepage": "http://127.0.0.1:9/",
        "languages": ["en"],
        "timezone": "UTC",
        "article_url": r"/news/\d{4}/",
        "discovery": {"robots": False, "autodiscover": False, "sitemaps": ["http://127.0.0.1:9/sitemap.xml"]},
        "limits": {"max_pages": 50},
    }
)


class Box:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Engine:
    """needs_backout() once ``room`` requests were taken; ``busy`` while other work is in progress."""

    def __init__(self, room: int, busy: bool = True):
        self.room = room
        self.busy = busy
        self.taken = 0
        self.scheduler = Box(has_pending_requests=lambda: False)
        self.downloader = Box(active=set())
        self.scraper = Box(slot=Box(is_idle=lambda: not self.busy))

    def needs_backout(self) -> bool:
        return self.taken >= self.room


def spider_with(engine, tmp_path) -> NewsSpider:
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider(
        source=SOURCE, paths=Paths.from_env(tmp_path), run_id="r", crawl_date=date(2026, 3, 2)
    )
    spider.crawler = crawler
    crawler.engine = engine
    return spider


def url(n: int) -> str:
    return f"http://127.0.0.1:9/news/2026/03/01/story-{n}"


def test_urls_wait_as_tuples_and_become_requests_only_while_there_is_room(tmp_path):
    engine = Engine(room=3)
    spider = spider_with(engine, tmp_path)
    published = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for n in range(10):
        assert list(spider._candidate(url(n), "sitemap", published=published)) == []  # queued, no row
    assert list(spider._candidate(url(3), "sitemap")) == []  # seen already: not queued twice
    assert len(spider.articles) == 10 and spider.requested == 10

    async def main():
        gen = spider._article_requests()
        requests = []
        for _ in range(3):
            requests.append(await anext(gen))
            engine.taken += 1
        pending = asyncio.ensure_future(anext(gen))
        await asyncio.sleep(0.05)
        assert not pending.done()  # the engine has no room: the rest stay tuples
        assert len(spider.articles) == 7
        engine.room = 10
        spider._wake()  # Scrapy's scheduler_empty signal
        requests.append(await asyncio.wait_for(pending, 1))
        engine.taken += 1
        while len(requests) < 10:
            requests.append(await asyncio.wait_for(anext(gen), 1))
            engine.taken += 1
        # a discovery callback still running queues more; the generator waits for it, then ends
        late = asyncio.ensure_future(anext(gen))
        await asyncio.sleep(0.05)
        assert not late.done()
        engine.room = 11
        list(spider._candidate(url(99), "feed"))
        requests.append(await asyncio.wait_for(late, 1))
        engine.taken += 1
        engine.busy = False
        end = asyncio.ensure_future(anext(gen))
        try:
            await asyncio.wait_for(end, 2)
        except StopAsyncIteration:
            pass
        else:
            raise AssertionError("start() went on with nothing left to do")
        return requests

    requests = asyncio.run(main())
    assert [r.url for r in requests] == [url(n) for n in range(10)] + [url(99)]  # in the order found
    assert requests[0].cb_kwargs["hints"] == {
        "published_at": published,
        "modified_at": None,
        "date_source": "sitemap",
    }
    assert requests[-1].cb_kwargs["hints"] == {} and requests[-1].cb_kwargs["via"] == "feed"
    assert spider.requested == 11  # each URL counted once against limits.max_pages


def test_max_pages_counts_queued_urls(tmp_path):
    spider = spider_with(Engine(room=100), tmp_path)
    for n in range(80):
        list(spider._candidate(url(n), "sitemap"))
    assert len(spider.articles) == 50  # limits.max_pages
    assert spider.crawler.stats.get_value("newsradar/skipped_max_pages") == 30
