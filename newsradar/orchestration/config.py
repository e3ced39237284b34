"""Orchestration settings, read from the environment once per task (no global singleton).

Every knob has a safe default for the embedded run and can be overridden per deployment
(``.env`` for docker compose, exported variables for ``newsradar airflow``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from newsradar.errors import UserError
from newsradar.settings import Paths, default_sources_file


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UserError(f"environment variable {name}={raw!r}: expected an integer") from None
    if value < minimum:
        raise UserError(f"environment variable {name}={raw!r}: must be >= {minimum}")
    return value


def _float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"environment variable {name}={raw!r}: expected a number") from None
    if value < minimum:
        raise UserError(f"environment variable {name}={raw!r}: must be >= {minimum}")
    return value


def _json_object(name: str) -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise UserError(f"environment variable {name}: invalid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UserError(f"environment variable {name}: expected a JSON object of Scrapy settings")
    return value


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in choices:
        raise UserError(f"environment variable {name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def _warehouse_mode() -> str:
    """``watcher`` (default), ``local`` or ``single``; ``cosmos`` is the old name of ``watcher``."""
    mode = _choice("NEWSRADAR_WAREHOUSE_MODE", ("watcher", "local", "single", "cosmos"), "watcher")
    return "watcher" if mode == "cosmos" else mode


def _schedule(raw: str) -> str | None:
    raw = raw.strip()
    if raw.lower() in ("", "none", "manual"):
        return None
    if len(raw.split()) != 5:
        raise UserError(f"NEWSRADAR_INGEST_SCHEDULE={raw!r}: expected a 5-field cron expression or 'none'")
    return raw


@dataclass(frozen=True)
class OrchestrationConfig:
    """Knobs of the DAGs. Names of the environment variables are in ``docs/operations.md``."""

    data_dir: str | None
    sources_file: Path
    topics_file: Path | None
    retries: int
    retry_delay: timedelta
    max_retry_delay: timedelta
    crawl_timeout: timedelta
    build_timeout: timedelta
    crawl_concurrency: int
    raw_retention_days: int
    gap_trailing_days: int
    gap_min_median: float
    gap_ratio: float
    stale_after_days: int
    alert_conn_id: str
    alert_email_to: tuple[str, ...]
    alert_email_from: str | None
    alert_smtp_conn_id: str
    crawl_settings: dict
    ingest_schedule: str | None
    dbt_pool: str
    warehouse_mode: str
    watcher_poke_seconds: float

    @classmethod
    def from_env(cls) -> OrchestrationConfig:
        topics = os.environ.get("NEWSRADAR_TOPICS")
        return cls(
            data_dir=os.environ.get("NEWSRADAR_DATA_DIR") or None,
            sources_file=default_sources_file().resolve(),
            topics_file=Path(topics).resolve() if topics else None,
            retries=_int("NEWSRADAR_RETRIES", 2, minimum=0),
            retry_delay=timedelta(seconds=_float("NEWSRADAR_RETRY_DELAY_SECONDS", 60.0)),
            max_retry_delay=timedelta(seconds=_float("NEWSRADAR_MAX_RETRY_DELAY_SECONDS", 1800.0)),
            crawl_timeout=timedelta(minutes=_float("NEWSRADAR_CRAWL_TIMEOUT_MINUTES", 120.0, minimum=1)),
            build_timeout=timedelta(minutes=_float("NEWSRADAR_BUILD_TIMEOUT_MINUTES", 60.0, minimum=1)),
            crawl_concurrency=_int("NEWSRADAR_CRAWL_CONCURRENCY", 8, minimum=1),
            raw_retention_days=_int("NEWSRADAR_RAW_RETENTION_DAYS", 30, minimum=1),
            gap_trailing_days=_int("NEWSRADAR_GAP_TRAILING_DAYS", 14, minimum=1),
            gap_min_median=_float("NEWSRADAR_GAP_MIN_MEDIAN", 5.0),
            gap_ratio=_float("NEWSRADAR_GAP_RATIO", 0.1),
            stale_after_days=_int("NEWSRADAR_STALE_AFTER_DAYS", 2, minimum=0),
            alert_conn_id=os.environ.get("NEWSRADAR_ALERT_CONN_ID") or "newsradar_alerts",
            alert_email_to=tuple(
                a.strip() for a in os.environ.get("NEWSRADAR_ALERT_EMAIL_TO", "").split(",") if a.strip()
            ),
            alert_email_from=os.environ.get("NEWSRADAR_ALERT_EMAIL_FROM") or None,
            alert_smtp_conn_id=os.environ.get("NEWSRADAR_ALERT_SMTP_CONN_ID") or "newsradar_alerts_smtp",
            crawl_settings=_json_object("NEWSRADAR_CRAWL_SETTINGS"),
            ingest_schedule=_schedule(os.environ.get("NEWSRADAR_INGEST_SCHEDULE", "0 0 * * *")),
            dbt_pool=os.environ.get("NEWSRADAR_DBT_POOL") or "newsradar_dbt",
            warehouse_mode=_warehouse_mode(),
            watcher_poke_seconds=_float("NEWSRADAR_WATCHER_POKE_SECONDS", 4.0, minimum=1.0),
        )

    def ingest_timetable(self):
        """Daily data intervals [D, D+1) by default; ``NEWSRADAR_INGEST_SCHEDULE=none``: manual runs only."""
        if self.ingest_schedule is None:
            return None
        from airflow.sdk import CronDataIntervalTimetable

        return CronDataIntervalTimetable(self.ingest_schedule, timezone="UTC")

    def paths(self) -> Paths:
        return Paths.from_env(self.data_dir)

    def default_args(self, owner: str = "newsradar") -> dict:
        """``default_args`` shared by every DAG: owner, retries with exponential backoff."""
        return {
            "owner": owner,
            "retries": self.retries,
            "retry_delay": self.retry_delay,
            "retry_exponential_backoff": True,
            "max_retry_delay": self.max_retry_delay,
        }
