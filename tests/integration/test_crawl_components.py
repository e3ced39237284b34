"""Fast tests of the crawl's parts: items vs. lake schemas, URL normalisation, validation, the
failure classifier, Retry-After parsing and backoff, the summary. No servers, no reactor."""

from __future__ import annotations

import dataclasses
import gzip
import io
import random
import re
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet import error as twerr

from newsradar.crawl import CrawlSummary, SourceSummary, new_run_id, scrapy_settings
from newsradar.schema import ARTICLE_SCHEMA, FETCH_LOG_SCHEMA
from spiders.discovery.errors import DiscoveryError
from spiders.extensions.warc import response_record
from spiders.items import ArticleItem, FetchLogItem, as_row, attach_fetch, fetch_of
from spiders.middlewares.metarefresh import MetaRefreshMiddleware, may_declare_refresh
from spiders.middlewares.retry import BackoffRetryMiddleware, parse_retry_after
from spiders.pipelines.dedupe import DedupePipeline, DuplicateItem
from spiders.pipelines.normalise import NormalisePipeline, article_id_for, clean_body, normalise_url
from spiders.pipelines.validate import InvalidItem, ValidatePipeline
from spiders.spiders.news import _with_param
from spiders.spiders.outcomes import classify

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def article(**kw) -> ArticleItem:
    base = dict(article_id=None, url="https://Example.org/news/1?utm_source=x&id=3#top", source_id="demo",
                fetched_at=NOW, crawl_date=date(2026, 3, 2), run_id="r1", title="  A  title\n", body="Text.")  # fmt: skip
    return ArticleItem(**{**base, **kw})


def test_items_have_exactly_the_lake_schema_fields():
    assert {f.name for f in dataclasses.fields(ArticleItem)} == set(ARTICLE_SCHEMA.names)
    assert {f.name for f in dataclasses.fields(FetchLogItem)} == set(FETCH_LOG_SCHEMA.names)
    item = attach_fetch(article(), FetchLogItem("r1", "demo", date(2026, 3, 2), "u", NOW, "article"))
    assert set(as_row(item)) == set(ARTICLE_SCHEMA.names)  # the fetch context is not a field
    assert fetch_of(item).url == "u"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Example.ORG/News/1?utm_source=tw&utm_medium=x&id=3#frag",
            "https://example.org/News/1?id=3",
        ),
        ("https://example.org:443/a?fbclid=1&gclid=2&b=2&a=1", "https://example.org/a?b=2&a=1"),
        ("http://example.org:8080", "http://example.org:8080/"),
        ("https://example.org/a?q=", "https://example.org/a?q="),
    ],
)
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


def test_article_id_is_sha256_of_normalised_url():
    import hashlib

    a = article_id_for("https://EXAMPLE.org/x?utm_campaign=1#c")
    assert a == hashlib.sha256(b"https://example.org/x").hexdigest()[:32]
    assert a == article_id_for("https://example.org/x")


def test_normalise_pipeline_cleans_whitespace_and_sets_id():
    item = article(
        body="First  line\t here \n\n\n\n second\u00a0para ", authors=[" Ann ", "Ann", ""], tags=["x "]
    )
    out = NormalisePipeline().process_item(item)
    assert out.url == "https://example.org/news/1?id=3"
    assert out.article_id == article_id_for(out.url)
    assert out.title == "A title"
    assert out.body == "First line here\n\nsecond para"
    assert out.authors == ["Ann"] and out.tags == ["x"]
    assert clean_body("   ") is None


def test_validate_pipeline_rejects_bad_items_precisely():
    ok = ValidatePipeline().process_item(article())
    assert ok.title
    with pytest.raises(InvalidItem, match="published_at: datetime must be timezone-aware"):
        ValidatePipeline().process_item(article(published_at=datetime(2026, 1, 1)))
    with pytest.raises(InvalidItem, match="word_count: expected an integer"):
        ValidatePipeline().process_item(article(word_count="12"))
    with pytest.raises(InvalidItem, match="simhash: .* out of range"):
        ValidatePipeline().process_item(article(simhash=-1))
    with pytest.raises(InvalidItem, match="no title and no body"):
        ValidatePipeline().process_item(article(title=None, body="  "))
    with pytest.raises(InvalidItem, match="authors: expected a list of strings"):
        ValidatePipeline().process_item(article(authors=[1]))
    log_item = FetchLogItem("r1", "demo", date(2026, 3, 2), "u", NOW, "not_article")
    assert ValidatePipeline().process_item(log_item) is log_item


