"""newsradar_ingest (Airflow DAG): crawl every enabled source for the day into the lake.

One mapped task per source (dynamic task mapping over NEWSRADAR_SOURCES). Each crawls its source
for the run's data interval into lake/articles/source=<id>/crawl_date=<day>. XCom carries partition
paths and counts only. The final task emits the lake Asset, which schedules newsradar_warehouse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from newsradar.orchestration import LAKE_ARTICLES_ASSET_URI
from newsradar.orchestration.config import OrchestrationConfig

CFG = OrchestrationConfig.from_env()
LAKE_ARTICLES = Asset(LAKE_ARTICLES_ASSET_URI)


@dag(
    dag_id="newsradar_ingest",
    schedule=CFG.ingest_timetable(),  # daily intervals [D, D+1), each run after its day ends
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # never two crawls of the same site at once (backfills included)
    default_args=CFG.default_args(),
    tags=["newsradar", "ingest"],
    doc_md=__doc__,
)
def newsradar_ingest():
    @task(execution_timeout=timedelta(minutes=5))
    def window(**context) -> dict:
        from newsradar.orchestration.ingest import crawl_window

        return crawl_window(
            context.get("logical_date"), context.get("data_interval_start"), context.get("data_interval_end")
        )

    @task(execution_timeout=timedelta(minutes=5))
    def list_sources() -> list[str]:
        from newsradar.orchestration.ingest import enabled_source_ids

        return enabled_source_ids(OrchestrationConfig.from_env())

    @task(max_active_tis_per_dag=CFG.crawl_concurrency, execution_timeout=CFG.crawl_timeout)
    def crawl(source_id: str, window: dict) -> dict:
        from newsradar.orchestration.ingest import crawl_source

        return crawl_source(source_id, window)

    @task(trigger_rule="all_done", outlets=[LAKE_ARTICLES], execution_timeout=timedelta(minutes=5))
    def publish(window: dict, source_ids: list[str], **context) -> dict:
        from newsradar.orchestration.ingest import summarize_ingest

        results = context["ti"].xcom_pull(task_ids="crawl", map_indexes=list(range(len(source_ids))))
        summary = summarize_ingest(list(results or []), source_ids, window)
        context["outlet_events"][LAKE_ARTICLES].extra = summary
        return summary

    win, ids = window(), list_sources()
    crawled = crawl.partial(window=win).expand(source_id=ids)
    crawled >> publish(win, ids)


newsradar_ingest()
