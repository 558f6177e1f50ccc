"""newsgrep's query tree compiled into SQL for the PostgreSQL engine (the twin of the Whoosh compiler).

Every article has one ``terms`` tsvector holding its words and its ideograph
bigrams, told apart by weight (and bigrams by a ``~`` before them, so a
two-character word and the bigram with the same characters stay two
lexemes): A title words, B title bigrams, C body bigrams, D body words. So a
whole text query is one tsquery (one GIN scan): ``title:軍售`` is
``'军售':A | '~军售':B``, a phrase of bigrams at consecutive positions is
exactly a substring of the folded text, as in Whoosh.

A tsvector cannot hold every position of a long article (positions stop at
16,383, 256 per lexeme, 1 MB in all). Such an article is stored *approx*: its
lexemes without faithful positions, plus its folded title and body. The same
tree is compiled a second time for those rows, where every positional test
(phrases, bigram runs) becomes a substring or regular-expression test on the
folded text; words are still tests on ``terms``. The two meet in one WHERE:
``(NOT approx AND <exact>) OR (approx AND <approx>)``.

A required phrase with Latin letters or digits is, as in Whoosh, "all its
words" here and a check of the folded record afterwards (``checks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgrep.errors import BadQuery
from newsgrep.query import NAME_FIELDS, And, Filters, Not, Phrase, Query, Word

GRAM_MARK = "~"
WORD_WEIGHTS = {"title": "A", "body": "D", None: "AD"}
GRAM_WEIGHTS = {"title": "B", "body": "C", None: "BC"}
FOLDED_COLUMNS = {"title": ("folded_title",), "body": ("folded_body",), None: ("folded_title", "folded_body")}
_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


def rank_weights() -> list[float]:
    """ts_rank's weights {D, C, B, A}: the Whoosh engine's title boost and bigram weight, scaled to at most 1."""
    from newsgrep.search import GRAM_WEIGHT, TITLE_BOOST

    title_word, body_word = TITLE_BOOST, 1.0
    scale = max(title_word, body_word)
    return [body_word / scale, GRAM_WEIGHT * body_word / scale, GRAM_WEIGHT * title_word / scale, title_word / scale]


def lexeme(term: str) -> str:
    """A lexeme quoted for tsvector and tsquery text."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def gram_tsquery(folded: str, weights: str) -> str:
    """Where the ideographs ``folded`` occur in a row: bigrams at consecutive positions (a prefix for one character)."""
    from newsgrep.analysis import bigrams

    if len(folded) == 1:
        return f"{lexeme(GRAM_MARK + folded)}:*{weights}"
    grams = [f"{lexeme(GRAM_MARK + gram)}:{weights}" for gram, _ in bigrams(folded)]
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
    if all(p.tsquery is not None for p in parts):
        return Part(tsquery="(" + (" & " if conjunction else " | ").join(p.tsquery for p in parts) + ")")
    pieces = [p.as_sql() for p in parts]
    joined = (" AND " if conjunction else " OR ").join(f"({text})" for text, _ in pieces)
    return Part(sql=joined, params=[x for _, params in pieces for x in params])


def _negate(part: Part) -> Part:
    if part.tsquery is not None:
        return Part(tsquery=f"!{part.tsquery}")
    return Part(sql=f"NOT ({part.sql})", params=part.params)


def _any_folded(column_names: tuple[str, ...], test: str, value: str) -> Part:
    """``test`` (an SQL operator or function) of ``value`` against any of these folded text columns."""
    tests = [test.format(column=c) for c in column_names]
    return Part(sql=" OR ".join(tests), params=[value] * len(tests))


