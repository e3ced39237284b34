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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsradar.errors import UserError
from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA
from newsradar.settings import Paths, join_uri

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

# Models that depend on the terms files: when a file's hash differs from the one recorded in the
# published warehouse, these tables are dropped from the build's copy, so dbt rebuilds them (and,
# through the marts, everything downstream) from the whole lake; everything else stays incremental.
TERM_MODELS = {
    "topic_terms_hash": ("int_article_term_matches", "int_article_topics", "article_topics"),
    "entity_terms_hash": ("int_entity_mentions", "entity_mentions"),
}

# The incremental models that read the lake. When each exists in the file a build continues (and no
# terms changed), they all read only the rows of new files, and the views over the whole lake (whose
# creation opens every lake file) are left out of the build. tests/unit/test_warehouse_cli.py checks
# this list against the dbt project.
LAKE_MODELS = (
    "int_articles_deduped",
    "int_article_term_matches",
    "int_entity_mentions",
    "int_fetch_days",
    "articles",
)
WHOLE_LAKE_VIEWS = ("stg_articles", "stg_fetch_log")


def project_hash() -> str:
    """Hash of the dbt project's sources (models, macros, tests, seeds, config)."""
    digest = hashlib.sha256()
    for path in sorted(PROJECT_DIR.rglob("*")):
        rel = path.relative_to(PROJECT_DIR)
        if not path.is_file() or rel.parts[0] in ("target", "logs", "dbt_packages") or path.suffix == ".pyc":
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _existing_tables(database: Path) -> set[str]:
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
                ).fetchall()
            }
    except duckdb.Error:
        return set()


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
    phases: dict[str, float] = field(default_factory=dict)  # seconds: prepare, dbt, publish

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
    root = _local_root(table_uri)
    if any(root.glob("*/*/*.parquet")):
        return _sql_string(str(root / "*" / "*" / "*.parquet"))
    empty = scratch / f"empty_{name}.parquet"
    pq.write_table(schema.empty_table(), empty)
    return _sql_string(str(empty))


