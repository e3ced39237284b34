"""Sitemaps (sitemaps.org urlset and sitemapindex, Google News sitemaps) and robots.txt.

Gzip is recognised by its magic bytes, not the file name, and decompressed under a cap. The XML
is streamed with lxml (entities never resolved, no network, no huge trees) after the entity check;
malformed XML is re-read in recover mode and what survives is returned with a warning. Image,
video and hreflang extensions are ignored. Text sitemaps (one URL per line) and RSS/Atom feeds
used as sitemaps (both allowed by sitemaps.org) are accepted too.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from lxml import etree

from spiders.discovery._sniff import first_char, head_text, root_element, skip_leading_junk
from spiders.discovery.dates import parse_date
from spiders.discovery.errors import DiscoveryError
from spiders.discovery.safety import MAX_DECOMPRESSED_BYTES, maybe_gunzip, refuse_xml_entities

log = logging.getLogger(__name__)

_SITEMAP_ROOTS = {"urlset": "urlset", "sitemapindex": "index"}
_FEED_ROOTS = {"rss", "feed", "rdf"}
_BARE_AMP = re.compile(rb"&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z_][\w.\-]*);)")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """A ``<url>`` (or, in an index, a ``<sitemap>``). ``published_at``/``title``/``language`` come
    from a Google News ``<news:news>`` block. ``tz_assumed``: the date used had no zone."""

    loc: str
    lastmod: datetime | None = None
    published_at: datetime | None = None
    title: str | None = None
    language: str | None = None
    tz_assumed: bool = False


@dataclass
class Sitemap:
    """``kind`` is ``urlset`` (pages) or ``index`` (more sitemaps). ``recovered``: the XML was
    malformed and ``entries`` is what could be salvaged; ``warnings`` says what happened;
    ``skipped`` counts entries without a usable http(s) ``<loc>``."""

    kind: str
    entries: list[SitemapEntry]
    recovered: bool = False
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)


def parse_sitemap(
    body: bytes | str, url: str, *, default_tz: tzinfo | None = None, max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> Sitemap:
    """Parse a sitemap fetched from ``url``.

    Raises ``DiscoveryError``: ``xml_bomb``, ``decompression_bomb``, ``parse_error`` (malformed
    and nothing recoverable), ``not_a_sitemap`` (an HTML page, JSON, another XML vocabulary).
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = maybe_gunzip(body, max_bytes=max_bytes, url=url)
    head = head_text(body)
    first = first_char(head)
    if not first:
        raise DiscoveryError("parse_error", "empty sitemap body", url=url)
    if first == "{" or first == "[":
        raise DiscoveryError("not_a_sitemap", "JSON, not a sitemap", url=url)
    refuse_xml_entities(body, url=url)
    body, junk = skip_leading_junk(body, set(_SITEMAP_ROOTS) | _FEED_ROOTS)
    if junk:
        sitemap = parse_sitemap(body, url, default_tz=default_tz, max_bytes=max_bytes)
        sitemap.recovered = True
        sitemap.warnings.insert(0, f"skipped {junk} bytes of text before the XML (a server warning?)")
        log.warning("%s: %s", url, sitemap.warnings[0])
        return sitemap
    if first != "<":
        return _parse_text(body, url)
    root = root_element(head)
    if root in _FEED_ROOTS:
        return _from_feed(body, url, default_tz, max_bytes)
    if root is not None and root not in _SITEMAP_ROOTS:
        what = "an HTML page" if root == "html" else f"root element <{root}>"
        raise DiscoveryError(
            "not_a_sitemap", f"{what}, not a sitemap (expected <urlset> or <sitemapindex>)", url=url
        )
    return _parse_xml(body, url, default_tz)


