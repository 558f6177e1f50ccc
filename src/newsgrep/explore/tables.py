"""Rows out as CSV: what a spreadsheet opens without an import wizard, and cannot run as a formula.

UTF-8 with a byte-order mark (Excel reads a BOM-less file in the system's
legacy code page), a header row, CRLF line ends (the csv module's default).
A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or CR) would
be a formula to a spreadsheet (OWASP "CSV injection"): it gets a ``'`` in
front. Lists (tags) are joined with ``; ``. CSV goes to a terminal as often
as to a file, so control and bidi characters from articles are shown as
escapes (``inert``; tabs and newlines inside a quoted cell are kept).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

from newsgrep.inert import inert

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as a CSV cell: None empty, lists joined, formula starts defused, control characters shown."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = inert(str(value), lines=True)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(stream: IO[str], columns: Sequence[str], rows: Iterable[dict]) -> None:
    """``rows`` (dicts) as CSV on ``stream``: BOM, header, one line per row, ``columns`` in order."""
    stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in columns])
    stream.flush()
