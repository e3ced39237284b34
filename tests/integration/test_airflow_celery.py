"""The deployment's services for real, on one machine: Airflow api-server, scheduler, dag-processor and
two Celery workers, PostgreSQL (metadata DB + Celery results) and Redis (broker), running the
newsradar DAGs over the demo newsroom plus one source whose site is down.

Checks, through the REST API and the metadata DB: tasks ran on both workers; the failing source's task
retried and failed without blocking the others; the lake Asset triggered the warehouse DAG, which
published the warehouse; ``source_health`` shows the failing source's gap and the quality gate failed
loudly about it.

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and Redis on 127.0.0.1:6379: skipped
when they are not there. Uses a database and a Redis db number of its own and removes them; every
process it starts is killed at the end, also on failure.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import urlsafe_b64encode
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

REPO = Path(__file__).resolve().parents[2]
PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def _port_open(addr) -> bool:
    try:
        with socket.create_connection(addr, timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _closed_port() -> int:
    return _free_port()  # nothing listens there once the probe socket is closed


def _redis(db: int, *command: str) -> str:
    """Run one command on Redis db ``db`` (RESP over a plain socket); returns the raw last reply."""

    def resp(*args: str) -> str:
        return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)

    with socket.create_connection(REDIS, timeout=5) as s:
        s.sendall((resp("SELECT", str(db)) + resp(*command)).encode())
        data = b""
        while data.count(b"\r\n") < 2:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().split("\r\n")[1]


def _pick_redis_db() -> int:
    for n in range(15, 1, -1):
        if _redis(n, "DBSIZE") == ":0":
            return n
    pytest.skip("no empty Redis db number available")


class Services:
    """Processes started by the test; all killed (process groups) in ``stop``."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        assert not dead, f"Airflow process(es) died: {dead}\n{self.tails()}"

    def tails(self, n: int = 3000) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            out.append(f"----- {path.name}\n{path.read_text(errors='replace')[-n:]}")
        return "\n".join(out)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            # workers fork children into the same group: make sure none survives
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Api:
    def __init__(self, base: str):
        self.base = base
        self.token = None

    def call(self, method: str, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)

    def login(self) -> None:
        self.token = self.call("GET", "/auth/token")["access_token"]


@pytest.fixture
def pg_database():
    if not (_port_open(PG) and _port_open(REDIS)):
        pytest.skip("PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 are needed")
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"newsradar_it_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    try:
        yield name
    finally:
        cur = admin.cursor()
        cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
        cur.execute(f'drop database if exists "{name}"')
        admin.close()


def _seed_history(source: dict, day, data: Path, settings: dict) -> None:
    """A crawl of the (then healthy) site for the day before, so the outage is a gap in its history."""
    from newsradar.crawl import run_crawl_subprocess
    from newsradar.settings import Paths
    from newsradar.sources import parse_sources

    summary = run_crawl_subprocess(parse_sources([source]), Paths.from_env(data), crawl_date=day,
                                   since=day, until=day, settings=settings)  # fmt: skip
    assert summary.sources[source["id"]].articles > 0, summary.to_dict()


