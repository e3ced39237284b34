"""One process pool per crawl process for extraction and discovery parsing, shared by all spiders.

``run_crawl`` prepares it before the crawl starts: ``preload`` imports the extractor and sets it up
(the language model, trafilatura, compiled patterns: about a second, half of it LZMA decompression
that leaves the GIL free) in a thread while the main thread imports Scrapy; then ``start`` forks the
workers, which inherit all of it and extract their first page at full speed. A spider that finds no
pool creates it (``get``). It is shut down when the last spider releases it.

The pool is fed by the crawl's event loop itself: a job is pickled and written to a worker's pipe
(non-blocking; ``add_writer`` finishes a long one), results are read by ``add_reader`` callbacks and
set on asyncio futures. ``concurrent.futures.ProcessPoolExecutor`` moves every job through a manager
thread and a queue-feeder thread and every result back through the manager thread and the loop's
self-pipe: three thread hand-offs per page on the crawl's busy process, about three times this pool's
CPU per job (measured). Each worker has at most ``IN_FLIGHT`` jobs (one running, the next already in
its pipe, so it never waits for the loop); the rest wait here, in order. A worker that dies breaks the
pool, as with ``ProcessPoolExecutor``: its jobs and every later one fail with ``BrokenPool``.

``room(limit)`` lets the crawl hold article requests back while the pool's backlog is full
(``spiders.middlewares.backpressure``): downloading faster than the workers extract would otherwise
pile fetched pages up here, each with its callback's coroutines, and the crawl process would grow
with the length of the run.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
from collections import deque

log = logging.getLogger(__name__)

IN_FLIGHT = 2  # jobs per worker: the one it runs and the next, already in its pipe
ROOM_RECHECK_S = 0.5  # while ``room()`` callers wait: how often the room is counted again (see _recheck)
_HEADER = struct.Struct("!i")  # multiprocessing.Connection's frame header (Unix): payload length
_STOP = b""  # an empty frame: the worker exits

_lock = threading.Lock()
_pool: ExtractionPool | None = None
_users = 0


class BrokenPool(RuntimeError):
    """A worker of the pool died; no job can run any more."""


class _Worker:
    __slots__ = (
        "process",
        "jobs",
        "results",
        "jobs_fd",
        "results_fd",
        "in_flight",
        "out",
        "inbuf",
        "writing",
    )

    def __init__(self, process, jobs, results) -> None:
        self.process = process
        self.jobs = jobs  # Connection: parent -> worker
        self.results = results  # Connection: worker -> parent
        self.jobs_fd = jobs.fileno()
        self.results_fd = results.fileno()
        self.in_flight: deque[asyncio.Future] = deque()
        self.out = bytearray()  # job frames not yet written to the pipe
        self.inbuf = bytearray()  # result bytes not yet a whole frame
        self.writing = False  # a loop writer is registered for jobs_fd


class ExtractionPool:
    """``workers`` processes running ``func(*args, **kwargs)`` jobs for an asyncio loop (``run``)."""

    def __init__(self, workers: int, ctx) -> None:
        self.max_workers = workers
        self._workers: list[_Worker] = []
        self._pending: deque[tuple[bytes, asyncio.Future]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken: str | None = None
        self._closed = False
        self._room_waiters: deque[tuple[int, asyncio.Future]] = deque()  # ``room()`` callers, in order
        self._recheck_handle: asyncio.TimerHandle | None = None
        for i in range(workers):
            job_r, job_w = ctx.Pipe(duplex=False)
            res_r, res_w = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=_worker_main, args=(job_r, res_w), name=f"newsradar-extract-{i}", daemon=True
            )
            process.start()
            job_r.close()
            res_w.close()
            os.set_blocking(job_w.fileno(), False)
            os.set_blocking(res_r.fileno(), False)
            self._workers.append(_Worker(process, job_w, res_r))

    # ---- the loop side -------------------------------------------------------------------------

    def run(self, func, /, *args, **kwargs) -> asyncio.Future:
        """Run ``func(*args, **kwargs)`` in a worker; a future of its result (or of its exception)."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        if self._broken or self._closed:
            fut.set_exception(BrokenPool(self._broken or "the extraction pool is shut down"))
            return fut
        if self._loop is None:
            self._loop = loop
            for w in self._workers:
                loop.add_reader(w.results_fd, self._on_readable, w)
        try:
            data = pickle.dumps((func, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            fut.set_exception(exc)
            return fut
        self._pending.append((_HEADER.pack(len(data)) + data, fut))
        self._dispatch()
        return fut

    @property
    def backlog(self) -> int:
        """Jobs not finished: waiting here or sent to a worker."""
        return len(self._pending) + sum(len(w.in_flight) for w in self._workers)

    async def room(self, limit: int) -> None:
        """Return once fewer than ``limit`` jobs are unfinished, in the order the callers came (at once
        when the pool is broken or shut down: the caller's job then fails as it would have). A caller
        let through counts as a job to come for the callers behind it, so a burst of them cannot all
        pass on the same free place (see ``_recheck`` for one that brings no job)."""
        if not self._room_waiters and (self.backlog < limit or self._broken or self._closed):
            return
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._room_waiters.append((limit, fut))
        if self._recheck_handle is None:
            self._recheck_handle = loop.call_later(ROOM_RECHECK_S, self._recheck)
        await fut

    def _recheck(self) -> None:
        """A caller let through counts as a job to come only within the ``_wake`` that let it through;
        one that brings no job (its download failed) leaves no job to finish and wake the callers behind
        it. So while callers wait, the room is counted again every ``ROOM_RECHECK_S``."""
        self._recheck_handle = None
        self._wake()
        if self._room_waiters:
            self._recheck_handle = asyncio.get_running_loop().call_later(ROOM_RECHECK_S, self._recheck)

    def _wake(self) -> None:
        """Let ``room()`` callers through, in order, while there is room for them."""
        waiters = self._room_waiters
        if not waiters:
            return
        n = self.backlog
        open_all = bool(self._broken or self._closed)
        while waiters:
            limit, fut = waiters[0]
            if fut.done():  # its caller was cancelled
                waiters.popleft()
                continue
            if not (open_all or n < limit):
                return
            waiters.popleft()
            fut.set_result(None)
            n += 1

    def _dispatch(self) -> None:
        while self._pending:
            worker = min(self._workers, key=lambda w: len(w.in_flight))
            if len(worker.in_flight) >= IN_FLIGHT:
                break
            frame, fut = self._pending.popleft()
            if fut.cancelled():
                continue
            worker.in_flight.append(fut)
            worker.out += frame
            self._write(worker)
        self._wake()  # the backlog may have fallen: jobs finished, or cancelled ones left it

    def _write(self, worker: _Worker) -> None:
        try:
            while worker.out:
                n = os.write(worker.jobs_fd, worker.out)
                del worker.out[:n]
        except BlockingIOError:
            pass
        except OSError as exc:
            self._break(f"cannot send a job to {worker.process.name}: {exc}")
            return
        if worker.out and not worker.writing:
            self._loop.add_writer(worker.jobs_fd, self._write, worker)
            worker.writing = True
        elif not worker.out and worker.writing:
            self._loop.remove_writer(worker.jobs_fd)
            worker.writing = False

    def _on_readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.results_fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError as exc:
            chunk, error = b"", exc
        else:
            error = None
        if not chunk:  # EOF: the worker is gone
            worker.process.join(0.5)
            code = worker.process.exitcode
            self._break(
                f"extraction worker {worker.process.name} died (exit code {code}){f': {error}' if error else ''}"
            )
            return
        buf = worker.inbuf
        buf += chunk
        pos = 0
        while len(buf) - pos >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buf, pos)
            if len(buf) - pos - _HEADER.size < size:
                break
            start = pos + _HEADER.size
            try:
                ok, value = pickle.loads(buf[start : start + size])
            except Exception as exc:  # a result that cannot be rebuilt here fails its job only
                ok, value = False, exc
            pos = start + size
            fut = worker.in_flight.popleft()
            if not fut.cancelled():
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
        del buf[:pos]
        self._dispatch()

    def _break(self, reason: str) -> None:
        if self._broken:
            return
        self._broken = reason
        log.error("%s", reason)
        self._detach()
        for w in self._workers:
            _fail(w.in_flight, reason)
            w.out.clear()
        _fail((fut for _, fut in self._pending), reason)
        self._pending.clear()
        self._wake()

    def _detach(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        for w in self._workers:
            loop.remove_reader(w.results_fd)
            if w.writing:
                loop.remove_writer(w.jobs_fd)
                w.writing = False

    # ---- shutting down -------------------------------------------------------------------------

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the workers (each finishes its current job) and cancel every job not finished."""
        if self._closed:
            return
        self._closed = True
        self._detach()
        for w in self._workers:
            for fut in w.in_flight:
                fut.cancel()
            w.in_flight.clear()
        for _, fut in self._pending:
            fut.cancel()
        self._pending.clear()
        self._wake()
        for w in self._workers:
            if self._broken:  # the pipes may hold half a frame: no clean stop, the workers are killed
                if w.process.is_alive():
                    w.process.kill()
                continue
            try:
                os.set_blocking(w.jobs_fd, True)
                while w.out:  # the rest of a job frame the loop had not written yet
                    del w.out[: os.write(w.jobs_fd, w.out)]
                w.jobs.send_bytes(_STOP)
            except OSError:
                pass
        for w in self._workers:
            w.process.join(timeout)
            if w.process.is_alive():
                log.warning("extraction worker %s did not stop; killing it", w.process.name)
                w.process.kill()
                w.process.join(1)
            w.jobs.close()
            w.results.close()


def _fail(futures, reason: str) -> None:
    for fut in futures:
        if not fut.done():
            fut.set_exception(BrokenPool(reason))


def _worker_main(jobs, results) -> None:
    """A worker: jobs in, results out, until the stop frame or the end of the pipe."""
    _init_worker()
    while True:
        try:
            data = jobs.recv_bytes()
        except (EOFError, OSError):
            return
        if data == _STOP:
            return
        try:
            func, args, kwargs = pickle.loads(data)
            out = (True, func(*args, **kwargs))
        except Exception as exc:
            out = (False, exc)
        try:
            reply = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            reply = pickle.dumps(
                (False, RuntimeError(f"cannot send the result back: {exc!r}; {out[1]!r}"[:2000]))
            )
        results.send_bytes(reply)


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


def get(workers: int = 0) -> ExtractionPool:
    """The shared pool (created on first use with ``workers`` processes, default ``os.cpu_count()``)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ExtractionPool(workers or os.cpu_count() or 1, _context())
        return _pool


def current() -> ExtractionPool | None:
    """The shared pool if it exists (never creates it)."""
    return _pool


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux ``PR_SET_PDEATHSIG``; a no-op
    elsewhere), so a crawl killed with SIGKILL leaves no child behind."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _init_worker() -> None:
    """Die with the parent (a crawl killed with SIGKILL must not leave workers behind), leave Ctrl-C to
    the crawl (which shuts the pool down), then warm up."""
    die_with_parent()
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


def start(workers: int = 0) -> None:
    """Create the pool now: its workers start at once."""
    get(workers)


def warm_up(workers: int = 0) -> None:
    """Make sure the pool exists (a no-op after ``start``)."""
    get(workers)


def release() -> None:
    """Unregister a user; the last one out shuts the pool down."""
    global _pool, _users
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _pool is not None:
            _pool.shutdown()
            _pool = None


def shutdown() -> None:
    global _pool, _users
    with _lock:
        _users = 0
        if _pool is not None:
            _pool.shutdown()
            _pool = None
