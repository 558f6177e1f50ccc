"""Stories: which articles are copies or near-copies of one another, decided from a short signature.

The same story reaches a corpus many times: a re-crawl with one changed line, the
publisher's ``*_cleaned`` twin, a wire story (中央社) run by several outlets with
their own footer, the same text under two URLs. Each article gets a *signature*
of its folded text; two articles are copies when the estimated resemblance of
their texts reaches ``THRESHOLD`` and their headlines share words
(``same_story``). Copies are grouped transitively into stories.

What is compared
    ``analysis.fold_text(title + "\\n" + text).text``: width, case and script
    folded, so a Traditional article and its Simplified copy compare equal.
    Everything but letters, digits and ideographs is dropped (punctuation,
    spaces and line breaks differ between copies), and the rest is cut into
    overlapping 5-character shingles. The resemblance of two texts is the
    Jaccard index of their shingle sets (shared shingles / all shingles).

The signature (``signature``)
    One-permutation MinHash. Every shingle is hashed once to 30 bits; the
    hash's low 7 bits choose one of 128 bins and each bin keeps its smallest
    hash. Only hashes under a *cut* are looked at (about 3.7 per bin, so a bin
    is empty below the cut 2.5% of the time); the cut is stored with the
    values. Two signatures are compared on the bins where the smaller of the
    two minima lies under the smaller of the two cuts: there, the minima are
    equal exactly when the smallest shingle of both texts together is in both,
    which happens with probability equal to the Jaccard index. So the share of
    equal bins is an unbiased estimate (standard error about 0.045 at 0.5)
    whatever the texts' lengths, with no "densification" of empty bins. A text
    under ``MIN_CHARS`` characters has too few shingles to estimate anything:
    its signature is a digest of the folded text, and it is a copy only of a
    text identical to it. The headline's character bigrams go in the
    signature too (``title_similarity``): pages whose scraped body is the
    site's shared boilerplate (a list of other stories) resemble each other
    completely, and only their headlines tell them apart.

Finding candidates (``band_keys``)
    Locality-sensitive hashing: the 128 bins are cut into ``BANDS`` bands of
    ``ROWS``; each band whose bins are (mostly) filled is one short key. Two
    texts with Jaccard index *s* share at least one key with probability about
    ``1 - (1 - s**ROWS)**BANDS`` (``candidate_probability``). An index stores
    the keys in an indexed keyword field, so "the articles that may be copies
    of this one" is one exact-term OR query; ``same_story`` then decides.

Story ids (``assign``, ``group``)
    A story is a connected group of the relation "copies" (an article joins
    every story it is a copy of, so one article can bridge two stories into
    one). Its id is the smallest article id in it (string order): a label that
    depends only on the group, not on the order articles arrived or on their
    dates, so an incremental ingest and a batch ``group`` of the same articles
    give the same ids. The price: when an article joins, or bridges, stories
    whose ids sort after its own, those articles are relabelled
    (``Assignment.relabel``). Which copy to *show* is ``representative``.

Everything here is pure and deterministic across processes, platforms and
versions: no ``hash()``, fixed constants, a version byte in every signature.
``SCHEME`` names the whole recipe; an index that stores signatures or band
keys should record it and rebuild when it changes.

Speed: the hashing avoids one Python object per shingle, which would cost more
than everything else. The text's UTF-16 code units are laid out in 128-bit
lanes of one big integer (five units side by side: an exact 80-bit shingle
key), a few big-integer operations hash every lane at once, hashes over the
cut are set to all-ones and dropped with one ``bytes.replace``, and only the
few hundred survivors become Python integers. Lanes never carry into each
other: every intermediate value fits its 128 bits.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import eq, gt, rshift

# ---------------------------------------------------------------------------
# The recipe. Changing any of these changes signatures: bump VERSION.

VERSION = 1
SHINGLE = 5  # characters (UTF-16 code units) per shingle
BINS = 128  # MinHash bins per signature; the bin is a hash's low 7 bits
ROWS = 3  # bins per LSH band
BANDS = BINS // ROWS  # band keys per article, at most (42: the last two bins are in no band)
PER_BIN = 3.7  # hashes under the cut per bin, on average (a bin is empty under it e**-3.7 = 2.5% of the time)
MIN_CHARS = 50  # shorter texts (letters, digits, ideographs) are copies only of identical texts
SCHEME = f"oph-minhash/v{VERSION}/shingle{SHINGLE}/bins{BINS}/rows{ROWS}/min{MIN_CHARS}"

# Measured on the shared corpora with bench/stories.py (bench/README.md has the table and the reasons):
# hand-checked independent reports and follow-ups reach a Jaccard index of 0.48, copies start at 0.54; without
# the headline gate, pages whose scraped body is the site's list of other stories all look like copies.
THRESHOLD = 0.5  # estimated Jaccard index of the texts' shingle sets
TITLE_THRESHOLD = 0.2  # share of the shorter headline's bigrams found in the other headline

_BIN_BITS = BINS.bit_length() - 1
# 30-bit hashes: integers under 2**30 are one internal digit in CPython, the cheapest to compare.
_HASH_BITS = 30
_ALL = 1 << _HASH_BITS  # "no cut": every hash is under it
_UNKNOWN = 0xFFFFFF  # a bin with no hash under the cut; stored values are hash >> 7, under 2**23
_M = 0x9E3779B97F4B  # odd, < 2**48: an 80-bit key times it fits a 128-bit lane
_LANE_BYTES = 16
_LANES_STEP = 256  # lane patterns are cached for lengths rounded up to this

_NOT_WORD = re.compile(r"[\W_]+")

_MINHASH, _EXACT = 0, 1
_HEADER = struct.Struct("<BBIB")  # version, mode, shingle count, headline bigram count
_LITTLE = sys.byteorder == "little"


def compact(folded: str) -> str:
    """The folded text reduced to what is compared: letters, digits and ideographs."""
    return _NOT_WORD.sub("", folded)


# ---------------------------------------------------------------------------
# Hashing every shingle at once


@lru_cache(maxsize=512)
def _lanes(count: int, value: int) -> int:
    """``value`` in each of ``count`` 128-bit lanes (about ten values per length step of 256 lanes)."""
    return int.from_bytes(value.to_bytes(_LANE_BYTES, "little") * count, "little")


def _shingle_keys(units: bytes, shingles: int) -> int:
    """Lane i holds code units i..i+4 of ``units`` (UTF-16-LE): the shingle itself, 80 bits."""
    buf = bytearray(_LANE_BYTES * shingles)
    span = 2 * shingles
    for j in range(2 * SHINGLE):
        buf[j::_LANE_BYTES] = units[j : j + span : 2]
    return int.from_bytes(buf, "little")


def _cut_for(shingles: int) -> int:
    """A cut with about ``PER_BIN`` hashes per bin under it: q * 2**c, q in 8..15 (so copies share it often)."""
    wanted = int(PER_BIN * BINS) << _HASH_BITS
    if shingles * _ALL <= wanted:
        return _ALL
    c = max(max(wanted // shingles, 1).bit_length() - 4, 0)
    q = -(-wanted // (shingles << c))  # ceil: at least the wanted number on average
    return min(q << c, _ALL)


def _hashes_under(units: bytes, shingles: int, cut: int) -> array:
    """The 30-bit hashes of the shingles that fall under ``cut``, in text order."""
    lanes = -(-shingles // _LANES_STEP) * _LANES_STEP
    p = _shingle_keys(units, shingles) * _M
    # Fold the product's high half into its low half, keep the top 30 bits of the low half.
    v = ((p ^ (p >> 64)) >> (64 - _HASH_BITS)) & _lanes(lanes, _ALL - 1)
    if cut < _ALL:
        c = cut.bit_length() - 4
        q = cut >> c
        # (v >> c) + 2**30 - q has bit 30 set exactly when v >= q * 2**c; spread that bit over the lane's
        # low 32 bits, so a hash over the cut reads 0xFFFFFFFF (no hash under it ends in a 0xFF byte).
        over = (((v >> c) + _lanes(lanes, _ALL - q)) >> _HASH_BITS) & _lanes(lanes, 1)
        v |= over * 0xFFFFFFFF
    raw = v.to_bytes(_LANE_BYTES * lanes, "little")
    end = _LANE_BYTES * shingles
    packed = bytearray(4 * shingles)
    for j in range(4):
        packed[j::4] = raw[j:end:_LANE_BYTES]
    kept = array("I")
    # Every run of four 0xFF bytes is a whole dropped lane: a kept lane's top byte is under 0x40.
    kept.frombytes(packed.replace(b"\xff\xff\xff\xff", b"") if cut < _ALL else packed)
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        kept.byteswap()
    return kept


def _bin_minima(units: bytes) -> tuple[list[int], int, int]:
    """Per bin the smallest hash under the cut, as its 23 high bits (``_UNKNOWN`` if none); the cut; the shingle count."""
    shingles = len(units) // 2 - SHINGLE + 1
    cut = _cut_for(shingles)
    mins = [_UNKNOWN << _BIN_BITS] * BINS  # over every hash, and reads _UNKNOWN once shifted
    for h in _hashes_under(units, shingles, cut):  # a plain loop beats sorting: ~470 hashes, no allocation
        b = h & (BINS - 1)
        if h < mins[b]:
            mins[b] = h
    return list(map(rshift, mins, repeat(_BIN_BITS))), _cut_value(cut), shingles


def _cut_value(cut: int) -> int:
    """The cut on the scale of stored values: a stored value is under it exactly when its hash is under ``cut``."""
    return cut >> _BIN_BITS


def _title_bigrams(title: str) -> list[int]:
    """16-bit hashes of the headline's bigrams of code units (sorted, distinct, at most 255)."""
    codes = array("H")
    codes.frombytes(title.encode("utf-16-le"))
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        codes.byteswap()
    grams = {((a | b << 16) * _M >> 24) & 0xFFFF for a, b in zip(codes, codes[1:])}
    return sorted(grams)[:255]


