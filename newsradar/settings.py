"""Where newsradar keeps its data. Built once per command from arguments and the environment.

No global singleton: callers construct ``Paths`` and pass it down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "data"


@dataclass(frozen=True)
class Paths:
    """Locations of the lake, the raw WARC store and the warehouse.

    ``lake_uri`` and ``raw_uri`` are URIs: a local folder by default, ``s3://bucket/prefix`` in a
    deployment. ``warehouse_path`` is always a local file (DuckDB).
    """

    data_dir: Path
    lake_uri: str
    raw_uri: str
    warehouse_path: Path

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike | None = None) -> Paths:
        base = Path(data_dir or os.environ.get("NEWSRADAR_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
        lake = os.environ.get("NEWSRADAR_LAKE_URI") or str(base / "lake")
        raw = os.environ.get("NEWSRADAR_RAW_URI") or str(base / "raw")
        wh = Path(os.environ.get("NEWSRADAR_WAREHOUSE") or base / "newsradar.duckdb").resolve()
        return cls(data_dir=base, lake_uri=lake, raw_uri=raw, warehouse_path=wh)

    @property
    def articles_uri(self) -> str:
        return join_uri(self.lake_uri, "articles")

    @property
    def fetch_log_uri(self) -> str:
        return join_uri(self.lake_uri, "fetch_log")


def join_uri(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *[p.strip("/") for p in parts]])


def default_sources_file() -> Path:
    return Path(os.environ.get("NEWSRADAR_SOURCES") or "sources.yaml")
