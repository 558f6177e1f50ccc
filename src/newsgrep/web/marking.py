"""Article text as the templates print it: runs of plain and highlighted text, dates, and links only where safe.

Jinja2 escapes every printed value (no article string ever becomes markup),
after ``shown`` (the environment's ``finalize``) has made it inert: bidi
overrides and control characters from a hostile page are shown as escapes
(``\\u202e``) instead of reordering what the reader sees. Highlighted text is
cut into runs first and each run is made inert on its own, so the spans still
cover the matched characters.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from newsgrep.inert import inert
from newsgrep.snippets import Snippet, highlight


def runs(snippet: Snippet) -> list[tuple[str, bool]]:
    """(text, highlighted) runs of a snippet."""
    out: list[tuple[str, bool]] = []
    last = 0
    for start, end in snippet.highlights:
        if start > last:
            out.append((snippet.text[last:start], False))
        out.append((snippet.text[start:end], True))
        last = end
    if last < len(snippet.text):
        out.append((snippet.text[last:], False))
    return out


def marked(text: str | None, patterns: list[re.Pattern[str]]) -> list[tuple[str, bool]]:
    """``text`` cut into runs, the matches of ``patterns`` highlighted (no patterns: one plain run)."""
    return runs(highlight(text or "", patterns))


def shown(value):
    """What a template prints for ``value``: a string made inert (tabs and newlines kept: in HTML they are spaces)."""
    return inert(value, lines=True) if isinstance(value, str) and not hasattr(value, "__html__") else value


def shown_date(value: dt.date | dt.datetime | None) -> str:
    """``2025-11-14 09:30 +08:00`` (the time as the page gave it), ``2025-11-14``, or ``undated``."""
    if value is None:
        return "undated"
    if isinstance(value, dt.datetime):
        offset = value.strftime("%z")
        return f"{value:%Y-%m-%d %H:%M}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")
    return value.isoformat()


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address with a host, else None (shown as text, never as a link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.strip()
