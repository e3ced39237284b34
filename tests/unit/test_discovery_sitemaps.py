"""Sitemaps and robots.txt: urlset, index, gzip by magic bytes, news sitemaps, extensions, CDATA,
malformed input (recovered or refused) and the two bombs."""

from __future__ import annotations

import gzip
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spiders.discovery import DiscoveryError, gunzip_capped, parse_sitemap, sitemaps_from_robots

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sitemaps"
SITE = "https://caliber.example.az/sitemap.xml"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_urlset_with_extensions_cdata_whitespace_and_bad_locs():
    sm = parse_sitemap(load("urlset.xml"), SITE)
    assert sm.kind == "urlset" and not sm.recovered
    assert [e.loc for e in sm] == [
        "https://caliber.example.az/en/post/peace-talks-resume-in-abu-dhabi",
        "https://caliber.example.az/post/peregovory-vozobnovilis-123456",  # CDATA with spaces
        "https://caliber.example.az/en/post/baku-hosts-forum?utm=1&ref=sitemap",  # &amp;, newlines
        "https://caliber.example.az/en/post/relative-loc-resolved",
    ]
    first, second, third, _ = sm.entries
    assert first.lastmod == datetime(2025, 11, 30, 6, 10, tzinfo=UTC) and not first.tz_assumed
    # image caption, hreflang links and the video's own title/date are not taken for the page's
    assert first.title is None and second.title is None and second.published_at is None
    assert second.lastmod == datetime(2025, 11, 30, tzinfo=UTC) and second.tz_assumed
    assert third.lastmod == datetime(2025, 11, 30, tzinfo=UTC)
    assert sm.skipped == 2  # ftp:// loc and a <url> without <loc>; the duplicate is dropped silently


def test_sitemap_index():
    sm = parse_sitemap(load("sitemap_index.xml"), "https://news.example.ua/sitemap.xml")
    assert sm.kind == "index"
    assert [e.loc for e in sm] == [
        "https://news.example.ua/sitemap/news.xml",
        "https://news.example.ua/sitemap/2025-11.xml.gz",
        "https://news.example.ua/sitemap/2025-10.xml.gz",
    ]
    assert sm.entries[0].lastmod == datetime(2025, 11, 27, 16, 0, tzinfo=UTC)
    assert sm.entries[2].lastmod is None


def test_gzip_sitemap_by_magic_bytes_and_plain_xml_with_gz_name():
    plain = parse_sitemap(load("urlset.xml"), SITE)
    assert (
        parse_sitemap(load("urlset.xml.gz"), "https://caliber.example.az/sitemap.xml.gz").entries
        == plain.entries
    )
    # gzip served under a name without .gz, and plain XML under a .gz name
    assert parse_sitemap(load("urlset.xml.gz"), "https://caliber.example.az/sitemap").entries == plain.entries
    assert parse_sitemap(load("plain_xml_named.xml.gz"), "https://news.example.ua/s.xml.gz").kind == "index"


def test_multi_member_gzip():
    body = gzip.compress(b"https://t.example.com/1\n") + gzip.compress(b"https://t.example.com/2\n")
    assert [e.loc for e in parse_sitemap(body, "https://t.example.com/sitemap.txt.gz")] == [
        "https://t.example.com/1",
        "https://t.example.com/2",
    ]


def test_google_news_sitemap():
    sm = parse_sitemap(load("news_sitemap.xml"), "https://news.example.ua/sitemap/news.xml")
    en, ru, bad = sm.entries
    assert en.published_at == datetime(2025, 11, 27, 14, 40, tzinfo=UTC)
    assert en.lastmod == datetime(2025, 11, 27, 15, 59, 2, tzinfo=UTC)
    assert en.title == "Ukraine and US agree on peace framework"  # whitespace collapsed
    assert en.language == "en" and not en.tz_assumed
    assert ru.title == "Переговоры в Женеве: итоги" and ru.language == "ru"
    assert ru.published_at == datetime(2025, 11, 27, tzinfo=UTC) and ru.tz_assumed
    assert bad.published_at is None and bad.title == "Bad date" and bad.language == "uk"