LAKE_ROW_FIELDS = [pa.field("lake_file", pa.string()), pa.field("lake_row", pa.int64())]
LAKE_FILES_SCHEMA = pa.schema(
    [("lake_table", pa.string()), ("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64())]
)
LAKE_TABLES = {"articles": ARTICLE_SCHEMA, "fetch_log": FETCH_LOG_SCHEMA}


def _local_root(table_uri: str) -> Path:
    if "://" in table_uri and not table_uri.startswith("file://"):
        raise WarehouseError(
            f"lake {table_uri}: the warehouse build reads a local lake only (copy or mount the lake locally)"
        )
    return Path(table_uri.removeprefix("file://"))


def lake_listing(paths: Paths) -> pa.Table:
    """Every published lake file (``<table>/source=*/crawl_date=*/*.parquet``; names starting with
    ``_`` or ``.`` are a writer's temporary files) with its size and modification time. ``path`` is
    relative to the table's folder (``source=x/crawl_date=d/f.parquet``, as the warehouse stores it),
    so a data folder copied or moved with its modification times keeps its warehouse valid."""
    rows: list[tuple[str, str, int, int]] = []
    for table in LAKE_TABLES:
        root = _local_root(join_uri(paths.lake_uri, table))
        if not root.is_dir():
            continue
        for source_dir in os.scandir(root):
            if not source_dir.is_dir() or source_dir.name.startswith(("_", ".")):
                continue
            for day_dir in os.scandir(source_dir.path):
                if not day_dir.is_dir() or day_dir.name.startswith(("_", ".")):
                    continue
                for f in os.scandir(day_dir.path):
                    if f.name.endswith(".parquet") and not f.name.startswith(("_", ".")) and f.is_file():
                        st = f.stat()
                        rel = f"{source_dir.name}/{day_dir.name}/{f.name}"
                        rows.append((table, rel, st.st_size, st.st_mtime_ns))
    rows.sort()
    return pa.Table.from_pylist(
        [dict(zip(LAKE_FILES_SCHEMA.names, r, strict=True)) for r in rows], schema=LAKE_FILES_SCHEMA
    )


def _processed_files(staging: Path) -> set[tuple[str, str, int, int]]:
    """The lake files a warehouse file has read (``intermediate.int_lake_files``)."""
    try:
        with duckdb.connect(str(staging), read_only=True) as con:
            rows = con.execute(
                "select lake_table, path, size, mtime_ns from intermediate.int_lake_files"
            ).fetchall()
    except duckdb.Error:
        return set()
    return set(rows)


def _consolidate(root: Path, files: list[str], schema: pa.Schema, dest: Path) -> int:
    """Copy the rows of ``files`` (relative to ``root``) into one Parquet file, each with
    ``lake_file``/``lake_row`` (its file and 0-based row number, as the staging views give them for the
    whole lake). Returns the number of rows."""
    from newsradar.lake import conform

    out_schema = pa.schema([*schema, *LAKE_ROW_FIELDS])
    n = 0
    with pq.ParquetWriter(dest, out_schema) as writer:
        for path in files:
            try:
                table = conform(pq.read_table(root / path), schema)
            except (OSError, pa.ArrowException) as exc:
                raise WarehouseError(f"lake file {path}: cannot be read: {exc}") from None
            rows = table.num_rows
            table = table.append_column("lake_file", pa.array([path] * rows, pa.string()))
            table = table.append_column("lake_row", pa.array(range(rows), pa.int64()))
            writer.write_table(table)
            n += rows
    return n


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


def _sources_files(paths: Paths, sources_file: Path | None) -> list[Path]:
    """The sources file given, else every sources file the lake's outlets may come from:
    ``$NEWSRADAR_SOURCES``, ``<data>/sources.yaml``, ``<data>/demo/sources.yaml`` (written by
    ``newsradar demo``) and ``./sources.yaml``; an outlet's first definition wins."""
    if sources_file:
        if not Path(sources_file).exists():
            raise WarehouseError(f"{sources_file}: no such sources file")
        return [Path(sources_file)]
    candidates = [
        os.environ.get("NEWSRADAR_SOURCES"),
        paths.data_dir / "sources.yaml",
        paths.data_dir / "demo" / "sources.yaml",
        Path("sources.yaml"),
    ]
    found: list[Path] = []
    for c in candidates:
        if c and Path(c).exists() and Path(c).resolve() not in [f.resolve() for f in found]:
            found.append(Path(c))
    return found


def sources_table(paths: Paths, sources_file: Path | None = None) -> pa.Table:
    """The outlets reference table from the sources file(s) used by the crawl."""
    from newsradar.sources import load_sources

    files = _sources_files(paths, sources_file)
    if not files:
        log.warning("no sources file found: outlet days are computed in UTC and names are ids")
    rows: dict[str, dict] = {}
    for path in files:
        for s in load_sources(path):
            rows.setdefault(
                s.id,
                {
                    "source_id": s.id,
                    "name": s.name,
                    "homepage": s.homepage,
                    "country": s.country,
                    "languages": list(s.languages),
                    "timezone": s.timezone,
                },
            )
    return pa.Table.from_pylist(list(rows.values()), schema=SOURCES_SCHEMA)


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
# helpers of the Python models (warehouse/models/intermediate/*.py); run inside dbt's process


def new_article_texts(dbt, session, lake, versions):
    """The article versions a term model has not processed yet, with their matched text
    ``lower(concat_ws(chr(10), title, subtitle, body))`` as ``text``: the lake rows (``lake``:
    ``stg_articles_new`` on an incremental build, the rows of the files not read before;
    ``stg_articles`` on a full one) that ``int_articles_deduped`` (``versions``) keeps. The model passes
    the relations: dbt sees a Python model's refs in its own source only."""
    from newsradar.topics.evaluate import TEXT_SQL

    kept = versions.project("lake_file as kept_file, lake_row as kept_row")
    texts = lake.join(kept, "lake_file = kept_file and lake_row = kept_row", how="semi")
    return texts.project(f"article_id, fetched_at, language, {TEXT_SQL} as text")


def match_texts(
    session, texts, patterns: list[str], keys: list[str], batch_rows: int = 50_000, *, counts: bool = False
) -> pa.Table:
    """The key columns and ``pattern_idx`` for every (row of ``texts``, pattern) match; with
    ``counts``, also ``mentions`` (occurrences of the pattern in the text).

    ``texts`` is a DuckDB relation with the ``keys`` and ``text`` (lowercased). Patterns are data:
    ``newsradar.topics.scan.TermScanner`` compiles them once and matches each batch of texts in one
    pass, exactly as RE2 would (see its docstring); nothing of them becomes SQL text."""
    from newsradar.topics.scan import TermScanner

    scanner = TermScanner(patterns)
    rel = texts.project(", ".join(f'"{k}"' for k in [*keys, "text"]))
    reader = rel.to_arrow_reader(batch_rows)
    schema = reader.schema
    out_keys: dict[str, list[pa.Array]] = {k: [] for k in keys}
    out_idx: list[pa.Array] = []
    out_counts: list[pa.Array] = []
    for batch in reader:
        if batch.num_rows == 0:
            continue
        found = scanner.scan(batch.column("text"), counts=counts)
        if len(found.rows) == 0:
            continue
        rows = pa.array(found.rows)
        for k in keys:
            out_keys[k].append(pc.take(batch.column(k), rows))
        out_idx.append(pa.array(found.pattern_idx, pa.int64()))
        if counts:
            out_counts.append(pa.array(found.counts, pa.int64()))
    columns = {
        k: pa.concat_arrays(out_keys[k]).cast(schema.field(k).type)
        if out_keys[k]
        else pa.array([], schema.field(k).type)
        for k in keys
    }
    columns["pattern_idx"] = pa.concat_arrays(out_idx) if out_idx else pa.array([], pa.int64())
    if counts:
        columns["mentions"] = pa.concat_arrays(out_counts) if out_counts else pa.array([], pa.int64())
    return pa.table(columns)


def _terms_with_index(terms_rel, columns: str) -> tuple[list[str], pa.Table]:
    terms = terms_rel.project(columns).distinct().to_arrow_table()
    patterns = sorted(set(terms.column("pattern").to_pylist()))
    index = {p: i for i, p in enumerate(patterns)}
    idx = pa.array([index[p] for p in terms.column("pattern").to_pylist()], pa.int64())
    return patterns, terms.append_column("pattern_idx", idx).drop_columns(["pattern"])


def _registered(session, **tables: pa.Table) -> dict[str, str]:
    names = {}
    for key, table in tables.items():
        name = f"_nr_{key}_{uuid.uuid4().hex[:10]}"
        session.register(name, table)
        names[key] = name
    return names


def topic_term_matches(session, texts, terms_rel) -> pa.Table:
    """(article_id, fetched_at, language, topic_id, term_id) for every term of ``stg_topic_terms``
    matching a text (terms limited to a language only for articles in that language)."""
    patterns, terms = _terms_with_index(terms_rel, "topic_id, term_id, language, pattern")
    hits = match_texts(session, texts, patterns, ["article_id", "fetched_at", "language"])
    names = _registered(session, hits=hits, terms=terms)
    try:
        return session.sql(
            f"""
            select distinct h.article_id, h.fetched_at, h.language, t.topic_id, t.term_id
            from {names["hits"]} as h
            inner join {names["terms"]} as t
                on h.pattern_idx = t.pattern_idx and (t.language is null or t.language = h.language)
            """
        ).to_arrow_table()
    finally:
        for name in names.values():
            session.unregister(name)


def entity_mention_counts(session, texts, terms_rel) -> pa.Table:
    """(article_id, fetched_at, entity_id, mentions): entities of ``stg_entity_terms`` found in the
    texts, with the number of occurrences of all their alias patterns."""
    patterns, terms = _terms_with_index(terms_rel, "entity_id, pattern")
    hits = match_texts(session, texts, patterns, ["article_id", "fetched_at"], counts=True)
    names = _registered(session, hits=hits, terms=terms)
    try:
        return session.sql(
            f"""
            select h.article_id, t.entity_id, max(h.fetched_at) as fetched_at, cast(sum(h.mentions) as bigint) as mentions
            from {names["hits"]} as h
            inner join {names["terms"]} as t on h.pattern_idx = t.pattern_idx
            group by h.article_id, t.entity_id
            """
        ).to_arrow_table()
    finally:
        for name in names.values():
            session.unregister(name)


def drop_tables(database: Path, names: list[str] | tuple[str, ...]) -> None:
    """Drop these tables (any schema) from a build's copy of the warehouse."""
    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_name in (select unnest(?::varchar[]))",
            [list(names)],
        ).fetchall()
        for schema, table in rows:
            con.execute(f'drop table if exists "{schema}"."{table}"')


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


def run_dbt(args: list[str], env: dict[str, str], progress: Callable[[str], None] | None = None) -> int:
    """Run dbt (``args`` after the executable) in the dbt project with ``env`` added to this process's
    environment; JSON log events become progress lines. Returns dbt's exit code."""
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


def _finalise(staging: Path, manifest: Path, meta: dict[str, str]) -> None:
    """Drop everything that is not a table (staging views over the lake), add docs, checkpoint."""
    with duckdb.connect(str(staging)) as con:
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


@dataclass
class PreparedBuild:
    """A build in progress: the staging copy dbt writes into, and what publishing it needs.

    Made by ``prepare_build``, filled by ``run_build`` (or by one dbt process per model, as the Airflow
    DAG does with the same ``env``), then ``publish_build`` swaps ``staging_path`` over the published
    warehouse. ``to_dict``/``from_dict`` carry it between processes (Airflow XCom holds paths only).
    """

    warehouse_path: Path
    staging_path: Path  # next to the warehouse (same filesystem: the swap is a rename)
    scratch_dir: Path  # inputs exported for dbt, dbt's target and logs
    incremental: bool  # False: a full build (no published warehouse, or --full-refresh)
    refreshed: list[str]  # models recomputed from the whole lake because their terms changed
    topic_terms_hash: str
    entity_terms_hash: str
    lake_uri: str
    env: dict[str, str]  # the dbt profile's environment (warehouse/profiles.yml, _sources.yml)
    standby: bool = False  # staging_path is the standby file: publishing rotates it (see prepare_build)
    unit_tests: bool = True  # run dbt's unit tests (a full build, or the dbt project changed)
    whole_lake: bool = True  # build the views over the whole lake (some model reads all of it)
    dbt_project_hash: str = ""

    @property
    def target_dir(self) -> Path:
        return self.scratch_dir / "target"

    @property
    def log_dir(self) -> Path:
        return self.scratch_dir / "logs"

    def dbt_args(self, command: str, *extra: str) -> list[str]:
        """Arguments of ``dbt <command>`` on the project with this build's target and log folders."""
        return [
            "--log-format", "json", "--no-use-colors", command,
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(self.target_dir), "--log-path", str(self.log_dir), *extra,
        ]  # fmt: skip

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("warehouse_path", "staging_path", "scratch_dir"):
            d[key] = str(d[key])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> PreparedBuild:
        d = dict(d)
        for key in ("warehouse_path", "staging_path", "scratch_dir"):
            d[key] = Path(d[key])
        return cls(**d)


def staging_name(paths: Paths) -> Path:
    """A fresh staging file name next to the published warehouse (``.<name>-build-<pid>-<random>``)."""
    wh = paths.warehouse_path
    return wh.with_name(f".{wh.stem}-build-{os.getpid()}-{uuid.uuid4().hex[:8]}{wh.suffix}")


def remove_stale_staging(paths: Paths) -> None:
    """Remove staging files of builds that died. Call with the build lock held."""
    wh = paths.warehouse_path
    for p in wh.parent.glob(f".{wh.stem}-build-*"):
        with contextlib.suppress(OSError):
            p.unlink()


def standby_path(paths: Paths) -> Path:
    """The standby warehouse: the build before the published one, which the next build continues."""
    wh = paths.warehouse_path
    return wh.with_name(f".{wh.stem}-standby{wh.suffix}")


def _standby_record_path(paths: Paths) -> Path:
    wh = paths.warehouse_path
    return wh.with_name(f".{wh.stem}-standby.json")


def _file_state(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _write_standby_record(paths: Paths) -> None:
    """Record the standby as valid: its file state and the published file it precedes."""
    record = {
        "standby": _file_state(standby_path(paths)),
        "published_ino": paths.warehouse_path.stat().st_ino,
    }
    path = _standby_record_path(paths)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _usable_standby(paths: Paths) -> bool:
    """Is the standby file the untouched build before the published one, held open by no reader?"""
    standby = standby_path(paths)
    try:
        record = json.loads(_standby_record_path(paths).read_text())
        if record["standby"] != _file_state(standby):
            return False  # changed since it was recorded (a build into it died)
        if record["published_ino"] != paths.warehouse_path.stat().st_ino:
            return False  # something else published since
    except (OSError, ValueError, KeyError, TypeError):
        return False
    try:
        # a reader that opened the warehouse before the last swap still holds this file (DuckDB
        # locks it): then the build must not write into it
        duckdb.connect(str(standby)).close()
    except duckdb.Error:
        return False
    return True


def _copy_into(src: Path, dest: Path, paths: Paths) -> None:
    """Copy ``src`` to ``dest`` through a temporary name: the file ``dest`` named before (which an
    old reader may hold) is replaced, never written into."""
    tmp = staging_name(paths)
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _export_new_files(paths: Paths, scratch: Path, continued: Path | None) -> dict[str, str]:
    """The lake files the build has not read yet, for the incremental models: every published file
    not in the manifest of the warehouse the build continues (``continued``; None: a full build,
    which reads the whole lake). Their rows are copied into one Parquet file per lake table, so the
    models read the new data without opening every file of the lake (thousands of partitions), and
    rows that land late (a crawl that ends after a build which already saw later rows) are read all
    the same. Also writes the current listing, which the build stores as its manifest."""
    listing = lake_listing(paths)
    pq.write_table(listing, scratch / "lake_files.parquet")
    done = _processed_files(continued) if continued is not None else set()
    env = {"NEWSRADAR_LAKE_FILES_FILE": _sql_string(str(scratch / "lake_files.parquet"))}
    rows = listing.to_pylist()
    for table, schema in LAKE_TABLES.items():
        new = [
            r["path"]
            for r in rows
            if r["lake_table"] == table and (table, r["path"], r["size"], r["mtime_ns"]) not in done
        ]
        dest = scratch / f"new_{table}.parquet"
        root = _local_root(join_uri(paths.lake_uri, table))
        _consolidate(root, new if continued is not None else [], schema, dest)
        env[f"NEWSRADAR_{table.upper()}_NEW_FILE"] = _sql_string(str(dest))
    return env


def prepare_build(
    paths: Paths,
    *,
    scratch_dir: Path,
    staging_path: Path | None = None,
    full_refresh: bool = False,
    sources_file: Path | str | None = None,
    topics_file: Path | str | None = None,
    gazetteer_file: Path | str | None = None,
    topics: tuple[pa.Table, pa.Table] | None = None,
    entity_terms: pa.Table | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> PreparedBuild:
    """Export the build's inputs into ``scratch_dir`` and make the staging file dbt builds into.

    By default the staging file is the **standby** (``standby_path``): the build published before the
    current one, kept beside it. Incremental models continue from it (catching up two builds' new
    data) and publishing swaps the two files, so a daily build writes only what is new instead of
    copying the whole warehouse first. When the standby is not usable (missing, a build into it
    died, something else published since, or a reader of an old warehouse still holds it) it is
    replaced by a copy of the published warehouse. With ``staging_path`` (the Airflow DAG, whose
    steps run in separate processes), that file is a fresh copy of the published warehouse.
    A full build (``full_refresh`` or no warehouse yet) starts from an empty file.

    When the topic or entity terms differ from those recorded in the file the build continues from,
    the models that depend on them are dropped from it, so dbt recomputes them from the whole lake.
    """
    wh = paths.warehouse_path
    wh.parent.mkdir(parents=True, exist_ok=True)
    standby = staging_path is None
    staging = standby_path(paths) if standby else Path(staging_path)
    scratch_dir = Path(scratch_dir)
    for sub in ("inputs", "logs"):  # dbt's target/ stays: its partial parse saves start-up time
        shutil.rmtree(scratch_dir / sub, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (scratch_dir / "target" / "run_results.json").unlink()
    inputs = export_inputs(
        paths,
        scratch_dir / "inputs",
        sources_file=Path(sources_file) if sources_file else None,
        topics_file=Path(topics_file) if topics_file else None,
        gazetteer_file=Path(gazetteer_file) if gazetteer_file else None,
        topics=topics,
        entity_terms=entity_terms,
    )
    incremental = wh.exists() and not full_refresh
    refreshed: list[str] = []
    staging.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(staging.parent).st_dev != os.stat(wh.parent).st_dev:
        raise WarehouseError(
            f"staging file {staging} is not on the filesystem of {wh}: the swap must be a rename"
        )
    reuse = False
    if standby:
        reuse = incremental and _usable_standby(paths)
        with contextlib.suppress(FileNotFoundError):
            _standby_record_path(paths).unlink()  # from now on the standby is being written
    if not reuse:
        for leftover in (staging, Path(str(staging) + ".wal")):  # a dead build's file of that name
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        if incremental:
            _copy_into(wh, staging, paths)
    previous: dict[str, str] = {}
    if incremental:
        previous = _read_meta(staging)
        for key, models in TERM_MODELS.items():
            if previous and previous.get(key) != getattr(inputs, key):
                refreshed.extend(models)
        if refreshed:
            drop_tables(staging, refreshed)
    new_files = _export_new_files(paths, scratch_dir / "inputs", staging if incremental else None)
    code = project_hash()
    # dbt's unit tests test the models' code: they run when it changed since the file the build
    # continues was built (and on full builds); the data tests run on every build
    unit_tests = not incremental or previous.get("dbt_project_hash") != code
    whole_lake = (
        not incremental
        or bool(refreshed)
        or unit_tests  # their fixtures take the columns of the views they stand in for
        or not set(LAKE_MODELS) <= _existing_tables(staging)
    )
    env = {
        **inputs.env,
        **new_files,
        "NEWSRADAR_DBT_DATABASE": str(staging),
        "NEWSRADAR_DBT_THREADS": str(threads or os.environ.get("NEWSRADAR_DBT_THREADS") or 2),
        "NEWSRADAR_DUCKDB_THREADS": str(threads or os.environ.get("NEWSRADAR_DUCKDB_THREADS") or 2),
        "NEWSRADAR_DUCKDB_MEMORY_LIMIT": memory_limit
        or os.environ.get("NEWSRADAR_DUCKDB_MEMORY_LIMIT")
        or "6GB",
    }
    return PreparedBuild(
        warehouse_path=wh,
        staging_path=staging,
        scratch_dir=scratch_dir,
        incremental=incremental,
        refreshed=refreshed,
        topic_terms_hash=inputs.topic_terms_hash,
        entity_terms_hash=inputs.entity_terms_hash,
        lake_uri=paths.lake_uri,
        env=env,
        standby=standby,
        unit_tests=unit_tests,
        whole_lake=whole_lake,
        dbt_project_hash=code,
    )


def run_build(
    prepared: PreparedBuild, *, select: str | None = None, progress: Callable[[str], None] | None = None
) -> list[NodeResult]:
    """``dbt build`` (models and tests) into the staging file. Raises ``WarehouseError`` naming the
    failed models and tests; the published warehouse is not touched either way."""
    extra = [] if prepared.incremental else ["--full-refresh"]
    if select:
        extra += ["--select", select]
    if not prepared.unit_tests:
        extra += ["--exclude-resource-type", "unit_test"]
    if not prepared.whole_lake:
        extra += ["--exclude", *WHOLE_LAKE_VIEWS]
    rc = run_dbt(prepared.dbt_args("build", *extra), prepared.env, progress)
    nodes = _node_results(prepared.target_dir)
    if rc != 0 or any(n.status in FAILED_STATUSES - {"skipped"} for n in nodes):
        raise WarehouseError(_failure_message(nodes, rc, prepared.log_dir / "dbt.log"))
    return nodes


def publish_build(
    prepared: PreparedBuild,
    *,
    built_by: str = "newsradar build",
    lock: bool = True,
    paths: Paths | None = None,
) -> None:
    """Finalise the staging file (drop the views over the lake, store the table docs and the build
    metadata) and swap it over the published warehouse with one ``os.replace``.

    The table docs come from the manifest of the dbt run (``run_build``); when the models ran
    elsewhere (one dbt process per Airflow task), ``dbt parse`` makes it. ``lock``: take the build lock
    for the swap (pass False when the caller holds it, as ``build`` does).
    """
    staging = prepared.staging_path
    if not staging.exists():
        raise WarehouseError(f"no staging warehouse at {staging}: did the dbt build run?")
    with duckdb.connect(str(staging), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' "
                "and table_type = 'BASE TABLE'"
            ).fetchall()
        }
    missing = [m for m in MARTS if m not in tables]
    if missing:
        raise WarehouseError(f"staging warehouse {staging} lacks mart(s) {', '.join(missing)}; not published")
    manifest = prepared.target_dir / "manifest.json"
    if not manifest.exists():
        rc = run_dbt(prepared.dbt_args("parse"), prepared.env)
        if rc != 0:
            log.warning("dbt parse failed (exit %s): the table docs of this build will be empty", rc)
    meta = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "topic_terms_hash": prepared.topic_terms_hash,
        "entity_terms_hash": prepared.entity_terms_hash,
        "lake_uri": prepared.lake_uri,
        "newsradar_warehouse_version": "1",
        "built_by": built_by,
        "dbt_project_hash": prepared.dbt_project_hash,
    }
    _finalise(staging, manifest, meta)
    with open(staging, "rb+") as fh:
        os.fsync(fh.fileno())
    wh = prepared.warehouse_path
    paths = paths or _paths_for(wh)
    with build_lock(paths) if lock else contextlib.nullcontext():
        if not prepared.standby:
            os.replace(staging, wh)
            _fsync_dir(wh.parent)
        elif prepared.incremental and wh.exists():
            # rotate: the published file becomes the standby, the build becomes the published file
            previous = staging_name(paths)
            os.link(wh, previous)
            os.replace(staging, wh)
            os.replace(previous, standby_path(paths))
            _fsync_dir(wh.parent)
            _write_standby_record(paths)
        else:
            # after a full build the old warehouse is no base for the next one: the standby is a copy
            os.replace(staging, wh)
            _fsync_dir(wh.parent)
            _copy_into(wh, standby_path(paths), paths)
            _write_standby_record(paths)


def _remove_staging(prepared: PreparedBuild) -> None:
    if prepared.standby and _standby_record_path(_paths_for(prepared.warehouse_path)).exists():
        return  # published: the file at the staging path is now the recorded standby
    for leftover in (prepared.staging_path, Path(str(prepared.staging_path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def discard_build(prepared: PreparedBuild) -> None:
    """Remove the staging file (if it was not published) and the scratch folder."""
    _remove_staging(prepared)
    shutil.rmtree(prepared.scratch_dir, ignore_errors=True)


def _paths_for(warehouse_path: Path) -> Paths:
    """Enough of ``Paths`` for the build lock (which only uses ``warehouse_path``)."""
    return Paths(data_dir=warehouse_path.parent, lake_uri="", raw_uri="", warehouse_path=warehouse_path)


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
    """Build the warehouse from the lake into a new file and publish it atomically: ``prepare_build``,
    ``run_build`` and ``publish_build`` under the build lock.

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
        remove_stale_staging(paths)
        prepared = prepare_build(
            paths,
            scratch_dir=paths.data_dir / ".build",
            full_refresh=full_refresh,
            sources_file=sources_file,
            topics_file=topics_file,
            gazetteer_file=gazetteer_file,
            topics=topics,
            entity_terms=entity_terms,
            threads=threads,
            memory_limit=memory_limit,
        )
        try:
            if say:
                mode = "incremental" if prepared.incremental else "full"
                extra = (
                    f"; terms changed, recomputing {', '.join(prepared.refreshed)}"
                    if prepared.refreshed
                    else ""
                )
                say(f"building warehouse ({mode}{extra}) -> {wh}")
            phases = {"prepare": time.monotonic() - started}
            nodes = run_build(prepared, select=select, progress=say)
            phases["dbt"] = time.monotonic() - started - phases["prepare"]
            publish_build(prepared, lock=False, paths=paths)
            phases["publish"] = time.monotonic() - started - phases["prepare"] - phases["dbt"]
        finally:
            _remove_staging(prepared)
    result = BuildResult(
        warehouse_path=wh,
        published=True,
        full_refresh=full_refresh,
        refreshed=prepared.refreshed,
        nodes=nodes,
        seconds=time.monotonic() - started,
        topic_terms_hash=prepared.topic_terms_hash,
        entity_terms_hash=prepared.entity_terms_hash,
        phases={k: round(v, 2) for k, v in phases.items()},
    )
    if say:
        n_tests = len(result.tests)
        took = ", ".join(f"{k} {v:.1f}s" for k, v in result.phases.items())
        say(
            f"published {wh} in {result.seconds:.1f}s ({took}): {len(result.models)} models, {n_tests} tests passed"
        )
    return result
