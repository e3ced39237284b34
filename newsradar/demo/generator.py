"""Deterministic generator of the demo newsroom: outlets, dated articles, non-article pages.

``generate(seed=7, days=42, per_day=7, end_date=date(2025, 11, 30))`` returns a :class:`Newsroom`
that the server renders and the manifest describes. The same arguments give the same newsroom,
byte for byte: one ``random.Random(seed)`` drives every choice, in a fixed order.

The designed signal: peace-talks coverage is ~5% of each outlet's output, then jumps to ~35% for
six days (days 30-35 of the default 42, i.e. ``days-13 .. days-8``), then falls back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from newsradar.demo import prose

DEFAULT_SEED = 7
DEFAULT_DAYS = 42
DEFAULT_PER_DAY = 7
DEFAULT_END_DATE = date(2025, 11, 30)

BASE_WEIGHTS = {
    "peace_talks": 0.05,
    "ceasefire": 0.16,
    "energy": 0.14,
    "elections": 0.12,
    "sanctions": 0.12,
    "sport": 0.14,
    "culture": 0.12,
    "economy": 0.15,
}
SURGE_PEACE_SHARE = 0.35
SURGE_LENGTH = 6
# secondary topics that plausibly go with a main one (an article may have two topics)
PAIRS = {
    "peace_talks": ["ceasefire", "sanctions"],
    "ceasefire": ["peace_talks"],
    "energy": ["sanctions", "economy"],
    "sanctions": ["energy", "economy"],
    "economy": ["energy", "elections"],
    "elections": ["economy"],
}
SECOND_TOPIC_RATE = 0.15
SYNDICATION_RATE = 0.05


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    languages: tuple[str, ...]
    timezone: str
    markup: str  # plain (caliber-like) | jsonld | opengraph | microdata | autodiscovery
    discovery: str
    country: str
    host_index: int  # served on 127.0.0.<20 + host_index>
    disallow: str  # the one robots.txt Disallow rule
    about: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        "baku_chronicle",
        "Baku Chronicle",
        ("en", "ru"),
        "Asia/Baku",
        "plain",
        "sitemap + paginated section listings",
        "AZ",
        1,
        "/en/post/embargoed-",
        "Baku Chronicle is an independent news site covering the South Caucasus and Central Asia.",
    ),
    Outlet(
        "meridian_post",
        "The Meridian Post",
        ("en",),
        "America/New_York",
        "jsonld",
        "sitemap index of gzip Google News sitemaps",
        "US",
        2,
        "/embargo/",
        "The Meridian Post reports on Eurasian politics and markets for an international audience.",
    ),
    Outlet(
        "harbor_herald",
        "Harbor Herald",
        ("en",),
        "Europe/London",
        "opengraph",
        "RSS 2.0 feed",
        "GB",
        3,
        "/private/",
        "Harbor Herald is a London newsroom covering Eastern Europe, energy and culture.",
    ),
    Outlet(
        "nevsky_vestnik",
        "Невский вестник",
        ("ru",),
        "Europe/Moscow",
        "microdata",
        "Atom feed",
        "RU",
        4,
        "/closed/",
        "«Невский вестник» — информационное издание о политике, экономике и культуре.",
    ),
    Outlet(
        "steppe_wire",
        "Steppe Wire",
        ("en",),
        "Asia/Bishkek",
        "autodiscovery",
        "robots.txt Sitemap: line and <link rel=alternate> JSON Feed",
        "KG",
        5,
        "/drafts/",
        "Steppe Wire is a wire service from Bishkek covering Central Asia.",
    ),
)
OUTLETS_BY_ID = {o.id: o for o in OUTLETS}


@dataclass
class Article:
    idx: int  # global, stable for a given seed
    outlet: str
    lang: str
    path: str
    title: str
    paragraphs: list[list[str]]
    published: datetime  # aware, outlet's local time
    modified: datetime
    topics: list[str]
    section: str  # key: politics | economy | sport | culture | analytics
    section_label: str  # as printed on the page
    author: str
    views: int | None
    key_sentences: list[str]
    syndicated_of: tuple[str, str] | None = None  # (outlet id, path) of the original
    embargoed: bool = False  # behind the robots.txt Disallow rule: never to be crawled

    @property
    def published_utc(self) -> datetime:
        return self.published.astimezone(UTC)

    @property
    def modified_utc(self) -> datetime:
        return self.modified.astimezone(UTC)

    @property
    def local_day(self) -> date:
        return self.published.date()

    @property
    def body_text(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paragraphs)

    @property
    def summary(self) -> str:
        return self.paragraphs[0][0]

    @property
    def word_count(self) -> int:
        return len(self.body_text.split())


@dataclass
class Page:
    """A non-article page a crawler may meet: about, tag/topic pages, section listings."""

    outlet: str
    lang: str
    path: str
    kind: str  # about | tag | listing
    title: str
    tag: str | None = None
    section: str | None = None


@dataclass
class Newsroom:
    seed: int
    days: int
    per_day: int
    start_date: date
    end_date: date
    outlets: tuple[Outlet, ...]
    articles: list[Article] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    @property
    def surge_days(self) -> list[date]:
        first = max(0, self.days - 13)
        return [
            self.start_date + timedelta(days=i) for i in range(first, min(self.days, first + SURGE_LENGTH))
        ]

    def articles_of(
        self, outlet_id: str, lang: str | None = None, *, include_embargoed: bool = False
    ) -> list[Article]:
        return [
            a
            for a in self.articles
            if a.outlet == outlet_id
            and (lang is None or a.lang == lang)
            and (include_embargoed or not a.embargoed)
        ]

    def peace_share_by_day(self) -> dict[date, float]:
        totals: dict[date, list[int]] = {}
        for a in self.articles:
            if a.embargoed:
                continue
            t = totals.setdefault(a.local_day, [0, 0])
            t[0] += "peace_talks" in a.topics
            t[1] += 1
        return {d: n / tot for d, (n, tot) in sorted(totals.items())}


def _choose_topics(rng: random.Random, surge: bool) -> list[str]:
    weights = dict(BASE_WEIGHTS)
    if surge:
        others = 1 - BASE_WEIGHTS["peace_talks"]
        weights = {
            t: (SURGE_PEACE_SHARE if t == "peace_talks" else w * (1 - SURGE_PEACE_SHARE) / others)
            for t, w in BASE_WEIGHTS.items()
        }
    names = list(weights)
    main = rng.choices(names, weights=[weights[n] for n in names])[0]
    topics = [main]
    if main in PAIRS and rng.random() < SECOND_TOPIC_RATE:
        topics.append(rng.choice(PAIRS[main]))
    return topics


def _section_for(rng: random.Random, outlet: Outlet, topics: list[str]) -> str:
    section = prose.SECTIONS[topics[0]]
    if outlet.markup == "plain" and section in ("politics", "economy") and rng.random() < 0.25:
        section = "analytics"
    return section


def _section_label(outlet: Outlet, lang: str, section: str) -> str:
    label = prose.SECTION_LABELS[lang][section]
    return label.upper() if outlet.markup == "plain" else label


class _Paths:
    """URL paths per outlet, unique within the outlet."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()

    def make(self, outlet: Outlet, lang: str, title: str, published: datetime, section: str, idx: int) -> str:
        slug = prose.slugify(title)
        for n in range(1, 1000):
            s = slug if n == 1 else f"{slug}-{n}"
            path = self._path(outlet, lang, s, published, section, idx)
            if (outlet.id, path) not in self.used:
                self.used.add((outlet.id, path))
                return path
        raise AssertionError("slug space exhausted")

    @staticmethod
    def _path(outlet: Outlet, lang: str, slug: str, published: datetime, section: str, idx: int) -> str:
        d = published
        if outlet.id == "baku_chronicle":
            return f"/en/post/{slug}" if lang == "en" else f"/post/{slug}-{idx}"
        if outlet.id == "meridian_post":
            return f"/{d:%Y/%m/%d}/{section}/{slug}"
        if outlet.id == "harbor_herald":
            return f"/{section}/{d:%Y}/{d.strftime('%b').lower()}/{d:%d}/{slug}"
        if outlet.id == "nevsky_vestnik":
            return f"/news/{idx}-{slug}"
        return f"/{section}/{slug}"


