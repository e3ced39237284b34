"""The cosmos ``DbtTaskGroup`` of the warehouse DAG: one task per dbt model, building into the staging
copy that ``prepare_build`` made (see ``newsradar.orchestration.build`` and docs/decisions.md)."""

from __future__ import annotations

from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior

from newsradar.orchestration.build import (
    cached_manifest,
    dbt_executable,
    parse_env,
    project_dir,
    runtime_env_templates,
)
from newsradar.orchestration.config import OrchestrationConfig


def dbt_task_group(cfg: OrchestrationConfig, group_id: str = "dbt") -> DbtTaskGroup:
    """Must be called inside a DAG context. Renders from the cached dbt manifest when there is one
    (fast), else with ``dbt ls`` (slow; cosmos caches it)."""
    dbt = project_dir()
    manifest = cached_manifest(cfg.paths())
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt,
            manifest_path=manifest,
            project_name="newsradar" if manifest else None,
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="newsradar", target_name="build", profiles_yml_filepath=dbt / "profiles.yml"
        ),
        # dbt in a subprocess: no DuckDB handle stays open in the task process
        execution_config=ExecutionConfig(
            invocation_mode=InvocationMode.SUBPROCESS, dbt_executable_path=dbt_executable()
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST if manifest else LoadMode.DBT_LS,
            test_behavior=TestBehavior.BUILD,  # each task: `dbt build` of one model and its tests
            env_vars=parse_env(),
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.SUBPROCESS,
            should_detach_multiple_parents_tests=True,  # relationship tests run once both sides exist
            emit_datasets=False,  # the staging file is not an Asset; the published warehouse is
        ),
        # one dbt task at a time: DuckDB allows a single writing process on the staging file
        operator_args={"env": runtime_env_templates(), "install_deps": False, "pool": cfg.dbt_pool},
    )
