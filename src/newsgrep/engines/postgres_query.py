"""A query plan (``query_plan``) compiled into SQL for the PostgreSQL engine.

Every article has one ``terms`` tsvector holding its words and its ideograph
bigrams, told apart by weight (bigrams also by a ``~`` before them, so a
two-character word and the bigram of the same characters stay two lexemes):
A title words, B title bigrams, C body bigrams, D body words. A whole text
query is then one tsquery (one GIN scan): ``title:軍售`` is
``'军售':A | '~军售':B``, and bigrams at consecutive positions are exactly a
substring of the folded text, as in the Whoosh engine.

A tsvector cannot hold every position of a long article (positions stop at
16,383, 256 per lexeme, 1 MB in all). Such an article is stored *approx*: its
lexemes without faithful positions, plus its folded title and body. The plan
is compiled a second time for those rows, where every test of positions
(characters in a row, adjacent words) is a substring or regular-expression
test of the folded text; single words are still tests of ``terms``. Both meet
in one WHERE: ``(NOT approx AND <exact>) OR (approx AND <approx>)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgrep.query import Filters
from newsgrep.query_plan import (
    AllOf,
    AllWords,
    CharsInRow,
    NameContains,
    NoneOf,
    Plan,
    PlanNode,
    WordMatch,
    WordsAdjacent,
    name_needle,
)

GRAM_MARK = "~"
WORD_WEIGHT = {"title": "A", "body": "D"}
GRAM_WEIGHT_LETTER = {"title": "B", "body": "C"}
FOLDED_COLUMN = {"title": "folded_title", "body": "folded_body"}
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def rank_weights() -> list[float]:
    """ts_rank's weights {D, C, B, A}: the plan's title boost and bigram weight, scaled to at most 1."""
    from newsgrep.query_plan import GRAM_WEIGHT, TITLE_BOOST

    body, title = 1.0 / TITLE_BOOST, 1.0
    return [body, GRAM_WEIGHT * body, GRAM_WEIGHT * title, title]


def lexeme(term: str) -> str:
    """A lexeme quoted for tsvector and tsquery text."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _weights(letters: dict[str, str], fields: tuple[str, ...]) -> str:
    """The weight restriction of a lexeme in ``fields``: none when it is every field (the ``~`` mark already tells
    words from bigrams), so the GIN index answers without reading each row's tsvector again."""
    return "" if set(fields) >= set(letters) else ":" + "".join(letters[f] for f in fields)


def word_item(word: str, fields: tuple[str, ...]) -> str:
    return lexeme(word) + _weights(WORD_WEIGHT, fields)


def gram_tsquery(chars: str, fields: tuple[str, ...]) -> str:
    """Where the ideographs ``chars`` occur in a row: bigrams at consecutive positions (a prefix for one character)."""
    from newsgrep.analysis import bigrams

    weights = _weights(GRAM_WEIGHT_LETTER, fields)
    if len(chars) == 1:
        return f"{lexeme(GRAM_MARK + chars)}:*{weights[1:]}"
    grams = [lexeme(GRAM_MARK + gram) + weights for gram, _ in bigrams(chars)]
    return grams[0] if len(grams) == 1 else "(" + " <-> ".join(grams) + ")"


@dataclass
class Part:
    """A compiled piece: a tsquery text (combinable into one) or an SQL condition with its parameters."""

    tsquery: str | None = None
    sql: str | None = None
    params: list = field(default_factory=list)

    def as_sql(self) -> tuple[str, list]:
        if self.tsquery is not None:
            return "terms @@ %s::tsquery", [self.tsquery]
        return self.sql, self.params


def _combine(parts: list[Part], conjunction: bool) -> Part:
    if len(parts) == 1:
        return parts[0]
    if all(p.tsquery is not None for p in parts):
        return Part(tsquery="(" + (" & " if conjunction else " | ").join(p.tsquery for p in parts) + ")")
    pieces = [p.as_sql() for p in parts]
    joined = (" AND " if conjunction else " OR ").join(f"({text})" for text, _ in pieces)
    return Part(sql=joined, params=[x for _, params in pieces for x in params])


def _negate(part: Part) -> Part:
    if part.tsquery is not None:
        return Part(tsquery=f"!{part.tsquery}")
    return Part(sql=f"NOT ({part.sql})", params=part.params)


def _folded_test(fields: tuple[str, ...], test: str, value: str) -> Part:
    """``test`` (SQL with ``{column}``) of ``value`` against the folded text of any of ``fields``."""
    tests = [test.format(column=FOLDED_COLUMN[f]) for f in fields]
    return Part(sql=" OR ".join(tests), params=[value] * len(tests))


