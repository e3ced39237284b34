"""End to end with Airflow's ``dag.test()``: the ingest DAG crawls the demo newsroom for one day (one
mapped task per outlet), then the warehouse DAG builds it with cosmos (one task per dbt model) and
publishes it; the quality gates and the alerts run against the published file.

Airflow runs in a subprocess with its own AIRFLOW_HOME (SQLite); the demo newsroom is served by this
process on 127.0.0.2x.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

REPO = Path(__file__).resolve().parents[2]

RUNNER = r"""
import json, sys
from datetime import datetime
from airflow.dag_processing.dagbag import DagBag

out = {}
bag = DagBag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
logical = datetime.fromisoformat(sys.argv[2])
for dag_id in ("newsradar_ingest", "newsradar_warehouse"):
    dag = bag.dags[dag_id]
    dr = dag.test(logical_date=logical) if dag_id == "newsradar_ingest" else dag.test()
    out[dag_id] = {
        "state": str(dr.state),
        "tis": [[ti.task_id, ti.map_index, str(ti.state), ti.try_number] for ti in dr.get_task_instances()],
    }
print("RESULT " + json.dumps(out))
"""


def airflow_env(home: Path, data: Path, sources: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSRADAR"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120",
        NEWSRADAR_DATA_DIR=str(data),
        NEWSRADAR_SOURCES=str(sources),
        NEWSRADAR_RETRIES="2",
        NEWSRADAR_RETRY_DELAY_SECONDS="0",
        NEWSRADAR_CRAWL_SETTINGS=json.dumps({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}),
        NEWSRADAR_ALERT_WEBHOOK="http://127.0.0.1:9/unused",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    return env


def test_ingest_then_warehouse_with_dag_test(tmp_path):
    from newsradar.demo import DemoNewsroom
    from newsradar.orchestration.build import write_manifest
    from newsradar.settings import Paths

    today = datetime.now(UTC).date()
    day = today - timedelta(days=1)  # the daily run for `day` covers [day, today)
    home, data = tmp_path / "airflow", tmp_path / "data"
    with DemoNewsroom(days=3, per_day=2, end_date=day) as demo:
        sources = demo.write_sources_yaml(tmp_path / "sources.yaml")
        env = airflow_env(home, data, sources)
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                       capture_output=True, timeout=180)  # fmt: skip
        write_manifest(Paths.from_env(data))  # as `newsradar airflow` and the compose init do
        logical = datetime(today.year, today.month, today.day, tzinfo=UTC).isoformat()
        proc = subprocess.run([sys.executable, "-c", RUNNER, str(REPO / "dags"), logical], env=env,
                              capture_output=True, text=True, timeout=1100)  # fmt: skip
        outlets = [s.id for s in demo.sources]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-6000:]
    result = json.loads(lines[-1][len("RESULT ") :])

    ingest = result["newsradar_ingest"]
    assert ingest["state"] == "success", ingest
    crawled = sorted(ti for ti in ingest["tis"] if ti[0] == "crawl")
    assert [ti[1] for ti in crawled] == list(range(len(outlets)))
    assert all(ti[2] == "success" for ti in crawled), crawled

    wh = result["newsradar_warehouse"]
    states = {ti[0]: ti[2] for ti in wh["tis"]}
    dbt_tasks = [t for t in states if t.startswith("dbt.")]
    assert len(dbt_tasks) >= 10 and all(states[t] == "success" for t in dbt_tasks), states
    assert states["publish"] == "success" and states["alerts"] == "success", states

    # the lake: each outlet's partition for `day` holds its articles published that day
    lake = data / "lake" / "articles"
    con = duckdb.connect()
    rows = con.execute(
        "select source_id, count(*) filter (where cast(published_at as date) = ?) "
        f"from read_parquet('{lake}/*/crawl_date={day}/*.parquet') group by 1",
        [day],
    ).fetchall()
    by_source = dict(rows)
    assert set(by_source) == set(outlets)
    expected = {
        a["outlet"]
        for a in demo.manifest["pages"]
        if a["is_article"] and str(a.get("published_at", ""))[:10] == str(day)
    }
    assert expected and all(by_source.get(o, 0) >= 1 for o in expected), by_source

    # the published warehouse: marts present, source_health has the crawl day for each outlet
    pub = duckdb.connect(str(data / "newsradar.duckdb"), read_only=True)
    health = dict(pub.execute(
        "select source_id, articles_extracted from source_health where day = ?", [day]).fetchall())  # fmt: skip
    assert set(health) == set(outlets), health
    assert pub.execute("select count(*) from articles").fetchone()[0] > 0
    meta = dict(pub.execute("select key, value from _build_meta").fetchall())
    assert meta.get("built_by") == "airflow"
    assert not (data / ".airflow-build").exists()
    assert date.fromisoformat(str(day))


FAILING_RUNNER = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
from newsradar.orchestration.build import write_manifest
from newsradar.settings import Paths

write_manifest(Paths.from_env())  # the manifest of the project copy with the failing test
bag = DagBag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
dr = bag.dags["newsradar_warehouse"].test()
print("RESULT " + json.dumps({ti.task_id: [str(ti.state), ti.try_number] for ti in dr.get_task_instances()}))
"""


def test_a_failing_dbt_test_fails_its_model_task_and_nothing_is_published(tmp_path):
    """A data test of the `articles` model fails in the producer's `dbt build`: the `articles` model task
    fails (after its retries, which rebuild the model and rerun its tests alone), the models downstream
    never run, `publish` does not run and no warehouse file appears; the models upstream succeed."""
    import shutil

    from newsradar.demo import DemoNewsroom
    from newsradar.orchestration.crawl_child import run_crawl_forked
    from newsradar.settings import Paths

    day = datetime.now(UTC).date() - timedelta(days=1)
    home, data, project = tmp_path / "airflow", tmp_path / "data", tmp_path / "warehouse"
    shutil.copytree(
        REPO / "warehouse", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "articles_fail_on_purpose.sql").write_text(
        "select article_id from {{ ref('articles') }} where article_id is not null\n"
    )
    with DemoNewsroom(days=3, per_day=2, end_date=day) as demo:
        sources = demo.write_sources_yaml(tmp_path / "sources.yaml")
        run_crawl_forked(list(demo.sources), Paths.from_env(data), crawl_date=day, since=day, until=day,
                         settings={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, timeout=300)  # fmt: skip
    env = airflow_env(home, data, sources)
    env["NEWSRADAR_DBT_PROJECT"] = str(project)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                   capture_output=True, timeout=180)  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", FAILING_RUNNER, str(REPO / "dags")], env=env,
                          capture_output=True, text=True, timeout=1100)  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-6000:]
    states = json.loads(lines[-1][len("RESULT ") :])

    assert states["dbt.articles_model_build"] == ["failed", 3], states  # 1 try + 2 retries
    assert states["dbt.stg_articles_model_build"][0] == "success", states
    assert states["dbt.int_articles_deduped_model_build"][0] == "success", states
    assert states["dbt.article_topics_model_build"][0] == "upstream_failed", states
    assert states["publish"][0] != "success", states
    assert not (data / "newsradar.duckdb").exists()  # nothing was published
    assert "failed in the dbt build" in proc.stdout + proc.stderr  # the model task names the tests
