"""The DAG files: import without errors, declare owners, tags, retries with backoff and timeouts,
and are wired as documented (mapped crawl -> Asset -> warehouse DAG with one task per dbt model)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="newsradar-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

REPO = Path(__file__).resolve().parents[2]
DAG_IDS = {"newsradar_ingest", "newsradar_warehouse", "newsradar_maintenance"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    from newsradar.orchestration.build import write_manifest
    from newsradar.settings import Paths

    data = tmp_path_factory.mktemp("data")
    saved = {k: os.environ.get(k) for k in ("NEWSRADAR_DATA_DIR", "NEWSRADAR_RETRIES")}
    os.environ["NEWSRADAR_DATA_DIR"] = str(data)
    os.environ["AIRFLOW__COSMOS__ENABLE_CACHE"] = "False"  # no metadata DB here
    os.environ.pop("NEWSRADAR_RETRIES", None)
    try:
        write_manifest(Paths.from_env(data))  # what `newsradar airflow` and each publish do
        from airflow.dag_processing.dagbag import DagBag

        yield DagBag(str(REPO / "dags"))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_dagbag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert DAG_IDS <= set(dagbag.dags)


def test_every_task_has_owner_tags_retries_backoff_and_timeout(dagbag):
    for dag_id in DAG_IDS:
        dag = dagbag.dags[dag_id]
        assert "newsradar" in dag.tags and len(dag.tags) >= 2, dag_id
        assert dag.max_active_runs == 1, dag_id
        for task in dag.tasks:
            where = f"{dag_id}.{task.task_id}"
            assert task.owner == "newsradar", where
            assert task.retries >= 2, where
            assert task.retry_exponential_backoff, where
            assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=3), where


def test_ingest_maps_one_crawl_per_source_and_emits_the_lake_asset(dagbag):
    dag = dagbag.dags["newsradar_ingest"]
    crawl = dag.get_task("crawl")
    assert type(crawl).__name__.endswith("MappedOperator")
    assert crawl.max_active_tis_per_dag >= 1
    publish = dag.get_task("publish")
    assert publish.trigger_rule == "all_done"  # failed sources do not block the Asset
    assert [o.uri for o in publish.outlets] == ["newsradar://lake/articles"]
    assert "crawl" in publish.upstream_task_ids
    # a daily data-interval timetable by default: the run for day D covers [D, D+1)
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == "0 0 * * *"


def test_warehouse_runs_on_the_asset_with_one_task_per_model(dagbag):
    """Default (watcher) mode: one `dbt build` task writes the staging file (alone in the one-slot pool);
    every model and the seed is its own task, running alongside the build in the models' order."""
    from newsradar.orchestration.cosmos_group import ModelBuildSensor

    dag = dagbag.dags["newsradar_warehouse"]
    assert "newsradar://lake/articles" in str(dag.timetable.asset_condition)
    models = sorted(p.stem for p in (REPO / "warehouse" / "models").rglob("*") if p.suffix in (".sql", ".py"))
    producer = dag.get_task("dbt.dbt_producer_watcher")
    assert producer.pool == "newsradar_dbt"
    # no dbt usage tracking: it would write .user.yml into the project and change the manifest's key
    assert producer.env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert "prepare_build" in producer.upstream_task_ids
    model_tasks = {t.task_id: t for t in dag.tasks if isinstance(t, ModelBuildSensor)}
    assert set(model_tasks) == {f"dbt.{m}_model_build" for m in models} | {"dbt.gazetteer_seed_build"}
    for task_id, task in model_tasks.items():
        assert task.pool != "newsradar_dbt", task_id  # they only read the build's results
        assert task.deferrable is False and task.producer_task_id == producer.task_id, task_id
        assert task.exponential_backoff and task.max_wait.total_seconds() == 4, task_id
        assert "prepare_build" in task.get_flat_relative_ids(upstream=True), task_id
        assert producer.task_id not in task.get_flat_relative_ids(upstream=True), task_id  # alongside
    assert {"dbt.stg_articles_model_build"} <= dag.get_task(
        "dbt.int_articles_deduped_model_build"
    ).upstream_task_ids
    dbt_ids = {t.task_id for t in dag.tasks if t.task_id.startswith("dbt.")}
    assert dbt_ids == set(model_tasks) | {producer.task_id, "dbt.dbt_producer_watcher_done"}  # no test tasks
    publish = dag.get_task("publish")
    assert set(model_tasks) <= publish.get_flat_relative_ids(upstream=True)
    for downstream in ("quality_gates", "alerts"):
        assert "publish" in dag.get_task(downstream).upstream_task_ids


