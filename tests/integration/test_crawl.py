"""End-to-end crawls against localhost fixture sites (each crawl runs in a subprocess: Twisted's
reactor runs once per process). Several scenarios share one crawl where sensible to keep the module
fast; every failure must show up as exactly one fetch-log row with the right outcome."""

from __future__ import annotations

import glob
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fixture_server import Route
from fixtures.sites.sitebuilder import (
    BILLION_LAUGHS_FEED,
    BILLION_LAUGHS_SITEMAP,
    T0,
    article_cp1251,
    article_html,
    gz,
    listing_html,
    news_urlset,
    plain_urlset,
    robots,
    rss,
    sitemap_index,
    xml_route,
)

from newsradar import lake
from newsradar.crawl import crawl_spec, run_crawl_subprocess
from newsradar.settings import Paths
from newsradar.sources import Source

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

CRAWL_DATE = date(2026, 3, 2)
TEST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_TIMES": 1,
    "NEWSRADAR_RETRY_BACKOFF_BASE": 0.1,
    "NEWSRADAR_RETRY_MAX_WAIT": 3.0,
    "NEWSRADAR_EXTRACT_WORKERS": 1,
    "LOG_LEVEL": "WARNING",
}


def make_source(srv, sid: str, **discovery) -> Source:
    limits = discovery.pop("limits", {})
    return Source.model_validate(
        {
            "id": sid,
            "name": sid,
            "homepage": srv.url("/"),
            "languages": ["en", "ru"],
            "timezone": "UTC",
            "article_url": r"/(news|ru)/\d{4}/",
            "discovery": {"robots": False, "autodiscover": False, **discovery},
            "limits": {"download_delay": 0, "download_timeout": 1.5, "concurrency": 8,
                       "max_response_bytes": 256 * 1024, **limits},
        }
    )  # fmt: skip


def crawl(tmp_path, sources, **kw):
    paths = Paths.from_env(tmp_path / "data")
    summary = run_crawl_subprocess(
        sources, paths, crawl_date=kw.pop("crawl_date", CRAWL_DATE), settings=TEST_SETTINGS, timeout=90, **kw
    )
    return paths, summary


def fetch_log(paths, sid, run_id=None) -> list[dict]:
    rows = lake.read_table(paths.lake_uri, "fetch_log", sid).to_pylist()
    return [r for r in rows if run_id is None or r["run_id"] == run_id]


def articles(paths, sid) -> list[dict]:
    return lake.read_table(paths.lake_uri, "articles", sid).to_pylist()


def outcome_of(rows, url) -> list[str]:
    return [r["outcome"] for r in rows if r["url"] == url]


def assert_one_row_per_url(rows):
    urls = [r["url"] for r in rows]
    dupes = {u for u in urls if urls.count(u) > 1}
    assert not dupes, f"URLs with more than one fetch-log row: {dupes}"


def art_path(n: int, day: str = "2026/03/01") -> str:
    return f"/news/{day}/story-{n}"


def site_with_articles(srv, ns: list[int]) -> None:
    for n in ns:
        p = art_path(n)
        srv.routes[p] = Route(body=article_html(srv.base, p, n))


# ---- discovery ---------------------------------------------------------------------------------


