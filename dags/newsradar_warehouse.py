"""newsradar_warehouse (Airflow DAG): rebuild the warehouse when the ingest DAG updates the lake.

prepare_build copies the published warehouse into a staging file; every dbt model is its own task
(astronomer-cosmos, `dbt build` per model: the model and its tests); publish swaps the staging file
in atomically only if all passed. Then quality gates (source volume gaps, stale data) and spike
alerts (one webhook notification per topic and day).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior

from newsradar.orchestration import LAKE_ARTICLES_ASSET_URI
from newsradar.orchestration.build import (
    PREPARE_TASK_ID,
    cached_manifest,
    dbt_executable,
    parse_env,
    project_dir,
    runtime_env_templates,
)
from newsradar.orchestration.config import OrchestrationConfig

CFG = OrchestrationConfig.from_env()
DBT = project_dir()
# The cached manifest (written by `newsradar airflow`, the image build and each publish) makes parsing
# this file fast; without it cosmos falls back to `dbt ls` (slow, cached by cosmos afterwards).
MANIFEST = cached_manifest(CFG.paths())


@dag(
    dag_id="newsradar_warehouse",
    schedule=[Asset(LAKE_ARTICLES_ASSET_URI)],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # one staging build at a time
    default_args={**CFG.default_args(), "execution_timeout": CFG.build_timeout},
    tags=["newsradar", "warehouse", "dbt"],
    doc_md=__doc__,
)
def newsradar_warehouse():
    @task
    def days(**context) -> list[str]:
        from newsradar.orchestration.build import crawl_days

        run = context["dag_run"]
        return crawl_days(context.get("triggering_asset_events"), run.logical_date or run.run_after)

    @task(task_id=PREPARE_TASK_ID)
    def prepare() -> dict:
        from newsradar.orchestration.build import prepare_build

        return prepare_build()

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            DBT,
            manifest_path=MANIFEST,
            project_name="newsradar" if MANIFEST else None,
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="newsradar", target_name="build", profiles_yml_filepath=DBT / "profiles.yml"
        ),
        # dbt in a subprocess: no DuckDB handle stays open in the task process
        execution_config=ExecutionConfig(
            invocation_mode=InvocationMode.SUBPROCESS, dbt_executable_path=dbt_executable()
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST if MANIFEST else LoadMode.DBT_LS,
            test_behavior=TestBehavior.BUILD,
            env_vars=parse_env(),
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.SUBPROCESS,
            should_detach_multiple_parents_tests=True,  # relationship tests run once both sides exist
            emit_datasets=False,  # the staging file is not an Asset; the published warehouse is
        ),
        # one dbt task at a time: DuckDB allows a single writing process on the staging file
        operator_args={"env": runtime_env_templates(), "install_deps": False, "pool": CFG.dbt_pool},
    )

    @task
    def publish(prepared: dict) -> dict:
        from newsradar.orchestration.build import publish_build

        return publish_build(prepared)

    @task(execution_timeout=timedelta(minutes=10))
    def quality_gates(days: list[str]) -> dict:
        from newsradar.orchestration.tasks import quality_gates as run

        return run(days)

    @task(execution_timeout=timedelta(minutes=10))
    def alerts(days: list[str], **context) -> dict:
        from newsradar.orchestration.tasks import spike_alerts

        return spike_alerts(days, context)

    d, prepared = days(), prepare()
    published = publish(prepared)
    prepared >> dbt >> published
    published >> [quality_gates(d), alerts(d)]


newsradar_warehouse()
