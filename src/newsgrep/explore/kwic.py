"""Concordance (KWIC): every occurrence of a query's words with the text on either side (AntConc, Sketch Engine).

An occurrence is exactly what ``search`` highlights: the same patterns
(bigram, word and phrase matches alike), matched on the folded text and
mapped back to the original script (``snippets.highlight``), overlapping
matches merged into one. Titles and bodies are read separately, so context
never runs from a title into its body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsgrep.analysis import fold
from newsgrep.engines.base import Engine
from newsgrep.errors import BadSetting
from newsgrep.explore.matching import chronological
from newsgrep.query import Filters, Query
from newsgrep.record import Article, local_day
from newsgrep.search import highlight_patterns
from newsgrep.snippets import highlight

SORTS = ("date", "left", "right")
MAX_WIDTH = 200  # characters of context on each side
BATCH = 200  # records read at a time
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class KwicLine:
    id: str
    day: dt.date | None
    field: str  # "title" or "body"
    offset: int  # where the match starts in that field's text
    left: str  # up to ``width`` characters before the match, whitespace runs as one space
    match: str  # the matched characters, as written
    right: str

    def to_dict(self) -> dict:
        return {
            "id": self.id, "day": self.day.isoformat() if self.day else None, "field": self.field,
            "offset": self.offset, "left": self.left, "match": self.match, "right": self.right,
        }


@dataclass(frozen=True)
class Concordance:
    lines: list[KwicLine]
    articles: int  # matching articles
    more: bool  # stopped at ``limit`` with more occurrences (or unread articles) left


def occurrences(article: Article, patterns: list[re.Pattern[str]], width: int) -> Iterator[KwicLine]:
    """A line per highlighted span of the article's title, then of its body."""
    day = local_day(article.date)
    for field, text in (("title", article.title), ("body", article.text)):
        for start, end in highlight(text, patterns).highlights:
            left = _SPACES.sub(" ", text[max(0, start - width) : start])
            right = _SPACES.sub(" ", text[end : end + width])
            yield KwicLine(article.id, day, field, start, left, _SPACES.sub(" ", text[start:end]), right)


def kwic(
    engine: Engine,
    query: Query,
    filters: Filters | None = None,
    *,
    width: int = 20,
    sort: str = "date",
    limit: int | None = None,
) -> Concordance:
    """Concordance lines of the articles ``query`` matches: oldest first, or sorted by the left or right context.

    ``sort="left"`` orders by the context read leftwards from the match (the
    word before it first), ``"right"`` by the match and what follows. With
    ``sort="date"`` and a ``limit``, reading stops once the limit is reached.
    """
    if sort not in SORTS:
        raise BadSetting(f"unknown kwic sort {sort!r} (choose {', '.join(SORTS)})")
    if not 1 <= width <= MAX_WIDTH:
        raise BadSetting(f"kwic width {width} out of range (1–{MAX_WIDTH} characters)")
    patterns = highlight_patterns(engine, query)
    matched = chronological(engine.matching(query, filters))
    lines: list[KwicLine] = []
    stop = limit if sort == "date" else None
    first = 0
    while first < len(matched) and (stop is None or len(lines) <= stop):
        # With a limit, read about as many articles as lines are still wanted (most hold one occurrence).
        batch = BATCH if stop is None else min(BATCH, stop - len(lines) + 1)
        for article in engine.records([r.id for r in matched[first : first + batch]]):
            lines.extend(occurrences(article, patterns, width))
        first += batch
    if sort == "left":
        lines.sort(key=lambda line: (fold(line.left)[::-1], line.day or dt.date.max, line.id))
    elif sort == "right":
        lines.sort(key=lambda line: (fold(line.match + line.right), line.day or dt.date.max, line.id))
    more = limit is not None and len(lines) > limit
    return Concordance(lines[:limit] if limit is not None else lines, len(matched), more)
