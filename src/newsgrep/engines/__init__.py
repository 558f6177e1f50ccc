"""Engines: where articles are stored and how queries run (``base.Engine`` is the one interface).

A location names an index: a folder is the embedded Whoosh engine
(``whoosh_engine``), a ``postgresql://`` address the PostgreSQL engine
(``postgres_engine``). Engine modules are imported only when a location needs
them, so a command pays only for the engine it uses.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsgrep.engines.base import Engine, Inventory, Row, StoredFile, Writer

__all__ = ["Engine", "Inventory", "Row", "StoredFile", "Writer", "default_location", "engine_for", "is_server", "open_index"]

DEFAULT_INDEX = Path("data") / "index"
SERVER_SCHEMES = ("postgresql://", "postgres://")


def default_location() -> str:
    """``$NEWSGREP_INDEX`` if set, else ``data/index`` under the current directory."""
    return os.environ.get("NEWSGREP_INDEX") or str(DEFAULT_INDEX)


def is_server(location: str | os.PathLike) -> bool:
    """Whether ``location`` names a database server rather than a folder."""
    return str(location).startswith(SERVER_SCHEMES)


def engine_for(location: str | os.PathLike) -> type[Engine]:
    """The engine class that stores an index at ``location``."""
    if is_server(location):
        from newsgrep.engines.postgres_engine import PostgresEngine

        return PostgresEngine
    from newsgrep.engines.whoosh_engine import WhooshEngine

    return WhooshEngine


def open_index(location: str | os.PathLike) -> Engine:
    """The index at ``location``, opened for reading (IndexMissing, IndexOutdated, IndexDamaged when unusable)."""
    return engine_for(location).open(str(location))


def is_index_folder(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder holding a newsgrep index (an ingest never reads one as articles)."""
    from newsgrep.engines.whoosh_folder import is_index_folder as holds_index

    return holds_index(path)
