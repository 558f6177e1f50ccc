"""newsgrep for notebooks: each function opens the index, runs what the command of the same name runs, returns plain data.

Every function returns a list of flat dicts (one per hit, bucket, value,
line, word or article), which is what ``pandas.DataFrame`` takes::

    import pandas as pd, newsgrep.api as ng
    pd.DataFrame(ng.timeline("颱風", by="month", index="data/index"))

``index`` is a folder (or an engine's address); by default the one the
command line uses (``$NEWSGREP_INDEX``, else ``data/index``). The filter
keywords are the command line's: ``since``/``until`` (a date or
``"YYYY-MM-DD"``, the article's own local day, inclusive), ``source`` and
``author`` (a part of the name, or a list of parts: any of them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from newsgrep.engines import Engine, default_location, open_index
from newsgrep.query import Filters, Query, parse

Names = str | Sequence[str] | None
Day = dt.date | str | None


def filters(since: Day = None, until: Day = None, source: Names = None, author: Names = None) -> Filters:
    """The command line's ``--since/--until/--source/--author`` as ``Filters``."""

    def day(value: Day) -> dt.date | None:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    def names(value: Names) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value or ())

    return Filters(since=day(since), until=day(until), sources=names(source), authors=names(author))


@contextmanager
def _opened(index: str | None) -> Iterator[Engine]:
    engine = open_index(index or default_location())
    try:
        yield engine
    finally:
        engine.close()


def _query(text: str | None, narrowed: Filters) -> Query | None:
    return parse(text, narrowed) if text else None


def search(
    text: str, *, index: str | None = None, since: Day = None, until: Day = None, source: Names = None,
    author: Names = None, sort: str = "score", limit: int | None = 10, every_copy: bool = False,
) -> list[dict[str, Any]]:
    """Ranked hits (``newsgrep search --json``): one per story unless ``every_copy``; ``limit=None`` for all."""
    from newsgrep.search import search as run_search

    with _opened(index) as engine:
        result = run_search(
            engine, text, filters=filters(since, until, source, author), sort=sort, limit=limit, collapse=not every_copy
        )
    return [hit.to_dict() for hit in result.hits]


def timeline(
    text: str | None = None, *, index: str | None = None, by: str | None = None, split: str | None = None,
    since: Day = None, until: Day = None, source: Names = None, author: Names = None,
) -> list[dict[str, Any]]:
    """Articles and stories per bucket (``newsgrep timeline --json``); with ``split="source"`` one row per outlet and bucket."""
    from newsgrep.explore.timeline import timeline as run_timeline

    narrowed = filters(since, until, source, author)
    with _opened(index) as engine:
        return run_timeline(engine, _query(text, narrowed), narrowed, by=by, split=split).rows()


def facets(
    text: str | None = None, *, index: str | None = None, fields: Sequence[str] = ("source", "author", "category", "month"),
    top: int = 10, since: Day = None, until: Day = None, source: Names = None, author: Names = None,
) -> list[dict[str, Any]]:
    """Matching articles by outlet, author, category, month (``newsgrep facets --json``): field, value, articles, share."""
    from newsgrep.explore.facets import facets as run_facets

    narrowed = filters(since, until, source, author)
    with _opened(index) as engine:
        found = run_facets(engine, _query(text, narrowed), narrowed, fields=fields, top=top)
    return [row for facet in found.values() for row in facet.rows()]


def kwic(
    text: str, *, index: str | None = None, width: int = 20, sort: str = "date", limit: int | None = None,
    since: Day = None, until: Day = None, source: Names = None, author: Names = None,
) -> list[dict[str, Any]]:
    """A concordance line per occurrence (``newsgrep kwic --json``): id, day, left, match, right."""
    from newsgrep.explore.kwic import kwic as run_kwic

    narrowed = filters(since, until, source, author)
    with _opened(index) as engine:
        return [line.to_dict() for line in run_kwic(engine, _query(text, narrowed), narrowed, width=width, sort=sort, limit=limit).lines]


def keywords(
    text: str | None = None, *, index: str | None = None, top: int = 20,
    since: Day = None, until: Day = None, source: Names = None, author: Names = None,
) -> list[dict[str, Any]]:
    """The words most characteristic of the matching articles (``newsgrep keywords --json``): word, G², counts."""
    from newsgrep.explore.keywords import keywords as run_keywords

    narrowed = filters(since, until, source, author)
    with _opened(index) as engine:
        return [k.to_dict() for k in run_keywords(engine, _query(text, narrowed), narrowed, top=top).words]


def export(
    text: str | None = None, *, index: str | None = None,
    since: Day = None, until: Day = None, source: Names = None, author: Names = None,
) -> list[dict[str, Any]]:
    """Whole matching records, oldest first (``newsgrep export``): id, date, day, source, author, url, title, text."""
    from newsgrep.explore.export import export_records

    narrowed = filters(since, until, source, author)
    with _opened(index) as engine:
        return list(export_records(engine, _query(text, narrowed), narrowed))
