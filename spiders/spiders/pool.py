"""One process pool per crawl process for article extraction, shared by all spiders of the process.

``run_crawl`` prepares it before the crawl starts: ``preload`` imports the extractor and sets it up
(the language model, trafilatura, compiled patterns: about a second, half of it LZMA decompression
that leaves the GIL free) in a thread while the main thread imports Scrapy; then ``start`` forks the
workers, which inherit all of it and extract their first page at full speed. A spider that finds no
pool creates it (``get``). It is shut down when the last spider releases it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_users = 0

# A small article page that walks the extractor's main paths (JSON-LD, meta tags, date patterns, body
# extraction, language identification), so that a worker's lazy imports and one-time set-up (the
# language model, trafilatura's settings, compiled patterns) happen before the crawl's first page.
_WARM_UP_URL = "https://warm-up.invalid/news/2026/01/02/warm-up-article"
_WARM_UP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour talks resume after a long pause | Warm-up Times</title>
<meta property="og:title" content="Harbour talks resume after a long pause">
<meta property="og:site_name" content="Warm-up Times">
<meta property="article:published_time" content="2026-01-02T09:30:00+00:00">
<link rel="canonical" href="https://warm-up.invalid/news/2026/01/02/warm-up-article">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Harbour talks resume after a long pause", "datePublished": "2026-01-02T09:30:00Z",
"author": {"@type": "Person", "name": "Ann Example"}, "articleSection": "World"}</script>
</head><body><header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<article><h1>Harbour talks resume after a long pause</h1><p class="byline">By Ann Example</p>
<time datetime="2026-01-02T09:30:00Z">January 2, 2026</time>
<p>Negotiators from both sides met again on Tuesday in the old harbour town, the first round of talks
since the autumn, and agreed to keep meeting every week until the remaining questions are settled.</p>
<p>The talks had stalled over the future of the fishing grounds and the shipping lanes that cross them.
Officials said the new proposal would share the catch by season and keep the lanes open all year round.</p>
<p>Local traders welcomed the news. Many of them had waited months for a sign that the port would reopen
to the larger ships, which bring most of the goods the town sells in the winter.</p>
<p>A spokesperson for the mediators said the atmosphere was constructive and that a joint statement could
follow within days, although several details about inspections and fees still had to be worked out.</p>
</article><footer><p>All rights reserved</p></footer></body></html>
"""


def _context():
    """``fork`` where available (workers inherit the preloaded extractor: no start-up cost; the pool is
    started before the crawl has threads), else ``spawn``. ``NEWSRADAR_POOL_START=forkserver|spawn``
    overrides."""
    methods = multiprocessing.get_all_start_methods()
    wanted = os.environ.get("NEWSRADAR_POOL_START") or ("fork" if "fork" in methods else "spawn")
    if wanted not in methods:
        raise RuntimeError(f"NEWSRADAR_POOL_START={wanted!r} is not available here (choose from {methods})")
    ctx = multiprocessing.get_context(wanted)
    if wanted == "forkserver":
        ctx.set_forkserver_preload(["spiders.extract"])
    return ctx


def acquire(workers: int = 0) -> None:
    """Register a user of the pool (a spider)."""
    global _users
    with _lock:
        _users += 1


def get(workers: int = 0) -> ProcessPoolExecutor:
    """The shared pool (created on first use with ``workers`` processes, default ``os.cpu_count()``)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=workers or os.cpu_count() or 1, mp_context=_context(), initializer=_init_worker
            )
        return _pool


def _init_worker() -> None:
    """Die with the parent (a crawl killed with SIGKILL must not leave workers behind, Linux), leave
    Ctrl-C to the crawl (which shuts the pool down), then warm up."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    preload()  # a no-op in a forked worker: inherited from the crawl process


_preloaded = False


def preload() -> None:
    """Import the extractor and extract the built-in page once, in this process (nothing is kept but the
    imports and the extractor's one-time set-up). A failure is logged, never fatal: the first real page
    then pays the set-up instead, and fails the same way if the extractor is broken."""
    global _preloaded
    if _preloaded:
        return
    try:
        from spiders.extract import extract_article

        extract_article(
            _WARM_UP_PAGE.encode(), _WARM_UP_URL, headers={"Content-Type": "text/html; charset=utf-8"}
        )
    except Exception as exc:  # pragma: no cover - a broken extractor fails the crawl's pages anyway
        log.warning("extractor warm-up failed: %r", exc)
    _preloaded = True


def _started() -> bool:
    return True


def start(workers: int = 0) -> None:
    """Create the pool and start its workers now (a pool starts them at its first job otherwise)."""
    executor = get(workers)
    with _lock:
        if getattr(executor, "_newsradar_started", False):
            return
        executor._newsradar_started = True  # type: ignore[attr-defined]
    for _ in range(executor._max_workers):
        executor.submit(_started)


def warm_up(workers: int = 0) -> None:
    """Make sure the pool exists and its workers are started (a no-op after ``start``)."""
    start(workers)


def release() -> None:
    """Unregister a user; the last one out shuts the pool down."""
    global _pool, _users
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


def shutdown() -> None:
    global _pool, _users
    with _lock:
        _users = 0
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