def test_feed_and_listing_and_alternate_discovery(tmp_path, fixture_server):
    """Feeds (RSS, one served as text/html), listing pagination by ?page=N and by a next link,
    and <link rel=alternate> auto-discovery, three sources crawled concurrently."""
    feed_srv = fixture_server(host="127.0.0.2")
    site_with_articles(feed_srv, range(1, 6))
    entries = [(feed_srv.url(art_path(n)), T0 - timedelta(hours=n)) for n in range(1, 6)]
    feed_srv.routes["/feed.xml"] = xml_route(rss(feed_srv.base, entries[:3]), "application/rss+xml")
    feed_srv.routes["/wrong-type.xml"] = xml_route(
        rss(feed_srv.base, entries[3:]), "text/html; charset=utf-8"
    )
    feed_src = make_source(
        feed_srv, "feeds", feeds=[feed_srv.url("/feed.xml"), feed_srv.url("/wrong-type.xml")]
    )

    list_srv = fixture_server(host="127.0.0.3")
    site_with_articles(list_srv, range(1, 9))
    list_srv.routes["/news/"] = Route(body=listing_html("News", [art_path(1), art_path(2), "/about"]))
    list_srv.routes["/news/?page=2"] = Route(body=listing_html("News 2", [art_path(3), art_path(4)]))
    list_srv.routes["/news/?page=3"] = Route(body=listing_html("News 3", [art_path(5)]))
    list_srv.routes["/news/?page=4"] = Route(body=listing_html("News 4", [art_path(6)]))  # beyond max_pages
    list_srv.routes["/world/"] = Route(body=listing_html("World", [art_path(7)], next_href="/world/older"))
    list_srv.routes["/world/older"] = Route(body=listing_html("World older", [art_path(8)]))
    list_src = make_source(
        list_srv,
        "listing",
        listing_pages=[
            {"url": list_srv.url("/news/"), "pagination": {"param": "page", "max_pages": 3}},
            {"url": list_srv.url("/world/"), "pagination": {"next_selector": "a.next", "max_pages": 5}},
        ],
    )

    alt_srv = fixture_server(host="127.0.0.4")
    site_with_articles(alt_srv, range(1, 3))
    alt = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss">'
    alt_srv.routes["/"] = Route(body=listing_html("Home", [], alternate=alt))
    alt_srv.routes["/rss"] = xml_route(
        rss(alt_srv.base, [(alt_srv.url(art_path(n)), T0) for n in (1, 2)]), "application/rss+xml"
    )
    alt_src = make_source(alt_srv, "alternate", autodiscover=True, robots=True)  # no robots.txt: 404

    cap_srv = fixture_server(host="127.0.0.11")  # limits.max_pages stops the source early
    site_with_articles(cap_srv, range(1, 13))
    for n in range(1, 13):
        cap_srv.routes[art_path(n)].delay = 0.2
    cap_srv.routes["/feed.xml"] = xml_route(
        rss(cap_srv.base, [(cap_srv.url(art_path(n)), T0) for n in range(1, 13)])
    )
    cap_src = make_source(
        cap_srv, "capped", feeds=[cap_srv.url("/feed.xml")], limits={"max_pages": 4, "concurrency": 1}
    )

    paths, summary = crawl(tmp_path, [feed_src, list_src, alt_src, cap_src])

    s = summary.sources
    assert s["capped"].pages_fetched == 4 and s["capped"].articles == 3, s["capped"]  # the feed + 3 articles
    assert len([p for p in cap_srv.paths() if p.startswith("/news/")]) == 3
    assert s["feeds"].articles == 5, s["feeds"]
    assert s["listing"].articles == 7, s["listing"]  # story 6 is on page 4 > max_pages
    assert s["alternate"].articles == 2, s["alternate"]
    assert "/news/?page=4" not in list_srv.paths()
    assert sorted(a["url"] for a in articles(paths, "listing")) == sorted(
        list_srv.url(art_path(n)) for n in (1, 2, 3, 4, 5, 7, 8)
    )
    for sid in ("feeds", "listing", "alternate"):
        rows = fetch_log(paths, sid)
        assert_one_row_per_url(rows)
        assert {r["outcome"] for r in rows} <= {"article", "not_article"}, rows
        assert summary.sources[sid].failures == {}
    assert outcome_of(fetch_log(paths, "alternate"), alt_srv.url("/robots.txt")) == ["not_article"]
    feed_rows = fetch_log(paths, "feeds")
    assert outcome_of(feed_rows, feed_srv.url("/wrong-type.xml")) == ["not_article"]
    a = articles(paths, "feeds")[0]
    assert a["title"].startswith("Harbour story number") and a["body"] and a["published_at"] is not None
    assert a["article_id"] and len(a["article_id"]) == 32 and a["run_id"] == summary.run_id
    # raw responses are kept in a WARC next to the lake
    warcs = glob.glob(str(Path(paths.raw_uri) / "source=feeds" / "crawl_date=2026-03-02" / "*.warc.gz"))
    assert [Path(w).name for w in warcs] == [f"{summary.run_id}.warc.gz"]
    with gzip.open(warcs[0]) as fh:
        assert fh.read().count(b"WARC-Type: response") >= 7


