"""Text analysis: the one pipeline that turns text into index terms, for documents and queries alike.

    original text ──char fold──▶ normalised text ──jieba──▶ words ──t2s──▶ terms
    (kept for display)  NFKC + lower-case, 1 map      merged dict    OpenCC, per word

* **Char fold**: each character is NFKC-normalised (full-width Latin and digits
  become half-width, compatibility ideographs become unified ones) and
  lower-cased. A character may expand (``…`` -> ``...``), so an offset map is
  kept and every token's ``startchar``/``endchar`` index the *original* text.
* **Segmentation**: jieba's algorithm with the merged Simplified + Taiwan
  dictionary (``newsgrep.dictionary``), run on the normalised text in its own
  script.
* **Script fold**: each word is converted to Simplified with OpenCC ``t2s``, so
  ``台灣`` and ``台湾`` are one term. Display and highlighting use the original.
* **Positions count words** (Whoosh convention, unlike jieba's own
  ``ChineseAnalyzer`` which stores character offsets as positions and so breaks
  phrase queries). At index time a long word also yields its dictionary
  sub-words (``習近平`` -> ``习近``, ``近平``) at the *same* position; queries
  (Whoosh passes ``mode="query"``) get whole words only, so ``"習近平強調"`` is
  the phrase ``习近平 强调`` and ``賴清德`` stays one term.

``fold(s)`` is the composition of the char fold and the script fold: for every
token, ``fold(original[startchar:endchar]) == token.text``.

**Character bigrams** (``bigrams``, the ``grams`` field): segmentation cannot
promise grep-complete recall (``軍售`` inside ``軍售案``, ``台北市`` cut as
``台北|市議員``), so every run of ideographs of the folded text is also
indexed as overlapping bigrams with character positions, as Lucene's
CJKAnalyzer does. A phrase of bigrams at consecutive positions is exactly a
substring of the folded text: that is the recall backbone of a search, while
word matches carry the ranking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from newsgrep.segmentation import subword_spans, word_spans

# Bump when the analysis pipeline changes in a way that changes terms (every engine's index must be rebuilt).
ANALYZER_VERSION = 2

# ---------------------------------------------------------------------------
# Character fold: NFKC + lower-case, with a map back to the original offsets.

# char -> its fold, only for characters the fold changes; filled lazily.
_CHAR_FOLD: dict[str, str] = {}
# characters already classified (changed or not)
_CHAR_SEEN: set[str] = set()
# characters whose fold is not exactly one character (…, ㎡, ½, İ)
_CHAR_EXPANDS: set[str] = set()
_TRANSLATE: dict[int, str] = {}


def _classify(chars: set[str]) -> None:
    for ch in chars - _CHAR_SEEN:
        folded = unicodedata.normalize("NFKC", ch).lower()
        if folded != ch:
            _CHAR_FOLD[ch] = folded
            if len(folded) == 1:
                _TRANSLATE[ord(ch)] = folded
            else:
                _CHAR_EXPANDS.add(ch)
        _CHAR_SEEN.add(ch)


@dataclass(frozen=True, slots=True)
class Folded:
    """Normalised text plus, when lengths differ, where each of its characters came from."""

    text: str
    # origin[i] = index in the original of normalised char i; None means "same index".
    origin: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span to the smallest original span covering it."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def char_fold(text: str) -> Folded:
    """NFKC + lower-case per character, remembering offsets when a character expands."""
    chars = set(text)
    _classify(chars)
    if chars.isdisjoint(_CHAR_EXPANDS):
        return Folded(text.translate(_TRANSLATE))
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _CHAR_FOLD.get(ch, ch)
        pieces.append(folded)
        origin.extend([i] * len(folded))
    return Folded("".join(pieces), tuple(origin))


# ---------------------------------------------------------------------------
# Script fold: Traditional -> Simplified, one word at a time.

_t2s_converter = None
_T2S_CACHE: dict[str, str] = {}
_T2S_CACHE_LIMIT = 500_000


def _t2s(text: str) -> str:
    global _t2s_converter
    if _t2s_converter is None:
        import opencc

        _t2s_converter = opencc.OpenCC("t2s")
    return _t2s_converter.convert(text)


def to_simplified(word: str) -> str:
    """OpenCC t2s of one word (cached: news vocabularies repeat)."""
    cached = _T2S_CACHE.get(word)
    if cached is None:
        cached = word if word.isascii() else _t2s(word)
        if len(_T2S_CACHE) >= _T2S_CACHE_LIMIT:
            _T2S_CACHE.clear()
        _T2S_CACHE[word] = cached
    return cached


def fold(text: str) -> str:
    """The term a piece of original text becomes: char fold, then script fold."""
    return to_simplified(char_fold(text).text)


def fold_text(text: str) -> Folded:
    """Fold a whole text for substring matching (snippets): ``fold`` applied to all of it at once.

    OpenCC converts phrase by phrase and keeps lengths in practice; a line whose
    length would change is converted a character at a time instead, so the
    offset map stays exact.
    """
    folded = char_fold(text)
    lines = []
    for line in folded.text.split("\n"):
        converted = _t2s(line) if not line.isascii() else line
        if len(converted) != len(line):
            converted = "".join(c if len(c) == 1 else ch for ch in line for c in [to_simplified(ch)])
        lines.append(converted)
    return Folded("\n".join(lines), folded.origin)


def is_searchable(word: str) -> bool:
    """Words with at least one letter, digit or ideograph; punctuation and spaces are not indexed."""
    return any(ch.isalnum() for ch in word)


# ---------------------------------------------------------------------------
# The analyzer: what Whoosh calls for every field value and every query word.


@dataclass(frozen=True, slots=True)
class AnalyzedToken:
    """One token as ``newsgrep analyze`` shows it."""

    term: str
    position: int
    start: int
    end: int
    original: str
    subword: bool


class Segmenter(Protocol):
    """What analysis needs from a segmentation engine (see ``newsgrep.segmentation``)."""

    def cut(self, text: str) -> list[str]: ...

    def is_word(self, word: str) -> bool: ...


def analyze(text: str, segmenter: Segmenter, *, query: bool = False) -> Iterator[AnalyzedToken]:
    """Every index term of ``text`` with its word position and original character span.

    This is the analysis itself; ``NewsTokenizer`` only adapts it to Whoosh.
    """
    folded = char_fold(text)
    norm = folded.text

    def token(start: int, end: int, position: int, subword: bool) -> AnalyzedToken:
        o_start, o_end = folded.to_original(start, end)
        original = text[o_start:o_end]
        # Where a character expanded, fold the whole original span so the term always equals fold(original).
        normalized = norm[start:end] if folded.origin is None else char_fold(original).text
        return AnalyzedToken(to_simplified(normalized), position, o_start, o_end, original, subword)

    position = 0
    for start, end in word_spans(segmenter.cut(norm)):
        word = norm[start:end]
        if not is_searchable(word):
            continue
        yield token(start, end, position, False)
        if not query:
            for s, e in subword_spans(word, segmenter.is_word):
                yield token(start + s, start + e, position, True)
        position += 1


def words(text: str, segmenter: Segmenter) -> list[str]:
    """The segmentation of ``text`` in its original script, one entry per word, spaces dropped.

    This is what ``newsgrep analyze`` prints per line of standard input, the
    format SIGHAN's scorer reads. Words that fall inside one original character
    (``℃`` folds to ``°c``) are merged, so the words always concatenate to the text.
    """
    folded = char_fold(text)
    spans: list[list[int]] = []
    for start, end in word_spans(segmenter.cut(folded.text)):
        o_start, o_end = folded.to_original(start, end)
        if spans and o_start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], o_end)
        else:
            spans.append([o_start, o_end])
    return [text[a:b] for a, b in spans if not text[a:b].isspace()]


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def bigrams(text: str) -> Iterator[tuple[str, int]]:
    """(bigram, position) for every ideograph run of the *folded* ``text``; a lone ideograph is its own gram.

    Positions are character offsets, so consecutive bigrams of a substring sit at consecutive positions.
    """
    for m in _HAN_RUN.finditer(text):
        run, start = m.group(), m.start()
        if len(run) == 1:
            yield run, start
        for i in range(len(run) - 1):
            yield run[i : i + 2], start + i


def is_han(text: str) -> bool:
    return _HAN_RUN.fullmatch(text) is not None