class Compiler:
    """Turns the query tree into SQL for exact rows and for approx rows, collecting phrase checks on the way."""

    def __init__(self, query_segmenter) -> None:
        self.query_segmenter = query_segmenter
        self.checks: list[tuple[str | None, re.Pattern[str]]] = []
        self.rank_items: dict[str, None] = {}

    def terms(self, text: str) -> list[str]:
        from newsgrep.analysis import analyze

        return [t.term for t in analyze(text, self.query_segmenter, query=True)]

    def compile(self, node, *, approx: bool, required: bool = True, positive: bool = True) -> Part | None:
        if isinstance(node, (Word, Phrase)) and node.field in NAME_FIELDS:
            return name_condition(node.field, node.text)
        if isinstance(node, Word):
            terms = self.terms(node.text)
            if len(terms) > 1:  # one typed word that segments into several: exactly that string
                return self.phrase(node.text, terms, node.field, approx=approx, required=required, positive=positive)
            return self.word(terms[0], node.field, approx=approx, positive=positive) if terms else None
        if isinstance(node, Phrase):
            terms = self.terms(node.text)
            if not terms:
                return None
            return self.phrase(node.text, terms, node.field, approx=approx, required=required, positive=positive)
        if isinstance(node, Not):
            child = self.compile(node.child, approx=approx, required=False, positive=False)
            return _negate(child) if child is not None else None
        conjunction = isinstance(node, And)
        kids = [self.compile(c, approx=approx, required=required and conjunction, positive=positive) for c in node.children]
        kids = [k for k in kids if k is not None]
        if not kids:
            return None
        return kids[0] if len(kids) == 1 else _combine(kids, conjunction)

    def word(self, term: str, fieldname: str | None, *, approx: bool, positive: bool) -> Part:
        from newsgrep.analysis import is_han

        word = f"{lexeme(term)}:{WORD_WEIGHTS[fieldname]}"
        if positive:
            self.rank_items[word] = None
        if not is_han(term):
            return Part(tsquery=word)
        grams = gram_tsquery(term, GRAM_WEIGHTS[fieldname])
        if positive:
            self.rank_items[grams] = None
        if not approx:
            return Part(tsquery=f"({word} | {grams})")
        return _combine([Part(tsquery=word), self.han_run(term, fieldname)], conjunction=False)

    def phrase(self, text: str, terms: list[str], fieldname: str | None, *, approx: bool, required: bool, positive: bool) -> Part:
        from newsgrep.analysis import fold, is_han
        from newsgrep.search import phrase_pattern

        folded = fold(text).strip()
        compact = re.sub(r"\s+", "", folded)
        if is_han(compact):
            if positive:
                self.rank_items.update((f"{lexeme(t)}:{WORD_WEIGHTS[fieldname]}", None) for t in terms)
            return self.han_run(compact, fieldname) if approx else Part(tsquery=gram_tsquery(compact, GRAM_WEIGHTS[fieldname]))
        if not required:
            if approx:
                return _any_folded(FOLDED_COLUMNS[fieldname], "{column} ~ %s", phrase_pattern(folded).pattern)
            weights = WORD_WEIGHTS[fieldname]
            return Part(tsquery="(" + " <-> ".join(f"{lexeme(t)}:{weights}" for t in terms) + ")")
        if not approx:  # the checks are the same for both compilations: collected once
            self.checks.append((fieldname, phrase_pattern(folded)))
        return _combine([self.word(t, fieldname, approx=approx, positive=False) for t in terms], conjunction=True)

    def han_run(self, folded: str, fieldname: str | None) -> Part:
        """Approx rows: where ``folded`` (ideographs) occurs in the folded text, as its bigrams would say."""
        columns = FOLDED_COLUMNS[fieldname]
        if len(folded) > 1:
            return _any_folded(columns, "strpos({column}, %s) > 0", folded)
        # One character: the prefix of a bigram, or an ideograph standing alone (what bigrams() yields).
        char = re.escape(folded)
        pattern = f"{char}{_HAN_CLASS}|(^|[^{_HAN_CLASS[1:-1]}]){char}([^{_HAN_CLASS[1:-1]}]|$)"
        return _any_folded(columns, "{column} ~ %s", pattern)


def name_condition(fieldname: str, text: str) -> Part | None:
    """Outlets or authors whose folded name contains ``text`` (source: and author:)."""
    from newsgrep.analysis import fold

    needle = fold(text).strip()
    if not needle:
        return None
    column = "source" if fieldname == "source" else "author"
    return Part(sql=f"strpos({column}, %s) > 0", params=[needle])


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
            options = [p for p in (name_condition(fieldname, n) for n in names) if p is not None]
            if not options:
                clauses.append("FALSE")
                continue
            clauses.append(" OR ".join(f"({p.sql})" for p in options))
            params += [x for p in options for x in p.params]
    return (" AND ".join(f"({c})" for c in clauses) or "TRUE"), params


@dataclass(frozen=True)
class CompiledQuery:
    """A query as one WHERE condition, a tsquery for ranking, and the phrase checks of the records."""

    where: str
    params: list
    rank: str | None
    checks: list[tuple[str | None, re.Pattern[str]]]


def compile_query(query: Query, query_segmenter) -> CompiledQuery:
    """The WHERE condition of ``query`` (its filters included); BadQuery when it has no searchable words."""
    compiler = Compiler(query_segmenter)
    exact = compiler.compile(query.root, approx=False)
    if exact is None:
        raise BadQuery(f"query {query.text!r} has no searchable words")
    approx = compiler.compile(query.root, approx=True)
    exact_sql, exact_params = exact.as_sql()
    approx_sql, approx_params = approx.as_sql()
    narrowed, filter_params = filter_condition(query.filters)
    where = f"((NOT approx AND ({exact_sql})) OR (approx AND ({approx_sql}))) AND {narrowed}"
    rank = " | ".join(compiler.rank_items) or None  # None: only names asked for (source:), nothing to rank by
    return CompiledQuery(where, exact_params + approx_params + filter_params, rank, compiler.checks)
