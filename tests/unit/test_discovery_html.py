"""Discovery from HTML: advertised feeds, listing links, "next" pagination."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.discovery import alternate_feeds, listing_links, next_page_link

PAGE = (Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "html_page.html").read_bytes()
URL = "https://outlet.example.com/world/"


def test_alternate_feeds_types_base_href_dedupe_and_comment_feeds():
    assert alternate_feeds(PAGE, URL) == [
        "https://outlet.example.com/rss/world.xml",
        "https://outlet.example.com/atom.xml",  # rel case-insensitive, type with parameters
        "https://outlet.example.com/world/feed.json",  # relative, resolved on <base href>
    ]
    assert alternate_feeds(PAGE.decode(), URL) == alternate_feeds(PAGE, URL)


def test_alternate_feeds_empty_and_junk():
    assert alternate_feeds(b"", URL) == []
    assert alternate_feeds("<p>no head at all", URL) == []
    assert (
        alternate_feeds('<link rel="alternate" type="application/rss+xml" href="javascript:x()">', URL) == []
    )


def test_listing_links_absolute_fragment_free_deduped_http_only():
    links = listing_links(PAGE, URL)
    assert links == [
        "https://outlet.example.com/",
        "https://outlet.example.com/world/",
        "https://outlet.example.com/world/2025/11/27/talks-in-istanbul.html",
        "https://outlet.example.com/world/2025/11/26/kremlin-reacts.html",
        "https://cdn.example.com/world/2025/11/25/photo-story.html",
        "https://outlet.example.com/world/?page=2",
    ]


def test_listing_links_decodes_by_meta_charset():
    html = '<meta charset="windows-1251"><a href="/новости/1">Новости</a>'.encode("cp1251")
    assert listing_links(html, "https://r.example.ru/") == ["https://r.example.ru/новости/1"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("a.pagination__next", "https://outlet.example.com/world/?page=2"),
        ("a.pagination__next::attr(href)", "https://outlet.example.com/world/?page=2"),
        ("//div[@class='pagination']/a[last()]/@href", "https://outlet.example.com/world/?page=2"),
        ("//div[@class='pagination']/a[last()]", "https://outlet.example.com/world/?page=2"),
        (
            ".pagination",
            "https://outlet.example.com/world/?page=2",
        ),  # container: its first link that moves on
        ("a.does-not-exist", None),
    ],
)
def test_next_page_link_with_selector(selector, expected):
    assert next_page_link(PAGE, URL, selector) == expected


def test_next_page_link_heuristics():
    assert next_page_link(PAGE, URL) == "https://outlet.example.com/world/page/2/"  # <link rel=next> first
    html = '<a href="/a">Главная</a><div class="pager"><a href="/news?p=3">Следующая</a></div>'
    assert next_page_link(html, "https://r.example.ru/news?p=2") == "https://r.example.ru/news?p=3"
    html = '<a href="/page/4/" aria-label="Next page">›</a>'
    assert next_page_link(html, "https://x.example.com/page/3/") == "https://x.example.com/page/4/"
    assert next_page_link('<a href="/about">About</a>', "https://x.example.com/") is None


def test_next_page_link_ignores_link_to_current_page():
    html = '<a class="next" href="https://x.example.com/list#top">Next</a>'
    assert next_page_link(html, "https://x.example.com/list") is None


@pytest.mark.parametrize("selector", ["a[href", "//a[", "a::nonsense"])
def test_next_page_link_bad_selector(selector):
    with pytest.raises(ValueError, match="invalid pagination selector"):
        next_page_link(PAGE, URL, selector)