def test_sitemap_without_namespace_and_text_sitemap():
    assert len(parse_sitemap(load("no_namespace.xml"), "https://plain.example.com/sitemap.xml")) == 2
    text = parse_sitemap(load("text_sitemap.txt"), "https://text.example.com/sitemap.txt")
    assert [e.loc for e in text] == ["https://text.example.com/news/1", "https://text.example.com/news/2"]
    assert text.skipped == 1


def test_feed_used_as_sitemap():
    sm = parse_sitemap(
        (FIXTURES.parent / "feeds" / "rss2_wire.xml").read_bytes(), "https://wire.example.org/rss/world.xml"
    )
    assert sm.kind == "urlset" and len(sm) == 6
    assert sm.entries[0].published_at == datetime(2025, 11, 27, 14, 5, tzinfo=UTC)
    assert "feed used as a sitemap" in sm.warnings[0]


def test_malformed_sitemap_is_recovered_and_says_so():
    sm = parse_sitemap(load("malformed_recoverable.xml"), "https://outlet.example.com/sitemap.xml")
    assert sm.recovered
    # the bare '&' is repaired losslessly; the entry cut off by the truncation is dropped, not kept garbled
    assert [e.loc for e in sm] == [
        "https://outlet.example.com/a.html",
        "https://outlet.example.com/b.html?x=1&y=2",
        "https://outlet.example.com/c.html",
    ]
    warning = sm.warnings[0]
    assert "line 8, column 49" in warning and "bare '&'" in warning and "dropped 1 entry" in warning


def test_bare_ampersand_alone_is_repaired_without_loss():
    body = load("no_namespace.xml").replace(b"/1</loc>", b"/1?a=1&b=2</loc>")
    sm = parse_sitemap(body, "https://plain.example.com/sitemap.xml")
    assert sm.recovered and sm.entries[0].loc == "https://plain.example.com/1?a=1&b=2" and len(sm) == 2


def test_malformed_sitemap_with_nothing_recoverable():
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(load("malformed_hopeless.xml"), "https://outlet.example.com/sitemap.xml")
    err = info.value
    assert err.kind == "parse_error" and (err.line, err.column) == (3, 19)
    assert "nothing recoverable" in str(err) and "(line 3, column 19)" in str(err)


@pytest.mark.parametrize("name", ["billion_laughs_sitemap.xml", "xxe_sitemap.xml"])
def test_entity_declarations_are_refused(name):
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(load(name), "https://bomb.example.com/sitemap.xml")
    assert info.value.kind == "xml_bomb"


def test_entity_bomb_inside_gzip_is_refused():
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(gzip.compress(load("billion_laughs_sitemap.xml")), "https://bomb.example.com/s.xml.gz")
    assert info.value.kind == "xml_bomb"


def test_gzip_bomb_200mb_of_zeros_is_refused_quickly():
    comp = zlib.compressobj(9, wbits=31)
    zeros = b"\0" * (4 << 20)
    bomb = b"".join(comp.compress(zeros) for _ in range(50)) + comp.flush()  # 200 MB inflated
    assert len(bomb) < 1 << 20
    start = time.perf_counter()
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(bomb, "https://bomb.example.com/sitemap.xml")
    assert time.perf_counter() - start < 5
    assert info.value.kind == "decompression_bomb"
    assert str(50 * 1024 * 1024) in str(info.value)


def test_decompression_cap_is_configurable():
    body = gzip.compress(load("urlset.xml"))
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(body, SITE, max_bytes=1024)
    assert info.value.kind == "decompression_bomb"
    assert len(parse_sitemap(body, SITE, max_bytes=len(load("urlset.xml")))) == 4


