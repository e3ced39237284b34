"""Lenient date parsing for feeds and sitemaps: every result is an aware UTC datetime.

Real feeds print dates in many shapes: RFC 822 (``Tue, 28 Nov 2017 21:19:26 -0800``), RFC 822
with quirks (``Thu,28 Jul 2022 4:35:5 GMT+9``, named zones such as ``MSK``), ISO 8601/W3C
(``2020-05-11T09:00:01Z``, ``2016-11-21``) and free forms. A date without a time zone is read in
``default_tz`` (UTC when not given) and flagged as assumed, so callers can tell.
"""

from __future__ import annotations

import email.utils
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import parser as du_parser

# Abbreviations seen in news feeds. Ambiguous ones take the reading common in news feeds
# (IST: India, CST: US Central as in RFC 822).
_TZ_HOURS: dict[str, float] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "MEZ": 1,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "MSD": 4,
    "AZT": 4,
    "GST": 4,
    "IST": 5.5,
    "PKT": 5,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}
_TZINFOS = {k: int(v * 3600) for k, v in _TZ_HOURS.items()}

# "GMT+9", "UTC+03:00", "GMT -0500": offsets written after a zone name mean east of UTC in news
# feeds (dateutil would read them POSIX-style, with the sign inverted).
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)
_ABBR = re.compile(r"(?<![\w+-])(" + "|".join(sorted(_TZ_HOURS, key=len, reverse=True)) + r")(?![\w+-])")
_SPACE_AFTER_COMMA = re.compile(r",(?=\S)")
_TRAILING_COMMENT = re.compile(r"\s*\([^()]*\)$")
_SPACED_COLON_OFFSET = re.compile(r"(\s[+-]\d{2}):(\d{2})$")
_DOTTED_DAY_FIRST = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b")
_EPOCH_SECONDS = re.compile(r"^\d{9,10}$")
_ISO_COMPACT_TZ = re.compile(r"([+-]\d{2})(\d{2})$")
_FRACTION = re.compile(r"(\.\d{6})\d+")
_RFC822_SHAPE = re.compile(r"^(?:[A-Za-z]+\.?,?\s+)?\d{1,2}\s+[A-Za-z]+\.?\s+\d{2,4}(?:\s|$)")
_EPOCH_PLACEHOLDER = datetime(1970, 1, 2, tzinfo=UTC)
_SENTINEL_DEFAULT = datetime(1, 1, 1)


def _offset(hours: float) -> str:
    sign = "-" if hours < 0 else "+"
    minutes = round(abs(hours) * 60)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _normalise(text: str) -> str:
    s = " ".join(text.split())
    s = _TRAILING_COMMENT.sub("", s)  # JavaScript Date: "... GMT+0300 (Moscow Standard Time)"
    s = _SPACED_COLON_OFFSET.sub(r"\1\2", s)  # RFC 822 with "+03:00"
    s = _SPACE_AFTER_COMMA.sub(", ", s)
    s = _GMT_OFFSET.sub(lambda m: f"{m.group(1)}{int(m.group(2)):02d}{m.group(3) or '00'}", s)
    return _ABBR.sub(lambda m: _offset(_TZ_HOURS[m.group(1)]), s)


def _try_iso(s: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}", s):
        return None
    candidate = _FRACTION.sub(r"\1", s.replace("z", "Z"))
    candidate = _ISO_COMPACT_TZ.sub(r"\1:\2", candidate) if re.search(r"[T ]\d", candidate) else candidate
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _try_rfc822(s: str) -> datetime | None:
    if not _RFC822_SHAPE.match(s):  # [weekday,] day month year ...
        return None
    try:
        parts = email.utils.parsedate_tz(s)
    except (TypeError, ValueError, IndexError):
        return None
    if not parts or parts[0] < 1000:
        return None
    try:
        dt = datetime(*parts[:6])
    except (ValueError, OverflowError):
        return None
    if parts[9] is not None and re.search(r"[+-]\d{4}\b|\bGMT\b|\bUTC?\b|\bZ\b", s):
        try:
            dt = dt.replace(tzinfo=timezone(timedelta(seconds=parts[9])))
        except ValueError:  # an offset of a day or more ("GMT+98")
            return None
    return dt


def _try_dateutil(s: str) -> datetime | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnknownTimezoneWarning: treated as "no zone"
        try:
            dt = du_parser.parse(
                s, default=_SENTINEL_DEFAULT, tzinfos=_TZINFOS, dayfirst=bool(_DOTTED_DAY_FIRST.match(s))
            )  # 05.11.2025 is 5 November
        except (ValueError, OverflowError, TypeError):
            return None
    if dt.year == 1:  # no year in the text: not a usable date
        return None
    return dt


def parse_date(text: str | None, default_tz: tzinfo | None = None) -> tuple[datetime | None, bool]:
    """Parse a feed/sitemap date. Returns ``(aware UTC datetime or None, zone_assumed)``.

    ``zone_assumed`` is True when the text had no time zone and ``default_tz`` (or UTC) was used.
    Placeholder dates (the Unix epoch, years before 1990 or after 2100) give ``None``.
    """
    if not text or not text.strip():
        return None, False
    text = text.strip()
    try:  # fast path: W3C/ISO 8601 as sitemaps and Atom print it
        dt = datetime.fromisoformat(text) if text[:4].isdigit() and len(text) >= 10 else None
    except ValueError:
        dt = None
    if dt is None and _EPOCH_SECONDS.match(text):
        dt = datetime.fromtimestamp(int(text), UTC)
    if dt is None:
        s = _normalise(text)
        dt = _try_iso(s) or _try_rfc822(s) or _try_dateutil(s)
    if dt is None:
        return None, False
    assumed = dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None
    if assumed:
        dt = dt.replace(tzinfo=default_tz or UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None, False
    if dt <= _EPOCH_PLACEHOLDER or not 1990 <= dt.year <= 2100:
        return None, False
    return dt, assumed
