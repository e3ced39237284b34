"""The one generic news spider: driven by a ``Source`` (sources.yaml), it discovers article URLs
from robots.txt, sitemaps, feeds, listing pages and ``<link rel=alternate>`` feeds, fetches the
new or changed ones and yields typed items. It only parses and yields: writing is the pipelines'
job; extraction runs in a process pool, off the reactor thread.

Every URL tried yields exactly one fetch-log row (directly as a ``FetchLogItem``, or attached to the
``ArticleItem`` and written by the fetch-log pipeline once the article passed validation).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.http import Request, Response

from newsradar.lake import known_articles
from newsradar.settings import Paths
from newsradar.sources import ListingPage, Source
from spiders import discovery
from spiders.discovery.errors import DiscoveryError
from spiders.items import ArticleItem, FetchLogItem, attach_fetch
from spiders.pipelines.normalise import normalise_url
from spiders.spiders import pool
from spiders.spiders.outcomes import classify

log = logging.getLogger(__name__)

MIN_DOWNLOAD_DELAY = 0.001
IDLE_CHECK_S = 0.25  # how often start() looks whether the crawl ran out of work while it waits for more
EXTRACT_FIELDS = (
    "canonical_url", "domain", "language", "title", "subtitle", "body", "authors", "section", "tags",
    "published_at", "modified_at", "date_source", "content_hash", "simhash", "word_count", "image_url",
    "views", "extractor",
)  # fmt: skip


_WORKER_SOURCES: dict[bytes, Source] = {}  # in a pool worker: unpickled sources by their pickle


def _extract(body: bytes, url: str, source: bytes, headers: dict[str, str], hints: dict) -> dict:
    """Runs in a pool worker. ``source`` is the pickled ``Source``, pickled once per spider and
    unpickled once per worker (re-pickling the model for every page cost the reactor thread)."""
    from spiders.extract import extract_article

    src = _WORKER_SOURCES.get(source)
    if src is None:
        if len(_WORKER_SOURCES) >= 256:
            _WORKER_SOURCES.clear()
        src = _WORKER_SOURCES[source] = pickle.loads(source)
    return extract_article(body, url, source=src, headers=headers, hints=hints)


def _parse_listing(
    body: bytes, url: str, next_selector: str | None
) -> tuple[list[str], str | Exception | None]:
    """Runs in a pool worker: a listing page's links and, with a selector, its next-page link (or the
    selector's error, raised by the spider where it decides to follow it)."""
    links = discovery.listing_links(body, url)
    nxt: str | Exception | None = None
    if next_selector:
        try:
            nxt = discovery.next_page_link(body, url, next_selector)
        except ValueError as exc:
            nxt = exc
    return links, nxt


