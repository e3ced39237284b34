"""The demo newsroom's localhost servers: robots.txt, feeds, sitemaps, listings, 404, sources."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
from xml.etree import ElementTree as ET

import feedparser
import pytest

from newsradar.demo import DemoNewsroom
from newsradar.sources import load_sources

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def get(url: str, method: str = "GET") -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def demo():
    with DemoNewsroom(seed=11, days=5, per_day=4, host_base=40) as d:
        yield d


@pytest.fixture(scope="module")
def manifest(demo):
    return demo.manifest


def arts(manifest, outlet):
    return [a for a in manifest["pages"] if a["is_article"] and a["outlet"] == outlet]


def test_each_outlet_on_its_own_loopback_address(demo):
    hosts = [s.base.split("//")[1].split(":")[0] for s in demo.sites.values()]
    assert hosts == [f"127.0.0.{41 + i}" for i in range(5)]


def test_robots_one_disallow_rule_and_sitemap_lines(demo, manifest):
    for o in manifest["outlets"]:
        base = demo.base_url(o["id"])
        status, headers, body = get(base + "/robots.txt")
        text = body.decode()
        assert status == 200 and text.count("Disallow:") == 1
        rp = urllib.robotparser.RobotFileParser()
        rp.parse(text.splitlines())
        assert not rp.can_fetch("newsradar", o["disallowed_urls"][0])
        assert all(rp.can_fetch("newsradar", a["url"]) for a in arts(manifest, o["id"]))
        # the disallowed page exists (a crawler ignoring robots.txt would get it)
        assert get(o["disallowed_urls"][0])[0] == 200
    steppe = get(demo.base_url("steppe_wire") + "/robots.txt")[2].decode()
    assert f"Sitemap: {demo.base_url('steppe_wire')}/sitemap-steppe.xml" in steppe


def test_disallowed_hits_are_counted(demo, manifest):
    # a fresh server so the count is ours alone
    with DemoNewsroom(seed=11, days=2, per_day=2, host_base=60) as d:
        m = d.manifest
        assert d.disallowed_hits() == {}
        url = m["outlets"][1]["disallowed_urls"][0]
        get(url)
        assert list(d.disallowed_hits().values()) == [1]


def test_rss_feed(demo, manifest):
    status, headers, body = get(demo.base_url("harbor_herald") + "/feeds/all.rss")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo
    urls = {e.link for e in feed.entries}
    assert {a["url"] for a in arts(manifest, "harbor_herald")} <= urls
    entry = next(e for e in feed.entries if e.link == arts(manifest, "harbor_herald")[0]["url"])
    truth = arts(manifest, "harbor_herald")[0]["published_at"]
    assert f"{entry.published_parsed.tm_hour:02d}:{entry.published_parsed.tm_min:02d}" == truth[11:16]


def test_atom_feed(demo, manifest):
    status, headers, body = get(demo.base_url("nevsky_vestnik") + "/atom.xml")
    feed = feedparser.parse(body)
    assert status == 200 and not feed.bozo and feed.feed.title == "Невский вестник"
    assert {a["url"] for a in arts(manifest, "nevsky_vestnik")} <= {e.link for e in feed.entries}


def test_json_feed_autodiscovered_from_homepage(demo, manifest):
    base = demo.base_url("steppe_wire")
    home = get(base + "/")[2].decode()
    assert '<link rel="alternate" type="application/feed+json"' in home
    feed = json.loads(get(base + "/feed.json")[2])
    assert feed["version"].startswith("https://jsonfeed.org/version/1")
    assert {a["url"] for a in arts(manifest, "steppe_wire")} <= {i["url"] for i in feed["items"]}


def test_sitemap_index_of_gzip_news_sitemaps(demo, manifest):
    base = demo.base_url("meridian_post")
    index = ET.fromstring(get(base + "/sitemap_index.xml")[2])
    assert index.tag == f"{SM}sitemapindex"
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs and all(loc.endswith(".xml.gz") for loc in locs)
    found = set()
    for loc in locs:
        status, headers, body = get(loc)
        assert status == 200 and body[:2] == b"\x1f\x8b"
        urlset = ET.fromstring(gzip.decompress(body))
        assert urlset.find(".//{http://www.google.com/schemas/sitemap-news/0.9}publication_date") is not None
        found |= {e.text for e in urlset.iter(f"{SM}loc")}
    assert {a["url"] for a in arts(manifest, "meridian_post")} <= found


def test_caliber_sitemap_and_paginated_listings(demo, manifest):
    src = next(s for s in demo.sources if s.id == "baku_chronicle")
    urlset = ET.fromstring(get(src.discovery.sitemaps[0])[2])
    assert {a["url"] for a in arts(manifest, "baku_chronicle")} <= {e.text for e in urlset.iter(f"{SM}loc")}
    seen = set()
    base = demo.base_url("baku_chronicle")
    for listing in src.discovery.listing_pages:
        page = 1
        while True:
            status, _, body = get(f"{listing.url}?page={page}")
            if status == 404:
                break
            html = body.decode()
            seen |= {base + h for h in re.findall(r'href="(/(?:en/)?post/[^"]+)"', html)}
            page += 1
        assert page - 1 <= listing.pagination.max_pages
    assert {a["url"] for a in arts(manifest, "baku_chronicle")} <= seen


def test_article_pages_and_charsets(demo, manifest):
    for o in manifest["outlets"]:
        a = arts(manifest, o["id"])[0]
        status, headers, body = get(a["url"])
        assert status == 200
        html = body.decode("utf-8")
        assert (
            a["key_sentences"][0].replace("\u201c", "&ldquo;")[:20] in html
            or a["key_sentences"][0][:20] in html
        )
    # the Russian outlet leaves the charset to <meta charset>
    _, headers, body = get(arts(manifest, "nevsky_vestnik")[0]["url"])
    assert headers["Content-Type"] == "text/html" and b'<meta charset="utf-8">' in body


def test_unknown_paths_404_and_head(demo):
    base = demo.base_url("meridian_post")
    assert get(base + "/no/such/page")[0] == 404
    assert get(base + "/sitemaps/news-1999-01.xml.gz")[0] == 404
    assert get(demo.base_url("baku_chronicle") + "/en/category/politics?page=999")[0] == 404
    status, headers, body = get(base + "/robots.txt", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_sources_validate_and_round_trip(demo, tmp_path):
    path = demo.write_sources_yaml(tmp_path / "sources.yaml")
    loaded = load_sources(path)
    assert [s.id for s in loaded] == [s.id for s in demo.sources]
    from newsradar.commands.sources import check_sources

    check_sources(loaded, str(path))  # the cross-field checks of 'newsradar sources check'
    cal = next(s for s in loaded if s.id == "baku_chronicle")
    assert (
        cal.overrides.section and cal.overrides.views and cal.overrides.date_formats and cal.overrides.strip
    )
    steppe = next(s for s in loaded if s.id == "steppe_wire")
    assert not steppe.discovery.feeds and not steppe.discovery.sitemaps and steppe.discovery.autodiscover
    m = demo.manifest
    for a in m["pages"]:
        src = next(s for s in loaded if s.id == a["outlet"])
        if a["is_article"]:
            assert src.is_article_url(a["url"]), a["url"]
    for o in m["outlets"]:
        src = next(s for s in loaded if s.id == o["id"])
        assert src.is_article_url(o["disallowed_urls"][0])  # only robots.txt keeps it out


def test_port_in_use_is_a_user_error():
    from newsradar.errors import UserError

    with DemoNewsroom(seed=1, days=1, per_day=1, host_base=70) as d:
        port = int(d.base_url("baku_chronicle").rsplit(":", 1)[1])
        with pytest.raises(UserError, match="cannot serve"):
            DemoNewsroom(seed=1, days=1, per_day=1, host_base=70, port=port).start()


def test_rerun_keeps_ports_from_previous_sources_yaml(tmp_path):
    from newsradar.demo.server import ports_from_sources_yaml

    with DemoNewsroom(seed=1, days=1, per_day=1, host_base=80) as first:
        first.write_sources_yaml(tmp_path / "sources.yaml")
        urls = [s.homepage for s in first.sources]
    ports = ports_from_sources_yaml(tmp_path / "sources.yaml")
    assert len(ports) == 5
    with DemoNewsroom(seed=1, days=1, per_day=1, host_base=80, preferred_ports=ports) as second:
        assert [s.homepage for s in second.sources] == urls and not second.moved_ports
        # a taken port falls back to an ephemeral one, and says so
        busy = {oid: int(s.base.rsplit(":", 1)[1]) for oid, s in second.sites.items()}
        with DemoNewsroom(seed=1, days=1, per_day=1, host_base=80, preferred_ports=busy) as third:
            assert set(third.moved_ports) == set(busy)
    assert ports_from_sources_yaml(tmp_path / "missing.yaml") == {}
    (tmp_path / "bad.yaml").write_text("sources: [1, 2")
    assert ports_from_sources_yaml(tmp_path / "bad.yaml") == {}
