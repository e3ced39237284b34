"""newsradar_maintenance (Airflow DAG): weekly lake compaction and raw WARC retention.

Compaction merges partitions holding several small Parquet files (re-runs, retries) into one file,
atomically. Retention deletes raw WARC partitions older than NEWSRADAR_RAW_RETENTION_DAYS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from newsradar.orchestration.config import OrchestrationConfig

CFG = OrchestrationConfig.from_env()


@dag(
    dag_id="newsradar_maintenance",
    schedule="0 4 * * 0",  # Sundays 04:00 UTC, clear of the daily ingest
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=CFG.default_args(),
    tags=["newsradar", "maintenance"],
    doc_md=__doc__,
)
def newsradar_maintenance():
    @task(execution_timeout=timedelta(hours=2))
    def compact(table: str) -> dict:
        from newsradar.orchestration.maintenance import compact_table

        cfg = OrchestrationConfig.from_env()
        return compact_table(cfg.paths(), table)

    @task(execution_timeout=timedelta(hours=1))
    def prune_raw(**context) -> dict:
        from newsradar.orchestration.maintenance import prune_raw as prune

        cfg = OrchestrationConfig.from_env()
        return prune(cfg.paths(), cfg.raw_retention_days, today=context["data_interval_end"].date())

    compact.expand(table=["articles", "fetch_log"])
    prune_raw()


newsradar_maintenance()
