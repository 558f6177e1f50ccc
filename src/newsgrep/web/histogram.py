"""The date histogram as inline SVG geometry, drawn on the server: no chart library, no script needed.

Each bucket of ``explore.timeline`` is a bar whose link applies the bucket's
dates as the page's range (a plain ``<a>`` inside the SVG, so a click filters
without JavaScript); a transparent full-height band under each bar keeps
small bars easy to hit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsgrep.explore.timeline import Bucket, Timeline

WIDTH = 720
HEIGHT = 120  # the bars' area; labels go below it
LABEL_ROOM = 18
MAX_TICKS = 6


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    bucket: Bucket
    href: str | None  # None for an empty bucket: nothing to narrow to


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Histogram:
    by: str
    bars: list[Bar]
    ticks: list[Tick]
    peak: int
    undated: int
    width: int = WIDTH
    height: int = HEIGHT
    label_room: int = LABEL_ROOM


def histogram(timeline: Timeline, link: Callable[[Bucket], str]) -> Histogram | None:
    """Bars for ``timeline``'s buckets, each linking to ``link(bucket)``; None when no article is dated."""
    buckets = timeline.buckets
    if not buckets:
        return None
    peak = max(b.articles for b in buckets) or 1
    slot = WIDTH / len(buckets)
    gap = slot * 0.2
    bars = []
    for i, bucket in enumerate(buckets):
        height = HEIGHT * bucket.articles / peak
        if bucket.articles:
            height = max(height, 2.0)  # one article still shows
        bars.append(Bar(
            x=round(i * slot + gap / 2, 2), width=round(slot - gap, 2), y=round(HEIGHT - height, 2),
            height=round(height, 2), bucket=bucket, href=link(bucket) if bucket.articles else None,
        ))
    step = max(1, -(-len(buckets) // MAX_TICKS))
    ticks = [Tick(_inside(i * slot + slot / 2), buckets[i].label) for i in range(0, len(buckets), step)]
    return Histogram(timeline.by, bars, ticks, peak, timeline.undated)


def _inside(x: float, margin: float = 40.0) -> float:
    """A label's centre kept far enough from the edges for a date to fit."""
    return round(min(max(x, margin), WIDTH - margin), 2)
