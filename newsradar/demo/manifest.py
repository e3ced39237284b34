"""The demo newsroom's truth as JSON (``manifest.json``): what a perfect crawl would find.

Per outlet: id, name, languages, timezone, markup kind, discovery, homepage, the robots.txt
Disallow rule and the URLs behind it, page furniture strings. ``pages``, per page: outlet, url, title,
published_at (UTC ISO, to the minute), local_day, language, topics, section, views where printed,
key sentences of the body, syndicated_of (url of the original) or null, is_article.
Non-article pages (about, tag, listing) are listed with ``is_article: false``.
"""

from __future__ import annotations

from collections import Counter

from newsradar.demo.generator import Newsroom
from newsradar.demo.prose import TOPICS
from newsradar.demo.render import FURNITURE, iso_utc

MANIFEST_VERSION = 1


def build_manifest(room: Newsroom, base_urls: dict[str, str]) -> dict:
    def url(outlet: str, path: str) -> str:
        return base_urls[outlet].rstrip("/") + path

    outlets = []
    for o in room.outlets:
        home = url(o.id, "/en/" if o.id == "baku_chronicle" else "/")
        outlets.append(
            {
                "id": o.id,
                "name": o.name,
                "languages": list(o.languages),
                "timezone": o.timezone,
                "markup": o.markup,
                "discovery": o.discovery,
                "country": o.country,
                "homepage": home,
                "robots_disallow": o.disallow,
                "disallowed_urls": [
                    url(o.id, a.path) for a in room.articles_of(o.id, include_embargoed=True) if a.embargoed
                ],
                "furniture": FURNITURE[o.id],
                "article_count": len(room.articles_of(o.id)),
            }
        )
    pages = []
    for a in room.articles:
        if a.embargoed:
            continue
        pages.append(
            {
                "outlet": a.outlet,
                "url": url(a.outlet, a.path),
                "title": a.title,
                "published_at": iso_utc(a.published),
                "local_day": a.local_day.isoformat(),
                "modified_at": iso_utc(a.modified),
                "language": a.lang,
                "topics": list(a.topics),
                "section": a.section_label,
                "author": a.author,
                "views": a.views,
                "word_count": a.word_count,
                "key_sentences": list(a.key_sentences),
                "syndicated_of": url(*a.syndicated_of) if a.syndicated_of else None,
                "is_article": True,
            }
        )
    for p in room.pages:
        pages.append(
            {
                "outlet": p.outlet,
                "url": url(p.outlet, p.path),
                "title": p.title,
                "language": p.lang,
                "kind": p.kind,
                "is_article": False,
            }
        )
    return {
        "version": MANIFEST_VERSION,
        "generator": {
            "seed": room.seed,
            "days": room.days,
            "per_day": room.per_day,
            "start_date": room.start_date.isoformat(),
            "end_date": room.end_date.isoformat(),
        },
        "surge_days": [d.isoformat() for d in room.surge_days],
        "topics": list(TOPICS),
        "outlets": outlets,
        "topic_share_by_day": topic_shares(room),
        "pages": pages,
    }


def topic_shares(room: Newsroom) -> dict[str, dict[str, float]]:
    """Share of articles per topic and local day, all outlets together (the trend to expect)."""
    totals: Counter = Counter()
    per_topic: dict[str, Counter] = {t: Counter() for t in TOPICS}
    for a in room.articles:
        if a.embargoed:
            continue
        totals[a.local_day] += 1
        for t in a.topics:
            per_topic[t][a.local_day] += 1
    return {
        t: {d.isoformat(): round(per_topic[t][d] / n, 4) for d, n in sorted(totals.items())} for t in TOPICS
    }
