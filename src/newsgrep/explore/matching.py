"""Orders of the rows ``Engine.matching`` gives, as the exploration commands read them."""

from __future__ import annotations

from newsgrep.engines.base import Row
from newsgrep.record import UNDATED


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
