"""Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0, JSON Feed 1.x and RSS-in-JSON.

The format is decided by content: a feed served as ``text/html`` or named ``.json`` still parses
as what it is. XML feeds go through feedparser (it copes with most real-world breakage) only
after the bytes passed the entity check and a capped gunzip.
"""

from __future__ import annotations

import calendar
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import urljoin, urlsplit

import feedparser

from spiders.discovery._sniff import (
    charset_of,
    declared_xml_encoding,
    first_char,
    head_text,
    root_element,
    skip_leading_junk,
)
from spiders.discovery.dates import parse_date
from spiders.discovery.errors import DiscoveryError
from spiders.discovery.safety import MAX_DECOMPRESSED_BYTES, maybe_gunzip, refuse_xml_entities

log = logging.getLogger(__name__)

_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
_VERSION_KIND = {"atom": "atom", "rss090": "rdf", "rss10": "rdf", "rss": "rss", "cdf": "rss"}
# feedparser reports these for feeds it parsed fine; they are not breakage.
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed. ``tz_assumed``: the feed's date had no zone; the default zone was used."""

    url: str
    published_at: datetime | None
    modified_at: datetime | None
    title: str | None
    tz_assumed: bool = False


class FeedResult(list):
    """The entries (a plain ``list[FeedEntry]``) plus what the parser noticed on the way.

    ``kind``: ``rss``, ``atom``, ``rdf``, ``jsonfeed`` or ``rss-json``; ``recovered``: the
    document was malformed and the entries are what could be salvaged; ``warnings``: one line
    per problem; ``skipped``: items dropped for having no usable http(s) link.
    """

    def __init__(
        self,
        entries=(),
        *,
        kind: str,
        title: str | None = None,
        recovered: bool = False,
        warnings: list[str] | None = None,
        skipped: int = 0,
    ) -> None:
        super().__init__(entries)
        self.kind = kind
        self.title = title
        self.recovered = recovered
        self.warnings = list(warnings or [])
        self.skipped = skipped


