"""Date parsing: structured values (ISO 8601 and friends), dates printed in page text (English,
Russian, Ukrainian and Azerbaijani month names, genitive forms included; numeric ``DD.MM.YYYY``),
and dates in URLs. Dates printed without a time zone are interpreted in the outlet's zone."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from dateutil import parser as du_parser

_H = 3600
TZ_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * _H,
    "EDT": -4 * _H,
    "CST": -6 * _H,
    "CDT": -5 * _H,
    "MST": -7 * _H,
    "MDT": -6 * _H,
    "PST": -8 * _H,
    "PDT": -7 * _H,
    "BST": _H,
    "CET": _H,
    "CEST": 2 * _H,
    "EET": 2 * _H,
    "EEST": 3 * _H,
    "MSK": 3 * _H,
    "IST": 19800,
    "JST": 9 * _H,
    "KST": 9 * _H,
    "AEST": 10 * _H,
    "AEDT": 11 * _H,
}
MONTHS: dict[str, int] = {}


def _add(month: int, *names: str) -> None:
    for name in names:
        MONTHS[name] = month


_add(1, "january", "jan", "январь", "января", "янв", "січня", "січень", "yanvar")
_add(2, "february", "feb", "февраль", "февраля", "фев", "февр", "лютого", "лютий", "fevral")
_add(3, "march", "mar", "март", "марта", "мар", "березня", "березень", "mart")
_add(4, "april", "apr", "апрель", "апреля", "апр", "квітня", "квітень", "aprel")
_add(5, "may", "май", "мая", "травня", "травень", "mayıs")
_add(6, "june", "jun", "июнь", "июня", "июн", "червня", "червень", "iyun")
_add(7, "july", "jul", "июль", "июля", "июл", "липня", "липень", "iyul")
_add(8, "august", "aug", "август", "августа", "авг", "серпня", "серпень", "avqust")
_add(9, "september", "sep", "sept", "сентябрь", "сентября", "сен", "сент", "вересня", "вересень", "sentyabr")
_add(10, "october", "oct", "октябрь", "октября", "окт", "жовтня", "жовтень", "oktyabr")
_add(11, "november", "nov", "ноябрь", "ноября", "ноя", "нояб", "листопада", "листопад", "noyabr")
_add(12, "december", "dec", "декабрь", "декабря", "дек", "грудня", "грудень", "dekabr")
# French, Spanish, Italian, German, Portuguese
for _i, _names in enumerate(
    [
        "janvier enero gennaio januar jänner janeiro",
        "février fevrier febrero febbraio februar fevereiro",
        "mars marzo märz maerz março marco",
        "avril abril aprile",
        "mai mayo maggio maio",
        "juin junio giugno juni junho",
        "juillet julio luglio juli julho",
        "août aout agosto",
        "septembre septiembre setiembre settembre setembro",
        "octobre octubre ottobre oktober outubro",
        "novembre noviembre novembro",
        "décembre decembre diciembre dicembre dezember dezembro",
    ],
    start=1,
):
    _add(_i, *_names.split())

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_TIME = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
_TZ = r"(?:\s*\(?(?P<tzname>GMT|UTC|Z|[ECMP][SD]T|BST|CES?T|EES?T|MSK|IST|JST|KST|AES?DT|AEST)(?![\w])\s*(?P<tzoff>[+-]\d{1,2}(?::?\d{2})?)?\)?)?"
_SEP = r"\s*(?:,|\||-|–|—|/|at|в|г\.|года|year|·)?\s*(?:,|\||-|–|—|/|at|в|·)?\s*"
_TIME_TAIL = rf"(?:{_SEP}{_TIME}{_TZ})?"
_TIME_HEAD = r"(?:(?P<hh>\d{1,2}):(?P<hmi>\d{2})\s*(?:,|\||-|–|—|/)?\s*)?"

DATE_PATTERNS = [
    # 30 November 2025 10:10 / 07 Апреля 2021 09:31 / 7 апреля 2021 г.
    re.compile(
        rf"(?<![\w.]){_TIME_HEAD}(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º|-?го)?\.?\s+(?:de\s+)?(?P<mon>{_MONTH_ALT})\.?,?"
        rf"\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})(?!\d){_TIME_TAIL}",
        re.I,
    ),
    # Nov 30, 2025 / November 30th, 2025 at 10:10 am
    re.compile(
        rf"(?<![\w.]){_TIME_HEAD}(?P<mon>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
        rf"(?!\d){_TIME_TAIL}",
        re.I,
    ),
    # 2020年7月12日 12:30 (Japanese, Chinese), 2020년 3월 4일 (Korean)
    re.compile(
        r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
        r"(?:\s*(?:\([^)]{1,4}\)|（[^）]{1,4}）)?\s*(?P<h>\d{1,2})[:時시]\s*(?P<mi>\d{2}))?"
    ),
    # 30.11.2025 10:10
    re.compile(
        rf"(?<![\d.]){_TIME_HEAD}(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}})(?![\d.]\d){_TIME_TAIL}"
    ),
    # 2025-11-30 10:10
    re.compile(
        rf"(?<![\d-])(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?![\d]){_TIME_TAIL.replace('at|', 'T|at|')}"
    ),
]

_URL_DATE = [
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|[-_]|\.html?|$)"),
    re.compile(r"[/_-](?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:/|[-_]|\.html?|$)"),
    re.compile(r"/(?P<d>[0-3]?\d)[/-](?P<m>[01]?\d)[/-](?P<y>(?:19|20)\d{2})/"),
]


@dataclass(frozen=True)
class FoundDate:
    value: datetime  # aware, in the zone it was stated in (or the outlet's zone)
    has_time: bool
    explicit_tz: bool
    start: int = 0


def _tz_from_offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text.strip())
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def plausible(dt: datetime, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return datetime(1995, 1, 1, tzinfo=UTC) <= dt <= now + timedelta(days=2)


def _build(groups: dict, tz: tzinfo, month: int | None = None) -> FoundDate | None:
    try:
        year = int(groups["y"])
        mon = month if month is not None else int(groups["m"])
        day = int(groups["d"])
        hour = minute = second = 0
        has_time = False
        if groups.get("h") is not None:
            hour, minute, second = int(groups["h"]), int(groups["mi"]), int(groups.get("s") or 0)
            has_time = True
        elif groups.get("hh") is not None:
            hour, minute = int(groups["hh"]), int(groups["hmi"])
            has_time = True
        ampm = (groups.get("ampm") or "").lower().replace(".", "").replace(" ", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        explicit = False
        zone = tz
        if groups.get("tzname"):
            explicit = True
            name = groups["tzname"].upper()
            zone = _tz_from_offset(groups.get("tzoff")) or (
                timezone(timedelta(seconds=TZ_ABBREVIATIONS[name])) if name in TZ_ABBREVIATIONS else UTC
            )
        dt = datetime(year, mon, day, hour, minute, second, tzinfo=zone)
    except (ValueError, TypeError, KeyError):
        return None
    if not plausible(dt):
        return None
    return FoundDate(dt, has_time, explicit)


def find_text_dates(text: str, tz: tzinfo, limit: int = 20) -> list[FoundDate]:
    """All dates printed in ``text``, in order of appearance (at most ``limit``)."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pat in DATE_PATTERNS:
        for m in pat.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groupdict()
            month = MONTHS.get(g["mon"].lower().rstrip(".")) if g.get("mon") else None
            if g.get("mon") and month is None:
                continue
            fd = _build(g, tz, month)
            if fd is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(FoundDate(fd.value, fd.has_time, fd.explicit_tz, m.start()))
    found.sort(key=lambda f: f.start)
    return found[:limit]


