"""newsradar_warehouse (Airflow DAG): rebuild the warehouse when the ingest DAG updates the lake.

prepare_build copies the published warehouse into a staging file; one `dbt build` (astronomer-cosmos
watcher mode) builds every model and test into it, and every dbt model is its own task that succeeds
when its model and the model's tests passed; publish swaps the staging file in atomically only if all
passed. Then quality gates (source volume gaps, stale data) and spike alerts (one webhook
notification per topic and day).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from newsradar.orchestration import LAKE_ARTICLES_ASSET_URI
from newsradar.orchestration.build import PREPARE_TASK_ID, template_macros
from newsradar.orchestration.config import OrchestrationConfig

CFG = OrchestrationConfig.from_env()


@dag(
    dag_id="newsradar_warehouse",
    schedule=[Asset(LAKE_ARTICLES_ASSET_URI)],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # one staging build at a time
    default_args={**CFG.default_args(), "execution_timeout": CFG.build_timeout},
    user_defined_macros=template_macros(),  # the dbt tasks' environment, from prepare_build's XCom
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

    @task
    def publish(prepared: dict) -> dict:
        from newsradar.orchestration.build import publish_build

        return publish_build(prepared)

    @task(task_id="build")
    def build_in_one_task() -> dict:
        from newsradar.orchestration.tasks import build_warehouse

        return build_warehouse()

    @task(execution_timeout=timedelta(minutes=10))
    def quality_gates(days: list[str]) -> dict:
        from newsradar.orchestration.tasks import quality_gates as run

        return run(days)

    @task(execution_timeout=timedelta(minutes=10))
    def alerts(days: list[str], **context) -> dict:
        from newsradar.orchestration.tasks import spike_alerts

        return spike_alerts(days, context)

    d = days()
    if CFG.warehouse_mode == "single":  # NEWSRADAR_WAREHOUSE_MODE=single: one task, see docs/operations.md
        published = build_in_one_task()
    else:
        from newsradar.orchestration.cosmos_group import dbt_task_group  # cosmos only in this mode

        prepared = prepare()
        dbt = dbt_task_group(CFG)
        published = publish(prepared)
        prepared >> dbt >> published
    published >> [quality_gates(d), alerts(d)]


newsradar_warehouse()