def test_corrupt_and_truncated_gzip():
    good = gzip.compress(load("urlset.xml"))
    with pytest.raises(DiscoveryError, match="truncated gzip") as info:
        parse_sitemap(good[: len(good) // 2], SITE)
    assert info.value.kind == "parse_error"
    with pytest.raises(DiscoveryError, match="corrupt gzip"):
        gunzip_capped(good[:10] + b"\xff" * 40)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"", "parse_error"),
        (b"<html><body>Not found</body></html>", "not_a_sitemap"),
        (b'{"urls": []}', "not_a_sitemap"),
        (b"<foo><bar/></foo>", "not_a_sitemap"),
        (b"no urls in here\nat all", "not_a_sitemap"),
    ],
)
def test_not_a_sitemap(body, kind):
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(body, "https://x.example.com/sitemap.xml")
    assert info.value.kind == kind


def test_sitemaps_from_robots():
    found = sitemaps_from_robots(load("robots.txt").decode(), "https://outlet.example.com/robots.txt")
    assert found == [
        "https://outlet.example.com/sitemap_index.xml",
        "https://outlet.example.com/sitemaps/news.xml",
        "https://outlet.example.com/news-sitemap.xml.gz",
    ]
    assert sitemaps_from_robots(load("robots.txt"), "https://outlet.example.com/robots.txt") == found
    assert sitemaps_from_robots("User-agent: *\nDisallow: /\n", "https://x.example.com/robots.txt") == []
    assert sitemaps_from_robots("<html>soft 404</html>", "https://x.example.com/robots.txt") == []


def test_large_news_sitemap_streams_every_entry():
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    )
    rows = "".join(
        f"<url><loc>https://n.example.com/2025/11/{i % 28 + 1:02d}/story-{i}.html</loc>"
        f"<news:news><news:publication><news:name>N</news:name><news:language>ru</news:language></news:publication>"
        f"<news:publication_date>2025-11-{i % 28 + 1:02d}T09:{i % 60:02d}:00+03:00</news:publication_date>"
        f"<news:title>Story {i}</news:title></news:news></url>"
        for i in range(20000)
    )
    start = time.perf_counter()
    sm = parse_sitemap(
        gzip.compress((head + rows + "</urlset>").encode()), "https://n.example.com/news.xml.gz"
    )
    assert time.perf_counter() - start < 15
    assert len(sm) == 20000 and not sm.recovered
    last = sm.entries[-1]
    assert last.loc == "https://n.example.com/2025/11/08/story-19999.html" and last.title == "Story 19999"
    assert last.published_at == datetime(2025, 11, 8, 6, 19, tzinfo=UTC) and last.language == "ru"


@pytest.fixture
def dtd_server():
    """A local server that records any request: no parser may fetch an external DTD or entity."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            hits.append(self.path)
            body = b'<!ENTITY xxe "pwned">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_external_dtd_is_never_fetched(dtd_server):
    from spiders.discovery import parse_feed

    base, hits = dtd_server
    sitemap = (
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{base}/evil.dtd">'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example.com/&xxe;</loc></url><url><loc>https://a.example.com/b</loc></url>"
        "</urlset>"
    ).encode()
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{base}/evil.dtd"><rss version="2.0"><channel>'
        "<title>t</title><item><title>&xxe;</title><link>https://a.example.com/c</link></item>"
        "</channel></rss>"
    ).encode()
    sm = parse_sitemap(sitemap, "https://a.example.com/sitemap.xml")
    # the entry whose <loc> holds the unresolved reference is skipped and counted, the rest is read
    assert [e.loc for e in sm] == ["https://a.example.com/b"] and sm.skipped == 1
    try:
        entries = parse_feed(feed, "https://a.example.com/rss")
        assert not any(e.title and "pwned" in e.title for e in entries)
    except DiscoveryError as exc:
        assert exc.kind == "parse_error"
    assert hits == []


def test_text_before_the_xml_is_skipped_and_reported():
    junk = b"<br />\n<b>Notice</b>: Undefined index: lang in <b>/srv/sitemap.php</b> on line <b>7</b><br />\n"
    sm = parse_sitemap(junk + load("sitemap_index.xml"), "https://news.example.ua/sitemap.xml")
    assert sm.kind == "index" and len(sm) == 3 and sm.recovered
    assert sm.warnings[0].startswith(f"skipped {len(junk)} bytes of text before the XML")
