"""Browsing what was ingested: stored articles, newest first, narrowed by the same filters as a search."""

from __future__ import annotations

from newsgrep.engines import Engine
from newsgrep.query import Filters
from newsgrep.record import Article


def list_articles(engine: Engine, *, filters: Filters | None = None, limit: int | None = None) -> list[Article]:
    """Stored articles newest first (undated last), within ``filters`` (local days, outlets, authors)."""
    rows = sorted(engine.matching(None, filters or Filters()), key=lambda row: -row.when)
    return engine.records([row.id for row in rows[:limit]])
