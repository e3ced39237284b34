"""Templates of the demo newsroom: every page, feed and sitemap, rendered from the model.

One :class:`Site` per outlet. ``Site.respond(path)`` returns ``(status, content_type, body)``;
bytes depend only on the model and the base URL, so the same seed serves the same bytes.

Markup differs by outlet on purpose (see ``generator.OUTLETS``): the caliber-like outlet prints
everything as page text with chrome around it; the others carry JSON-LD, OpenGraph, microdata or
only ``<time datetime>``.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict, deque
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

from newsradar.demo import prose
from newsradar.demo.generator import TAGS, Article, Newsroom, Outlet, Page, sections_of

HTML = "text/html; charset=utf-8"
PAGE_SIZE = 20
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# genitive month names: capitalised as the caliber-like outlet prints them, lower case elsewhere
MONTHS_RU_GEN = [
    "Января",
    "Февраля",
    "Марта",
    "Апреля",
    "Мая",
    "Июня",
    "Июля",
    "Августа",
    "Сентября",
    "Октября",
    "Ноября",
    "Декабря",
]

# Page furniture per outlet: text that appears on article pages but is not the article. None of it may
# end up in an extracted body (the e2e test checks this).
FURNITURE = {
    "baku_chronicle": [
        "Facebook",
        "Telegram",
        "YouTube",
        "Search",
        "Поиск",
        "All rights reserved",
        "Все права защищены",
        "Related articles",
        "Читайте также",
        "Views:",
        "Просмотры:",
    ],
    "meridian_post": ["Morning Briefing", "Sign up", "Most read", "Meridian Post Media LLC"],
    "harbor_herald": ["We use cookies", "Share this story", "More from Harbor Herald", "Harbor Herald Ltd"],
    "nevsky_vestnik": ["Подписывайтесь на наш канал", "Читайте также", "При использовании материалов"],
    "steppe_wire": ["Previous story", "Next story", "Licensed for redistribution"],
}


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def iso_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def caliber_date(dt: datetime, lang: str) -> str:
    """``30 November 2025 10:10`` / ``07 Апреля 2021 09:31``: local time, no zone printed."""
    month = (MONTHS_EN if lang == "en" else MONTHS_RU_GEN)[dt.month - 1]
    return f"{dt:%d} {month} {dt:%Y} {dt:%H:%M}"


class Site:
    """The pages of one outlet, served from ``base_url`` (``http://127.0.0.21:PORT``)."""

    def __init__(self, room: Newsroom, outlet: Outlet, base_url: str):
        self.room = room
        self.outlet = outlet
        self.base = base_url.rstrip("/")
        self.articles = sorted(room.articles_of(outlet.id), key=lambda a: (a.published_utc, a.idx))
        self.embargoed = [a for a in room.articles_of(outlet.id, include_embargoed=True) if a.embargoed]
        self.by_path: dict[str, Article] = {a.path: a for a in self.articles + self.embargoed}
        self.pages: dict[str, Page] = {p.path: p for p in room.pages if p.outlet == outlet.id}
        self.related = self._related()
        self.position = {a.path: i for i, a in enumerate(self.articles)}
        self.hits: dict[str, int] = defaultdict(int)  # filled by the server

    # ------------------------------------------------------------ routing

    def url(self, path: str) -> str:
        return self.base + path

    def respond(self, raw_path: str) -> tuple[int, str, bytes]:
        parts = urlsplit(raw_path)
        path, query = parts.path or "/", parse_qs(parts.query)
        o = self.outlet
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", self.robots().encode()
        if path in self.by_path:
            return 200, self._html_type(), self.article_page(self.by_path[path]).encode()
        if path in self.pages:
            page = self.pages[path]
            try:
                number = int(query.get("page", ["1"])[0])
            except ValueError:
                number = 0
            body = self.page(page, number)
            if body is None:
                return 404, HTML, self.not_found().encode()
            return 200, self._html_type(), body.encode()
        home = {"baku_chronicle": ("/", "/en/")}.get(o.id, ("/",))
        if path in home:
            lang = "en" if path == "/en/" or o.languages == ("en",) else "ru"
            return 200, self._html_type(), self.homepage(lang).encode()
        feeds = {
            ("baku_chronicle", "/sitemap.xml"): lambda: ("application/xml", self.urlset_sitemap().encode()),
            ("meridian_post", "/sitemap_index.xml"): lambda: (
                "application/xml",
                self.sitemap_index().encode(),
            ),
            ("harbor_herald", "/feeds/all.rss"): lambda: (
                "application/rss+xml; charset=utf-8",
                self.rss().encode(),
            ),
            ("nevsky_vestnik", "/atom.xml"): lambda: (
                "application/atom+xml; charset=utf-8",
                self.atom().encode(),
            ),
            ("steppe_wire", "/sitemap-steppe.xml"): lambda: (
                "application/xml",
                self.urlset_sitemap().encode(),
            ),
            ("steppe_wire", "/feed.json"): lambda: ("application/feed+json", self.json_feed().encode()),
        }
        if (o.id, path) in feeds:
            ctype, body = feeds[(o.id, path)]()
            return 200, ctype, body
        if o.id == "meridian_post" and path.startswith("/sitemaps/news-") and path.endswith(".xml.gz"):
            month = path.removeprefix("/sitemaps/news-").removesuffix(".xml.gz")
            if month in self._months():
                return 200, "application/x-gzip", gzip.compress(self.news_sitemap(month).encode(), mtime=0)
        return 404, HTML, self.not_found().encode()

    def _html_type(self) -> str:
        # the Russian outlet sends no charset in the header: decoders must read <meta charset>
        return "text/html" if self.outlet.id == "nevsky_vestnik" else HTML

    # ------------------------------------------------------------ discovery files

    def robots(self) -> str:
        lines = ["User-agent: *", f"Disallow: {self.outlet.disallow}", ""]
        sitemap = {
            "baku_chronicle": "/sitemap.xml",
            "meridian_post": "/sitemap_index.xml",
            "steppe_wire": "/sitemap-steppe.xml",
        }.get(self.outlet.id)
        if sitemap:
            lines.append(f"Sitemap: {self.url(sitemap)}")
        return "\n".join(lines) + "\n"

    def _newest_first(self, with_embargoed: bool = True) -> list[Article]:
        arts = self.articles + (self.embargoed if with_embargoed else [])
        return sorted(arts, key=lambda a: (a.published_utc, a.idx), reverse=True)

    def urlset_sitemap(self) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for a in self._newest_first():
            out.append(
                f"<url><loc>{xml_escape(self.url(a.path))}</loc><lastmod>{iso(a.modified)}</lastmod>"
                "<changefreq>never</changefreq></url>"
            )
        for p in self.pages.values():
            if p.kind != "listing":
                out.append(
                    f"<url><loc>{xml_escape(self.url(p.path))}</loc><changefreq>weekly</changefreq></url>"
                )
        out.append("</urlset>")
        return "\n".join(out) + "\n"

    def _months(self) -> list[str]:
        return sorted({a.published.strftime("%Y-%m") for a in self.articles + self.embargoed}, reverse=True)

    def sitemap_index(self) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for month in self._months():
            last = max(
                a.modified for a in self.articles + self.embargoed if a.published.strftime("%Y-%m") == month
            )
            out.append(
                f"<sitemap><loc>{self.url(f'/sitemaps/news-{month}.xml.gz')}</loc>"
                f"<lastmod>{iso(last)}</lastmod></sitemap>"
            )
        out.append("</sitemapindex>")
        return "\n".join(out) + "\n"

    def news_sitemap(self, month: str) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
        ]
        for a in self._newest_first():
            if a.published.strftime("%Y-%m") != month:
                continue
            out.append(
                f"<url><loc>{xml_escape(self.url(a.path))}</loc><lastmod>{iso(a.modified)}</lastmod>"
                f"<news:news><news:publication><news:name>{xml_escape(self.outlet.name)}</news:name>"
                f"<news:language>{a.lang}</news:language></news:publication>"
                f"<news:publication_date>{iso(a.published)}</news:publication_date>"
                f"<news:title>{xml_escape(a.title)}</news:title></news:news></url>"
            )
        out.append("</urlset>")
        return "\n".join(out) + "\n"

    def rss(self) -> str:
        o = self.outlet
        items = []
        for a in self._newest_first():
            cats = "".join(f"<category>{xml_escape(t)}</category>" for t in self._tags(a))
            items.append(
                f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(self.url(a.path))}</link>"
                f'<guid isPermaLink="true">{xml_escape(self.url(a.path))}</guid>'
                f"<pubDate>{format_datetime(a.published)}</pubDate>"
                f"<dc:creator>{xml_escape(a.author)}</dc:creator>{cats}"
                f"<description>{xml_escape(a.summary)}</description></item>"
            )
        last = self._newest_first()[0].published if self.articles else self.room.end_date
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{xml_escape(o.name)}</title><link>{self.url('/')}</link>"
            f"<description>{xml_escape(o.about)}</description><language>en-gb</language>"
            f'<atom:link href="{self.url("/feeds/all.rss")}" rel="self" type="application/rss+xml"/>'
            f"<lastBuildDate>{format_datetime(last)}</lastBuildDate>\n"
            + "\n".join(items)
            + "\n</channel></rss>\n"
        )

    def atom(self) -> str:
        o = self.outlet
        arts = self._newest_first()
        entries = []
        for a in arts:
            entries.append(
                f"<entry><title>{xml_escape(a.title)}</title>"
                f'<link rel="alternate" type="text/html" href="{xml_escape(self.url(a.path))}"/>'
                f"<id>{xml_escape(self.url(a.path))}</id><published>{iso(a.published)}</published>"
                f"<updated>{iso(a.modified)}</updated><author><name>{xml_escape(a.author)}</name></author>"
                f"<summary>{xml_escape(a.summary)}</summary></entry>"
            )
        updated = iso(max(a.modified for a in arts)) if arts else "2000-01-01T00:00:00Z"
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">'
            f"<title>{xml_escape(o.name)}</title><id>{self.url('/')}</id><updated>{updated}</updated>"
            f'<link rel="self" href="{self.url("/atom.xml")}"/><link rel="alternate" href="{self.url("/")}"/>\n'
            + "\n".join(entries)
            + "\n</feed>\n"
        )

    def json_feed(self) -> str:
        o = self.outlet
        items = [
            {
                "id": self.url(a.path),
                "url": self.url(a.path),
                "title": a.title,
                "summary": a.summary,
                "date_published": iso(a.published),
                "date_modified": iso(a.modified),
                "authors": [{"name": a.author}],
                "tags": self._tags(a),
            }
            for a in self._newest_first()
        ]
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": o.name,
            "home_page_url": self.url("/"),
            "feed_url": self.url("/feed.json"),
            "language": "en",
            "items": items,
        }
        return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"

    # ------------------------------------------------------------ article pages

    def article_page(self, a: Article) -> str:
        return {
            "plain": self._caliber_article,
            "jsonld": self._jsonld_article,
            "opengraph": self._og_article,
            "microdata": self._microdata_article,
            "autodiscovery": self._steppe_article,
        }[self.outlet.markup](a)

    def _tags(self, a: Article) -> list[str]:
        return [TAGS[a.lang][t] for t in a.topics]

    def _related(self) -> dict[str, list[Article]]:
        """Up to four earlier articles of the same language and main topic, newest first."""
        recent: dict[tuple[str, str], deque[Article]] = defaultdict(lambda: deque(maxlen=4))
        out: dict[str, list[Article]] = {}
        for a in self.articles:
            key = (a.lang, a.topics[0])
            out[a.path] = list(reversed(recent[key]))
            recent[key].append(a)
        return out

    def _paragraphs(self, a: Article, insert: str = "", after: int = 2) -> str:
        html = []
        for i, p in enumerate(a.paragraphs):
            html.append(f"<p>{escape(' '.join(p))}</p>")
            if insert and i + 1 == after:
                html.append(insert)
        return "\n".join(html)

    def _caliber_prefix(self, lang: str) -> str:
        return "/en" if lang == "en" else ""

    def _caliber_chrome(self, lang: str) -> str:
        pre = self._caliber_prefix(lang)
        nav = "".join(
            f'<li><a href="{pre}/category/{s}">{escape(prose.SECTION_LABELS[lang][s])}</a></li>'
            for s in sections_of(self.outlet)
        )
        search, rights = (
            (("Search", "Search the site"), "All rights reserved")
            if lang == "en"
            else (("Поиск", "Поиск по сайту"), "Все права защищены")
        )
        note = (
            "Reproduction of materials is permitted only with a hyperlink to the source."
            if lang == "en"
            else "Перепечатка материалов допускается только с гиперссылкой на источник."
        )
        return f"""<div class="topbar">
<ul class="social-links">
<li><a href="https://www.facebook.com/bakuchronicle" rel="nofollow">Facebook</a></li>
<li><a href="https://t.me/bakuchronicle" rel="nofollow">Telegram</a></li>
<li><a href="https://www.youtube.com/@bakuchronicle" rel="nofollow">YouTube</a></li>
</ul>
<form class="search-form" action="{pre}/search" method="get"><input type="text" name="q" placeholder="{search[1]}">
<button type="submit">{search[0]}</button></form>
<div class="lang-switch"><a href="/en/">EN</a> <a href="/">RU</a></div>
</div>
<header class="site-header">
<a class="logo" href="{pre}/">Baku Chronicle</a>
<ul class="main-nav">{nav}</ul>
<p class="copyright">&copy; 2016&ndash;2025 Baku Chronicle. {rights}. {note}</p>
</header>"""

    def _caliber_article(self, a: Article) -> str:
        lang, pre = a.lang, self._caliber_prefix(a.lang)
        views = f"{'Views' if lang == 'en' else 'Просмотры'}: {a.views}" if a.views is not None else ""
        related_title = "Related articles" if lang == "en" else "Читайте также"
        related = "\n".join(
            f'<li><a href="{r.path}">{escape(r.title)}</a> <span class="related-date">'
            f"{caliber_date(r.published, lang)}</span></li>"
            for r in self.related.get(a.path, [])
        )
        tags = " ".join(f'<a href="{pre}/tag/{t}">#{t}</a>' for t in self._tags(a))
        about = "About us" if lang == "en" else "О нас"
        return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(a.title)} | Baku Chronicle</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
{self._caliber_chrome(lang)}
<main class="container">
<div class="post">
<div class="post-category"><a href="{pre}/category/{a.section}">{escape(a.section_label)}</a></div>
<h1 class="post-title">{escape(a.title)}</h1>
<div class="post-meta"><span class="post-date">{caliber_date(a.published, lang)}</span>
<span class="post-views">{views}</span></div>
<div class="post-content">
{self._paragraphs(a)}
</div>
<div class="post-tags">{tags}</div>
<div class="related-posts"><h3>{related_title}</h3>
<ul>
{related}
</ul></div>
</div>
</main>
<footer class="site-footer"><a href="{pre}/about">{about}</a></footer>
</body>
</html>
"""

    def _jsonld_article(self, a: Article) -> str:
        url = self.url(a.path)
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": url,
            "headline": a.title,
            "description": a.summary,
            "datePublished": iso(a.published),
            "dateModified": iso(a.modified),
            "inLanguage": a.lang,
            "articleSection": a.section_label,
            "keywords": self._tags(a),
            "author": [{"@type": "Person", "name": a.author}],
            "publisher": {
                "@type": "Organization",
                "name": self.outlet.name,
                "logo": {"@type": "ImageObject", "url": self.url("/static/logo.png")},
            },
            "image": [self.url(f"/static/img/{a.idx}.jpg")],
        }
        most_read = "\n".join(
            f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in self.related.get(a.path, [])
        )
        newsletter = (
            '<aside class="newsletter"><strong>Morning Briefing</strong>: the day\'s top stories '
            'from Eurasia in your inbox. <a href="/newsletter">Sign up</a></aside>'
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(a.title)} &mdash; The Meridian Post</title>
<link rel="canonical" href="{url}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
<header class="masthead"><a href="/">The Meridian Post</a>
<nav><a href="/section/politics">Politics</a> <a href="/section/economy">Economy</a>
<a href="/section/sport">Sport</a> <a href="/section/culture">Culture</a></nav></header>
<main>
<article>
<p class="kicker">{escape(a.section_label)}</p>
<h1>{escape(a.title)}</h1>
<p class="byline">By {escape(a.author)}</p>
<figure><img src="/static/img/{a.idx}.jpg" alt=""></figure>
<div class="article-body">
{self._paragraphs(a, newsletter, after=2)}
</div>
</article>
<aside class="most-read"><h2>Most read</h2><ol>
{most_read}
</ol></aside>
</main>
<footer>&copy; 2025 The Meridian Post Media LLC. <a href="/about">About</a></footer>
</body>
</html>
"""

    def _og_article(self, a: Article) -> str:
        url = self.url(a.path)
        tags = "\n".join(f'<meta property="article:tag" content="{t}">' for t in self._tags(a))
        more = "\n".join(
            f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in self.related.get(a.path, [])
        )
        return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{escape(a.title)} | Harbor Herald</title>