def parse_feed(
    body: bytes | str,
    url: str,
    content_type: str | None = None,
    *,
    default_tz: tzinfo | None = None,
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> FeedResult:
    """Parse a feed body fetched from ``url`` into entries with absolute URLs and UTC dates.

    ``content_type`` is only used for its charset, and only when the document does not declare
    its own encoding. ``default_tz`` is the zone for dates printed without one (UTC if None).
    Raises ``DiscoveryError``: ``xml_bomb``, ``decompression_bomb``, ``parse_error`` (nothing
    recoverable), ``not_a_feed`` (an HTML page, a sitemap, an OPML list, other JSON).
    """
    if isinstance(body, str):
        body = _encode_text(body)
    body = maybe_gunzip(body, max_bytes=max_bytes, url=url)
    head = head_text(body)
    first = first_char(head)
    if not first:
        raise DiscoveryError("parse_error", "empty feed body", url=url)
    if first in "{[":
        return _parse_json(body, url, default_tz)
    refuse_xml_entities(body, url=url)
    body, junk = skip_leading_junk(body, _FEED_ROOTS)
    if junk:
        head = head_text(body)
    root = root_element(head)
    if root is None and first != "<":
        raise DiscoveryError(
            "parse_error", f"neither XML nor JSON: body starts with {head.lstrip()[:40]!r}", url=url
        )
    if root is not None and root not in _FEED_ROOTS:
        raise DiscoveryError("not_a_feed", _not_a_feed_message(root, body, url), url=url)
    result = _parse_xml(body, url, content_type, default_tz)
    if junk:
        result.recovered = True
        result.warnings.insert(0, f"skipped {junk} bytes of text before the XML (a server warning?)")
        log.warning("%s: %s", url, result.warnings[0])
    return result


def _encode_text(text: str) -> bytes:
    # A str was decoded already: drop a stale encoding declaration and hand over UTF-8.
    text = re.sub(r"^(\s*<\?xml[^>]*?)\sencoding\s*=\s*[\"'][^\"']*[\"']", r"\1", text, count=1)
    return text.encode("utf-8")


def _not_a_feed_message(root: str, body: bytes, url: str) -> str:
    if root == "html":
        from spiders.discovery.html import alternate_feeds

        alts = alternate_feeds(body, url)
        hint = f"; it links feeds: {', '.join(alts[:5])}" if alts else "; it links no feed"
        return f"an HTML page, not a feed{hint}"
    if root in ("urlset", "sitemapindex"):
        return f"a sitemap (<{root}>), not a feed: use parse_sitemap"
    if root == "opml":
        return "an OPML subscription list, not a feed"
    return f"root element <{root}> is not a feed (expected <rss>, <feed>, <rdf:RDF> or a JSON Feed)"


# --- XML feeds (feedparser) -------------------------------------------------------------------


def _parse_xml(body: bytes, url: str, content_type: str | None, default_tz: tzinfo | None) -> FeedResult:
    simple = _parse_plain_feed(body, url, content_type, default_tz)
    if simple is not None:
        return simple
    return _parse_with_feedparser(body, url, content_type, default_tz)


def _parse_with_feedparser(
    body: bytes, url: str, content_type: str | None, default_tz: tzinfo | None
) -> FeedResult:
    headers = {"content-location": url}
    charset = charset_of(content_type)
    if (
        charset
        and not declared_xml_encoding(body)
        and not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    ):
        headers["content-type"] = f"application/xml; charset={charset}"
    try:
        parsed = feedparser.parse(
            io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser has crashes of its own on damaged bytes (encodings, namespaces)
        raise DiscoveryError(
            "parse_error", f"feed parser failed on damaged input: {type(exc).__name__}: {exc}", url=url
        ) from None
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, _BENIGN_BOZO):
        problem = None
    version = parsed.get("version") or ""
    kind = next((k for prefix, k in _VERSION_KIND.items() if version.startswith(prefix)), "rss")
    entries, skipped = [], 0
    for raw in parsed.entries:
        entry = _xml_entry(raw, url, default_tz)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    if problem is not None and not entries:
        line, col = _position(problem)
        what = "no feed recognised" if not version else "no usable entries recovered"
        raise DiscoveryError(
            "parse_error", f"malformed XML, {what}: {_describe(problem)}", url=url, line=line, column=col
        )
    warnings = []
    recovered = problem is not None
    if recovered:
        line, col = _position(problem)
        pos = f" at line {line}, column {col}" if line is not None else ""
        warnings.append(f"malformed XML{pos} ({_describe(problem)}): recovered {len(entries)} entries")
        log.warning("%s: %s", url, warnings[-1])
    if skipped:
        warnings.append(f"{skipped} item(s) without an http(s) link skipped")
    title = _clean(parsed.feed.get("title"))
    return FeedResult(
        _dedupe(entries), kind=kind, title=title, recovered=recovered, warnings=warnings, skipped=skipped
    )


def _xml_entry(raw, base: str, default_tz: tzinfo | None) -> FeedEntry | None:
    # FeedBurner proxies links through a redirector and keeps the real one in origLink
    link = raw.get("feedburner_origlink") or raw.get("link")
    if not link:
        for candidate in raw.get("links") or []:
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link:
        link = _http_id(raw.get("id"))
    url = _absolute(link, base)
    if url is None:
        return None
    published, p_assumed = _date(raw, "published", default_tz)
    modified, m_assumed = _date(raw, "updated", default_tz)
    if published is None and modified is not None:  # Atom without <published>, RSS 1.0 dc:date
        published, p_assumed = modified, m_assumed
    return FeedEntry(
        url=url,
        published_at=published,
        modified_at=modified,
        title=_clean(raw.get("title")),
        tz_assumed=p_assumed,
    )


def _date(raw, key: str, default_tz: tzinfo | None) -> tuple[datetime | None, bool]:
    # dict.get: FeedParserDict.get("updated") silently falls back to "published"
    dt, assumed = parse_date(dict.get(raw, key), default_tz)
    parsed = dict.get(raw, f"{key}_parsed")
    if dt is None and parsed:  # feedparser's own parsers know a few more shapes
        try:
            dt = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, TypeError):
            dt = None
        dt, assumed = (dt, False) if dt and 1990 <= dt.year <= 2100 else (None, False)
    return dt, assumed


