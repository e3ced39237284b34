"""The topics file (``warehouse/topics.yml``) and the gazetteer (``warehouse/seeds/gazetteer.csv``):
loading, validation with precise errors, and the term tables the warehouse evaluates."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from newsradar.errors import UserError
from newsradar.topics.language import (
    Query,
    Term,
    TopicQueryError,
    _Leaf,
    _Or,
    compile_phrase,
    compile_query,
    required_literal,
)


class TopicsError(UserError):
    """The topics file or the gazetteer is missing, unreadable or invalid."""


# --- topics file ------------------------------------------------------------------------------
TOPIC_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_TOPIC_FIELDS = ("id", "label", "description", "query", "languages", "spike_threshold")

TOPIC_TERMS_SCHEMA = pa.schema(
    [
        pa.field("topic_id", pa.string(), nullable=False),
        pa.field("language", pa.string()),  # null = all languages
        pa.field("clause_id", pa.int32(), nullable=False),
        pa.field("term_id", pa.int32(), nullable=False),
        pa.field("pattern", pa.string(), nullable=False),
        pa.field("negated", pa.bool_(), nullable=False),
        # text every match of ``pattern`` contains ("" if none): test contains(text, literal) before
        # regexp_matches so most rows never reach the regex (see newsradar.topics.evaluate)
        pa.field("literal", pa.string(), nullable=False),
    ]
)
TOPICS_SCHEMA = pa.schema(
    [
        pa.field("topic_id", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("description", pa.string(), nullable=False),
        pa.field("query", pa.string(), nullable=False),
        pa.field("languages", pa.list_(pa.string())),  # null = all languages
        pa.field("spike_threshold", pa.float64(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Topic:
    """One topic of ``topics.yml``. ``compiled`` is filled from ``query`` when not given."""

    id: str
    label: str
    description: str
    query: str
    languages: list[str] | None = None
    spike_threshold: float = 3.0
    compiled: Query = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.compiled is None:
            try:
                compiled = compile_query(self.query)
            except TopicQueryError as exc:
                raise exc.with_context(f"topic '{self.id}': query") from None
            object.__setattr__(self, "compiled", compiled)


def default_topics_file() -> Path:
    """``warehouse/topics.yml`` of the working directory, else of the source checkout."""
    return _default_file("NEWSRADAR_TOPICS", Path("warehouse") / "topics.yml")


def default_gazetteer_file() -> Path:
    return _default_file("NEWSRADAR_GAZETTEER", Path("warehouse") / "seeds" / "gazetteer.csv")


def _default_file(env: str, rel: Path) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    if rel.exists():
        return rel
    checkout = Path(__file__).resolve().parents[2] / rel
    return checkout if checkout.exists() else rel


def load_topics(path: str | Path) -> list[Topic]:
    """Read and validate a topics file. Errors name the file, the topic (and its line) and, for a
    query, the position with a caret."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TopicsError(f"{path}: no such topics file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicsError(f"{path}: cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TopicsError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    return parse_topics(data, str(path), _item_lines(node, "topics"))


def _item_lines(node: Any, key: str) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def parse_topics(data: Any, origin: str = "topics", lines: list[int] | None = None) -> list[Topic]:
    """Validate already-parsed topics data (``{"topics": [...]}``)."""
    if not isinstance(data, dict) or "topics" not in data:
        raise TopicsError(f"{origin}: expected a mapping with a 'topics' list")
    unknown = sorted(set(data) - {"version", "topics"})
    if unknown:
        raise TopicsError(f"{origin}: unknown top-level key(s): {', '.join(map(str, unknown))}")
    if data.get("version", 1) != 1:
        raise TopicsError(f"{origin}: unsupported version {data.get('version')!r} (expected 1)")
    items = data["topics"]
    if not isinstance(items, list) or not items:
        raise TopicsError(f"{origin}: 'topics' must be a non-empty list")
    lines = lines or []
    topics: list[Topic] = []
    first_line: dict[str, str] = {}
    for n, item in enumerate(items):
        line = f"line {lines[n]}" if n < len(lines) else f"entry {n + 1}"
        tid = item.get("id") if isinstance(item, dict) else None
        where = f"{origin}: topic '{tid}' ({line})" if isinstance(tid, str) else f"{origin}: {line}"
        topic = _parse_topic(item, where)
        if topic.id in first_line:
            raise TopicsError(
                f"{where}: duplicate topic id '{topic.id}' (first defined at {first_line[topic.id]})"
            )
        first_line[topic.id] = line
        topics.append(topic)
    return topics


def _parse_topic(item: Any, where: str) -> Topic:
    if not isinstance(item, dict):
        raise TopicsError(f"{where}: a topic must be a mapping with {', '.join(_TOPIC_FIELDS)}")
    unknown = sorted(map(str, set(item) - set(_TOPIC_FIELDS)))
    if unknown:
        raise TopicsError(
            f"{where}: unknown field(s) {', '.join(unknown)} (expected {', '.join(_TOPIC_FIELDS)})"
        )
    for key in ("id", "label", "description", "query"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TopicsError(f"{where}: field '{key}' is required and must be non-empty text")
    tid = item["id"]
    if not TOPIC_ID_RE.match(tid):
        raise TopicsError(
            f"{where}: field 'id': {tid!r} must match {TOPIC_ID_RE.pattern} (lowercase, digits, _)"
        )
    languages = item.get("languages")
    if languages is not None:
        if isinstance(languages, str):
            languages = [languages]
        if not isinstance(languages, list) or not languages:
            raise TopicsError(f"{where}: field 'languages' must be null (all) or a non-empty list of codes")
        for lang in languages:
            if not isinstance(lang, str) or not LANGUAGE_RE.match(lang):
                raise TopicsError(f"{where}: field 'languages': {lang!r} is not an ISO 639 code like 'en'")
        if len(set(languages)) != len(languages):
            raise TopicsError(f"{where}: field 'languages' lists a language twice")
    threshold = item.get("spike_threshold", 3.0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not threshold > 0:
        raise TopicsError(f"{where}: field 'spike_threshold' must be a positive number, not {threshold!r}")
    try:
        compiled = compile_query(item["query"])
    except TopicQueryError as exc:
        raise exc.with_context(f"{where}: query") from None
    return Topic(
        id=tid,
        label=item["label"].strip(),
        description=" ".join(item["description"].split()),
        query=item["query"].strip(),
        languages=list(languages) if languages is not None else None,
        spike_threshold=float(threshold),
        compiled=compiled,
    )


def topic_terms_table(topics: Iterable[Topic]) -> pa.Table:
    """The DNF of every topic as data: one row per (topic, language, clause, term)."""
    cols: dict[str, list] = {name: [] for name in TOPIC_TERMS_SCHEMA.names}
    for topic in topics:
        term_ids: dict[str, int] = {}
        for language in topic.languages or [None]:
            for clause_id, clause in enumerate(topic.compiled.clauses()):
                for term in clause:
                    term_id = term_ids.setdefault(term.pattern, len(term_ids))
                    cols["topic_id"].append(topic.id)
                    cols["language"].append(language)
                    cols["clause_id"].append(clause_id)
                    cols["term_id"].append(term_id)
                    cols["pattern"].append(term.pattern)
                    cols["literal"].append(required_literal(term.pattern))
                    cols["negated"].append(term.negated)
    return pa.table(cols, schema=TOPIC_TERMS_SCHEMA)


def topics_table(topics: Iterable[Topic]) -> pa.Table:
    """The ``topics`` reference table (docs/tables.md)."""
    rows = [
        {
            "topic_id": t.id,
            "label": t.label,
            "description": t.description,
            "query": t.query,
            "languages": t.languages,
            "spike_threshold": t.spike_threshold,
        }
        for t in topics
    ]
    return pa.Table.from_pylist(rows, schema=TOPICS_SCHEMA)


# --- gazetteer --------------------------------------------------------------------------------
ENTITY_TYPES = ("person", "place", "organisation")
GAZETTEER_COLUMNS = ["entity_id", "name", "type", "aliases"]
ENTITY_ID_RE = re.compile(r"^[a-z0-9_]{1,64}$")
ENTITY_TERMS_SCHEMA = pa.schema(
    [
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("entity_name", pa.string(), nullable=False),
        pa.field("entity_type", pa.string(), nullable=False),
        pa.field("term_id", pa.int32(), nullable=False),
        pa.field("pattern", pa.string(), nullable=False),
        pa.field("literal", pa.string(), nullable=False),  # as in TOPIC_TERMS_SCHEMA
    ]
)


@dataclass(frozen=True)
class Entity:
    """A person, place or organisation. ``aliases`` include the name; each is a phrase term."""

    id: str
    name: str
    type: str
    aliases: list[str]
    compiled: Query = field(compare=False, repr=False)


def _entity_query(name: str, aliases: list[str]) -> Query:
    leaves: list[_Leaf] = []
    for alias in aliases:
        leaf = compile_phrase(alias)._root
        if all(leaf.pattern != other.pattern for other in leaves):
            leaves.append(leaf)
    root = leaves[0] if len(leaves) == 1 else _Or(tuple(leaves), 0)
    clauses = [[Term(leaf.pattern, False, leaf.source_text)] for leaf in leaves]
    return Query(" | ".join(aliases), root, clauses, [])


def load_gazetteer(path: str | Path) -> list[Entity]:
    """Read and validate ``entity_id,name,type,aliases`` (aliases separated by ``|``; the name is
    always an alias too). Errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TopicsError(f"{path}: no such gazetteer file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicsError(f"{path}: cannot read: {exc}") from None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise TopicsError(f"{path}: line 1: bad CSV: {exc}") from None
    if header is None or [h.strip() for h in header] != GAZETTEER_COLUMNS:
        raise TopicsError(f"{path}: line 1: the header must be {','.join(GAZETTEER_COLUMNS)}, got {header!r}")
    entities: list[Entity] = []
    ids: dict[str, int] = {}
    owners: dict[str, tuple[str, int]] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TopicsError(f"{path}: line {reader.line_num}: bad CSV: {exc}") from None
        line = reader.line_num
        where = f"{path}: line {line}"
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(GAZETTEER_COLUMNS):
            raise TopicsError(f"{where}: expected {len(GAZETTEER_COLUMNS)} fields, got {len(row)}")
        entity_id, name, etype, alias_field = (c.strip() for c in row)
        if not ENTITY_ID_RE.match(entity_id):
            raise TopicsError(f"{where}: entity_id {entity_id!r} must match {ENTITY_ID_RE.pattern}")
        where = f"{where} (entity '{entity_id}')"
        if entity_id in ids:
            raise TopicsError(f"{where}: duplicate entity_id (first at line {ids[entity_id]})")
        ids[entity_id] = line
        if not name:
            raise TopicsError(f"{where}: empty name")
        if etype not in ENTITY_TYPES:
            raise TopicsError(f"{where}: unknown type {etype!r} (expected {', '.join(ENTITY_TYPES)})")
        aliases = [name] + [a.strip() for a in alias_field.split("|")] if alias_field.strip() else [name]
        for k, alias in enumerate(aliases):
            if not alias:
                raise TopicsError(f"{where}: empty alias (alias {k} of {alias_field!r})")
        try:
            compiled = _entity_query(name, list(dict.fromkeys(aliases)))
        except TopicQueryError as exc:
            raise exc.with_context(f"{where}: bad alias") from None
        for term in compiled.terms():
            if term.pattern in owners and owners[term.pattern][0] != entity_id:
                other, other_line = owners[term.pattern]
                raise TopicsError(
                    f"{where}: alias {term.source_text!r} is also an alias of '{other}' (line {other_line}); "
                    "a mention would count for both"
                )
            owners[term.pattern] = (entity_id, line)
        entities.append(Entity(entity_id, name, etype, list(dict.fromkeys(aliases)), compiled))
    if not entities:
        raise TopicsError(f"{path}: no entities")
    return entities


def entity_terms_table(entities: Iterable[Entity]) -> pa.Table:
    """One row per entity alias pattern (an entity is mentioned when any of its patterns match)."""
    cols: dict[str, list] = {name: [] for name in ENTITY_TERMS_SCHEMA.names}
    for entity in entities:
        for term_id, term in enumerate(entity.compiled.terms()):
            cols["entity_id"].append(entity.id)
            cols["entity_name"].append(entity.name)
            cols["entity_type"].append(entity.type)
            cols["term_id"].append(term_id)
            cols["pattern"].append(term.pattern)
            cols["literal"].append(required_literal(term.pattern))
    return pa.table(cols, schema=ENTITY_TERMS_SCHEMA)
