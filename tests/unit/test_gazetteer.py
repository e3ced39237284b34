"""warehouse/seeds/gazetteer.csv: it validates, finds inflected Russian forms, and bad rows fail with
their line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsradar.topics import (
    ENTITY_TERMS_SCHEMA,
    Entity,
    TopicQueryError,
    TopicsError,
    entity_terms_table,
    load_gazetteer,
)

ROOT = Path(__file__).resolve().parents[2]
GAZETTEER = ROOT / "warehouse" / "seeds" / "gazetteer.csv"
REQUIRED = {
    "zelensky",
    "putin",
    "aliyev",
    "pashinyan",
    "lukashenko",
    "erdogan",
    "macron",
    "trump",
    "witkoff",
    "lavrov",
    "sybiha",
    "umerov",
    "peskov",
    "kyiv",
    "moscow",
    "minsk",
    "bishkek",
    "baku",
    "istanbul",
    "geneva",
    "riyadh",
    "abu_dhabi",
    "donetsk",
    "zaporizhzhia",
    "kherson",
    "crimea",
    "un",
    "nato",
    "eu",
    "osce",
    "iaea",
    "kremlin",
}


@pytest.fixture(scope="module")
def entities() -> dict[str, Entity]:
    return {e.id: e for e in load_gazetteer(GAZETTEER)}


def test_repo_gazetteer_validates(entities: dict[str, Entity]) -> None:
    assert REQUIRED <= set(entities)
    assert {e.type for e in entities.values()} == {"person", "place", "organisation"}
    for e in entities.values():
        assert e.aliases[0] == e.name


def found(entities: dict[str, Entity], text: str) -> set[str]:
    return {e.id for e in entities.values() if e.compiled.matches(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Зеленский заявил", {"zelensky"}),
        ("встреча Зеленского", {"zelensky"}),
        ("позвонил Зеленскому", {"zelensky"}),
        ("с Зеленским", {"zelensky"}),
        ("о Зеленском", {"zelensky"}),
        ("Zelenskyy's office", {"zelensky"}),
        ("Путин, Путина, Путину, Путиным", {"putin"}),
        ("Пашиняна и Алиева", {"pashinyan", "aliyev"}),
        ("Эрдоганом", {"erdogan"}),
        ("в Москве и Киеве", {"moscow", "kyiv"}),
        ("Kyiv and Moscow", {"kyiv", "moscow"}),
        ("в Минске", {"minsk"}),
        ("в Стамбуле", {"istanbul"}),
        ("в Женеве", {"geneva"}),
        ("в Эр-Рияде", {"riyadh"}),
        ("Abu-Dhabi and Абу-Даби", {"abu_dhabi"}),
        ("Запорожской АЭС", {"zaporizhzhia", "zaporizhzhia_npp"}),
        ("the U.N. and the UN", {"un"}),
        ("Кремле", {"kremlin"}),
        ("ООН и НАТО", {"un", "nato"}),
        ("МАГАТЭ", {"iaea"}),
        ("лавровый лист", set()),  # bay leaf is not Lavrov
        ("трамплин", set()),  # a springboard is not Trump
        ("peaceful Kyivans", set()),  # whole words only
    ],
)
def test_aliases_find_inflected_forms(entities: dict[str, Entity], text: str, expected: set[str]) -> None:
    assert found(entities, text) == expected


def test_entity_terms_table(entities: dict[str, Entity]) -> None:
    table = entity_terms_table(entities.values())
    assert table.schema == ENTITY_TERMS_SCHEMA
    rows = table.to_pylist()
    keys = [(r["entity_id"], r["term_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert len({r["pattern"] for r in rows}) == len(rows)  # no pattern belongs to two entities
    zelensky = [r for r in rows if r["entity_id"] == "zelensky"]
    assert zelensky[0]["entity_name"] == "Volodymyr Zelensky" and zelensky[0]["entity_type"] == "person"
    assert len(zelensky) == len(entities["zelensky"].aliases)


# --- invalid files ------------------------------------------------------------------------------
HEADER = "entity_id,name,type,aliases\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "gazetteer.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_minimal_gazetteer(tmp_path: Path) -> None:
    [e] = load_gazetteer(write(tmp_path, "nato,NATO,organisation,НАТО|North Atlantic Alliance\n\n"))
    assert e.aliases == ["NATO", "НАТО", "North Atlantic Alliance"]
    assert e.compiled.matches("the north  atlantic alliance")


def test_quoted_fields_and_no_aliases(tmp_path: Path) -> None:
    entities = load_gazetteer(write(tmp_path, 'kyiv,"Kyiv, Ukraine",place,"Kiev|Киев*"\nbaku,Baku,place,\n'))
    assert [e.name for e in entities] == ["Kyiv, Ukraine", "Baku"]
    assert entities[1].aliases == ["Baku"]


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("a,A,person,x\nb,B,city,y\n", 3, "unknown type 'city'"),
        ("a,A,person,x\na,A2,person,y\n", 3, "duplicate entity_id (first at line 2)"),
        ("a,A,person,x\nB-1,B,person,y\n", 3, "entity_id 'B-1'"),
        ("a,A,person,x\nb,,person,y\n", 3, "empty name"),
        ("a,A,person,x\nb,B,person,y||z\n", 3, "empty alias"),
        ("a,A,person,x\nb,B,person,x\n", 3, "also an alias of 'a' (line 2)"),
        ("a,A,person,x\nb,B,person\n", 3, "expected 4 fields, got 3"),
    ],
)
def test_invalid_rows_name_the_line(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(TopicsError) as info:
        load_gazetteer(path)
    assert f"{path}: line {line}" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("alias", "fragment"),
    [
        ("*", "lone '*'"),
        ("Пу*тин", "only allowed at the end"),
        ("П*", "at least 2 letters"),
        ("--", "no letter"),
    ],
)
def test_bad_alias(tmp_path: Path, alias: str, fragment: str) -> None:
    path = write(tmp_path, f"a,A,person,x\nb,B,person,ok|{alias}\n")
    with pytest.raises(TopicQueryError) as info:
        load_gazetteer(path)
    assert f"{path}: line 3 (entity 'b'): bad alias" in str(info.value)
    assert fragment in info.value.message


def test_alias_operators_are_text(tmp_path: Path) -> None:
    [e] = load_gazetteer(write(tmp_path, "pc,Party,organisation,Law AND Justice (PiS)\n"))
    assert e.compiled.matches("the law and justice (PiS) party")
    assert not e.compiled.matches("law justice")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("id,name,type\n", "the header must be"),
        (HEADER, "no entities"),
        ('entity_id,name,type,aliases\na,"A,person\n', "line"),
    ],
)
def test_invalid_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "g.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TopicsError) as info:
        load_gazetteer(path)
    assert fragment in str(info.value)


def test_missing_gazetteer(tmp_path: Path) -> None:
    with pytest.raises(TopicsError, match="no such gazetteer"):
        load_gazetteer(tmp_path / "none.csv")