# ---- sitemaps, robots.txt and every kind of failure, in one crawl of two sources -------------------


def test_sitemaps_robots_and_failures(tmp_path, fixture_server):
    sm = fixture_server(host="127.0.0.5")
    site_with_articles(sm, range(1, 7))
    private = "/news/2026/03/01/private-briefing"
    sm.routes[private] = Route(body=article_html(sm.base, private, 99))
    sm.routes["/robots.txt"] = robots(
        [
            "User-agent: *",
            "Disallow: /news/2026/03/01/private",
            f"Sitemap: {sm.url('/sitemap_index.xml')}",
            f"Sitemap: {sm.url('/broken-sitemap.xml')}",
            f"Sitemap: {sm.url('/bomb-sitemap.xml')}",
        ]
    )
    sm.routes["/sitemap_index.xml"] = xml_route(
        sitemap_index([(sm.url("/sitemap-news.xml"), T0), (sm.url("/sitemap-archive.xml.gz"), None)])
    )
    news = [(sm.url(art_path(n)), T0 - timedelta(hours=n), T0) for n in range(1, 5)]
    news.append((sm.url(private), T0, T0))
    sm.routes["/sitemap-news.xml"] = xml_route(news_urlset(news))
    sm.routes["/sitemap-archive.xml.gz"] = Route(
        body=gz(
            plain_urlset([sm.url(art_path(5)), sm.url(art_path(6)), "https://elsewhere.example/news/2026/x"])
        ),
        content_type="application/x-gzip",
    )
    sm.routes["/broken-sitemap.xml"] = xml_route("<urlset><url><loc>http://oops</url>", "application/xml")
    sm.routes["/bomb-sitemap.xml"] = xml_route(BILLION_LAUGHS_SITEMAP)
    sm_src = make_source(sm, "sitemaps", robots=True)

    fl = fixture_server(host="127.0.0.6")
    site_with_articles(fl, [1, 2])

    def p(name: str, prefix: str = "news") -> str:
        return f"/{prefix}/2026/03/01/{name}"

    fl.routes[p("busy")] = Route(body=article_html(fl.base, p("busy"), 3), statuses=[429, 200],
                                 headers={"Retry-After": "1"})  # fmt: skip
    fl.routes[p("broken")] = Route(body="<h1>Internal error</h1>", status=500)
    fl.routes[p("forbidden")] = Route(body="<h1>Forbidden</h1>", status=403)
    fl.routes[p("loop-a")] = Route(status=302, redirect=p("loop-b"))
    fl.routes[p("loop-b")] = Route(status=302, redirect=p("loop-a"))
    fl.routes[p("slow")] = Route(body=article_html(fl.base, p("slow"), 4), delay=4.0)
    fl.routes[p("huge")] = Route(body=article_html(fl.base, p("huge"), 5) + "<!--" + "x" * 300_000 + "-->")
    fl.routes[p("bomb")] = Route(raw_gzip=gzip.compress(b"\0" * (20 * 1024 * 1024)))
    fl.routes[p("pogoda", "ru")] = Route(
        body=article_cp1251(7), content_type="text/html; charset=windows-1251"
    )
    fl.routes[p("about-us")] = Route(
        body="<html><head><title>About</title></head><body><p>Contact</p></body></html>"
    )
    names = ["story-1", "story-2", "busy", "missing", "broken", "forbidden", "loop-a", "slow", "huge", "bomb",
             "about-us"]  # fmt: skip
    entries = [(fl.url(p(n)), T0) for n in names] + [(fl.url(p("pogoda", "ru")), T0)]
    fl.routes["/feed.xml"] = xml_route(rss(fl.base, entries), "application/rss+xml")
    fl.routes["/bomb-feed.xml"] = xml_route(BILLION_LAUGHS_FEED, "application/rss+xml")
    fl_src = make_source(fl, "failures", feeds=[fl.url("/bomb-feed.xml"), fl.url("/feed.xml")])

    paths, summary = crawl(tmp_path, [sm_src, fl_src])

    # -- sitemaps: robots.txt Sitemap lines, index, gzip child, news sitemap, robots disallow
    rows = fetch_log(paths, "sitemaps")
    assert_one_row_per_url(rows)
    got = {r["url"]: r["outcome"] for r in rows}
    assert got[sm.url("/robots.txt")] == "not_article"
    assert got[sm.url("/sitemap_index.xml")] == "not_article"
    assert got[sm.url("/sitemap-archive.xml.gz")] == "not_article"
    assert got[sm.url("/broken-sitemap.xml")] == "parse_error"
    assert got[sm.url("/bomb-sitemap.xml")] == "xml_bomb"
    assert got[sm.url(private)] == "robots_denied"
    assert got["https://elsewhere.example/news/2026/x"] == "offsite"
    assert private not in sm.paths()
    assert sorted(a["url"] for a in articles(paths, "sitemaps")) == sorted(
        sm.url(art_path(n)) for n in range(1, 7)
    )
    by_url = {a["url"]: a for a in articles(paths, "sitemaps")}
    assert by_url[sm.url(art_path(1))]["published_at"] == T0 - timedelta(hours=1)

    # -- failures: each one exactly one row with the right outcome, the rest of the run unaffected
    rows = fetch_log(paths, "failures")
    assert_one_row_per_url(rows)
    got = {r["url"]: r for r in rows}
    expected = {
        p("story-1"): "article",
        p("story-2"): "article",
        p("busy"): "article",
        p("missing"): "http_404",
        p("broken"): "http_5xx",
        p("forbidden"): "http_4xx",
        p("loop-a"): "redirect_loop",
        p("slow"): "timeout",
        p("huge"): "too_large",
        p("bomb"): "decompression_bomb",
        p("about-us"): "not_article",
        p("pogoda", "ru"): "article",
        "/feed.xml": "not_article",
        "/bomb-feed.xml": "xml_bomb",
    }
    assert {u.removeprefix(fl.base): r["outcome"] for u, r in got.items()} == expected
    assert got[fl.url(p("missing"))]["http_status"] == 404
    assert got[fl.url(p("broken"))]["http_status"] == 500
    # 429 with Retry-After: 1 was retried after about a second, then succeeded
    busy = [r for r in fl.requests if r.path == p("busy")]
    assert [r.status for r in busy] == [429, 200]
    assert busy[1].time - busy[0].time >= 0.9
    # 500 was retried (RETRY_TIMES = 1) and then given up
    assert [r.status for r in fl.requests if r.path == p("broken")] == [500, 500]
    ru = [a for a in articles(paths, "failures") if "/ru/" in a["url"]][0]
    assert ru["title"].startswith("Мирные переговоры") and "Переговоры о мире" in ru["body"]
    assert ru["language"] == "ru"
    s = summary.sources["failures"]
    assert s.articles == 4 and s.not_articles == 2
    assert s.failures == {"decompression_bomb": 1, "http_404": 1, "http_4xx": 1, "http_5xx": 1,
                          "redirect_loop": 1, "timeout": 1, "too_large": 1, "xml_bomb": 1}  # fmt: skip


