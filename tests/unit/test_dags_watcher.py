"""The watcher-mode model task (``ModelBuildSensor``): a model task succeeds only when the producer's
``dbt build`` built its model *and* ran its tests green, fails when either failed, and builds the model
and its tests itself (``dbt build --select``) when the build left no result or on a retry. Plus the
small helpers the warehouse DAG relies on: the dbt environment macro, the trimmed manifest cache."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="newsradar-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

PRODUCER = "dbt.dbt_producer_watcher"
MODEL = "model.newsradar.articles"


class FakeTI:
    """What the sensor reads: XComs of the producer by key, and the try number."""

    def __init__(self, xcoms: dict, try_number: int = 1):
        self.xcoms, self.try_number, self.pulls = xcoms, try_number, []

    def xcom_pull(self, task_ids=None, key="return_value", **_):
        self.pulls.append((task_ids, key))
        return self.xcoms.get(key)


def _sensor(monkeypatch, producer_state: str | None, *, has_tests: bool = True):
    from cosmos.config import ProfileConfig

    from newsradar.orchestration.build import project_dir
    from newsradar.orchestration.cosmos_group import ModelBuildSensor

    dbt = project_dir()
    sensor = ModelBuildSensor(
        task_id="articles_model_build",
        project_dir=str(dbt),
        profile_config=ProfileConfig(
            profile_name="newsradar", target_name="build", profiles_yml_filepath=dbt / "profiles.yml"
        ),
        producer_task_id=PRODUCER,
        deferrable=False,
        poke_interval=1,
        has_tests=has_tests,
        extra_context={"dbt_node_config": {"unique_id": MODEL, "resource_name": "articles"}},
    )
    monkeypatch.setattr(sensor, "_get_producer_task_status", lambda context: producer_state)
    commands: list[list[str]] = []

    def run_command(cmd, env, context, **kwargs):
        commands.append([str(c) for c in cmd])

    monkeypatch.setattr(sensor, "run_command", run_command)
    return sensor, commands


def _xcoms(status: str | None, tests: str | None = None) -> dict:
    from cosmos.operators._watcher.aggregation import get_tests_status_xcom_key
    from cosmos.operators._watcher.state import get_status_xcom_key

    out = {}
    if status is not None:
        out[get_status_xcom_key(MODEL)] = {"status": status, "outlet_uris": []}
    if tests is not None:
        out[get_tests_status_xcom_key(MODEL)] = tests
    return out


def test_model_and_tests_green_is_success(monkeypatch):
    sensor, commands = _sensor(monkeypatch, "running")
    assert sensor.poke({"ti": FakeTI(_xcoms("success", "pass"))}) is True
    assert commands == []


def test_failed_tests_fail_the_model_task(monkeypatch):
    from newsradar.orchestration.cosmos_group import ModelTestsFailed

    sensor, _ = _sensor(monkeypatch, "running")
    with pytest.raises(ModelTestsFailed, match="tests of model.newsradar.articles failed"):
        sensor.poke({"ti": FakeTI(_xcoms("success", "fail"))})


def test_failed_model_fails_and_tests_still_running_wait(monkeypatch):
    sensor, _ = _sensor(monkeypatch, "running")
    with pytest.raises(Exception, match="finished with status 'error'"):
        sensor.poke({"ti": FakeTI(_xcoms("error"))})
    assert sensor.poke({"ti": FakeTI(_xcoms("success"))}) is False  # built, tests not reported yet
    sensor, _ = _sensor(monkeypatch, "success")
    assert sensor.poke({"ti": FakeTI(_xcoms("success"))}) is True  # the build exited 0: they passed


def test_a_build_that_ended_before_the_tests_reported_fails(monkeypatch):
    from newsradar.orchestration.cosmos_group import ModelTestsFailed

    sensor, _ = _sensor(monkeypatch, "failed")
    with pytest.raises(ModelTestsFailed, match="before the tests"):
        sensor.poke({"ti": FakeTI(_xcoms("success"))})


@pytest.mark.parametrize("producer_state", [None, "scheduled", "up_for_retry"])
def test_a_build_still_to_come_gives_the_slot_back(monkeypatch, producer_state):
    """Without an executor (`dag.test()` runs one task at a time), or while the build waits for its
    retry, a model task reschedules instead of holding the only process in a poke loop."""
    from airflow.sdk.exceptions import AirflowRescheduleException

    sensor, _ = _sensor(monkeypatch, producer_state)
    with pytest.raises(AirflowRescheduleException):
        sensor.poke({"ti": FakeTI({})})
    if producer_state == "up_for_retry":  # built, tests unreported, the build failed: wait for its retry
        with pytest.raises(AirflowRescheduleException):
            sensor.poke({"ti": FakeTI(_xcoms("success"))})
    sensor, _ = _sensor(monkeypatch, "running")
    assert sensor.poke({"ti": FakeTI({})}) is False  # the build runs: keep poking


def test_no_result_after_a_successful_build_builds_the_model_alone(monkeypatch):
    sensor, commands = _sensor(monkeypatch, "success")
    assert sensor.poke({"ti": FakeTI({})}) is True
    assert len(commands) == 1
    cmd = commands[0]
    assert cmd[1] == "build" and cmd[cmd.index("--select") + 1] == "articles"


def test_a_retry_rebuilds_the_model_with_its_tests(monkeypatch):
    sensor, commands = _sensor(monkeypatch, "skipped")  # the producer skips its own retries
    assert sensor.poke({"ti": FakeTI(_xcoms("success", "fail"), try_number=2)}) is True
    assert commands and commands[0][1] == "build"  # not cosmos' default `dbt run`: tests run again


def test_build_env_macro_pulls_the_prepared_environment_once():
    from newsradar.orchestration.build import DBT_ENV_KEYS, ENV_MACRO, prepared_env, runtime_env_templates

    env = {key: f"v-{key}" for key in DBT_ENV_KEYS}
    ti = SimpleNamespace(dag_id="d", run_id="r1", calls=0)

    def xcom_pull(task_ids):
        ti.calls += 1
        assert task_ids == "prepare_build"
        return {"env": env}

    ti.xcom_pull = xcom_pull
    templates = runtime_env_templates()
    assert set(templates) == set(DBT_ENV_KEYS)
    assert templates["NEWSRADAR_DBT_DATABASE"] == "{{ " + ENV_MACRO + "(ti)['NEWSRADAR_DBT_DATABASE'] }}"
    assert [prepared_env(ti)[k] for k in DBT_ENV_KEYS] == [env[k] for k in DBT_ENV_KEYS]
    assert ti.calls == 1


def test_cached_manifest_keeps_what_cosmos_and_the_table_docs_read(tmp_path: Path):
    from newsradar.orchestration.build import MANIFEST_KEYS, store_manifest

    produced = tmp_path / "manifest.json"
    produced.write_text(json.dumps({"metadata": {"project_name": "newsradar"}, "nodes": {"model.x": {}},
                                    "sources": {}, "macros": {"macro.big": "..."}, "docs": {}}))  # fmt: skip
    store_manifest(produced, tmp_path / "cached.json")
    kept = json.loads((tmp_path / "cached.json").read_text())
    assert set(kept) == {"metadata", "nodes", "sources"} and set(kept) <= set(MANIFEST_KEYS)


def test_warehouse_mode_names(monkeypatch):
    from newsradar.errors import UserError
    from newsradar.orchestration.config import OrchestrationConfig

    for raw, mode in (("", "watcher"), ("cosmos", "watcher"), ("LOCAL", "local"), ("single", "single")):
        monkeypatch.setenv("NEWSRADAR_WAREHOUSE_MODE", raw)
        assert OrchestrationConfig.from_env().warehouse_mode == mode
    monkeypatch.setenv("NEWSRADAR_WAREHOUSE_MODE", "fast")
    with pytest.raises(UserError, match="expected one of watcher, local, single"):
        OrchestrationConfig.from_env()


def test_lineage_events_are_not_computed_without_the_openlineage_provider():
    import importlib.util

    from cosmos.operators.local import DbtLocalBaseOperator

    from newsradar.orchestration import cosmos_group

    patched = DbtLocalBaseOperator.calculate_openlineage_events_completes is cosmos_group._lineage_not_emitted
    assert patched == (importlib.util.find_spec("airflow.providers.openlineage") is None)