def _author(rng: random.Random, lang: str) -> str:
    return rng.choice(prose.REPORTERS_EN if lang == "en" else prose.REPORTERS_RU)


def _key_sentences(rng: random.Random, paragraphs: list[list[str]]) -> list[str]:
    sentences = [s for p in paragraphs[1:] for s in p]
    picked = sorted(rng.sample(range(len(sentences)), min(3, len(sentences))))
    return [paragraphs[0][0]] + [sentences[i] for i in picked]


def generate(
    seed: int = DEFAULT_SEED,
    days: int = DEFAULT_DAYS,
    per_day: int = DEFAULT_PER_DAY,
    end_date: date = DEFAULT_END_DATE,
) -> Newsroom:
    """Build the whole newsroom model. Pure and deterministic in its arguments."""
    if days < 1 or per_day < 1:
        raise ValueError(f"days and per_day must be >= 1 (got days={days}, per_day={per_day})")
    rng = random.Random(seed)
    start = end_date - timedelta(days=days - 1)
    room = Newsroom(
        seed=seed, days=days, per_day=per_day, start_date=start, end_date=end_date, outlets=OUTLETS
    )
    surge = set(room.surge_days)
    paths = _Paths()
    idx = 10000
    for d in range(days):
        day = start + timedelta(days=d)
        originals: dict[str, list[Article]] = {"en": [], "ru": []}
        for outlet in OUTLETS:
            n = max(1, per_day + rng.choice([-1, 0, 0, 1]))
            minutes = sorted(rng.sample(range(6 * 60 + 30, 23 * 60 + 30), n))
            for i, minute in enumerate(minutes):
                idx += 1
                lang = outlet.languages[(i + d) % len(outlet.languages)]
                local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=outlet.tz)
                published_utc = local.astimezone(UTC)
                source = None
                if rng.random() < SYNDICATION_RATE:
                    candidates = [
                        a
                        for a in originals[lang]
                        if a.outlet != outlet.id and a.published_utc < published_utc
                    ]
                    source = rng.choice(candidates) if candidates else None
                if source is not None:
                    topics, title, paragraphs = list(source.topics), source.title, source.paragraphs
                    keys = list(source.key_sentences)
                else:
                    topics = _choose_topics(rng, day in surge)
                    title, paragraphs = prose.write_article(rng, lang, topics)
                    keys = _key_sentences(rng, paragraphs)
                section = _section_for(rng, outlet, topics)
                modified = local + timedelta(minutes=rng.randint(5, 240)) if rng.random() < 0.25 else local
                views = int(rng.lognormvariate(5.0, 1.0)) + 12 if outlet.markup == "plain" else None
                art = Article(
                    idx=idx,
                    outlet=outlet.id,
                    lang=lang,
                    path=paths.make(outlet, lang, title, local, section, idx),
                    title=title,
                    paragraphs=paragraphs,
                    published=local,
                    modified=modified,
                    topics=topics,
                    section=section,
                    section_label=_section_label(outlet, lang, section),
                    author=_author(rng, lang),
                    views=views,
                    key_sentences=keys,
                    syndicated_of=(source.outlet, source.path) if source is not None else None,
                )
                room.articles.append(art)
                if source is None:
                    originals[lang].append(art)
    for outlet in OUTLETS:
        idx += 1
        room.articles.append(_embargoed(rng, outlet, end_date, idx))
        room.pages.extend(_pages(outlet))
    return room


