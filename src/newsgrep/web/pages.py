"""What each page and its JSON twin read from the library: plain data, no HTML and no HTTP.

Only library calls (``search``, ``related``, ``explore``, ``listing``, the
engine's ``get``): the same functions the command line uses, so a page and
``newsgrep search``/``show`` agree. Counting goes through ``explore``, which
counts the rows of ``Engine.matching``, the matcher ``search`` counts with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsgrep.engines import Engine
from newsgrep.explore.facets import Facet, facets
from newsgrep.explore.timeline import Timeline, timeline
from newsgrep.query import Query, parse
from newsgrep.record import Article
from newsgrep.search import Hit, SearchResult, copies, highlight_patterns, hit_for, search
from newsgrep.web.state import SearchState

PAGE_SIZE = 10
RELATED = 5
TOP_OUTLETS = 10


@dataclass(frozen=True)
class SearchPage:
    """A search (or, without a query, the newest articles) with its timeline and outlet counts."""

    state: SearchState
    result: SearchResult
    timeline: Timeline
    outlets: Facet

    @property
    def last_page(self) -> int:
        shown = self.result.stories if self.state.q else self.result.total
        return max(1, -(-shown // PAGE_SIZE))


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    state: SearchState  # the search it was opened from, if any: highlights and the way back
    patterns: list = field(default_factory=list)
    copies: list[Article] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)


def parsed(state: SearchState) -> Query | None:
    """The state's query parsed with its filters (BadQuery when it means nothing), None without one."""
    return parse(state.q, state.filters) if state.q else None


class MatchingOnce:
    """An engine that answers ``matching`` once per (query, filters): one search page asks the same
    question for its timeline and its outlet counts (and, when ``search`` asks the engine, its hits)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._answers: dict = {}

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def matching(self, query, filters=None):
        key = repr((query, filters))  # the dataclasses' own reprs: a query tree may hold lists, which do not hash
        if key not in self._answers:
            self._answers[key] = self._engine.matching(query, filters)
        return self._answers[key]


def search_page(engine: Engine, state: SearchState, limit: int = PAGE_SIZE) -> SearchPage:
    engine = MatchingOnce(engine)
    query = parsed(state)
    outlets = facets(engine, query, state.filters, fields=("source",), top=TOP_OUTLETS)["source"]
    if query is not None:
        result = hits(engine, state, limit)
    else:
        result = newest(engine, state, limit, outlets.total)
    return SearchPage(state, result, timeline(engine, query, state.filters), outlets)


def hits(engine: Engine, state: SearchState, limit: int = PAGE_SIZE) -> SearchResult:
    """The state's page of hits, one per story (what ``/api/search`` gives alone)."""
    offset = (state.page - 1) * limit
    return search(engine, parsed(state), filters=state.filters, sort=state.sort, limit=limit, offset=offset, collapse=True)


def newest(engine: Engine, state: SearchState, limit: int, total: int) -> SearchResult:
    """The newest articles within the state's filters, as hits without highlights: the page before a search."""
    from newsgrep.listing import list_articles

    offset = (state.page - 1) * limit
    articles = list_articles(engine, filters=state.filters, limit=offset + limit)[offset:]
    return SearchResult("", [hit_for(a, None, []) for a in articles], total, offset=offset, filters=state.filters)


def article_page(engine: Engine, article_id: str, state: SearchState) -> ArticlePage:
    """One article, its copies and related articles; the state's query (if any) highlighted."""
    from newsgrep.related import related

    article = engine.get(article_id)
    query = parsed(state)
    return ArticlePage(
        article=article,
        state=state,
        patterns=highlight_patterns(engine, query) if query else [],
        copies=copies(engine, article.id),
        related=related(engine, article.id, limit=RELATED).hits,
    )


def search_json(result: SearchResult) -> dict:
    """``/api/search``: the counts, and each hit as ``newsgrep search --json`` writes it."""
    out = {
        "query": result.query,
        "total": result.total,
        "stories": result.stories,
        "offset": result.offset,
        "hits": [hit.to_dict() for hit in result.hits],
    }
    if not result.total:
        out["word_counts"] = [
            {"word": c.word, "articles": c.articles, "unfiltered": c.unfiltered} for c in result.word_counts
        ]
        out["suggestion"] = result.suggestion
    return out


def article_json(engine: Engine, article_id: str) -> dict:
    """``/api/articles/{id}``: the record and its copies, as ``newsgrep show --json`` writes them."""
    from newsgrep.views import article_summary

    article = engine.get(article_id)
    return {**article.to_dict(), "copies": [article_summary(c) for c in copies(engine, article.id)]}
