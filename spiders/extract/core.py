"""``extract_article``: the layered extractor used by the crawl, ``newsradar extract`` and
``newsradar eval``. Pure and picklable (a module-level function; compiled things are cached at
module level), so the crawl can run it in a process pool."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html
from lxml import etree
from parsel import Selector

from newsradar.schema import DATE_SOURCES
from spiders.extract import body as body_mod
from spiders.extract.dates import _MONTH_ALT, FoundDate, find_text_dates, parse_structured_date, url_date
from spiders.extract.decode import decode_html
from spiders.extract.fingerprint import content_hash, simhash
from spiders.extract.language import identify
from spiders.extract.structured import (
    LISTING_TYPES,
    first_meta,
    parse_jsonld,
    parse_meta,
    parse_microdata,
    pick_article,
)
from spiders.extract.titles import clean_title

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "newsradar/1"
MIN_ARTICLE_WORDS = 60
PRECISION_KEEP = 0.5

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "date",
    "datepublished",
    "article.published",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
    "release_date",
    "og:pubdate",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "datemodified",
    "article.updated",
    "lastmod",
)

_VIEWS_RE = [
    re.compile(
        r"(?:\bviews?|просмотр(?:ов|ы|а)?|прочтени\w*|baxış(?:ların sayı|lar)?)\s*[:\-]?\s*"
        r"(\d{1,3}(?:[\s\u00a0.,]\d{3})+|\d+)(?![\d.,]*\d)",
        re.I,
    ),
    re.compile(r"(?<![\d.,])(\d{1,3}(?:[\s\u00a0.,]\d{3})+|\d+)\s*(?:views|просмотр(?:ов|а)?)\b", re.I),
]
_SECTION_XPATH = (
    "//*[contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'categor')"
    " or contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'rubric')"
    " or contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'kicker')"
    " or contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'section-name')"
    " or contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'section-label')"
    " or contains(translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'eyebrow')]"
)
_HTML_PARSER = lxml.html.HTMLParser(
    collect_ids=False, remove_comments=True, remove_pis=True, default_doctype=False
)
_DATE_CHARS = re.compile(
    r"[\d\s:.,/|\-–—]+|\b(?:at|on|published|updated|posted|am|pm|gmt|utc|" + _MONTH_ALT + r")\b", re.I
)
_GENERIC_SECTIONS = {
    "home",
    "homepage",
    "home page",
    "front page",
    "frontpage",
    "main",
    "all",
    "index",
    "главная",
    "главная страница",
    "все",
    "ana səhifə",
}
_UPDATED = re.compile(
    r"(?:updated|modified|last edited|обновлено|изменено|оновлено|yeniləndi|mis à jour|actualizado"
    r"|aggiornato|aktualisiert)\W*(?:on|at|:)?\s*$",
    re.I,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "select", "option"}
_ALLCAPS = re.compile(r"^[^\W\d_][^\W\d_\s&/-]*(?:[\s&/-]+[^\W\d_]+)*$")


# --------------------------------------------------------------------------------------------------
# helpers


def _tz_of(source, hints: Mapping | None) -> tzinfo:
    tz = (hints or {}).get("timezone")
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str) and tz:
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r in hints; using UTC", tz)
    if source is not None:
        return source.tz
    return UTC


def _parse_tree(text: str) -> etree._Element | None:
    text = _CONTROL.sub("", text.lstrip("\ufeff"))
    if not text.strip():
        return None
    # lxml refuses str input with an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return lxml.html.document_fromstring(text, parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _select(sel: Selector, query: str) -> list[str]:
    """Texts matched by a CSS (``::text`` allowed) or XPath (leading ``/`` or ``(``) selector."""
    try:
        results = sel.xpath(query) if query.lstrip().startswith(("/", "(")) else sel.css(query)
    except Exception as exc:  # a bad selector in sources.yaml must not kill the crawl
        log.warning("bad selector %r: %s", query, exc)
        return []
    out = []
    for r in results:
        if isinstance(r.root, str):
            t = r.root
        else:
            t = " ".join(r.xpath(".//text()").getall())
        t = re.sub(r"\s+", " ", t).strip()
        if t:
            out.append(t)
    return out


def _select_elements(sel: Selector, query: str) -> list:
    try:
        results = sel.xpath(query) if query.lstrip().startswith(("/", "(")) else sel.css(query)
    except Exception as exc:
        log.warning("bad selector %r: %s", query, exc)
        return []
    return [r.root for r in results if not isinstance(r.root, str)]


def _visible_text(root: etree._Element, anchor: etree._Element | None) -> tuple[str, int]:
    """The page's visible text in document order, and the offset where ``anchor`` begins."""
    parts: list[str] = []
    size = 0
    anchor_pos = -1

    def walk(node):
        nonlocal size, anchor_pos
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag.lower() not in _SKIP_TEXT_TAGS and not _is_caption(node):
            if node is anchor:
                anchor_pos = size
            block = tag in body_mod._BLOCK_TAGS or tag in ("time", "span", "a")
            if block:
                parts.append("\n")
                size += 1
            if node.text:
                parts.append(node.text)
                size += len(node.text)
            for child in node:
                walk(child)
            if block:
                parts.append("\n")
                size += 1
        if node.tail and node is not root:
            parts.append(node.tail)
            size += len(node.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    return "".join(parts), anchor_pos


def _canonical_link(tree: etree._Element, url: str) -> str | None:
    for link in tree.xpath("//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = link.get("href").strip()
            return urljoin(url, href) if href else None
    return None


def _mostly_links(body: str, tree: etree._Element) -> bool:
    """A listing page's "body" is a column of linked headlines: most of its lines are link texts."""
    lines = [ln for ln in body.splitlines() if len(ln.split()) >= 3]
    if len(lines) < 5:
        return False
    anchors = {re.sub(r"\s+", " ", a.text_content()).strip().casefold() for a in tree.iter("a")}
    anchors.discard("")
    anchors = {a for a in anchors if len(a.split()) >= 3}
    linked = sum(1 for ln in lines if any(ln.lstrip("-•* ").casefold().startswith(a) for a in anchors))
    return linked >= 0.5 * len(lines)


def _is_site_name(text: str, site_names: list[str], domain: str) -> bool:
    key = re.sub(r"\W+", "", text).casefold()
    names = [*site_names, domain, domain.split(".")[0] if domain else ""]
    return any(key == re.sub(r"\W+", "", n).casefold() for n in names if n)


def _is_caption(node) -> bool:
    if node.tag == "figcaption":
        return True
    cls = node.get("class")
    return bool(cls) and "caption" in cls.lower()


def _norm_section(s: str | None) -> str | None:
    if not s:
        return None
    s = re.sub(r"\s+", " ", s).strip(" /|>»›-")
    if not s or len(s) > 60:
        return None
    if s.isupper() and _ALLCAPS.match(s):
        s = " ".join(w.capitalize() for w in s.split(" "))
    return s


def _clean_author(name: str) -> str | None:
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"^(?:by|автор|author|written by)\s*[:\-]?\s+", "", name, flags=re.I).strip(" ,;|")
    if not name or len(name) > 80 or name.startswith(("http://", "https://")):
        return None
    return name


def _dedupe(items) -> list:
    seen, out = set(), []
    for it in items:
        key = it.casefold() if isinstance(it, str) else it
        if it and key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _views_int(s: str) -> int | None:
    digits = re.sub(r"[^\d]", "", s)
    if not digits or len(digits) > 12:
        return None
    return int(digits)


def _wc(text: str) -> int:
    return len(re.findall(r"\w+", text))


# --------------------------------------------------------------------------------------------------
# the extractor


def extract_article(
    html: bytes | str, url: str, *, source=None, headers: Mapping | None = None, hints: Mapping | None = None
) -> dict:
    """Extract one article page into the extraction fields of the article record (see
    docs/architecture.md and docs/extraction.md). Never raises on bad markup: an unparseable page
    gives an empty record with ``is_article`` false."""
    hints = hints or {}
    tz = _tz_of(source, hints)
    overrides = source.overrides if source is not None else None
    layers: list[str] = []
    text, _encoding = decode_html(html, headers)
    tree = _parse_tree(text)
    host = (urlsplit(url).hostname or "").lower()
    domain = host[4:] if host.startswith("www.") else host
    if tree is None:
        return _record(url=url, domain=domain, hints=hints, tz=tz, extractor=f"{EXTRACTOR_VERSION} empty")

    sel = Selector(root=tree, type="html")
    ld = parse_jsonld(tree)
    canonical_link = _canonical_link(tree, url)
    art = pick_article(ld, url, canonical_link)
    meta = parse_meta(tree)
    micro = parse_microdata(tree)
    if art is not None:
        layers.append("jsonld")
    if any(k.startswith(("og:", "article:", "parsely-", "dc.", "dcterms.")) for k in meta):
        layers.append("meta")
    if micro:
        layers.append("microdata")

    # ---- title
    h1s = tree.xpath("//body//h1")
    h1_el = None
    for h in h1s:
        if _wc(h.text_content()) >= 2:
            h1_el = h
            break
    h1_text = re.sub(r"\s+", " ", h1_el.text_content()).strip() if h1_el is not None else None
    site_names = _dedupe(
        [
            *meta.get("og:site_name", []),
            *meta.get("application-name", []),
            *ld.site_names,
            *([art.publisher] if art and art.publisher else []),
            *([source.name] if source is not None else []),
        ]
    )
    title = None
    if overrides and overrides.title:
        got = _select(sel, overrides.title)
        title = got[0] if got else None
        if title:
            layers.append("override")
            els = _select_elements(sel, overrides.title)
            if els:
                h1_el = els[0]
    if not title:
        title_el = tree.find(".//title")
        raw_title = title_el.text_content() if title_el is not None else None
        for cand in (
            art.headline if art else None,
            first_meta(meta, "og:title", "twitter:title", "parsely-title", "dc.title", "title"),
            h1_text,
            raw_title,
        ):
            if cand and cand.strip():
                title = cand
                break
        title = clean_title(title, site_names=site_names, domain=domain, headline=h1_text)

    # ---- per-source selectors are read before `strip` removes anything
    ov: dict[str, list[str]] = {}
    if overrides:
        for name in ("date", "section", "byline", "views"):
            query = getattr(overrides, name)
            ov[name] = _select(sel, query) if query else []
    if overrides and overrides.strip:
        for query in overrides.strip:
            for el in _select_elements(sel, query):
                if el.getparent() is not None:
                    el.drop_tree()

    # ---- visible text around the headline (dates, views)
    page_text, anchor = _visible_text(tree, h1_el)
    if anchor < 0:
        head_text = page_text[:4000]
    else:
        head_text = page_text[max(0, anchor - 400) : anchor + 2500]

    def date_only(line: str) -> bool:
        found = find_text_dates(line, tz, limit=1)
        if not found:
            return False
        stripped = re.sub(r"[\d\s:.,/|\-–—]+", " ", line).strip()
        return len(stripped.split()) <= 3

    # ---- body
    body = ""
    body_layer = None
    if overrides and overrides.body:
        els = _select_elements(sel, overrides.body)
        if els:
            body = "\n".join(body_mod.element_text(el) for el in els)
            body_layer = "override"
    if not body:
        # precision mode drops more furniture; when it loses half of the text it dropped real
        # paragraphs too, and the default mode is closer (measured on articles_zyte: docs/extraction.md)
        # The default pass is skipped when precision mode already kept half of all visible words:
        # the default output cannot be twice as long then.
        traf = body_mod.trafilatura_text(tree, url, favor_precision=True)
        kept = _wc(traf)
        if kept < PRECISION_KEEP * _wc(page_text):
            default = body_mod.trafilatura_text(tree, url)
            if kept < PRECISION_KEEP * _wc(default):
                traf = default
        ld_body = body_mod.html_fragment_text(art.body) if art and art.body else ""
        if (
            ld_body
            and _wc(ld_body) >= max(40, 0.7 * _wc(traf))
            and not ld_body.rstrip().endswith(("...", "…"))
        ):
            body, body_layer = ld_body, "jsonld-body"
        elif traf:
            body, body_layer = traf, "trafilatura"
        elif micro.get("articlebody"):
            body, body_layer = micro["articlebody"], "microdata-body"
    body = body_mod.clean_body(body, date_only=date_only) if body else ""
    body = _drop_leading_title(body, [title, h1_text, art.headline if art else None])
    if body_layer:
        layers.append(body_layer if body_layer != "override" else "override")

    # ---- dates
    published: FoundDate | None = None
    date_source = None
    formats = list(overrides.date_formats) if overrides else []
    if ov.get("date"):
        for t in ov["date"]:
            published = parse_structured_date(t, tz, formats) or _first_text_date(t, tz)
            if published:
                date_source = "page_text"
                break
    candidates: list[tuple[str, FoundDate]] = []
    if art:
        d = parse_structured_date(art.date_published or art.date_created, tz, formats)
        if d:
            candidates.append(("jsonld", d))
    if micro.get("datepublished"):
        d = parse_structured_date(micro["datepublished"], tz, formats)
        if d:
            candidates.append(("microdata", d))
    mp = first_meta(meta, *PUBLISHED_META)
    if mp:
        d = parse_structured_date(mp, tz, formats)
        if d:
            candidates.append(("meta", d))
    text_date = _page_date(tree, head_text, tz, formats)
    if published is None:
        chosen = _decide_published(candidates, text_date, url_date(url), hints, tz, tree, url)
        if chosen:
            date_source, published = chosen
    if date_source == "page_text" or date_source == "url":
        layers.append(date_source)

    modified = None
    md = (art and parse_structured_date(art.date_modified, tz, formats)) or None
    if md is None and micro.get("datemodified"):
        md = parse_structured_date(micro["datemodified"], tz, formats)
    if md is None:
        mm = first_meta(meta, *MODIFIED_META)
        md = parse_structured_date(mm, tz, formats) if mm else None
    if md is not None:
        modified = md.value
    elif (hint_mod := _hint_date(hints.get("modified_at"), tz)) is not None:
        modified = hint_mod.value

    # ---- section, authors, tags, image, views
    section = None
    if ov.get("section"):
        got = ov["section"]
        section = got[0] if got else None
    section = (
        section
        or (art.section if art else None)
        or first_meta(meta, "article:section", "parsely-section", "og:article:section", "section", "category")
        or micro.get("articlesection")
        or _section_from_markup(tree, h1_text)
    )
    section = _norm_section(section)
    if section and (section.casefold() in _GENERIC_SECTIONS or _is_site_name(section, site_names, domain)):
        section = None  # "Homepage", "All", or the site's own name: not a section

    authors: list[str] = []
    if ov.get("byline"):
        authors = list(ov["byline"])
    if not authors and art:
        authors = list(art.authors)
    if not authors and micro.get("author"):
        authors = [micro["author"]]
    if not authors:
        authors = [
            a
            for a in (
                meta.get("author", [])
                + meta.get("article:author", [])
                + meta.get("parsely-author", [])
                + meta.get("dc.creator", [])
            )
            if not a.startswith("http")
        ]
    authors = _dedupe(a for a in (_clean_author(x) for x in authors) if a)

    tags = list(art.keywords) if art and art.keywords else []
    if not tags:
        tags = meta.get("article:tag", []) or [
            t.strip()
            for v in meta.get("parsely-tags", []) + meta.get("news_keywords", [])
            for t in v.split(",")
        ]
    tags = _dedupe(t.strip() for t in tags if t and t.strip() and len(t) <= 80)

    image = first_meta(meta, "og:image", "og:image:url", "og:image:secure_url", "twitter:image") or (
        art.image if art else None
    )
    image = urljoin(url, image) if image else None

    views = None
    if ov.get("views"):
        for t in ov["views"]:
            m = re.search(overrides.views_regex, t)
            if m:
                views = _views_int(m.group(1) if m.groups() else m.group(0))
                if views is not None:
                    break
    if views is None:
        for pat in _VIEWS_RE:
            m = pat.search(head_text)
            if m:
                views = _views_int(m.group(1))
                break

    # ---- canonical URL, subtitle, language
    canonical = canonical_link or first_meta(meta, "og:url") or (art.url if art else None) or url
    subtitle = (
        (art.alternative_headline if art else None)
        or (art.description if art else None)
        or first_meta(meta, "og:description", "description", "twitter:description")
    )
    if subtitle:
        subtitle = re.sub(r"\s+", " ", subtitle).strip() or None
        if subtitle and title and subtitle.casefold() == title.casefold():
            subtitle = None
    declared = (
        tree.get("lang")
        or tree.get("xml:lang")
        or first_meta(meta, "og:locale", "content-language", "language", "dc.language")
        or (art.language if art else None)
    )
    allowed = list(source.languages) if source is not None else None
    language = identify(f"{title or ''}\n{body}", allowed=allowed, declared=declared)

    # ---- is it an article?
    word_count = _wc(body)
    og_type = (first_meta(meta, "og:type") or "").lower()
    typed = art is not None or og_type.startswith("article") or "articlebody" in micro
    path = urlsplit(url).path
    listing = (
        (not typed and bool(ld.types & LISTING_TYPES))
        or path in ("", "/")
        or (not typed and (len(tree.xpath("//h2/a | //h3/a | //h4/a")) >= 12 or _mostly_links(body, tree)))
    )
    is_article = word_count >= MIN_ARTICLE_WORDS and (typed or published is not None) and not listing

    return _record(
        url=url,
        canonical_url=canonical,
        domain=domain,
        language=language,
        title=title,
        subtitle=subtitle,
        body=body,
        authors=authors,
        section=section,
        tags=tags,
        published=published,
        modified_at=modified,
        date_source=date_source if published else None,
        image_url=image,
        views=views,
        is_article=is_article,
        hints=hints,
        tz=tz,
        extractor=f"{EXTRACTOR_VERSION} {'+'.join(_dedupe(layers)) or 'none'}",
    )


def _drop_leading_title(body: str, titles: list[str | None]) -> str:
    """trafilatura often repeats the headline as the first body line: the body is the text after it."""
    first, _, rest = body.partition("\n")
    key = re.sub(r"\W+", "", first).casefold()
    for t in titles:
        if t and key and re.sub(r"\W+", "", t).casefold() == key:
            return rest.lstrip()
    return body


def _decide_published(
    candidates: list[tuple[str, FoundDate]],
    text_date: FoundDate | None,
    u_day,
    hints: Mapping,
    tz: tzinfo,
    tree: etree._Element,
    url: str,
) -> tuple[str, FoundDate] | None:
    """Choose the publication date from the evidence, strongest first: structured data (JSON-LD,
    microdata, meta), then feed/sitemap hints, the date printed near the headline, htmldate's search
    of the page, and the URL. Structured values are checked against the visible date and the URL."""
    chosen: tuple[str, FoundDate] | None = None
    if candidates:
        chosen = candidates[0]
        days = {d.value.date() for _, d in candidates}
        if len(days) > 1:
            # the structured sources disagree: the one the page or the URL confirms, else the earliest
            witness = [w for w in (text_date.value.date() if text_date else None, u_day) if w]
            confirmed = [c for c in candidates if c[1].value.date() in witness]
            chosen = confirmed[0] if confirmed else min(candidates, key=lambda c: c[1].value)
        if text_date and u_day and chosen[1].value.date() != u_day and text_date.value.date() == u_day:
            # contradicted by both the visible date and the URL: trust the page
            return "page_text", text_date
        if text_date and text_date.has_time and not text_date.explicit_tz:
            chosen = (chosen[0], _localise(chosen[1], text_date))
        if chosen[1].value.utcoffset() == timedelta(0) and chosen[1].has_time:
            # a UTC instant says nothing of the local day; a day printed or put in the URL by the
            # outlet does: show the instant in the nearest offset that falls on that day
            local_days = [d.value.date() for _, d in candidates if not d.has_time]
            local_days += [text_date.value.date()] if text_date and not text_date.explicit_tz else []
            local_days += [u_day] if u_day else []
            agree = chosen[1].value.date() in local_days or (
                text_date is not None
                and text_date.explicit_tz
                and text_date.value.date() == chosen[1].value.date()
            )
            for day in [] if agree else local_days:
                shifted = _shift_to_day(chosen[1], day)
                if shifted is not None:
                    chosen = (chosen[0], shifted)
                    break
        return chosen
    hint_pub = _hint_date(hints.get("published_at"), tz)
    if hint_pub is not None:
        source = str(hints.get("date_source") or "feed")
        return (source if source in DATE_SOURCES else "feed"), hint_pub
    if text_date:
        return "page_text", text_date
    found = _htmldate(tree, url, tz)
    if found:
        return "page_text", found
    if u_day:
        return "url", FoundDate(datetime(u_day.year, u_day.month, u_day.day, tzinfo=tz), False, False)
    return None


def _hint_date(value: object, tz: tzinfo) -> FoundDate | None:
    """A feed / sitemap date handed over in ``hints``: an aware datetime (naive: the outlet's zone)
    or an ISO 8601 string."""
    if isinstance(value, datetime):
        return FoundDate(value if value.tzinfo else value.replace(tzinfo=tz), True, value.tzinfo is not None)
    if isinstance(value, str):
        return parse_structured_date(value, tz)
    return None


def _localise(structured: FoundDate, shown: FoundDate) -> FoundDate:
    """A structured instant and the same moment printed on the page as local wall time give the
    page's own UTC offset: keep the instant, express it in that offset."""
    if not structured.has_time or not structured.explicit_tz:
        return structured
    wall = shown.value.replace(tzinfo=None)
    utc = structured.value.astimezone(UTC).replace(tzinfo=None)
    delta = (wall - utc).total_seconds()
    if abs(delta) > 14 * 3600:
        return structured
    minutes = round(delta / 60)
    if abs(delta / 60 - minutes) > 0.05 or minutes % 15 > 2 and minutes % 15 < 13:
        return structured
    offset = timezone(timedelta(minutes=round(minutes / 15) * 15))
    if structured.value.utcoffset() == offset.utcoffset(None):
        return structured
    return FoundDate(structured.value.astimezone(offset), True, True, structured.start)


def _shift_to_day(found: FoundDate, day) -> FoundDate | None:
    utc = found.value.astimezone(UTC)
    if utc.date() == day:
        return None
    for hours in range(1, 13):
        for sign in (1, -1):
            tz = timezone(timedelta(hours=sign * hours))
            if utc.astimezone(tz).date() == day:
                return FoundDate(utc.astimezone(tz), True, True, found.start)
    return None


def _htmldate(tree: etree._Element, url: str, tz: tzinfo) -> FoundDate | None:
    """htmldate's extensive search (markup, text patterns) when our own layers found nothing.
    A bare January 1st is its reading of a lone year (a copyright line): not a publication date."""
    import htmldate

    try:
        day = htmldate.find_date(copy.deepcopy(tree), extensive_search=True, original_date=True)
    except Exception as exc:  # htmldate raises on odd markup; a miss is not an error
        log.debug("htmldate failed on %s: %s", url, exc)
        return None
    if not day or day.endswith("-01-01"):
        return None
    try:
        d = datetime.strptime(day[:10], "%Y-%m-%d").replace(tzinfo=tz)
    except ValueError:
        return None
    return FoundDate(d, False, False)


def _first_text_date(text: str, tz: tzinfo) -> FoundDate | None:
    found = find_text_dates(text, tz, limit=1)
    return found[0] if found else None


def _page_date(tree: etree._Element, head_text: str, tz: tzinfo, formats: list[str]) -> FoundDate | None:
    """The date printed near the headline: a ``<time datetime>`` in the article, else the first date
    in the text around the headline."""
    for t in tree.xpath("//time[@datetime]"):
        anc = " ".join((a.get("class") or "") + " " + (a.get("id") or "") for a in t.iterancestors()).lower()
        if any(w in anc for w in ("related", "sidebar", "comment", "footer", "teaser", "card", "widget")):
            continue
        d = parse_structured_date(t.get("datetime"), tz, formats)
        if d:
            return d
    found = find_text_dates(head_text, tz, limit=8)
    # a date printed with a time is the article's stamp more often than a bare date (captions, widgets)
    if not found:
        return None

    def standalone(f: FoundDate) -> bool:
        # a date that is (nearly) the whole line is a stamp; one inside a sentence is a mention
        start = head_text.rfind("\n", 0, f.start) + 1
        end = head_text.find("\n", f.start)
        line = head_text[start : end if end >= 0 else len(head_text)]
        rest = _DATE_CHARS.sub(" ", line)
        return len(rest.split()) <= 4

    # a date printed with a time, then a standalone date, then the first date: captions and
    # related-story widgets mention dates, the article's own stamp stands alone or carries a time
    def updated(f: FoundDate) -> bool:
        return bool(_UPDATED.search(head_text[max(0, f.start - 25) : f.start]))

    return min(found, key=lambda f: (updated(f), not f.has_time, not standalone(f), f.start))


def _section_from_markup(tree: etree._Element, h1_text: str | None) -> str | None:
    for el in tree.xpath(_SECTION_XPATH)[:20]:
        if el.tag in ("body", "html", "article", "main", "section") or el.xpath(".//h1"):
            continue
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if (
            text
            and len(text.split()) <= 4
            and len(text) <= 40
            and text != h1_text
            and not re.search(r"\d{2}", text)
        ):
            return text
    return None


def _record(
    *,
    url: str,
    domain: str,
    hints: Mapping,
    tz: tzinfo,
    extractor: str,
    canonical_url: str | None = None,
    language=None,
    title=None,
    subtitle=None,
    body: str = "",
    authors=None,
    section=None,
    tags=None,
    published: FoundDate | None = None,
    modified_at: datetime | None = None,
    date_source=None,
    image_url=None,
    views=None,
    is_article: bool = False,
) -> dict:
    published_at = published.value.astimezone(UTC) if published else None
    local = published.value if published else None
    if modified_at is not None:
        modified_at = modified_at.astimezone(UTC)
        if published_at and modified_at < published_at - timedelta(minutes=1):
            modified_at = None  # a "modified" before publication is noise
    return {
        "url": url,
        "canonical_url": canonical_url or url,
        "domain": domain,
        "language": language,
        "title": title or None,
        "subtitle": subtitle,
        "body": body,
        "authors": authors or [],
        "section": section,
        "tags": tags or [],
        "published_at": published_at,
        "published_at_local": local.isoformat() if local else None,
        "modified_at": modified_at,
        "date_source": date_source,
        "content_hash": content_hash(body) if body else None,
        "simhash": simhash(body) if body else None,
        "word_count": _wc(body),
        "image_url": image_url,
        "views": views,
        "extractor": extractor,
        "is_article": is_article,
    }
