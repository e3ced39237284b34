"""Discovery from HTML pages: ``<link rel="alternate">`` feeds, listing-page links, "next" pagination."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from w3lib.encoding import html_to_unicode

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
_COMMENT_FEED = re.compile(r"/comments?/feed/?$|[?&]feed=comments", re.I)
# Link texts that mean "the next page" on news listings, in the languages we monitor.
_NEXT_TEXTS = frozenset(
    {
        "next",
        "next page",
        "older",
        "older posts",
        "older entries",
        "›",
        "»",
        "→",
        "next ›",
        "next »",
        "next →",
        "далее",
        "следующая",
        "следующая страница",
        "вперед",
        "вперёд",
        "ещё",
        "еще",
        "показать ещё",
        "наступна",
        "наступна сторінка",
        "далі",
        "ще",
        "növbəti",
        "daha çox",
        "weiter",
        "nächste",
        "suivant",
        "suivante",
        "page suivante",
        "siguiente",
        "successivo",
    }
)
_XPATH_START = ("/", "(", "./")


# lxml refuses strings with NUL and most C0 control characters; pages sometimes carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _selector(html: bytes | str, base_url: str) -> Selector:
    if isinstance(html, bytes):
        _, html = html_to_unicode(None, html)
    html = _CONTROL.sub("", html or "")
    return Selector(text=html or "<html></html>", type="html", base_url=base_url)


def _attr(sel: Selector, name: str) -> str | None:
    """One attribute, without building the whole attribute dict (which fails on mangled names)."""
    root = sel.root
    return root.get(name) if hasattr(root, "get") else None


def _base(sel: Selector, base_url: str) -> str:
    href = sel.xpath("//base/@href").get()
    if not href or not href.strip():
        return base_url
    try:
        return urljoin(base_url, href.strip())
    except ValueError:
        return base_url


def _absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _dedupe(urls) -> list[str]:
    seen: set[str] = set()
    out = []
    for u in urls:
        if u and u not in seen:
            seen.add(u)
            out.append(u)
    return out


def alternate_feeds(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs a page advertises with ``<link rel="alternate" type="application/rss+xml|atom+xml|
    feed+json">``, absolute, in page order, comment feeds left out."""
    sel = _selector(html, base_url)
    base = _base(sel, base_url)
    found = []
    for link in sel.xpath("//link[@href]"):
        rels = (_attr(link, "rel") or "").lower().split()
        mime = (_attr(link, "type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and mime in FEED_TYPES:
            url = _absolute(_attr(link, "href"), base)
            if url and not _COMMENT_FEED.search(url):
                found.append(url)
    return _dedupe(found)


def listing_links(html: bytes | str, base_url: str) -> list[str]:
    """Every ``a[href]`` of a page: absolute, http(s) only, fragment removed, deduplicated in order."""
    sel = _selector(html, base_url)
    base = _base(sel, base_url)
    return _dedupe(_absolute(h, base) for h in sel.xpath("//a/@href").getall())


def next_page_link(html: bytes | str, base_url: str, selector: str | None = None) -> str | None:
    """The absolute URL of the next listing page, or None.

    ``selector`` is CSS (``::attr(href)`` allowed) or XPath when it starts with ``/`` or ``(``;
    it may select the link element or the URL string itself. Without one, ``rel="next"`` and
    common "next" link texts/classes are tried. A link back to the current page is ignored.
    Raises ``ValueError`` for a selector that is neither valid CSS nor XPath.
    """
    sel = _selector(html, base_url)
    base = _base(sel, base_url)
    current = urldefrag(base_url)[0]
    candidates = _select(sel, selector) if selector else _heuristic_next(sel)
    for candidate in candidates:
        url = _absolute(candidate, base)
        if url and url != current:
            return url
    return None


def _select(sel: Selector, selector: str) -> list[str]:
    try:
        if selector.lstrip().startswith(_XPATH_START):
            found = sel.xpath(selector)
        else:
            HTMLTranslator().css_to_xpath(selector)  # precise error for bad CSS before selecting
            found = sel.css(selector)
    except Exception as exc:  # parsel raises ValueError, cssselect SelectorSyntaxError, lxml XPathError
        raise ValueError(f"invalid pagination selector {selector!r}: {exc}") from None
    out = []
    for item in found:
        if isinstance(item.root, str):
            out.append(item.root)
        else:
            href = _attr(item, "href")
            out.extend([href] if href else item.xpath(".//a/@href").getall())
    return out


def _heuristic_next(sel: Selector) -> list[str]:
    out = sel.xpath(
        "//link[contains(concat(' ', normalize-space(translate(@rel, 'NEXT', 'next')), ' '), ' next ')]/@href"
    ).getall()
    out += sel.xpath(
        "//a[contains(concat(' ', normalize-space(translate(@rel, 'NEXT', 'next')), ' '), ' next ')]/@href"
    ).getall()
    for a in sel.xpath("//a[@href]"):
        text = " ".join(" ".join(a.xpath(".//text()").getall()).split()).lower()
        label = (_attr(a, "aria-label") or _attr(a, "title") or "").strip().lower()
        classes = (_attr(a, "class") or "").lower().split()
        if (
            text in _NEXT_TEXTS
            or label in _NEXT_TEXTS
            or label.startswith(("next", "следующ"))
            or "next" in classes
            or "pagination-next" in classes
        ):
            out.append(_attr(a, "href"))
    return out
