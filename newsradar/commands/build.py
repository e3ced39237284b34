"""Warehouse commands: ``build``, ``trends``, ``query``, ``tables``."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import math
import sys
from typing import Any

from newsradar.errors import UserError
from newsradar.settings import Paths

TREND_FIELDS = [
    "day",
    "topic_id",
    "source_id",
    "matching_articles",
    "total_articles",
    "share",
    "rolling_share_7d",
    "spike_score",
    "is_spike",
]
SPARK = "▁▂▃▄▅▆▇█"
# Statement types `newsradar query` runs; anything else (INSERT, COPY, ATTACH, SET, ...) is refused.
READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("build", help="build the warehouse from the lake and publish it atomically")
    p.add_argument("--full-refresh", action="store_true", help="rebuild every table from the whole lake")
    p.add_argument("--data-dir", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.add_argument(
        "--sources", help="sources file used by the crawl (default: $NEWSRADAR_SOURCES, <data>/sources.yaml)"
    )
    p.add_argument("--topics", help="topics file (default: warehouse/topics.yml)")
    p.add_argument("--gazetteer", help="gazetteer CSV (default: warehouse/seeds/gazetteer.csv)")
    p.add_argument("--quiet", action="store_true", help="no progress per model")
    p.set_defaults(func=cmd_build)

    p = subparsers.add_parser("trends", help="a topic's share of coverage per day, rolling mean and spikes")
    p.add_argument("topic", metavar="TOPIC", help="topic id (see `newsradar query 'select * from topics'`)")
    p.add_argument("--days", type=_positive_int, default=30, help="last N days with data (default 30)")
    p.add_argument("--by", choices=["source"], help="one series per outlet")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--data-dir", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.set_defaults(func=cmd_trends)

    p = subparsers.add_parser("query", help="run a read-only SQL query on the warehouse")
    p.add_argument("sql", metavar="SQL")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--limit", type=_positive_int, default=1000, help="rows printed at most (default 1000)")
    p.add_argument("--data-dir", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.set_defaults(func=cmd_query)

    p = subparsers.add_parser("tables", help="the warehouse table reference (from the dbt docs)")
    p.add_argument("table", nargs="?", help="show the columns of this table")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--data-dir", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.set_defaults(func=cmd_tables)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------------------------------------
# build


def cmd_build(args: argparse.Namespace) -> int:
    from newsradar import warehouse

    paths = Paths.from_env(args.data_dir)
    result = warehouse.build(
        paths,
        full_refresh=args.full_refresh,
        progress=not args.quiet,
        sources_file=args.sources,
        topics_file=args.topics,
        gazetteer_file=args.gazetteer,
    )
    print(
        f"warehouse {result.warehouse_path}: {len(result.models)} models, {len(result.tests)} tests passed "
        f"in {result.seconds:.1f}s"
    )
    return 0


# --------------------------------------------------------------------------------------------------
# output helpers


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _emit(columns: list[str], rows: list[tuple], fmt: str, title: str | None = None) -> None:
    if fmt == "json":
        json.dump(
            [{c: _plain(v) for c, v in zip(columns, r, strict=True)} for r in rows],
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if v is None else _cell(v) for v in r])
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[_cell(v) for v in r])
        Console().print(table)


def sparkline(values: list[float | None]) -> str:
    """A unicode sparkline, scaled from 0 to the largest value."""
    present = [v for v in values if v is not None]
    top = max(present) if present else 0.0
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif top <= 0:
            out.append(SPARK[0])
        else:
            out.append(SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1) + 0.5))])
    return "".join(out)


def _bar(value: float | None, top: float, width: int = 16) -> str:
    if value is None or top <= 0:
        return ""
    eighths = int(round(value / top * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


# --------------------------------------------------------------------------------------------------
# trends


def trend_rows(con, topic: str, days: int, by_source: bool) -> list[dict]:
    """Rows of topic_daily (by source) or topic_daily_all for the last ``days`` days with data."""
    known = [r[0] for r in con.execute("select topic_id from topics order by topic_id").fetchall()]
    if topic not in known:
        hint = ", ".join(known) if known else "none: add topics to warehouse/topics.yml and rebuild"
        raise UserError(f"unknown topic {topic!r} (topics: {hint})")
    table = "topic_daily" if by_source else "topic_daily_all"
    source_col = "source_id" if by_source else "null::varchar as source_id"
    sql = f"""
        select day, topic_id, {source_col}, matching_articles, total_articles, share,
               rolling_share_7d, spike_score, is_spike
        from {table}
        where topic_id = $topic
          and day > (select max(day) from {table} where topic_id = $topic) - cast($days as integer)
        order by {"source_id, " if by_source else ""}day
    """
    rows = con.execute(sql, {"topic": topic, "days": days}).fetchall()
    out = []
    for r in rows:
        d = dict(zip(TREND_FIELDS, r, strict=True))
        if not by_source:
            d.pop("source_id")
        out.append(d)
    return out


def cmd_trends(args: argparse.Namespace) -> int:
    from newsradar.warehouse import connect_readonly

    paths = Paths.from_env(args.data_dir)
    with connect_readonly(paths) as con:
        rows = trend_rows(con, args.topic, args.days, args.by == "source")
        label = con.execute("select label from topics where topic_id = $t", {"t": args.topic}).fetchone()
    by_source = args.by == "source"
    if args.format == "json":
        json.dump(
            [{k: _plain(v) for k, v in r.items()} for r in rows], sys.stdout, ensure_ascii=False, indent=1
        )
        sys.stdout.write("\n")
        return 0
    fields = [f for f in TREND_FIELDS if by_source or f != "source_id"]
    if args.format == "csv":
        _emit(fields, [tuple(r[f] for f in fields) for r in rows], "csv")
        return 0
    print_trend_table(args.topic, (label[0] if label else None) or args.topic, rows, by_source)
    return 0


def print_trend_table(topic: str, label: str, rows: list[dict], by_source: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        console.print(f"no dated articles in the warehouse for topic {topic!r}")
        return
    groups: dict[str | None, list[dict]] = {}
    for r in rows:
        groups.setdefault(r.get("source_id"), []).append(r)
    top = max((r["share"] or 0.0) for r in rows)
    for source, group in groups.items():
        title = (
            f"{label} — share of {'outlet ' + source if source else 'all outlets'}' dated articles per day"
        )
        console.print(f"[bold]{title}[/bold]")
        console.print("  " + sparkline([r["share"] for r in group]) + f"  max {top:.1%}")
        table = Table(show_edge=False, pad_edge=False)
        for col, justify in [
            ("day", "left"),
            ("matching", "right"),
            ("total", "right"),
            ("share", "right"),
            ("7-day", "right"),
            ("spike score", "right"),
            ("", "left"),
        ]:
            table.add_column(col, justify=justify)
        for r in group:
            spike = " [bold red]▲ spike[/bold red]" if r["is_spike"] else ""
            table.add_row(
                r["day"].isoformat(),
                str(r["matching_articles"]),
                str(r["total_articles"]),
                f"{r['share']:.1%}",
                "" if r["rolling_share_7d"] is None else f"{r['rolling_share_7d']:.1%}",
                "" if r["spike_score"] is None else f"{r['spike_score']:.1f}",
                _bar(r["share"], top) + spike,
            )
        console.print(table)
        spikes = [r["day"].isoformat() for r in group if r["is_spike"]]
        console.print(f"  spikes: {', '.join(spikes) if spikes else 'none'}\n")


# --------------------------------------------------------------------------------------------------
# query


def check_read_only(sql: str) -> None:
    """Refuse anything but reads, before execution: the connection is read-only anyway, but COPY ...
    TO, ATTACH or SET would still act outside the warehouse file."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise UserError(f"query: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise UserError("query: no SQL statement given")
    for st in statements:
        kind = str(st.type).rsplit(".", 1)[-1].upper()
        if kind not in READ_STATEMENTS:
            raise UserError(
                f"query: only read statements are allowed (SELECT, EXPLAIN); got {kind}: "
                "the warehouse is rebuilt by `newsradar build`, never edited"
            )


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from newsradar.warehouse import connect_readonly

    check_read_only(args.sql)
    paths = Paths.from_env(args.data_dir)
    with connect_readonly(paths) as con:
        try:
            rel = con.sql(args.sql)
            if rel is None:
                return 0
            columns = list(rel.columns)
            rows = rel.limit(args.limit + 1).fetchall()
        except duckdb.Error as exc:
            raise UserError(f"query: {' '.join(str(exc).split())}") from None
    truncated = len(rows) > args.limit
    rows = rows[: args.limit]
    _emit(columns, rows, args.format)
    if truncated:
        print(f"(first {args.limit} rows; use --limit N for more)", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------------------------------
# tables


def cmd_tables(args: argparse.Namespace) -> int:
    import duckdb

    from newsradar.warehouse import connect_readonly

    paths = Paths.from_env(args.data_dir)
    with connect_readonly(paths) as con:
        try:
            docs = con.execute(
                "select table_name, column_name, data_type, position, description, grain "
                "from _table_docs order by table_name, position"
            ).fetchall()
        except duckdb.CatalogException:
            raise UserError(
                f"{paths.warehouse_path} has no table docs: rebuild it with `newsradar build`"
            ) from None
    tables: dict[str, dict] = {}
    for table, column, dtype, _pos, desc, grain in docs:
        t = tables.setdefault(table, {"table": table, "description": "", "grain": None, "columns": []})
        if column is None:
            t["description"], t["grain"] = desc, grain
        else:
            t["columns"].append({"name": column, "type": dtype, "description": desc})
    if args.table:
        if args.table not in tables:
            raise UserError(f"unknown table {args.table!r} (tables: {', '.join(sorted(tables))})")
        selected = [tables[args.table]]
    else:
        selected = list(tables.values())
    if args.format == "json":
        json.dump(selected, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not args.table:
        table = Table(title=f"Warehouse tables ({paths.warehouse_path})")
        for c in ("table", "grain", "description"):
            table.add_column(c, overflow="fold")
        for t in selected:
            table.add_row(t["table"], t["grain"] or "", " ".join((t["description"] or "").split()))
        console.print(table)
        console.print("`newsradar tables TABLE` lists a table's columns.")
        return 0
    t = selected[0]
    console.print(f"[bold]{t['table']}[/bold]: {' '.join((t['description'] or '').split())}")
    if t["grain"]:
        console.print(f"grain: {t['grain']}")
    table = Table()
    for c in ("column", "type", "description"):
        table.add_column(c, overflow="fold")
    for c in t["columns"]:
        table.add_row(c["name"], c["type"], c["description"])
    console.print(table)
    return 0