def _embargoed(rng: random.Random, outlet: Outlet, day: date, idx: int) -> Article:
    """A real-looking article behind the outlet's robots.txt Disallow rule, listed in its discovery
    channels: a polite crawler never fetches it."""
    lang = outlet.languages[0]
    topics = ["economy"]
    title, paragraphs = prose.write_article(rng, lang, topics)
    local = datetime.combine(day, time(12, 0), tzinfo=outlet.tz)
    prefix = outlet.disallow
    if outlet.id == "baku_chronicle":
        path = f"{prefix}{prose.slugify(title)}"
    elif outlet.id == "meridian_post":
        path = f"{prefix.rstrip('/')}/{local:%Y/%m/%d}/economy/{prose.slugify(title)}"
    elif outlet.id == "harbor_herald":
        path = f"{prefix.rstrip('/')}/economy/{local:%Y}/{local.strftime('%b').lower()}/{local:%d}/embargoed"
    elif outlet.id == "nevsky_vestnik":
        path = f"{prefix.rstrip('/')}/news/{idx}-embargo"
    else:
        path = f"{prefix}{prose.slugify(title)}"
    return Article(
        idx=idx,
        outlet=outlet.id,
        lang=lang,
        path=path,
        title=title,
        paragraphs=paragraphs,
        published=local,
        modified=local,
        topics=topics,
        section="economy",
        section_label=_section_label(outlet, lang, "economy"),
        author=_author(rng, lang),
        views=None,
        key_sentences=[],
        embargoed=True,
    )


