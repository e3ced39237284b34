"""``newsradar extract PATH --url URL``: run the crawl's extractor on one saved page and print the
result as one JSON object (datetimes in ISO 8601 UTC, e.g. ``2025-11-30T06:10:00Z``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsradar.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "extract",
        help="extract one saved HTML page and print the article as JSON",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("path", metavar="PATH", help="saved HTML file ('-' reads standard input)")
    p.add_argument(
        "--url", required=True, help="the page's URL (for the domain, URL dates and relative links)"
    )
    p.add_argument(
        "--source", metavar="ID", help="source id in the sources file (time zone, languages, overrides)"
    )
    p.add_argument(
        "--sources", metavar="FILE", help="sources file (default: sources.yaml or $NEWSRADAR_SOURCES)"
    )
    p.add_argument(
        "--timezone",
        metavar="TZ",
        help="IANA time zone for dates printed without one (overrides the source's)",
    )
    p.add_argument(
        "--content-type", metavar="VALUE", help="HTTP Content-Type header of the response (charset)"
    )
    p.add_argument(
        "--with-body",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include the body text (default: yes)",
    )
    p.set_defaults(func=run)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def iso_utc(value: datetime) -> str:
    """``2025-11-30T06:10:00Z`` (microseconds only when present)."""
    v = value.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if v.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return v.strftime(fmt)


def run(args: argparse.Namespace) -> int:
    from newsradar.settings import default_sources_file
    from newsradar.sources import load_sources, select_sources
    from spiders.extract import extract_article

    if args.path == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(args.path)
        if not path.is_file():
            raise UserError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not args.url.startswith(("http://", "https://")):
        raise UserError(f"--url {args.url!r}: expected an absolute http(s) URL")
    source = None
    if args.source:
        sources_file = Path(args.sources) if args.sources else default_sources_file()
        source = select_sources(load_sources(sources_file), [args.source], include_disabled=True)[0]
    elif args.sources:
        load_sources(args.sources)  # validate it anyway: a bad file should not pass silently
    hints: dict[str, object] = {}
    if args.timezone:
        try:
            hints["timezone"] = ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"--timezone {args.timezone!r}: unknown time zone (use an IANA name such as 'Asia/Baku')"
            ) from None
    headers = {"Content-Type": args.content_type} if args.content_type else None
    record = extract_article(data, args.url, source=source, headers=headers, hints=hints)
    if source is not None:
        record = {"source_id": source.id, **record}
    if not args.with_body:
        record.pop("body", None)
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
    sys.stdout.write("\n")
    return 0