def _position(exc: BaseException) -> tuple[int | None, int | None]:
    get_line = getattr(exc, "getLineNumber", None)
    get_col = getattr(exc, "getColumnNumber", None)
    if callable(get_line) and callable(get_col):
        try:
            return int(get_line()), int(get_col()) + 1
        except (TypeError, ValueError):
            pass
    return None, None


def _describe(exc: BaseException) -> str:
    msg = getattr(exc, "getMessage", None)
    text = msg() if callable(msg) else str(exc)
    return f"{type(exc).__name__}: {text}"


# --- plain, well-formed RSS 2.0 and Atom 1.0 (lxml) -------------------------------------------
#
# feedparser is a pure-Python SAX parser that copes with anything; on a 1,000-item feed it takes about
# half a second of CPU. Most feeds are well-formed UTF-8 RSS 2.0 or Atom 1.0 whose items have one plain
# link, a plain-text title and dates our own parser reads. Those are read with lxml, giving exactly the
# entries feedparser would give (a test compares both on every feed of the test corpus and on variants
# made to trip it). Anything else, at the first doubt, goes to feedparser: another encoding, a DOCTYPE,
# xml:base, an element we do not know in an item, two links, markup or an entity in a title, a date our
# parser cannot read (feedparser knows a few more shapes), a link that is not absolute http(s).

_ATOM = "{http://www.w3.org/2005/Atom}"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_RSS_ITEM_CHILDREN = frozenset(
    {
        "title",
        "link",
        "description",
        "guid",
        "pubDate",
        "category",
        "author",
        "comments",
        "enclosure",
        "{http://purl.org/dc/elements/1.1/}creator",
        "{http://purl.org/rss/1.0/modules/content/}encoded",
    }
)
_ATOM_ENTRY_CHILDREN = frozenset(
    f"{_ATOM}{name}"
    for name in (
        "title",
        "link",
        "id",
        "published",
        "updated",
        "author",
        "contributor",
        "summary",
        "content",
        "category",
        "rights",
    )
)
_ATOM_OTHER_RELS = frozenset({"self", "enclosure", "related", "replies", "via"})
_PLAIN_PARSER = None


def _plain_parser():
    global _PLAIN_PARSER
    if _PLAIN_PARSER is None:
        from lxml import etree

        _PLAIN_PARSER = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            recover=False,
            remove_comments=True,
            remove_pis=True,
        )
    return _PLAIN_PARSER


class _NotPlain(Exception):
    """The feed is not of the plain kind read here: feedparser reads it."""


def _parse_plain_feed(
    body: bytes, url: str, content_type: str | None, default_tz: tzinfo | None
) -> FeedResult | None:
    declared = declared_xml_encoding(body)
    charset = charset_of(content_type)
    if declared not in (None, "utf-8") or (declared is None and charset not in (None, "utf-8")):
        return None
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\xef\xbb\xbf")) or b"<!DOCTYPE" in body[:4096]:
        return None
    from lxml import etree

    try:
        body.decode("utf-8")
        root = etree.fromstring(body, _plain_parser())
    except (UnicodeDecodeError, etree.XMLSyntaxError, ValueError):
        return None
    try:
        if any(el.get(_XML_BASE) is not None for el in root.iter()):
            raise _NotPlain
        if root.tag == "rss" and root.get("version") == "2.0":
            return _plain_rss(root, url, default_tz)
        if root.tag == f"{_ATOM}feed":
            return _plain_atom(root, url, default_tz)
    except _NotPlain:
        return None
    return None