TAGS = {
    "en": {
        "peace_talks": "peace-talks",
        "ceasefire": "ceasefire",
        "energy": "energy",
        "elections": "elections",
        "sanctions": "sanctions",
        "sport": "football",
        "culture": "culture",
        "economy": "economy",
    },
    "ru": {
        "peace_talks": "mirnye-peregovory",
        "ceasefire": "peremirie",
        "energy": "energetika",
        "elections": "vybory",
        "sanctions": "sanktsii",
        "sport": "futbol",
        "culture": "kultura",
        "economy": "ekonomika",
    },
}


def sections_of(outlet: Outlet) -> list[str]:
    base = ["politics", "economy", "sport", "culture"]
    return base + ["analytics"] if outlet.markup == "plain" else base


def _pages(outlet: Outlet) -> list[Page]:
    pages: list[Page] = []
    if outlet.id == "baku_chronicle":
        for lang, pre in (("en", "/en"), ("ru", "")):
            pages.append(
                Page(outlet.id, lang, f"{pre}/about", "about", "About us" if lang == "en" else "О нас")
            )
            for topic, tag in TAGS[lang].items():
                pages.append(Page(outlet.id, lang, f"{pre}/tag/{tag}", "tag", tag, tag=topic))
            for sec in sections_of(outlet):
                pages.append(
                    Page(
                        outlet.id,
                        lang,
                        f"{pre}/category/{sec}",
                        "listing",
                        prose.SECTION_LABELS[lang][sec],
                        section=sec,
                    )
                )
    elif outlet.id == "steppe_wire":
        pages.append(Page(outlet.id, "en", "/about/team", "about", "Our team"))
        pages.append(Page(outlet.id, "en", "/about/contacts", "about", "Contacts"))
        for topic, tag in TAGS["en"].items():
            pages.append(Page(outlet.id, "en", f"/topics/{tag}", "tag", tag, tag=topic))
    else:
        lang = outlet.languages[0]
        pages.append(Page(outlet.id, lang, "/about", "about", "About us" if lang == "en" else "О редакции"))
        for sec in sections_of(outlet):
            pages.append(
                Page(
                    outlet.id,
                    lang,
                    f"/section/{sec}",
                    "listing",
                    prose.SECTION_LABELS[lang][sec],
                    section=sec,
                )
            )
    return pages