def parse_text_date(text: str, tz: tzinfo = UTC) -> datetime | None:
    """The first date printed in ``text``, as an aware datetime in UTC."""
    found = find_text_dates(text, tz, limit=1)
    return found[0].value.astimezone(UTC) if found else None


def parse_structured_date(
    value: object, tz: tzinfo = UTC, formats: list[str] | None = None
) -> FoundDate | None:
    """Parse a JSON-LD / meta / microdata date (ISO 8601, RFC 2822, epoch seconds or ms, or
    ``formats`` in strptime syntax). Naive values are taken in ``tz``."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        s = str(int(value))
    else:
        s = str(value).strip()
    if not s or len(s) > 80:
        return None
    dt = None
    for fmt in formats or ():
        try:
            dt = datetime.strptime(s, fmt)
            break
        except ValueError:
            continue
    if dt is None and re.fullmatch(r"\d{10}(\d{3})?", s):
        secs = int(s[:10])
        dt = datetime.fromtimestamp(secs, UTC)
    if dt is None:
        iso = s.replace("Z", "+00:00") if s.endswith("Z") else s
        if re.match(r"\d{4}-\d{2}-\d{2} \d", iso):
            iso = iso.replace(" ", "T", 1)
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            dt = None
    if (
        dt is None
        and re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", s)
        and re.search(r"\d{1,2}\D+\d{1,2}|[a-z]{3}", s, re.I)
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dt = du_parser.parse(
                    s,
                    dayfirst=not re.match(r"^\d{4}", s),
                    default=datetime(2000, 1, 1),
                    tzinfos=TZ_ABBREVIATIONS,
                )
        except (ValueError, OverflowError, TypeError):
            dt = None
    if dt is None:
        # a text date in a structured field (e.g. "07 апреля 2021 09:31")
        found = find_text_dates(s, tz, limit=1)
        return found[0] if found else None
    has_time = bool(re.search(r"\d[:h]\d", s)) or len(s) > 10
    explicit = dt.tzinfo is not None
    if not explicit:
        dt = dt.replace(tzinfo=tz)
    if not plausible(dt):
        return None
    return FoundDate(dt, has_time, explicit)


def url_date(url: str, tz: tzinfo = UTC) -> date | None:
    """A ``/2025/11/30/``-style date in the URL path (the day only)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = re.sub(r"^[a-z]+://[^/]+", "", path)
    for pat in _URL_DATE:
        m = pat.search(path)
        if m:
            try:
                d = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            if plausible(datetime(d.year, d.month, d.day, tzinfo=UTC)):
                return d
    return None