def test_celery_deployment_end_to_end(tmp_path, pg_database):
    import psycopg2
    import yaml

    from newsradar.demo import DemoNewsroom
    from newsradar.orchestration.build import write_manifest
    from newsradar.settings import Paths

    today = datetime.now(UTC).date()
    day = today - timedelta(days=1)
    home, data, logs = tmp_path / "airflow", tmp_path / "data", tmp_path / "logs"
    for d in (home, data, logs):
        d.mkdir()
    redis_db = _pick_redis_db()
    api_port = _free_port()
    db_url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{pg_database}"
    crawl_settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False,
                      "NEWSRADAR_RETRY_BACKOFF_BASE": 0, "DOWNLOAD_TIMEOUT": 5}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSRADAR"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__CORE__FERNET_KEY=urlsafe_b64encode(os.urandom(32)).decode(),
        AIRFLOW__CORE__HOSTNAME_CALLABLE="newsradar.orchestration.hostname.worker_hostname",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120",
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(64),
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=db_url,
        AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:6379/{redis_db}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{db_url}",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="2",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        NEWSRADAR_DATA_DIR=str(data),
        NEWSRADAR_INGEST_SCHEDULE="none",
        # the default warehouse mode: one `dbt build` task, then a task per model on any worker
        AIRFLOW__COSMOS__ENABLE_TELEMETRY="False",
        AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY="False",
        NEWSRADAR_RETRIES="2",
        NEWSRADAR_RETRY_DELAY_SECONDS="1",
        NEWSRADAR_CRAWL_SETTINGS=json.dumps(crawl_settings),
        NEWSRADAR_GAP_MIN_MEDIAN="1",
        NEWSRADAR_ALERT_WEBHOOK="http://127.0.0.1:9/unused",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    services = Services(logs)
    try:
        with DemoNewsroom(days=3, per_day=2, end_date=day) as demo:
            sources = [s.model_dump(mode="json", exclude_defaults=True) for s in demo.sources]
            assert len(sources) >= 4
            down = dict(sources[0], id="offline_daily", name="Offline Daily")
            _seed_history(down, day - timedelta(days=1), data, crawl_settings)
            dead = f"http://127.0.0.1:{_closed_port()}/"
            down = dict(down, homepage=dead, allowed_domains=[], discovery={"feeds": [dead + "feed.xml"],
                        "sitemaps": [], "listing_pages": [], "robots": False, "autodiscover": False})  # fmt: skip
            sources_file = tmp_path / "sources.yaml"
            sources_file.write_text(yaml.safe_dump({"sources": [*sources, down]}, sort_keys=False))
            env["NEWSRADAR_SOURCES"] = str(sources_file)

            migrate = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                                     capture_output=True, text=True, timeout=300)  # fmt: skip
            assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-4000:]
            write_manifest(Paths.from_env(data))

            services.start("api-server", ["api-server", "--port", str(api_port)], env)
            services.start("scheduler", ["scheduler"], env)
            services.start("dag-processor", ["dag-processor"], env)
            for n in (1, 2):
                wenv = dict(env, NEWSRADAR_WORKER_NAME=f"w{n}",
                            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()))  # fmt: skip
                services.start(f"worker{n}", ["celery", "worker", "--celery-hostname", f"w{n}@%h",
                                              "--concurrency", "2"], wenv)  # fmt: skip

            api = Api(f"http://127.0.0.1:{api_port}")
            deadline = time.monotonic() + 150
            while True:
                services.check_alive()
                try:
                    api.login()
                    dags = {d["dag_id"] for d in api.call("GET", "/api/v2/dags")["dags"]}
                    if {"newsradar_ingest", "newsradar_warehouse"} <= dags:
                        break
                except (urllib.error.URLError, OSError, KeyError):
                    pass
                assert time.monotonic() < deadline, "DAGs not registered in time\n" + services.tails()
                time.sleep(2)
            api.call("POST", "/api/v2/pools", {"name": "newsradar_dbt", "slots": 1})
            for dag_id in ("newsradar_ingest", "newsradar_warehouse"):
                api.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
            logical = datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()
            run = api.call("POST", "/api/v2/dags/newsradar_ingest/dagRuns",
                           {"logical_date": logical, "dag_run_id": "it_ingest"})  # fmt: skip
            assert run["dag_run_id"] == "it_ingest"

            con = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname=pg_database)
            con.autocommit = True
            cur = con.cursor()
            deadline = time.monotonic() + 900
            while True:
                services.check_alive()
                cur.execute("select state from dag_run where dag_id = 'newsradar_warehouse'")
                states = [r[0] for r in cur.fetchall()]
                cur.execute("select state from dag_run where dag_id = 'newsradar_ingest'")
                ingest_states = [r[0] for r in cur.fetchall()]
                if "failed" in ingest_states:
                    break
                if states and all(s in ("success", "failed") for s in states):
                    break
                assert time.monotonic() < deadline, f"runs not finished: {states}\n" + services.tails()
                time.sleep(3)

            cur.execute(
                "select dag_id, task_id, map_index, state, try_number, hostname from task_instance "
                "order by dag_id, task_id, map_index"
            )
            tis = cur.fetchall()
            con.close()
    except BaseException:
        services.stop()
        print(services.tails(6000))
        raise
    else:
        services.stop()
    finally:
        _redis(redis_db, "FLUSHDB")

    report = "\n".join(map(str, tis))
    ingest = [t for t in tis if t[0] == "newsradar_ingest"]
    crawl = [t for t in ingest if t[1] == "crawl"]
    assert len(crawl) == len(sources) + 1, report
    failed = [t for t in crawl if t[3] == "failed"]
    assert len(failed) == 1 and failed[0][2] == len(sources), report  # the offline source, last in file
    assert failed[0][4] == 3, f"expected 1 try + 2 retries:\n{report}"
    assert all(t[3] == "success" for t in crawl if t is not failed[0]), report
    assert [t[3] for t in ingest if t[1] == "publish"] == ["success"], report

    hosts = {t[5] for t in tis if t[3] in ("success", "failed") and t[5]}
    assert {"w1", "w2"} <= hosts, f"tasks ran on {hosts}:\n{report}"

    wh = {t[1]: t[3] for t in tis if t[0] == "newsradar_warehouse"}
    models = [t for t in wh if t.endswith(("_model_build", "_seed_build"))]
    assert len(models) >= 20 and all(wh[t] == "success" for t in models), report  # a task per model
    assert wh.get("dbt.dbt_producer_watcher") == "success" and wh.get("publish") == "success", report
    assert wh.get("quality_gates") == "failed", report  # the outage is a loud failure

    import duckdb

    pub = duckdb.connect(str(data / "newsradar.duckdb"), read_only=True)
    health = {r[0]: r[1:] for r in pub.execute(
        "select source_id, articles_extracted, failures, is_gap from source_health where day = ?", [day]
    ).fetchall()}  # fmt: skip
    assert health["offline_daily"][0] == 0 and health["offline_daily"][2] is True, health
    assert all(health[s["id"]][0] > 0 and not health[s["id"]][2] for s in sources), health