def test_airflow_has_a_slot_for_the_model_tasks_beside_the_build(dagbag, tmp_path):
    """Each watcher model task holds an executor slot while it waits for its model: with fewer slots
    they queue behind each other during the build (docs/operations.md "Performance"). The local run has
    a slot for every model task; a compose worker at least for the widest level of the model graph."""
    import re
    from collections import Counter
    from functools import cache

    from newsradar.commands.airflow import airflow_env
    from newsradar.orchestration.cosmos_group import ModelBuildSensor
    from newsradar.settings import Paths

    dag = dagbag.dags["newsradar_warehouse"]
    model_tasks = {t.task_id: t for t in dag.tasks if isinstance(t, ModelBuildSensor)}

    @cache
    def level(task_id: str) -> int:
        ups = [u for u in model_tasks[task_id].upstream_task_ids if u in model_tasks]
        return 1 + max(map(level, ups), default=0)

    widest = max(Counter(map(level, model_tasks)).values())
    assert widest >= 10  # the staging models and the seed
    env = airflow_env(Paths.from_env(tmp_path), tmp_path / "sources.yaml", 8080, base={})
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) >= len(model_tasks) + 1
    compose = (REPO / "docker-compose.yml").read_text()
    default = re.search(r'"--concurrency", "\$\{AIRFLOW_WORKER_CONCURRENCY:-(\d+)\}"', compose)
    assert default and int(default.group(1)) >= widest + 1


def test_local_mode_runs_dbt_in_every_model_task(monkeypatch, tmp_path, dagbag):
    """NEWSRADAR_WAREHOUSE_MODE=local: every dbt task runs its own `dbt build`, one at a time."""
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("NEWSRADAR_WAREHOUSE_MODE", "local")
    dag = DagBag(str(REPO / "dags" / "newsradar_warehouse.py")).dags["newsradar_warehouse"]
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("dbt.")]
    assert {type(t).__name__ for t in dbt_tasks} <= {"DbtBuildLocalOperator", "DbtTestLocalOperator"}
    assert "dbt.articles_model_build" in {t.task_id for t in dbt_tasks}
    assert all(t.pool == "newsradar_dbt" and "prepare_build" in t.get_flat_relative_ids(upstream=True)
               for t in dbt_tasks)  # fmt: skip


def test_maintenance_compacts_both_tables_and_prunes_raw(dagbag):
    dag = dagbag.dags["newsradar_maintenance"]
    assert {t.task_id for t in dag.tasks} == {"compact", "prune_raw"}


def test_bad_setting_is_a_clear_error(monkeypatch):
    from newsradar.errors import UserError
    from newsradar.orchestration.config import OrchestrationConfig

    monkeypatch.setenv("NEWSRADAR_RETRIES", "two")
    with pytest.raises(UserError, match="NEWSRADAR_RETRIES='two': expected an integer"):
        OrchestrationConfig.from_env()
    monkeypatch.setenv("NEWSRADAR_RETRIES", "2")
    monkeypatch.setenv("NEWSRADAR_INGEST_SCHEDULE", "daily")
    with pytest.raises(UserError, match="cron expression"):
        OrchestrationConfig.from_env()


COMPOSE = shutil.which("docker-compose")


@pytest.mark.skipif(COMPOSE is None, reason="docker-compose (Debian package) not installed")
def test_compose_file_is_valid_and_demands_every_secret(tmp_path):
    example = (REPO / ".env.example").read_text()
    filled = "\n".join(line + "x" if line.endswith("=") else line for line in example.splitlines())
    (tmp_path / "filled.env").write_text(filled)
    (tmp_path / "empty.env").write_text("")
    base = [COMPOSE, "--project-directory", str(REPO), "-f", str(REPO / "docker-compose.yml")]
    ok = subprocess.run([*base, "--env-file", str(tmp_path / "filled.env"), "config", "-q"],
                        capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run([*base, "--env-file", str(tmp_path / "empty.env"), "config", "-q"],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode != 0 and "set in .env" in missing.stderr
    config = subprocess.run([*base, "--env-file", str(tmp_path / "filled.env"), "config"],
                            capture_output=True, text=True, timeout=60).stdout  # fmt: skip
    for service in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker", "postgres", "redis", "dashboard"):  # fmt: skip
        assert f"  {service}:" in config, service
    published = [line for line in config.splitlines() if "published" in line or "host_ip" in line]
    assert all("127.0.0.1" in line for line in published if "host_ip" in line)
    assert "CeleryExecutor" in config


def test_backfill_runs_get_the_same_windows_as_the_daily_runs(dagbag):
    """`airflow backfill create --from-date A --to-date B` creates one run per data interval of the
    timetable (airflow.models.backfill._get_info_list); each crawls exactly its day, like the daily run."""
    from datetime import UTC, datetime

    from airflow.serialization.serialized_objects import DagSerialization

    from newsradar.orchestration.ingest import crawl_window

    dag = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags["newsradar_ingest"]))
    assert dag.timetable.periodic  # backfills are allowed
    infos = list(
        dag.iter_dagrun_infos_between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
    )
    windows = [crawl_window(i.logical_date, i.data_interval.start, i.data_interval.end) for i in infos]
    assert [w["crawl_date"] for w in windows] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert all(w["since"] == w["until"] == w["crawl_date"] for w in windows)


def test_single_task_warehouse_mode(monkeypatch, tmp_path):
    """NEWSRADAR_WAREHOUSE_MODE=single: the whole build in one task (newsradar.warehouse.build)."""
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSRADAR_WAREHOUSE_MODE", "single")
    bag = DagBag(str(REPO / "dags"))
    assert bag.import_errors == {}
    dag = bag.dags["newsradar_warehouse"]
    assert {t.task_id for t in dag.tasks} == {"days", "build", "quality_gates", "alerts"}
    assert "build" in dag.get_task("quality_gates").upstream_task_ids
