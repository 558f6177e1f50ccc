"""Limits that keep one hostile file from exhausting memory, and the reason given for files that cannot be opened.

A file is read whole, decoded, parsed and analysed in memory; peak memory is
several times its size (and more for one huge article, which Whoosh indexes as
one document). Files above ``max_file_bytes()`` are refused before a byte is
read: ``NEWSGREP_MAX_FILE_MB`` (default 50) changes the limit.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from newsgrep.errors import ReadError

DEFAULT_MAX_FILE_MB = 50
MB = 1024 * 1024


def max_file_bytes() -> int:
    """The per-file limit in bytes; BadSetting (one line, before any work) for a value that is not a size."""
    import math

    from newsgrep.errors import BadSetting

    value = os.environ.get("NEWSGREP_MAX_FILE_MB") or str(DEFAULT_MAX_FILE_MB)
    try:
        mb = float(value)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and 0 < mb <= 1024 * 1024):
        raise BadSetting(f"NEWSGREP_MAX_FILE_MB must be a size in MB (a number above 0), not {value!r}")
    return int(mb * MB)


def check_size(path: Path | str, size: int) -> None:
    """ReadError when a file of ``size`` bytes is over the limit."""
    limit = max_file_bytes()
    if size > limit:
        raise ReadError(str(path), f"file too large ({_mb(size)} MB; limit {_mb(limit)} MB, set NEWSGREP_MAX_FILE_MB to change it)")


def _mb(size: int) -> str:
    value = size / MB
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def why_not_a_file(path: Path) -> str | None:
    """Why a name found in a folder cannot be read as a file (dangling or looping symlink), or None if it can."""
    try:
        os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symbolic link loop"
        if e.errno == errno.ENOENT and os.path.islink(path):
            return "broken symbolic link"
        return (e.strerror or str(e)).lower()
    return None
