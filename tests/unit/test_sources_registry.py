"""The repository's sources.yaml: valid, complete, and its URL patterns fit the outlets' real URLs."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsradar.commands.sources import check_sources
from newsradar.sources import load_sources

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {s.id: s for s in load_sources(ROOT / "sources.yaml")}
EVAL = Path(os.environ.get("NEWSRADAR_EVAL_DIR") or ROOT / ".." / "shared" / "eval")

# Real article URL shapes of each outlet (published links), and pages of the same sites that are not articles.
ARTICLES = {
    "caliber_az": [
        "https://caliber.az/en/post/us-ambassador-owes-caliber-az-an-apology",
        "https://caliber.az/post/prokuratura-trebuet-smertnoj-kazni-dlya-eks-prezidenta-yuzhnoj-korei",
        "https://caliber.az/post/peregovory-v-abu-dabi-123456",
    ],
    "trend_az": [
        "https://en.trend.az/azerbaijan/politics/3907452.html",
        "https://en.trend.az/azerbaijan/society/3949080.html",
    ],
    "report_az": [
        "https://report.az/en/domestic-politics/azerbaijan-extends-special-quarantine-regime-until-january-2027",
        "https://report.az/en/other-countries/iaea-zaporizhzhia-nuclear-power-plant-loses-external-power/",
    ],
    "apa_az": ["https://apa.az/en/foreign-news/lavrov-and-fidan-discuss-ukraine-talks-846512"],
    "reuters": ["https://www.reuters.com/world/europe/ukraine-russia-talks-istanbul-2025-05-16/"],
    "ap_news": ["https://apnews.com/article/russia-ukraine-war-peace-talks-3c5f0e0b8a1d4e2f9b6c7d8e9f0a1b2c"],
    "france24": ["https://www.france24.com/en/europe/20251127-ukraine-russia-peace-plan-talks"],
    "tass_ru": ["https://tass.ru/politika/25891234"],
    "tass_en": ["https://tass.com/politics/2191299", "https://tass.com/politics/1892567"],
    "ria_novosti": [
        "https://ria.ru/20250110/ssha-1993174049.html",
        "https://ria.ru/20251117/banu-2055523427.html",
    ],
    "interfax": ["https://www.interfax.ru/world/1120363", "https://www.interfax.ru/world/876027"],
    "kommersant": ["https://www.kommersant.ru/doc/8861511"],
    "meduza": [
        "https://meduza.io/en/feature/2025/11/14/eating-their-own-what-the-latest-scandal",
        "https://meduza.io/en/news/2022/10/30/roskomnadzor-blocks-telegram-domain-t-me",
        "https://meduza.io/news/2026/10/05/norvegiya",
    ],
    "ukrinform": [
        "https://www.ukrinform.net/rubric-ato/4166116-fires-break-out-in-three-districts-of-kyiv-region.html",
        "https://www.ukrinform.net/rubric-society/3708065-maps-of-ukraine-without-crimea-origin.html",
    ],
    "pravda_ua": [
        "https://www.pravda.com.ua/eng/news/2025/11/27/7528123/",
        "https://www.pravda.com.ua/news/2025/11/27/7528100/",
    ],
    "kyiv_independent": [
        "https://kyivindependent.com/ukraine-strikes-wildberries-rival-in-russias-orenburg/"
    ],
    "belta": [
        "https://eng.belta.by/economics/view/belarus-about-to-start-sharing-gnss-data-with-european-network-128634-2020/"
    ],
    "bbc_news": [
        "https://www.bbc.com/news/articles/c0l8d8y2n1go",
        "https://www.bbc.co.uk/news/world-europe-67654321",
    ],
    "bbc_russian": ["https://www.bbc.com/russian/articles/c4g2k5l7m9no"],
    "dw": ["https://www.dw.com/en/ukraine-peace-talks-what-we-know/a-71234567"],
    "le_monde": [
        "https://www.lemonde.fr/international/article/2025/11/27/guerre-en-ukraine-les-negociations_6654321_3210.html",
        "https://www.lemonde.fr/en/international/article/2025/11/27/ukraine-talks_6737123_4.html",
    ],
    "euronews": [
        "https://www.euronews.com/2025/11/27/ukraine-and-us-agree-on-peace-framework",
        "https://www.euronews.com/my-europe/2025/11/26/eu-leaders-meet",
    ],
    "politico_eu": ["https://www.politico.eu/article/ukraine-peace-plan-europe-reaction/"],
    "nytimes": ["https://www.nytimes.com/2025/11/27/world/europe/ukraine-russia-peace-talks.html"],
    "washington_post": [
        "https://www.washingtonpost.com/world/2025/11/27/ukraine-russia-peace-plan/",
        "https://www.washingtonpost.com/politics/trump-indonesia-trees/2020/05/05/"
        "62db5abb-8139-4f0d-a10e-748ecdac17e9_story.html",
    ],
    "cnn": [
        "https://edition.cnn.com/2025/11/27/europe/ukraine-peace-talks-intl",
        "https://www.cnn.com/2022/03/01/europe/ukraine-russia-talks/index.html",
    ],
    "politico_us": ["https://www.politico.com/news/2025/06/11/trump-military-parade-protests-00398716"],
}
NOT_ARTICLES = {
    "caliber_az": [
        "https://caliber.az/",
        "https://caliber.az/en",
        "https://caliber.az/category/mir",
        "https://caliber.az/search/%D0%A1%D1%83%D0%B4",
        "https://caliber.az/az/post/xeber-1",
    ],
    "trend_az": ["https://en.trend.az/azerbaijan/politics/"],
    "report_az": ["https://report.az/en/", "https://report.az/en/foreign-politics/"],
    "tass_en": ["https://tass.com/politics", "https://tass.com/"],
    "ria_novosti": ["https://ria.ru/politics/"],
    "interfax": ["https://www.interfax.ru/world/"],
    "kyiv_independent": [
        "https://kyivindependent.com/tag/war/",
        "https://kyivindependent.com/about/",
        "https://kyivindependent.com/news-feed/",
    ],
    "bbc_news": ["https://www.bbc.com/news/world", "https://www.bbc.com/news/live/c1234567890o"],
    "cnn": ["https://edition.cnn.com/world", "https://edition.cnn.com/2025/11/27/europe/videos/ukraine-clip"],
    "reuters": ["https://www.reuters.com/world/europe/"],
    "politico_eu": ["https://www.politico.eu/section/politics/"],
}


def test_file_passes_the_check():
    sources = load_sources(ROOT / "sources.yaml")
    check_sources(sources, "sources.yaml")
    assert len(sources) >= 11


def test_every_entry_is_complete():
    for src in SOURCES.values():
        assert src.name and src.homepage and src.languages and src.timezone, src.id
        assert src.country and len(src.country) == 2 and src.country.isupper(), src.id
        assert src.notes and len(src.notes) > 30, src.id
        assert src.article_url.startswith("^https://"), src.id
        d = src.discovery
        assert d.feeds or d.sitemaps or d.listing_pages, f"{src.id}: no explicit discovery"


def test_caliber_az():
    src = SOURCES["caliber_az"]
    assert src.languages == ["en", "ru"] and src.timezone == "Asia/Baku" and src.country == "AZ"
    o = src.overrides
    assert o.section and o.views and o.date and "%d %B %Y %H:%M" in o.date_formats
    for chrome in (".social-links", ".search-form", ".copyright-top"):
        assert chrome in o.strip
    assert datetime.strptime("30 November 2025 10:10", o.date_formats[0]) == datetime(2025, 11, 30, 10, 10)


def test_coverage_of_countries_and_languages():
    countries = {s.country for s in SOURCES.values()}
    assert {"AZ", "RU", "UA", "BY", "GB", "DE", "FR", "US"} <= countries
    languages = {lang for s in SOURCES.values() for lang in s.languages}
    assert {"en", "ru", "uk", "fr", "de"} <= languages


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_article_patterns_match_real_urls(source_id):
    src = SOURCES[source_id]
    assert source_id in ARTICLES, f"add real article URLs of {source_id} to this test"
    for url in ARTICLES[source_id]:
        assert src.is_article_url(url), f"{source_id}: {url} should be an article"
        assert src.is_article_url(url + "?utm_source=rss"), f"{source_id}: query string breaks the pattern"
    for url in NOT_ARTICLES.get(source_id, []):
        assert not src.is_article_url(url), f"{source_id}: {url} is not an article"
    for other_id, urls in ARTICLES.items():  # no pattern claims another outlet's articles
        if other_id != source_id and urlsplit(urls[0]).hostname not in src.domains:
            assert not any(src.is_article_url(u) for u in urls), f"{source_id} matches {other_id}"


def test_urls_from_the_publisher_list_are_used():
    tsv = EVAL / "publisher_sources.tsv"
    if not tsv.exists():
        pytest.skip(f"{tsv} not found")
    by_host: dict[str, set[str]] = {}
    with tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            host = (urlsplit(row["domain"]).hostname or "").removeprefix("www.")
            by_host.setdefault(host, set()).add(row["url"])
    used = 0
    for src in SOURCES.values():
        host = (urlsplit(src.homepage).hostname or "").removeprefix("www.")
        if host in by_host:
            listed = set(src.discovery.feeds) | set(src.discovery.sitemaps)
            assert listed & by_host[host], f"{src.id}: none of the publisher list's URLs for {host} is used"
            used += 1
    assert used >= 8


def _extract():
    return pytest.importorskip("spiders.extract").extract_article


@pytest.mark.parametrize(
    ("page", "url", "section", "views", "published"),
    [
        (
            "caliber_en_like.html",
            "https://caliber.az/en/post/leaders-weigh-formats",
            "Analytics",
            89,
            datetime(2025, 11, 30, 6, 10, tzinfo=UTC),
        ),
        (
            "caliber_ru_like.html",
            "https://caliber.az/post/lidery-obsuzhdayut-123456",
            "Аналитика",
            1234,
            datetime(2021, 4, 7, 5, 31, tzinfo=UTC),
        ),
    ],
)
def test_caliber_overrides_on_golden_pages(page, url, section, views, published):
    path = ROOT / "tests" / "fixtures" / "pages" / page
    if not path.exists():
        pytest.skip(f"{path} not found")
    r = _extract()(path.read_bytes(), url, source=SOURCES["caliber_az"])
    assert (r["section"], r["views"], r["published_at"]) == (section, views, published)
    assert "Copyright" not in r["body"] and "Telegram" not in r["body"]


def test_caliber_overrides_on_live_template():
    # the live site's article template: post_title / post_categoty / post_time / post_body / post_hits
    html = """<html><head><title>Переговоры | Caliber.Az</title></head><body><div class="post">
      <h1 class="post_title">Переговоры в Абу-Даби возобновились</h1>
      <div class="post_categoty"><a href="/category/mir">МИР</a></div>
      <div class="post_time">25 Июня 2026 17:24</div>
      <div class="post_body">
        <p>Делегации вновь встретились в Абу-Даби, чтобы обсудить условия прекращения огня и обмен пленными.</p>
        <div class="banner"><p>Подпишитесь на наш канал в Telegram, чтобы не пропустить главное.</p></div>
        <p>По словам дипломатов, стороны договорились продолжить работу на уровне экспертов на следующей неделе.</p>
      </div>
      <div class="post_signature">Caliber.Az</div>
      <div class="post_hits">Просмотров: 179</div></div></body></html>"""
    r = _extract()(html, "https://caliber.az/post/peregovory-v-abu-dabi", source=SOURCES["caliber_az"])
    assert r["title"] == "Переговоры в Абу-Даби возобновились"
    assert r["views"] == 179
    assert r["published_at"] == datetime(2026, 6, 25, 13, 24, tzinfo=UTC)
    assert r["section"].lower() == "мир"
    assert "Делегации вновь встретились" in r["body"] and "Подпишитесь" not in r["body"]
