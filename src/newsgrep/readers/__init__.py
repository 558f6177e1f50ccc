"""Reading sources: files in, Article records out. No reader knows about the index or the terminal.

``read_file`` picks a reader by the file's suffix and returns a ``FileRead``:
every article the file holds, plus the problems it survived (a broken JSON line,
junk bytes) and the encoding it was decoded with. Anything that leaves a file
with no usable article is a ``ReadError`` naming the file and the reason, so the
caller can report it and go on with the next file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from newsgrep.errors import ReadError
from newsgrep.readers.decode import decode_utf8
from newsgrep.readers.seed import parse_seed
from newsgrep.record import Article

@dataclass
class FileRead:
    """What one file yielded: its articles, the problems survived on the way (one line each), the encoding used."""

    articles: list[Article]
    problems: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    format: str = "seed"


ARTICLE_SUFFIXES = frozenset({".txt"})


def is_article_file(path: Path) -> bool:
    """Whether ``ingest`` should read this file (others under a folder are passed over)."""
    return path.suffix.lower() in ARTICLE_SUFFIXES


def read_file(path: Path, data: bytes | None = None, *, source_path: str | None = None) -> FileRead:
    """Every article in the file at ``path``.

    ``data`` is the file's bytes when the caller already has them; ``source_path``
    is what records store as their origin (default: the absolute path). Errors
    name the file as ``path`` was given.
    """
    shown = str(path)
    source_path = source_path or os.path.abspath(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ReadError(shown, e.strerror or str(e)) from None
    text = decode_utf8(data, shown)
    return FileRead([parse_seed(text, shown, path.stem, source_path)])
