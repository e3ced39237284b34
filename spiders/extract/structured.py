"""Layers 1-3: structured metadata. JSON-LD (``@graph``, lists, nested ``mainEntity``, broken JSON
tolerated), OpenGraph / article / Parse.ly / Dublin Core ``<meta>`` tags, and microdata."""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field

from lxml import etree

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "scholarlyarticle",
    "techarticle",
    "report",
    "satiricalarticle",
    "advertisercontentarticle",
    "medicalscholarlyarticle",
    "posting",
}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "website", "profilepage"}


@dataclass
class JsonLdArticle:
    type: str = ""
    headline: str | None = None
    alternative_headline: str | None = None
    description: str | None = None
    body: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    date_created: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    image: str | None = None
    url: str | None = None
    page_url: str | None = None
    language: str | None = None
    publisher: str | None = None


@dataclass
class JsonLd:
    articles: list[JsonLdArticle] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    site_names: list[str] = field(default_factory=list)
    errors: int = 0

    @property
    def article(self) -> JsonLdArticle | None:
        return pick_article(self)


_COMMENT = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _loads(text: str) -> object | None:
    text = _COMMENT.sub("", text.strip()).strip()
    if not text:
        return None
    for attempt in range(3):
        try:
            return json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            if attempt == 0:
                text = _TRAILING_COMMA.sub(r"\1", _CTRL.sub(" ", text))
            elif attempt == 1 and exc.msg.startswith("Extra data"):
                # several objects pasted one after another: keep them all
                dec = json.JSONDecoder(strict=False)
                out, pos = [], 0
                while pos < len(text):
                    try:
                        obj, end = dec.raw_decode(text, pos)
                    except json.JSONDecodeError:
                        break
                    out.append(obj)
                    pos = end
                    while pos < len(text) and text[pos] in " \t\r\n;,":
                        pos += 1
                return out or None
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        for v in value:
            t = _text(v)
            if t:
                return t
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "text", "headline"):
            if key in value:
                return _text(value[key])
        return None
    s = html_lib.unescape(str(value)).strip()
    return s or None


def _names(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        name = _text(item.get("name") if isinstance(item, dict) else item)
        if name and not name.startswith("http"):
            out.extend(n.strip() for n in re.split(r"\s*(?:,|;| and | и )\s*", name) if n.strip())
    return out


def _image(value: object) -> str | None:
    if isinstance(value, list):
        for v in value:
            img = _image(v)
            if img:
                return img
        return None
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _page_url(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        v = value.get("@id") or value.get("url")
        return v if isinstance(v, str) else None
    return None


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t.lower().split("/")[-1].split(":")[-1]]
    if isinstance(t, list):
        return [str(x).lower().split("/")[-1].split(":")[-1] for x in t]
    return []


def _walk(node: object, out: list[dict], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart", "item"):
            if key in node and isinstance(node[key], dict | list):
                _walk(node[key], out, depth + 1)


def parse_jsonld(tree: etree._Element) -> JsonLd:
    result = JsonLd()
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _loads(script.text or "")
        if data is None:
            if (script.text or "").strip():
                result.errors += 1
            continue
        _walk(data, objects)
    for obj in objects:
        types = _types(obj)
        result.types.update(types)
        if "website" in types or "organization" in types or "newsmediaorganization" in types:
            name = _text(obj.get("name"))
            if name and "website" in types:
                result.site_names.append(name)
        if not any(t in ARTICLE_TYPES for t in types):
            continue
        section = obj.get("articleSection")
        keywords = obj.get("keywords")
        if isinstance(keywords, str):
            keywords = [k.strip() for k in re.split(r"[,;]", keywords) if k.strip()]
        elif isinstance(keywords, list):
            keywords = [k for k in (_text(k) for k in keywords) if k]
        else:
            keywords = []
        publisher = obj.get("publisher")
        result.articles.append(
            JsonLdArticle(
                type=next(t for t in types if t in ARTICLE_TYPES),
                headline=_text(obj.get("headline")) or _text(obj.get("name")),
                alternative_headline=_text(obj.get("alternativeHeadline")),
                description=_text(obj.get("description")),
                body=_text(obj.get("articleBody")) or _text(obj.get("text")),
                date_published=_text(obj.get("datePublished")),
                date_modified=_text(obj.get("dateModified")),
                date_created=_text(obj.get("dateCreated")),
                authors=_names(obj.get("author") or obj.get("creator")),
                section=_text(section),
                keywords=keywords,
                image=_image(obj.get("image") or obj.get("thumbnailUrl")),
                url=_text(obj.get("url")) if isinstance(obj.get("url"), str) else None,
                page_url=_page_url(obj.get("mainEntityOfPage")),
                language=_text(obj.get("inLanguage")),
                publisher=_text(publisher.get("name")) if isinstance(publisher, dict) else _text(publisher),
            )
        )
    return result


def _url_key(url: str | None) -> str:
    if not url:
        return ""
    u = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().lower())
    return re.split(r"[?#]", u, maxsplit=1)[0].rstrip("/")


def pick_article(ld: JsonLd, *urls: str | None) -> JsonLdArticle | None:
    """The page's own article: the one whose ``url`` / ``mainEntityOfPage`` is this page, else the
    first in document order (parents come before the updates or related items they contain), with a
    dated, titled one preferred over an empty stub."""
    if not ld.articles:
        return None
    keys = {_url_key(u) for u in urls if u}
    keys.discard("")
    for art in ld.articles:
        if keys & {_url_key(art.url), _url_key(art.page_url)} - {""}:
            return art
    for art in ld.articles:
        if art.date_published and art.headline:
            return art
    return ld.articles[0]


def parse_meta(tree: etree._Element) -> dict[str, list[str]]:
    """All ``<meta name|property|itemprop=... content=...>`` values, keys lower-cased."""
    meta: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if not key or content is None:
            continue
        content = html_lib.unescape(content).strip()
        if content:
            meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def first_meta(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return None


_MICRO_KEYS = (
    "datepublished",
    "datemodified",
    "datecreated",
    "headline",
    "articlebody",
    "author",
    "articlesection",
    "alternativeheadline",
)


def parse_microdata(tree: etree._Element) -> dict[str, str]:
    """The first value of each article ``itemprop`` (content / datetime attribute or text)."""
    out: dict[str, str] = {}
    for el in tree.xpath("//*[@itemprop]"):
        if el.tag == "meta":
            continue  # already read as meta
        for prop in (el.get("itemprop") or "").lower().split():
            if prop not in _MICRO_KEYS or prop in out:
                continue
            value = el.get("content") or el.get("datetime")
            if value is None:
                if prop == "author":
                    names = el.xpath(".//*[@itemprop='name']")
                    value = names[0].text_content() if names else el.text_content()
                else:
                    value = el.text_content()
            value = re.sub(r"\s+", " ", value).strip() if prop != "articlebody" else value.strip()
            if value:
                out[prop] = value
    for el in tree.xpath("//meta[@itemprop]"):
        prop = (el.get("itemprop") or "").lower()
        if prop in _MICRO_KEYS and prop not in out and el.get("content"):
            out[prop] = el.get("content").strip()
    return out
