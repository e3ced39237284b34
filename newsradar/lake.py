"""Lake I/O through pyarrow filesystems: atomic partition writes, the known-URL index, compaction and
DuckDB registration.

The lake root is a URI (a local folder by default, ``s3://bucket/prefix`` in a deployment); every
read and write goes through ``pyarrow.fs.FileSystem.from_uri``. Layout (docs/architecture.md)::

    <lake>/<table>/source=<id>/crawl_date=YYYY-MM-DD/<run_id>.parquet

A writer streams rows into ``_tmp-<run_id>.parquet.inprogress`` (a name readers never glob), and on
close merges it with the partition's existing ``*.parquet`` files into one new ``<run_id>.parquet``
(written under a temporary name, then renamed) and deletes the files it replaced. The new file's
metadata lists the files it replaces, so if a run dies between the rename and the deletes, the next
writer of that partition finishes the job; stale ``_tmp-*`` files of killed runs are removed then too.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA

log = logging.getLogger(__name__)

TABLES: dict[str, pa.Schema] = {"articles": ARTICLE_SCHEMA, "fetch_log": FETCH_LOG_SCHEMA}
DEDUPE_KEYS: dict[str, str | None] = {"articles": "article_id", "fetch_log": None}
TMP_PREFIX = "_tmp-"
INPROGRESS_SUFFIX = ".inprogress"
REPLACES_KEY = b"newsradar.replaces"
ROW_GROUP_SIZE = 1000
COMPRESSION = "zstd"


class LakeError(Exception):
    """A lake file or URI cannot be used."""


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and in-filesystem path of ``uri``. Plain paths are local (made absolute)."""
    if "://" not in uri:
        uri = os.path.abspath(uri)
    try:
        return pafs.FileSystem.from_uri(uri)
    except (pa.ArrowInvalid, ValueError, OSError) as exc:
        raise LakeError(f"cannot open lake URI {uri!r}: {exc}") from exc


def partition_dir(root: str, table: str, source_id: str, crawl_date: date | str) -> str:
    """In-filesystem path of a partition (``root`` is a path inside a filesystem, not a URI)."""
    day = crawl_date.isoformat() if isinstance(crawl_date, date) else str(crawl_date)
    date.fromisoformat(day)  # validate: it becomes a path segment
    return posixpath.join(root, table, f"source={source_id}", f"crawl_date={day}")


def _list_files(fs: pafs.FileSystem, path: str) -> list[pafs.FileInfo]:
    try:
        infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [i for i in infos if i.type == pafs.FileType.File]


def _parquet_files(fs: pafs.FileSystem, path: str) -> list[str]:
    return sorted(
        i.path
        for i in _list_files(fs, path)
        if i.base_name.endswith(".parquet") and not i.base_name.startswith(("_", "."))
    )


