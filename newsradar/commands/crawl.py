"""``newsradar crawl``: crawl sources into the lake, with a live progress display and a summary."""

from __future__ import annotations

import argparse
from datetime import date

from newsradar.errors import UserError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r} (expected YYYY-MM-DD)") from None


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "crawl",
        help="crawl news sources into the Parquet lake",
        description="Crawl the selected sources (default: all enabled) into the lake: "
        "articles, fetch log and raw WARC. Sources that fail are counted; the exit code is 0 "
        "unless the input is invalid (2).",
    )
    p.add_argument("--source", action="append", metavar="ID", help="source id to crawl (repeatable)")
    p.add_argument(
        "--since", type=_date, metavar="DATE", help="only entries dated on or after DATE (backfill)"
    )
    p.add_argument("--until", type=_date, metavar="DATE", help="only entries dated on or before DATE")
    p.add_argument("--crawl-date", type=_date, metavar="DATE", help="partition date (default: today, UTC)")
    p.add_argument("--data-dir", metavar="DIR", help="data folder (default: $NEWSRADAR_DATA_DIR or ./data)")
    p.add_argument(
        "--sources", metavar="FILE", help="sources file (default: $NEWSRADAR_SOURCES or sources.yaml)"
    )
    p.add_argument("--no-progress", action="store_true", help="no live progress display")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsradar.crawl import run_crawl
    from newsradar.settings import Paths, default_sources_file
    from newsradar.sources import load_sources, select_sources

    if args.since and args.until and args.since > args.until:
        raise UserError(f"--since {args.since} is after --until {args.until}")
    sources = select_sources(load_sources(args.sources or default_sources_file()), args.source)
    if not sources:
        raise UserError("no enabled sources to crawl")
    paths = Paths.from_env(args.data_dir)
    summary = run_crawl(
        sources,
        paths,
        crawl_date=args.crawl_date,
        since=args.since,
        until=args.until,
        progress=not args.no_progress,
    )
    print_summary(summary)
    return 0


def print_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"crawl {summary.run_id} (crawl date {summary.crawl_date})")
    for col in ("source", "pages fetched", "articles", "not articles", "unchanged", "failures"):
        table.add_column(col, justify="left" if col in ("source", "failures") else "right")
    for s in summary.sources.values():
        fails = ", ".join(f"{k} {v}" for k, v in s.failures.items())
        if s.error:
            fails = (fails + "; " if fails else "") + f"[red]crawl failed: {s.error}[/red]"
        table.add_row(s.source_id, str(s.pages_fetched), str(s.articles), str(s.not_articles), str(s.unchanged),
                      fails or "-")  # fmt: skip
    Console().print(table)
