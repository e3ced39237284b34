"""Layer 4: the article body. trafilatura on the page (comments off), a per-source ``body`` selector
when configured, JSON-LD ``articleBody`` when it is complete, then a general clean-up that drops
bylines, captions, share bars, view counters, bare dates and trailing related-article lists."""

from __future__ import annotations

import copy
import logging
import re

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

_BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "tr",
    "figcaption",
    "div",
    "section",
    "article",
    "br",
    "td",
    "th",
    "header",
    "footer",
    "ul",
    "ol",
}

_SHARE_WORDS = (
    r"share|shares|tweet|twitter|x|facebook|whatsapp|telegram|viber|vk|vkontakte|ok|odnoklassniki|"
    r"linkedin|reddit|pinterest|email|e-mail|mail|print|copy|link|copy link|comment|comments|save|"
    r"поделиться|отправить|печать|скопировать ссылку|комментарии|paylaş"
)
_SHARE_LINE = re.compile(rf"^(?:(?:{_SHARE_WORDS})\b[\s|:/•·,]*)+$", re.I)
_BYLINE = re.compile(
    r"^(?:by|written by|reporting by|text by|author|автор|авторы|текст|müəllif)\s*[:\-]?\s+\S.{0,80}$", re.I
)
_CAPTION = re.compile(
    r"^(?:photo|image|picture|source|credit|фото|фотография|источник|иллюстрация|şəkil|foto)\s*(?:[:\-©/]|by\b)"
    r".{0,200}$|^©.{0,120}$|^(?:getty images|afp|reuters|ap photo)\b.{0,80}$",
    re.I,
)
_VIEWS_LINE = re.compile(
    r"^(?:views|просмотр\w*|прочитан\w*|baxış\w*)\s*[:\-]?\s*[\d\s.,]+$|^[\d\s.,]+\s*"
    r"(?:views|просмотр\w*)$",
    re.I,
)
_RELATED_HEAD = re.compile(
    r"^(?:read (?:also|more)|see also|related(?: articles| stories| news| content| posts)?|more (?:from|on|stories)"
    r"|you may (?:also )?like|recommended(?: for you)?|most (?:read|popular|viewed)|latest news|also read"
    r"|читайте также|читайте еще|читать также|смотрите также|по теме|похожие новости|другие новости"
    r"|популярное|последние новости|həmçinin oxuyun|oxşar xəbərlər)\s*[:.…]?$",
    re.I,
)
_INLINE_RELATED = re.compile(
    r"^(?:read (?:also|more)|see also|also read|читайте также|читайте еще|по теме)"
    r"\s*[:\-–—]\s*.{0,200}$",
    re.I,
)


def _clean_lines(lines: list[str], *, date_only) -> list[str]:
    out: list[str] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        words = len(line.split())
        if words <= 12 and (_SHARE_LINE.match(line) or _BYLINE.match(line) or _VIEWS_LINE.match(line)):
            continue
        if words <= 30 and _CAPTION.match(line):
            continue
        if words <= 40 and _INLINE_RELATED.match(line):
            continue
        if words <= 8 and date_only(line):
            continue
        if words <= 8 and _RELATED_HEAD.match(line):
            # a related-articles block: the heading and the short link lines that follow it
            while (
                i < n
                and len(lines[i].split()) <= 25
                and not lines[i].rstrip().endswith((".", "!", "?", "»", '"'))
            ):
                i += 1
            continue
        out.append(line)
    return out


def clean_body(text: str, *, date_only) -> str:
    lines = _clean_lines(text.splitlines(), date_only=date_only)
    return "\n".join(lines).strip()


def element_text(el: etree._Element) -> str:
    """Text of an element with block boundaries as newlines (for a selected body element)."""
    parts: list[str] = []

    def walk(node):
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "template"):
            if node.tail:
                parts.append(node.tail)
            return
        block = node.tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    tail = el.tail
    el.tail = None
    try:
        walk(el)
    finally:
        el.tail = tail
    text = "".join(parts)
    return "\n".join(re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines() if ln.strip())


def html_fragment_text(fragment: str) -> str:
    """JSON-LD articleBody sometimes carries HTML: reduce it to text with paragraph breaks."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        el = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    return element_text(el)


def trafilatura_text(
    tree: etree._Element, url: str, *, favor_precision: bool = False, favor_recall: bool = False
) -> str:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            copy.deepcopy(tree),
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=favor_precision,
            favor_recall=favor_recall,
            with_metadata=False,
            deduplicate=False,
        )
    except Exception as exc:  # trafilatura raises assorted errors on odd markup; the run goes on
        log.warning("trafilatura failed on %s: %s", url, exc)
        return ""
    if doc is None:
        return ""
    text = doc.get("text") if isinstance(doc, dict) else getattr(doc, "text", None)
    return text or ""
