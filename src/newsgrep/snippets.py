"""Snippets: the best passage of an article for a query, with every match located in the original text.

Matching is done on the folded text (``analysis.fold_text``: width, case and
script folded, offsets kept), so a Simplified query highlights Traditional
text and the highlight always covers exactly the characters that matched —
never a neighbour. Patterns come from the parsed query (``search``), one per
query word or phrase.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from newsgrep.analysis import fold_text

SNIPPET_CHARS = 110
CONTEXT_BEFORE = 24
_SENTENCE_START = re.compile(r"(?<=[。！？!?\n])")


@dataclass(frozen=True, slots=True)
class Snippet:
    """Text to show and the (start, end) spans in it to highlight, sorted and non-overlapping."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, left: str = "[", right: str = "]") -> str:
        """The snippet with each highlight wrapped in markers (for plain output and tests)."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [self.text[last:start], left, self.text[start:end], right]
            last = end
        out.append(self.text[last:])
        return "".join(out)


def term_pattern(words: list[str]) -> re.Pattern[str]:
    """A regex over folded text for one query word, or a phrase of words with only punctuation or spaces between."""
    parts = []
    for word in words:
        escaped = re.escape(word)
        if word[:1].isascii() and word[:1].isalnum():
            escaped = r"(?<![a-z0-9])" + escaped
        if word[-1:].isascii() and word[-1:].isalnum():
            escaped += r"(?![a-z0-9])"
        parts.append(escaped)
    return re.compile(r"[\W_]*".join(parts))


def find_matches(text: str, patterns: list[re.Pattern[str]]) -> list[tuple[int, int, int]]:
    """(start, end, pattern number) of every match in the original ``text``, sorted by start."""
    if not patterns or not text:
        return []
    folded = fold_text(text)
    found = []
    for number, pattern in enumerate(patterns):
        for m in pattern.finditer(folded.text):
            if m.end() > m.start():
                start, end = folded.to_original(m.start(), m.end())
                found.append((start, end, number))
    found.sort()
    return found


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def highlight(text: str, patterns: list[re.Pattern[str]]) -> Snippet:
    """The whole text with its matches (used for titles)."""
    return Snippet(text, _merge([(s, e) for s, e, _ in find_matches(text, patterns)]))


def best_snippet(text: str, patterns: list[re.Pattern[str]], width: int = SNIPPET_CHARS) -> Snippet:
    """The window of about ``width`` characters holding the most distinct query words, then the most matches.

    A window starts a little before a match, at a sentence start when one is
    near; text outside it is marked with an ellipsis.
    """
    matches = find_matches(text, patterns)
    if not matches:
        return _window(text, 0, width, [])
    sentence_starts = [m.start() for m in _SENTENCE_START.finditer(text)]
    match_starts = [m[0] for m in matches]
    best: tuple[int, int, int] | None = None
    best_start = 0
    # Bisection, not scans: a long article can hold 100,000 matches (quadratic was minutes per hit).
    for anchor, _, _ in matches:
        start = max(0, anchor - CONTEXT_BEFORE)
        first = bisect_left(sentence_starts, start)
        if first < len(sentence_starts) and sentence_starts[first] <= anchor:
            start = sentence_starts[first]
        window = matches[bisect_left(match_starts, start):bisect_right(match_starts, start + width)]
        inside = [m for m in window if m[1] <= start + width]
        score = (len({m[2] for m in inside}), len(inside), -start)
        if best is None or score > best:
            best, best_start = score, start
    return _window(text, best_start, width, matches)


def _window(text: str, start: int, width: int, matches: list[tuple[int, int, int]]) -> Snippet:
    """``text[start:start+width]`` on one line: each run of whitespace (paragraph breaks) becomes one space."""
    end = min(len(text), start + width)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    pieces: list[str] = ["…"] if start > 0 else []
    # new_offset[i - start] = offset in the snippet of original character i
    new_offset: list[int] = []
    length = len(pieces)
    previous_space = False
    for ch in text[start:end]:
        space = ch.isspace()
        if not (space and previous_space):
            pieces.append(" " if space else ch)
            length += 1
        new_offset.append(length - 1)
        previous_space = space
    new_offset.append(length)
    if end < len(text):
        pieces.append("…")
    spans = [
        (new_offset[s - start], new_offset[e - 1 - start] + 1) for s, e, _ in matches if s >= start and e <= end
    ]
    return Snippet("".join(pieces), _merge(spans))
