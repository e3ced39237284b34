"""Robustness on real captures (../shared/eval/feeds and ../shared/eval/sitemaps, when present).

Nothing may crash: every file either parses or raises a DiscoveryError, which is counted by kind.
The real feeds and sitemaps must give entries, and the feeds must give dates.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest

from spiders.discovery import DiscoveryError, parse_feed, parse_sitemap, sitemaps_from_robots

EVAL = Path(
    os.environ.get("NEWSRADAR_EVAL_DIR") or Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
)
FEEDS, SITEMAPS = EVAL / "feeds", EVAL / "sitemaps"

pytestmark = pytest.mark.skipif(
    not FEEDS.is_dir() or not SITEMAPS.is_dir(), reason=f"evaluation corpus not found at {EVAL}"
)


def corpus(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "LICENSE")


def run_all(folder: Path, parse) -> tuple[dict[str, object], collections.Counter]:
    results: dict[str, object] = {}
    broken: collections.Counter = collections.Counter()
    for path in corpus(folder):
        rel = str(path.relative_to(folder))
        if path.name == "robots.txt":
            continue
        try:
            results[rel] = parse(path.read_bytes(), f"https://corpus.example/{rel}")
        except DiscoveryError as exc:  # counted, not fatal; anything else fails the test
            results[rel] = exc
            broken[exc.kind] += 1
    return results, broken


def test_real_feeds():
    results, broken = run_all(FEEDS, parse_feed)
    parsed = {k: v for k, v in results.items() if not isinstance(v, DiscoveryError)}
    errors = {k: v for k, v in results.items() if isinstance(v, DiscoveryError)}
    print(f"\nfeeds: {len(results)} files, {len(parsed)} parsed, {len(errors)} DiscoveryError {dict(broken)}")
    for name, err in sorted(errors.items()):
        print(f"  {name}: {err.kind}: {err}")
    # the web pages and OPML lists beside the feeds are refused as not feeds; every real feed parses
    assert {k for k in errors} == {k for k in results if k.startswith("rsparser/html_and_opml/")}
    assert set(broken) == {"not_a_feed"}
    assert len(parsed) >= 38
    entries = sum(len(f) for f in parsed.values())
    dated = sum(1 for f in parsed.values() for e in f if e.published_at is not None)
    print(
        f"  entries {entries}, dated {dated}, recovered feeds: {[k for k, f in parsed.items() if f.recovered]}"
    )
    # two synthetic JSON Feed parser tests have items with ids but no links: skipped and counted
    assert sorted(k for k, f in parsed.items() if not f) == [
        "rsparser/feeds/authors.json",
        "rsparser/feeds/jsonfeed-extension.json",
    ]
    assert parsed["rsparser/feeds/authors.json"].skipped == 4
    assert parsed["rsparser/feeds/jsonfeed-extension.json"].skipped == 3
    for feed in parsed.values():
        assert all(e.url.startswith(("http://", "https://")) for e in feed), name
        assert all(e.published_at is None or e.published_at.utcoffset().total_seconds() == 0 for e in feed)
    # real feeds carry dates: every one that has entries has dated entries
    assert all(any(e.published_at for e in f) for f in parsed.values() if f)
    assert dated / entries > 0.95
    # the Korea Times quirk: "Thu,28 Jul 2022 4:35:5 GMT+9" style dates on every item
    korea = parsed["mediacloud_rss_fetcher/real-korean-times.rss"]
    assert all(e.published_at is not None and not e.tz_assumed for e in korea)
    # the truncated JSON feed keeps the complete items before the cut, flagged as recovered
    assert parsed["rsparser/feeds/allthis-partial.json"].recovered


def test_real_sitemaps():
    results, broken = run_all(SITEMAPS, parse_sitemap)
    errors = {k: v for k, v in results.items() if isinstance(v, DiscoveryError)}
    print(f"\nsitemaps: {len(results)} files, {len(results) - len(errors)} parsed, {dict(broken)}")
    for name, err in sorted(errors.items()):
        print(f"  {name}: {err.kind}: {err}")
    assert list(errors) == ["advertools/error_sitemap.xml"] and broken == {"parse_error": 1}
    ok = {k: v for k, v in results.items() if k not in errors}
    assert all(len(s) > 0 for s in ok.values())
    assert ok["advertools/sitemap_index.xml"].kind == "index"
    assert ok["trafilatura/sitemap2.xml"].kind == "index"  # CDATA in <loc>
    assert "http://www.example.com/sitemap2.xml.gz" in [e.loc for e in ok["trafilatura/sitemap2.xml"]]
    # gzipped and plain copies agree; a .gz name on plain XML still parses
    assert ok["trafilatura/sitemap.xml.gz"].entries == ok["trafilatura/sitemap.xml"].entries
    assert ok["advertools/regular_sitemap.xml.gz"].entries == ok["advertools/regular_sitemap.xml"].entries
    news = ok["advertools/news_sitemap.xml"]
    assert all(e.published_at and e.title and e.language == "en" for e in news)
    assert all(not e.loc.endswith(" ") for e in news)


def test_real_robots():
    robots = SITEMAPS / "advertools" / "robots.txt"
    if robots.exists():
        assert sitemaps_from_robots(robots.read_text(), "https://advertools.readthedocs.io/robots.txt") == [
            "https://advertools.readthedocs.io/sitemap.xml"
        ]
