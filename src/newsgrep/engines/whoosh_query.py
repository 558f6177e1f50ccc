"""A query plan (``query_plan``) compiled into Whoosh queries.

Every text field has its own word field (``title``, ``body``) and bigram field
(``title_grams``, ``body_grams``, positions in characters), so a field
restriction applies to words, bigrams and phrases alike.
"""

from __future__ import annotations

from whoosh import query as wq

from newsgrep.query import Filters
from newsgrep.query_plan import (
    GRAM_WEIGHT,
    TITLE_BOOST,
    AllOf,
    AllWords,
    CharsInRow,
    NameContains,
    NoneOf,
    PlanNode,
    WordMatch,
    WordsAdjacent,
    name_needle,
)


def _boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname == "title" else 1.0


def gram_query(fieldname: str, chars: str, boost: float = 1.0):
    """Where the ideographs ``chars`` occur in a row: bigrams at consecutive positions (a prefix for one character)."""
    from newsgrep.analysis import bigrams

    if len(chars) == 1:
        return wq.Prefix(fieldname, chars, boost=boost)
    grams = [gram for gram, _ in bigrams(chars)]
    return wq.Term(fieldname, grams[0], boost=boost) if len(grams) == 1 else wq.Phrase(fieldname, grams, boost=boost)


def _either(parts: list):
    return parts[0] if len(parts) == 1 else wq.Or(parts)


class WhooshCompiler:
    """Compiles plan nodes; name lookups read the searcher's lexicon of folded outlet and author names."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher

    def compile(self, node: PlanNode):
        from newsgrep.analysis import is_han

        if isinstance(node, WordMatch):
            parts = [wq.Term(f, node.word, boost=_boost(f)) for f in node.fields]
            if is_han(node.word):
                parts += [gram_query(f"{f}_grams", node.word, GRAM_WEIGHT * _boost(f)) for f in node.fields]
            return _either(parts)
        if isinstance(node, CharsInRow):
            grams = _either([gram_query(f"{f}_grams", node.chars, _boost(f)) for f in node.fields])
            return wq.AndMaybe(grams, self._adjacent(node.fields, node.words))
        if isinstance(node, WordsAdjacent):
            return self._adjacent(node.fields, node.words)
        if isinstance(node, AllWords):
            return wq.And([self.compile(WordMatch(node.fields, w)) for w in node.words])
        if isinstance(node, NameContains):
            return self.names(node.field, node.needle)
        if isinstance(node, NoneOf):
            return wq.Not(self.compile(node.child))
        kids = [self.compile(c) for c in node.children]
        return (wq.And if isinstance(node, AllOf) else wq.Or)(kids)

    @staticmethod
    def _adjacent(fields, words):
        return _either([wq.Phrase(f, list(words), boost=_boost(f)) for f in fields])

    def names(self, fieldname: str, needle: str):
        """Outlets or authors whose folded name contains ``needle``: exact terms from the field's own lexicon."""
        names = [n for n in self.searcher.lexicon(fieldname) if n and needle in n.decode("utf-8")]
        if not names:
            return wq.NullQuery
        return _either([wq.Term(fieldname, n.decode("utf-8")) for n in names])

    def filter(self, filters: Filters):
        """The Whoosh filter for ``filters``, None when there is nothing to narrow."""
        parts = []
        if filters.since or filters.until:
            low = filters.since.isoformat() if filters.since else "0000-00-00"
            high = filters.until.isoformat() if filters.until else "9999-99-99"
            parts.append(wq.TermRange("day", low, high))
        for fieldname, names in (("source", filters.sources), ("author", filters.authors)):
            options = [self.names(fieldname, needle) for needle in map(name_needle, names) if needle]
            if names:
                parts.append(_either(options) if options else wq.NullQuery)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)
