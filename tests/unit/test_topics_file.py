"""warehouse/topics.yml: it validates, honours the demo's vocabulary, and bad files fail precisely."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newsradar.topics import (
    TOPIC_TERMS_SCHEMA,
    TOPICS_SCHEMA,
    Topic,
    TopicQueryError,
    TopicsError,
    load_topics,
    topic_terms_table,
    topics_table,
)

ROOT = Path(__file__).resolve().parents[2]
TOPICS_FILE = ROOT / "warehouse" / "topics.yml"
REQUIRED = {
    "peace_talks",
    "ceasefire_frontline",
    "sanctions",
    "energy",
    "elections",
    "sport",
    "culture",
    "economy",
    "prisoner_exchange",
    "nuclear_safety",
}


@pytest.fixture(scope="module")
def topics() -> dict[str, Topic]:
    return {t.id: t for t in load_topics(TOPICS_FILE)}


def test_repo_topics_file_validates(topics: dict[str, Topic]) -> None:
    assert REQUIRED <= set(topics)
    for t in topics.values():
        assert t.label and t.description and t.query
        assert t.spike_threshold > 0
        assert t.compiled.clauses()
        assert not t.compiled.warnings, (t.id, t.compiled.warnings)


PEACE_YES = [
    "New round of peace talks opens in Minsk",
    "Zelensky says peace negotiations could resume within weeks",
    "Envoys discussed a peace deal",
    "The peace summit in Geneva",
    "A peace-talks venue",
    "Начался новый раунд мирных переговоров в Минске",
    "Мирные переговоры возобновятся",
    "Делегации на мирных переговорах в Стамбуле",
    "Мирный переговорный процесс",
    "Переговоры о мире продолжатся",
    "МИРНЫЕ   ПЕРЕГОВОРЫ",
]
PEACE_NO = [
    "The world peace festival opened",  # "peace" alone is not enough: it needs a negotiation word
    "Peaceful protest in the capital",
    "Trade talks with the EU",
    "Мирные жители покинули город",  # civilians
    "Переговоры по поставкам газа",
    "Talks about peace of mind",
    "",
]


@pytest.mark.parametrize("text", PEACE_YES)
def test_peace_talks_matches_the_demo_vocabulary(topics: dict[str, Topic], text: str) -> None:
    assert topics["peace_talks"].compiled.matches(text)


@pytest.mark.parametrize("text", PEACE_NO)
def test_peace_talks_needs_more_than_peace(topics: dict[str, Topic], text: str) -> None:
    assert not topics["peace_talks"].compiled.matches(text)


@pytest.mark.parametrize(
    ("topic", "yes", "no"),
    [
        (
            "energy",
            ["gas prices", "цены на газ", "поставки газа", "нефтью", "энергетика"],
            ["газета пишет", "gasoline"],
        ),
        ("sanctions", ["new sanctions", "санкциями"], ["sanctuary"]),
        ("elections", ["elections", "the vote", "выборы", "голосование"], ["electricity"]),
        (
            "ceasefire_frontline",
            ["a ceasefire", "on the front line", "front-line", "перемирие", "у линии фронта"],
            ["frontier"],
        ),
        ("sport", ["the match", "championship", "матча", "чемпионата"], ["matchmaker", "матчасть"]),
        ("culture", ["a festival", "the exhibition", "фестиваль", "выставка"], ["festive"]),
        ("economy", ["inflation", "GDP", "инфляция", "ВВП"], ["economist"]),
        (
            "prisoner_exchange",
            ["a prisoner exchange", "обмен пленными", "обмен военнопленными"],
            ["exchange rate"],
        ),
        (
            "nuclear_safety",
            ["the IAEA", "МАГАТЭ", "Запорожской АЭС", "nuclear power plant"],
            ["nuclear family"],
        ),
    ],
)
def test_topic_keywords(topics: dict[str, Topic], topic: str, yes: list[str], no: list[str]) -> None:
    q = topics[topic].compiled
    assert [t for t in yes if not q.matches(t)] == []
    assert [t for t in no if q.matches(t)] == []


def test_topics_match_exactly_the_demo_articles(topics: dict[str, Topic]) -> None:
    """The demo generator's articles carry their topics' keywords and no others (its vocabulary
    contract); our queries must find exactly the topics the generator wrote."""
    prose = pytest.importorskip("newsradar.demo.prose")
    ids = {"ceasefire": "ceasefire_frontline"}  # the demo's name for the topic
    rng = random.Random(11)
    wrong = []
    for _ in range(300):
        lang = rng.choice(["en", "ru"])
        wanted = rng.sample(prose.TOPICS, rng.choice([1, 1, 2]))
        title, paragraphs = prose.write_article(rng, lang, wanted)
        text = title + "\n" + "\n".join(" ".join(p) for p in paragraphs)
        found = {t for t in prose.TOPICS if topics[ids.get(t, t)].compiled.matches(text)}
        if found != set(wanted):
            wrong.append((lang, wanted, sorted(found), text[:200]))
    assert wrong == []


# --- invalid files -----------------------------------------------------------------------------
GOOD = """\
version: 1
topics:
  - id: peace_talks
    label: Peace talks
    description: Talks.
    query: '"peace talks"'
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_and_defaults(tmp_path: Path) -> None:
    [t] = load_topics(write(tmp_path, GOOD))
    assert (t.id, t.languages, t.spike_threshold) == ("peace_talks", None, 3.0)


