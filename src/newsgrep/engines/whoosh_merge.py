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
"""

from __future__ import annotations

import math
from collections.abc import Callable

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
        for i in sorted(chosen):
            reader = SegmentReader(writer.storage, writer.schema, segments[i])
            writer.add_reader(reader)
            reader.close()
        report(f"writing the merged segment ({documents:,} articles)")
        return [s for i, s in enumerate(segments) if i not in chosen]

    return merge
