"""Run the Scrapy spiders for a list of sources: one ``CrawlerProcess``, one crawler per source, all
concurrent, one run id. Returns a ``CrawlSummary`` built from the fetch-log counts of each crawler.

Twisted's reactor can run once per process: the CLI calls ``run_crawl`` once; callers that already
ran a crawl (or run a reactor) use ``run_crawl_subprocess`` with the same arguments.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from newsradar.errors import UserError
from newsradar.settings import Paths
from newsradar.sources import Source

log = logging.getLogger(__name__)

OK_OUTCOMES = ("article", "not_article", "unchanged")


def new_run_id(now: datetime | None = None) -> str:
    """``<UTC timestamp>-<random>``: sortable, unique, safe as a file name."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{secrets.token_hex(4)}"


@dataclass
class SourceSummary:
    source_id: str
    pages_fetched: int = 0
    articles: int = 0
    not_articles: int = 0
    unchanged: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    finish_reason: str | None = None
    error: str | None = None

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @classmethod
    def from_stats(cls, source_id: str, stats: dict) -> SourceSummary:
        prefix = "newsradar/outcome/"
        outcomes = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
        return cls(
            source_id=source_id,
            pages_fetched=int(stats.get("newsradar/pages_fetched", 0)),
            articles=outcomes.pop("article", 0),
            not_articles=outcomes.pop("not_article", 0),
            unchanged=outcomes.pop("unchanged", 0),
            failures=dict(sorted(outcomes.items())),
            finish_reason=stats.get("finish_reason"),
        )


@dataclass
class CrawlSummary:
    run_id: str
    crawl_date: date
    sources: dict[str, SourceSummary] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "crawl_date": self.crawl_date.isoformat(),
            "sources": {k: asdict(v) for k, v in self.sources.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> CrawlSummary:
        return cls(
            run_id=data["run_id"],
            crawl_date=date.fromisoformat(data["crawl_date"]),
            sources={k: SourceSummary(**v) for k, v in data["sources"].items()},
        )

    @property
    def failures(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sources.values():
            for k, v in s.failures.items():
                out[k] = out.get(k, 0) + v
        return dict(sorted(out.items()))


def _check_args(sources: list[Source], since: date | None, until: date | None) -> None:
    if not sources:
        raise UserError("no sources to crawl (all disabled, or none selected)")
    if since and until and since > until:
        raise UserError(f"--since {since} is after --until {until}")


def scrapy_settings(overrides: dict | None = None):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


class _Progress:
    """A rich progress display fed from the crawlers' stats by a reactor ``LoopingCall``."""

    def __init__(self, crawlers: dict) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.crawlers = crawlers
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn(
                "{task.fields[pages]} pages, {task.fields[articles]} articles, {task.fields[failed]} failed"
            ),
            TimeElapsedColumn(),
            transient=False,
        )
        self.tasks = {
            sid: self.progress.add_task(sid, total=None, pages=0, articles=0, failed=0) for sid in crawlers
        }
        self.loop = None

    def start(self) -> None:
        from twisted.internet import task

        self.progress.start()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(0.5, now=False)

    def refresh(self) -> None:
        for sid, crawler in self.crawlers.items():
            stats = crawler.stats.get_stats() if getattr(crawler, "stats", None) else {}
            s = SourceSummary.from_stats(sid, stats)
            self.progress.update(self.tasks[sid], pages=s.pages_fetched, articles=s.articles, failed=s.failed)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.refresh()
        for tid in self.tasks.values():
            self.progress.update(tid, total=1, completed=1)
        self.progress.stop()


def run_crawl(
    sources: list[Source],
    paths: Paths,
    *,
    crawl_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: bool = True,
    settings: dict | None = None,
    run_id: str | None = None,
) -> CrawlSummary:
    """Crawl ``sources`` concurrently in this process (once per process: the reactor cannot restart)."""
    _check_args(sources, since, until)
    from spiders.spiders import pool

    # Set the extractor up (imports, language model) in a thread while this one imports Scrapy and the
    # components the crawl loads by name, then fork the extraction workers (they inherit the extractor)
    # while the process has no other thread.
    preload = threading.Thread(target=pool.preload, name="extractor-preload", daemon=True)
    preload.start()
    try:
        scrapy_conf = scrapy_settings(settings)
        _import_components(scrapy_conf)
        preload.join()
        pool.start(scrapy_conf.getint("NEWSRADAR_EXTRACT_WORKERS"))
        return _run_crawl(sources, paths, scrapy_conf, crawl_date=crawl_date, since=since, until=until,
                          progress=progress, run_id=run_id)  # fmt: skip
    finally:
        preload.join()
        pool.shutdown()


def _import_components(conf) -> None:
    """Import what the crawlers will load by name (middlewares, extensions, pipelines, the HTTP download
    handler, the spider) now, while the extractor preloads: from this shallow call stack, Scrapy's
    deprecated-class shims, which inspect the whole stack at import, cost a fraction of what they cost
    deep inside the reactor. Best effort: a component that fails here fails again, with its error, when
    the crawler loads it."""
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.misc import load_object

    import spiders.spiders.news  # noqa: F401

    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
        try:
            conf.get_component_priority_dict_with_base(name)
        except Exception:  # noqa: S112 - see the docstring
            continue
    handlers = conf.getwithbase("DOWNLOAD_HANDLERS")
    paths = [handlers.get("http"), handlers.get("https")]
    paths += [conf.get(name) for name in ("SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE",
                                          "SCHEDULER_START_MEMORY_QUEUE", "DOWNLOADER", "STATS_CLASS",
                                          "ROBOTSTXT_PARSER", "DNS_RESOLVER")]  # fmt: skip
    for path in paths:
        if isinstance(path, str):
            try:
                load_object(path)
            except Exception:  # noqa: S112 - see the docstring
                continue


def _run_crawl(sources, paths, scrapy_conf, *, crawl_date, since, until, progress, run_id) -> CrawlSummary:
    from scrapy.crawler import CrawlerProcess

    from spiders.spiders.news import NewsSpider

    crawl_date = crawl_date or datetime.now(UTC).date()
    run_id = run_id or new_run_id()
    scrapy_conf.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # callers configure logging
    # Scrapy's logging defaults set its loggers to DEBUG; follow the caller's root level instead
    # (start-up messages included, hence the child loggers set before the process exists).
    root_level = logging.getLogger().getEffectiveLevel()
    for name in ("scrapy.utils.log", "scrapy.crawler", "scrapy.addons"):
        logging.getLogger(name).setLevel(max(root_level, logging.INFO))
    process = CrawlerProcess(scrapy_conf)
    for name in ("scrapy", "twisted", "protego"):
        logging.getLogger(name).setLevel(
            max(root_level, logging.INFO if name == "scrapy" else logging.WARNING)
        )
    crawlers = {}
    errors: dict[str, str] = {}
    for src in sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers[src.id] = crawler
        d = process.crawl(
            crawler, source=src, paths=paths, run_id=run_id, crawl_date=crawl_date, since=since, until=until
        )
        d.addErrback(partial(_record_failure, errors, src.id))
    display = _Progress(crawlers) if progress else None
    if display:
        display.start()
    try:
        process.start(install_signal_handlers=True)
    finally:
        if display:
            display.stop()
    summary = CrawlSummary(run_id=run_id, crawl_date=crawl_date)
    for sid, crawler in crawlers.items():
        stats = crawler.stats.get_stats() if getattr(crawler, "stats", None) else {}
        summary.sources[sid] = SourceSummary.from_stats(sid, stats)
        summary.sources[sid].error = errors.get(sid)
    return summary


def _record_failure(errors: dict, source_id: str, failure) -> None:
    errors[source_id] = f"{type(failure.value).__name__}: {failure.value}"
    log.error("crawl of %s failed: %s", source_id, errors[source_id], exc_info=failure.value)


def run_crawl_subprocess(
    sources: list[Source],
    paths: Paths,
    *,
    crawl_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: bool = False,
    settings: dict | None = None,
    run_id: str | None = None,
    timeout: float | None = None,
) -> CrawlSummary:
    """``run_crawl`` in a fresh Python process (for callers whose reactor already ran)."""
    _check_args(sources, since, until)
    with tempfile.TemporaryDirectory(prefix="newsradar-crawl-") as tmp:
        spec = Path(tmp) / "spec.json"
        result = Path(tmp) / "result.json"
        spec.write_text(json.dumps(crawl_spec(sources, paths, crawl_date=crawl_date, since=since, until=until,
                                              progress=progress, settings=settings, run_id=run_id)))  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "newsradar.crawl", str(spec), str(result)],
            timeout=timeout,
            env=os.environ.copy(),
        )
        if proc.returncode != 0 or not result.exists():
            raise RuntimeError(f"crawl subprocess failed with exit code {proc.returncode}")
        return CrawlSummary.from_dict(json.loads(result.read_text()))


