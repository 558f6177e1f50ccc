"""A parsed query in index terms, the same for every engine (haystack's ``BaseSearchQuery``).

``query`` parses what the user typed into a tree of words and phrases; this
module analyses each leaf once, with the index's own query segmenter, and says
what must match in terms every engine stores (folded words with positions, and
ideograph bigrams with positions). Each engine compiles the plan into its own
terms: ``engines.whoosh_query`` into Whoosh queries, ``engines.postgres_query``
into SQL. The highlight patterns and the exact-phrase checks come from the same
walk, so every engine highlights and checks alike.

Recall beyond segmentation: a word made of ideographs matches the word itself
*or* wherever its characters appear in a row (``軍售`` inside ``軍售案``), with a
lower weight. A phrase of ideographs (quoted, or one typed word that segments
into several) must match its characters in a row, exactly as a substring of the
folded text; its words adjacent only add to the score. A required phrase with
Latin letters or digits matches "all its words", then each candidate's folded
text is checked for the phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from newsgrep.errors import BadQuery
from newsgrep.query import NAME_FIELDS, TEXT_FIELDS, And, Filters, Not, Phrase, Query, Word
from newsgrep.snippets import term_pattern

if TYPE_CHECKING:
    from newsgrep.record import Article

TITLE_BOOST = 2.0
# Weight of a character-bigram match relative to a whole-word match.
GRAM_WEIGHT = 0.3


@dataclass(frozen=True)
class WordMatch:
    """One word in ``fields``; if it is made of ideographs, also its characters in a row (weighted GRAM_WEIGHT)."""

    fields: tuple[str, ...]
    word: str


@dataclass(frozen=True)
class CharsInRow:
    """The ideographs ``chars`` in a row in ``fields`` (exact substring); ``words`` adjacent add to the score."""

    fields: tuple[str, ...]
    chars: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WordsAdjacent:
    """``words`` at consecutive positions in ``fields``."""

    fields: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class AllWords:
    """Each of ``words`` (as ``WordMatch``) in ``fields``; the plan's ``checks`` then require the exact phrase."""

    fields: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class NameContains:
    """An outlet (``source``) or author whose folded name contains ``needle``."""

    field: str
    needle: str


@dataclass(frozen=True)
class AllOf:
    children: tuple[PlanNode, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[PlanNode, ...]


@dataclass(frozen=True)
class NoneOf:
    child: PlanNode


PlanNode = Union[WordMatch, CharsInRow, WordsAdjacent, AllWords, NameContains, AllOf, AnyOf, NoneOf]


@dataclass(frozen=True)
class Check:
    """A required phrase with Latin letters or digits: the folded text of ``field`` (None: title or body) must hold it."""

    field: str | None
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Plan:
    root: PlanNode
    filters: Filters
    patterns: list[re.Pattern[str]]  # one per positive word or phrase, for highlighting
    checks: list[Check] = field(default_factory=list)

    def passes(self, article: Article) -> bool:
        """Whether the article's folded text holds every required Latin/digit phrase, in the field it was asked in."""
        from newsgrep.analysis import fold_text

        for check in self.checks:
            text = {"title": article.title, "body": article.text}.get(check.field, article.title + "\n" + article.text)
            if not check.pattern.search(fold_text(text).text):
                return False
        return True


def name_needle(text: str) -> str:
    """What a ``source:``/``author:`` value or a ``--source`` option is looked for as: folded, trimmed."""
    from newsgrep.analysis import fold

    return fold(text).strip()


def phrase_pattern(folded_phrase: str) -> re.Pattern[str]:
    """Exact match of a folded phrase; a space in it matches any run of spaces (or none between ideographs)."""
    parts = re.split(r"\s+", folded_phrase)
    pattern = ""
    for left, right in zip(parts, parts[1:]):
        pattern += re.escape(left) + (r"\s+" if left[-1:].isascii() and right[:1].isascii() else r"\s*")
    return re.compile(pattern + re.escape(parts[-1]))


class _Planner:
    def __init__(self, segmenter) -> None:
        self.segmenter = segmenter
        self.patterns: dict[str, re.Pattern[str]] = {}
        self.checks: list[Check] = []

    def terms(self, text: str) -> list[str]:
        from newsgrep.analysis import analyze

        return [t.term for t in analyze(text, self.segmenter, query=True)]

    def plan(self, node, *, required: bool = True, positive: bool = True) -> PlanNode | None:
        if isinstance(node, (Word, Phrase)) and node.field in NAME_FIELDS:
            needle = name_needle(node.text)
            return NameContains(node.field, needle) if needle else None
        if isinstance(node, (Word, Phrase)):
            terms = self.terms(node.text)
            if not terms:
                return None
            fields = (node.field,) if node.field else TEXT_FIELDS
            if isinstance(node, Word) and len(terms) == 1:
                if positive:
                    self.patterns.setdefault(terms[0], term_pattern(terms))
                return WordMatch(fields, terms[0])
            return self.phrase(node.text, terms, node.field, fields, required=required, positive=positive)
        if isinstance(node, Not):
            child = self.plan(node.child, required=False, positive=False)
            return NoneOf(child) if child is not None else None
        kids = [self.plan(c, required=required and isinstance(node, And), positive=positive) for c in node.children]
        kids = [k for k in kids if k is not None]
        if not kids:
            return None
        return kids[0] if len(kids) == 1 else (AllOf if isinstance(node, And) else AnyOf)(tuple(kids))

    def phrase(self, text, terms, field_name, fields, *, required: bool, positive: bool) -> PlanNode:
        from newsgrep.analysis import fold, is_han

        if positive:
            self.patterns.setdefault(" ".join(terms), term_pattern(terms))
        folded = fold(text).strip()
        compact = re.sub(r"\s+", "", folded)
        if is_han(compact):
            return CharsInRow(fields, compact, tuple(terms))
        if not required:
            return WordsAdjacent(fields, tuple(terms))
        self.checks.append(Check(field_name, phrase_pattern(folded)))
        return AllWords(fields, tuple(terms))


def plan(query: Query, segmenter) -> Plan:
    """``query`` in index terms (BadQuery when it has no searchable words)."""
    planner = _Planner(segmenter)
    root = planner.plan(query.root)
    if root is None:
        raise BadQuery(f"query {query.text!r} has no searchable words")
    return Plan(root, query.filters, list(planner.patterns.values()), planner.checks)


def highlight_patterns(query: Query, segmenter) -> list[re.Pattern[str]]:
    """The patterns ``search`` highlights ``query``'s matches with (empty when it has no searchable words)."""
    try:
        return plan(query, segmenter).patterns
    except BadQuery:
        return []
