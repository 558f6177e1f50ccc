"""The index's term list, for finding every indexed word that contains a query word.

Segmentation alone cannot promise grep-complete recall: the query's ``軍售`` is
the term ``军售``, but inside an article it may have been cut as part of
``軍售案`` or ``對台軍售``. Because sub-words are indexed only for dictionary
2- and 3-grams, the reliable way to catch these is to look the query word up
as a *substring* of every indexed term and search for all of them.

Whoosh's own lexicon walk is far too slow for that on every query, so after
each ingest the terms of the text fields are written to ``terms.txt`` in the
index folder, one per line; a query scans that flat file with ``str.find``
(C speed, a few milliseconds for a million terms). The file is a cache of
the index: rebuilt whenever an ingest changed anything, and a missing file
simply means no expansion.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TERMS_FILE = "terms.txt"
# More expansions than this (a single common character) would make a slow query for little gain.
MAX_EXPANSIONS = 4000


def write_terms(reader, fieldnames: tuple[str, ...], folder: Path) -> None:
    """Write the distinct terms of ``fieldnames`` (a Whoosh reader) to ``folder/terms.txt`` atomically."""
    terms: set[str] = set()
    for fieldname in fieldnames:
        if fieldname in reader.indexed_field_names():
            terms.update(term for term in reader.lexicon(fieldname))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".terms-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n" + "\n".join(sorted(t.decode("utf-8") if isinstance(t, bytes) else t for t in terms)) + "\n")
    os.replace(tmp, folder / TERMS_FILE)


class Lexicon:
    """The term list of one index, read once per process."""

    def __init__(self, folder: Path) -> None:
        try:
            self._blob = (Path(folder) / TERMS_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            self._blob = "\n"

    def containing(self, text: str) -> list[str]:
        """Every term that contains ``text``, ``text`` itself excluded; at most ``MAX_EXPANSIONS``."""
        blob = self._blob
        found: list[str] = []
        seen_line_start = -1
        start = blob.find(text)
        while start != -1 and len(found) < MAX_EXPANSIONS:
            line_start = blob.rfind("\n", 0, start) + 1
            line_end = blob.find("\n", start)
            if line_start != seen_line_start:
                term = blob[line_start:line_end]
                if term != text:
                    found.append(term)
                seen_line_start = line_start
            start = blob.find(text, line_end)
        return found