<meta name="description" content="{escape(a.summary)}">
<meta name="author" content="{escape(a.author)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Harbor Herald">
<meta property="og:title" content="{escape(a.title)}">
<meta property="og:description" content="{escape(a.summary)}">
<meta property="og:url" content="{url}">
<meta property="og:locale" content="en_GB">
<meta property="article:published_time" content="{iso(a.published)}">
<meta property="article:modified_time" content="{iso(a.modified)}">
<meta property="article:section" content="{escape(a.section_label)}">
{tags}
<link rel="canonical" href="{url}">
<link rel="alternate" type="application/rss+xml" title="Harbor Herald" href="/feeds/all.rss">
</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header><a href="/">Harbor Herald</a></header>
<article class="story">
<h1 class="headline">{escape(a.title)}</h1>
<div class="meta">By {escape(a.author)} &middot; {a.published.day} {a.published:%b %Y}</div>
<div class="story-body">
{self._paragraphs(a)}
</div>
<div class="share">Share this story: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div>
</article>
<section class="more-stories"><h2>More from Harbor Herald</h2><ul>
{more}
</ul></section>
<footer>&copy; Harbor Herald Ltd 2025. <a href="/about">About us</a></footer>
</body>
</html>
"""

    def _microdata_article(self, a: Article) -> str:
        d = a.published
        visible = f"{d.day} {MONTHS_RU_GEN[d.month - 1].lower()} {d:%Y}, {d:%H:%M}"
        more = "\n".join(
            f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in self.related.get(a.path, [])
        )
        return f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>{escape(a.title)} &mdash; Невский вестник</title>
<link rel="alternate" type="application/atom+xml" title="Невский вестник" href="/atom.xml">
</head>
<body>
<header class="header"><a href="/">Невский вестник</a>
<nav><a href="/section/politics">Политика</a> <a href="/section/economy">Экономика</a>
<a href="/section/sport">Спорт</a> <a href="/section/culture">Культура</a></nav></header>
<div class="breadcrumbs"><a href="/">Главная</a> / <a href="/section/{a.section}">{escape(a.section_label)}</a></div>
<article itemscope itemtype="https://schema.org/NewsArticle">
<meta itemprop="datePublished" content="{iso(a.published)}">
<meta itemprop="dateModified" content="{iso(a.modified)}">
<meta itemprop="articleSection" content="{escape(a.section_label)}">
<h1 itemprop="headline">{escape(a.title)}</h1>
<div class="article-date">{visible}</div>
<div class="author" itemprop="author" itemscope itemtype="https://schema.org/Person">
<span itemprop="name">{escape(a.author)}</span></div>
<div class="article-text" itemprop="articleBody">
{self._paragraphs(a)}
</div>
</article>
<div class="subscribe">Подписывайтесь на наш канал в Telegram</div>
<div class="read-also"><h3>Читайте также</h3><ul>
{more}
</ul></div>
<footer>&copy; 2025 &laquo;Невский вестник&raquo;. При использовании материалов ссылка обязательна. 18+</footer>
</body>
</html>
"""

    def _steppe_article(self, a: Article) -> str:
        url = self.url(a.path)
        d = a.published
        hour = d.hour % 12 or 12
        visible = f"{MONTHS_EN[d.month - 1]} {d.day}, {d:%Y} at {hour}:{d:%M} {'am' if d.hour < 12 else 'pm'}"
        idx = self.position.get(a.path, -1)
        prev_a = self.articles[idx - 1] if idx > 0 else None
        next_a = self.articles[idx + 1] if 0 <= idx < len(self.articles) - 1 else None
        nav = ""
        if prev_a:
            nav += f'<div class="nav-previous">Previous story: <a href="{prev_a.path}">{escape(prev_a.title)}</a></div>'
        if next_a:
            nav += (
                f'<div class="nav-next">Next story: <a href="{next_a.path}">{escape(next_a.title)}</a></div>'
            )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(a.title)} &ndash; Steppe Wire</title>
