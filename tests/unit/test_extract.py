"""Golden-page tests for ``extract_article``: key sentences present, page furniture absent."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsradar.sources import Source
from spiders.extract import extract_article

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CONTRACT_FIELDS = {
    "url",
    "canonical_url",
    "domain",
    "language",
    "title",
    "subtitle",
    "body",
    "authors",
    "section",
    "tags",
    "published_at",
    "modified_at",
    "date_source",
    "content_hash",
    "simhash",
    "word_count",
    "image_url",
    "views",
    "extractor",
    "is_article",
}


def _source(**kw) -> Source:
    base = dict(
        id="caliber_en",
        name="Caliber",
        homepage="https://caliber.az/en",
        languages=["en"],
        timezone="Asia/Baku",
        article_url="/post/",
    )
    base.update(kw)
    return Source.model_validate(base)


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(scope="module")
def caliber_en() -> dict:
    return extract_article(
        _page("caliber_en_like.html"), "https://caliber.az/en/post/leaders-weigh-formats", source=_source()
    )


def test_contract_fields(caliber_en):
    assert CONTRACT_FIELDS <= set(caliber_en)
    assert caliber_en["published_at"].tzinfo is not None
    assert isinstance(caliber_en["simhash"], int) and 0 <= caliber_en["simhash"] < 2**64
    assert len(caliber_en["content_hash"]) == 64


def test_caliber_en_metadata(caliber_en):
    r = caliber_en
    assert r["title"] == "Leaders weigh Minsk, Bishkek and Kyiv formats as peace talks resume"
    # printed "30 November 2025 10:10" without a zone, outlet in Baku (UTC+4)
    assert r["published_at"] == datetime(2025, 11, 30, 6, 10, tzinfo=UTC)
    assert r["date_source"] == "page_text"
    assert r["section"] == "Analytics"
    assert r["views"] == 89
    assert r["language"] == "en"
    assert r["domain"] == "caliber.az"
    assert r["is_article"] is True
    assert r["word_count"] >= 200


def test_caliber_en_body_has_key_sentences(caliber_en):
    body = caliber_en["body"]
    for sentence in (
        "We are ready to offer Minsk again",
        "Bishkek is neutral ground, and a neutral venue is what these talks need now",
        "Peace talks are only meaningful when the other side stops shelling our cities",
        "Analysts expect the mediators to narrow the list within two weeks.",
    ):
        assert sentence in body
    assert body.startswith("The question of where the next round of peace talks")


@pytest.mark.parametrize(
    "furniture",
    [
        "Facebook",
        "Telegram",
        "Search the site",
        "Copyright",
        "All rights reserved",
        "Related news",
        "Ceasefire monitors report calm night",
        "Border crossing reopens",
        "Views: 89",
        "30 November 2025",
        "Photo: press service",
        "ANALYTICS",
        "Share",
    ],
)
def test_caliber_en_body_has_no_furniture(caliber_en, furniture):
    assert furniture not in caliber_en["body"]


def test_caliber_ru():
    src = _source(id="caliber_ru", homepage="https://caliber.az/ru", languages=["ru", "en"])
    r = extract_article(_page("caliber_ru_like.html"), "https://caliber.az/ru/post/lidery", source=src)
    assert r["title"] == "Лидеры обсуждают Минск, Бишкек и Киев как площадки для мирных переговоров"
    assert r["published_at"] == datetime(2021, 4, 7, 5, 31, tzinfo=UTC)  # 07 Апреля 2021 09:31 Baku
    assert r["language"] == "ru"
    assert r["views"] == 1234  # "Просмотров: 1 234"
    assert r["section"] == "Аналитика"
    assert "«Бишкек — нейтральная площадка" in r["body"]
    for furniture in (
        "Читайте также",
        "Наблюдатели сообщили",
        "Поиск по сайту",
        "Все права защищены",
        "Поделиться",
    ):
        assert furniture not in r["body"]


def test_windows_1251_declared_in_meta():
    data = _page("ru_windows1251.html")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    r = extract_article(data, "https://caliber.az/ru/post/lidery")
    assert r["title"].startswith("Лидеры обсуждают Минск")
    assert "Мы готовы снова предложить Минск" in r["body"]
    assert r["language"] == "ru"


def test_windows_1251_detected_without_declaration():
    data = _page("ru_windows1251.html").replace(
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', b""
    )
    r = extract_article(data, "https://caliber.az/ru/post/lidery")
    assert "Мы готовы снова предложить Минск" in r["body"]


def test_http_header_charset_wins_over_meta():
    page = '<html><head><meta charset="utf-8"><title>Привет мир новости</title></head><body><p>Текст</p></body></html>'
    r = extract_article(
        page.encode("koi8-r"),
        "https://example.ru/a",
        headers={b"Content-Type": [b"text/html; charset=KOI8-R"]},
    )
    assert r["title"] == "Привет мир новости"


def _article_html(head: str, body_paragraphs: int = 6, extra: str = "") -> str:
    para = (
        "The ministry said the agreement covers grain exports, energy transit and the exchange of prisoners, "
        "and officials expect a second round of talks in Geneva next month."
    )
    paras = "\n".join(f"<p>{para} Paragraph {i}.</p>" for i in range(body_paragraphs))
    return (
        f"<html lang='en'><head>{head}</head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<article><h1>Negotiators agree on a framework for grain and energy</h1>{extra}{paras}</article>"
        f"<footer>Contact us</footer></body></html>"
    )


def test_jsonld_news_article_in_graph():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "The Daily Example", "url": "https://daily.example.com/"},
            {
                "@type": ["ReportageNewsArticle"],
                "headline": "Negotiators agree on a framework for grain and energy",
                "datePublished": "2024-03-05T14:20:00+01:00",
                "dateModified": "2024-03-05T16:00:00+01:00",
                "author": [{"@type": "Person", "name": "Jane Roe"}, {"@type": "Person", "name": "John Doe"}],
                "articleSection": ["World", "Europe"],
                "keywords": "grain, energy, talks",
                "image": {"@type": "ImageObject", "url": "https://daily.example.com/img.jpg"},
            },
        ],
    }
    head = f'<title>Negotiators agree | The Daily Example</title><script type="application/ld+json">{json.dumps(ld)}</script>'
    r = extract_article(_article_html(head), "https://daily.example.com/world/2024/03/05/grain-deal")
    assert r["published_at"] == datetime(2024, 3, 5, 13, 20, tzinfo=UTC)
    assert r["modified_at"] == datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    assert r["date_source"] == "jsonld"
    assert r["authors"] == ["Jane Roe", "John Doe"]
    assert r["section"] == "World"
    assert r["tags"] == ["grain", "energy", "talks"]
    assert r["image_url"] == "https://daily.example.com/img.jpg"
    assert r["title"] == "Negotiators agree on a framework for grain and energy"
    assert r["is_article"] is True
    assert "jsonld" in r["extractor"]
    assert "Contact us" not in r["body"] and "Home" not in r["body"]


def test_jsonld_article_body_preferred_when_complete():
    text = " ".join(
        f"Sentence number {i} of the structured article body explains the deal." for i in range(20)
    )
    ld = {"@type": "NewsArticle", "headline": "Deal", "articleBody": text, "datePublished": "2024-03-05"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    html = (
        f"<html><head>{head}</head><body><h1>Deal</h1><div><p>Subscribe to read the full story.</p></div>"
        "</body></html>"
    )
    r = extract_article(html, "https://example.com/news/deal")
    assert r["body"] == text
    assert "jsonld-body" in r["extractor"]


def test_broken_jsonld_is_tolerated():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Broken but readable",'
        ' "datePublished": "2023-07-01T08:00:00Z",}</script>'
        '<script type="application/ld+json">{ this is not json at all </script>'
        '<script type="application/ld+json"><!-- {"@type": "Organization", "name": "X"} --></script>'
    )
    r = extract_article(_article_html(head), "https://example.com/a/broken")
    assert r["published_at"] == datetime(2023, 7, 1, 8, 0, tzinfo=UTC)
    assert r["date_source"] == "jsonld"
    assert r["body"]


def test_opengraph_only_page():
    head = (
        '<meta property="og:type" content="article">'
        '<meta property="og:title" content="Negotiators agree on a framework for grain and energy - Example News">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:image" content="/images/lead.jpg">'
        '<meta property="article:published_time" content="2022-09-14T09:15:00+03:00">'
        '<meta property="article:modified_time" content="2022-09-14T11:00:00+03:00">'
        '<meta property="article:section" content="Politics">'
        '<meta property="article:tag" content="grain"><meta property="article:tag" content="Geneva">'
        '<meta name="author" content="By Anna Smith">'
        '<link rel="canonical" href="/politics/grain-framework">'
    )
    r = extract_article(_article_html(head), "https://news.example.org/politics/grain-framework?utm=x")
    assert r["title"] == "Negotiators agree on a framework for grain and energy"
    assert r["published_at"] == datetime(2022, 9, 14, 6, 15, tzinfo=UTC)
    assert r["published_at_local"] == "2022-09-14T09:15:00+03:00"
    assert r["date_source"] == "meta"
    assert r["section"] == "Politics"
    assert r["tags"] == ["grain", "Geneva"]
    assert r["authors"] == ["Anna Smith"]
    assert r["image_url"] == "https://news.example.org/images/lead.jpg"
    assert r["canonical_url"] == "https://news.example.org/politics/grain-framework"
    assert r["is_article"] is True


def test_microdata_dates():
    extra = '<span itemprop="datePublished" content="2021-02-03T10:00:00+00:00">3 Feb</span>'
    r = extract_article(_article_html("<title>x</title>", extra=extra), "https://example.com/a/b")
    assert r["published_at"] == datetime(2021, 2, 3, 10, 0, tzinfo=UTC)
    assert r["date_source"] == "microdata"


def test_url_date_is_last_resort():
    r = extract_article(_article_html("<title>x</title>"), "https://example.com/2020/06/07/story.html")
    assert r["date_source"] == "url"
    assert r["published_at"] == datetime(2020, 6, 7, tzinfo=UTC)


def test_hints_from_feed_used_without_page_evidence():
    hint = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)
    r = extract_article(
        _article_html("<title>x</title>"),
        "https://example.com/story",
        hints={"published_at": hint, "date_source": "feed"},
    )
    assert r["published_at"] == hint and r["date_source"] == "feed"


def test_structured_date_contradicted_by_page_and_url():
    ld = {"@type": "NewsArticle", "headline": "Negotiators agree", "datePublished": "2024-06-01T00:00:00Z"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    extra = "<p class='date'>March 5, 2019</p>"
    r = extract_article(_article_html(head, extra=extra), "https://example.com/2019/03/05/story")
    assert r["date_source"] == "page_text"
    assert r["published_at"].date().isoformat() == "2019-03-05"


@pytest.mark.parametrize(
    ("title", "site", "url", "expected"),
    [
        (
            "Peace talks resume in Minsk | Caliber.Az",
            None,
            "https://caliber.az/en/post/1",
            "Peace talks resume in Minsk",
        ),
        (
            "Peace talks resume in Minsk — Reuters",
            None,
            "https://www.reuters.com/world/x",
            "Peace talks resume in Minsk",
        ),
        (
            "Peace talks resume in Minsk - BBC News",
            None,
            "https://www.bbc.co.uk/news/world-1",
            "Peace talks resume in Minsk",
        ),
        (
            "Peace talks resume in Minsk | World | The Example Times",
            "The Example Times",
            "https://example-times.com/world/1",
            "Peace talks resume in Minsk | World",
        ),
        (
            "Example Daily: Peace talks resume in Minsk",
            "Example Daily",
            "https://exampledaily.net/1",
            "Peace talks resume in Minsk",
        ),
        # a dash inside the headline itself stays
        (
            "Minsk - Bishkek: peace talks resume after a long pause",
            None,
            "https://news.example.com/1",
            "Minsk - Bishkek: peace talks resume after a long pause",
        ),
    ],
)
def test_title_suffix_stripping(title, site, url, expected):
    head = f"<title>{title}</title>" + (f'<meta property="og:site_name" content="{site}">' if site else "")
    html = f"<html><head>{head}</head><body><p>Short page.</p></body></html>"
    assert extract_article(html, url)["title"] == expected


def test_overrides_selectors_and_strip():
    overrides = {
        "title": "div.headline::text",
        "section": "//span[@class='rubric']/text()",
        "views": ".counter",
        "views_regex": r"(\d[\d ]*) reads",
        "byline": ".who::text",
        "date": ".when::text",
        "date_formats": ["%d/%m/%Y %H.%M"],
        "strip": [".promo"],
    }
    src = _source(overrides=overrides, timezone="Europe/Moscow")
    extra = (
        "<div class='headline'>Override headline wins</div><span class='rubric'>Economy</span>"
        "<span class='who'>Ivan Petrov</span><span class='when'>05/04/2021 10.30</span>"
        "<span class='counter'>1 204 reads</span><div class='promo'><p>Subscribe to our premium newsletter "
        "today and save forty percent on your first year of unlimited reading.</p></div>"
    )
    r = extract_article(
        _article_html("<title>Other</title>", extra=extra), "https://caliber.az/en/post/2", source=src
    )
    assert r["title"] == "Override headline wins"
    assert r["section"] == "Economy"
    assert r["views"] == 1204
    assert r["authors"] == ["Ivan Petrov"]
    assert r["published_at"] == datetime(2021, 4, 5, 7, 30, tzinfo=UTC)
    assert "Subscribe to our premium newsletter" not in r["body"]


def test_listing_page_is_not_article():
    items = "".join(
        f"<h3><a href='/news/{i}'>Headline number {i} about the economy and the talks</a></h3>"
        f"<p>Teaser text for story {i} with a few more words to read.</p>"
        for i in range(15)
    )
    html = f"<html><head><title>News</title></head><body>{items}</body></html>"
    r = extract_article(html, "https://example.com/news/")
    assert r["is_article"] is False


def test_empty_and_garbage_input():
    for data in (b"", b"   ", b"\x00\x01\x02", "<html></html>"):
        r = extract_article(data, "https://example.com/x")
        assert r["is_article"] is False
        assert r["body"] == ""


def test_picklable_and_fast():
    assert pickle.loads(pickle.dumps(extract_article)) is extract_article
    import time

    data = _page("caliber_en_like.html")
    extract_article(data, "https://caliber.az/en/post/1")
    start = time.perf_counter()
    for _ in range(10):
        extract_article(data, "https://caliber.az/en/post/1")
    assert (time.perf_counter() - start) / 10 < 0.25


def test_listing_of_linked_headlines_with_dates_is_not_article():
    items = "".join(
        f"<li><a href='/2025/11/{20 + i % 9}/politics/story-{i}'>Envoys meet again as peace talks enter phase {i}</a>"
        f" <span class='date'>{20 + i % 9} November 2025 10:{10 + i}</span></li>"
        for i in range(20)
    )
    html = (
        f"<html lang='en'><head><title>Politics | The Example Post</title></head><body><main><h1>Politics</h1>"
        f"<ul class='news-list'>{items}</ul></main></body></html>"
    )
    r = extract_article(html, "https://example.com/section/politics")
    assert r["word_count"] >= 60
    assert r["is_article"] is False


def test_generic_section_labels_are_dropped():
    head = (
        '<meta property="og:type" content="article"><meta property="og:site_name" content="Example News">'
        '<meta property="article:section" content="Homepage">'
    )
    assert extract_article(_article_html(head), "https://example.com/a/1")["section"] is None
    head = head.replace("Homepage", "Example News")
    assert extract_article(_article_html(head), "https://example.com/a/1")["section"] is None


def test_timezone_hint_overrides_source_zone():
    r = extract_article(
        _page("caliber_en_like.html"),
        "https://caliber.az/en/post/x",
        source=_source(),
        hints={"timezone": "Europe/London"},
    )
    assert r["published_at"] == datetime(2025, 11, 30, 10, 10, tzinfo=UTC)
    assert r["published_at_local"] == "2025-11-30T10:10:00+00:00"


def test_published_stamp_preferred_over_updated_stamp():
    extra = "<p class='meta'>Updated: 2 March 2024 18:00</p><p class='meta'>Published: 1 March 2024 09:15</p>"
    r = extract_article(_article_html("<title>x</title>", extra=extra), "https://example.com/a/x")
    assert r["published_at"] == datetime(2024, 3, 1, 9, 15, tzinfo=UTC)
    assert r["date_source"] == "page_text"


def test_override_values_are_read_before_strip():
    src = _source(overrides={"views": ".hits::text", "strip": [".hits", ".promo"]})
    extra = "<span class='hits'>Views: 4 321</span><div class='promo'><p>Buy our app.</p></div>"
    r = extract_article(
        _article_html("<title>x</title>", extra=extra), "https://caliber.az/en/post/3", source=src
    )
    assert r["views"] == 4321
    assert "Views" not in r["body"] and "Buy our app" not in r["body"]


@pytest.mark.parametrize(
    ("head", "field", "expected"),
    [
        (
            '<meta name="parsely-pub-date" content="2023-05-06T07:08:09Z">',
            "published_at",
            datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC),
        ),
        ('<meta name="dc.date" content="2023-05-06">', "published_at", datetime(2023, 5, 6, tzinfo=UTC)),
        (
            '<meta name="sailthru.date" content="Sat, 06 May 2023 07:08:09 GMT">',
            "published_at",
            datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC),
        ),
        ('<meta name="parsely-section" content="Business">', "section", "Business"),
        ('<meta name="parsely-tags" content="oil, gas,opec">', "tags", ["oil", "gas", "opec"]),
        ('<meta name="parsely-author" content="Maria Lopez">', "authors", ["Maria Lopez"]),
        ('<meta name="parsely-title" content="A parsely headline">', "title", "A parsely headline"),
        (
            '<meta name="twitter:image" content="https://cdn.example.com/t.jpg">',
            "image_url",
            "https://cdn.example.com/t.jpg",
        ),
    ],
)
def test_meta_layer_fields(head, field, expected):
    html = (
        f"<html><head>{head}</head><body><div><p>{'Body text of the article here. ' * 20}</p></div>"
        "</body></html>"
    )
    assert extract_article(html, "https://example.com/story/1")[field] == expected


def test_jsonld_picks_the_pages_own_article():
    related = {
        "@type": "NewsArticle",
        "headline": "A related story",
        "url": "https://example.com/news/other",
        "datePublished": "2020-01-01T00:00:00Z",
        "articleBody": "Related body. " * 60,
    }
    own = {
        "@type": "NewsArticle",
        "headline": "Negotiators agree on a framework for grain and energy",
        "mainEntityOfPage": {"@id": "https://www.example.com/news/grain-deal/"},
        "datePublished": "2024-03-05T14:20:00Z",
    }
    head = f'<script type="application/ld+json">{json.dumps([related, own])}</script>'
    r = extract_article(_article_html(head), "https://example.com/news/grain-deal?utm_source=x")
    assert r["published_at"] == datetime(2024, 3, 5, 14, 20, tzinfo=UTC)
    assert "Related body" not in r["body"]


def test_hints_may_be_iso_strings_and_unknown_sources_fall_back_to_feed():
    r = extract_article(
        _article_html("<title>x</title>"),
        "https://example.com/story",
        hints={
            "published_at": "2024-01-02T03:04:00+02:00",
            "date_source": "sitemap",
            "modified_at": "2024-01-03T00:00:00Z",
        },
    )
    assert r["published_at"] == datetime(2024, 1, 2, 1, 4, tzinfo=UTC) and r["date_source"] == "sitemap"
    assert r["modified_at"] == datetime(2024, 1, 3, tzinfo=UTC)
    r = extract_article(
        _article_html("<title>x</title>"),
        "https://example.com/story",
        hints={"published_at": datetime(2024, 1, 2), "date_source": "rumour"},
    )
    assert r["date_source"] == "feed"
