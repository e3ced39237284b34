"""The cosmos ``DbtTaskGroup`` of the warehouse DAG: one task per dbt model, building into the staging
copy that ``prepare_build`` made (see ``newsradar.orchestration.build`` and docs/decisions.md).

Two cosmos execution modes (``NEWSRADAR_WAREHOUSE_MODE``):

- ``watcher`` (default): ``ExecutionMode.WATCHER``. One task (``dbt_producer_watcher``, in the
  one-slot pool) runs a single ``dbt build`` of every model, seed and test into the staging file and
  reports each node's result as it finishes. Every model (and the seed) is its own task,
  ``ModelBuildSensor``: it succeeds when its model was built **and** all the model's tests passed in
  that build, and fails when either failed, like a ``dbt build --select <model>`` task would. A
  retried model task (or a cleared one) rebuilds its model and runs its tests on its own.
- ``local``: ``ExecutionMode.LOCAL``. Every model task runs its own ``dbt build`` of the model and its
  tests: a dbt process per task, one at a time (about 5 s of dbt start-up each).
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk.exceptions import AirflowRescheduleException
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import DbtResourceType, ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
from cosmos.operators._watcher.state import (
    DbtTestStatus,
    ProducerTaskState,
    get_xcom_val,
    is_producer_task_terminated,
)
from cosmos.operators.local import DbtLocalBaseOperator
from cosmos.operators.watcher import DbtConsumerWatcherSensor

from newsradar.orchestration.build import (
    cached_manifest,
    dbt_executable,
    parse_env,
    project_dir,
    runtime_env_templates,
)
from newsradar.orchestration.config import OrchestrationConfig

# states of the build task in which it is not running but will run (no executor has it yet, or it
# waits for its retry): a model task without a result gives its slot back meanwhile
BUILD_TO_COME = (None, "none", "scheduled", "up_for_retry", "up_for_reschedule")


def _lineage_not_emitted(self, env, project_dir, dbt_command_line=None) -> bool:
    return False


if importlib.util.find_spec("airflow.providers.openlineage") is None:
    # After every dbt run cosmos turns dbt's manifest and run results into OpenLineage events (1-3 s of
    # CPU for the build on a small machine); only the OpenLineage provider emits them, and it is not
    # installed here. Not computing them changes nothing else (cosmos does the same when
    # openlineage-integration-common is missing); with the provider installed, cosmos is left alone.
    DbtLocalBaseOperator.calculate_openlineage_events_completes = _lineage_not_emitted


# dbt's anonymous usage tracking: no network call per dbt run, and no `.user.yml` written into the
# profiles dir (the dbt project here), which would change the project's hash, the key of the cached
# manifest, and send every task process to `dbt ls` until a publish caches the manifest again.
NO_DBT_TRACKING = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


class ModelTestsFailed(RuntimeError):
    """A model was built but one of its tests failed in the producer's ``dbt build``."""


