"""Ingest tasks: the registry to map over, the crawl window of a run, one source's crawl.

XCom carries only ids, dates, counts and URIs of lake partitions, never article payloads.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from newsradar.orchestration.config import OrchestrationConfig
from newsradar.settings import join_uri
from newsradar.sources import SourcesError, load_sources

log = logging.getLogger(__name__)


class SourceCrawlFailed(RuntimeError):
    """A source yielded nothing and only failures: raised so Airflow retries the task."""


def enabled_source_ids(cfg: OrchestrationConfig) -> list[str]:
    """Ids of the enabled sources in the registry (``NEWSRADAR_SOURCES``), in file order."""
    ids = [s.id for s in load_sources(cfg.sources_file) if s.enabled]
    if not ids:
        raise SourcesError(f"{cfg.sources_file}: no enabled sources to crawl")
    return ids


def crawl_window(
    logical_date: datetime | None, interval_start: datetime | None, interval_end: datetime | None
) -> dict[str, str]:
    """The crawl date and the publication window of a run, as ISO dates (XCom- and JSON-safe).

    A daily interval run for day D (``[D, D+1)``) crawls into partition ``crawl_date=D`` and keeps
    articles published on D: ``since = until = D``. A point-like run (manual trigger) uses its day.
    A backfill run for D gets exactly the same window as the scheduled run for D.
    """
    start = interval_start or logical_date
    if start is None:
        raise ValueError("the run has neither a data interval nor a logical date")
    end = interval_end or start
    since = start.date()
    until = (end - timedelta(microseconds=1)).date() if end > start else since
    return {"crawl_date": since.isoformat(), "since": since.isoformat(), "until": until.isoformat()}


def _source_counts(summary: object, source_id: str) -> dict:
    """Per-source counts from a ``CrawlSummary`` (or its ``to_dict()``), tolerant of its layout."""
    data = summary.to_dict() if hasattr(summary, "to_dict") else summary
    if not isinstance(data, dict):
        return {}
    per = data.get("sources") or data.get("per_source") or {}
    if isinstance(per, list):
        per = {item.get("source_id") or item.get("id"): item for item in per if isinstance(item, dict)}
    counts = per.get(source_id) if isinstance(per, dict) else None
    return dict(counts) if isinstance(counts, dict) else dict(data)


def _number(counts: dict, *names: str) -> int:
    for name in names:
        value = counts.get(name)
        if isinstance(value, int | float):
            return int(value)
        if isinstance(value, dict):  # failures by kind
            return int(sum(v for v in value.values() if isinstance(v, int | float)))
    return 0


def crawl_source(source_id: str, window: dict[str, str], cfg: OrchestrationConfig | None = None) -> dict:
    """Crawl one source for a run's window into its lake partition; return counts and partition URIs.

    Raises ``SourceCrawlFailed`` when nothing at all was fetched (site down, DNS, closed port) or the
    crawl itself errored: the task fails and Airflow retries it, while the other sources' tasks carry on.
    """
    from newsradar.orchestration.crawl_child import run_crawl_forked

    cfg = cfg or OrchestrationConfig.from_env()
    by_id = {s.id: s for s in load_sources(cfg.sources_file)}
    if source_id not in by_id:
        raise SourcesError(f"{cfg.sources_file}: source {source_id!r} is no longer in the registry")
    source = by_id[source_id]
    paths = cfg.paths()
    crawl_date = date.fromisoformat(window["crawl_date"])
    summary = run_crawl_forked(
        [source],
        paths,
        crawl_date=crawl_date,
        since=date.fromisoformat(window["since"]),
        until=date.fromisoformat(window["until"]),
        settings=cfg.crawl_settings or None,
        timeout=cfg.crawl_timeout.total_seconds(),
    )
    counts = _source_counts(summary, source_id)
    pages = _number(counts, "pages_fetched", "pages")
    articles = _number(counts, "articles", "articles_extracted")
    failures = _number(counts, "failures", "failures_by_kind")
    result = {
        "source_id": source_id,
        "crawl_date": crawl_date.isoformat(),
        "pages_fetched": pages,
        "articles": articles,
        "failures": failures,
        "articles_partition": join_uri(paths.articles_uri, f"source={source_id}", f"crawl_date={crawl_date}"),
        "fetch_log_partition": join_uri(
            paths.fetch_log_uri, f"source={source_id}", f"crawl_date={crawl_date}"
        ),
    }
    log.info("crawl %s %s: %s", source_id, crawl_date, result)
    error = counts.get("error")
    if pages == 0 or error:
        kinds = counts.get("failures") if isinstance(counts.get("failures"), dict) else {}
        detail = error or (", ".join(f"{k}: {v}" for k, v in kinds.items()) or "no response at all")
        raise SourceCrawlFailed(
            f"source {source_id!r} ({source.homepage}): {pages} page(s) fetched for {crawl_date}, "
            f"{failures} failed request(s) ({detail})"
        )
    return result


def summarize_ingest(results: list[dict | None], source_ids: list[str], window: dict[str, str]) -> dict:
    """What the run produced, for the Asset event's ``extra`` and the log. Failed sources have no result."""
    done = [r for r in results if r]
    ok = sorted(r["source_id"] for r in done)
    failed = sorted(set(source_ids) - set(ok))
    summary = {
        **window,
        "sources_ok": ok,
        "sources_failed": failed,
        "articles": sum(int(r.get("articles", 0)) for r in done),
        "pages_fetched": sum(int(r.get("pages_fetched", 0)) for r in done),
    }
    if not ok:
        raise SourceCrawlFailed(f"ingest {window['crawl_date']}: every source failed ({', '.join(failed)})")
    if failed:
        log.warning(
            "ingest %s: %d source(s) failed after retries: %s",
            window["crawl_date"],
            len(failed),
            ", ".join(failed),
        )
    return summary