# ---- incremental and idempotent re-runs ----------------------------------------------------------


def test_incremental_rerun_fetches_only_new_or_changed_and_is_idempotent(tmp_path, fixture_server):
    from datetime import UTC, datetime

    srv = fixture_server(host="127.0.0.7")
    site_with_articles(srv, range(1, 5))
    old, future = "/news/2026/01/01/old-story", "/news/2026/04/01/future-story"
    srv.routes[old] = Route(body=article_html(srv.base, old, 20, published=T0 - timedelta(days=60)))
    srv.routes[future] = Route(body=article_html(srv.base, future, 21, published=T0 + timedelta(days=30)))

    def publish(entries):
        srv.routes["/sitemap.xml"] = xml_route(news_urlset(entries))

    base_entries = [(srv.url(art_path(n)), T0 - timedelta(hours=n), T0) for n in (1, 2, 3)]
    windowed = [
        (srv.url(old), T0 - timedelta(days=60), T0 - timedelta(days=60)),
        (srv.url(future), T0 + timedelta(days=30), T0 + timedelta(days=30)),
    ]
    publish(base_entries + windowed)
    srv.routes["/news/"] = Route(body=listing_html("News", [art_path(1)]))
    src = make_source(
        srv,
        "incr",
        sitemaps=[srv.url("/sitemap.xml")],
        listing_pages=[{"url": srv.url("/news/"), "pagination": {"param": "page", "max_pages": 3}}],
    )

    # 1: a backfill window: entries dated outside [since, until] are not fetched
    paths, s1 = crawl(tmp_path, [src], since=date(2026, 2, 1), until=date(2026, 3, 31))
    assert s1.sources["incr"].articles == 3
    assert old not in srv.paths() and future not in srv.paths()

    # 2: a new article, a changed one (lastmod after our fetch), and no window any more
    srv.clear_log()
    changed = art_path(2)
    srv.routes[changed] = Route(body=article_html(srv.base, changed, 2, title="Harbour story two, updated"))
    bumped = datetime.now(UTC)
    publish(
        [base_entries[0], (srv.url(changed), T0, bumped), base_entries[2]]
        + windowed
        + [(srv.url(art_path(4)), T0, T0)]
    )
    paths, s2 = crawl(tmp_path, [src])
    fetched = {p for p in srv.paths() if p.startswith("/news/20")}
    assert fetched == {changed, art_path(4), old, future}
    assert "/news/?page=2" not in srv.paths()  # page 1 had nothing new: pagination stops
    rows = fetch_log(paths, "incr", s2.run_id)
    assert_one_row_per_url(rows)
    assert sorted(r["url"] for r in rows if r["outcome"] == "unchanged") == sorted(
        srv.url(art_path(n)) for n in (1, 3)
    )
    arts = articles(paths, "incr")
    assert len(arts) == 6 and len({a["article_id"] for a in arts}) == 6
    assert [a["title"] for a in arts if a["url"] == srv.url(changed)] == ["Harbour story two, updated"]

    # 3: nothing changed: nothing fetched, the lake is the same (idempotent), one file per partition
    srv.clear_log()
    paths, s3 = crawl(tmp_path, [src])
    assert not [p for p in srv.paths() if p.startswith("/news/20")]
    assert s3.sources["incr"].unchanged == 6 and s3.sources["incr"].articles == 0
    again = articles(paths, "incr")
    key = "article_id"
    assert sorted((a[key], a["fetched_at"]) for a in again) == sorted((a[key], a["fetched_at"]) for a in arts)
    part = Path(paths.lake_uri) / "articles" / "source=incr" / f"crawl_date={CRAWL_DATE}"
    assert [f.name for f in part.iterdir()] == [f"{s2.run_id}.parquet"]


