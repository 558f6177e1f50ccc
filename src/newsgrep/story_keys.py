"""The similarity keys of stored articles (``stories.band_keys``), in a SQLite table beside the Whoosh files.

Only ingest reads them: "which stored articles share a band key with this new
one" is one indexed lookup here. As Whoosh terms they were nearly all unique
(42 per article) and Whoosh keeps ~150 bytes per distinct term per segment:
about a sixth of the index for a lookup no search makes. A row here is a
key and an id.

The table commits just before the Whoosh commit it belongs to. If the process
dies in between, the table names articles the index does not hold: they are
passed over (their stored fields are not found), so the two never disagree in
a way that matters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

FILE = "story_keys.sqlite"


class StoryKeys:
    """Band key -> article ids, for one index generation."""

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(Path(folder) / FILE, isolation_level="DEFERRED")
        self._db.execute("PRAGMA journal_mode=DELETE")
        self._db.execute("CREATE TABLE IF NOT EXISTS keys (key TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID")
        self._db.execute("CREATE INDEX IF NOT EXISTS keys_of_id ON keys (id)")

    def add(self, article_id: str, keys: Iterable[str]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", [(k, article_id) for k in keys])

    def remove(self, ids: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM keys WHERE id = ?", [(i,) for i in ids])

    def sharing(self, keys: Sequence[str], limit: int | None) -> list[str]:
        """Ids sharing any of ``keys``, those sharing the most first."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT id FROM keys WHERE key IN ({marks}) GROUP BY id ORDER BY COUNT(*) DESC, id LIMIT ?",
            [*keys, -1 if limit is None else limit],
        )
        return [article_id for (article_id,) in rows]

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()
