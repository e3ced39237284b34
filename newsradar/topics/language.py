"""The topic query language: lexer, recursive-descent parser, DNF compiler, RE2 patterns and the
pure-Python reference matcher. Semantics and grammar: ``docs/topics.md``."""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsradar.errors import UserError

# --- limits -----------------------------------------------------------------------------------
MAX_QUERY_LENGTH = 20_000
MAX_DEPTH = 32  # nested parentheses / NOTs
MAX_CLAUSES = 256  # DNF size after expansion
MAX_TERMS_PER_CLAUSE = 64
MIN_WILDCARD_STEM = 2  # letters/digits before '*'

# --- the RE2 building blocks ------------------------------------------------------------------
# RE2's \b and \w are ASCII-only, so word boundaries are spelled with Unicode classes.
WORD_CLASS = r"\p{L}\p{M}\p{N}_"
WORD = f"[{WORD_CLASS}]"
NON_WORD = f"[^{WORD_CLASS}]"
LEFT_BOUNDARY = f"(?:^|{NON_WORD})"
RIGHT_BOUNDARY = f"(?:$|{NON_WORD})"
# Between the words of a phrase: whitespace (ASCII controls + Unicode separators, so NBSP and
# thin spaces count) and hyphens (so "front line" also matches "front-line"), one or more.
SEPARATOR_CLASS = r"\t\n\f\r\p{Z}\-\x{2010}\x{2011}"
SEPARATOR = f"[{SEPARATOR_CLASS}]+"
_HYPHENS = "-\u2010\u2011"
_SEPARATOR_CHARS = frozenset("\t\n\f\r" + _HYPHENS)
_RE2_SPECIAL = frozenset("\\.^$|?*+()[]{}")
_QUOTES = {'"': '"', "\u00ab": "\u00bb", "\u201c": "\u201d"}  # "…", «…», “…”
_CLOSING_QUOTES = frozenset(_QUOTES.values()) - {'"'}
_OPERATORS = ("AND", "OR", "NOT")


def is_word_char(c: str) -> bool:
    """The Python twin of ``WORD``: Unicode letters, marks, digits/numbers and underscore."""
    return c == "_" or unicodedata.category(c)[0] in "LMN"


def is_separator_char(c: str) -> bool:
    """The Python twin of ``SEPARATOR_CLASS``."""
    return c in _SEPARATOR_CHARS or unicodedata.category(c)[0] == "Z"


def fold(text: str) -> str:
    """Case- and ё-folding applied to text before reference matching (patterns encode the same).

    DuckDB's ``lower`` and pyarrow's ``utf8_lower`` map each code point on its own (simple case
    mapping); Python's ``str.lower`` differs for exactly two letters: İ (to "i̇", two code points)
    and a word-final Σ (to ς). Map those first so all three agree."""
    if "\u0130" in text or "\u03a3" in text:
        text = text.replace("\u0130", "i").replace("\u03a3", "\u03c3")
    return text.lower().replace("ё", "е").replace("\u03c2", "\u03c3")  # ё = е, final ς = σ


# --- errors -----------------------------------------------------------------------------------
class TopicQueryError(UserError):
    """A query that cannot be compiled. ``str()`` shows the query with a caret under ``position``."""

    def __init__(self, message: str, position: int, query: str, context: str | None = None):
        self.message = message
        self.position = max(0, min(position, len(query)))
        self.query = query
        self.context = context
        super().__init__(str(self))

    def __reduce__(self):  # picklable (process pools, Airflow), despite the custom __init__
        return (TopicQueryError, (self.message, self.position, self.query, self.context))

    def with_context(self, context: str) -> TopicQueryError:
        return TopicQueryError(self.message, self.position, self.query, context)

    def __str__(self) -> str:
        head = f"{self.context}: " if self.context else ""
        # show the line of the query holding the position (queries may span lines)
        start = self.query.rfind("\n", 0, self.position) + 1
        end = self.query.find("\n", self.position)
        line = self.query[start : end if end >= 0 else len(self.query)].replace("\t", " ")
        column = self.position - start
        return f"{head}{self.message} (at position {self.position})\n    {line}\n    {' ' * column}^"


