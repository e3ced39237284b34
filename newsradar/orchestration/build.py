"""The warehouse build as Airflow tasks: prepare a staging copy, let cosmos run each dbt model into it,
then publish it atomically.

``newsradar.warehouse.build`` does the same in one process for the CLI; here the steps are split so
every dbt model is its own Airflow task (astronomer-cosmos ``DbtTaskGroup``) while readers keep the
guarantee of the design: the published ``newsradar.duckdb`` is only ever replaced whole, by
``os.replace``, after every model and test passed. The staging copy lives next to the warehouse (same
filesystem, so the rename is atomic) in ``.airflow-build/``; the warehouse DAG runs one build at a time
(``max_active_runs=1``) and the publish step takes the CLI's build lock, so it never races a
``newsradar build``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from newsradar.orchestration.config import OrchestrationConfig
from newsradar.settings import Paths

log = logging.getLogger(__name__)

PREPARE_TASK_ID = "prepare_build"
# Environment variables the dbt project reads (warehouse/profiles.yml, models/staging/_sources.yml).
DBT_ENV_KEYS = (
    "NEWSRADAR_DBT_DATABASE",
    "NEWSRADAR_DBT_THREADS",
    "NEWSRADAR_DUCKDB_THREADS",
    "NEWSRADAR_DUCKDB_MEMORY_LIMIT",
    "NEWSRADAR_ARTICLES_GLOB",
    "NEWSRADAR_FETCH_LOG_GLOB",
    "NEWSRADAR_TOPIC_TERMS_FILE",
    "NEWSRADAR_ENTITY_TERMS_FILE",
    "NEWSRADAR_TOPICS_FILE",
    "NEWSRADAR_SOURCES_FILE",
)


class PublishError(RuntimeError):
    """The staging warehouse is missing or unusable; the published warehouse was left untouched."""


def project_dir() -> Path:
    from newsradar.warehouse import PROJECT_DIR

    return Path(PROJECT_DIR)


def dbt_executable() -> str:
    """The ``dbt`` next to this Python (the venv's), whatever ``PATH`` the Airflow process has."""
    exe = Path(sys.executable).with_name("dbt")
    return str(exe) if exe.exists() else (shutil.which("dbt") or "dbt")


def _project_hash() -> str:
    """Hash of the dbt project's sources (models, macros, tests, seeds, config): the manifest's key."""
    root = project_dir()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in ("target", "logs", "dbt_packages") or path.suffix == ".pyc":
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def manifest_file(paths: Paths) -> Path:
    """Where the dbt manifest of the current project version is cached (cosmos reads it at DAG parse)."""
    return paths.data_dir / ".dbt-manifest" / f"manifest-{_project_hash()}.json"


def cached_manifest(paths: Paths) -> Path | None:
    path = manifest_file(paths)
    return path if path.exists() else None


def write_manifest(paths: Paths, env: dict[str, str] | None = None) -> Path:
    """Run ``dbt parse`` and cache its manifest, so parsing the warehouse DAG needs no ``dbt ls``."""
    from newsradar import warehouse

    target = manifest_file(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsradar-dbt-parse-") as tmp:
        rc = warehouse._run_dbt(
            ["--log-format", "json", "--no-use-colors", "parse", "--project-dir", str(project_dir()),
             "--profiles-dir", str(project_dir()), "--target-path", str(Path(tmp) / "target"),
             "--log-path", str(Path(tmp) / "logs")],
            env or parse_env(),
            None,
        )  # fmt: skip
        produced = Path(tmp) / "target" / "manifest.json"
        if rc != 0 or not produced.exists():
            raise PublishError(f"dbt parse failed (exit {rc}) in {project_dir()}")
        partial = target.with_suffix(".tmp")
        shutil.copyfile(produced, partial)
        os.replace(partial, target)
    for old in target.parent.glob("manifest-*.json"):
        if old != target:
            with contextlib.suppress(OSError):
                old.unlink()
    return target


def build_dir(paths: Paths) -> Path:
    return paths.warehouse_path.parent / ".airflow-build"


def parse_env() -> dict[str, str]:
    """Placeholder values so cosmos can list the dbt project (``dbt ls``) when the DAG is parsed."""
    env = {key: "'/nonexistent/newsradar-parse-only.parquet'" for key in DBT_ENV_KEYS}
    env.update(
        {
            "NEWSRADAR_DBT_DATABASE": ":memory:",
            "NEWSRADAR_DBT_THREADS": "1",
            "NEWSRADAR_DUCKDB_THREADS": "1",
            "NEWSRADAR_DUCKDB_MEMORY_LIMIT": "1GB",
        }
    )
    return env


def runtime_env_templates() -> dict[str, str]:
    """The dbt environment for each cosmos task: Jinja templates pulling ``prepare_build``'s XCom."""
    pull = "{{ ti.xcom_pull(task_ids='" + PREPARE_TASK_ID + "')['env']['KEY'] }}"
    return {key: pull.replace("KEY", key) for key in DBT_ENV_KEYS}


def prepare_build(cfg: OrchestrationConfig | None = None, *, full_refresh: bool = False) -> dict:
    """Export the build inputs, copy the published warehouse into a staging file, return the dbt env.

    When the topic or entity terms changed since the published build, the term-dependent models are
    dropped from the copy so dbt rebuilds them from the whole lake (as ``newsradar build`` does).
    """
    from newsradar import warehouse

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    root = build_dir(paths)
    if root.exists():
        shutil.rmtree(root)  # a previous run died: its staging copy is garbage
    (root / "inputs").mkdir(parents=True)
    inputs = warehouse.export_inputs(
        paths, root / "inputs", sources_file=cfg.sources_file, topics_file=cfg.topics_file
    )
    staging = root / paths.warehouse_path.name
    published = paths.warehouse_path.exists() and not full_refresh
    refreshed: list[str] = []
    if published:
        shutil.copyfile(paths.warehouse_path, staging)
        previous = warehouse._read_meta(paths.warehouse_path)
        for key, models in warehouse.TERM_MODELS.items():
            if previous and previous.get(key) != getattr(inputs, key):
                refreshed.extend(models)
        if refreshed:
            warehouse.drop_tables(staging, refreshed)
    env = {
        **inputs.env,
        "NEWSRADAR_DBT_DATABASE": str(staging),
        "NEWSRADAR_DBT_THREADS": os.environ.get("NEWSRADAR_DBT_THREADS") or "2",
        "NEWSRADAR_DUCKDB_THREADS": os.environ.get("NEWSRADAR_DUCKDB_THREADS") or "2",
        "NEWSRADAR_DUCKDB_MEMORY_LIMIT": os.environ.get("NEWSRADAR_DUCKDB_MEMORY_LIMIT") or "6GB",
    }
    missing = [k for k in DBT_ENV_KEYS if k not in env]
    if missing:
        raise PublishError(f"newsradar.warehouse.export_inputs did not provide {', '.join(missing)}")
    prepared = {
        "staging": str(staging),
        "build_dir": str(root),
        "incremental": published,
        "refreshed": refreshed,
        "topic_terms_hash": inputs.topic_terms_hash,
        "entity_terms_hash": inputs.entity_terms_hash,
        "env": env,
    }
    (root / "prepared.json").write_text(json.dumps(prepared, indent=2))
    log.info(
        "staging warehouse %s (%s%s)",
        staging,
        "incremental" if published else "full build",
        f"; recomputing {', '.join(refreshed)}" if refreshed else "",
    )
    return prepared


def publish_build(prepared: dict, cfg: OrchestrationConfig | None = None) -> dict:
    """Finalise the staging file (drop lake views, docs, build metadata) and swap it in atomically."""
    from newsradar import warehouse

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    staging = Path(prepared["staging"])
    root = Path(prepared["build_dir"])
    if not staging.exists():
        raise PublishError(f"no staging warehouse at {staging}: did the dbt tasks run?")
    with duckdb.connect(str(staging), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' "
                "and table_type = 'BASE TABLE'"
            ).fetchall()
        }
    missing = [m for m in warehouse.MARTS if m not in tables]
    if missing:
        raise PublishError(f"staging warehouse {staging} lacks mart(s) {', '.join(missing)}; not published")
    target = root / "target"
    rc = warehouse._run_dbt(
        [
            "--log-format",
            "json",
            "--no-use-colors",
            "parse",
            "--project-dir",
            str(project_dir()),
            "--profiles-dir",
            str(project_dir()),
            "--target-path",
            str(target),
            "--log-path",
            str(root / "logs"),
        ],
        prepared["env"],
        None,
    )
    if rc != 0:
        log.warning("dbt parse failed (exit %s): the table docs of this build will be empty", rc)
    elif not manifest_file(paths).exists():
        with contextlib.suppress(OSError):
            manifest_file(paths).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target / "manifest.json", manifest_file(paths))
    meta = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "topic_terms_hash": prepared["topic_terms_hash"],
        "entity_terms_hash": prepared["entity_terms_hash"],
        "lake_uri": paths.lake_uri,
        "newsradar_warehouse_version": "1",
        "built_by": "airflow",
    }
    warehouse._finalise(staging, target / "manifest.json", meta)
    with open(staging, "rb+") as fh:
        os.fsync(fh.fileno())
    with warehouse.build_lock(paths):
        os.replace(staging, paths.warehouse_path)
        fd = os.open(paths.warehouse_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        shutil.rmtree(root)
    log.info("published %s", paths.warehouse_path)
    return {
        "warehouse": str(paths.warehouse_path),
        "marts": sorted(tables & set(warehouse.MARTS)),
        "built_at": meta["built_at"],
    }


def crawl_days(triggering_events, fallback: datetime | None = None) -> list[str]:
    """Crawl days covered by this build: from the ingest runs' Asset events (``extra.crawl_date``),
    or, for a manual run without events, the day before ``fallback`` (the run's date)."""
    days: set[str] = set()
    for events in (triggering_events or {}).values():
        for event in events:
            extra = getattr(event, "extra", None) or (event.get("extra") if isinstance(event, dict) else None)
            if isinstance(extra, dict) and extra.get("crawl_date"):
                days.add(str(extra["crawl_date"]))
    if not days and fallback is not None:
        days.add((fallback.date() - timedelta(days=1)).isoformat())
    return sorted(days)
