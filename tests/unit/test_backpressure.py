"""spiders.middlewares.backpressure: article requests wait while the extraction pool's backlog is full;
discovery requests never do; 0 turns the wait off."""

from __future__ import annotations

import asyncio
import time

import pytest
from scrapy import Request

from spiders.middlewares.backpressure import ExtractionBackpressureMiddleware
from spiders.spiders import pool


def sleep_then(value, seconds: float):
    time.sleep(seconds)
    return value


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setattr(pool, "_preloaded", True)
    pool.shutdown()
    yield pool.get(2)
    pool.shutdown()


def _req(kind: str) -> Request:
    return Request("http://127.0.0.1/x", cb_kwargs={"kind": kind, "via": None})


def test_article_requests_wait_for_the_pool_discovery_requests_do_not(two_workers):
    mw = ExtractionBackpressureMiddleware(per_worker=2)  # room for 4 unfinished jobs

    async def main():
        jobs = [asyncio.ensure_future(two_workers.run(sleep_then, i, 0.2)) for i in range(6)]
        await asyncio.sleep(0)
        for kind in ("sitemap", "feed", "listing", "robots", "homepage"):
            assert await asyncio.wait_for(mw.process_request(_req(kind)), 0.05) is None
        article = asyncio.ensure_future(mw.process_request(_req("article")))
        await asyncio.sleep(0.1)
        assert not article.done()  # 6 jobs unfinished, room for 4
        assert await asyncio.wait_for(article, 5) is None
        assert two_workers.backlog < 4
        await asyncio.gather(*jobs)

    asyncio.run(main())


def test_zero_turns_the_wait_off(two_workers):
    mw = ExtractionBackpressureMiddleware(per_worker=0)

    async def main():
        jobs = [asyncio.ensure_future(two_workers.run(sleep_then, i, 0.2)) for i in range(6)]
        await asyncio.sleep(0)
        assert await asyncio.wait_for(mw.process_request(_req("article")), 0.05) is None
        await asyncio.gather(*jobs)

    asyncio.run(main())


def test_no_pool_no_wait(monkeypatch):
    monkeypatch.setattr(pool, "_pool", None)
    mw = ExtractionBackpressureMiddleware(per_worker=1)
    assert asyncio.run(mw.process_request(_req("article"))) is None
