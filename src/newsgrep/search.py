"""Searching: parse the user's query with the index's own analyzer, run it, build hits with snippets.

Query language (Whoosh's parser, trimmed to what a news search needs):
words separated by spaces must all match; ``OR``; ``NOT word`` or ``-word``;
``"quoted phrase"`` (words adjacent, in order); ``title:word``; parentheses.
Each word is analysed exactly as indexed text is (``analysis``), in query
mode: whole words, width, case and script folded, so ``台灣`` and ``台湾``
are the same term.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from newsgrep.errors import BadQuery
from newsgrep.index import NewsIndex, decode_record, index_datetime
from newsgrep.snippets import Snippet, best_snippet, highlight, term_pattern

SEARCH_FIELDS = ("title", "body")
TITLE_BOOST = 2.0
SortOrder = Literal["score", "date"]


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title.text,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int


def make_parser(schema):
    from whoosh import qparser

    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts={"title": TITLE_BOOST})
    for plugin in (qparser.WildcardPlugin, qparser.RangePlugin, qparser.FieldsPlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.FieldsPlugin(expr=r"(?P<text>title|body):"))
    parser.add_plugin(qparser.PlusMinusPlugin())
    return parser


def parse_query(index: NewsIndex, text: str):
    """The Whoosh query for ``text``; BadQuery when it is empty or holds no searchable word."""
    from whoosh import query as wq

    if not text or not text.strip():
        raise BadQuery("empty query")
    try:
        parsed = make_parser(index.schema).parse(text)
    except Exception as e:  # Whoosh raises assorted errors on malformed input
        raise BadQuery(f"cannot parse query {text!r}: {e}") from None
    if parsed is wq.NullQuery or not search_patterns(parsed):
        raise BadQuery(f"query {text!r} has no searchable words")
    return parsed


def search_patterns(q) -> list[re.Pattern[str]]:
    """One snippet pattern per positive term or phrase of the query (terms under NOT are skipped)."""
    from whoosh import query as wq

    patterns: dict[str, re.Pattern[str]] = {}

    def walk(node) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Term) and node.fieldname in SEARCH_FIELDS:
            words = [node.text]
        elif isinstance(node, wq.Phrase) and node.fieldname in SEARCH_FIELDS:
            words = list(node.words)
        else:
            for child in node.children():
                walk(child)
            return
        key = " ".join(words)
        if key not in patterns:
            patterns[key] = term_pattern(words)

    walk(q)
    return list(patterns.values())


def date_filter(since: dt.date | None, until: dt.date | None):
    from whoosh.query import DateRange

    if since is None and until is None:
        return None
    start = index_datetime(since) if since else None
    end = dt.datetime.combine(until, dt.time.max) if until else None
    return DateRange("date", start, end)


def search(
    index: NewsIndex,
    text: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    sort: SortOrder = "score",
    limit: int | None = 10,
) -> SearchResult:
    """Run ``text`` against the index; hits carry a snippet from the stored article."""
    q = parse_query(index, text)
    patterns = search_patterns(q)
    with index.searcher() as searcher:
        kwargs: dict[str, Any] = {"limit": limit, "filter": date_filter(since, until)}
        if sort == "date":
            kwargs.update(sortedby="date", reverse=True)
        results = searcher.search(q, **kwargs)
        hits = [_hit(r, patterns) for r in results]
        total = len(results)
    return SearchResult(query=text, hits=hits, total=total)


def _hit(result, patterns: list[re.Pattern[str]]) -> Hit:
    article = decode_record(result["record"])
    return Hit(
        id=article.id,
        date=article.date,
        title=highlight(article.title, patterns),
        snippet=best_snippet(article.text, patterns),
        score=float(result.score or 0.0),
        path=article.source_path,
        url=article.url,
        outlet=article.outlet,
        author=article.author,
    )
