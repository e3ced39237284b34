"""The demo newsroom generator: determinism, the vocabulary contract, the designed surge."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest

from newsradar.demo import prose
from newsradar.demo.generator import OUTLETS, generate
from newsradar.demo.manifest import build_manifest
from newsradar.demo.render import Site, caliber_date

BASES = {o.id: f"http://127.0.0.{20 + o.host_index}:8000" for o in OUTLETS}


@pytest.fixture(scope="module")
def room():
    return generate()


def _site_digest(room) -> str:
    h = hashlib.sha256()
    for o in room.outlets:
        site = Site(room, o, BASES[o.id])
        paths = [
            "/robots.txt",
            "/",
            "/en/",
            "/sitemap.xml",
            "/sitemap_index.xml",
            "/feeds/all.rss",
            "/atom.xml",
            "/feed.json",
            "/sitemap-steppe.xml",
            "/sitemaps/news-2025-11.xml.gz",
        ]
        paths += [a.path for a in site.articles] + [p.path for p in site.pages.values()]
        for p in paths:
            status, ctype, body = site.respond(p)
            h.update(f"{o.id} {p} {status} {ctype}\n".encode())
            h.update(body)
    return h.hexdigest()


def test_same_seed_same_bytes():
    a, b = generate(seed=3, days=6, per_day=4), generate(seed=3, days=6, per_day=4)
    assert _site_digest(a) == _site_digest(b)
    assert build_manifest(a, BASES) == build_manifest(b, BASES)


def test_other_seed_other_newsroom():
    a, b = generate(seed=3, days=6, per_day=4), generate(seed=4, days=6, per_day=4)
    assert [x.title for x in a.articles] != [x.title for x in b.articles]


def test_default_size_and_date_range(room):
    arts = [a for a in room.articles if not a.embargoed]
    assert 1300 <= len(arts) <= 1700
    assert room.start_date == date(2025, 10, 20) and room.end_date == date(2025, 11, 30)
    assert min(a.local_day for a in arts) == room.start_date
    assert max(a.local_day for a in arts) == room.end_date
    assert {a.outlet for a in arts} == {o.id for o in OUTLETS}
    assert {a.lang for a in arts if a.outlet == "baku_chronicle"} == {"en", "ru"}
    assert {a.lang for a in arts if a.outlet == "nevsky_vestnik"} == {"ru"}
    assert all(a.published.second == 0 for a in arts)


def test_vocabulary_contract_holds_for_every_article(room):
    problems = []
    for a in room.articles:
        text = a.title + "\n" + a.body_text
        for p in prose.check_vocabulary(text, a.lang, a.topics):
            problems.append(f"{a.outlet}{a.path}: {p}")
    assert not problems, problems[:10]


def test_vocabulary_contract_phrases(room):
    peace = [a for a in room.articles if "peace_talks" in a.topics]
    other = [a for a in room.articles if "peace_talks" not in a.topics]
    assert len(peace) > 100 and len(other) > 1000
    for a in peace:
        assert re.search(prose.PEACE_PHRASES[a.lang], a.title + " " + a.body_text), a.path
    for a in other:
        text = (a.title + " " + a.body_text).lower()
        assert "peace" not in text
        assert not re.search(r"(?<!\w)(мирн|переговор)", text), a.path


def test_check_vocabulary_catches_leaks():
    assert prose.check_vocabulary("The festival opened.", "en", ["energy"])
    assert prose.check_vocabulary("Газета сообщила о нефти.", "ru", ["culture"])
    assert prose.check_vocabulary("Премьер говорит о мирном плане.", "ru", ["ceasefire"])
    assert not prose.check_vocabulary("Новый раунд мирных переговоров.", "ru", ["peace_talks"])


def test_articles_have_several_paragraphs_and_realistic_length(room):
    for a in room.articles:
        assert 200 <= a.word_count <= 600, (a.path, a.word_count)
        assert len(a.paragraphs) >= 4
        assert all(s in a.body_text for s in a.key_sentences)
    en = " ".join(a.body_text for a in room.articles if a.lang == "en")
    ru = " ".join(a.body_text for a in room.articles if a.lang == "ru")
    for name in (
        "Zelensky",
        "Putin",
        "Aliyev",
        "Pashinyan",
        "Lukashenko",
        "Erdogan",
        "Macron",
        "Geneva",
        "OSCE",
    ):
        assert name in en
    for form in ("Зеленского", "Путина", "Минске", "Стамбуле", "Женеве", "ОБСЕ"):
        assert form in ru


def test_surge_in_peace_talks_share(room):
    shares = room.peace_share_by_day()
    surge = set(room.surge_days)
    assert len(surge) == 6
    assert room.surge_days[0] == date(2025, 11, 18)  # days 30-35 of 42
    inside = [s for d, s in shares.items() if d in surge]
    outside = [s for d, s in shares.items() if d not in surge]
    assert sum(outside) / len(outside) < 0.12
    assert sum(inside) / len(inside) > 0.25
    assert min(inside) > max(outside[:28]) * 0.9 or min(inside) > 0.2
    # the manifest reports the same shares
    m = build_manifest(room, BASES)
    for d in room.surge_days:
        assert m["topic_share_by_day"]["peace_talks"][d.isoformat()] == pytest.approx(shares[d], abs=1e-4)


def test_syndicated_copies_share_body_across_outlets(room):
    by_key = {(a.outlet, a.path): a for a in room.articles}
    copies = [a for a in room.articles if a.syndicated_of]
    assert 20 <= len(copies) <= 150
    for c in copies:
        orig = by_key[c.syndicated_of]
        assert orig.outlet != c.outlet and orig.lang == c.lang
        assert orig.body_text == c.body_text and orig.topics == c.topics
        assert orig.published_utc < c.published_utc
        assert orig.syndicated_of is None


def test_manifest_fields(room):
    m = build_manifest(room, BASES)
    assert {o["id"] for o in m["outlets"]} == {o.id for o in OUTLETS}
    arts = [a for a in m["pages"] if a["is_article"]]
    pages = [a for a in m["pages"] if not a["is_article"]]
    assert len({a["url"] for a in m["pages"]}) == len(m["pages"])  # unique URLs
    assert {p["kind"] for p in pages} == {"about", "tag", "listing"}
    a = arts[0]
    for key in (
        "outlet",
        "url",
        "title",
        "published_at",
        "local_day",
        "language",
        "topics",
        "section",
        "views",
        "key_sentences",
        "syndicated_of",
        "is_article",
    ):
        assert key in a
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", a["published_at"])
    assert all(x["views"] is not None for x in arts if x["outlet"] == "baku_chronicle")
    assert all(x["views"] is None for x in arts if x["outlet"] != "baku_chronicle")
    assert all(len(o["disallowed_urls"]) == 1 for o in m["outlets"])
    assert any(len(a["topics"]) == 2 for a in arts)


def test_local_day_is_in_outlet_timezone(room):
    # an article at 23:10 in New York is the next day in UTC; local_day stays the outlet's day
    late = [a for a in room.articles if a.outlet == "meridian_post" and a.published.hour >= 20]
    assert late and all(a.published_utc.date() > a.local_day for a in late)


def test_caliber_date_format():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    dt = datetime(2021, 4, 7, 9, 31, tzinfo=ZoneInfo("Asia/Baku"))
    assert caliber_date(dt, "ru") == "07 Апреля 2021 09:31"
    assert (
        caliber_date(dt.replace(year=2025, month=11, day=30, hour=10, minute=10), "en")
        == "30 November 2025 10:10"
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="days"):
        generate(days=0)


def test_every_lead_has_matching_headlines():
    for lang, topics in prose.TEMPLATES.items():
        for topic, tpl in topics.items():
            mapping = prose.TITLE_FOR_LEAD[lang][topic]
            assert len(mapping) == len(tpl["lead"]), (lang, topic)
            used = {i for titles in mapping for i in titles}
            assert used <= set(range(len(tpl["title"]))) and all(mapping), (lang, topic)
