"""The warehouse: dbt (dbt-duckdb) builds the lake into a new DuckDB file, tests it, and publishes it
atomically over ``<data>/newsradar.duckdb``.

Readers open the published file read-only (``connect_readonly``). A build never writes to it: it
copies it (so incremental models continue from it) to a temporary file in the same directory, runs
``dbt build`` (models and tests) into the copy, and only when every model and test passed replaces
the published file with ``os.replace``. Readers that already hold the old file keep reading the old
inode; new readers get the new file. A failed build, a failing test or a killed build leaves the
previous warehouse in place. One build at a time: a lock file next to the warehouse.

Topic and entity terms are exported as Parquet before the build and read by dbt as data; their
hashes are recorded in the warehouse (``_build_meta``). When a hash changes, the models that depend
on those terms are fully refreshed (their whole history recomputed from the lake); everything else
stays incremental.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsradar.errors import UserError
from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA
from newsradar.settings import Paths

log = logging.getLogger(__name__)

PROJECT_DIR = Path(
    os.environ.get("NEWSRADAR_DBT_PROJECT") or Path(__file__).resolve().parent.parent / "warehouse"
)
DEFAULT_TOPICS_FILE = PROJECT_DIR / "topics.yml"
DEFAULT_GAZETTEER_FILE = PROJECT_DIR / "seeds" / "gazetteer.csv"

MARTS = [
    "articles",
    "article_topics",
    "topic_daily",
    "topic_daily_all",
    "source_share_of_voice",
    "topic_cooccurrence",
    "entity_mentions",
    "entity_daily",
    "source_health",
    "topics",
    "sources",
]

TOPIC_TERMS_SCHEMA = pa.schema(
    [
        ("topic_id", pa.string()),
        ("language", pa.string()),
        ("clause_id", pa.int32()),
        ("term_id", pa.string()),
        ("pattern", pa.string()),
        ("negated", pa.bool_()),
    ]
)
ENTITY_TERMS_SCHEMA = pa.schema(
    [
        ("entity_id", pa.string()),
        ("entity_name", pa.string()),
        ("entity_type", pa.string()),
        ("term_id", pa.string()),
        ("pattern", pa.string()),
    ]
)
TOPICS_SCHEMA = pa.schema(
    [
        ("topic_id", pa.string()),
        ("label", pa.string()),
        ("description", pa.string()),
        ("query", pa.string()),
        ("languages", pa.list_(pa.string())),
        ("spike_threshold", pa.float64()),
    ]
)
SOURCES_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("name", pa.string()),
        ("homepage", pa.string()),
        ("country", pa.string()),
        ("languages", pa.list_(pa.string())),
        ("timezone", pa.string()),
    ]
)

FAILED_STATUSES = {"error", "fail", "runtime error", "skipped"}


class WarehouseError(UserError):
    """A build failed (a model, a test, the inputs) or the warehouse cannot be opened."""


class BuildLockedError(WarehouseError):
    """Another build holds the lock."""


@dataclass
class NodeResult:
    name: str
    resource_type: str  # model | test | unit_test | seed
    status: str
    seconds: float
    message: str | None = None
    failures: int | None = None


@dataclass
class BuildResult:
    warehouse_path: Path
    published: bool
    full_refresh: bool
    refreshed: list[str] = field(default_factory=list)  # models fully refreshed because their terms changed
    nodes: list[NodeResult] = field(default_factory=list)
    seconds: float = 0.0
    topic_terms_hash: str = ""
    entity_terms_hash: str = ""

    @property
    def models(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.resource_type == "model"]

    @property
    def tests(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.resource_type in ("test", "unit_test")]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["warehouse_path"] = str(self.warehouse_path)
        return d


# --------------------------------------------------------------------------------------------------
# reading


def connect_readonly(paths: Paths) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only. Never blocked by a build (which writes another file)."""
    path = paths.warehouse_path
    if not path.exists():
        raise WarehouseError(
            f"no warehouse at {path}: run `newsradar demo` for a demo, or `newsradar build` after a crawl"
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from None


# --------------------------------------------------------------------------------------------------
# inputs exported before the build


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _glob_for(table_uri: str, scratch: Path, name: str, schema: pa.Schema) -> str:
    """The SQL literal dbt reads a lake table from: the lake glob, or an empty file of the right
    schema when the lake has no file yet (DuckDB refuses a glob that matches nothing)."""
    if "://" in table_uri and not table_uri.startswith("file://"):
        raise WarehouseError(
            f"lake {table_uri}: the warehouse build reads a local lake only (copy or mount the lake locally)"
        )
    root = Path(table_uri.removeprefix("file://"))
    if any(root.glob("*/*/*.parquet")):
        return _sql_string(str(root / "*" / "*" / "*.parquet"))
    empty = scratch / f"empty_{name}.parquet"
    pq.write_table(schema.empty_table(), empty)
    return _sql_string(str(empty))


def _table_hash(table: pa.Table) -> str:
    """Content hash of a terms table, independent of row order."""
    rows = sorted(json.dumps(r, sort_keys=True, default=str) for r in table.to_pylist())
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def _conform(table: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise WarehouseError(f"{what}: missing column(s) {', '.join(missing)}")
    return table.select(schema.names).cast(schema)


def _topic_tables(topics_file: Path | None) -> tuple[pa.Table, pa.Table]:
    """(topics, topic_terms) from the topics file via newsradar.topics."""
    from newsradar import topics as topics_mod

    path = Path(topics_file) if topics_file else topics_mod.default_topics_file()
    if not path.exists():
        if topics_file:
            raise WarehouseError(f"{path}: no such topics file")
        log.warning("%s: no topics file: building without topics", path)
        return TOPICS_SCHEMA.empty_table(), TOPIC_TERMS_SCHEMA.empty_table()
    topics = topics_mod.load_topics(path)
    terms = _conform(topics_mod.topic_terms_table(topics), TOPIC_TERMS_SCHEMA, f"{path}: topic terms")
    return _conform(topics_mod.topics_table(topics), TOPICS_SCHEMA, f"{path}: topics"), terms


def _entity_table(gazetteer_file: Path | None) -> pa.Table:
    from newsradar import topics as topics_mod

    path = Path(gazetteer_file) if gazetteer_file else topics_mod.default_gazetteer_file()
    if not path.exists():
        if gazetteer_file:
            raise WarehouseError(f"{path}: no such gazetteer file")
        log.warning("%s: no gazetteer: building without entities", path)
        return ENTITY_TERMS_SCHEMA.empty_table()
    entities = topics_mod.load_gazetteer(path)
    return _conform(topics_mod.entity_terms_table(entities), ENTITY_TERMS_SCHEMA, f"{path}: entity terms")


def _find_sources_file(paths: Paths, sources_file: Path | None) -> Path | None:
    if sources_file:
        if not Path(sources_file).exists():
            raise WarehouseError(f"{sources_file}: no such sources file")
        return Path(sources_file)
    candidates = [os.environ.get("NEWSRADAR_SOURCES"), paths.data_dir / "sources.yaml", Path("sources.yaml")]
    for c in candidates:
        if c and Path(c).exists():
            return Path(c)
    return None


def sources_table(paths: Paths, sources_file: Path | None = None) -> pa.Table:
    """The outlets reference table from the sources file used by the crawl."""
    from newsradar.sources import load_sources

    path = _find_sources_file(paths, sources_file)
    if path is None:
        log.warning("no sources file found: outlet days are computed in UTC and names are ids")
        return SOURCES_SCHEMA.empty_table()
    rows = [
        {
            "source_id": s.id,
            "name": s.name,
            "homepage": s.homepage,
            "country": s.country,
            "languages": list(s.languages),
            "timezone": s.timezone,
        }
        for s in load_sources(path)
    ]
    return pa.Table.from_pylist(rows, schema=SOURCES_SCHEMA)


@dataclass
class BuildInputs:
    env: dict[str, str]
    topic_terms_hash: str
    entity_terms_hash: str


def export_inputs(
    paths: Paths,
    scratch: Path,
    *,
    sources_file: Path | None = None,
    topics_file: Path | None = None,
    gazetteer_file: Path | None = None,
    topics: tuple[pa.Table, pa.Table] | None = None,
    entity_terms: pa.Table | None = None,
) -> BuildInputs:
    """Write the reference files dbt reads and return the environment for the dbt profile."""
    scratch.mkdir(parents=True, exist_ok=True)
    topics_tbl, terms_tbl = topics if topics is not None else _topic_tables(topics_file)
    terms_tbl = _conform(terms_tbl, TOPIC_TERMS_SCHEMA, "topic terms")
    topics_tbl = _conform(topics_tbl, TOPICS_SCHEMA, "topics")
    entity_tbl = _conform(
        entity_terms if entity_terms is not None else _entity_table(gazetteer_file),
        ENTITY_TERMS_SCHEMA,
        "entity terms",
    )
    files = {
        "NEWSRADAR_TOPIC_TERMS_FILE": ("topic_terms.parquet", terms_tbl),
        "NEWSRADAR_ENTITY_TERMS_FILE": ("entity_terms.parquet", entity_tbl),
        "NEWSRADAR_TOPICS_FILE": ("topics.parquet", topics_tbl),
        "NEWSRADAR_SOURCES_FILE": ("sources.parquet", sources_table(paths, sources_file)),
    }
    env = {}
    for var, (name, table) in files.items():
        pq.write_table(table, scratch / name)
        env[var] = _sql_string(str(scratch / name))
    env["NEWSRADAR_ARTICLES_GLOB"] = _glob_for(paths.articles_uri, scratch, "articles", ARTICLE_SCHEMA)
    env["NEWSRADAR_FETCH_LOG_GLOB"] = _glob_for(paths.fetch_log_uri, scratch, "fetch_log", FETCH_LOG_SCHEMA)
    return BuildInputs(
        env=env, topic_terms_hash=_table_hash(terms_tbl), entity_terms_hash=_table_hash(entity_tbl)
    )


# --------------------------------------------------------------------------------------------------
# building


@contextlib.contextmanager
def build_lock(paths: Paths) -> Iterator[Path]:
    """An exclusive, non-blocking lock next to the warehouse (released when the process dies)."""
    lock_path = paths.warehouse_path.with_name(paths.warehouse_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                raise BuildLockedError(
                    f"another build is running (lock {lock_path}{', pid ' + holder if holder else ''})"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield lock_path
    finally:
        os.close(fd)


def _read_meta(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute("select key, value from _build_meta").fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


def _temp_name(paths: Paths) -> Path:
    wh = paths.warehouse_path
    return wh.with_name(f".{wh.stem}-build-{os.getpid()}-{uuid.uuid4().hex[:8]}{wh.suffix}")


def _remove_stale_temps(paths: Paths) -> None:
    """Remove temporary files of builds that died (we hold the lock, so none is running)."""
    wh = paths.warehouse_path
    for p in wh.parent.glob(f".{wh.stem}-build-*"):
        with contextlib.suppress(OSError):
            p.unlink()


def _dbt_command() -> list[str]:
    exe = Path(sys.executable).with_name("dbt")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from dbt.cli.main import cli; sys.exit(cli())"]


def _format_event(ev: dict) -> str | None:
    info = ev.get("info", {})
    data = ev.get("data", {})
    name = info.get("name")
    node = data.get("node_info", {}) or {}
    if name in ("LogModelResult", "LogTestResult", "LogSeedResult", "LogNodeResult"):
        status = str(data.get("status", node.get("node_status", ""))).upper()
        secs = data.get("execution_time", 0.0)
        label = node.get("node_name") or data.get("name") or "?"
        kind = "test" if name == "LogTestResult" else node.get("resource_type", "model")
        return f"  {data.get('index', '?'):>3}/{data.get('total', '?')} {status:<6} {kind:<9} {label} ({secs:.1f}s)"
    if info.get("level") == "error" and info.get("msg"):
        return "  " + info["msg"]
    return None


def _run_dbt(args: list[str], env: dict[str, str], progress: Callable[[str], None] | None) -> int:
    cmd = [*_dbt_command(), *args]
    log.info("running %s", " ".join(cmd))
    full_env = {**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_DIR, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            try:
                ev = json.loads(line)
            except ValueError:
                if line.strip():
                    log.info("dbt: %s", line)
                continue
            if progress:
                msg = _format_event(ev)
                if msg:
                    progress(msg)
        return proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def _node_results(target: Path) -> list[NodeResult]:
    path = target / "run_results.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    out = []
    for r in data.get("results", []):
        uid = r.get("unique_id", "")
        rtype = uid.split(".", 1)[0]
        name = uid.split(".")[-1] if rtype != "unit_test" else ".".join(uid.split(".")[-2:])
        if rtype == "test":
            name = uid.split(".")[2]
        out.append(
            NodeResult(
                name=name,
                resource_type=rtype,
                status=str(r.get("status")),
                seconds=float(r.get("execution_time") or 0.0),
                message=r.get("message"),
                failures=r.get("failures"),
            )
        )
    return out


def _failure_message(nodes: list[NodeResult], rc: int, log_path: Path) -> str:
    failed = [n for n in nodes if n.status in FAILED_STATUSES - {"skipped"}]
    if not failed:
        return f"dbt build failed (exit {rc}) before running any model; see {log_path}"
    parts = []
    for n in failed[:5]:
        msg = " ".join((n.message or "").split())[:300]
        what = "unit test" if n.resource_type == "unit_test" else n.resource_type
        parts.append(f"{what} {n.name} {n.status}: {msg}")
    more = f" (+{len(failed) - 5} more)" if len(failed) > 5 else ""
    return "warehouse build failed, previous warehouse kept: " + "; ".join(parts) + more


def _write_docs_and_meta(con: duckdb.DuckDBPyConnection, manifest_path: Path, meta: dict[str, str]) -> None:
    """Store the dbt docs of the marts (`_table_docs`) and the build metadata (`_build_meta`)."""
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"nodes": {}}
    types = {
        (t, c): (dt, pos)
        for t, c, dt, pos in con.execute(
            "select table_name, column_name, data_type, ordinal_position from information_schema.columns "
            "where table_schema = 'main' and table_catalog = current_database()"
        ).fetchall()
    }
    rows = []
    for node in manifest["nodes"].values():
        if node.get("resource_type") != "model" or node.get("name") not in MARTS:
            continue
        table = node["name"]
        grain = (node.get("meta") or {}).get("grain") or (node.get("config", {}).get("meta") or {}).get(
            "grain"
        )
        rows.append((table, None, None, 0, node.get("description") or "", grain))
        documented = node.get("columns") or {}
        for (t, col), (dtype, pos) in sorted(types.items(), key=lambda kv: kv[1][1]):
            if t == table:
                desc = (documented.get(col) or {}).get("description") or ""
                rows.append((table, col, dtype, pos, desc, None))
    con.execute("drop table if exists _table_docs")
    con.execute(
        "create table _table_docs (table_name varchar, column_name varchar, data_type varchar, "
        "position integer, description varchar, grain varchar)"
    )
    if rows:
        con.executemany("insert into _table_docs values (?, ?, ?, ?, ?, ?)", rows)
    con.execute("drop table if exists _build_meta")
    con.execute("create table _build_meta (key varchar primary key, value varchar)")
    con.executemany("insert into _build_meta values (?, ?)", sorted(meta.items()))


def _finalise(temp: Path, manifest: Path, meta: dict[str, str]) -> None:
    """Drop everything that is not a table (staging views over the lake), add docs, checkpoint."""
    with duckdb.connect(str(temp)) as con:
        for schema, view in con.execute(
            "select schema_name, view_name from duckdb_views() where not internal and database_name = current_database()"
        ).fetchall():
            con.execute(f'drop view "{schema}"."{view}"')
        con.execute("drop schema if exists staging cascade")
        _write_docs_and_meta(con, manifest, meta)
        con.execute("checkpoint")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build(
    paths: Paths,
    *,
    full_refresh: bool = False,
    progress: bool | Callable[[str], None] = True,
    sources_file: Path | str | None = None,
    topics_file: Path | str | None = None,
    gazetteer_file: Path | str | None = None,
    topics: tuple[pa.Table, pa.Table] | None = None,
    entity_terms: pa.Table | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    select: str | None = None,
) -> BuildResult:
    """Build the warehouse from the lake into a new file and publish it atomically.

    ``topics``/``entity_terms`` (pyarrow tables) replace the topics and gazetteer files, for tests and
    benchmarks. Raises ``WarehouseError`` (the published warehouse untouched) when a model or test fails.
    """
    started = time.monotonic()
    say: Callable[[str], None] | None
    if callable(progress):
        say = progress
    elif progress:
        say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    else:
        say = None
    wh = paths.warehouse_path
    wh.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(paths):
        _remove_stale_temps(paths)
        scratch = paths.data_dir / ".build"
        if scratch.exists():
            shutil.rmtree(scratch)
        inputs = export_inputs(
            paths,
            scratch / "inputs",
            sources_file=Path(sources_file) if sources_file else None,
            topics_file=Path(topics_file) if topics_file else None,
            gazetteer_file=Path(gazetteer_file) if gazetteer_file else None,
            topics=topics,
            entity_terms=entity_terms,
        )
        previous = {} if full_refresh else _read_meta(wh)
        refreshed: list[str] = []
        dbt_vars: dict[str, object] = {}
        if previous and previous.get("topic_terms_hash") != inputs.topic_terms_hash:
            dbt_vars["refresh_topic_models"] = True
            refreshed += ["int_article_term_matches", "int_article_topics"]
        if previous and previous.get("entity_terms_hash") != inputs.entity_terms_hash:
            dbt_vars["refresh_entity_models"] = True
            refreshed.append("int_entity_mentions")
        temp = _temp_name(paths)
        try:
            if wh.exists() and not full_refresh:
                shutil.copyfile(wh, temp)
            target = scratch / "target"
            env = {
                **inputs.env,
                "NEWSRADAR_DBT_DATABASE": str(temp),
                "NEWSRADAR_DBT_THREADS": str(threads or os.environ.get("NEWSRADAR_DBT_THREADS") or 2),
                "NEWSRADAR_DUCKDB_THREADS": str(threads or os.environ.get("NEWSRADAR_DUCKDB_THREADS") or 2),
                "NEWSRADAR_DUCKDB_MEMORY_LIMIT": memory_limit
                or os.environ.get("NEWSRADAR_DUCKDB_MEMORY_LIMIT")
                or "6GB",
            }
            args = [
                "--log-format",
                "json",
                "--no-use-colors",
                "build",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(target),
                "--log-path",
                str(scratch / "logs"),
            ]
            if full_refresh or not wh.exists():
                args.append("--full-refresh")
            if dbt_vars:
                args += ["--vars", json.dumps(dbt_vars)]
            if select:
                args += ["--select", select]
            if say:
                mode = "full" if (full_refresh or not wh.exists()) else "incremental"
                extra = f"; terms changed, recomputing {', '.join(refreshed)}" if refreshed else ""
                say(f"building warehouse ({mode}{extra}) -> {wh}")
            rc = _run_dbt(args, env, say)
            nodes = _node_results(target)
            if rc != 0 or any(n.status in FAILED_STATUSES - {"skipped"} for n in nodes):
                raise WarehouseError(_failure_message(nodes, rc, scratch / "logs" / "dbt.log"))
            meta = {
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "topic_terms_hash": inputs.topic_terms_hash,
                "entity_terms_hash": inputs.entity_terms_hash,
                "lake_uri": paths.lake_uri,
                "newsradar_warehouse_version": "1",
            }
            _finalise(temp, target / "manifest.json", meta)
            with open(temp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(temp, wh)
            _fsync_dir(wh.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            with contextlib.suppress(FileNotFoundError):
                Path(str(temp) + ".wal").unlink()
    result = BuildResult(
        warehouse_path=wh,
        published=True,
        full_refresh=full_refresh,
        refreshed=refreshed,
        nodes=nodes,
        seconds=time.monotonic() - started,
        topic_terms_hash=inputs.topic_terms_hash,
        entity_terms_hash=inputs.entity_terms_hash,
    )
    if say:
        n_tests = len(result.tests)
        say(f"published {wh} in {result.seconds:.1f}s: {len(result.models)} models, {n_tests} tests passed")
    return result