def _delete_quietly(fs: pafs.FileSystem, path: str) -> None:
    try:
        fs.delete_file(path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - depends on the filesystem
        log.warning("could not delete %s: %s", path, exc)


def _replaced_by_metadata(fs: pafs.FileSystem, files: list[str]) -> set[str]:
    """Base names that some file in ``files`` declares it has replaced."""
    replaced: set[str] = set()
    for path in files:
        try:
            with fs.open_input_file(path) as fh:
                meta = pq.read_metadata(fh).metadata or {}
        except (OSError, pa.ArrowInvalid) as exc:
            log.warning("unreadable parquet footer %s: %s", path, exc)
            continue
        if REPLACES_KEY in meta:
            try:
                replaced.update(json.loads(meta[REPLACES_KEY]))
            except ValueError:
                pass
    return replaced


def recover_partition(fs: pafs.FileSystem, part: str, keep_tmp: Iterable[str] = ()) -> None:
    """Finish an interrupted replace and remove stale temporary files of killed runs."""
    keep = set(keep_tmp)
    for info in _list_files(fs, part):
        if info.base_name.startswith(TMP_PREFIX) and info.base_name not in keep:
            log.info("removing stale temporary file %s", info.path)
            _delete_quietly(fs, info.path)
    files = _parquet_files(fs, part)
    replaced = _replaced_by_metadata(fs, files)
    for path in files:
        if posixpath.basename(path) in replaced:
            log.info("removing %s (already merged into a newer file)", path)
            _delete_quietly(fs, path)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Select and cast to ``schema`` (missing nullable columns become nulls)."""
    cols = []
    for f in schema:
        if f.name in table.column_names:
            cols.append(table[f.name].cast(f.type))
        elif f.nullable:
            cols.append(pa.nulls(table.num_rows, f.type))
        else:
            raise LakeError(f"lake file lacks required column {f.name!r}")
    return pa.Table.from_arrays(cols, schema=schema)


def dedupe_latest(table: pa.Table, key: str, order: str = "fetched_at") -> pa.Table:
    """Keep one row per ``key``: the one with the greatest ``order`` (ties: the last written)."""
    if table.num_rows == 0:
        return table
    idx = pa.array(range(table.num_rows), pa.int64())
    work = pa.table({"k": table[key], "o": table[order], "i": idx})
    ranked = work.sort_by([("k", "ascending"), ("o", "descending"), ("i", "descending")])
    keys = ranked["k"].combine_chunks()
    if len(keys) > 1:
        same = pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1))
        first = pa.concat_arrays([pa.array([True]), pc.invert(same.fill_null(False))])
    else:
        first = pa.array([True])
    keep = pc.filter(ranked["i"], first)
    keep = keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep
    return table.take(keep.take(pc.sort_indices(keep)))


def _unique(fs: pafs.FileSystem, path: str, key: str) -> bool:
    """Whether column ``key`` of one Parquet file has no duplicates (reads only that column)."""
    with fs.open_input_file(path) as fh:
        col = pq.ParquetFile(fh).read(columns=[key])[key]
    return pc.count_distinct(col).as_py() == len(col)


def _keep_masks(fs: pafs.FileSystem, files: list[str], key: str, order: str = "fetched_at") -> list[pa.Array]:
    """Per file, which rows survive ``dedupe_latest`` over the concatenation of ``files``; reads only
    the key and order columns (a few bytes per row), not the rows themselves."""
    parts, sizes = [], []
    for path in files:
        with fs.open_input_file(path) as fh:
            t = pq.ParquetFile(fh).read(columns=[key, order])
        parts.append(pa.table({key: t[key], order: t[order].cast(pa.timestamp("us", tz="UTC"))}))
        sizes.append(t.num_rows)
    both = pa.concat_tables(parts)
    keep = dedupe_latest(both.append_column("i", pa.array(range(both.num_rows), pa.int64())), key)["i"]
    mask = pc.is_in(pa.array(range(both.num_rows), pa.int64()), value_set=keep.combine_chunks())
    out, start = [], 0
    for n in sizes:
        out.append(mask.slice(start, n))
        start += n
    return out


def _merge_atomic(
    fs: pafs.FileSystem,
    part: str,
    final_name: str,
    files: list[str],
    schema: pa.Schema,
    key: str | None,
    replaces: list[str],
    batch_size: int = ROW_GROUP_SIZE,
) -> str:
    """Stream ``files`` (in order; deduped on ``key`` keeping the latest ``fetched_at``) into
    ``part/final_name``, written under a temporary name and renamed. Memory: one batch of rows plus
    the key column, whatever the partition's size."""
    masks = _keep_masks(fs, files, key) if key else [None] * len(files)
    tmp = posixpath.join(part, f"{TMP_PREFIX}{final_name}.merge{INPROGRESS_SUFFIX}")
    final = posixpath.join(part, final_name)
    meta = dict(schema.metadata or {})
    meta[REPLACES_KEY] = json.dumps(sorted(replaces)).encode()
    out_schema = schema.with_metadata(meta)
    with fs.open_output_stream(tmp) as out, pq.ParquetWriter(out, out_schema, compression=COMPRESSION) as w:
        for path, mask in zip(files, masks, strict=True):
            with fs.open_input_file(path) as fh:
                offset = 0
                for batch in pq.ParquetFile(fh).iter_batches(batch_size=batch_size):
                    table = conform(pa.Table.from_batches([batch]), schema)
                    if mask is not None:
                        table = table.filter(mask.slice(offset, table.num_rows))
                    offset += batch.num_rows
                    if table.num_rows:
                        w.write_table(table.replace_schema_metadata(meta), row_group_size=batch_size)
    fs.move(tmp, final)
    return final


@dataclass
class PartitionWriter:
    """Streams rows of one table partition of one run; ``close()`` publishes them atomically.

    ``rows`` are dicts (or anything ``pa.Table.from_pylist`` takes) with the schema's field names.
    """

    lake_uri: str
    table: str
    source_id: str
    crawl_date: date
    run_id: str
    row_group_size: int = ROW_GROUP_SIZE
    rows_written: int = 0
    final_path: str | None = None
    _buffer: list[Mapping] = field(default_factory=list, repr=False)
    _writer: pq.ParquetWriter | None = field(default=None, repr=False)
    _stream: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.table not in TABLES:
            raise LakeError(f"unknown lake table {self.table!r} (known: {', '.join(TABLES)})")
        self.schema = TABLES[self.table]
        self.fs, root = filesystem(self.lake_uri)
        self.part = partition_dir(root, self.table, self.source_id, self.crawl_date)
        self.tmp_name = f"{TMP_PREFIX}{self.run_id}.parquet{INPROGRESS_SUFFIX}"
        self.tmp_path = posixpath.join(self.part, self.tmp_name)
        self.fs.create_dir(self.part, recursive=True)
        recover_partition(self.fs, self.part, keep_tmp=[self.tmp_name])
        self.closed = False

    def write(self, row: Mapping) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= self.row_group_size:
            self.flush()

    def write_many(self, rows: Iterable[Mapping]) -> None:
        for row in rows:
            self.write(row)

    def flush(self) -> None:
        if not self._buffer:
            return
        batch = pa.Table.from_pylist(self._buffer, schema=self.schema)
        if self._writer is None:
            self._stream = self.fs.open_output_stream(self.tmp_path)
            self._writer = pq.ParquetWriter(self._stream, self.schema, compression=COMPRESSION)
        self._writer.write_table(batch, row_group_size=self.row_group_size)
        self.rows_written += batch.num_rows
        self._buffer.clear()

    def close(self) -> str | None:
        """Merge with the partition's files and publish ``<run_id>.parquet``. Returns its path, or
        ``None`` when nothing was written (the partition is then left as it was)."""
        if self.closed:
            return self.final_path
        self.flush()
        self.closed = True
        if self._writer is None:
            return None
        self._writer.close()
        self._stream.close()  # type: ignore[attr-defined]
        existing = [
            p for p in _parquet_files(self.fs, self.part) if posixpath.basename(p) != f"{self.run_id}.parquet"
        ]
        final_name = f"{self.run_id}.parquet"
        key = DEDUPE_KEYS[self.table]
        if not existing and (key is None or _unique(self.fs, self.tmp_path, key)):
            # nothing to merge with: the streamed file is the result (rename, no rewrite)
            self.final_path = posixpath.join(self.part, final_name)
            self.fs.move(self.tmp_path, self.final_path)
            return self.final_path
        self.final_path = _merge_atomic(
            self.fs, self.part, final_name, [*existing, self.tmp_path], self.schema, key,
            [posixpath.basename(p) for p in existing],
        )  # fmt: skip
        for path in existing:
            _delete_quietly(self.fs, path)
        _delete_quietly(self.fs, self.tmp_path)
        return self.final_path

    def abort(self) -> None:
        """Drop everything this writer wrote (nothing becomes visible)."""
        self.closed = True
        self._buffer.clear()
        if self._writer is not None:
            self._writer.close()
            self._stream.close()  # type: ignore[attr-defined]
        _delete_quietly(self.fs, self.tmp_path)

    def __enter__(self) -> PartitionWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def known_articles(lake_uri: str, source_id: str) -> dict[str, tuple[datetime, datetime | None]]:
    """``{url: (fetched_at, modified_at)}`` of the latest stored version of each article of a source."""
    fs, root = filesystem(lake_uri)
    base = posixpath.join(root, "articles", f"source={source_id}")
    info = fs.get_file_info(base)
    if info.type != pafs.FileType.Directory:
        return {}
    columns = ["url", "fetched_at", "modified_at"]
    out: dict[str, tuple[datetime, datetime | None]] = {}
    for path in _parquet_files_under(fs, base):
        table = _read_columns(fs, path, columns, ARTICLE_SCHEMA)
        for url, fetched, modified in zip(*(table[c].to_pylist() for c in columns), strict=True):
            prev = out.get(url)
            if prev is None or fetched > prev[0]:
                out[url] = (fetched, modified)
    return out


def _parquet_files_under(fs: pafs.FileSystem, base: str) -> list[str]:
    """Published Parquet files below ``base``, at any depth (names starting with ``_`` or ``.``, files or
    folders, are skipped, as ``pyarrow.dataset`` does)."""
    infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    prefix = base.rstrip("/") + "/"
    return sorted(
        i.path
        for i in infos
        if i.type == pafs.FileType.File
        and i.base_name.endswith(".parquet")
        and not any(part.startswith(("_", ".")) for part in i.path.removeprefix(prefix).split("/"))
    )


def _read_columns(fs: pafs.FileSystem, path: str, columns: list[str], schema: pa.Schema) -> pa.Table:
    """``columns`` of one Parquet file, cast to their type in ``schema`` (missing nullable ones as nulls).
    Read with ``ParquetFile``, not ``pyarrow.dataset``, which imports pandas: the crawl reads the lake
    at start-up and has no other use for pandas (about half a second of start-up)."""
    with fs.open_input_file(path) as fh:
        pf = pq.ParquetFile(fh)
        table = pf.read(columns=[c for c in columns if c in pf.schema_arrow.names])
    return conform(table, pa.schema([schema.field(c) for c in columns]))


def partitions(lake_uri: str, table: str, source_id: str | None = None) -> list[str]:
    """In-filesystem paths of the partitions of ``table`` (optionally of one source)."""
    fs, root = filesystem(lake_uri)
    base = posixpath.join(root, table)
    if source_id:
        sources = [posixpath.join(base, f"source={source_id}")]
    else:
        sources = [
            i.path
            for i in fs.get_file_info(pafs.FileSelector(base, allow_not_found=True))
            if i.type == pafs.FileType.Directory and i.base_name.startswith("source=")
        ]
    out: list[str] = []
    for src in sorted(sources):
        for i in fs.get_file_info(pafs.FileSelector(src, allow_not_found=True)):
            if i.type == pafs.FileType.Directory and i.base_name.startswith("crawl_date="):
                out.append(i.path)
    return sorted(out)


def compact(lake_uri: str, table: str, source_id: str | None = None) -> int:
    """Merge each partition holding several ``*.parquet`` files into one (atomically). Returns the
    number of partitions compacted. For ``articles``, duplicates are removed (latest ``fetched_at``)."""
    if table not in TABLES:
        raise LakeError(f"unknown lake table {table!r} (known: {', '.join(TABLES)})")
    fs, _ = filesystem(lake_uri)
    schema = TABLES[table]
    done = 0
    for part in partitions(lake_uri, table, source_id):
        recover_partition(fs, part)
        files = _parquet_files(fs, part)
        if len(files) < 2:
            continue
        newest = max(posixpath.basename(p) for p in files)
        name = f"compacted-{newest}"
        _merge_atomic(
            fs, part, name, files, schema, DEDUPE_KEYS[table], [posixpath.basename(p) for p in files]
        )
        for path in files:
            _delete_quietly(fs, path)
        done += 1
    return done


def read_table(
    lake_uri: str, table: str, source_id: str | None = None, columns: list[str] | None = None
) -> pa.Table:
    """Read a whole lake table (or one source) into Arrow; for tests and small tools."""
    fs, root = filesystem(lake_uri)
    base = posixpath.join(root, table, f"source={source_id}") if source_id else posixpath.join(root, table)
    if fs.get_file_info(base).type != pafs.FileType.Directory:
        return TABLES[table].empty_table() if columns is None else TABLES[table].empty_table().select(columns)
    import pyarrow.dataset as ds  # imports pandas: not at module level (the crawl imports this module)

    dataset = ds.dataset(base, filesystem=fs, format="parquet", schema=TABLES[table])
    return dataset.to_table(columns=columns)


def register_lake(con, lake_uri: str, table: str = "articles") -> str:
    """Make ``lake_uri`` readable by the DuckDB connection ``con``; return the glob of ``table``'s files.

    Local lakes are read directly. Other URIs get an fsspec filesystem registered on the connection
    (DuckDB's httpfs extension is downloaded at first use, so it is not relied upon). Read the glob
    with ``read_parquet(glob, hive_partitioning = false, union_by_name = true)``.
    """
    scheme = urlsplit(lake_uri).scheme if "://" in lake_uri else ""
    if scheme in ("", "file", "local"):
        _, root = filesystem(lake_uri)
        return posixpath.join(root, table, "*", "*", "*.parquet")
    import fsspec

    fs = fsspec.filesystem(scheme)
    registered = {f for f in con.list_filesystems()} if hasattr(con, "list_filesystems") else set()
    if getattr(fs, "protocol", None) and fs.protocol not in registered:
        try:
            con.register_filesystem(fs)
        except Exception as exc:  # duckdb raises its own types; already-registered is fine
            if "already" not in str(exc).lower():
                raise
    return "/".join([lake_uri.rstrip("/"), table, "*", "*", "*.parquet"])
