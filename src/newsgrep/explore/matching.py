"""The articles a query matches, as every exploration command counts them (``Engine.matching``)."""

from __future__ import annotations

import dataclasses

from newsgrep.engines.base import Engine, Row
from newsgrep.query import Filters, Query
from newsgrep.record import UNDATED


def rows(engine: Engine, query: Query | None, filters: Filters | None = None) -> list[Row]:
    """Rows of every article ``query`` matches within ``filters`` (every article within them when None).

    ``filters`` replace the query's own when given, so a caller never has to
    remember which of the two an engine reads.
    """
    filters = filters if filters is not None else (query.filters if query else Filters())
    if query is not None:
        query = dataclasses.replace(query, filters=filters)
    return engine.matching(query, filters)


def chronological(matched: list[Row]) -> list[Row]:
    """Oldest first, undated last, then by id: the order concordances and exports read in."""
    return sorted(matched, key=lambda r: (r.when == UNDATED, r.when, r.id))


def one_per_story(matched: list[Row]) -> list[Row]:
    """The earliest copy of each story (undated after dated, then by id), as ``search`` shows a story."""
    earliest: dict[str, Row] = {}
    for row in chronological(matched):
        earliest.setdefault(row.story, row)
    return list(earliest.values())


def newest_first(matched: list[Row]) -> list[Row]:
    """Newest first, undated last, then by id: the order ``search -l`` lists in."""
    return sorted(matched, key=lambda r: (r.when == UNDATED, -r.when, r.id))
