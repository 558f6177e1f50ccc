"""Bytes to text, or a ReadError that says exactly why not."""

from __future__ import annotations

from newsgrep.errors import ReadError


def decode_utf8(data: bytes, path: str) -> str:
    """Decode a UTF-8 file (BOM allowed). Empty, binary and non-UTF-8 files raise ReadError."""
    if not data.strip():
        raise ReadError(path, "empty file")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ReadError(path, f"binary file (NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReadError(
            path, f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})"
        ) from None
    return text.removeprefix("\ufeff")