# ---------------------------------------------------------------------------
# Signatures


def signature(folded: str) -> str:
    """The signature of an article's folded text, ``analysis.fold_text(title + "\\n" + text).text``.

    An ASCII string of about 600 characters (a short text's, about 100): store
    it as it is. The headline is the part before the first line break.
    """
    title, _, _ = folded.partition("\n")
    units = compact(folded).encode("utf-16-le")
    grams = _title_bigrams(compact(title))
    title_part = struct.pack(f"<{len(grams)}H", *grams)
    if len(units) // 2 < MIN_CHARS:
        header = _HEADER.pack(VERSION, _EXACT, max(len(units) // 2 - SHINGLE + 1, 0), len(grams))
        body = hashlib.blake2b(units, digest_size=8).digest()
    else:
        values, cut, shingles = _bin_minima(units)
        header = _HEADER.pack(VERSION, _MINHASH, shingles, len(grams))
        body = _pack24([cut, *values])
    return base64.urlsafe_b64encode(header + title_part + body).decode("ascii").rstrip("=")


def _pack24(values: list[int]) -> bytes:
    """Each value (< 2**24) as three little-endian bytes."""
    words = array("I", values)
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        words.byteswap()
    raw = words.tobytes()
    out = bytearray(3 * len(values))
    for j in range(3):
        out[j::3] = raw[j::4]
    return bytes(out)


def _unpack24(data: bytes) -> array:
    raw = bytearray(len(data) // 3 * 4)
    for j in range(3):
        raw[j::4] = data[j::3]
    words = array("I")
    words.frombytes(raw)
    if not _LITTLE:  # pragma: no cover - big-endian hosts
        words.byteswap()
    return words


def article_signature(title: str, text: str) -> str:
    """``signature`` of ``fold_text(title + "\\n" + text).text``, for callers that have not folded the text."""
    from newsgrep.analysis import fold_text

    return signature(fold_text(title + "\n" + text).text)


@dataclass(frozen=True, slots=True)
class _Decoded:
    exact: bool
    size: int
    title: frozenset[int]
    cut: int
    values: array  # BINS stored minima (``_UNKNOWN`` where none), empty when exact
    digest: bytes  # the exact text's digest, or b""


def _decode(sig: str) -> _Decoded:
    try:
        packed = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        version, mode, size, n_title = _HEADER.unpack_from(packed)
        title = frozenset(struct.unpack_from(f"<{n_title}H", packed, _HEADER.size))
    except (ValueError, TypeError, struct.error):
        raise ValueError(f"not a story signature: {sig[:24]!r}") from None
    if version != VERSION:
        raise ValueError(f"a story signature of version {version}; this newsgrep reads version {VERSION}")
    body = packed[_HEADER.size + 2 * n_title :]
    if mode == _EXACT and len(body) == 8:
        return _Decoded(True, size, title, 0, array("I"), body)
    if mode != _MINHASH or len(body) != 3 * (BINS + 1):
        raise ValueError(f"not a story signature: mode {mode}, {len(body)} bytes of values")
    words = _unpack24(body)
    return _Decoded(False, size, title, words[0], words[1:], b"")


# Candidates recur while an ingest runs; 4,096 decoded signatures take about 3 MB.
_decode_cached = lru_cache(maxsize=4096)(_decode)


def band_keys(sig: str) -> list[str]:
    """The LSH keys of a signature; articles that share none are taken not to be copies.

    At most ``BANDS`` keys of 14 hex digits (band number, then the low 16 bits
    of the band's ``ROWS`` minima, four hex digits each; a band with fewer than
    two filled bins gives none), or one ``x`` + 16 hex digits for a short text. Store them in an
    indexed keyword field; the candidates for a new article are the articles
    holding any of its keys.
    """
    return _keys(_decode_cached(sig))


_BAND_NAMES = [f"{band:02x}" for band in range(BANDS)]


def _keys(d: _Decoded) -> list[str]:
    if d.exact:
        return ["x" + d.digest.hex()]
    # The low 16 bits of every value as four hex digits (high byte first), cut into bands. Indexes store
    # these keys: their spelling is part of the recipe (a change needs VERSION bumped).
    words = d.values.tobytes() if _LITTLE else _pack24(list(d.values))
    step = 4 if _LITTLE else 3
    low = bytearray(2 * BINS)
    low[0::2] = words[1::step]
    low[1::2] = words[0::step]
    hexed = low.hex()
    width = 4 * ROWS
    keys = [name + hexed[start : start + width] for name, start in zip(_BAND_NAMES, range(0, BANDS * width, width))]
    if _UNKNOWN not in d.values:
        return keys
    empty = bytes(map(eq, d.values, repeat(_UNKNOWN)))
    return [key for band, key in enumerate(keys) if sum(empty[band * ROWS : (band + 1) * ROWS]) <= ROWS - 2]


def _similarity(x: _Decoded, y: _Decoded) -> float:
    if x.exact or y.exact:
        return 1.0 if x.exact and y.exact and x.digest == y.digest else 0.0
    cut = min(x.cut, y.cut)
    compared = sum(map(gt, repeat(cut), map(min, x.values, y.values)))
    if not compared:
        return 0.0
    equal = sum(map(gt, repeat(cut), compress(x.values, map(eq, x.values, y.values))))
    return equal / compared


def _title_similarity(x: _Decoded, y: _Decoded) -> float:
    if not x.title or not y.title:
        return 1.0
    return len(x.title & y.title) / min(len(x.title), len(y.title))


def _same(x: _Decoded, y: _Decoded, threshold: float, title_threshold: float) -> bool:
    return _similarity(x, y) >= threshold and _title_similarity(x, y) >= title_threshold


def similarity(a: str, b: str) -> float:
    """The estimated Jaccard index of the two texts' shingle sets (short texts: 1.0 if identical, else 0.0)."""
    return _similarity(_decode_cached(a), _decode_cached(b))


def title_similarity(a: str, b: str) -> float:
    """The share of the shorter headline's bigrams found in the other headline (1.0 when either has none)."""
    return _title_similarity(_decode_cached(a), _decode_cached(b))


def same_story(a: str, b: str, threshold: float = THRESHOLD, title_threshold: float = TITLE_THRESHOLD) -> bool:
    """Whether two articles are copies of one story: similar texts, and headlines that share words."""
    return _same(_decode_cached(a), _decode_cached(b), threshold, title_threshold)


def size(sig: str) -> int:
    """How many shingles the text has: how complete a copy is."""
    return _decode_cached(sig).size


def candidate_probability(s: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """About how likely two texts with Jaccard index ``s`` share at least one band key."""
    return 1.0 - (1.0 - s**rows) ** bands


# ---------------------------------------------------------------------------
# Grouping


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored article: id, signature, story id, and date (only ``representative`` uses the date)."""

    id: str
    signature: str
    story: str
    date: dt.date | dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a new article goes.

    ``story`` is its story id. ``matches`` are the candidates it is a copy of,
    best first, with their similarity. ``relabel`` are the story ids whose
    articles now belong to ``story`` and must be stored with it: the stories it
    joined (or bridged) whose ids sort after ``story``.
    """

    story: str
    matches: tuple[tuple[str, float], ...] = ()
    relabel: tuple[str, ...] = ()


def assign(
    article_id: str,
    sig: str,
    candidates: Iterable[Candidate],
    *,
    threshold: float = THRESHOLD,
    title_threshold: float = TITLE_THRESHOLD,
) -> Assignment:
    """The story of a new article, given stored articles that share a band key with it.

    The article joins every story of a candidate it is a copy of; the story id
    is the smallest of its own id and those stories' ids. A candidate with the
    article's own id (its previous version) is passed over.
    """
    new = _decode_cached(sig)
    matches = []
    for c in candidates:
        if c.id == article_id:
            continue
        other = _decode_cached(c.signature)
        s = _similarity(new, other)
        if s >= threshold and _title_similarity(new, other) >= title_threshold:
            matches.append((s, c.id, c.story))
    if not matches:
        return Assignment(article_id)
    matches.sort(key=lambda m: (-m[0], m[1]))
    stories = {story for _, _, story in matches}
    story = min(stories | {article_id})
    return Assignment(story, tuple((i, s) for s, i, _ in matches), tuple(sorted(stories - {story})))


def group(
    items: Iterable[tuple[str, str]],
    *,
    threshold: float = THRESHOLD,
    title_threshold: float = TITLE_THRESHOLD,
) -> dict[str, str]:
    """Story ids for a whole collection of ``(id, signature)``: id -> the smallest id of its story.

    The same answer as ``assign`` called article by article, in any order:
    candidates are the pairs that share a band key, copies are joined with
    union-find. Ids must be distinct.
    """
    items = list(items)
    decoded = [_decode(sig) for _, sig in items]
    parent = {article_id: article_id for article_id, _ in items}
    if len(parent) != len(items):
        raise ValueError("group() needs distinct ids")

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    buckets: dict[str, list[int]] = {}
    for i, d in enumerate(decoded):
        for key in _keys(d):
            buckets.setdefault(key, []).append(i)
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if (i, j) in checked:
                    continue
                checked.add((i, j))
                root_i, root_j = find(items[i][0]), find(items[j][0])
                if root_i != root_j and _same(decoded[i], decoded[j], threshold, title_threshold):
                    low, high = sorted((root_i, root_j))
                    parent[high] = low
    return {article_id: find(article_id) for article_id in parent}


def representative(members: Sequence[Candidate]) -> Candidate:
    """The copy to show for a story: the earliest dated, then the most complete (most shingles), then the smallest id."""

    def key(c: Candidate):
        day = c.date.date() if isinstance(c.date, dt.datetime) else c.date
        return (day is None, day or dt.date.min, -size(c.signature), c.id)

    return min(members, key=key)