def test_bad_query_error_names_file_topic_line_and_position(tmp_path: Path) -> None:
    text = (
        GOOD
        + """\
  - id: energy
    label: Energy
    description: Energy.
    query: gas OR (oil AND coal
"""
    )
    path = write(tmp_path, text)
    with pytest.raises(TopicQueryError) as info:
        load_topics(path)
    err = info.value
    assert err.position == 7 and err.query == "gas OR (oil AND coal"
    first = str(err).splitlines()[0]
    assert f"{path}: topic 'energy' (line 7): query: unclosed '('" in first
    assert str(err).splitlines()[-1] == "           ^"  # 4 spaces of indent + 7


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (
            "  - id: peace_talks\n    label: x\n    description: x\n    query: x\n",
            "duplicate topic id 'peace_talks'",
        ),
        ("  - id: Bad-Id\n    label: x\n    description: x\n    query: x\n", "field 'id'"),
        (
            "  - id: x1\n    label: x\n    description: x\n    query: x\n    colour: red\n",
            "unknown field(s) colour",
        ),
        ("  - id: x1\n    label: x\n    description: x\n", "field 'query' is required"),
        ("  - id: x1\n    label: ''\n    description: x\n    query: x\n", "field 'label' is required"),
        (
            "  - id: x1\n    label: x\n    description: x\n    query: x\n    languages: [english]\n",
            "not an ISO 639",
        ),
        ("  - id: x1\n    label: x\n    description: x\n    query: x\n    languages: []\n", "non-empty list"),
        ("  - id: x1\n    label: x\n    description: x\n    query: x\n    languages: [en, en]\n", "twice"),
        (
            "  - id: x1\n    label: x\n    description: x\n    query: x\n    spike_threshold: -1\n",
            "positive number",
        ),
        (
            "  - id: x1\n    label: x\n    description: x\n    query: x\n    spike_threshold: high\n",
            "positive number",
        ),
        ("  - just a string\n", "must be a mapping"),
    ],
)
def test_invalid_topics(tmp_path: Path, extra: str, fragment: str) -> None:
    with pytest.raises(TopicsError) as info:
        load_topics(write(tmp_path, GOOD + extra))
    assert fragment in str(info.value)
    assert str(tmp_path / "topics.yml") in str(info.value)
    assert "line 7" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("topics: [\n", "invalid YAML at line"),
        ("- a\n", "expected a mapping with a 'topics' list"),
        ("topics: []\n", "non-empty list"),
        ("version: 2\ntopics: [{id: a}]\n", "unsupported version"),
        ("topic: []\n", "expected a mapping"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(TopicsError) as info:
        load_topics(write(tmp_path, text))
    assert fragment in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TopicsError, match="no such topics file"):
        load_topics(tmp_path / "nope.yml")


# --- tables -------------------------------------------------------------------------------------
def test_topic_terms_table_rows() -> None:
    t1 = Topic("talks", "Talks", "d", "(peace OR truce) talks NOT trade", languages=["en", "ru"])
    t2 = Topic("gas", "Gas", "d", "gas OR газ")
    table = topic_terms_table([t1, t2])
    assert table.schema == TOPIC_TERMS_SCHEMA
    rows = table.to_pylist()
    talks = [r for r in rows if r["topic_id"] == "talks"]
    # 2 clauses x 3 terms x 2 languages
    assert len(talks) == 12
    assert {r["language"] for r in talks} == {"en", "ru"}
    assert sum(r["negated"] for r in talks) == 4
    # the same pattern keeps its term_id across clauses
    by_pattern = {}
    for r in talks:
        by_pattern.setdefault(r["pattern"], set()).add(r["term_id"])
    assert all(len(ids) == 1 for ids in by_pattern.values()) and len(by_pattern) == 4
    keys = [(r["topic_id"], r["language"], r["clause_id"], r["term_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    gas = [r for r in rows if r["topic_id"] == "gas"]
    assert [r["language"] for r in gas] == [None, None]
    assert [r["clause_id"] for r in gas] == [0, 1]


def test_topics_table(topics: dict[str, Topic]) -> None:
    table = topics_table(topics.values())
    assert table.schema == TOPICS_SCHEMA
    assert table.num_rows == len(topics)
    assert table.column("topic_id").to_pylist() == list(topics)


def test_topic_constructor_compiles_and_names_the_topic() -> None:
    assert Topic("x", "x", "x", "peace*").compiled.matches("peaceful")
    with pytest.raises(TopicQueryError, match="topic 'x': query: dangling"):
        Topic("x", "x", "x", "peace OR")
