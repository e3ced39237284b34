"""``newsradar demo``: generate and serve the demo newsroom, crawl it into the lake, summarise the
lake, then hand over to :func:`after_crawl` (the warehouse build and the peace-talks trend).

Everything runs in one process: the outlets' HTTP servers in threads, the crawl in Twisted's
reactor (once per process, so this is the CLI's single ``run_crawl`` call).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from newsradar.demo.generator import DEFAULT_DAYS, DEFAULT_END_DATE, DEFAULT_PER_DAY, DEFAULT_SEED
from newsradar.demo.server import DemoNewsroom, ports_from_sources_yaml
from newsradar.settings import Paths

log = logging.getLogger(__name__)

# The demo crawls its own servers on localhost: politeness (AutoThrottle's start delay, per-domain
# delays) would only make a new user wait. robots.txt stays honoured.
DEMO_CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": False}


@dataclass
class LakeSummary:
    """Articles in the lake per outlet, language and local day (the outlet's time zone)."""

    by_outlet: Counter = field(default_factory=Counter)
    by_outlet_language: Counter = field(default_factory=Counter)  # (outlet, language) -> n
    by_outlet_day: Counter = field(default_factory=Counter)  # (outlet, day) -> n
    undated: Counter = field(default_factory=Counter)
    partitions: int = 0
    urls: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.by_outlet.values())

    def to_dict(self) -> dict:
        days: dict[str, dict[str, int]] = defaultdict(dict)
        for (outlet, day), n in sorted(self.by_outlet_day.items()):
            days[outlet][day.isoformat()] = n
        return {
            "total": self.total,
            "partitions": self.partitions,
            "by_outlet": dict(self.by_outlet),
            "by_outlet_language": {
                f"{o}/{lang}": n for (o, lang), n in sorted(self.by_outlet_language.items())
            },
            "by_outlet_day": dict(days),
            "undated": dict(self.undated),
        }


@dataclass
class DemoResult:
    data_dir: Path
    sources_file: Path
    manifest_file: Path
    crawl: object  # newsradar.crawl.CrawlSummary
    lake: LakeSummary
    disallowed_hits: dict[str, int]
    seconds: float
    manifest_articles: int
    found: int = 0  # manifest articles whose URL is in the lake


def lake_summary(paths: Paths, timezones: dict[str, str]) -> LakeSummary:
    """Count the lake's articles per outlet, language and local day, reading the Parquet with pyarrow
    (through the lake's filesystem layer, so an ``s3://`` lake works the same)."""
    from newsradar import lake

    table = lake.read_table(
        paths.lake_uri, "articles", columns=["source_id", "url", "language", "published_at"]
    )
    out = LakeSummary()
    out.partitions = len(lake.partitions(paths.lake_uri, "articles"))
    cols = table.to_pydict()
    for sid, url, lang, pub in zip(
        cols["source_id"], cols["url"], cols["language"], cols["published_at"], strict=True
    ):
        if sid not in timezones:  # another source crawled into the same data folder
            continue
        out.urls.add(url)
        out.by_outlet[sid] += 1
        out.by_outlet_language[(sid, lang or "?")] += 1
        if pub is None:
            out.undated[sid] += 1
            continue
        tz = ZoneInfo(timezones.get(sid, "UTC"))
        out.by_outlet_day[(sid, pub.astimezone(tz).date())] += 1
    return out


def after_crawl(paths: Paths, demo: DemoNewsroom) -> None:
    """HOOK for the warehouse: called by ``newsradar demo`` once the crawl has written the lake.

    The warehouse engineer extends this function to build the warehouse (``newsradar.warehouse.build``)
    and print the peace-talks trend (``topic_daily_all`` for ``peace_talks``; the designed surge is on
    ``demo.room.surge_days``). It receives the live ``DemoNewsroom`` (its servers are still up, its
    ``manifest`` holds the truth).
    """
    from newsradar import warehouse
    from newsradar.commands.build import print_trend_table, trend_rows
    from newsradar.errors import UserError

    demo_sources = paths.data_dir / "demo" / "sources.yaml"
    warehouse.build(paths, sources_file=demo_sources if demo_sources.exists() else None, progress=True)
    with warehouse.connect_readonly(paths) as con:
        try:
            rows = trend_rows(con, "peace_talks", demo.room.days + 2, by_source=False)
        except UserError as exc:
            print(f"no peace-talks trend: {exc}")
            return None
        label = con.execute("select label from topics where topic_id = 'peace_talks'").fetchone()[0]
    print_trend_table("peace_talks", label or "peace talks", rows, by_source=False)
    surge = [d.isoformat() for d in demo.room.surge_days]
    flagged = [r["day"].isoformat() for r in rows if r["is_spike"]]
    print(f"designed surge: {', '.join(surge)}; flagged as spikes: {', '.join(flagged) or 'none'}")
    print("next: newsradar trends peace_talks --by source | newsradar tables | newsradar query 'select ...'")
    return None


