"""When the Whoosh engine merges segments: a tiered policy, so frequent small commits do not pile up segments.

Ingest commits every few seconds (``ingest.CommitClock``), and each commit adds
a segment per writer process. Every query pays per segment (a term lookup and a
matcher in each), and so does every ``update_document`` (a unique-id lookup in
each), so segments must be merged; but Whoosh merges by writing every posting
again in Python, at about the cost of indexing it, so merging everything at each
commit would make an ingest quadratic. Whoosh's own ``MERGE_SMALL`` waits for
about twenty segments of thousands of articles before it merges anything.

This policy is Lucene's log merge: segments are put in size tiers (each tier
``MERGE_FACTOR`` times larger than the one below), and whenever a tier holds
``MERGE_FACTOR`` segments they are merged into one of the next tier. An article
is written again once per tier it climbs (log of the index size), and the index
holds at most ``MERGE_FACTOR - 1`` segments per tier.

The merge itself streams: each segment's postings already come sorted by
field and term, so they are interleaved with a heap merge straight into the
new segment's posting writer (as Whoosh's own multiprocessing writer joins its
sub-segments), instead of Whoosh's ``add_reader``, which puts every posting in
a sorting pool, sorts them all, and reads them back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

# Segments of one tier merged together; also one tier's size over the tier below.
MERGE_FACTOR = 6
# Segments up to this many documents are all in the lowest tier.
SMALLEST_TIER = 1000


def tier(documents: int) -> int:
    """The size tier of a segment of ``documents`` documents (0 for the smallest)."""
    if documents <= SMALLEST_TIER:
        return 0
    return 1 + int(math.log(documents / SMALLEST_TIER, MERGE_FACTOR))


def to_merge(sizes: list[int]) -> list[int]:
    """Indexes (into ``sizes``, documents per segment) of the segments to merge now: the lowest tier holding
    ``MERGE_FACTOR`` segments or more, all of it; none when no tier is full."""
    tiers: dict[int, list[int]] = {}
    for i, size in enumerate(sizes):
        tiers.setdefault(tier(size), []).append(i)
    full = [t for t, members in tiers.items() if len(members) >= MERGE_FACTOR]
    return tiers[min(full)] if full else []


def tiered_merge(report: Callable[[str], None]) -> Callable:
    """A Whoosh ``mergetype`` merging as ``to_merge`` says, naming the merge through ``report`` first."""

    def merge(writer, segments):
        from whoosh.reading import SegmentReader

        chosen = set(to_merge([s.doc_count_all() for s in segments]))
        if not chosen:
            return segments
        documents = sum(segments[i].doc_count() for i in chosen)
        report(f"merging {len(chosen)} segments ({documents:,} articles)")
        readers = [SegmentReader(writer.storage, writer.schema, segments[i]) for i in sorted(chosen)]
        try:
            if writer.docnum == 0 and not writer._added:
                stream_into(writer, readers)
            else:  # the writer holds documents of its own: their postings are in its pool, so the pool takes all
                for reader in readers:
                    writer.add_reader(reader)
            report(f"writing the merged segment ({documents:,} articles)")
        finally:
            for reader in readers:
                reader.close()
        return [s for i, s in enumerate(segments) if i not in chosen]

    return merge


def stream_into(writer, readers: list) -> None:
    """Write the readers' live documents into ``writer``'s (empty) new segment, their postings heap-merged.

    Documents keep their order (the first reader's, then the next one's), so
    each source yields postings sorted by (field, term, new document number)
    and ``heapq.merge`` keeps that order across sources without sorting.
    """
    import heapq

    schema = writer.schema
    sources, owners = [], []
    for reader in readers:
        start = writer.docnum
        indexed = {name for name in reader.indexed_field_names() if name in schema}
        docmap = writer.write_per_doc(set(schema.names()) | indexed, reader)
        owners += [(reader, docnum) for docnum in reader.all_doc_ids() if not reader.is_deleted(docnum)]
        sources.append(segment_postings(reader, start, docmap))
    writer.fieldwriter.add_postings(schema, MergedLengths(owners), heapq.merge(*sources))
    writer._added = True  # the commit then finishes the segment (its own pool is empty)


def segment_postings(reader, start: int, docmap: dict[int, int] | None) -> Iterator[tuple]:
    """(field, term, new document number, weight, value) of a segment's live postings, in term order.

    Whoosh's ``iter_postings`` looks every term up again in the term index
    (a hash probe and a few seeks per term, half of a merge's time); here the
    term index is read once in order, each term's postings from its entry.
    """
    schema = reader.schema
    terms = reader._terms
    deleted = reader.deleted_docs_set
    for (fieldname, btext), info in terms.items():
        if fieldname not in schema:
            continue
        m = terms._codec.postings_reader(terms._postfile, info, schema[fieldname].format, term=(fieldname, btext))
        while m.is_active():
            docnum = m.id()
            if docnum not in deleted:
                yield (fieldname, btext, docmap[docnum] if docmap is not None else start + docnum, m.weight(), m.value())
            m.next()


class MergedLengths:
    """Field lengths of the merged segment's documents, read from the segments they come from."""

    def __init__(self, owners: list[tuple]) -> None:
        self.owners = owners  # (reader, its document number), by new document number

    def doc_field_length_reader(self, fieldname: str) -> Callable[[int], int]:
        lengths = [reader.doc_field_length(docnum, fieldname) for reader, docnum in self.owners]
        return lengths.__getitem__