def test_dedupe_pipeline_drops_second_copy():
    p = DedupePipeline()
    p.process_item(article(article_id="a"))
    with pytest.raises(DuplicateItem):
        p.process_item(article(article_id="a"))


def _http_error(status: int) -> HttpError:
    resp = HtmlResponse("http://x/", status=status, body=b"", request=Request("http://x/"))
    return HttpError(resp, "Ignoring non-200 response")


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (_http_error(404), "http_404"),
        (_http_error(410), "http_4xx"),
        (_http_error(429), "http_429"),
        (_http_error(503), "http_5xx"),
        (DownloadTimeoutError("took longer than 1 seconds"), "timeout"),
        (twerr.TCPTimedOutError(), "timeout"),
        (CannotResolveHostError("nope"), "dns"),
        (twerr.DNSLookupError(), "dns"),
        (DownloadConnectionRefusedError("refused"), "connection"),
        (twerr.ConnectionRefusedError(), "connection"),
        (
            DownloadCancelledError("Expected to receive 9 bytes which is larger than download max size"),
            "too_large",
        ),
        (
            IgnoreRequest(
                "Ignored response because its body exceeded DOWNLOAD_MAXSIZE during decompression."
            ),
            "decompression_bomb",
        ),  # fmt: skip
        (IgnoreRequest("max redirections reached"), "redirect_loop"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_denied"),
        (DiscoveryError("xml_bomb", "entity declarations refused"), "xml_bomb"),
        (ValueError("weird"), "other"),
    ],
)
def test_classify_failures(exc, outcome):
    assert classify(exc)[0] == outcome


def test_parse_retry_after():
    assert parse_retry_after(b"7") == 7.0
    assert parse_retry_after("Mon, 02 Mar 2026 12:00:30 GMT", now=NOW) == 30.0
    assert parse_retry_after("Mon, 02 Mar 2026 11:00:00 GMT", now=NOW) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_is_exponential_and_capped():
    mw = BackoffRetryMiddleware(Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 5, "RETRY_HTTP_CODES": [429],
                                          "RETRY_EXCEPTIONS": [], "NEWSRADAR_RETRY_BACKOFF_BASE": 1.0,
                                          "NEWSRADAR_RETRY_MAX_WAIT": 5.0, "RETRY_PRIORITY_ADJUST": -1,
                                          "RETRY_GIVE_UP_LOG_LEVEL": "INFO"}))  # fmt: skip
    waits = [mw.backoff(Request("http://x/", meta={"retry_times": n}), None) for n in range(5)]
    assert 1.0 <= waits[0] <= 1.25 and 2.0 <= waits[1] <= 2.5 and waits[4] == 5.0
    assert mw.backoff(Request("http://x/"), 120.0) == 5.0  # Retry-After is honoured up to the cap
    assert mw.backoff(Request("http://x/"), 0.5) == 0.5


def test_listing_page_param():
    assert _with_param("https://x.org/news/?page=1&s=a", "page", 3) == "https://x.org/news/?s=a&page=3"


def test_summary_from_stats_and_round_trip():
    stats = {"newsradar/pages_fetched": 9, "newsradar/outcome/article": 5, "newsradar/outcome/not_article": 2,
             "newsradar/outcome/unchanged": 1, "newsradar/outcome/http_404": 2, "finish_reason": "finished"}  # fmt: skip
    s = SourceSummary.from_stats("demo", stats)
    assert (s.pages_fetched, s.articles, s.not_articles, s.unchanged, s.failures) == (
        9,
        5,
        2,
        1,
        {"http_404": 2},
    )
    summary = CrawlSummary(run_id=new_run_id(NOW), crawl_date=date(2026, 3, 2), sources={"demo": s})
    assert summary.run_id.startswith("20260302T120000000Z-")
    assert CrawlSummary.from_dict(summary.to_dict()) == summary
    assert summary.failures == {"http_404": 2}


