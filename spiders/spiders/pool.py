"""One process pool per crawl process for article extraction, shared by all spiders of the process.

Created lazily by the first spider that needs it and shut down when the last spider releases it.
Workers are forked after the extractor was imported (see ``_context``), so they start at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_users = 0


def _context():
    """``fork`` where available (workers inherit the already-imported extractor: no start-up cost;
    the pool is created when a spider starts, before the crawl has many threads), else ``spawn``.
    ``NEWSRADAR_POOL_START=forkserver|spawn`` overrides."""
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
            import spiders.extract  # noqa: F401  (imported once here, inherited by forked workers)

            _pool = ProcessPoolExecutor(
                max_workers=workers or os.cpu_count() or 1, mp_context=_context(), initializer=_init_worker
            )
        return _pool


def _init_worker() -> None:
    """Die with the parent: a crawl killed with SIGKILL must not leave workers behind (Linux)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the crawl, which shuts the pool down


def _warm_up() -> bool:
    import spiders.extract  # noqa: F401

    return True


def warm_up(workers: int = 0) -> None:
    """Start the workers now (they start lazily otherwise), so their start-up overlaps discovery."""
    executor = get(workers)
    for _ in range(executor._max_workers):
        executor.submit(_warm_up)


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
