"""Export: the whole records a query matches, oldest first, as flat rows for pandas, R or a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator

from newsgrep.engines.base import Engine
from newsgrep.explore.matching import chronological
from newsgrep.query import Filters, Query
from newsgrep.record import Article, local_day

COLUMNS = ("id", "date", "day", "source", "author", "category", "tags", "url", "title", "text", "path")
BATCH = 200  # records held in memory at a time


def export_row(article: Article) -> dict:
    """One article as an export row (``COLUMNS``): ``date`` as its page gives it, ``day`` its local day."""
    day = local_day(article.date)
    return {
        "id": article.id,
        "date": article.date.isoformat() if article.date else None,
        "day": day.isoformat() if day else None,
        "source": article.outlet,
        "author": article.author,
        "category": article.category,
        "tags": list(article.tags),
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "path": article.source_path,
    }


def export_records(engine: Engine, query: Query | None, filters: Filters | None = None) -> Iterator[dict]:
    """Every article ``query`` matches within ``filters`` (all of them when None), oldest first, undated last."""
    matched = chronological(engine.matching(query, filters))
    for first in range(0, len(matched), BATCH):
        for article in engine.records([r.id for r in matched[first : first + BATCH]]):
            yield export_row(article)