# --- public data types ------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One matchable unit: a word (maybe with a ``*`` suffix) or a phrase.

    ``pattern`` is an RE2 regular expression to be matched against ``lower(text)``; ``negated``
    says whether the clause requires it absent; ``source_text`` is the term as written.
    """

    pattern: str
    negated: bool
    source_text: str


@dataclass(frozen=True)
class _Piece:
    literal: str  # folded
    wildcard: bool


@dataclass(frozen=True)
class _Leaf:
    pieces: tuple[_Piece, ...]
    pattern: str
    source_text: str
    pos: int


@dataclass(frozen=True)
class _Not:
    child: Any
    pos: int


@dataclass(frozen=True)
class _And:
    children: tuple
    pos: int


@dataclass(frozen=True)
class _Or:
    children: tuple
    pos: int


class Query:
    """A compiled query. Build it with :func:`compile_query`."""

    def __init__(self, text: str, root: Any, clauses: list[list[Term]], warnings: list[str]):
        self.text = text
        self._root = root
        self._clauses = clauses
        self.warnings = warnings
        self._leaves = {leaf.pattern: leaf for leaf in _iter_leaves(root)}

    def clauses(self) -> list[list[Term]]:
        """The DNF: a list of AND-clauses, any of which matching makes the query match."""
        return [list(c) for c in self._clauses]

    def terms(self) -> list[Term]:
        """Distinct terms (positive form), in order of first appearance."""
        seen: dict[str, Term] = {}
        for clause in self._clauses:
            for t in clause:
                seen.setdefault(t.pattern, Term(t.pattern, False, t.source_text))
        return list(seen.values())

    def matches(self, text: str) -> bool:
        """Reference evaluator: walks the parsed expression (not the DNF) with a hand-written
        scanner (not a regex engine), so it checks both the DNF compiler and the RE2 patterns."""
        folded = fold(text or "")
        cache: dict[str, bool] = {}

        def term(leaf: _Leaf) -> bool:
            if leaf.pattern not in cache:
                cache[leaf.pattern] = _scan(leaf.pieces, folded)
            return cache[leaf.pattern]

        def ev(node: Any) -> bool:
            if isinstance(node, _Leaf):
                return term(node)
            if isinstance(node, _Not):
                return not ev(node.child)
            if isinstance(node, _And):
                return all(ev(c) for c in node.children)
            return any(ev(c) for c in node.children)

        return ev(self._root)

    def matches_dnf(self, text: str) -> bool:
        """Evaluate the DNF clauses with the reference scanner (the SQL side's logic, in Python)."""
        folded = fold(text or "")
        hit = {p: _scan(leaf.pieces, folded) for p, leaf in self._leaves.items()}
        return any(all(hit[t.pattern] != t.negated for t in clause) for clause in self._clauses)

    def find(self, text: str) -> tuple[int, int] | None:
        """Span ``(start, end)`` of the first occurrence of a positive term in ``fold(text)`` (for
        snippets; when ``text`` matches, this is a hit of the matching query)."""
        folded = fold(text or "")
        spans = [_find(leaf.pieces, folded) for leaf in self._leaves.values()]
        positive = {t.pattern for c in self._clauses for t in c if not t.negated}
        spans = [s for s, p in zip(spans, self._leaves, strict=True) if s is not None and p in positive]
        return min(spans) if spans else None

    def describe(self) -> str:
        """The compiled DNF as text: ``("peace talks" AND NOT war) OR (...)``."""
        parts = []
        for clause in self._clauses:
            words = [("NOT " if t.negated else "") + t.source_text for t in clause]
            parts.append(words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")")
        return " OR ".join(parts)

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and other._clauses == self._clauses

    def __hash__(self) -> int:
        return hash(tuple(tuple(c) for c in self._clauses))


def _iter_leaves(node: Any) -> Iterable[_Leaf]:
    if isinstance(node, _Leaf):
        yield node
    elif isinstance(node, _Not):
        yield from _iter_leaves(node.child)
    else:
        for c in node.children:
            yield from _iter_leaves(c)


# --- reference scanner ------------------------------------------------------------------------
def _scan(pieces: tuple[_Piece, ...], text: str) -> bool:
    """Does the term occur in ``text`` (already folded)? Mirrors the RE2 pattern exactly."""
    return _find(pieces, text) is not None


def _find(pieces: tuple[_Piece, ...], text: str) -> tuple[int, int] | None:
    """The first occurrence of the term in ``text`` (folded) as ``(start, end)``, or None."""
    first = pieces[0].literal
    need_left = is_word_char(first[0])
    start = 0
    while True:
        i = text.find(first, start)
        if i < 0:
            return None
        if not need_left or i == 0 or not is_word_char(text[i - 1]):
            end = _match_from(pieces, 0, text, i)
            if end >= 0:
                return i, end
        start = i + 1


def _match_from(pieces: tuple[_Piece, ...], k: int, text: str, pos: int) -> int:
    """End of the match of ``pieces[k:]`` starting at ``pos``, or -1."""
    piece = pieces[k]
    if not text.startswith(piece.literal, pos):
        return -1
    pos += len(piece.literal)
    if piece.wildcard:
        while pos < len(text) and is_word_char(text[pos]):
            pos += 1
    if k == len(pieces) - 1:
        if not piece.wildcard and is_word_char(piece.literal[-1]):
            return pos if pos == len(text) or not is_word_char(text[pos]) else -1
        return pos
    end = pos
    while end < len(text) and is_separator_char(text[end]):
        end += 1
    # one or more separators; backtrack because the next literal may itself start with a hyphen
    for j in range(end, pos, -1):
        found = _match_from(pieces, k + 1, text, j)
        if found >= 0:
            return found
    return -1


# --- lexer ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT
    pos: int
    text: str = ""  # WORD: the word; PHRASE: the inside of the quotes
    source: str = ""  # as written (with quotes)


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LPAREN", i, "(", "("))
            i += 1
        elif c == ")":
            toks.append(_Tok("RPAREN", i, ")", ")"))
            i += 1
        elif c in _QUOTES:
            close = query.find(_QUOTES[c], i + 1)
            if close < 0:
                raise TopicQueryError(f"unterminated quote: {c} has no closing {_QUOTES[c]}", i, query)
            toks.append(_Tok("PHRASE", i, query[i + 1 : close], query[i : close + 1]))
            i = close + 1
        elif c in _CLOSING_QUOTES:
            raise TopicQueryError(f"closing quote {c} without an opening one", i, query)
        else:
            j = i
            while j < n and not (
                query[j].isspace() or query[j] in "()" or query[j] in _QUOTES or query[j] in _CLOSING_QUOTES
            ):
                j += 1
            word = query[i:j]
            kind = word if word in _OPERATORS else "WORD"
            toks.append(_Tok(kind, i, word, word))
            i = j
    return toks


# --- terms ------------------------------------------------------------------------------------
def _check_chars(text: str, pos: int, query: str) -> None:
    for k, c in enumerate(text):
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and not c.isspace():
            raise TopicQueryError(f"control or invalid character U+{ord(c):04X} in a term", pos + k, query)


def _word_pieces(word: str, pos: int, query: str) -> list[_Piece]:
    """One whitespace-free word -> pieces (split at hyphens between letters), validated."""
    if word == "*":
        raise TopicQueryError("lone '*': a wildcard must end a word, e.g. negotiat*", pos, query)
    star = word.find("*")
    if star >= 0 and star != len(word) - 1:
        raise TopicQueryError(
            "'*' is only allowed at the end of a word (a suffix wildcard)", pos + star, query
        )
    wildcard = star >= 0
    stem = word[:-1] if wildcard else word
    if wildcard:
        if not is_word_char(stem[-1]):
            raise TopicQueryError("'*' must follow a letter or digit", pos + star, query)
        tail = len(stem)
        while tail > 0 and is_word_char(stem[tail - 1]):
            tail -= 1
        if len(stem) - tail < MIN_WILDCARD_STEM:
            raise TopicQueryError(
                f"a wildcard needs at least {MIN_WILDCARD_STEM} letters before '*' (it would match too much)",
                pos + star,
                query,
            )
    # split at hyphens that join two word characters: "front-line" == "front line" (any separator)
    parts: list[str] = []
    cur = ""
    for k, c in enumerate(stem):
        if (
            c in _HYPHENS
            and cur
            and is_word_char(cur[-1])
            and k + 1 < len(stem)
            and is_word_char(stem[k + 1])
        ):
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    pieces = [_Piece(fold(p), False) for p in parts]
    pieces[-1] = _Piece(pieces[-1].literal, wildcard)
    return pieces


def _escape(literal: str) -> str:
    out = []
    for c in literal:
        if c in _RE2_SPECIAL:
            out.append("\\" + c)
        elif c == "е":
            out.append("[её]")
        elif c == "\u03c3":
            out.append("[\u03c3\u03c2]")
        else:
            out.append(c)
    return "".join(out)


_FOLD_CLASSES = ("[её]", "[\u03c3\u03c2]")
_PATTERN_BLOCKS = (LEFT_BOUNDARY, RIGHT_BOUNDARY, WORD + "*", SEPARATOR, *_FOLD_CLASSES)


def required_literal(pattern: str) -> str:
    """The longest run of plain text that every match of ``pattern`` contains, for a cheap
    ``contains`` prefilter; "" when ``pattern`` is not in the shape this module generates (a
    hand-written regex gets no prefilter, so the answer is never wrong)."""
    best, run, i = "", "", 0
    while i < len(pattern):
        block = next((b for b in _PATTERN_BLOCKS if pattern.startswith(b, i)), None)
        if block is not None:
            best, run = max(best, run, key=len), ""
            i += len(block)
        elif pattern[i] == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in _RE2_SPECIAL:
                return ""
            run += pattern[i + 1]
            i += 2
        elif pattern[i] in _RE2_SPECIAL:
            return ""  # an operator this module never emits outside its blocks
        else:
            run += pattern[i]
            i += 1
    return max(best, run, key=len)


def _pattern(pieces: list[_Piece]) -> str:
    body = SEPARATOR.join(_escape(p.literal) + (WORD + "*" if p.wildcard else "") for p in pieces)
    left = LEFT_BOUNDARY if is_word_char(pieces[0].literal[0]) else ""
    last = pieces[-1]
    right = RIGHT_BOUNDARY if not last.wildcard and is_word_char(last.literal[-1]) else ""
    return left + body + right


def _make_leaf(words: list[tuple[str, int]], source: str, pos: int, query: str, what: str) -> _Leaf:
    if not words:
        raise TopicQueryError(f"empty {what}", pos, query)
    pieces: list[_Piece] = []
    for word, wpos in words:
        _check_chars(word, wpos, query)
        pieces.extend(_word_pieces(word, wpos, query))
    if not any(is_word_char(c) for p in pieces for c in p.literal):
        raise TopicQueryError(f"{what} has no letter or digit to match", pos, query)
    return _Leaf(tuple(pieces), _pattern(pieces), source, pos)


def _split_words(text: str, offset: int) -> list[tuple[str, int]]:
    return [(m.group(), offset + m.start()) for m in re.finditer(r"\S+", text)]


# --- parser -----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.toks = _lex(query)
        self.i = 0
        self.depth = 0
        self.warnings: list[str] = []

    def error(self, message: str, pos: int) -> TopicQueryError:
        return TopicQueryError(message, pos, self.query)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Any:
        if not self.toks:
            raise self.error("empty query", 0)
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ')' can stop or_expr early
            raise self.error("unexpected ')' without a matching '('", tok.pos)
        return node

    def or_expr(self) -> Any:
        first = self.and_expr(None)
        children = [first]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            children.append(self.and_expr(tok))
        return children[0] if len(children) == 1 else _Or(tuple(children), _pos(first))

    def and_expr(self, after: _Tok | None) -> Any:
        first = self.unary(after)
        children = [first]
        while (tok := self.peek()) is not None and tok.kind in ("AND", "NOT", "WORD", "PHRASE", "LPAREN"):
            if tok.kind == "AND":
                self.i += 1
                children.append(self.unary(tok))
            else:  # implicit AND between adjacent terms
                children.append(self.unary(None))
        return children[0] if len(children) == 1 else _And(tuple(children), _pos(first))

    def enter(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"query nested too deeply (more than {MAX_DEPTH} levels)", tok.pos)

    def unary(self, after: _Tok | None) -> Any:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.i += 1
            self.enter(tok)
            child = self.unary(tok)
            self.depth -= 1
            return _Not(child, tok.pos)
        return self.primary(after)

    def primary(self, after: _Tok | None) -> Any:
        tok = self.peek()
        if tok is None:
            if after is None:
                raise self.error("empty query", len(self.query))
            raise self.error(f"dangling operator: {after.kind} needs a term after it", after.pos)
        if tok.kind in ("AND", "OR"):
            if after is None:
                raise self.error(f"{tok.kind} needs a term before it", tok.pos)
            raise self.error(f"expected a term after {after.kind}, found {tok.kind}", tok.pos)
        if tok.kind == "RPAREN":
            if after is not None:
                raise self.error(f"expected a term after {after.kind}, found ')'", tok.pos)
            prev = self.toks[self.i - 1] if self.i > 0 else None
            if prev is not None and prev.kind == "LPAREN":
                raise self.error("empty parentheses", prev.pos)
            raise self.error("unexpected ')' without a matching '('", tok.pos)
        self.i += 1
        if tok.kind == "LPAREN":
            self.enter(tok)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise self.error("unclosed '(': missing ')'", tok.pos)
            self.i += 1
            self.depth -= 1
            # a group's errors (e.g. DNF explosion) point at its opening parenthesis
            return dataclasses.replace(node, pos=tok.pos) if isinstance(node, _And | _Or) else node
        if tok.kind == "PHRASE":
            return _make_leaf(_split_words(tok.text, tok.pos + 1), tok.source, tok.pos, self.query, "phrase")
        if tok.text.lower() in ("and", "or", "not"):
            self.warnings.append(
                f"'{tok.text}' at position {tok.pos} is searched as a word; write {tok.text.upper()} "
                f'for the operator or "{tok.text}" to silence this'
            )
        return _make_leaf([(tok.text, tok.pos)], tok.source, tok.pos, self.query, "term")


def _pos(node: Any) -> int:
    return node.pos


# --- DNF --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Lit:
    term: Term
    pos: int  # where to point when this literal makes a clause invalid


def _dnf(node: Any, negate: bool, query: str) -> list[list[_Lit]]:
    if isinstance(node, _Leaf):
        return [[_Lit(Term(node.pattern, negate, node.source_text), node.pos)]]
    if isinstance(node, _Not):
        inner = _dnf(node.child, not negate, query)
        # point NOT-only clause errors at the NOT itself
        return [[_Lit(lit.term, node.pos if lit.term.negated else lit.pos) for lit in c] for c in inner]
    parts = [_dnf(c, negate, query) for c in node.children]
    conjunction = isinstance(node, _And) != negate  # De Morgan
    if not conjunction:
        out = [c for p in parts for c in p]
        if len(out) > MAX_CLAUSES:
            raise TopicQueryError(f"query too complex: more than {MAX_CLAUSES} alternatives", node.pos, query)
        return out
    total = 1
    for p in parts:
        total *= len(p)
        if total > MAX_CLAUSES:
            raise TopicQueryError(
                f"query too complex: expands to more than {MAX_CLAUSES} alternatives "
                "(AND of ORs multiplies them out)",
                node.pos,
                query,
            )
    return [[lit for c in combo for lit in c] for combo in itertools.product(*parts)]


def _simplify(clauses: list[list[_Lit]], query: str) -> list[list[Term]]:
    cleaned: list[list[_Lit]] = []
    for clause in clauses:
        seen: dict[tuple[str, bool], _Lit] = {}
        for lit in clause:
            seen.setdefault((lit.term.pattern, lit.term.negated), lit)
        keys = set(seen)
        if any((p, not n) in keys for p, n in keys):
            continue  # "x AND NOT x" never matches
        cleaned.append(list(seen.values()))
    if not cleaned:
        raise TopicQueryError("this query can never match (it requires a term and its negation)", 0, query)
    # drop duplicates and clauses subsumed by a smaller one (A OR (A AND B) == A)
    keyed = [(frozenset((lit.term.pattern, lit.term.negated) for lit in c), c) for c in cleaned]
    result: list[list[_Lit]] = []
    kept: list[frozenset] = []
    for i, (key, clause) in enumerate(keyed):
        if any(other < key or (other == key and j < i) for j, (other, _) in enumerate(keyed)):
            continue
        kept.append(key)
        result.append(clause)
    for clause in result:
        if all(lit.term.negated for lit in clause):
            raise TopicQueryError(
                "NOT needs a positive term beside it: an alternative made only of NOT terms would match "
                "almost every article (write e.g. talks AND NOT trade)",
                clause[0].pos,
                query,
            )
        if len(clause) > MAX_TERMS_PER_CLAUSE:
            raise TopicQueryError(
                f"query too complex: more than {MAX_TERMS_PER_CLAUSE} terms in one alternative",
                clause[0].pos,
                query,
            )
    return [[lit.term for lit in c] for c in result]


def compile_query(text: str) -> Query:
    """Parse and compile a topic query. Raises :class:`TopicQueryError` with a position."""
    if not isinstance(text, str):
        raise TopicQueryError(f"a query must be text, not {type(text).__name__}", 0, str(text))
    if len(text) > MAX_QUERY_LENGTH:
        raise TopicQueryError(f"query longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH, text)
    parser = _Parser(text)
    root = parser.parse()
    clauses = _simplify(_dnf(root, False, text), text)
    return Query(text, root, clauses, parser.warnings)


def compile_phrase(text: str) -> Query:
    """Compile ``text`` as one phrase term (as if quoted): used for gazetteer aliases, where
    words such as AND/OR/NOT and characters such as parentheses are plain text."""
    if not isinstance(text, str) or not text.strip():
        raise TopicQueryError("empty alias", 0, text if isinstance(text, str) else "")
    leaf = _make_leaf(_split_words(text, 0), text, 0, text, "alias")
    return Query(text, leaf, [[Term(leaf.pattern, False, text)]], [])
