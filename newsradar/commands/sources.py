"""``newsradar sources``: validate and list the sources registry (``sources.yaml``).

``check [FILE]`` loads the file with the registry's validation and a few cross-field checks and
prints ``N sources OK``; any problem is one line naming the file, the entry and the field (exit 2).
``list [FILE] [--format table|json]`` prints id, name, languages, time zone, discovery kinds and
whether the source is enabled.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from newsradar.sources import Source, SourcesError, load_sources


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sources",
        help="validate and list the sources registry",
        description="Validate and list the sources registry (sources.yaml).",
    )
    sub = p.add_subparsers(dest="sources_command", metavar="SUBCOMMAND")
    p.set_defaults(func=partial(_usage, p))

    check = sub.add_parser("check", help="validate a sources file; print 'N sources OK' or the error")
    check.add_argument(
        "file", nargs="?", metavar="FILE", help="sources file (default: sources.yaml or $NEWSRADAR_SOURCES)"
    )
    check.set_defaults(func=run_check)

    lst = sub.add_parser("list", help="list the sources of a file")
    lst.add_argument(
        "file", nargs="?", metavar="FILE", help="sources file (default: sources.yaml or $NEWSRADAR_SOURCES)"
    )
    lst.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format (default: table)"
    )
    lst.set_defaults(func=run_list)


def _usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    parser.print_help(sys.stderr)
    return 2


def _path(arg: str | None) -> Path:
    from newsradar.settings import default_sources_file

    return Path(arg) if arg else default_sources_file()


def _host_allowed(host: str, domains: list[str]) -> bool:
    host = host.lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def check_sources(sources: list[Source], filename: str) -> None:
    """Cross-field checks the per-entry model cannot make. Raises ``SourcesError`` naming the
    file, the entry and the field, in the same form as the loader's errors."""
    for i, src in enumerate(sources, start=1):
        where = f"{filename}: entry {i} (id {src.id!r})"
        d = src.discovery
        if not (d.feeds or d.sitemaps or d.listing_pages or d.robots or d.autodiscover):
            raise SourcesError(
                f"{where}: field 'discovery': no way to find articles (no feeds, sitemaps or "
                "listing_pages, and robots and autodiscover are off)"
            )
        homepage_host = urlsplit(src.homepage).hostname or ""
        if src.allowed_domains and not _host_allowed(homepage_host, src.allowed_domains):
            raise SourcesError(
                f"{where}: field 'allowed_domains': the homepage host {homepage_host!r} is not "
                f"among {src.allowed_domains}"
            )
        # The crawl drops requests outside the source's domains (Scrapy's offsite filter), configured
        # feeds and sitemaps included: a feed on another host needs that host in allowed_domains.
        for field, urls in (("feeds", d.feeds), ("sitemaps", d.sitemaps)):
            for j, url in enumerate(urls):
                host = urlsplit(url).hostname or ""
                if not _host_allowed(host, src.domains):
                    raise SourcesError(
                        f"{where}: field 'discovery.{field}.{j}': host {host!r} is outside the "
                        f"source's domains {src.domains}; the crawl would drop it as offsite "
                        "(add it to allowed_domains)"
                    )
        # A pattern that takes the homepage or a listing page for an article is far too broad.
        for field, url in [("homepage", src.homepage)] + [
            (f"discovery.listing_pages.{j}.url", p.url) for j, p in enumerate(d.listing_pages)
        ]:
            if src.is_article_url(url):
                raise SourcesError(
                    f"{where}: field 'article_url': the pattern also matches the {field} {url!r}; "
                    "make it specific to article URLs (or set exclude_url)"
                )
        for j, page in enumerate(d.listing_pages):
            host = urlsplit(page.url).hostname or ""
            if not _host_allowed(host, src.domains):
                raise SourcesError(
                    f"{where}: field 'discovery.listing_pages.{j}.url': host {host!r} is outside "
                    f"the source's domains {src.domains} (add it to allowed_domains)"
                )


def load_checked(path: Path) -> list[Source]:
    sources = load_sources(path)
    check_sources(sources, str(path))
    return sources


def run_check(args: argparse.Namespace) -> int:
    path = _path(args.file)
    sources = load_checked(path)
    enabled = sum(1 for s in sources if s.enabled)
    disabled = len(sources) - enabled
    suffix = f" ({disabled} disabled)" if disabled else ""
    print(f"{len(sources)} sources OK{suffix}")
    return 0


def discovery_kinds(src: Source) -> list[str]:
    d = src.discovery
    kinds = []
    if d.feeds:
        kinds.append(f"feeds:{len(d.feeds)}")
    if d.sitemaps:
        kinds.append(f"sitemaps:{len(d.sitemaps)}")
    if d.listing_pages:
        kinds.append(f"listing_pages:{len(d.listing_pages)}")
    if d.robots:
        kinds.append("robots")
    if d.autodiscover:
        kinds.append("autodiscover")
    return kinds


def source_row(src: Source) -> dict:
    d = src.discovery
    return {
        "id": src.id,
        "name": src.name,
        "homepage": src.homepage,
        "country": src.country,
        "languages": list(src.languages),
        "timezone": src.timezone,
        "discovery_kinds": [k.split(":")[0] for k in discovery_kinds(src)],
        "discovery": {
            "feeds": list(d.feeds),
            "sitemaps": list(d.sitemaps),
            "listing_pages": [p.url for p in d.listing_pages],
            "robots": d.robots,
            "autodiscover": d.autodiscover,
        },
        "enabled": src.enabled,
    }


def _kinds_cell(row: dict) -> str:
    d = row["discovery"]
    counts = {
        "feeds": len(d["feeds"]),
        "sitemaps": len(d["sitemaps"]),
        "listing_pages": len(d["listing_pages"]),
    }
    return " ".join(f"{k}:{counts[k]}" if k in counts else k for k in row["discovery_kinds"])


def format_table(rows: list[dict]) -> str:
    headers = ["ID", "NAME", "LANGUAGES", "TIMEZONE", "DISCOVERY", "ENABLED"]
    cells = [
        [
            r["id"],
            r["name"],
            ",".join(r["languages"]),
            r["timezone"],
            _kinds_cell(r) or "-",
            "yes" if r["enabled"] else "no",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> int:
    path = _path(args.file)
    rows = [source_row(s) for s in load_sources(path)]
    text = json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json" else format_table(rows)
    try:
        print(text)
    except BrokenPipeError:  # `newsradar sources list | head`
        sys.stdout = open(os.devnull, "w")  # silence the flush at interpreter exit
    return 0


__all__ = ["SourcesError", "check_sources", "discovery_kinds", "load_checked", "register"]
