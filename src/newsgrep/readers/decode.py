"""Bytes to text: UTF-8 first, then the Big5 and GB families, trusting the bytes over any label.

Chinese news files come as UTF-8 (with or without a BOM), Big5 (often really
CP950 or Big5-HKSCS) and GB2312/GBK (decoded as their superset GB18030). Pages
lie about their charset: a page that declares Big5 but is valid UTF-8 is UTF-8.
A declared label only breaks ties between legacy encodings; without one,
charset-normalizer picks the family. Junk that scrapers leave is survived and
reported: NUL padding before the text is skipped, and a few invalid bytes in an
otherwise good legacy file become U+FFFD with a problem line, not a failure.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from newsgrep.errors import ReadError

# Encodings tried within each legacy family, narrowest first (all strict).
_FAMILIES: dict[str, tuple[str, ...]] = {
    "big5": ("cp950", "big5hkscs"),
    "gb": ("gb18030",),
}
_FAMILY_OF_LABEL = {
    "big5": "big5", "big5-hkscs": "big5", "big5hkscs": "big5", "cp950": "big5", "x-x-big5": "big5",
    "ms950": "big5", "windows-950": "big5",
    "gb2312": "gb", "gbk": "gb", "gb18030": "gb", "cp936": "gb", "windows-936": "gb", "x-gbk": "gb",
    "euc-cn": "gb", "hz-gb-2312": "gb",
}
# A legacy file may carry this share of invalid bytes (as U+FFFD) before it counts as "not text".
MAX_REPLACED_SHARE = 0.01

# <meta charset="big5">, <meta http-equiv=... content="text/html; charset=big5">, <?xml encoding="gb2312"?>
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*+=\s*+["']?\s*+([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Control bytes that never occur in text files (NUL is handled separately).
_BINARY = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


@dataclass
class Decoded:
    """The text, the codec that produced it (a Python codec name), and problems survived."""

    text: str
    encoding: str
    problems: list[str] = field(default_factory=list)


def declared_charset(data: bytes) -> str | None:
    """The charset a page or XML file declares in its first 4 KB, lower-cased, or None."""
    match = _DECLARED.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def decode_bytes(data: bytes, path: str) -> Decoded:
    """Decode a file's bytes; ReadError for empty or binary files and text in no known encoding."""
    problems: list[str] = []
    stripped = data.lstrip(b"\x00")
    if data and not stripped:
        raise ReadError(path, f"only NUL bytes ({len(data)})")
    if len(stripped) != len(data) and stripped.strip() and not _looks_binary(stripped):
        problems.append(f"skipped {len(data) - len(stripped)} NUL bytes at start")
        data = stripped
    if not data.strip():
        raise ReadError(path, "empty file")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec).removeprefix("\ufeff"), codec, problems)
            except UnicodeDecodeError:
                break
    nul = data.find(b"\x00")
    if nul != -1 or _looks_binary(data):
        offset = nul if nul != -1 else _BINARY.search(data).start()
        raise ReadError(path, f"binary file ({'NUL byte' if nul != -1 else 'control byte'} at offset {offset})")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", problems)
    except UnicodeDecodeError as e:
        utf8_error = e
    family = _FAMILY_OF_LABEL.get(declared_charset(data) or "") or _detect_family(data)
    families = [family] if family else []
    families += [f for f in _FAMILIES if f not in families]
    for fam in families:
        for codec in _FAMILIES[fam]:
            try:
                return Decoded(data.decode(codec), codec, problems)
            except UnicodeDecodeError:
                continue
    if family:
        # Mostly good legacy text with a few broken bytes: keep it, say so.
        codec = _FAMILIES[family][-1]
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(1, len(text) * MAX_REPLACED_SHARE):
            problems.append(f"{bad} undecodable byte sequence{'s' if bad != 1 else ''} replaced with U+FFFD ({codec})")
            return Decoded(text, codec, problems)
    raise ReadError(
        path, f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) nor Big5/GB18030"
    )


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head or bool(_BINARY.search(head))


def _detect_family(data: bytes) -> str | None:
    """Big5 or GB by charset-normalizer's reading of the bytes (it weighs which characters are plausible)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536], cp_isolation=["cp950", "big5hkscs", "gb18030"]).best()
    if best is None:
        return None
    return _FAMILY_OF_LABEL.get(best.encoding.replace("_", "-"), None)
