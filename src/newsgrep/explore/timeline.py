"""Timelines: how many matching articles and stories each day, week, month or year (Kibana's date histogram).

Buckets use the article's own local day as its page prints it (an article
at 00:30 +08:00 falls on that day, not the UTC day before). Buckets are
continuous: a week without coverage is a 0, not a gap. A story whose copies
fall in two buckets counts once in each.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from newsgrep.engines.base import Engine, Row
from newsgrep.errors import BadSetting
from newsgrep.explore.facets import FIELD_VALUES, NONE
from newsgrep.query import Filters, Query

BY = ("day", "week", "month", "year")
SPLITS = ("source", "author", "category")
# Spans (in days) up to which a finer bucket is chosen: at most about 60 bars in every case but long year ranges.
AUTO_LIMITS = (("day", 62), ("week", 366), ("month", 5 * 366))


@dataclass(frozen=True)
class Bucket:
    start: dt.date
    end: dt.date  # inclusive
    label: str
    articles: int
    stories: int

    def to_dict(self) -> dict:
        return {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Timeline:
    by: str
    buckets: list[Bucket]
    series: dict[str, list[Bucket]] | None = None  # with a split: value -> its buckets, the largest series first
    undated: int = 0  # matching articles without a date (in no bucket)

    def rows(self) -> list[dict]:
        """One flat dict per bucket (per series and bucket with a split): what ``--json``/``--csv``/the API give."""
        if self.series is None:
            return [{"by": self.by, **b.to_dict()} for b in self.buckets]
        return [{"by": self.by, "series": name, **b.to_dict()} for name, buckets in self.series.items() for b in buckets]


def bucket_start(day: dt.date, by: str) -> dt.date:
    if by == "week":
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    if by == "month":
        return day.replace(day=1)
    if by == "year":
        return day.replace(month=1, day=1)
    return day


def next_start(start: dt.date, by: str) -> dt.date:
    if by == "day":
        return start + dt.timedelta(days=1)
    if by == "week":
        return start + dt.timedelta(days=7)
    if by == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.replace(year=start.year + 1)


def label(start: dt.date, by: str) -> str:
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start:%Y-%m}"
    if by == "year":
        return f"{start:%Y}"
    return start.isoformat()


def auto_by(first: dt.date, last: dt.date) -> str:
    """The finest bucket that keeps a span to a chart a terminal shows at once."""
    span = (last - first).days
    return next((by for by, limit in AUTO_LIMITS if span <= limit), "year")


def starts(first: dt.date, last: dt.date, by: str) -> list[dt.date]:
    """Every bucket start from the one holding ``first`` to the one holding ``last``."""
    out, start = [], bucket_start(first, by)
    while start <= last:
        out.append(start)
        start = next_start(start, by)
    return out


def buckets(dated: Sequence[Row], bucket_starts: list[dt.date], by: str) -> list[Bucket]:
    """Articles and distinct stories per bucket, a zero for each bucket without any."""
    articles: Counter[dt.date] = Counter()
    stories: defaultdict[dt.date, set[str]] = defaultdict(set)
    for row in dated:
        start = bucket_start(row.day, by)
        articles[start] += 1
        stories[start].add(row.story)
    return [
        Bucket(s, next_start(s, by) - dt.timedelta(days=1), label(s, by), articles[s], len(stories[s]))
        for s in bucket_starts
    ]


def timeline(
    engine: Engine,
    query: Query | None,
    filters: Filters | None = None,
    *,
    by: str | None = None,
    split: str | None = None,
) -> Timeline:
    """Matching articles and stories per bucket from ``--since`` (else the first match) to ``--until`` (else the last).

    ``by`` None picks day, week, month or year from the span; ``split`` names
    a field (``source``) whose values each get a series of their own.
    """
    if by is not None and by not in BY:
        raise BadSetting(f"unknown timeline bucket {by!r} (choose {', '.join(BY)})")
    if split is not None and split not in SPLITS:
        raise BadSetting(f"unknown timeline split {split!r} (choose {', '.join(SPLITS)})")
    matched = engine.matching(query, filters)
    filters = filters if filters is not None else (query.filters if query else Filters())
    dated = [r for r in matched if r.day is not None]
    days = [r.day for r in dated]
    first = filters.since or (min(days) if days else None)
    last = filters.until or (max(days) if days else None)
    if first is None or last is None:  # nothing dated and no range asked for: no buckets to show
        return Timeline(by or "day", [], {} if split else None, len(matched) - len(dated))
    by = by or auto_by(first, last)
    bucket_starts = starts(first, last, by)
    series = None
    if split:
        groups: defaultdict[str, list[Row]] = defaultdict(list)
        for row in dated:
            groups[(FIELD_VALUES[split](row) or (NONE,))[0]].append(row)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        series = {name: buckets(group, bucket_starts, by) for name, group in ordered}
    return Timeline(by, buckets(dated, bucket_starts, by), series, len(matched) - len(dated))

