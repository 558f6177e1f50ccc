"""Engines: where articles are stored and how queries run (``base.Engine`` is the one interface).

``open_index(location)`` opens the index a user named: a folder is the
embedded Whoosh engine, a ``postgresql://`` address the PostgreSQL engine.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsgrep.engines.base import UNDATED, Engine, Inventory, Row, StoredFile, Writer

__all__ = ["UNDATED", "Engine", "Inventory", "Row", "StoredFile", "Writer", "default_location", "open_index"]

DEFAULT_INDEX = Path("data") / "index"


def default_location() -> str:
    """``$NEWSGREP_INDEX`` if set, else ``data/index`` under the current directory."""
    return os.environ.get("NEWSGREP_INDEX") or str(DEFAULT_INDEX)


def open_index(location: str | os.PathLike) -> Engine:
    """The index at ``location``, opened for reading (IndexMissing, IndexOutdated, IndexDamaged when unusable)."""
    from newsgrep.engines.postgres import PostgresEngine, is_postgres

    if is_postgres(location):
        return PostgresEngine.open(str(location))
    from newsgrep.index import NewsIndex

    return NewsIndex.open(Path(location))