def chars_in_row(chars: str, fields: tuple[str, ...]) -> Part:
    """Approx rows: where the ideographs ``chars`` occur in the folded text, as the bigrams would say."""
    if len(chars) > 1:
        return _folded_test(fields, "strpos({column}, %s) > 0", chars)
    # One character: the first of a bigram, or an ideograph standing alone (what analysis.bigrams yields).
    char = re.escape(chars)
    return _folded_test(fields, "{column} ~ %s", f"{char}[{_HAN_CHARS}]|(^|[^{_HAN_CHARS}]){char}([^{_HAN_CHARS}]|$)")


def compile_node(node: PlanNode, *, approx: bool) -> Part:
    """One plan node as a tsquery or SQL, for exact rows or (``approx``) rows whose positions were not kept."""
    from newsgrep.analysis import is_han

    if isinstance(node, WordMatch):
        word = Part(tsquery=word_item(node.word, node.fields))
        if not is_han(node.word):
            return word
        grams = chars_in_row(node.word, node.fields) if approx else Part(tsquery=gram_tsquery(node.word, node.fields))
        return _combine([word, grams], conjunction=False)
    if isinstance(node, CharsInRow):
        return chars_in_row(node.chars, node.fields) if approx else Part(tsquery=gram_tsquery(node.chars, node.fields))
    if isinstance(node, WordsAdjacent):
        if approx:  # adjacent words: nothing searchable between them
            return _folded_test(node.fields, "{column} ~ %s", r"\W*".join(re.escape(w) for w in node.words))
        return Part(tsquery="(" + " <-> ".join(word_item(w, node.fields) for w in node.words) + ")")
    if isinstance(node, AllWords):
        return _combine([compile_node(WordMatch(node.fields, w), approx=approx) for w in node.words], conjunction=True)
    if isinstance(node, NameContains):
        return name_condition(node.field, node.needle)
    if isinstance(node, NoneOf):
        return _negate(compile_node(node.child, approx=approx))
    return _combine([compile_node(c, approx=approx) for c in node.children], conjunction=isinstance(node, AllOf))


def rank_items(node: PlanNode) -> list[str]:
    """The tsquery items whose presence scores a match: every positive word and run of ideographs."""
    from newsgrep.analysis import is_han

    if isinstance(node, WordMatch):
        return [word_item(node.word, node.fields)] + ([gram_tsquery(node.word, node.fields)] if is_han(node.word) else [])
    if isinstance(node, CharsInRow):
        return [gram_tsquery(node.chars, node.fields)] + [word_item(w, node.fields) for w in node.words]
    if isinstance(node, (WordsAdjacent, AllWords)):
        return [word_item(w, node.fields) for w in node.words]
    if isinstance(node, (NameContains, NoneOf)):
        return []
    return [item for child in node.children for item in rank_items(child)]


def name_condition(fieldname: str, needle: str) -> Part:
    """Outlets (``source``) or authors whose folded name contains ``needle``."""
    return Part(sql=f"strpos({'source' if fieldname == 'source' else 'author'}, %s) > 0", params=[needle])


def filter_condition(filters: Filters) -> tuple[str, list]:
    """SQL for ``filters`` ("TRUE" when there is nothing to narrow): local days on ``day``, name parts."""
    clauses: list[str] = []
    params: list = []
    if filters.since:
        clauses.append("day >= %s")
        params.append(filters.since)
    if filters.until:
        clauses.append("day <= %s")
        params.append(filters.until)
    for fieldname, names in (("source", filters.sources), ("author", filters.authors)):
        if names:
            options = [name_condition(fieldname, needle) for needle in map(name_needle, names) if needle]
            clauses.append(" OR ".join(f"({p.sql})" for p in options) or "FALSE")
            params += [x for p in options for x in p.params]
    return (" AND ".join(f"({c})" for c in clauses) or "TRUE"), params


@dataclass(frozen=True)
class CompiledPlan:
    """A plan as one WHERE condition (filters included) and the tsquery its matches are ranked by."""

    where: str
    params: list
    rank: str | None  # None: nothing to rank by (only names asked for)


def compile_plan(plan: Plan, filters: Filters) -> CompiledPlan:
    exact_sql, exact_params = compile_node(plan.root, approx=False).as_sql()
    approx_sql, approx_params = compile_node(plan.root, approx=True).as_sql()
    narrowed, filter_params = filter_condition(filters)
    where = f"((NOT approx AND ({exact_sql})) OR (approx AND ({approx_sql}))) AND {narrowed}"
    items = list(dict.fromkeys(rank_items(plan.root)))
    return CompiledPlan(where, exact_params + approx_params + filter_params, " | ".join(items) or None)
