"""Searching: a parsed query planned (``query_plan``), matched and ranked by the index's engine, and turned
into hits with snippets.

One matcher for every command: ``Engine.matching`` gives the set of articles
a query matches (what ``search`` counts, and what timelines and facets count),
and ``search`` ranks it, one hit per story unless every copy is asked for.
Nothing here knows which engine answers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from newsgrep.engines import Engine, Row
from newsgrep.errors import BadQuery
from newsgrep.query import Filters, Phrase, Query, SortOrder, parse, positive_leaves
from newsgrep.query_plan import Plan, plan
from newsgrep.record import UNDATED, Article, instant
from newsgrep.snippets import Snippet, best_snippet, highlight

@dataclass(frozen=True)
class Copy:
    """Another stored copy of a hit's story."""

    id: str
    outlet: str | None


@dataclass(frozen=True)
class Hit:
    id: str
    date: dt.date | dt.datetime | None
    title: Snippet
    snippet: Snippet
    score: float
    path: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    copies: tuple[Copy, ...] = ()

    @property
    def day(self) -> dt.date | None:
        """The article's own local day (as its page shows it)."""
        from newsgrep.record import local_day

        return local_day(self.date)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "day": self.day.isoformat() if self.day else None,
            "title": self.title.text,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
            "copies": [{"id": c.id, "outlet": c.outlet} for c in self.copies],
        }


@dataclass(frozen=True)
class WordCount:
    """How many articles one query word (or phrase) matches on its own: the zero-hit explanation."""

    word: str
    articles: int
    unfiltered: int | None = None  # the same without the filters, when there are filters


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # matching articles
    stories: int = 0  # matching stories (copies of one story counted once)
    offset: int = 0
    # When nothing matched: each positive word's own count, and the query without the rarest word.
    word_counts: tuple[WordCount, ...] = ()
    suggestion: str | None = None
    filters: Filters = field(default_factory=Filters)


def highlight_patterns(engine: Engine, query: str | Query) -> list[re.Pattern[str]]:
    """The patterns ``search`` highlights ``query``'s matches with (none when it has no searchable words)."""
    from newsgrep.query_plan import highlight_patterns as patterns

    return patterns(query if isinstance(query, Query) else parse(query), engine.query_segmenter)


def search(
    engine: Engine,
    text: str | Query,
    *,
    filters: Filters | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    sort: SortOrder = "score",
    limit: int | None = 10,
    offset: int = 0,
    collapse: bool = True,
) -> SearchResult:
    """Run a query against the index: hits with snippets, and exact counts of articles and stories.

    ``collapse`` shows one hit per story (copies and near-copies of one
    article), the best-ranked copy's story shown by its earliest matching
    copy, with the others listed as its copies; without it every article is a
    hit. ``sort="date"`` puts the newest first and undated articles last.
    """
    filters = filters or Filters(since=since, until=until)
    query = text if isinstance(text, Query) else parse(text, filters)
    planned = plan(query, engine.query_segmenter)
    rows = engine.matching(planned)
    if not rows:
        counts = _word_counts(engine, query)
        return SearchResult(query.text, [], 0, 0, offset, counts, _suggestion(counts), query.filters)
    wanted = None if limit is None else offset + limit
    ranked = _ranked(engine, planned, rows, sort, wanted, collapse)
    page = ranked[offset:] if wanted is None else ranked[offset:wanted]
    if collapse:  # a story is shown by its earliest matching copy: where it first appeared
        earliest = _earliest(rows)
        page = [(earliest[row.story], score) for row, score in page]
    articles = {a.id: a for a in engine.records([row.id for row, _ in page])}
    members = _members(engine, [row for row, _ in page]) if collapse else {}
    hits = [
        hit_for(articles[row.id], score, planned.patterns, tuple(Copy(m.id, m.outlet) for m in members.get(row.story, ()) if m.id != row.id))
        for row, score in page
        if row.id in articles
    ]
    return SearchResult(query.text, hits, len(rows), len({row.story for row in rows}), offset, filters=query.filters)