class ModelBuildSensor(DbtConsumerWatcherSensor):
    """One dbt model (or seed) of the watcher build: the model's node result and its tests' result.

    cosmos' own watcher consumers watch a model (``DbtRunWatcherOperator``) and, separately, its tests
    (``DbtTestWatcherOperator``): two tasks per model and twice the dependency chain. This sensor keeps
    ``dbt build`` semantics in one task: success when the producer built the model and every test of
    the model passed; failure when either failed. Its fallback (a retry, or a clear after the producer
    finished) is ``dbt build --select <model>``: the model and its tests again, alone.
    """

    base_cmd = ["build"]  # fallback: the model and its tests (cosmos' default consumer runs `dbt run`)

    def __init__(self, *, has_tests: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.has_tests = has_tests
        self._fell_back = False

    def _fallback_to_non_watcher_run(self, try_number: int, context) -> bool:
        self._fell_back = True  # `dbt build --select <model>` ran the model's tests itself
        return super()._fallback_to_non_watcher_run(try_number, context)

    def _handle_no_dbt_node_status(self, producer_task_state, try_number: int, context) -> bool:
        if producer_task_state == ProducerTaskState.SUCCESS:
            # the build finished without a result for this node (cosmos would poke until the
            # timeout): build the model and its tests alone
            return self._fallback_to_non_watcher_run(try_number, context)
        if producer_task_state in BUILD_TO_COME:
            # The build task is not running yet, or waits for its retry. With an executor it is
            # queued in the same scheduler loop as the first model tasks (ahead of them: priority 20
            # against 2), so the first case only happens under `dag.test()`, which runs one task at
            # a time: give the slot back (UP_FOR_RESCHEDULE) instead of waiting for a build that
            # cannot start while this task holds the process.
            raise AirflowRescheduleException(datetime.now(UTC) + timedelta(seconds=self.poke_interval))
        return super()._handle_no_dbt_node_status(producer_task_state, try_number, context)

    def poke(self, context) -> bool:
        if not super().poke(context):  # raises when the model failed or was skipped
            return False
        if not self.has_tests or self._fell_back:
            return True
        ti = context["ti"]
        status = get_xcom_val(ti, self.producer_task_id, get_tests_status_xcom_key(self.model_unique_id))
        if status == DbtTestStatus.PASS:
            return True
        if status == DbtTestStatus.FAIL:
            raise ModelTestsFailed(
                f"tests of {self.model_unique_id} failed in the dbt build; see task {self.producer_task_id}"
            )
        producer = self._get_producer_task_status(context)
        if producer == ProducerTaskState.SUCCESS:
            return True  # `dbt build` exited 0: every selected test passed
        if is_producer_task_terminated(producer):
            raise ModelTestsFailed(
                f"the dbt build ended ({producer}) before the tests of {self.model_unique_id} reported"
            )
        if producer in BUILD_TO_COME:  # the build failed and waits for its retry
            raise AirflowRescheduleException(datetime.now(UTC) + timedelta(seconds=self.poke_interval))
        return False


def _model_build_sensor(*, dag, task_group, node, task_id: str, task_args: dict, **_: Any):
    """cosmos node converter (``RenderConfig.node_converters``): a ``ModelBuildSensor`` per model/seed."""
    return ModelBuildSensor(
        task_id=task_id,
        dag=dag,
        task_group=task_group,
        has_tests=bool(node.has_test),
        extra_context={"dbt_node_config": node.context_dict, "package_name": node.package_name},
        **task_args,
    )


def dbt_task_group(cfg: OrchestrationConfig, group_id: str = "dbt") -> DbtTaskGroup:
    """Must be called inside a DAG context. Renders from the cached dbt manifest when there is one
    (fast), else with ``dbt ls`` (slow; cosmos caches it)."""
    dbt = project_dir()
    manifest = cached_manifest(cfg.paths())
    watcher = cfg.warehouse_mode == "watcher"
    operator_args: dict = {"env": {**runtime_env_templates(), **NO_DBT_TRACKING}, "install_deps": False}
    if watcher:
        # model tasks poke from a worker slot (no triggerer round trip per model); only the producer
        # writes the staging file, so only it takes the one-slot pool
        # first re-reads after 1-2 s, then less often, at most every NEWSRADAR_WATCHER_POKE_SECONDS: the
        # first models' tasks wait through dbt's start-up without keeping the api-server busy
        operator_args.update(
            deferrable=False,
            poke_interval=1,
            exponential_backoff=True,
            max_wait=cfg.watcher_poke_seconds,
            timeout=cfg.build_timeout.total_seconds(),
        )
    else:
        operator_args["pool"] = cfg.dbt_pool  # every task writes the staging file: one at a time
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
        # dbt in a subprocess: no DuckDB handle outlives it in the task process, and the watcher
        # producer parses dbt's log lines (pushing each node's result to XCom) while dbt carries on;
        # in-process (dbtRunner) every event's XCom push would stall dbt's threads
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=dbt_executable(),
            setup_operator_args={"pool": cfg.dbt_pool} if watcher else None,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST if manifest else LoadMode.DBT_LS,
            test_behavior=TestBehavior.BUILD,  # each model task stands for the model and its tests
            env_vars={**parse_env(), **NO_DBT_TRACKING},
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.SUBPROCESS,
            # local: a test spanning two models (relationships) gets its own task, run once both exist;
            # watcher: the one `dbt build` orders it, and it counts among both models' tests
            should_detach_multiple_parents_tests=not watcher,
            emit_datasets=False,  # the staging file is not an Asset; the published warehouse is
            node_converters=(
                {DbtResourceType.MODEL: _model_build_sensor, DbtResourceType.SEED: _model_build_sensor}
                if watcher
                else {}
            ),
        ),
        operator_args=operator_args,
    )
