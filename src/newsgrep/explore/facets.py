"""Facets: how the matching articles divide by outlet, author, category, tag and month (Kibana's field counts).

Counts add up: each facet of a one-valued field sums to the number of
matching articles, with an explicit ``(none)`` for articles without a value
and ``(other)`` for everything below the top N. Values are the names as
written on the page (original script), so 中央社 and 中央通訊社 stay apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from newsgrep.engines.base import Engine, Row
from newsgrep.errors import BadSetting
from newsgrep.query import Filters, Query

NONE = "(none)"
OTHER = "(other)"


def _month(row: Row) -> tuple[str, ...]:
    return (f"{row.day:%Y-%m}",) if row.day else ()


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


# What each facet reads from a row: its values (none, one, or several for tags).
FIELD_VALUES: dict[str, Callable[[Row], tuple[str, ...]]] = {
    "source": lambda row: _one(row.outlet),
    "author": lambda row: _one(row.author),
    "category": lambda row: _one(row.category),
    "tag": lambda row: row.tags,
    "month": _month,
}
FIELDS = tuple(FIELD_VALUES)
DEFAULT_FIELDS = ("source", "author", "category", "month")


@dataclass(frozen=True)
class FacetValue:
    value: str
    articles: int


@dataclass(frozen=True)
class Facet:
    """One field's top values; ``total`` is the number of matching articles.

    For one-valued fields the values (with ``(none)`` and ``(other)``) sum to
    ``total``; an article with three tags counts once under each.
    """

    field: str
    total: int
    values: list[FacetValue]

    def rows(self) -> list[dict]:
        """One flat dict per value: what ``--json``, ``--csv`` and ``newsgrep.api`` give."""
        return [{"field": self.field, **asdict(v), "share": round(v.articles / self.total, 4) if self.total else 0.0} for v in self.values]


def check_fields(fields: Iterable[str]) -> tuple[str, ...]:
    """The fields as given, or BadSetting naming the one that is not a facet."""
    fields = tuple(fields)
    for name in fields:
        if name not in FIELD_VALUES:
            raise BadSetting(f"unknown facet field {name!r} (fields: {', '.join(FIELDS)})")
    return fields


def facet(field: str, matched: Sequence[Row], top: int = 10) -> Facet:
    """The ``top`` most frequent values of ``field`` among ``matched``, then ``(none)`` and ``(other)``."""
    values_of = FIELD_VALUES[check_fields([field])[0]]
    counts: Counter[str] = Counter()
    none = 0
    for row in matched:
        values = values_of(row)
        counts.update(values)
        none += not values
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = [FacetValue(value, n) for value, n in ranked[:top]]
    if none:
        shown.append(FacetValue(NONE, none))
    other = sum(n for _, n in ranked[top:])
    if other:
        shown.append(FacetValue(OTHER, other))
    return Facet(field, len(matched), shown)


def facets(
    engine: Engine,
    query: Query | None,
    filters: Filters | None = None,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    top: int = 10,
) -> dict[str, Facet]:
    """Each of ``fields`` over the articles ``query`` matches within ``filters`` (all articles when None)."""
    fields = check_fields(fields)
    matched = engine.matching(query, filters)
    return {name: facet(name, matched, top) for name in fields}
