"""Crawl benchmark: N demo articles served on localhost, crawled end to end into Parquet.

    .venv/bin/python benchmarks/crawl_bench.py                 # 5,000 pages
    .venv/bin/python benchmarks/crawl_bench.py --pages 1000    # quicker
    .venv/bin/python benchmarks/crawl_bench.py --check-memory  # 5,000 then 20,000: peak RSS ratio

Reports, for the crawl (``newsradar.crawl.run_crawl_subprocess``: a fresh process with its own
extraction pool, while this process only serves the pages):
  - pages/s (wall clock of the crawl process, start-up included),
  - CPU seconds per page (the crawl process and all its children: the extraction workers),
  - peak RSS and peak PSS of the crawl process tree, sampled every 0.2 s from /proc (Linux),
and a baseline measured in the same run on the same HTML: ``spiders.extract.extract_article`` in a
plain loop on one core. The ratio crawl CPU/page : baseline CPU/page is the cost of everything
around extraction (discovery, HTTP, scheduling, items, Parquet, WARC, fetch log).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from newsradar.demo.generator import DEFAULT_DAYS, OUTLETS
from newsradar.demo.server import DemoNewsroom
from newsradar.settings import Paths

CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": False}  # our own localhost servers: no politeness delay


# ---------------------------------------------------------------- memory sampling (/proc, Linux)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _kb(path: str, key: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_s(pid: int) -> float:
    """user + system CPU seconds of one process so far (/proc/PID/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


class TreeSampler(threading.Thread):
    """Peak RSS (sum over the process tree) and peak PSS (shared pages counted once) of this
    process's children, i.e. the crawl process and its extraction workers."""

    def __init__(self, interval: float = 0.2, trace: Path | None = None):
        super().__init__(daemon=True)
        self.interval = interval
        self.trace = trace
        self.rows: list[str] = []
        self.stop_event = threading.Event()
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_processes = 0
        self.samples = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, CPU seconds at its last sample)

    def run(self) -> None:
        me = os.getpid()
        self.t0 = time.perf_counter()
        while not self.stop_event.wait(self.interval):
            pids = [p for c in _children(me) for p in _tree(c)]
            if not pids:
                continue
            per_pid = [(p, _kb(f"/proc/{p}/status", "VmRSS:")) for p in pids]
            for i, p in enumerate(pids):
                self.cpu[p] = ("crawl" if i == 0 else "worker", _cpu_s(p))
            rss = sum(kb for _, kb in per_pid)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            if self.trace:
                t = time.perf_counter() - self.t0
                # the crawl process is this process's child; deeper ones are its extraction workers
                self.rows += [
                    f"{t:.2f},{p},{'crawl' if i == 0 else 'worker'},{kb}" for i, (p, kb) in enumerate(per_pid)
                ]
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.samples += 1

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of the crawl process and of all extraction workers, as last sampled (a worker's
        last 0.2 s may be missed; the total from getrusage is exact)."""
        out = {"crawl": 0.0, "worker": 0.0}
        for role, cpu in self.cpu.values():
            out[role] += cpu
        return out

    def stop(self) -> None:
        self.stop_event.set()
        self.join()
        if self.trace:
            self.trace.write_text("seconds,pid,role,rss_kb\n" + "\n".join(self.rows) + "\n")


# ---------------------------------------------------------------- the two measurements


def size_for(pages: int, days: int = DEFAULT_DAYS) -> int:
    """Articles per outlet per day so that the newsroom has about ``pages`` articles."""
    return max(1, math.ceil(pages / (len(OUTLETS) * days)))


def measure_crawl(demo: DemoNewsroom, data_dir: Path, trace: Path | None = None) -> dict:
    from newsradar.crawl import run_crawl_subprocess

    paths = Paths.from_env(data_dir)
    sampler = TreeSampler(trace=trace)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.start()
    t0 = time.perf_counter()
    summary = run_crawl_subprocess(demo.sources, paths, progress=False, settings=CRAWL_SETTINGS)
    wall = time.perf_counter() - t0
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pages = sum(s.pages_fetched for s in summary.sources.values())
    articles = sum(s.articles for s in summary.sources.values())
    parquet = list((data_dir / "lake" / "articles").glob("source=*/*/*.parquet"))
    split = sampler.cpu_by_role()
    return {
        "wall_s": round(wall, 2),
        "pages": pages,
        "articles": articles,
        "failures": summary.failures,
        "pages_per_s": round(pages / wall, 1),
        "cpu_s": round(cpu, 2),
        "cpu_ms_per_page": round(1000 * cpu / max(pages, 1), 2),
        # sampled split: the crawl process (reactor, Scrapy, pipelines, WARC) vs the extraction workers
        "crawl_process_ms_per_page": round(1000 * split["crawl"] / max(pages, 1), 2),
        "workers_ms_per_page": round(1000 * split["worker"] / max(pages, 1), 2),
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "peak_pss_mb": round(sampler.peak_pss_kb / 1024, 1),
        "peak_processes": sampler.peak_processes,
        "rss_samples": sampler.samples,
        "parquet_files": len(parquet),
        "parquet_mb": round(sum(p.stat().st_size for p in parquet) / 2**20, 2),
        "disallowed_hits": sum(demo.disallowed_hits().values()),
    }


def measure_baseline(demo: DemoNewsroom, limit: int | None = None) -> dict:
    """``extract_article`` alone, in a plain loop in this process (one core), over the article HTML
    the crawl fetched (rendered in memory, same bytes)."""
    from spiders.extract import extract_article

    sources = {s.id: s for s in demo.sources}
    pages = []
    for oid, site in demo.sites.items():
        for a in site.articles:
            status, ctype, body = site.respond(a.path)
            pages.append((body, site.url(a.path), sources[oid], {"Content-Type": ctype}))
    if limit and limit < len(pages):
        step = len(pages) / limit
        pages = [pages[int(i * step)] for i in range(limit)]
    extract_article(*pages[0][:2], source=pages[0][2], headers=pages[0][3])  # warm imports and caches
    c0, t0 = time.process_time(), time.perf_counter()
    articles = 0
    for body, url, source, headers in pages:
        articles += bool(extract_article(body, url, source=source, headers=headers)["is_article"])
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {
        "pages": len(pages),
        "articles": articles,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "cpu_ms_per_page": round(1000 * cpu / len(pages), 2),
        "pages_per_s": round(len(pages) / wall, 1),
    }


def run(
    pages: int,
    *,
    seed: int,
    keep: Path | None,
    baseline_pages: int | None,
    skip_baseline: bool,
    trace: Path | None = None,
) -> dict:
    per_day = size_for(pages)
    t0 = time.perf_counter()
    data_dir = keep or Path(tempfile.mkdtemp(prefix="newsradar-bench-"))
    try:
        with DemoNewsroom(seed=seed, days=DEFAULT_DAYS, per_day=per_day) as demo:
            served = sum(len(s.articles) for s in demo.sites.values())
            setup = time.perf_counter() - t0
            print(
                f"[{pages}] newsroom: {served} articles ({per_day}/outlet/day x {DEFAULT_DAYS} days), "
                f"set up in {setup:.1f} s; crawling ...",
                file=sys.stderr,
                flush=True,
            )
            crawl = measure_crawl(demo, data_dir, trace)
            print(f"[{pages}] crawl: {crawl}", file=sys.stderr, flush=True)
            base = None
            if not skip_baseline:
                print(f"[{pages}] baseline: extract_article in a loop ...", file=sys.stderr, flush=True)
                base = measure_baseline(demo, baseline_pages)
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    result = {
        "requested_pages": pages,
        "served_articles": served,
        "crawl": crawl,
        "baseline": base,
        "cpu_count": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    if base:
        result["cpu_per_page_ratio"] = round(crawl["cpu_ms_per_page"] / base["cpu_ms_per_page"], 2)
        result["throughput_ratio"] = round(crawl["pages_per_s"] / base["pages_per_s"], 2)
    return result


def report(r: dict) -> str:
    c, b = r["crawl"], r["baseline"]
    lines = [
        f"pages requested {r['requested_pages']}, articles served {r['served_articles']}, "
        f"{r['cpu_count']} CPUs, load average {r['loadavg_1m']}",
        f"crawl:    {c['pages']} pages ({c['articles']} articles) in {c['wall_s']} s = {c['pages_per_s']} pages/s; "
        f"CPU {c['cpu_s']} s = {c['cpu_ms_per_page']} ms/page (crawl process "
        f"{c['crawl_process_ms_per_page']}, workers {c['workers_ms_per_page']}); peak RSS {c['peak_rss_mb']} MB "
        f"(PSS {c['peak_pss_mb']} MB, {c['peak_processes']} processes); "
        f"{c['parquet_files']} Parquet files, {c['parquet_mb']} MB; failures {c['failures']}",
    ]
    if b:
        lines.append(
            f"baseline: extract_article x {b['pages']} on one core: {b['pages_per_s']} pages/s, "
            f"{b['cpu_ms_per_page']} ms/page"
        )
        lines.append(
            f"ratio:    crawl CPU/page = {r['cpu_per_page_ratio']} x baseline; "
            f"crawl pages/s = {r['throughput_ratio']} x baseline"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=5000, help="demo articles to serve and crawl (default 5000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--check-memory",
        action="store_true",
        help="crawl 5,000 and 20,000 pages and compare peak RSS (target: within 10%%)",
    )
    ap.add_argument(
        "--baseline-pages",
        type=int,
        default=None,
        help="run the baseline on an evenly spaced sample of this many pages (default: all)",
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument(
        "--keep", type=Path, help="keep the crawl's data folder here (default: a temp dir, removed)"
    )
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    ap.add_argument(
        "--trace",
        type=Path,
        help="write the sampled RSS per process as CSV (one file per size: "
        "TRACE with the page count appended to its stem)",
    )
    args = ap.parse_args(argv)
    if args.pages < 10:
        ap.error("--pages must be at least 10")
    results = []
    sizes = [5000, 20000] if args.check_memory else [args.pages]
    for n in sizes:
        keep = args.keep / str(n) if args.keep else None
        trace = args.trace.with_name(f"{args.trace.stem}-{n}{args.trace.suffix}") if args.trace else None
        r = run(
            n,
            seed=args.seed,
            keep=keep,
            baseline_pages=args.baseline_pages,
            skip_baseline=args.no_baseline or (args.check_memory and n != sizes[0]),
            trace=trace,
        )
        print(report(r), flush=True)
        results.append(r)
    out: dict = {"runs": results}
    if args.check_memory:
        small, big = results
        ratio = big["crawl"]["peak_rss_mb"] / small["crawl"]["peak_rss_mb"]
        pss_ratio = big["crawl"]["peak_pss_mb"] / small["crawl"]["peak_pss_mb"]
        out["rss_ratio_20k_over_5k"] = round(ratio, 3)
        out["pss_ratio_20k_over_5k"] = round(pss_ratio, 3)
        verdict = "OK" if ratio <= 1.10 else "OVER TARGET"
        print(f"memory: peak RSS 20k/5k = {ratio:.3f} (PSS {pss_ratio:.3f}); target <= 1.10: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