def run_demo(
    paths: Paths,
    *,
    seed: int = DEFAULT_SEED,
    days: int = DEFAULT_DAYS,
    per_day: int = DEFAULT_PER_DAY,
    end_date: date = DEFAULT_END_DATE,
    progress: bool = True,
    crawl_settings: dict | None = None,
    console=None,
) -> DemoResult:
    """Generate, serve, crawl and summarise; print as it goes when ``console`` (rich) is given."""
    from newsradar.crawl import run_crawl

    started = time.monotonic()
    demo_dir = paths.data_dir / "demo"
    say = console.print if console is not None else (lambda *a, **k: None)
    # a re-run into the same data folder serves on the same ports, so URLs (and article ids) stay the same
    previous = ports_from_sources_yaml(demo_dir / "sources.yaml")
    with DemoNewsroom(
        seed=seed, days=days, per_day=per_day, end_date=end_date, preferred_ports=previous
    ) as demo:
        for oid, (wanted, got) in demo.moved_ports.items():
            say(
                f"[yellow]warning[/yellow]: port {wanted} of {oid} is taken; serving on {got}, so its URLs "
                "differ from the previous run's and the lake will hold both versions"
            )
        sources_file = demo.write_sources_yaml(demo_dir / "sources.yaml")
        manifest = demo.manifest
        manifest_file = demo_dir / "manifest.json"
        manifest_file.parent.mkdir(parents=True, exist_ok=True)
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        n_articles = sum(1 for a in manifest["pages"] if a["is_article"])
        say(
            f"[bold]Demo newsroom[/bold]: {len(demo.room.outlets)} outlets, {n_articles} articles, "
            f"{demo.room.start_date} .. {demo.room.end_date} (seed {seed})"
        )
        for o in manifest["outlets"]:
            say(
                f"  {o['id']:<16} {o['homepage']:<30} {'+'.join(o['languages']):<5} {o['markup']:<13} "
                f"{o['discovery']}"
            )
        say(f"  sources: {sources_file}\n  manifest: {manifest_file}")
        settings = {**DEMO_CRAWL_SETTINGS, **(crawl_settings or {})}
        summary = run_crawl(demo.sources, paths, progress=progress, settings=settings)
        disallowed = demo.disallowed_hits()
        lake = lake_summary(paths, {o.id: o.timezone for o in demo.room.outlets})
        found = sum(1 for a in manifest["pages"] if a["is_article"] and a["url"] in lake.urls)
        result = DemoResult(
            data_dir=paths.data_dir,
            sources_file=sources_file,
            manifest_file=manifest_file,
            crawl=summary,
            lake=lake,
            disallowed_hits=disallowed,
            seconds=time.monotonic() - started,
            manifest_articles=n_articles,
            found=found,
        )
        write_run_report(demo_dir / "run.json", result)
        if console is not None:
            print_summary(console, result, demo)
        after_crawl(paths, demo)
    result.seconds = time.monotonic() - started
    return result


def write_run_report(path: Path, result: DemoResult) -> Path:
    """``<data>/demo/run.json``: what this demo run did (crawl summary, lake counts, robots check)."""
    crawl = result.crawl.to_dict() if hasattr(result.crawl, "to_dict") else None
    report = {
        "seconds": round(result.seconds, 2),
        "manifest_articles": result.manifest_articles,
        "found": result.found,
        "crawl": crawl,
        "lake": result.lake.to_dict(),
        "disallowed_hits": result.disallowed_hits,
    }
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def print_summary(console, result: DemoResult, demo: DemoNewsroom) -> None:
    from rich.table import Table

    crawl = result.crawl
    lake = result.lake
    outlets = [o.id for o in demo.room.outlets]
    t = Table(title=f"Crawl {getattr(crawl, 'run_id', '')}: lake {result.data_dir}")
    for col in (
        "outlet",
        "pages",
        "articles",
        "not articles",
        "unchanged",
        "failures",
        "in lake",
        "languages",
        "undated",
        "days",
    ):
        t.add_column(col, justify="left" if col in ("outlet", "failures", "languages") else "right")
    for oid in outlets:
        s = crawl.sources.get(oid) if hasattr(crawl, "sources") else None
        langs = ", ".join(
            f"{lang} {n}" for (o, lang), n in sorted(lake.by_outlet_language.items()) if o == oid
        )
        fails = ", ".join(f"{k} {v}" for k, v in (s.failures.items() if s else [])) or "-"
        t.add_row(
            oid,
            str(s.pages_fetched if s else "?"),
            str(s.articles if s else "?"),
            str(s.not_articles if s else "?"),
            str(s.unchanged if s else "?"),
            fails,
            str(lake.by_outlet.get(oid, 0)),
            langs or "-",
            str(lake.undated.get(oid, 0)),
            str(len({d for (o, d) in lake.by_outlet_day if o == oid})),
        )
    console.print(t)
    days = sorted({d for (_, d) in lake.by_outlet_day})
    if days:
        dt = Table(title="Articles in the lake per local day")
        dt.add_column("day")
        for oid in outlets:
            dt.add_column(oid, justify="right")
        dt.add_column("all", justify="right")
        for d in days:
            row = [lake.by_outlet_day.get((oid, d), 0) for oid in outlets]
            dt.add_row(d.isoformat(), *[str(n) for n in row], str(sum(row)))
        console.print(dt)
    coverage = result.found / result.manifest_articles if result.manifest_articles else 0.0
    console.print(
        f"[bold]{lake.total}[/bold] demo articles in the lake; {result.found} of the "
        f"{result.manifest_articles} published found ({coverage:.1%}); robots.txt-disallowed "
        f"requests: {sum(result.disallowed_hits.values())}; {result.seconds:.1f} s"
    )
