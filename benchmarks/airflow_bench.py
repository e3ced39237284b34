"""Airflow scheduling overhead: a daily run of the DAGs on running Airflow services against the same
work done by ``newsradar crawl`` then ``newsradar build``, over the same demo newsroom, measured in one
run of this script on one machine.

    .venv/bin/python benchmarks/airflow_bench.py                     # modes watcher + single, 3 pairs each
    .venv/bin/python benchmarks/airflow_bench.py --modes watcher --pairs 5
    .venv/bin/python benchmarks/airflow_bench.py --modes watcher single local   # local: a dbt process per model

The demo newsroom (5 outlets, ``--days`` days of ``--per-day`` articles each) is served by this process;
every run crawls its last day (yesterday) and builds the warehouse from an empty data folder.

- Airflow, per ``NEWSRADAR_WAREHOUSE_MODE``: the services an operator runs on one machine (api-server,
  scheduler with the LocalExecutor, dag-processor, triggerer; SQLite; the settings ``newsradar
  airflow`` uses, ``LOCAL_EXECUTOR_TUNING``) are started and left idle until the DAGs are registered
  (``startup_s``, reported apart, like the database migration and the dbt manifest: one-time costs).
  A run empties the data folder (keeping the manifest cache), triggers ``newsradar_ingest`` for the
  day through the REST API (what the scheduler does at midnight; the schedule itself is off, so
  nothing else starts), and is timed from that request until the ``newsradar_warehouse`` run that the
  lake Asset triggered has succeeded (its ``end_date``): the warehouse is published, the quality gates
  and alerts ran. The first run after start-up (it pays the warm-up of the executor's workers) is
  reported apart.
- CLI: ``newsradar crawl`` (the five outlets concurrently, in one process) then ``newsradar build``,
  timed from start to exit, in a data folder of its own.
- Pairs: ``--pairs`` times, a CLI run immediately followed by an Airflow run. During the CLI run the
  Airflow services are frozen (SIGSTOP; an idle deployment takes ~15 % of a core), so the CLI runs as
  on a machine without them. Overhead of a pair = Airflow / CLI - 1; the verdict uses the median over
  the pairs, which keeps a shared machine's swings in load out of the ratio as far as possible.

Target: <= +30 %. The load average (1, 5, 15 min) is printed with every measurement. Results: printed,
and written as JSON under ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVICES = (("api-server", ["api-server"]), ("scheduler", ["scheduler"]), ("dag-processor", ["dag-processor"]),
            ("triggerer", ["triggerer"]))  # fmt: skip
KEEP = {"airflow", ".dbt-manifest"}  # what a run's reset keeps in the Airflow data folder


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _iso(value: str | None) -> float | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None


class Api:
    def __init__(self, base: str):
        self.base, self.token = base, None

    def call(self, method: str, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)


def _run(cmd: list[str], env: dict[str, str], log: Path) -> float:
    t = time.monotonic()
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed (exit {proc.returncode}); see {log}")
    return time.monotonic() - t


def _warehouse_facts(path: Path, day: str) -> dict:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        meta = dict(con.execute("select key, value from _build_meta").fetchall())
        return {
            "articles": con.execute("select count(*) from articles").fetchone()[0],
            "source_health_rows": con.execute("select count(*) from source_health where day = ?", [day]).fetchone()[0],
            "built_by": meta.get("built_by"),
        }  # fmt: skip


def cli_run(tmp: Path, n: int, sources: Path, day: str, base_env: dict[str, str]) -> dict:
    data = tmp / f"cli-{n}"
    nr = str(Path(sys.executable).with_name("newsradar"))
    load = _load()
    crawl_s = _run([nr, "crawl", "--data-dir", str(data), "--sources", str(sources), "--since", day, "--until", day,
                    "--crawl-date", day, "--no-progress"], base_env, tmp / f"cli-{n}-crawl.log")  # fmt: skip
    build_s = _run([nr, "build", "--data-dir", str(data), "--sources", str(sources), "--quiet"], base_env,
                   tmp / f"cli-{n}-build.log")  # fmt: skip
    return {"crawl_s": crawl_s, "build_s": build_s, "total_s": crawl_s + build_s,
            "load_before": load, "load_after": _load(), **_warehouse_facts(data / "newsradar.duckdb", day)}  # fmt: skip


class Deployment:
    """Airflow's services for one warehouse mode, started as an operator would on one machine."""

    def __init__(self, tmp: Path, mode: str, sources: Path, base_env: dict[str, str]):
        from newsradar.commands.airflow import airflow_env
        from newsradar.settings import Paths

        self.mode, self.root = mode, tmp / f"airflow-{mode}"
        self.data, self.logs = self.root / "data", self.root / "logs"
        self.logs.mkdir(parents=True)
        self.port = _free_port()
        self.paths = Paths.from_env(self.data)
        env = airflow_env(self.paths, sources, self.port, base=base_env)
        env.update(
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",  # the maintenance DAG stays paused
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(64),
            AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
            NEWSRADAR_DATA_DIR=str(self.data),
            NEWSRADAR_INGEST_SCHEDULE="none",  # runs are triggered by this script, nothing by the clock
            NEWSRADAR_WAREHOUSE_MODE=mode,
            NEWSRADAR_ALERT_WEBHOOK="http://127.0.0.1:9/unused",
        )
        self.env, self.procs, self.api = env, {}, Api(f"http://127.0.0.1:{self.port}")

    def setup(self) -> dict:
        from newsradar.commands.airflow import prepare_home
        from newsradar.orchestration.build import cached_manifest

        t = time.monotonic()
        prepare_home(self.paths, self.env)  # db migrate, the dbt pool, the dbt manifest
        return {"setup_s": time.monotonic() - t, "manifest": str(cached_manifest(self.paths))}

    def start(self) -> dict:
        load, t = _load(), time.monotonic()
        for name, args in SERVICES:
            log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - lives as long as the process
            self.procs[name] = subprocess.Popen([sys.executable, "-m", "airflow", *args], env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 300
        while True:
            dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
            if dead:
                raise SystemExit(f"Airflow service(s) died: {dead}; logs in {self.logs}")
            try:
                self.api.token = self.api.call("GET", "/auth/token")["access_token"]
                dags = {d["dag_id"] for d in self.api.call("GET", "/api/v2/dags")["dags"]}
                health = self.api.call("GET", "/api/v2/monitor/health")
                if {"newsradar_ingest", "newsradar_warehouse"} <= dags and all(
                    health[c]["status"] == "healthy" for c in ("scheduler", "triggerer", "dag_processor")
                ):
                    break
            except (urllib.error.URLError, OSError, KeyError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"Airflow did not come up within 300 s; logs in {self.logs}")
            time.sleep(0.5)
        errors = self.api.call("GET", "/api/v2/importErrors")["import_errors"]
        if errors:
            raise SystemExit(f"DAG import errors: {errors}")
        for dag_id in ("newsradar_ingest", "newsradar_warehouse"):
            self.api.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        return {"startup_s": time.monotonic() - t, "load_before": load}

    def run(self, n: int, day: str) -> dict:
        for child in self.data.iterdir():  # the same work every run: an empty lake and no warehouse
            if child.name not in KEEP:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        logical = (datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(seconds=n)).isoformat()
        run_id = f"bench_{n}"
        load = _load()
        t0 = time.time()
        self.api.call(
            "POST", "/api/v2/dags/newsradar_ingest/dagRuns", {"logical_date": logical, "dag_run_id": run_id}
        )
        deadline = time.monotonic() + 1200
        while True:
            ingest = self.api.call("GET", f"/api/v2/dags/newsradar_ingest/dagRuns/{run_id}")
            runs = [r for r in self.api.call("GET", "/api/v2/dags/newsradar_warehouse/dagRuns")["dag_runs"]
                    if (_iso(r["run_after"]) or 0) >= t0 - 1]  # fmt: skip
            if ingest["state"] == "failed" or any(r["state"] in ("success", "failed") for r in runs):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"run {run_id} did not finish within 20 minutes; logs in {self.root}")
            time.sleep(0.25)
        if ingest["state"] != "success" or len(runs) != 1 or runs[0]["state"] != "success":
            raise SystemExit(f"run {run_id}: ingest {ingest['state']}, warehouse {[r['state'] for r in runs]}; "
                             f"logs in {self.root}")  # fmt: skip
        wh = runs[0]
        tis = {dag_id: self.api.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{rid}/taskInstances?limit=500")[
            "task_instances"] for dag_id, rid in (("newsradar_ingest", run_id), ("newsradar_warehouse", wh["dag_run_id"]))}  # fmt: skip
        ing_end, wh_start, wh_end = _iso(ingest["end_date"]), _iso(wh["start_date"]), _iso(wh["end_date"])
        return {
            "total_s": wh_end - t0, "ingest_s": ing_end - t0, "handoff_s": wh_start - ing_end,
            "warehouse_s": wh_end - wh_start, "load_before": load, "load_after": _load(),
            "tasks": {d: len(t) for d, t in tis.items()},
            "task_seconds": {d: round(sum(t["duration"] or 0 for t in ts), 1) for d, ts in tis.items()},
            "slowest": {d: sorted(((t["task_id"] + (f"[{t['map_index']}]" if t["map_index"] >= 0 else ""),
                                    round(t["duration"] or 0, 1)) for t in ts), key=lambda x: -x[1])[:3]
                        for d, ts in tis.items()},
            **_warehouse_facts(self.paths.warehouse_path, day),
        }  # fmt: skip

    @contextlib.contextmanager
    def frozen(self):
        """SIGSTOP every process of the deployment (executor workers included) for the block, SIGCONT after:
        an idle deployment takes ~15 % of a core, which the CLI run it is compared with should not pay."""
        for proc in self.procs.values():
            os.killpg(proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for proc in self.procs.values():
                os.killpg(proc.pid, signal.SIGCONT)
            time.sleep(1)  # let the scheduler and the api-server catch up before a run is timed

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():  # executor workers outlive their scheduler: end the whole group
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7, help="days of demo articles (default 7)")
    parser.add_argument("--per-day", type=int, default=5, help="articles per outlet and day (default 5)")
    parser.add_argument("--modes", nargs="+", default=["watcher", "single"], choices=["watcher", "single", "local"],
                        help="NEWSRADAR_WAREHOUSE_MODE values to measure (default: watcher single)")  # fmt: skip
    parser.add_argument(
        "--pairs", type=int, default=3, help="(CLI run, Airflow run) pairs per mode (default 3)"
    )
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results"), help="where to write the JSON")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder (logs, data) and print it"
    )
    args = parser.parse_args()

    day = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    tmp = Path(tempfile.mkdtemp(prefix="newsradar-airflow-bench-"))
    # a snapshot of the dbt project, so that both sides build the same models even if someone edits them
    project = tmp / "warehouse"
    shutil.copytree(
        REPO / "warehouse", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSRADAR"))}
    base_env.update(
        PATH=f"{Path(sys.executable).parent}:{base_env.get('PATH', '')}", NEWSRADAR_DBT_PROJECT=str(project)
    )
    os.environ["NEWSRADAR_DBT_PROJECT"] = str(project)  # before newsradar.warehouse is imported here

    from newsradar.demo import DemoNewsroom

    result: dict = {"day": day, "days": args.days, "per_day": args.per_day, "started": datetime.now(UTC).isoformat(),
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_start": _load()},
                    "modes": {}}  # fmt: skip
    deployments: list[Deployment] = []
    n_cli = 0
    try:
        with DemoNewsroom(
            days=args.days, per_day=args.per_day, end_date=datetime.fromisoformat(day).date()
        ) as demo:
            sources = demo.write_sources_yaml(tmp / "sources.yaml")
            result["sources"] = len(demo.sources)
            base_env["NEWSRADAR_SOURCES"] = str(sources)
            for mode in args.modes:
                dep = Deployment(tmp, mode, sources, base_env)
                deployments.append(dep)
                info = dep.setup()
                info.update(dep.start())
                info["first_run"] = dep.run(0, day)
                print(f"{mode}: first run after start-up {info['first_run']['total_s']:.1f}s", flush=True)
                info["pairs"] = []
                for n in range(1, args.pairs + 1):
                    with dep.frozen():  # the CLI runs alone, as without a deployment
                        cli = cli_run(tmp, n_cli, sources, day, base_env)
                    n_cli += 1
                    run = dep.run(n, day)
                    run["overhead_pct"] = 100.0 * (run["total_s"] / cli["total_s"] - 1.0)
                    info["pairs"].append({"cli": cli, "airflow": run})
                    print(f"{mode} pair {n}: CLI {cli['total_s']:.1f}s, Airflow {run['total_s']:.1f}s "
                          f"({run['overhead_pct']:+.0f}%)", flush=True)  # fmt: skip
                dep.stop()
                info["overhead_pct_median"] = statistics.median(
                    p["airflow"]["overhead_pct"] for p in info["pairs"]
                )
                result["modes"][mode] = info
    finally:
        for dep in deployments:
            dep.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result["machine"]["load_end"] = _load()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"airflow_bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2))
    report(result)
    print(f"-> {path}" + (f"; scratch kept in {tmp}" if args.keep else ""))
    return 0


def report(result: dict) -> None:
    print(f"\ndemo newsroom: {result['sources']} outlets, {result['per_day']} articles/outlet/day, crawling "
          f"{result['day']}; {result['machine']['cpus']} CPUs; load average {result['machine']['load_start']} -> "
          f"{result['machine']['load_end']}")  # fmt: skip
    print(
        f"{'':30} {'crawl/ingest':>12} {'hand-off':>9} {'build/wh':>9} {'total':>8} {'vs CLI':>7}  load before (1,5,15 min)"
    )
    row = "{:30} {:11.1f}s {:>9} {:8.1f}s {:7.1f}s {:>7}  {}"
    for mode, info in result["modes"].items():
        first = info["first_run"]
        print(row.format(f"{mode}: Airflow, first run", first["ingest_s"], f"{first['handoff_s']:.1f}s",
                         first["warehouse_s"], first["total_s"], "", first["load_before"]))  # fmt: skip
        for n, pair in enumerate(info["pairs"], 1):
            cli, af = pair["cli"], pair["airflow"]
            print(row.format(f"{mode}: CLI #{n}", cli["crawl_s"], "", cli["build_s"], cli["total_s"], "",
                             cli["load_before"]))  # fmt: skip
            print(row.format(f"{mode}: Airflow #{n}", af["ingest_s"], f"{af['handoff_s']:.1f}s", af["warehouse_s"],
                             af["total_s"], f"{af['overhead_pct']:+.0f}%", af["load_before"]))  # fmt: skip
        verdict = "met" if info["overhead_pct_median"] <= 30 else "NOT met"
        print(f"{mode}: median overhead over {len(info['pairs'])} pairs {info['overhead_pct_median']:+.0f}% "
              f"(target <= +30%: {verdict}); services up in {info['startup_s']:.1f}s, one-time setup (migrate, "
              f"pool, manifest) {info['setup_s']:.1f}s")  # fmt: skip
        last = info["pairs"][-1]["airflow"] if info["pairs"] else first
        print(f"    tasks {last['tasks']}; task-seconds {last['task_seconds']}; slowest {last['slowest']}")
    facts = {
        (p["cli"]["articles"], p["cli"]["source_health_rows"])
        for i in result["modes"].values()
        for p in i["pairs"]
    }
    facts |= {(r["articles"], r["source_health_rows"]) for i in result["modes"].values()
              for r in [i["first_run"], *(p["airflow"] for p in i["pairs"])]}  # fmt: skip
    print(f"same work: (articles, source_health rows for the day) = {sorted(facts)}"
          + ("" if len(facts) == 1 else "  <-- DIFFERENT between runs"))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
