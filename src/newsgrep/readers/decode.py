"""Bytes to text: UTF-8 first, then the Big5 and GB families, trusting the bytes over any label.

Chinese news files come as UTF-8 (with or without a BOM), Big5 (often really
CP950 or Big5-HKSCS) and GB2312/GBK (decoded as their superset GB18030), now
and then UTF-16 or UTF-32 with a byte-order mark. Pages lie about their charset:
a page that declares Big5 but is valid UTF-8 is UTF-8. A declared label only
breaks ties between legacy encodings; without one, charset-normalizer picks the
family. Junk that scrapers leave is survived and reported: NUL padding before
the text is skipped, and a few invalid bytes in an otherwise good legacy file
become U+FFFD with a problem line, not a failure.

Files glued together from several sources mix encodings line by line (Big5
lines, then GB2312 lines). Big5 and GBK accept almost any of each other's
bytes, so decoding the whole file one way gives silent mojibake. Each line that
is not valid UTF-8 is therefore also judged on its own: both standards put their
frequently used characters in one block (Big5 A440–C67E, GB2312 level 1
B0A1–D7F9, plus each one's punctuation rows), and a line of real text in one
encoding lands almost entirely in that encoding's block, while the other
reading scatters over rarely used characters. When lines clearly disagree,
every line is decoded as its own and a problem line says how many were the
other encoding.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
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
# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one, and the UTF-32 BE
# mark begins with two NULs (which must not be skipped as padding first).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_NAMES = {"utf-8": "UTF-8", "big5": "Big5", "gb": "GB18030"}
# A line is judged only with this many double-byte characters, and only when one reading puts this much
# larger a share of them in its frequently-used block than the other reading does.
MIN_PAIRS = 4
MIN_MARGIN = 0.3
_BIG5_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\xa1-\xfe]")
_GB_PAIR = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x40-\x7e\x80-\xfe]")

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
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec).removeprefix("\ufeff")
            except UnicodeDecodeError:
                break
            if not text.strip():
                raise ReadError(path, "empty file")
            return Decoded(text, codec, problems)
    stripped = data.lstrip(b"\x00")
    if data and not stripped:
        raise ReadError(path, f"only NUL bytes ({len(data)})")
    if len(stripped) != len(data) and stripped.strip() and not _looks_binary(stripped):
        problems.append(f"skipped {len(data) - len(stripped)} NUL bytes at start")
        data = stripped
    if not data.strip():
        raise ReadError(path, "empty file")
    nul = data.find(b"\x00")
    if nul != -1 or _looks_binary(data):
        offset = nul if nul != -1 else _BINARY.search(data).start()
        raise ReadError(path, f"binary file ({'NUL byte' if nul != -1 else 'control byte'} at offset {offset})")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", problems)
    except UnicodeDecodeError as e:
        utf8_error = e
    family = _FAMILY_OF_LABEL.get(declared_charset(data) or "") or _detect_family(data)
    mixed = _decode_mixed(data, family, problems)
    if mixed is not None:
        return mixed
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


def line_family(line: bytes) -> str | None:
    """``utf-8``, ``big5`` or ``gb`` when a line's bytes clearly say which, else None (ASCII, short, unsure)."""
    if line.isascii():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8" if len(text) <= len(line) - 4 else None  # at least two multi-byte characters
    big5_pairs = _BIG5_PAIR.findall(line)
    gb_pairs = _GB_PAIR.findall(line)
    if max(len(big5_pairs), len(gb_pairs)) < MIN_PAIRS:
        return None
    big5 = _share(big5_pairs, _big5_common) if _decodes(line, "big5") else -1.0
    gb = _share(gb_pairs, _gb_common) if _decodes(line, "gb") else -1.0
    if big5 - gb >= MIN_MARGIN:
        return "big5"
    if gb - big5 >= MIN_MARGIN:
        return "gb"
    return None


def _big5_common(pair: bytes) -> bool:
    return 0xA140 <= (pair[0] << 8 | pair[1]) <= 0xC67E  # punctuation rows and the 5,401 常用字


def _gb_common(pair: bytes) -> bool:
    return len(pair) == 2 and pair[1] >= 0xA1 and (0xA1 <= pair[0] <= 0xA3 or 0xB0 <= pair[0] <= 0xD7)


def _share(pairs: list[bytes], common) -> float:
    return sum(1 for p in pairs if common(p)) / len(pairs) if pairs else 0.0


def _decodes(line: bytes, family: str) -> bool:
    for codec in _FAMILIES[family]:
        try:
            line.decode(codec)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _decode_mixed(data: bytes, family: str | None, problems: list[str]) -> Decoded | None:
    """Each line in its own encoding when lines clearly disagree (see the module docstring); else None."""
    lines = data.splitlines(keepends=True)  # Big5 and GB bytes never contain CR or LF
    families = [line_family(line) for line in lines]
    votes = Counter(f for f in families if f)
    if len(votes) < 2:
        return None
    main = max(votes, key=lambda f: (votes[f], f == family))
    parts: list[str] = []
    codecs_used: list[str] = []
    replaced = 0
    undecided = [f for f, _ in votes.most_common()]
    for line, own in zip(lines, families):
        text, codec = None, ""
        for candidate in [own] if own else undecided:  # an unsure line: the commonest encoding that fits
            text, codec = _decode_line(line, candidate)
            if text is not None:
                break
        if text is None:
            codec = "utf-8" if (own or main) == "utf-8" else _FAMILIES[own or main][-1]
            text = line.decode(codec, errors="replace")
            replaced += text.count("\ufffd")
        parts.append(text)
        if codec not in codecs_used and line.strip() and not line.isascii():
            codecs_used.append(codec)
    text = "".join(parts)
    if replaced > max(1, len(text) * MAX_REPLACED_SHARE):
        return None
    others = ", ".join(f"{n} line{'s' if n != 1 else ''} {_NAMES[f]}" for f, n in votes.most_common() if f != main)
    main_name = _NAMES[main] + (f" ({_FAMILIES[main][0]})" if main == "big5" else "")
    problems.append(f"mixed encodings: {others} in a {main_name} file; each line decoded as its own")
    if replaced:
        problems.append(f"{replaced} undecodable byte sequence{'s' if replaced != 1 else ''} replaced with U+FFFD")
    return Decoded(text, "+".join(codecs_used), problems)


def _decode_line(line: bytes, family: str) -> tuple[str | None, str]:
    for codec in ("utf-8",) if family == "utf-8" else _FAMILIES[family]:
        try:
            return line.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None, ""


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