def _parse_homepage(body: bytes, url: str, autodiscover: bool) -> tuple[list[str], list[str]]:
    """Runs in a pool worker: the feeds a homepage advertises (with ``autodiscover``) and its links."""
    feeds = discovery.alternate_feeds(body, url) if autodiscover else []
    return feeds, discovery.listing_links(body, url)


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _with_param(url: str, param: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, str(value)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: Source,
        paths: Paths,
        run_id: str,
        crawl_date: date,
        since: date | None = None,
        until: date | None = None,
        extract_workers: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(name=f"news:{source.id}", **kwargs)
        self.source = source
        self.paths = paths
        self.run_id = run_id
        self.crawl_date = crawl_date
        self.since = since
        self.until = until
        self.extract_workers = extract_workers
        self.allowed_domains = source.domains
        self.known: dict[str, tuple[datetime, datetime | None]] = {}
        self.seen: set[str] = set()  # normalised URLs already scheduled or logged in this run
        self.max_bytes = source.limits.max_response_bytes
        self.requested = 0  # requests made by this spider (retries excluded), capped by limits.max_pages
        # Article URLs to fetch, in the order found: (url, via, published, modified). ``start()`` turns
        # them into requests only while the downloader has room, so a sitemap that lists 100,000 URLs
        # costs 100,000 small tuples, not 100,000 queued ``Request`` objects with their dicts.
        self.articles: deque[tuple[str, str, datetime | None, datetime | None]] = deque()
        self.queued = 0  # article URLs ever put in ``articles``
        self._more: asyncio.Event | None = None  # set when articles are queued or the engine wants work
        self.source_pickle = pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        source: Source = kwargs["source"]
        limits = source.limits
        s = crawler.settings
        for name, value in (
            ("CONCURRENT_REQUESTS_PER_DOMAIN", limits.concurrency),
            # Scrapy 2.19's downloader starts every queued request of a slot at once when the delay is
            # exactly 0 (the per-domain concurrency check runs before any download is marked as
            # transferring), so a zero delay becomes a tiny one to keep CONCURRENT_REQUESTS_PER_DOMAIN.
            ("DOWNLOAD_DELAY", max(limits.download_delay, MIN_DOWNLOAD_DELAY)),
            ("DOWNLOAD_TIMEOUT", limits.download_timeout),
            ("DOWNLOAD_MAXSIZE", limits.max_response_bytes),
            ("DOWNLOAD_WARNSIZE", min(s.getint("DOWNLOAD_WARNSIZE"), limits.max_response_bytes)),
            ("CLOSESPIDER_PAGECOUNT", limits.max_pages),
        ):
            s.set(name, value, priority="spider")
        kwargs.setdefault("extract_workers", s.getint("NEWSRADAR_EXTRACT_WORKERS"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_bytes = s.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(spider._wake, signal=signals.scheduler_empty)
        return spider

    # ---- helpers -------------------------------------------------------------------------------

    def _row(self, url: str, outcome: str, *, kind: str | None, via: str | None, response: Response | None = None,
             status: int | None = None, error: str | None = None) -> FetchLogItem:  # fmt: skip
        latency = response.meta.get("download_latency") if response is not None else None
        return FetchLogItem(
            run_id=self.run_id,
            source_id=self.source.id,
            crawl_date=self.crawl_date,
            url=url,
            fetched_at=datetime.now(UTC),
            outcome=outcome,
            kind=kind,
            discovered_via=via,
            http_status=response.status if response is not None else status,
            bytes=len(response.body) if response is not None else None,
            elapsed_ms=round(latency * 1000, 3) if latency is not None else None,
            error=error[:2000] if error else None,
        )

    def _request(self, url: str, callback, *, kind: str, via: str | None, counted: bool = False,
                 **extra) -> Request:  # fmt: skip
        if not counted:
            self.requested += 1
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs={"kind": kind, "via": via, **extra},
            meta={"newsradar_url": url},
            # The spider dedupes URLs itself (``self.seen``); Scrapy's filter would also silently drop a
            # redirect back to a URL already visited, and a redirect loop would leave no fetch-log row.
            dont_filter=True,
        )

    async def _in_pool(self, func, *args, **kwargs):
        """``func(*args, **kwargs)`` in the extraction pool. Parsing a fetched body (sitemaps, feeds,
        listings, articles) is pure and the slow part of a callback; run there, it keeps the crawl's one
        thread free to download, and at start-up it uses workers that have no article to extract yet."""
        return await pool.get(self.extract_workers).run(func, *args, **kwargs)

    def _on_site(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.source.domains)

    def _in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        day = when.astimezone(self.source.tz).date()
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    # ---- start ---------------------------------------------------------------------------------

    async def start(self):
        self.known = known_articles(self.paths.lake_uri, self.source.id)
        pool.acquire()
        self._pool_acquired = True
        pool.warm_up(self.extract_workers)
        log.info("%s: %d articles already in the lake", self.source.id, len(self.known))
        d = self.source.discovery
        home = self.source.homepage
        if d.robots:
            robots = urljoin(home, "/robots.txt")
            self.seen.add(normalise_url(robots))
            req = self._request(robots, self.parse_robots, kind="robots", via=None)
            req.meta["dont_obey_robotstxt"] = True
            yield req
        for url in d.feeds:
            if self._schedule_once(url):
                yield self._request(url, self.parse_feed, kind="feed", via=None)
        for url in d.sitemaps:
            if self._schedule_once(url):
                yield self._request(url, self.parse_sitemap, kind="sitemap", via=None)
        for page in d.listing_pages:
            if self._schedule_once(page.url):
                yield self._listing_request(page, page.url, 1)
        if d.autodiscover or not (d.feeds or d.sitemaps or d.listing_pages or d.robots):
            if self._schedule_once(home):
                yield self._request(home, self.parse_homepage, kind="homepage", via=None)
        async for request in self._article_requests():
            yield request

    async def _article_requests(self) -> AsyncIterator[Request]:
        """The queued article URLs as requests, each made when the engine has room for it (Scrapy's
        lazy start requests: ``needs_backout``, woken by ``scheduler_empty``). Ends when the queue is
        empty and nothing else is left that could add to it: no request scheduled, downloading or
        being parsed."""
        engine = self.crawler.engine
        self._more = asyncio.Event()
        while True:
            self._more.clear()
            while self.articles and not engine.needs_backout():
                url, via, published, modified = self.articles.popleft()
                hints: dict = {}
                if published or modified:
                    hints = {"published_at": published, "modified_at": modified, "date_source": via}
                yield self._request(
                    url, self.parse_article, kind="article", via=via, counted=True, hints=hints
                )
            if not self.articles and self._out_of_work(engine):
                return
            try:
                await asyncio.wait_for(self._more.wait(), IDLE_CHECK_S)
            except TimeoutError:
                pass

    @staticmethod
    def _out_of_work(engine) -> bool:
        """Nothing scheduled, downloading or in a callback: no discovery can queue articles any more."""
        scheduler = engine.scheduler
        return not (
            (scheduler is not None and scheduler.has_pending_requests())
            or engine.downloader.active
            or not engine.scraper.slot.is_idle()
        )

    def _wake(self) -> None:
        if self._more is not None:
            self._more.set()

    def _schedule_once(self, url: str) -> bool:
        key = normalise_url(url)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def closed(self, reason: str) -> None:
        if getattr(self, "_pool_acquired", False):
            pool.release()
            self._pool_acquired = False

    # ---- discovery callbacks -------------------------------------------------------------------

    def parse_robots(self, response: Response, kind: str, via: str | None):
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        sitemaps = discovery.sitemaps_from_robots(text, response.url)
        yield self._row(response.meta["newsradar_url"], "not_article", kind=kind, via=via, response=response)
        for url in sitemaps:
            if self._on_site(url) and self._schedule_once(url):
                yield self._request(url, self.parse_sitemap, kind="sitemap", via="robots")

    async def parse_sitemap(self, response: Response, kind: str, via: str | None):
        origin = response.meta["newsradar_url"]
        try:
            sitemap = await self._in_pool(
                discovery.parse_sitemap, response.body, response.url, default_tz=self.source.tz,
                max_bytes=self.max_bytes,
            )  # fmt: skip
        except DiscoveryError as exc:
            yield self._row(origin, exc.kind, kind=kind, via=via, response=response, error=str(exc))
            return
        warn = "; ".join(sitemap.warnings) if sitemap.recovered or sitemap.warnings else None
        yield self._row(origin, "not_article", kind=kind, via=via, response=response, error=warn)
        if sitemap.kind == "index":
            for entry in sitemap.entries:
                lastmod = _as_utc(entry.lastmod)
                if (
                    self.since
                    and lastmod is not None
                    and lastmod.astimezone(self.source.tz).date() < self.since
                ):
                    continue  # nothing in it can be newer than its lastmod
                if self._schedule_once(entry.loc):
                    yield self._request(entry.loc, self.parse_sitemap, kind="sitemap", via="sitemap")
            return
        for entry in sitemap.entries:
            for out in self._candidate(
                entry.loc, "sitemap", published=_as_utc(entry.published_at), modified=_as_utc(entry.lastmod)
            ):
                yield out

    async def parse_feed(self, response: Response, kind: str, via: str | None):
        origin = response.meta["newsradar_url"]
        ctype = response.headers.get(b"Content-Type")
        try:
            entries = await self._in_pool(
                discovery.parse_feed,
                response.body,
                response.url,
                ctype.decode("latin-1") if ctype else None,
                default_tz=self.source.tz,
                max_bytes=self.max_bytes,
            )
        except DiscoveryError as exc:
            yield self._row(origin, exc.kind, kind=kind, via=via, response=response, error=str(exc))
            return
        yield self._row(origin, "not_article", kind=kind, via=via, response=response)
        for entry in entries:
            for out in self._candidate(
                entry.url, "feed", published=_as_utc(entry.published_at), modified=_as_utc(entry.modified_at)
            ):
                yield out

    async def parse_homepage(self, response: Response, kind: str, via: str | None):
        yield self._row(response.meta["newsradar_url"], "not_article", kind=kind, via=via, response=response)
        feeds, links = await self._in_pool(
            _parse_homepage, response.body, response.url, self.source.discovery.autodiscover
        )
        for url in feeds:
            if self._on_site(url) and self._schedule_once(url):
                yield self._request(url, self.parse_feed, kind="feed", via="homepage")
        for url in links:
            for out in self._candidate(url, "homepage", quiet=True):
                yield out

    def _listing_request(self, page: ListingPage, url: str, n: int) -> Request:
        return self._request(url, self.parse_listing, kind="listing", via="listing" if n > 1 else None,
                             listing_url=page.url, page_no=n)  # fmt: skip

    async def parse_listing(self, response: Response, kind: str, via: str | None, listing_url: str,
                            page_no: int):  # fmt: skip
        yield self._row(response.meta["newsradar_url"], "not_article", kind=kind, via=via, response=response)
        page = next((p for p in self.source.discovery.listing_pages if p.url == listing_url), None)
        pag = page.pagination if page else None
        links, next_link = await self._in_pool(
            _parse_listing, response.body, response.url, pag.next_selector if pag else None
        )
        queued = self.queued
        for url in links:
            for item in self._candidate(url, "listing", quiet=True):
                yield item
        new = self.queued - queued
        if pag is None or page_no >= pag.max_pages:
            return
        if not new:
            return  # nothing new on this page: older pages hold nothing new either
        if pag.next_selector:
            if isinstance(next_link, Exception):
                raise next_link
            nxt = next_link
        else:
            nxt = _with_param(listing_url, pag.param, pag.start + page_no)
        if nxt and self._on_site(nxt) and self._schedule_once(nxt):
            yield self._listing_request(page, nxt, page_no + 1)

    # ---- article candidates --------------------------------------------------------------------

    def _candidate(self, url: str, via: str, *, published: datetime | None = None,
                   modified: datetime | None = None, quiet: bool = False) -> Iterator:  # fmt: skip
        """Decide whether to fetch a discovered URL: queue it for ``start()`` or yield its fetch-log row."""
        if not url or urlsplit(url).scheme not in ("http", "https"):
            return
        key = normalise_url(url)
        if key in self.seen:
            return
        if not self._on_site(key):
            if not quiet:
                self.seen.add(key)
                yield self._row(key, "offsite", kind="article", via=via, error="outside the source's domains")
            return
        if not self.source.is_article_url(key):
            return
        if not self._in_window(published or modified):
            return
        if self.requested >= self.source.limits.max_pages:
            # limits.max_pages: stop scheduling here (CLOSESPIDER_PAGECOUNT alone would still let every
            # request already queued in the downloader through)
            self.crawler.stats.inc_value("newsradar/skipped_max_pages")
            return
        self.seen.add(key)
        known = self.known.get(key)
        if known is not None:
            fetched_at = _as_utc(known[0])
            if modified is None or fetched_at is None or modified <= fetched_at:
                yield self._row(key, "unchanged", kind="article", via=via, error=None)
                return
        self.requested += 1
        self.queued += 1
        self.articles.append((key, via, published, modified))
        self._wake()

    async def parse_article(self, response: Response, kind: str, via: str | None, hints: dict):
        origin = response.meta["newsradar_url"]
        ctype = response.headers.get(b"Content-Type")
        headers = {"Content-Type": ctype.decode("latin-1")} if ctype else {}
        try:
            t0 = time.monotonic()
            result = await self._in_pool(
                _extract, response.body, response.url, self.source_pickle, headers, hints
            )
            log.debug("extracted %s in %.3fs", response.url, time.monotonic() - t0)
        except Exception as exc:  # a crash in extraction is this URL's failure, not the run's
            log.warning("extraction failed for %s: %r", response.url, exc)
            yield self._row(origin, "extract_error", kind=kind, via=via, response=response, error=repr(exc))
            return
        fetch = self._row(origin, "article", kind=kind, via=via, response=response)
        if not result.get("is_article"):
            fetch.outcome = "not_article"
            yield fetch
            return
        item = ArticleItem(
            article_id=None,
            url=response.url,
            source_id=self.source.id,
            fetched_at=fetch.fetched_at,
            crawl_date=self.crawl_date,
            run_id=self.run_id,
            http_status=response.status,
            **{k: result.get(k) for k in EXTRACT_FIELDS},
        )
        for name in ("published_at", "modified_at"):
            setattr(item, name, _as_utc(getattr(item, name)))
        item.authors = list(item.authors or [])
        item.tags = list(item.tags or [])
        yield attach_fetch(item, fetch)

    # ---- failures ------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        kw = request.cb_kwargs
        outcome, status, message = classify(failure.value)
        if kw.get("kind") == "robots" and outcome in ("http_404", "http_4xx"):
            outcome, message = "not_article", f"no robots.txt ({message})"  # a normal state, not a failure
        url = request.meta.get("newsradar_url", request.url)
        response = getattr(failure.value, "response", None)
        if response is not None:
            row = self._row(
                url, outcome, kind=kw.get("kind"), via=kw.get("via"), response=response, error=message
            )
        else:
            row = self._row(
                url, outcome, kind=kw.get("kind"), via=kw.get("via"), status=status, error=message
            )
        log.info("%s %s: %s", outcome, url, message)
        yield row