def test_polite_defaults_are_on():
    s = scrapy_settings()
    assert s.getbool("ROBOTSTXT_OBEY") and s.getbool("AUTOTHROTTLE_ENABLED")
    assert s["USER_AGENT"] == "newsradar/0.1 (+https://github.com/newsradar/newsradar)"
    assert s.getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024
    assert s.getdict("DOWNLOADER_MIDDLEWARES")["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert scrapy_settings({"DOWNLOAD_TIMEOUT": 3}).getint("DOWNLOAD_TIMEOUT") == 3


def _clean_body_line_by_line(text):
    """The reference: collapse spaces within each line, strip each line, keep at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    spaces = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\f\v]+")
    lines = [spaces.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() or None


def test_clean_body_equals_the_line_by_line_reference():
    alphabet = [*"ab Я.\t\n\r\u00a0\u2003\u200b\u3000\f\v\x1c\x85\u2028\u1680", "\r\n", "  ", "\n\n\n"]
    rnd = random.Random(7)
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert clean_body(text) == _clean_body_line_by_line(text), repr(text)
    assert (
        clean_body(" Para  one\u00a0 here. \r\n\r\n\r\n\n  Two\t\tlines \n") == "Para one here.\n\nTwo lines"
    )


def test_warc_records_are_byte_for_byte_what_warcio_writes():
    from warcio.archiveiterator import ArchiveIterator
    from warcio.recordbuilder import RecordBuilder
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = "<p>Мирные переговоры</p>".encode() * 20
    cases = [
        (200, [(b"Content-Type", [b"text/html; charset=utf-8"]), (b"Set-Cookie", [b"a=1", b"b=2"]),
               (b"Content-Encoding", [b"gzip"]), (b"Content-Length", [b"99"])]),
        (404, [(b"Content-Type", [b"text/html"]), (b"X-Note", ["Grüße".encode("latin-1")])]),  # percent-encoded
        (799, []),  # a status without a reason phrase
    ]  # fmt: skip
    for status, headers in cases:
        ours = response_record("http://x.org/a?q=ü", status, headers, body, now=NOW, record_id="0-1-2-3-4")
        stored = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in headers for v in vs
                  if k.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")]  # fmt: skip
        phrase = {200: "OK", 404: "Not Found"}.get(status, "Unknown")
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=False)
        with (
            mock.patch.object(RecordBuilder, "_make_warc_id", staticmethod(lambda: "<urn:uuid:0-1-2-3-4>")),
            mock.patch.object(
                RecordBuilder, "_make_warc_date", staticmethod(lambda *a, **k: "2026-03-02T12:00:00Z")
            ),
        ):
            writer.write_record(writer.create_warc_record(
                "http://x.org/a?q=ü", "response", payload=io.BytesIO(body),
                http_headers=StatusAndHeaders(f"{status} {phrase}", stored, protocol="HTTP/1.1"),
            ))  # fmt: skip
        assert gzip.decompress(ours) == out.getvalue()
        records = 0
        for rec in ArchiveIterator(io.BytesIO(ours + ours), check_digests="raise"):  # one gzip member each
            assert rec.rec_type == "response" and rec.http_headers.get_statuscode() == str(status)
            assert rec.content_stream().read() == body
            records += 1
        assert records == 2


def test_meta_refresh_is_ruled_out_from_the_bytes_and_still_followed():
    page = b"<html><head><title>x</title></head><body>" + b"<p>words</p>" * 2000 + b"</body></html>"
    assert not may_declare_refresh(page)
    assert may_declare_refresh(
        page.replace(b"<title>", b'<META HTTP-EQUIV="Refresh" content="0; url=/b"><title>')
    )
    assert may_declare_refresh(
        "<html>hi</html>".encode("utf-16")
    )  # not ASCII-compatible: checked the slow way
    crawler = get_crawler(settings_dict={"METAREFRESH_IGNORE_TAGS": []})
    mw = MetaRefreshMiddleware.from_crawler(crawler)
    crawler.spider = crawler._create_spider("x")
    request = Request("http://x.org/a")
    plain = HtmlResponse("http://x.org/a", body=page, request=request)
    assert mw.process_response(request, plain) is plain
    refresh = HtmlResponse(
        "http://x.org/a", body=b'<html><head><meta http-equiv="refresh" content="0; url=/b"></head></html>',
        request=request,
    )  # fmt: skip
    redirected = mw.process_response(request, refresh)
    assert isinstance(redirected, Request) and redirected.url == "http://x.org/b"
