"""The seed text format: `` date YYYY-MM-DD <lede>`` on the first line, then paragraphs split by blank lines.

There is no title line; the title is derived from the lede and marked as derived.
A ``.txt`` file without the date header is read the same way with no date, its
first paragraph taken as the lede.
"""

from __future__ import annotations

import datetime as dt
import re

from newsgrep.errors import ReadError
from newsgrep.readers.structure import build_body, clean_line, derive_title
from newsgrep.record import Article

# DOTALL: ``rest`` is everything after the date, so the match never backtracks through ``\S+``.
_HEADER = re.compile(
    r"^[\s\ufeff\u3000]*+date[ \t\u3000]++(?P<date>\S++)[ \t\u3000]*+(?P<rest>.*)\Z", re.IGNORECASE | re.DOTALL
)
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\uffef]")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by lines that are blank (spaces and U+3000 count as blank).

    Lines wrapped inside one paragraph are joined: directly between Chinese
    characters, with one space between Latin words.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if line:
            current.append(line)
        elif current:
            paragraphs.append(_join_wrapped(current))
            current = []
    if current:
        paragraphs.append(_join_wrapped(current))
    return paragraphs


def _join_wrapped(lines: list[str]) -> str:
    parts = [lines[0]]
    for before, line in zip(lines, lines[1:]):
        parts.append("" if _CJK.match(before[-1]) or _CJK.match(line[0]) else " ")
        parts.append(line)
    return "".join(parts)


def parse_seed(text: str, path: str, article_id: str, source_path: str) -> Article:
    """Parse one seed-format article; ``path`` names the file in errors. ReadError for a bad date or no text."""
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise ReadError(path, "no article text")
    date = None
    header = _HEADER.match(paragraphs[0])
    if header:
        try:
            date = dt.date.fromisoformat(header["date"])
        except ValueError:
            raise ReadError(path, f"bad date {header['date']!r} on line 1 (expected YYYY-MM-DD)") from None
        paragraphs[0] = clean_line(header["rest"])
        if not paragraphs[0]:
            paragraphs.pop(0)
    if not paragraphs:
        raise ReadError(path, "no article text after the date line")
    lede, rest = paragraphs[0], paragraphs[1:]
    blocks, captions = build_body(rest)
    return Article(
        id=article_id,
        source_path=source_path,
        title=derive_title(lede),
        title_derived=True,
        date=date,
        lede=lede,
        body=tuple(blocks),
        captions=tuple(captions),
    )