def _ranked(engine: Engine, planned: Plan, rows: list[Row], sort, wanted, collapse) -> list[tuple[Row, float]]:
    """(row, score) in display order, one per story when ``collapse``, at least ``wanted`` of them if there are."""
    if sort == "date":
        ordered = [(row, 0.0) for row in sorted(rows, key=lambda row: -row.when)]
        return _collapse(ordered, wanted) if collapse else ordered
    allowed = {row.id: row for row in rows}
    k = None if wanted is None else max(10, wanted * 3)
    while True:
        scored = engine.ranked(planned, k)
        ordered = [(allowed[i], score) for i, score in scored if i in allowed]
        shown = _collapse(ordered, wanted) if collapse else ordered
        if k is None or len(scored) < k or len(shown) >= wanted:
            return shown
        k *= 4


def _collapse(ordered: list[tuple[Row, float]], wanted) -> list[tuple[Row, float]]:
    seen: set[str] = set()
    shown = []
    for row, score in ordered:
        if row.story not in seen:
            seen.add(row.story)
            shown.append((row, score))
            if wanted is not None and len(shown) >= wanted:
                break
    return shown


def _earliest(rows: list[Row]) -> dict[str, Row]:
    """story -> its earliest matching article (undated after dated, then by id)."""
    best: dict[str, Row] = {}
    for row in rows:
        key = (row.when == UNDATED, row.when, row.id)
        held = best.get(row.story)
        if held is None or key < (held.when == UNDATED, held.when, held.id):
            best[row.story] = row
    return best


def _members(engine: Engine, rows: list[Row]) -> dict[str, list[Row]]:
    """story -> every stored article of it, for the stories of ``rows`` (a hit's copies are the others)."""
    members: dict[str, list[Row]] = {}
    for member in engine.story_rows({row.story for row in rows}):
        members.setdefault(member.story, []).append(member)
    return members


def copies(engine: Engine, article_id: str) -> list[Article]:
    """The other stored articles of this article's story (copies and near-copies), oldest first."""
    own = engine.row(article_id)
    if own is None:
        return []
    others = [row.id for row in engine.story_rows([own.story]) if row.id != article_id]
    return sorted(engine.records(others), key=lambda a: (instant(a.date), a.id))


def _word_counts(engine: Engine, query: Query) -> tuple[WordCount, ...]:
    """How many articles each positive part of a query matches alone (for the zero-hit explanation).

    With filters, each count is within them, and the count without them is given too, so a user sees
    that the date range (not the word) is what excludes everything.
    """
    counts = []
    for leaf in positive_leaves(query.root):
        shown = f'"{leaf.text}"' if isinstance(leaf, Phrase) else leaf.text
        if leaf.field:
            shown = f"{leaf.field}:{shown}"
        try:
            n = len(engine.matching(Query(shown, leaf, query.filters)))
        except BadQuery:
            continue
        unfiltered = len(engine.matching(Query(shown, leaf))) if query.filters else None
        counts.append(WordCount(shown, n, unfiltered))
    return tuple(counts)


def _suggestion(counts: tuple[WordCount, ...]) -> str | None:
    """The query without its rarest part, when that leaves something that matches."""
    if len(counts) < 2:
        return None
    rarest = min(counts, key=lambda c: c.articles)
    rest = [c for c in counts if c is not rarest]
    if all(c.articles for c in rest):
        return " ".join(c.word for c in rest)
    return None


def hit_for(article, score: float | None, patterns: list[re.Pattern[str]], copies: tuple[Copy, ...] = ()) -> Hit:
    """A hit for a stored article: title and snippet highlighted with ``patterns``."""
    return Hit(
        id=article.id,
        date=article.date,
        title=highlight(article.title, patterns),
        snippet=best_snippet(article.text, patterns),
        score=float(score or 0.0),
        path=article.source_path,
        url=article.url,
        outlet=article.outlet,
        author=article.author,
        copies=copies,
    )
