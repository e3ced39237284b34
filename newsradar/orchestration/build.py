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
import json
import logging
import os
import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

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
    "NEWSRADAR_ARTICLES_NEW_FILE",
    "NEWSRADAR_FETCH_LOG_NEW_FILE",
    "NEWSRADAR_LAKE_FILES_FILE",
    "NEWSRADAR_TOPIC_TERMS_FILE",
    "NEWSRADAR_ENTITY_TERMS_FILE",
    "NEWSRADAR_TOPICS_FILE",
    "NEWSRADAR_SOURCES_FILE",
)


# What the cached manifest keeps: cosmos renders the DAG from nodes, sources, exposures, selectors and
# the metadata; publish takes the table docs from the nodes. The macros (two thirds of dbt's file) are
# dropped: every task process parses this file when it loads the warehouse DAG.
MANIFEST_KEYS = ("metadata", "nodes", "sources", "exposures", "selectors", "parent_map", "child_map")


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
    from newsradar.warehouse import project_hash

    return project_hash()


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
        rc = warehouse.run_dbt(
            ["--log-format", "json", "--no-use-colors", "parse", "--project-dir", str(project_dir()),
             "--profiles-dir", str(project_dir()), "--target-path", str(Path(tmp) / "target"),
             "--log-path", str(Path(tmp) / "logs")],
            env or parse_env(),
            None,
        )  # fmt: skip
        produced = Path(tmp) / "target" / "manifest.json"
        if rc != 0 or not produced.exists():
            raise PublishError(f"dbt parse failed (exit {rc}) in {project_dir()}")
        store_manifest(produced, target)
    for old in target.parent.glob("manifest-*.json"):
        if old != target:
            with contextlib.suppress(OSError):
                old.unlink()
    return target


def store_manifest(produced: Path, target: Path) -> None:
    """Write dbt's ``manifest.json`` (``MANIFEST_KEYS`` only) to ``target`` atomically."""
    manifest = json.loads(produced.read_text(encoding="utf-8"))
    partial = target.with_suffix(".tmp")
    partial.write_text(
        json.dumps({k: v for k, v in manifest.items() if k in MANIFEST_KEYS}), encoding="utf-8"
    )
    os.replace(partial, target)


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


ENV_MACRO = "newsradar_build_env"
_env_cache: dict[tuple[str, str], dict[str, str]] = {}


def prepared_env(ti) -> dict[str, str]:
    """Jinja macro ``newsradar_build_env(ti)``: the dbt environment of this run's ``prepare_build``
    (its XCom), pulled once per task process although every dbt task renders ten variables from it."""
    key = (ti.dag_id, ti.run_id)
    if key not in _env_cache:
        _env_cache[key] = dict(ti.xcom_pull(task_ids=PREPARE_TASK_ID)["env"])
    return _env_cache[key]


def template_macros() -> dict:
    """``user_defined_macros`` of the warehouse DAG (see ``runtime_env_templates``)."""
    return {ENV_MACRO: prepared_env}


def runtime_env_templates() -> dict[str, str]:
    """The dbt environment for each cosmos task: Jinja templates reading ``prepare_build``'s XCom."""
    pull = "{{ " + ENV_MACRO + "(ti)['KEY'] }}"
    return {key: pull.replace("KEY", key) for key in DBT_ENV_KEYS}


def prepare_build(cfg: OrchestrationConfig | None = None, *, full_refresh: bool = False) -> dict:
    """Export the build inputs and copy the published warehouse into the staging file
    (``newsradar.warehouse.prepare_build``); returns it as a dict for XCom (paths, hashes, the dbt env)."""
    from newsradar import warehouse

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    root = build_dir(paths)  # a previous run's leftovers, if it died, are removed by prepare_build
    prepared = warehouse.prepare_build(
        paths,
        scratch_dir=root,
        staging_path=root / paths.warehouse_path.name,
        full_refresh=full_refresh,
        sources_file=cfg.sources_file,
        topics_file=cfg.topics_file,
    )
    missing = [k for k in DBT_ENV_KEYS if k not in prepared.env]
    if missing:
        raise PublishError(f"newsradar.warehouse.prepare_build did not provide {', '.join(missing)}")
    log.info(
        "staging warehouse %s (%s%s)",
        prepared.staging_path,
        "incremental" if prepared.incremental else "full build",
        f"; recomputing {', '.join(prepared.refreshed)}" if prepared.refreshed else "",
    )
    return {**prepared.to_dict(), "staging": str(prepared.staging_path), "build_dir": str(root)}


def _provide_manifest(target: Path, paths: Paths) -> None:
    """The dbt tasks ran in cosmos' own temporary project copies, so the staging build has no
    ``manifest.json`` for the table docs; without one ``publish_build`` runs ``dbt parse`` (seconds).
    The cached manifest of this project version (the one the DAG was rendered from) is the same."""
    cached = cached_manifest(paths)
    if target.exists() or cached is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)


def publish_build(prepared: dict, cfg: OrchestrationConfig | None = None) -> dict:
    """Finalise the staging file (drop lake views, docs, build metadata) and swap it in atomically
    (``newsradar.warehouse.publish_build``, under the build lock so it never races ``newsradar build``)."""
    from newsradar import warehouse

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    build = warehouse.PreparedBuild.from_dict(
        {k: v for k, v in prepared.items() if k not in ("staging", "build_dir")}
    )
    _provide_manifest(build.target_dir / "manifest.json", paths)
    try:
        warehouse.publish_build(build, built_by="airflow", paths=paths)
    except warehouse.WarehouseError as exc:
        raise PublishError(str(exc)) from None
    with contextlib.suppress(OSError, ValueError):
        if not manifest_file(paths).exists() and (build.target_dir / "manifest.json").exists():
            manifest_file(paths).parent.mkdir(parents=True, exist_ok=True)
            store_manifest(build.target_dir / "manifest.json", manifest_file(paths))
    warehouse.discard_build(build)
    log.info("published %s", paths.warehouse_path)
    with warehouse.connect_readonly(paths) as con:
        built_at = con.execute("select value from _build_meta where key = 'built_at'").fetchone()[0]
    return {"warehouse": str(paths.warehouse_path), "marts": sorted(warehouse.MARTS), "built_at": built_at}


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