# ---- kill -9 mid-run -----------------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _visible_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("_"))


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc")
def test_kill_9_mid_run_then_rerun(tmp_path, fixture_server):
    srv = fixture_server(host="127.0.0.8")
    site_with_articles(srv, range(1, 21))
    first = [(srv.url(art_path(n)), T0, T0) for n in range(1, 6)]
    srv.routes["/sitemap.xml"] = xml_route(news_urlset(first))
    src = make_source(srv, "killed", sitemaps=[srv.url("/sitemap.xml")], limits={"concurrency": 2})
    paths, s1 = crawl(tmp_path, [src])
    assert s1.sources["killed"].articles == 5
    before = sorted(a["article_id"] for a in articles(paths, "killed"))

    # a second run of the same partition, slow enough to be killed in the middle
    allofthem = [(srv.url(art_path(n)), T0, T0) for n in range(1, 21)]
    srv.routes["/sitemap.xml"] = xml_route(news_urlset(allofthem))
    for n in range(6, 21):
        srv.routes[art_path(n)].delay = 0.5
    spec = tmp_path / "spec.json"

    settings = {**TEST_SETTINGS, "NEWSRADAR_LAKE_ROW_GROUP_SIZE": 2}  # flush often: a partial file exists
    spec.write_text(json.dumps(crawl_spec([src], paths, crawl_date=CRAWL_DATE, settings=settings)))
    srv.clear_log()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsradar.crawl", str(spec), str(tmp_path / "result.json")]
    )
    try:
        deadline = time.monotonic() + 60
        part = Path(paths.lake_uri) / "articles" / "source=killed" / f"crawl_date={CRAWL_DATE}"
        while not list(part.glob("_tmp-*")):  # kill it while it is writing articles
            assert proc.poll() is None, "crawl ended before it could be killed"
            assert time.monotonic() < deadline, "crawl did not start fetching articles"
            time.sleep(0.05)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # no partial file is visible, every visible parquet file is readable, nothing of run 1 is lost
    lake_root = Path(paths.lake_uri)
    assert [f.name for f in part.glob("_tmp-*")], "expected the killed run's hidden partial file"
    assert len([p for p in srv.paths() if p.startswith("/news/")]) < 15, "the crawl was nearly done"
    for f in _visible_files(lake_root):
        assert f.suffix == ".parquet", f
        pq.read_table(f)
    assert sorted(a["article_id"] for a in articles(paths, "killed")) == before
    assert not (tmp_path / "result.json").exists()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "extraction workers outlived the killed crawl"

    # the re-run completes the partition: all articles, each once; stale temporary files are gone
    for n in range(6, 21):
        srv.routes[art_path(n)].delay = 0
    paths, s3 = crawl(tmp_path, [src])
    arts = articles(paths, "killed")
    assert len(arts) == 20 and len({a["article_id"] for a in arts}) == 20
    for table in ("articles", "fetch_log"):
        part = lake_root / table / "source=killed" / f"crawl_date={CRAWL_DATE}"
        assert [f.name for f in part.iterdir()] == [f"{s3.run_id}.parquet"]
    raw = Path(paths.raw_uri) / "source=killed" / f"crawl_date={CRAWL_DATE}"
    assert sorted(f.name for f in raw.iterdir()) == sorted([f"{s1.run_id}.warc.gz", f"{s3.run_id}.warc.gz"])