<link rel="canonical" href="{url}">
<link rel="alternate" type="application/feed+json" title="Steppe Wire" href="/feed.json">
</head>
<body>
<header class="site-header"><a href="/">Steppe Wire</a> <a href="/about/team">Team</a></header>
<main>
<article class="entry">
<header class="entry-header">
<span class="entry-section">{escape(a.section_label)}</span>
<h1 class="entry-title">{escape(a.title)}</h1>
<p class="entry-meta">By <span class="author">{escape(a.author)}</span> &middot;
<time datetime="{iso(a.published)}">{visible}</time></p>
</header>
<div class="entry-content">
{self._paragraphs(a)}
</div>
</article>
<nav class="post-navigation">{nav}</nav>
</main>
<footer>&copy; 2025 Steppe Wire. Licensed for redistribution to subscribers only.</footer>
</body>
</html>
"""

    # ------------------------------------------------------------ other pages

    def _simple(self, lang: str, title: str, content: str) -> str:
        chrome = (
            self._caliber_chrome(lang)
            if self.outlet.markup == "plain"
            else f'<header><a href="/">{escape(self.outlet.name)}</a></header>'
        )
        alt = ""
        if self.outlet.id == "steppe_wire":
            alt = '<link rel="alternate" type="application/feed+json" title="Steppe Wire" href="/feed.json">'
        elif self.outlet.id == "harbor_herald":
            alt = '<link rel="alternate" type="application/rss+xml" title="Harbor Herald" href="/feeds/all.rss">'
        elif self.outlet.id == "nevsky_vestnik":
            alt = (
                '<link rel="alternate" type="application/atom+xml" title="Невский вестник" href="/atom.xml">'
            )
        return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{escape(title)} | {escape(self.outlet.name)}</title>
{alt}
</head>
<body>
{chrome}
<main>
<h1>{escape(title)}</h1>
{content}
</main>
</body>
</html>
"""

    def _link_list(self, arts: list[Article], with_dates: bool = True) -> str:
        items = []
        for a in arts:
            date = f' <span class="date">{caliber_date(a.published, a.lang)}</span>' if with_dates else ""
            items.append(f'<li><a href="{a.path}">{escape(a.title)}</a>{date}</li>')
        return '<ul class="news-list">\n' + "\n".join(items) + "\n</ul>"

    def homepage(self, lang: str) -> str:
        arts = [a for a in reversed(self.articles) if a.lang == lang][:30]
        links = []
        if self.outlet.markup == "plain":
            pre = self._caliber_prefix(lang)
            links.append(f'<a href="{pre}/about">{"About us" if lang == "en" else "О нас"}</a>')
        else:
            links += [
                f'<a href="{p.path}">{escape(p.title)}</a>' for p in self.pages.values() if p.kind != "tag"
            ]
        return self._simple(
            lang, self.outlet.name, self._link_list(arts) + "\n<nav>" + " ".join(links) + "</nav>"
        )

    def page(self, page: Page, number: int) -> str | None:
        if page.kind == "about":
            if number != 1:
                return None
            text = self.outlet.about
            extra = (
                "Our editors work from the newsroom every day of the week. Write to the editors "
                "with tips and corrections."
                if page.lang == "en"
                else "Редакция работает ежедневно. Присылайте новости и исправления в редакцию."
            )
            return self._simple(page.lang, page.title, f"<p>{escape(text)}</p>\n<p>{escape(extra)}</p>")
        if page.kind == "tag":
            if number != 1:
                return None
            arts = [a for a in reversed(self.articles) if a.lang == page.lang and page.tag in a.topics][
                :PAGE_SIZE
            ]
            return self._simple(page.lang, f"#{page.title}", self._link_list(arts, with_dates=False))
        # section listing, paginated (?page=N), newest first
        arts = [a for a in reversed(self.articles) if a.lang == page.lang and a.section == page.section]
        pages = max(1, -(-len(arts) // PAGE_SIZE))
        if not 1 <= number <= pages:
            return None
        chunk = arts[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        nav = []
        if number > 1:
            nav.append(f'<a class="prev" href="{page.path}?page={number - 1}">&laquo;</a>')
        if number < pages:
            nav.append(
                f'<a class="next" href="{page.path}?page={number + 1}">'
                f"{'Next page' if page.lang == 'en' else 'Следующая страница'} &raquo;</a>"
            )
        side = ""
        if self.outlet.markup == "plain":
            pre = self._caliber_prefix(page.lang)
            side = (
                '<aside class="tags">'
                + " ".join(f'<a href="{pre}/tag/{t}">#{t}</a>' for t in TAGS[page.lang].values())
                + f' <a href="{pre}/about">{"About us" if page.lang == "en" else "О нас"}</a></aside>'
            )
        return self._simple(
            page.lang,
            page.title,
            self._link_list(chunk) + '\n<div class="pagination">' + " ".join(nav) + "</div>\n" + side,
        )

    def listing_page_count(self, page: Page) -> int:
        n = sum(1 for a in self.articles if a.lang == page.lang and a.section == page.section)
        return max(1, -(-n // PAGE_SIZE))

    def not_found(self) -> str:
        return self._simple(self.outlet.languages[0], "Page not found", "<p>404</p>")
