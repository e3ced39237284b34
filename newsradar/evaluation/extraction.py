"""Body-text evaluation on an articles_zyte-style corpus: ``html/<id>.html``, ``ground-truth.json``
(``{id: {"articleBody", "url"}}``) and optional ``baselines/*.json`` (other extractors' outputs).

Runs ``spiders.extract.extract_article`` (the crawl's own function) and trafilatura live on every
page, scores both with the benchmark metric, and reads the published baselines beside them."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsradar.evaluation.corpus import load_gold_file
from newsradar.evaluation.metrics import PageScore, Summary, score_page, summarise
from newsradar.evaluation.pool import run_pool

log = logging.getLogger(__name__)

OURS = "newsradar"
LIVE = "trafilatura (live)"


@dataclass
class ExtractionReport:
    summaries: dict[str, Summary]
    baselines: dict[str, Summary]
    pages: list[dict] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0

    @property
    def ours(self) -> Summary:
        return self.summaries[OURS]


def load_corpus(corpus: Path) -> dict[str, dict]:
    return load_gold_file(corpus, "ground-truth.json", "an extraction", "{id: {articleBody, url}}")


def load_baseline(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("output"), dict):
        data = data["output"]
    return data if isinstance(data, dict) else {}


def _extract_page(task: tuple[str, str, str]) -> dict:
    """Worker: our extractor and trafilatura on one page (module-level: runs in a process pool)."""
    page_id, path, url = task
    import trafilatura

    from spiders.extract import extract_article

    row: dict = {"id": page_id, "url": url}
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        row["error"] = f"read: {exc}"
        return row
    start = time.perf_counter()
    try:
        rec = extract_article(data, url)
        row["ours"] = rec["body"] or ""
        row["extractor"] = rec["extractor"]
    except Exception as exc:  # counted and reported; the evaluation goes on
        row["error"] = f"extract_article: {type(exc).__name__}: {exc}"
        row["ours"] = ""
    row["ms"] = round((time.perf_counter() - start) * 1000, 1)
    try:
        row["live"] = trafilatura.extract(data, url=url, include_comments=False) or ""
    except Exception as exc:
        row["live"] = ""
        row["live_error"] = f"{type(exc).__name__}: {exc}"
    return row


def run_extraction_eval(
    corpus: Path, *, workers: int = 2, live_baseline: bool = True, limit: int | None = None
) -> ExtractionReport:
    corpus = Path(corpus)
    gold = load_corpus(corpus)
    tasks = []
    for page_id, entry in sorted(gold.items()):
        html = corpus / "html" / f"{page_id}.html"
        tasks.append((page_id, str(html), (entry or {}).get("url") or f"https://example.invalid/{page_id}"))
    if limit:
        tasks = tasks[:limit]
    started = time.perf_counter()
    rows = run_pool(_extract_page, tasks, workers=workers)
    scores: dict[str, list[PageScore]] = {OURS: [], LIVE: []}
    failures = 0
    pages = []
    for row in rows:
        truth = gold[row["id"]].get("articleBody") or ""
        if "error" in row:
            failures += 1
            log.warning("page %s: %s", row["id"], row["error"])
        s_ours = score_page(truth, row.get("ours", ""))
        scores[OURS].append(s_ours)
        page = {
            "id": row["id"],
            "url": row["url"],
            "extractor": row.get("extractor"),
            "ms": row.get("ms"),
            "error": row.get("error"),
            "words": len((row.get("ours") or "").split()),
            "gold_words": len(truth.split()),
            "precision": s_ours.precision,
            "recall": s_ours.recall,
            "f1": round(s_ours.f1, 4),
        }
        if live_baseline:
            s_live = score_page(truth, row.get("live", ""))
            scores[LIVE].append(s_live)
            page["trafilatura_f1"] = round(s_live.f1, 4)
        pages.append(page)
    summaries = {OURS: summarise(scores[OURS])}
    if live_baseline:
        summaries[LIVE] = summarise(scores[LIVE])
    baselines: dict[str, Summary] = {}
    ids = [t[0] for t in tasks]
    for path in sorted((corpus / "baselines").glob("*.json")):
        try:
            out = load_baseline(path)
        except (OSError, json.JSONDecodeError) as exc:
            log.warning("baseline %s unreadable: %s", path, exc)
            continue
        baselines[path.stem] = summarise(
            [score_page(gold[i].get("articleBody"), (out.get(i) or {}).get("articleBody")) for i in ids]
        )
    return ExtractionReport(summaries, baselines, pages, failures, time.perf_counter() - started)


def format_report(report: ExtractionReport) -> str:
    lines = [f"{'extractor':<28} {'F1':>6} {'P':>6} {'R':>6} {'pages':>6}"]
    rows = [(name, s) for name, s in report.summaries.items()]
    rows += [
        (f"{name} (published)", s) for name, s in sorted(report.baselines.items(), key=lambda kv: -kv[1].f1)
    ]
    for name, s in rows:
        lines.append(f"{name:<28} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.pages:6d}")
    lines.append(f"failures: {report.failures}   time: {report.seconds:.1f} s")
    return "\n".join(lines)
