"""``newsradar airflow``: Airflow standalone (SQLite, LocalExecutor) with the project's DAGs on
localhost, the demo newsroom served as the sources, so the daily schedule can be watched working.

AIRFLOW_HOME is ``<data dir>/airflow``; the lake and the warehouse are the data dir's. The demo
newsroom's last day is yesterday, so the scheduled ingest run (yesterday's interval) finds articles;
``--backfill-days N`` also backfills the N days before it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsradar.errors import UserError
from newsradar.settings import Paths

DAG_IDS = ("newsradar_ingest", "newsradar_warehouse", "newsradar_maintenance")
POOL = "newsradar_dbt"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "airflow",
        help="run Airflow standalone on localhost with the newsradar DAGs over the demo newsroom",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--data-dir", metavar="DIR", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.add_argument("--port", type=int, default=8080, help="Airflow UI/API port on 127.0.0.1 (default: 8080)")
    p.add_argument(
        "--sources",
        metavar="FILE",
        help="crawl these sources instead of the demo newsroom (a sources.yaml; real sites, be polite)",
    )
    p.add_argument(
        "--backfill-days",
        type=int,
        default=7,
        metavar="N",
        help="also backfill the ingest DAG for the N days before yesterday (default: 7; 0 = none)",
    )
    p.add_argument("--demo-days", type=int, default=21, help="days of demo articles (default: 21)")
    p.add_argument(
        "--demo-per-day", type=int, default=5, help="demo articles per outlet and day (default: 5)"
    )
    p.set_defaults(func=run_airflow)


def dags_folder() -> Path:
    folder = Path(os.environ.get("NEWSRADAR_DAGS_FOLDER") or Path(__file__).resolve().parents[2] / "dags")
    if not (folder / "newsradar_ingest.py").exists():
        raise UserError(f"{folder}: the newsradar DAGs are not there (set NEWSRADAR_DAGS_FOLDER)")
    return folder


# Airflow settings that make a daily run cheaper on one machine (docs/operations.md, "Performance").
LOCAL_EXECUTOR_TUNING = {
    # the scheduler sleeps this long after a loop with nothing to do (default 1 s): each hop between
    # two dependent tasks waits up to that long
    "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
    # LocalExecutor workers come from a forkserver that imported Airflow's task runner, cosmos,
    # Scrapy, the extractor and our task code once: every task process starts warm
    "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
    "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": "newsradar.orchestration.preload",
    # cosmos: no usage telemetry call per task; the watcher producer backs its XComs up to a Variable
    # only when it fails (by default it rewrites the whole backup after every node)
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
    # dbt: no usage tracking (a network call per run, and a `.user.yml` written into the project)
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


def airflow_env(
    paths: Paths, sources_file: Path, port: int, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of the standalone Airflow: its home under the data dir, our DAGs, no examples."""
    env = dict(os.environ if base is None else base)
    home = paths.data_dir / "airflow"
    bin_dir = str(Path(sys.executable).parent)
    env.update(LOCAL_EXECUTOR_TUNING)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags_folder()),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        # task slots. The crawls are capped by NEWSRADAR_CRAWL_CONCURRENCY (8); in the watcher mode each
        # model task holds a slot while it waits for its model (mostly asleep), and the widest level
        # of the model graph is 10 tasks beside the build: with 8 slots they queued behind each other
        # while the build ran (a daily run +68 % over the CLI instead of +52 %, docs/operations.md)
        AIRFLOW__CORE__PARALLELISM="32",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",  # localhost only: no login
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="120",
        AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120",
        NEWSRADAR_DATA_DIR=str(paths.data_dir),
        NEWSRADAR_SOURCES=str(sources_file),
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),
    )
    return env


def prepare_home(paths: Paths, env: dict[str, str]) -> None:
    """Migrate the metadata DB, create the dbt pool (one writer of the staging DuckDB file) and cache
    the dbt manifest so the warehouse DAG parses quickly."""
    from newsradar.orchestration.build import cached_manifest, write_manifest

    for cmd in (
        ["db", "migrate"],
        ["pools", "set", POOL, "1", "dbt tasks: one writer of the staging DuckDB file"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "airflow", *cmd], env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise UserError(f"airflow {' '.join(cmd[:2])} failed: {proc.stderr.strip().splitlines()[-1:]}")
    if cached_manifest(paths) is None:
        write_manifest(paths)


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 240.0) -> None:
    url = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UserError(f"airflow standalone exited with code {proc.returncode} (see its output above)")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                health = json.load(resp)
            if health.get("scheduler", {}).get("status") == "healthy":
                return
        except (OSError, ValueError):
            pass
        time.sleep(2)
    raise UserError(f"Airflow did not become healthy at {url} within {timeout:.0f}s")


def run_airflow(args: argparse.Namespace) -> int:
    paths = Paths.from_env(args.data_dir)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    if args.backfill_days < 0:
        raise UserError("--backfill-days must be >= 0")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    demo = None
    if args.sources:
        sources_file = Path(args.sources).resolve()
        from newsradar.sources import load_sources

        load_sources(sources_file)  # fail now, with the entry and field named, not inside a task
    else:
        from newsradar.demo import DemoNewsroom

        demo = DemoNewsroom(days=args.demo_days, per_day=args.demo_per_day, end_date=yesterday).start()
        sources_file = demo.write_sources_yaml(paths.data_dir / "airflow" / "demo_sources.yaml")
    env = airflow_env(paths, sources_file, args.port)
    print(
        f"newsradar: Airflow home {env['AIRFLOW_HOME']}, DAGs {env['AIRFLOW__CORE__DAGS_FOLDER']}", flush=True
    )
    print(f"newsradar: sources {sources_file}" + (" (demo newsroom, served by this process)" if demo else ""))
    print("newsradar: preparing the Airflow database and the dbt manifest ...", flush=True)
    prepare_home(paths, env)
    proc = subprocess.Popen([sys.executable, "-m", "airflow", "standalone"], env=env, start_new_session=True)

    def _stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        _wait_healthy(args.port, proc)
        print(f"newsradar: Airflow is up at http://127.0.0.1:{args.port} (Ctrl-C stops it)", flush=True)
        if args.backfill_days:
            start = yesterday - timedelta(days=args.backfill_days)
            end = yesterday - timedelta(days=1)
            subprocess.run(
                [sys.executable, "-m", "airflow", "backfill", "create", "--dag-id", "newsradar_ingest",
                 "--from-date", start.isoformat(), "--to-date", end.isoformat(), "--max-active-runs", "1"],
                env=env, check=False,
            )  # fmt: skip
            print(f"newsradar: backfill of newsradar_ingest requested for {start} .. {end}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if demo is not None:
            demo.stop()
