"""Every document a compiled Whoosh query matches: set algebra over posting lists, one segment at a time.

Matching needs no scores, yet Whoosh finds every match (``limit=None``) by
walking its matcher tree one document at a time: each posting of an Or, And or
phrase goes through several Python wrappers, and a phrase matcher builds spans
for every candidate. At 100,000 articles that was 0.2–2 s for one query. Here
each term's posting list is read a block at a time into a set of document
numbers; And, Or and Not are set operations, and a phrase decodes positions
only for the documents that hold all of its terms. Ranking (scores, top-k) still
goes through Whoosh's searcher, on the same compiled query.

``IdDirectory`` answers the other frequent question, which live document
holds an id, from each segment's id column: ingest asks it for up to 50 story
candidates of every article it reads.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher


def matching_docnums(searcher, wanted, narrowing=None) -> list[int]:
    """Document numbers (index-wide, ascending) of the live documents matching ``wanted`` and ``narrowing``."""
    found: list[int] = []
    for reader, offset in searcher.reader().leaf_readers():
        if reader.doc_count_all() == 0:  # also an index with no segment yet
            continue
        segment = _Segment(reader)
        docs = segment.docs(wanted)
        if narrowing is not None and docs:
            docs &= segment.docs(narrowing)
        docs -= reader.deleted_docs_set
        found.extend(offset + n for n in docs)
    found.sort()
    return found


class IdDirectory:
    """Which live document holds each id: every segment's ids read once from its ``id`` column into a dict.

    A segment never changes once written (only its deletions do, looked up at
    each call), so its dict stays valid for as long as the segment exists.
    Ingest asks for up to 50 story candidates of every article it reads; a
    term-index probe per candidate and segment was a fifth of its parent's time
    at 100,000 articles.
    """

    def __init__(self) -> None:
        self._segments: dict[str, dict[str, int]] = {}

    def live_docnums(self, searcher, ids) -> dict[str, int]:
        """The live document (index-wide number) of each of ``ids``; ids no live document holds are left out."""
        found: dict[str, int] = {}
        present: dict[str, dict[str, int]] = {}
        for reader, offset in searcher.reader().leaf_readers():
            if reader.doc_count_all() == 0:
                continue
            key = reader.segment().segment_id()
            table = present[key] = self._segments[key] if key in self._segments else _ids_in(reader)
            deleted = reader.deleted_docs_set
            for article_id in ids:
                n = table.get(article_id)
                if n is None or article_id in found:
                    continue
                if n in deleted:  # a later document of this segment may hold the id too; rare
                    live = _Segment(reader).term("id", article_id) - deleted
                    if not live:
                        continue
                    n = min(live)
                found[article_id] = offset + n
        self._segments = present  # segments merged away are forgotten
        return found


def _ids_in(reader) -> dict[str, int]:
    """id -> the first document of the segment holding it (the one Whoosh's ``document_number`` finds)."""
    table: dict[str, int] = {}
    for n, article_id in enumerate(reader.column_reader("id")):
        if article_id:
            table.setdefault(article_id, n)
    return table


class _Segment:
    """One segment's reader, answering "which documents" for the query types ``WhooshCompiler`` makes."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.terms = reader._terms

    def docs(self, q) -> set[int]:
        if isinstance(q, wq.Phrase):
            return self.phrase(q)
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.MultiTerm):  # Prefix, TermRange: the terms they expand to in this segment
            return set().union(*(self.term(q.fieldname, text) for text in q._btexts(self.reader)))
        if isinstance(q, wq.And):
            return self.all_of(q.subqueries)
        if isinstance(q, wq.Or):
            return self.any_of(q.subqueries)
        if isinstance(q, wq.Not):
            return set(range(self.reader.doc_count_all())) - self.docs(q.query)
        if isinstance(q, wq.AndMaybe):  # the optional side only adds to the score
            return self.docs(q.a)
        if isinstance(q, wq.AndNot):
            return self.docs(q.a) - self.docs(q.b)
        if q is wq.NullQuery:
            return set()
        raise TypeError(f"no set matching for {type(q).__name__}")

    def all_of(self, subqueries) -> set[int]:
        """An And: the positive parts intersected (smallest first), then the Not parts taken away."""
        wanted = [self.docs(sub) for sub in subqueries if not isinstance(sub, wq.Not)]
        unwanted = [self.docs(sub.query) for sub in subqueries if isinstance(sub, wq.Not)]
        if not wanted:
            wanted = [set(range(self.reader.doc_count_all()))]
        wanted.sort(key=len)
        docs = wanted[0].intersection(*wanted[1:])
        return docs.difference(*unwanted) if docs else docs

    def any_of(self, subqueries) -> set[int]:
        """An Or: phrases last, each checking positions only in documents the other parts have not matched
        (a word's documents are mostly its bigram phrase's too)."""
        phrases = [sub for sub in subqueries if isinstance(sub, wq.Phrase)]
        docs = set().union(*(self.docs(sub) for sub in subqueries if not isinstance(sub, wq.Phrase)))
        for sub in phrases:
            docs |= self.phrase(sub, known=docs)
        return docs

    def term(self, fieldname: str, text) -> set[int]:
        docs: set[int] = set()
        for ids, _ in self.blocks(fieldname, text, values=False):
            docs.update(ids)
        return docs

    def phrase(self, q: wq.Phrase, known: set[int] = frozenset()) -> set[int]:
        """Documents where the phrase's words stand at consecutive positions of its field, leaving out
        ``known`` ones (already matched, so not worth checking)."""
        if q.slop != 1:
            raise TypeError(f"only exact phrases are matched here, not slop {q.slop}")
        fieldname, words = q.fieldname, q.words
        candidates = self.all_of([wq.Term(fieldname, w) for w in words]) - known
        if not candidates:
            return candidates
        decode = self.reader.schema[fieldname].format.decode_positions
        # starts[d]: the positions in document d where the words so far stand in a row.
        starts: dict[int, set[int]] = {}
        for k, word in enumerate(words):
            here: dict[int, set[int]] = {}
            for ids, values in self.blocks(fieldname, word, values=True, among=candidates):
                for docnum, value in zip(ids, values):
                    if docnum not in candidates:
                        continue
                    if k == 0:
                        here[docnum] = set(decode(value))
                    elif docnum in starts:
                        kept = starts[docnum].intersection(p - k for p in decode(value))
                        if kept:
                            here[docnum] = kept
            starts = here
            candidates = set(starts)
            if not candidates:
                break
        return candidates

    def blocks(self, fieldname: str, text, *, values: bool, among: set[int] | None = None) -> Iterator[tuple]:
        """(document numbers, values or None) of each postings block of a term; blocks sharing no document
        with ``among`` are skipped unread."""
        btext = text.encode("utf-8") if isinstance(text, str) else text
        if (fieldname, btext) not in self.reader:
            return
        m = self.terms.matcher(fieldname, btext, self.reader.schema[fieldname].format)
        if not isinstance(m, W3LeafMatcher):  # postings inlined in the term index (whoosh_codec)
            yield m._ids, (m._values if values else None)
            return
        while m.is_active():
            m._read_ids()
            if among is None or not among.isdisjoint(m._ids):
                if values:
                    m._read_values()
                yield m._ids, m._values
            m._next_block()