# ---- the command line ----------------------------------------------------------------------------


def test_cli_crawl_counts_a_dead_source_and_exits_0(tmp_path, fixture_server):
    import yaml

    srv = fixture_server(host="127.0.0.9")
    site_with_articles(srv, [1, 2])
    srv.routes["/feed.xml"] = xml_route(rss(srv.base, [(srv.url(art_path(n)), T0) for n in (1, 2)]))
    dead = fixture_server(host="127.0.0.10")
    dead_url = dead.url("/feed.xml")
    dead.stop()  # nothing listens there any more: connection refused
    good = make_source(srv, "good", feeds=[srv.url("/feed.xml")]).model_dump(mode="json")
    bad = {**good, "id": "dead", "homepage": dead_url.rsplit("/", 1)[0] + "/",
           "discovery": {**good["discovery"], "feeds": [dead_url]}}  # fmt: skip
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [good, bad]}))
    cmd = [sys.executable, "-m", "newsradar.cli", "crawl", "--sources", str(sources), "--data-dir",
           str(tmp_path / "data"), "--crawl-date", "2026-03-02", "--no-progress"]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90, env=env)
    assert out.returncode == 0, out.stderr
    assert "good" in out.stdout and "dead" in out.stdout and "connection" in out.stdout
    paths = Paths.from_env(tmp_path / "data")
    assert len(articles(paths, "good")) == 2
    rows = fetch_log(paths, "dead")
    assert outcome_of(rows, dead_url) == ["connection"]

    bad_input = subprocess.run(cmd + ["--source", "nope"], capture_output=True, text=True, timeout=60)
    assert bad_input.returncode == 2
    assert "unknown source id(s): nope" in bad_input.stderr
