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
import statistics
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
    process's children, i.e. the crawl process and its extraction workers.

    RSS and CPU come from /proc/PID/status and /proc/PID/stat every ``interval`` (0.1 ms a read). PSS
    needs /proc/PID/smaps_rollup, which walks the page tables (5-7 ms per 300 MB process): read for
    the whole tree every 0.2 s it took a tenth of a core from the crawl being measured, so it is read
    every ``pss_interval`` only (peak PSS is an estimate to within that interval)."""

    def __init__(self, interval: float = 0.2, trace: Path | None = None, pss_interval: float = 2.0):
        super().__init__(daemon=True)
        self.interval = interval
        self.pss_interval = pss_interval
        self.own_cpu_s = 0.0  # CPU of this sampling thread (not the crawl's, not the web servers')
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
        next_pss = 0.0
        while not self.stop_event.wait(self.interval):
            self.own_cpu_s = time.thread_time()
            pids = [p for c in _children(me) for p in _tree(c)]
            if not pids:
                continue
            per_pid = [(p, _kb(f"/proc/{p}/status", "VmRSS:")) for p in pids]
            for i, p in enumerate(pids):
                self.cpu[p] = ("crawl" if i == 0 else "worker", _cpu_s(p))
            rss = sum(kb for _, kb in per_pid)
            pss = 0
            if time.perf_counter() >= next_pss:
                pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
                next_pss = time.perf_counter() + self.pss_interval
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
        self.own_cpu_s = time.thread_time()

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
    load0 = _load()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server0 = resource.getrusage(resource.RUSAGE_SELF)
    sampler.start()
    t0 = time.perf_counter()
    summary = run_crawl_subprocess(demo.sources, paths, progress=False, settings=CRAWL_SETTINGS)
    wall = time.perf_counter() - t0
    server1 = resource.getrusage(resource.RUSAGE_SELF)
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # this process meanwhile: the demo web servers' threads (the sites being crawled) and the sampler
    server = (server1.ru_utime - server0.ru_utime) + (server1.ru_stime - server0.ru_stime) - sampler.own_cpu_s
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
        "server_ms_per_page": round(1000 * server / max(pages, 1), 2),
        "sampler_cpu_s": round(sampler.own_cpu_s, 2),
        "loadavg_1m": [load0, _load()],
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
    load0 = _load()
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
        "loadavg_1m": [load0, _load()],
    }


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def run(
    pages: int,
    *,
    seed: int,
    keep: Path | None,
    baseline_pages: int | None,
    skip_baseline: bool,
    trace: Path | None = None,
    rounds: int = 1,
) -> dict:
    """``rounds`` x (crawl into a fresh data folder, then the baseline), on one demo newsroom."""
    per_day = size_for(pages)
    t0 = time.perf_counter()
    measured: list[dict] = []
    with DemoNewsroom(seed=seed, days=DEFAULT_DAYS, per_day=per_day) as demo:
        served = sum(len(s.articles) for s in demo.sites.values())
        setup = time.perf_counter() - t0
        print(
            f"[{pages}] newsroom: {served} articles ({per_day}/outlet/day x {DEFAULT_DAYS} days), "
            f"set up in {setup:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        for i in range(rounds):
            data_dir = (keep / f"round-{i + 1}" if rounds > 1 else keep) if keep else None
            data_dir = data_dir or Path(tempfile.mkdtemp(prefix="newsradar-bench-"))
            try:
                print(f"[{pages}] round {i + 1}/{rounds}: crawling ...", file=sys.stderr, flush=True)
                crawl = measure_crawl(demo, data_dir, trace)
            finally:
                if keep is None:
                    shutil.rmtree(data_dir, ignore_errors=True)
            print(f"[{pages}] crawl: {crawl}", file=sys.stderr, flush=True)
            base = None
            if not skip_baseline:
                print(f"[{pages}] baseline: extract_article in a loop ...", file=sys.stderr, flush=True)
                base = measure_baseline(demo, baseline_pages)
            one = {"crawl": crawl, "baseline": base}
            if base:
                one["cpu_per_page_ratio"] = round(crawl["cpu_ms_per_page"] / base["cpu_ms_per_page"], 2)
                one["throughput_ratio"] = round(crawl["pages_per_s"] / base["pages_per_s"], 2)
            measured.append(one)
    result = {
        "requested_pages": pages,
        "served_articles": served,
        "cpu_count": os.cpu_count(),
        "rounds": measured,
        # the first round's numbers, as before (--rounds 1 is the default)
        **measured[0],
        "loadavg_1m": _load(),
    }
    ratios = [m["throughput_ratio"] for m in measured if m.get("throughput_ratio") is not None]
    if ratios:
        result["throughput_ratio_median"] = round(statistics.median(ratios), 2)
    return result


def report(r: dict) -> str:
    lines = [
        f"pages requested {r['requested_pages']}, articles served {r['served_articles']}, {r['cpu_count']} CPUs "
        f"(load average = 1-minute load before -> after each measurement; above ~1 other work shared the "
        f"cores and the wall-clock numbers, pages/s of both, are not comparable)"
    ]
    busy = False
    for i, m in enumerate(r["rounds"]):
        c, b = m["crawl"], m["baseline"]
        prefix = f"round {i + 1}: " if len(r["rounds"]) > 1 else ""
        busy |= max(c["loadavg_1m"]) > 1.5 or (b is not None and max(b["loadavg_1m"]) > 1.5)
        lines += [
            f"{prefix}crawl:    {c['pages']} pages ({c['articles']} articles) in {c['wall_s']} s = "
            f"{c['pages_per_s']} pages/s, load average {c['loadavg_1m'][0]} -> {c['loadavg_1m'][1]}",
            f"          CPU {c['cpu_s']} s = {c['cpu_ms_per_page']} ms/page: crawl process (Scrapy, pipelines, "
            f"WARC) {c['crawl_process_ms_per_page']} + extraction workers {c['workers_ms_per_page']}; "
            f"meanwhile the demo web servers (this process) {c['server_ms_per_page']} ms/page and this "
            f"sampler {c['sampler_cpu_s']} s on the same cores",
            f"          peak RSS {c['peak_rss_mb']} MB (PSS {c['peak_pss_mb']} MB, {c['peak_processes']} "
            f"processes); {c['parquet_files']} Parquet files, {c['parquet_mb']} MB; failures {c['failures']}",
        ]
        if b:
            lines += [
                f"{prefix}baseline: extract_article x {b['pages']} in a loop on one core: {b['pages_per_s']} "
                f"pages/s, {b['cpu_ms_per_page']} ms/page, load average {b['loadavg_1m'][0]} -> "
                f"{b['loadavg_1m'][1]}",
                f"{prefix}ratio:    crawl pages/s = {m['throughput_ratio']} x baseline (target >= 1.0); "
                f"crawl CPU/page = {m['cpu_per_page_ratio']} x baseline",
            ]
    if "throughput_ratio_median" in r:
        verdict = "MET" if r["throughput_ratio_median"] >= 1.0 else "NOT MET"
        n = len(r["rounds"])
        median = f"median of {n} rounds" if n > 1 else "one round"
        lines.append(
            f"throughput: crawl/baseline pages/s = {r['throughput_ratio_median']} ({median}); "
            f"target >= 1.0: {verdict}"
            + ("  [machine busy during the run: repeat on an idle machine]" if busy else "")
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
        "--rounds",
        type=int,
        default=1,
        help="crawl + baseline this many times on the same newsroom; the verdict uses the median ratio",
    )
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
            rounds=1 if args.check_memory else max(1, args.rounds),
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
