"""Publication-date evaluation on a dates_mediacloud2020-style corpus: ``html/<file>`` and
``eval_mediacloud_2020.json`` (``{url: {"file", "date": "YYYY-MM-DD"}}``).

A page counts as correct when the day of our ``published_at`` — taken in the page's own time zone
where the page states one (``published_at_local``) — equals the gold day. Pages whose gold date is
missing (``nan``) count as correct only when no date is extracted. htmldate (the library trafilatura
uses for dates) runs live on the same pages as the baseline."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsradar.evaluation.corpus import load_gold_file
from newsradar.evaluation.pool import run_pool

log = logging.getLogger(__name__)

GOLD_FILE = "eval_mediacloud_2020.json"
OURS = "newsradar"
BASELINES = ("htmldate extensive (live)", "htmldate fast (live)")


@dataclass
class DatesReport:
    accuracy: dict[str, float]
    pages: list[dict] = field(default_factory=list)
    by_source: dict[str, list[int]] = field(default_factory=dict)  # date_source -> [correct, total]
    failures: int = 0
    seconds: float = 0.0


def _gold_day(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    return None  # "nan", null, anything else: the page has no known publication date


def load_gold(corpus: Path) -> dict[str, dict]:
    return load_gold_file(corpus, GOLD_FILE, "a dates", "{url: {file, date}}")


def local_day(record: dict) -> str | None:
    local = record.get("published_at_local")
    if local:
        return str(local)[:10]
    pub = record.get("published_at")
    return pub.date().isoformat() if pub else None


def _date_page(task: tuple[str, str, bool]) -> dict:
    """Worker: our extractor (and htmldate as baseline) on one page."""
    url, path, baseline = task
    from spiders.extract import extract_article

    row: dict = {"url": url}
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        row["error"] = f"read: {exc}"
        return row
    start = time.perf_counter()
    try:
        rec = extract_article(data, url)
        row["ours"] = local_day(rec)
        row["date_source"] = rec["date_source"]
    except Exception as exc:  # counted and reported; the evaluation goes on
        row["error"] = f"extract_article: {type(exc).__name__}: {exc}"
        row["ours"] = None
    row["ms"] = round((time.perf_counter() - start) * 1000, 1)
    if baseline:
        import htmldate

        for name, extensive in zip(BASELINES, (True, False), strict=True):
            try:
                row[name] = htmldate.find_date(data, url=url, extensive_search=extensive, original_date=True)
            except Exception:  # htmldate raises on some inputs; a failure is a miss
                row[name] = None
    return row


def run_dates_eval(
    corpus: Path, *, workers: int = 2, live_baseline: bool = True, limit: int | None = None
) -> DatesReport:
    corpus = Path(corpus)
    gold = load_gold(corpus)
    tasks = [
        (url, str(corpus / "html" / str((e or {}).get("file", ""))), live_baseline)
        for url, e in sorted(gold.items())
    ]
    if limit:
        tasks = tasks[:limit]
    started = time.perf_counter()
    rows = run_pool(_date_page, tasks, workers=workers)
    names = [OURS, *(BASELINES if live_baseline else ())]
    correct = dict.fromkeys(names, 0)
    by_source: dict[str, list[int]] = {}
    failures = 0
    pages = []
    for row in rows:
        truth = _gold_day(gold[row["url"]].get("date"))
        if "error" in row:
            failures += 1
            log.warning("page %s: %s", row["url"], row["error"])
        page = {
            "url": row["url"],
            "gold": truth,
            "ours": row.get("ours"),
            "date_source": row.get("date_source"),
            "ms": row.get("ms"),
            "error": row.get("error"),
        }
        for name in names:
            value = row.get(name) if name != OURS else row.get("ours")
            ok = (value or None) == truth if truth is None else bool(value) and str(value)[:10] == truth
            correct[name] += ok
            if name == OURS:
                page["correct"] = ok
                stats = by_source.setdefault(str(row.get("date_source")), [0, 0])
                stats[0] += ok
                stats[1] += 1
            else:
                page[name] = value
        pages.append(page)
    n = len(rows) or 1
    accuracy = {name: correct[name] / n for name in names}
    return DatesReport(accuracy, pages, by_source, failures, time.perf_counter() - started)


def format_report(report: DatesReport) -> str:
    lines = [f"{'extractor':<28} {'accuracy':>8} {'pages':>6}"]
    for name, acc in report.accuracy.items():
        lines.append(f"{name:<28} {acc:8.3f} {len(report.pages):6d}")
    lines.append("reference: trafilatura metadata 0.88; htmldate published 0.903 (extensive), 0.861 (fast)")
    parts = ", ".join(
        f"{src}: {c}/{t}" for src, (c, t) in sorted(report.by_source.items(), key=lambda kv: -kv[1][1])
    )
    lines.append(f"ours by date_source (correct/pages): {parts}")
    lines.append(f"failures: {report.failures}   time: {report.seconds:.1f} s")
    return "\n".join(lines)
