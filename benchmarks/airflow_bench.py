"""Airflow overhead: one daily run of the DAGs (``dag.test()``: ingest, then the warehouse with one
cosmos task per dbt model) against the same work done by ``newsradar crawl`` then ``newsradar build``,
over the same demo newsroom, measured in one run of this script.

    .venv/bin/python benchmarks/airflow_bench.py [--days 7] [--per-day 5] [--out benchmarks/results]

Both sides start from an empty data folder, crawl the same day (yesterday, the demo's last day) with
the same polite crawl settings and build the warehouse from scratch. The Airflow side is measured in
both warehouse modes (``NEWSRADAR_WAREHOUSE_MODE``): ``cosmos`` (one task per dbt model, the default)
and ``single`` (the whole dbt build in one task). The Airflow side is timed from the
start of ``dag.test`` of the ingest DAG to the end of the warehouse run (Airflow's database migration
and the dbt manifest, one-time costs of a deployment, are reported apart). Target: overhead <= 30 %.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RUNNER = r"""
import json, sys, time
from datetime import datetime
t0 = time.monotonic()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
parsed = time.monotonic()
out = {"parse_s": parsed - t0}
for dag_id in ("newsradar_ingest", "newsradar_warehouse"):
    t = time.monotonic()
    dag = bag.dags[dag_id]
    dr = dag.test(logical_date=datetime.fromisoformat(sys.argv[2])) if dag_id == "newsradar_ingest" else dag.test()
    out[dag_id] = {"state": str(dr.state), "seconds": time.monotonic() - t,
                   "tasks": len(dr.get_task_instances())}
print("RESULT " + json.dumps(out))
"""


def _run(cmd: list[str], env: dict[str, str], log: Path) -> float:
    t = time.monotonic()
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed (exit {proc.returncode}); see {log}")
    return time.monotonic() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7, help="days of demo articles (default 7)")
    parser.add_argument("--per-day", type=int, default=5, help="articles per outlet and day (default 5)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results"), help="where to write the JSON")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["cosmos", "single"],
        choices=["cosmos", "single"],
        help="warehouse DAG modes to measure (NEWSRADAR_WAREHOUSE_MODE; default: both)",
    )
    args = parser.parse_args()

    from newsradar.demo import DemoNewsroom
    from newsradar.orchestration.build import write_manifest
    from newsradar.settings import Paths

    today = datetime.now(UTC).date()
    day = today - timedelta(days=1)
    bin_dir = Path(sys.executable).parent
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSRADAR"))}
    base_env["PATH"] = f"{bin_dir}:{base_env.get('PATH', '')}"
    result: dict = {"day": day.isoformat(), "days": args.days, "per_day": args.per_day,
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "load_avg_start": os.getloadavg()}}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="newsradar-airflow-bench-") as tmp, \
            DemoNewsroom(days=args.days, per_day=args.per_day, end_date=day) as demo:  # fmt: skip
        tmp = Path(tmp)
        sources = demo.write_sources_yaml(tmp / "sources.yaml")
        result["sources"] = len(demo.sources)

        # --- plain CLI: crawl the day, then build
        cli_data = tmp / "cli"
        env = dict(base_env, NEWSRADAR_SOURCES=str(sources))
        nr = str(bin_dir / "newsradar")
        crawl_s = _run(
            [
                nr,
                "crawl",
                "--data-dir",
                str(cli_data),
                "--sources",
                str(sources),
                "--since",
                str(day),
                "--until",
                str(day),
                "--crawl-date",
                str(day),
                "--no-progress",
            ],
            env,
            tmp / "cli-crawl.log",
        )
        build_s = _run([nr, "build", "--data-dir", str(cli_data), "--sources", str(sources), "--quiet"], env,
                       tmp / "cli-build.log")  # fmt: skip
        result["cli"] = {"crawl_s": crawl_s, "build_s": build_s, "total_s": crawl_s + build_s}

        # --- Airflow: the same day through the DAGs, per warehouse mode (cosmos: one task per dbt model)
        logical = datetime(today.year, today.month, today.day, tzinfo=UTC).isoformat()
        for mode in args.modes:
            af_data, home = tmp / f"airflow-data-{mode}", tmp / f"airflow-home-{mode}"
            env = dict(base_env, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
                       AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"), AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120",
                       NEWSRADAR_DATA_DIR=str(af_data), NEWSRADAR_SOURCES=str(sources),
                       NEWSRADAR_WAREHOUSE_MODE=mode, NEWSRADAR_ALERT_WEBHOOK="http://127.0.0.1:9/unused")  # fmt: skip
            setup_s = _run(
                [sys.executable, "-m", "airflow", "db", "migrate"], env, tmp / f"migrate-{mode}.log"
            )
            t = time.monotonic()
            if mode == "cosmos":
                write_manifest(Paths.from_env(af_data))
            manifest_s = time.monotonic() - t
            log = tmp / f"airflow-run-{mode}.log"
            wall = _run([sys.executable, "-c", RUNNER, str(REPO / "dags"), logical], env, log)
            lines = [ln for ln in log.read_text().splitlines() if ln.startswith("RESULT ")]
            if not lines:
                raise SystemExit(f"no result from the Airflow run; see {log}")
            run = json.loads(lines[-1][len("RESULT ") :])
            dags_s = run["newsradar_ingest"]["seconds"] + run["newsradar_warehouse"]["seconds"]
            result[f"airflow_{mode}"] = {
                "db_migrate_s": setup_s, "manifest_s": manifest_s, "process_wall_s": wall,
                "dag_parse_s": run["parse_s"], "ingest_s": run["newsradar_ingest"]["seconds"],
                "warehouse_s": run["newsradar_warehouse"]["seconds"], "dags_total_s": dags_s,
                "states": {k: v["state"] for k, v in run.items() if isinstance(v, dict)},
                "tasks": {k: v["tasks"] for k, v in run.items() if isinstance(v, dict)},
                "overhead_pct": 100.0 * (dags_s / result["cli"]["total_s"] - 1.0),
            }  # fmt: skip
        result["machine"]["load_avg_end"] = os.getloadavg()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"airflow_bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2))
    cli = result["cli"]
    print(f"demo: {result['sources']} outlets, day {day}, {args.per_day} articles/outlet/day")
    print(f"CLI:     crawl {cli['crawl_s']:.1f}s + build {cli['build_s']:.1f}s = {cli['total_s']:.1f}s")
    for mode in args.modes:
        af = result[f"airflow_{mode}"]
        print(
            f"Airflow ({mode}): ingest {af['ingest_s']:.1f}s + warehouse {af['warehouse_s']:.1f}s = "
            f"{af['dags_total_s']:.1f}s, overhead {af['overhead_pct']:+.0f}% (target <= 30%); "
            f"DAG parse {af['dag_parse_s']:.1f}s, one-time db migrate {af['db_migrate_s']:.1f}s, "
            f"manifest {af['manifest_s']:.1f}s; tasks {af['tasks']}; states {af['states']}"
        )
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
