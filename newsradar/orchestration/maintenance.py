"""Maintenance: compaction of small lake files and retention of raw WARC files.

Both work on URIs through pyarrow filesystems, so they run the same on a local folder and on
``s3://bucket/prefix``.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from pyarrow import fs as pafs

from newsradar.settings import Paths

log = logging.getLogger(__name__)

_PARTITION_RE = re.compile(r"(?:^|/)source=([a-z0-9_]+)/crawl_date=(\d{4}-\d{2}-\d{2})(?:/|$)")
LAKE_TABLES = ("articles", "fetch_log")


def _filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    from newsradar.lake import filesystem

    return filesystem(uri)


def list_partitions(uri: str) -> list[tuple[str, date, str]]:
    """``(source_id, crawl_date, path)`` for every ``source=*/crawl_date=*`` folder under ``uri``."""
    filesystem, root = _filesystem(uri)
    info = filesystem.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        return []
    out = []
    for source_dir in filesystem.get_file_info(pafs.FileSelector(root)):
        if source_dir.type != pafs.FileType.Directory or not source_dir.base_name.startswith("source="):
            continue
        for part in filesystem.get_file_info(pafs.FileSelector(source_dir.path)):
            m = _PARTITION_RE.search(part.path)
            if part.type != pafs.FileType.Directory or not m:
                continue
            try:
                day = date.fromisoformat(m.group(2))
            except ValueError:
                log.warning("skipping %s: not a valid crawl date", part.path)
                continue
            out.append((m.group(1), day, part.path))
    return sorted(out)


def prune_raw(paths: Paths, retention_days: int, *, today: date | None = None, dry_run: bool = False) -> dict:
    """Delete raw WARC partitions whose crawl date is older than ``retention_days`` before ``today``.

    Only ``*.warc.gz`` files inside ``source=<id>/crawl_date=<day>`` folders are removed (then the
    emptied folder); anything else found there is left alone and reported.
    """
    if retention_days < 1:
        raise ValueError("retention_days must be >= 1")
    today = today or date.today()
    cutoff = today - timedelta(days=retention_days)
    filesystem, _ = _filesystem(paths.raw_uri)
    removed_files = 0
    removed_bytes = 0
    partitions = []
    kept_other = []
    for source_id, day, path in list_partitions(paths.raw_uri):
        if day >= cutoff:
            continue
        files = filesystem.get_file_info(pafs.FileSelector(path, recursive=True))
        warcs = [f for f in files if f.type == pafs.FileType.File and f.base_name.endswith(".warc.gz")]
        others = [
            f.path for f in files if f.type == pafs.FileType.File and not f.base_name.endswith(".warc.gz")
        ]
        for f in warcs:
            removed_bytes += f.size or 0
            removed_files += 1
            if not dry_run:
                filesystem.delete_file(f.path)
        if others:
            kept_other.extend(others)
        elif not dry_run:
            filesystem.delete_dir(path)
        partitions.append(f"{source_id}/{day.isoformat()}")
    log.info(
        "raw retention (%d days, cutoff %s): %d file(s), %d bytes in %d partition(s)%s",
        retention_days,
        cutoff,
        removed_files,
        removed_bytes,
        len(partitions),
        " (dry run)" if dry_run else "",
    )
    return {
        "cutoff": cutoff.isoformat(),
        "files": removed_files,
        "bytes": removed_bytes,
        "partitions": partitions,
        "kept_non_warc": kept_other,
        "dry_run": dry_run,
    }


def compact_table(paths: Paths, table: str, source_id: str | None = None) -> dict:
    """Compact small Parquet files of one lake table (all sources, or one) via ``newsradar.lake``."""
    if table not in LAKE_TABLES:
        raise ValueError(f"unknown lake table {table!r} (expected one of {', '.join(LAKE_TABLES)})")
    from newsradar import lake

    compacted = int(lake.compact(paths.lake_uri, table, source_id=source_id))
    log.info("compacted %d partition(s) of %s%s", compacted, table, f" ({source_id})" if source_id else "")
    return {"table": table, "source_id": source_id, "partitions_compacted": compacted}
