"""newsgrep's analysis (``analysis.analyze``, ``analysis.bigrams``) as Whoosh tokenizers.

The analysis itself knows nothing of Whoosh; these adapters feed its tokens to
Whoosh's fields. Whoosh pickles the schema, tokenizers included, into the
index's TOC: a tokenizer pickles without its segmenters, and an unpickled one
takes the process's (``use_segmenters``).
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from newsgrep.analysis import Segmenter, analyze, bigrams, fold_text

# Segmenters for tokenizers that Whoosh unpickles from an index's TOC (worker processes of a
# multi-process writer open the index themselves): set by whoever opened the index, inherited by fork.
_PROCESS_SEGMENTERS: tuple[Segmenter, Segmenter] | None = None


def use_segmenters(index_segmenter: Segmenter, query_segmenter: Segmenter) -> None:
    """Make these the segmenters of every ``NewsTokenizer`` unpickled in this process (and its forks)."""
    global _PROCESS_SEGMENTERS
    _PROCESS_SEGMENTERS = (index_segmenter, query_segmenter)


class NewsTokenizer(Tokenizer):
    """Whoosh tokenizer running ``analyze``; terms come out fully folded.

    Documents are cut by the index segmenter, queries (Whoosh passes
    ``mode="query"``) by the query segmenter; both give the same words. The
    tokenizer pickles without its segmenters, because Whoosh stores the schema
    in the index's TOC; an unpickled one takes the process's (``use_segmenters``).
    """

    def __init__(self, index_segmenter: Segmenter | None = None, query_segmenter: Segmenter | None = None) -> None:
        self.index_segmenter = index_segmenter
        self.query_segmenter = query_segmenter

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.index_segmenter, self.query_segmenter = _PROCESS_SEGMENTERS or (None, None)

    def __eq__(self, other):
        return isinstance(other, NewsTokenizer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        query = mode == "query"
        segmenter = self.query_segmenter if query else self.index_segmenter
        if segmenter is None:
            raise RuntimeError("NewsTokenizer used without segmenters (open the index through its engine)")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for item in analyze(value, segmenter, query=query):
            token.text = item.term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = item.original
            if positions:
                token.pos = start_pos + item.position
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token


class BigramTokenizer(Tokenizer):
    """Whoosh tokenizer for the ``grams`` field: ``bigrams`` of the folded text."""

    def __eq__(self, other):
        return isinstance(other, BigramTokenizer)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, start_pos: int = 0, mode: str = "", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, mode=mode, **kwargs)
        for gram, position in bigrams(fold_text(value).text):
            token.text = gram
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            yield token


def news_analyzer(index_segmenter: Segmenter, query_segmenter: Segmenter) -> NewsTokenizer:
    return NewsTokenizer(index_segmenter, query_segmenter)