def _plain_rss(root, url: str, default_tz: tzinfo | None) -> FeedResult:
    channels = [el for el in root if el.tag == "channel"]
    if len(channels) != 1:
        raise _NotPlain
    items = [el for el in channels[0] if el.tag == "item"]
    if sum(1 for _ in root.iter("item")) != len(items):
        raise _NotPlain
    entries = []
    for item in items:
        children: dict[str, list] = {}
        for child in item:
            if child.tag not in _RSS_ITEM_CHILDREN:
                raise _NotPlain
            children.setdefault(child.tag, []).append(child)
        links = children.get("link", [])
        if len(links) != 1 or len(children.get("title", [])) > 1 or len(children.get("pubDate", [])) > 1:
            raise _NotPlain
        published, assumed = _plain_date(children.get("pubDate"), default_tz)
        entries.append(
            FeedEntry(
                url=_plain_link(_plain_text(links[0]), url),
                published_at=published,
                modified_at=None,
                title=_plain_title(children.get("title")),
                tz_assumed=assumed,
            )
        )
    titles = [el for el in channels[0] if el.tag == "title"]
    if len(titles) > 1:
        raise _NotPlain
    return FeedResult(_dedupe(entries), kind="rss", title=_plain_title(titles))


def _plain_atom(root, url: str, default_tz: tzinfo | None) -> FeedResult:
    entries_el = [el for el in root if el.tag == f"{_ATOM}entry"]
    if sum(1 for _ in root.iter(f"{_ATOM}entry")) != len(entries_el):
        raise _NotPlain
    entries = []
    for entry in entries_el:
        children: dict[str, list] = {}
        for child in entry:
            if child.tag not in _ATOM_ENTRY_CHILDREN:
                raise _NotPlain
            children.setdefault(child.tag, []).append(child)
        alternates = []
        for link in children.get(f"{_ATOM}link", []):
            rel = link.get("rel")
            if rel in (None, "alternate"):
                if link.get("type") not in (None, "text/html"):
                    raise _NotPlain
                alternates.append(link)
            elif rel not in _ATOM_OTHER_RELS:
                raise _NotPlain
        if len(alternates) != 1 or any(
            len(children.get(f"{_ATOM}{n}", [])) > 1 for n in ("title", "published", "updated")
        ):
            raise _NotPlain
        published, p_assumed = _plain_date(children.get(f"{_ATOM}published"), default_tz)
        modified, _m_assumed = _plain_date(children.get(f"{_ATOM}updated"), default_tz)
        if published is None and modified is not None:
            published, p_assumed = modified, _m_assumed
        entries.append(
            FeedEntry(
                url=_plain_link(alternates[0].get("href"), url),
                published_at=published,
                modified_at=modified,
                title=_plain_title(children.get(f"{_ATOM}title")),
                tz_assumed=p_assumed,
            )
        )
    titles = [el for el in root if el.tag == f"{_ATOM}title"]
    if len(titles) > 1:
        raise _NotPlain
    return FeedResult(_dedupe(entries), kind="atom", title=_plain_title(titles))


def _plain_text(el) -> str:
    if len(el):  # child elements
        raise _NotPlain
    return el.text or ""


def _plain_title(els) -> str | None:
    if not els:
        return None
    el = els[0]
    if el.get("type") not in (None, "text"):
        raise _NotPlain
    text = _plain_text(el)
    if "<" in text or "&" in text:  # escaped markup or entities: feedparser's rules decide
        raise _NotPlain
    return _clean(text)


def _plain_link(link: str | None, base: str) -> str:
    if not link or "://" not in link.strip()[:12]:  # relative links: feedparser's resolution rules decide
        raise _NotPlain
    absolute = _absolute(link, base)
    if absolute is None:
        raise _NotPlain
    return absolute


def _plain_date(els, default_tz: tzinfo | None) -> tuple[datetime | None, bool]:
    if not els:
        return None, False
    text = _plain_text(els[0]).strip()
    if not text:
        raise _NotPlain
    dt, assumed = parse_date(text, default_tz)
    if dt is None:  # feedparser's own date parsers may know it
        raise _NotPlain
    return dt, assumed


# --- JSON feeds --------------------------------------------------------------------------------


