"""Browsing what was ingested: stored articles, newest first, optionally narrowed by source and date."""

from __future__ import annotations

import datetime as dt
from newsgrep.index import NewsIndex, decode_record, index_datetime
from newsgrep.record import Article

# Whoosh's raw column value for an article without a date.
_NO_DATE = 2**64 - 1


def list_articles(
    index: NewsIndex,
    *,
    source: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> list[Article]:
    """Stored articles newest first (undated last). ``source`` matches a substring of the outlet or the file path."""
    from whoosh.util.times import datetime_to_long

    start = datetime_to_long(index_datetime(since)) if since else 0
    end = datetime_to_long(dt.datetime.combine(until, dt.time.max)) if until else _NO_DATE
    needle = source.casefold() if source else None

    def run(searcher) -> list[Article]:
        reader = searcher.reader()
        if reader.doc_count() == 0:
            return []
        # Raw column values: dates as Whoosh's longs, so a missing date (the largest long) needs no translation.
        kinds, dates = reader.column_reader("kind"), reader.column_reader("date", translate=False)
        dated = [(dates[n], n) for n in reader.all_doc_ids() if kinds[n] == "article"]
        if since or until:
            dated = [(d, n) for d, n in dated if start <= d <= end and d != _NO_DATE]
        dated.sort(key=lambda item: (item[0] != _NO_DATE, item[0]), reverse=True)
        shown: list[Article] = []
        for _, docnum in dated:
            if limit is not None and len(shown) >= limit:
                break
            article = decode_record(searcher.stored_fields(docnum)["record"])
            if needle and needle not in (article.outlet or "").casefold() and needle not in article.source_path.casefold():
                continue
            shown.append(article)
        return shown

    return index.read(run)
