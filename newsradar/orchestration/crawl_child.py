"""Run one crawl in a child process forked from the Airflow task process.

The crawl needs a process of its own (Scrapy's reactor runs once per process, and installs its own
signal handlers, which must not replace the task runner's). ``newsradar.crawl.run_crawl_subprocess``
starts a fresh interpreter, which imports Scrapy, the extractor and pyarrow again: 2-4 s of CPU per
crawl task on a small machine, paid by every mapped crawl task. A forked child inherits whatever the
task process already imported (everything, when the LocalExecutor preloads
``newsradar.orchestration.preload``) and starts crawling at once.

The child gets default signal dispositions and dies with its parent (``PR_SET_PDEATHSIG``), so a task
killed by Airflow (timeout, clear, kill) never leaves a crawl behind; the parent also kills it when it
stops waiting for any reason. Where ``fork`` is unavailable, or in a daemonic process (Celery's pool
processes: multiprocessing lets them have no children), the fresh-interpreter path is used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
from datetime import date
from pathlib import Path

from newsradar.settings import Paths
from newsradar.sources import Source

log = logging.getLogger(__name__)


def _child(spec: dict, result_file: str) -> None:
    """In the forked child: a clean signal and logging state, then ``run_crawl`` and its summary."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)
    signal.alarm(0)  # the task's execution_timeout alarm belongs to the parent
    from spiders.spiders.pool import die_with_parent

    die_with_parent()
    root = logging.getLogger()
    for handler in list(root.handlers):  # the task runner's handlers talk to its supervisor
        root.removeHandler(handler)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from newsradar.crawl import run_crawl_spec  # already imported when preloaded

    run_crawl_spec(spec, result_file)


def run_crawl_forked(
    sources: list[Source],
    paths: Paths,
    *,
    crawl_date: date,
    since: date | None,
    until: date | None,
    settings: dict | None,
    timeout: float | None,
):
    """``newsradar.crawl.run_crawl`` in a forked child; returns its ``CrawlSummary``."""
    from newsradar import crawl

    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        # no fork here, or a daemonic process (a Celery pool process), which multiprocessing does not let
        # have children: the crawl's extraction pool could not start in a forked child either
        return crawl.run_crawl_subprocess(sources, paths, crawl_date=crawl_date, since=since, until=until,
                                          progress=False, settings=settings, timeout=timeout)  # fmt: skip
    spec = crawl.crawl_spec(
        sources, paths, crawl_date=crawl_date, since=since, until=until, settings=settings
    )
    with tempfile.TemporaryDirectory(prefix="newsradar-crawl-") as tmp:
        result = Path(tmp) / "result.json"
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        proc = multiprocessing.get_context("fork").Process(
            target=_child, args=(spec, str(result)), name=f"crawl-{'-'.join(s.id for s in sources)}"
        )
        proc.start()
        timed_out = False
        try:
            proc.join(timeout)
            timed_out = proc.is_alive()
        finally:
            if proc.is_alive():
                proc.kill()
                proc.join()
        if timed_out:
            raise TimeoutError(f"crawl of {', '.join(s.id for s in sources)} exceeded {timeout:.0f}s")
        if proc.exitcode != 0 or not result.exists():
            raise RuntimeError(f"crawl process failed with exit code {proc.exitcode}")
        log.debug("crawl child %s exited 0 (pid %s, parent %s)", proc.name, proc.pid, os.getpid())
        return crawl.CrawlSummary.from_dict(json.loads(result.read_text()))