def _parse_json(body: bytes, url: str, default_tz: tzinfo | None) -> FeedResult:
    text = _decode_json_bytes(body)
    try:
        data = json.loads(text, strict=False)
    except RecursionError:
        raise DiscoveryError("parse_error", "JSON nested too deeply", url=url) from None
    except json.JSONDecodeError as exc:
        return _recover_json(text, exc, url, default_tz)
    if isinstance(data, dict) and isinstance(data.get("rss"), dict):
        channel = data["rss"].get("channel")
        if isinstance(channel, dict):
            items = channel.get("item") or []
            return _json_result(
                items if isinstance(items, list) else [items],
                url,
                default_tz,
                kind="rss-json",
                title=channel.get("title"),
            )
    if (
        isinstance(data, dict)
        and isinstance(data.get("items"), list)
        and ("jsonfeed.org" in str(data.get("version", "")) or "title" in data or "feed_url" in data)
    ):
        return _json_result(data["items"], url, default_tz, kind="jsonfeed", title=data.get("title"))
    what = (
        f"an object with keys {sorted(data)[:6]}"
        if isinstance(data, dict)
        else f"a JSON {type(data).__name__}"
    )
    raise DiscoveryError("not_a_feed", f"JSON but not a JSON Feed (no 'items' list): {what}", url=url)


def _decode_json_bytes(body: bytes) -> str:
    try:
        return body.decode(json.detect_encoding(body)).lstrip("\ufeff")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="replace").lstrip("\ufeff")


def _recover_json(text: str, exc: json.JSONDecodeError, url: str, default_tz: tzinfo | None) -> FeedResult:
    """A truncated or broken JSON Feed: decode the complete items before the damage, one by one."""
    m = re.search(r'"items"\s*:\s*\[', text)
    items = []
    if m:
        decoder = json.JSONDecoder(strict=False)
        pos = m.end()
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text) or text[pos] == "]":
                break
            try:
                item, pos = decoder.raw_decode(text, pos)
            except (json.JSONDecodeError, RecursionError):
                break
            items.append(item)
    if not items:
        raise DiscoveryError(
            "parse_error", f"invalid JSON: {exc.msg}", url=url, line=exc.lineno, column=exc.colno
        )
    title_m = re.search(r'"title"\s*:\s*"((?:[^"\\]|\\.)*)"', text[: m.start()]) if m else None
    try:
        title = json.loads(f'"{title_m.group(1)}"', strict=False) if title_m else None
    except json.JSONDecodeError:
        title = None
    result = _json_result(items, url, default_tz, kind="jsonfeed", title=title)
    result.recovered = True
    result.warnings.insert(
        0,
        f"invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}): "
        f"recovered {len(items)} complete items",
    )
    log.warning("%s: %s", url, result.warnings[0])
    return result


def _json_result(items: list, url: str, default_tz: tzinfo | None, *, kind: str, title) -> FeedResult:
    entries, skipped = [], 0
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        if kind == "rss-json":
            link, pub, mod = item.get("link") or _http_id(item.get("guid")), item.get("pubDate"), None
        else:
            link = item.get("url") or item.get("external_url") or _http_id(item.get("id"))
            pub, mod = item.get("date_published"), item.get("date_modified")
        target = _absolute(link if isinstance(link, str) else None, url)
        if target is None:
            skipped += 1
            continue
        published, p_assumed = parse_date(pub if isinstance(pub, str) else None, default_tz)
        modified, m_assumed = parse_date(mod if isinstance(mod, str) else None, default_tz)
        if published is None and modified is not None:
            published, p_assumed = modified, m_assumed
        entries.append(
            FeedEntry(
                url=target,
                published_at=published,
                modified_at=modified,
                title=_clean(item.get("title") if isinstance(item.get("title"), str) else None),
                tz_assumed=p_assumed,
            )
        )
    warnings = [f"{skipped} item(s) without an http(s) link skipped"] if skipped else []
    return FeedResult(
        _dedupe(entries),
        kind=kind,
        title=_clean(title if isinstance(title, str) else None),
        warnings=warnings,
        skipped=skipped,
    )


# --- helpers -----------------------------------------------------------------------------------


def _absolute(link: str | None, base: str) -> str | None:
    if not link or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:  # "Invalid IPv6 URL", bad port
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def _http_id(value) -> str | None:
    """An id/guid is only a link when it is an absolute http(s) URL."""
    if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
        return value.strip()
    return None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = " ".join(_TAGS.sub(" ", text).split())
    return cleaned or None


def _dedupe(entries: list[FeedEntry]) -> list[FeedEntry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.url not in seen:
            seen.add(e.url)
            out.append(e)
    return out
