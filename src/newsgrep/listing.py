"""Browsing what was ingested: stored articles, newest first, narrowed by the same filters as a search."""

from __future__ import annotations

from newsgrep.index import NewsIndex, decode_record
from newsgrep.query import Filters
from newsgrep.record import Article


def list_articles(index: NewsIndex, *, filters: Filters | None = None, limit: int | None = None) -> list[Article]:
    """Stored articles newest first (undated last), within ``filters`` (local days, outlets, authors)."""
    from whoosh import query as wq

    from newsgrep.search import filter_query

    filters = filters or Filters()

    def run(searcher) -> list[Article]:
        reader = searcher.reader()
        if reader.doc_count() == 0:
            return []
        narrowed = filter_query(index, searcher, filters)
        every = wq.Term("kind", "article")
        docnums = searcher.search(every, filter=narrowed, limit=None, scored=False, sortedby=None).docs()
        when = reader.column_reader("when")
        ordered = sorted(docnums, key=lambda n: (-when[n], n))
        if limit is not None:
            ordered = ordered[:limit]
        return [decode_record(searcher.stored_fields(n)["record"]) for n in ordered]

    return index.read(run)