def crawl_spec(sources, paths, *, crawl_date=None, since=None, until=None, progress=False, settings=None,
               run_id=None) -> dict:  # fmt: skip
    """A JSON-able description of a ``run_crawl`` call (for ``python -m newsradar.crawl SPEC RESULT``)."""
    return {
        "sources": [s.model_dump(mode="json") for s in sources],
        "paths": {k: str(v) for k, v in asdict(paths).items()},
        "crawl_date": crawl_date.isoformat() if crawl_date else None,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "progress": progress,
        "settings": settings or {},
        "run_id": run_id,
    }


def run_crawl_spec(spec: dict, result_file: str | Path) -> None:
    """``run_crawl`` as ``crawl_spec`` described it; its summary is written to ``result_file`` as JSON
    (under a temporary name first, so a reader never sees half of it)."""
    p = spec["paths"]
    paths = Paths(data_dir=Path(p["data_dir"]), lake_uri=p["lake_uri"], raw_uri=p["raw_uri"],
                  warehouse_path=Path(p["warehouse_path"]))  # fmt: skip

    def _d(v):
        return date.fromisoformat(v) if v else None

    summary = run_crawl(
        [Source.model_validate(s) for s in spec["sources"]],
        paths,
        crawl_date=_d(spec["crawl_date"]),
        since=_d(spec["since"]),
        until=_d(spec["until"]),
        progress=spec["progress"],
        settings=spec["settings"],
        run_id=spec["run_id"],
    )
    tmp = Path(result_file).with_suffix(".tmp")
    tmp.write_text(json.dumps(summary.to_dict()))
    tmp.replace(result_file)


def _main(argv: list[str]) -> int:
    spec_file, result_file = argv
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_crawl_spec(json.loads(Path(spec_file).read_text()), result_file)
    return 0


if __name__ == "__main__":
    code = _main(sys.argv[1:])
    # Everything is published and the result is on disk; the pool's workers and Scrapy's threads are gone.
    # Skip the interpreter's teardown, which frees the crawl's objects one by one (about half a second).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