def _parse_xml(body: bytes, url: str, default_tz: tzinfo | None) -> Sitemap:
    try:
        kind, entries, _, skipped = _scan(body, url, default_tz, recover=False)
        return Sitemap(kind=kind, entries=_dedupe(entries), skipped=skipped, warnings=_skip_note(skipped))
    except etree.XMLSyntaxError as exc:
        first_error = exc
    line, col, reason = _where(first_error)
    pos = f" at line {line}, column {col}" if line is not None else ""
    # The commonest breakage, an unescaped '&' in a URL, has a lossless repair.
    repaired, n_amp = _BARE_AMP.subn(b"&amp;", body)
    error = first_error
    if n_amp:
        try:
            kind, entries, _, skipped = _scan(repaired, url, default_tz, recover=False)
        except etree.XMLSyntaxError as exc:
            body, error = repaired, exc
        else:
            warning = (
                f"malformed XML{pos} ({reason}): escaped {n_amp} bare '&'; all {len(entries)} entries read"
            )
            log.warning("%s: %s", url, warning)
            return Sitemap(
                kind=kind,
                entries=_dedupe(entries),
                recovered=True,
                warnings=[warning, *_skip_note(skipped)],
                skipped=skipped,
            )
    try:
        kind, entries, lines, skipped = _scan(body, url, default_tz, recover=True)
    except etree.XMLSyntaxError:
        kind, entries, lines, skipped = None, [], [], 0
    # The entry in which the (first remaining) error sits may be cut or garbled: drop it.
    err_line = error.position[0] if error.position else None
    dropped = 0
    if err_line is not None and entries:
        keep = []
        for i, entry in enumerate(entries):
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if lines[i] is not None and lines[i] <= err_line and (nxt is None or err_line < nxt):
                dropped += 1
            else:
                keep.append(entry)
        entries = keep
    if not entries or kind is None:
        raise DiscoveryError(
            "parse_error", f"malformed XML, nothing recoverable: {reason}", url=url, line=line, column=col
        )
    note = f", dropped {dropped} entry at the damage" if dropped else ""
    also = ""
    if error is not first_error:
        line2, col2, reason2 = _where(error)
        also = f"; escaped {n_amp} bare '&', then line {line2}, column {col2} ({reason2})"
    warning = f"malformed XML{pos} ({reason}){also}: recovered {len(entries)} entries{note}"
    log.warning("%s: %s", url, warning)
    return Sitemap(
        kind=kind,
        entries=_dedupe(entries),
        recovered=True,
        warnings=[warning, *_skip_note(skipped)],
        skipped=skipped + dropped,
    )


def _where(exc: etree.XMLSyntaxError) -> tuple[int | None, int | None, str]:
    line, col = exc.position if exc.position else (None, None)
    reason = re.sub(r",? line \d+, column \d+$", "", exc.msg or "syntax error")
    return line, col, reason


def _skip_note(skipped: int) -> list[str]:
    return [f"{skipped} entries without an http(s) <loc> skipped"] if skipped else []


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


_EVENT_TAGS = ("{*}urlset", "{*}sitemapindex", "{*}url", "{*}sitemap")
# Fast path for the usual absolute URL; anything else (relative, IPv6 literal, odd) goes through urllib.
_ABSOLUTE_HTTP = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#]|$)")


