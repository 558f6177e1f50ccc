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
    """Band key -> article ids, for one index generation.

    Compact by design: keys (hex strings) are stored as bytes, and each key row
    holds a small article number instead of the id; an article's own keys are
    kept with it, so removing it touches only its rows.
    """

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(Path(folder) / FILE)
        self._db.executescript(
            """
            PRAGMA journal_mode=DELETE;
            CREATE TABLE IF NOT EXISTS articles (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, keys BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (key BLOB NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID;
            """
        )

    def add(self, article_id: str, keys: Iterable[str]) -> None:
        packed = [_pack(k) for k in keys]
        n = self._db.execute("INSERT INTO articles (id, keys) VALUES (?, ?)", (article_id, b"".join(len(k).to_bytes(1, "big") + k for k in packed))).lastrowid
        self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", [(k, n) for k in packed])

    def remove(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            row = self._db.execute("SELECT n, keys FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                continue
            n, blob = row
            self._db.executemany("DELETE FROM keys WHERE key = ? AND n = ?", [(k, n) for k in _unpack(blob)])
            self._db.execute("DELETE FROM articles WHERE n = ?", (n,))

    def sharing(self, keys: Sequence[str], limit: int | None) -> list[str]:
        """Ids sharing any of ``keys``, those sharing the most first."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT a.id FROM keys k JOIN articles a ON a.n = k.n WHERE k.key IN ({marks}) "
            "GROUP BY k.n ORDER BY COUNT(*) DESC, a.id LIMIT ?",
            [*(_pack(k) for k in keys), -1 if limit is None else limit],
        )
        return [article_id for (article_id,) in rows]

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()


def _pack(key: str) -> bytes:
    """A band key as bytes: hex digits packed two to a byte (other keys kept as UTF-8)."""
    try:
        return bytes.fromhex(key)
    except ValueError:
        return key.encode("utf-8")


def _unpack(blob: bytes) -> list[bytes]:
    keys, i = [], 0
    while i < len(blob):
        size = blob[i]
        keys.append(blob[i + 1 : i + 1 + size])
        i += 1 + size
    return keys