def _scan(body: bytes, url: str, default_tz: tzinfo | None, *, recover: bool):
    """Stream the entries. Only root and entry elements produce Python events; each entry is
    dropped from the tree once read, so memory stays flat on 50,000-URL sitemaps."""
    kind = None
    root = None
    entries: list[SitemapEntry] = []
    lines: list[int | None] = []  # source line where each entry starts
    start_line = None
    skipped = 0
    context = etree.iterparse(
        io.BytesIO(body),
        events=("start", "end"),
        tag=_EVENT_TAGS,
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    for event, elem in context:
        if root is None:
            root = elem
            kind = _SITEMAP_ROOTS.get(_local(elem.tag))
            if kind is None:
                raise DiscoveryError(
                    "not_a_sitemap",
                    f"root element <{_local(elem.tag)}> is not a sitemap "
                    "(expected <urlset> or <sitemapindex>)",
                    url=url,
                )
            continue
        if elem.getparent() is not root:
            continue
        if event == "start":
            start_line = elem.sourceline
            continue
        entry = _entry(elem, url, default_tz, news=kind == "urlset")
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
            lines.append(start_line)
        elem.clear(keep_tail=False)
        while elem.getprevious() is not None:
            del root[0]
    if kind is None:
        raise DiscoveryError("not_a_sitemap", "no <urlset> or <sitemapindex> element", url=url)
    return kind, entries, lines, skipped


def _text(elem) -> str | None:
    """The element's text; None when empty or when it holds an unresolved entity reference (entities
    are never expanded, so such a value is not what the publisher meant)."""
    if elem is None:
        return None
    if len(elem) == 0:
        text = elem.text
    else:
        if any(isinstance(node, etree._Entity) for node in elem.iter()):
            return None
        text = "".join(elem.itertext())
    text = text.strip() if text else None
    return text or None


def _children(elem) -> dict:
    out: dict = {}
    for child in elem:
        name = _local(child.tag)
        if name and name not in out:
            out[name] = child
    return out


def _entry(elem, base: str, default_tz: tzinfo | None, *, news: bool) -> SitemapEntry | None:
    kids = _children(elem)
    loc = _text(kids.get("loc"))
    if not loc:
        return None
    if not _ABSOLUTE_HTTP.match(loc) and not _http_url(loc := _join(base, loc)):
        return None
    lastmod, lm_assumed = parse_date(_text(kids.get("lastmod")), default_tz)
    published, title, language, pub_assumed = None, None, None, False
    news_block = kids.get("news") if news else None
    if news_block is not None:
        news_kids = _children(news_block)
        published, pub_assumed = parse_date(_text(news_kids.get("publication_date")), default_tz)
        title = _text(news_kids.get("title"))
        publication = news_kids.get("publication")
        lang = _text(_children(publication).get("language")) if publication is not None else None
        language = lang.split("-")[0].split("_")[0].lower() if lang else None
    assumed = pub_assumed if published is not None else lm_assumed
    return SitemapEntry(
        loc=loc,
        lastmod=lastmod,
        published_at=published,
        title=" ".join(title.split()) if title else None,
        language=language,
        tz_assumed=assumed,
    )


def _join(base: str, ref: str) -> str:
    try:
        return urljoin(base, ref)
    except ValueError:  # "Invalid IPv6 URL"
        return ""


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False


def _parse_text(body: bytes, url: str) -> Sitemap:
    """A text sitemap: one absolute URL per line (sitemaps.org)."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    entries, skipped = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _http_url(line) and not any(c.isspace() for c in line):
            entries.append(SitemapEntry(loc=line))
        else:
            skipped += 1
    if not entries:
        raise DiscoveryError(
            "not_a_sitemap", f"neither XML nor a text sitemap: starts with {text.strip()[:40]!r}", url=url
        )
    warnings = [f"{skipped} lines that are not http(s) URLs skipped"] if skipped else []
    return Sitemap(kind="urlset", entries=_dedupe(entries), warnings=warnings, skipped=skipped)


def _from_feed(body: bytes, url: str, default_tz: tzinfo | None, max_bytes: int) -> Sitemap:
    from spiders.discovery.feeds import parse_feed

    feed = parse_feed(body, url, default_tz=default_tz, max_bytes=max_bytes)
    entries = [
        SitemapEntry(
            loc=e.url,
            lastmod=e.modified_at,
            published_at=e.published_at,
            title=e.title,
            tz_assumed=e.tz_assumed,
        )
        for e in feed
    ]
    return Sitemap(
        kind="urlset",
        entries=entries,
        recovered=feed.recovered,
        warnings=[f"a {feed.kind} feed used as a sitemap", *feed.warnings],
        skipped=feed.skipped,
    )


def _dedupe(entries: list[SitemapEntry]) -> list[SitemapEntry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.loc not in seen:
            seen.add(e.loc)
            out.append(e)
    return out


_ROBOTS_SITEMAP = re.compile(r"^\s*site-?map\s*:\s*(\S+)", re.I)


def sitemaps_from_robots(text: str | bytes, base_url: str) -> list[str]:
    """``Sitemap:`` URLs of a robots.txt, absolute (relative ones resolved on ``base_url``), in order,
    deduplicated; comments and other directives ignored."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    found = []
    for line in text.lstrip("\ufeff").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        m = _ROBOTS_SITEMAP.match(line)
        if not m:
            continue
        target = _join(base_url, m.group(1))
        if _http_url(target) and target not in found:
            found.append(target)
    return found
