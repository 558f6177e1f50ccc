"""Word segmentation: jieba's algorithm over the merged dictionary, by two engines that give the same words.

* ``IndexSegmenter`` — rjieba (jieba-rs: jieba's DAG + max-probability route +
  HMM, in Rust) loaded with the merged word list. About ten times the speed of
  pure-Python jieba; ingest and ``analyze`` use it. Loading 600,000 words costs
  about a second, paid once per process (worker processes inherit it by fork).
* ``QuerySegmenter`` — pure-Python jieba whose frequency table holds only the
  query's own substrings, read from the compact query dictionary
  (``query.sqlite``). jieba only ever looks up substrings of the text it cuts,
  so the answer is exactly what a full load would give, without the load:
  this is what keeps a cold ``newsgrep search`` fast.

Both engines' output goes through ``split_non_han``: a token without any Han
character is split into letter runs, number runs (``3.5``, ``20%`` kept whole)
and single other characters. That is where the two engines differ (jieba cuts
``6t`` in two, jieba-rs keeps ``10000.gov.tw`` whole), and search wants ``gov``
and ``tw`` as words anyway. Agreement is measured by ``bench/segmenters.py``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from newsgrep.dictionary import MergedDictionary

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NON_HAN_PIECES = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)*%?|\s+|.", re.S)
# Query substrings looked up per SQL statement (SQLite allows 999 parameters by default).
_LOOKUP_CHUNK = 900


def split_non_han(words: list[str]) -> list[str]:
    """The engines' words, with Han-free tokens split the one way both engines agree on."""
    out: list[str] = []
    for word in words:
        if len(word) == 1 or _HAN.search(word):
            out.append(word)
        else:
            out.extend(_NON_HAN_PIECES.findall(word))
    return out


def word_spans(words: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each word, the words being consecutive pieces of one text."""
    position = 0
    for word in words:
        end = position + len(word)
        yield position, end
        position = end


class IndexSegmenter:
    """rjieba over the merged dictionary; one load per process and dictionary."""

    _loaded: dict[str, object] = {}

    def __init__(self, dictionary: MergedDictionary) -> None:
        self.dictionary = dictionary
        self._loaded_engine = None

    def load(self) -> None:
        """Load the dictionary now (before forking workers, so they share it)."""
        self._engine()

    def _engine(self):
        if self._loaded_engine is not None:
            return self._loaded_engine
        key = str(self.dictionary.word_list.resolve())
        engine = self._loaded.get(key)
        if engine is None:
            import rjieba

            engine = rjieba.Jieba.empty()
            add_word = engine.add_word
            for line in self.dictionary.word_list.read_text(encoding="utf-8").splitlines():
                word, freq, tag = line.split(" ")
                if freq != "0":
                    add_word(word, int(freq), tag)
            self._loaded[key] = engine
        self._loaded_engine = engine
        return engine

    def cut(self, text: str) -> list[str]:
        return split_non_han(self._engine().cut(text, True))

    def is_word(self, word: str) -> bool:
        return self._engine().has_word(word)


def _import_jieba():
    """Import jieba without the 80 ms of ``pkg_resources`` it pulls in only to find its own data files.

    jieba falls back to plain ``open`` beside its module when ``pkg_resources``
    cannot be imported; a ``None`` entry in ``sys.modules`` makes it so.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    already = "pkg_resources" in sys.modules
    if not already:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if not already:
            del sys.modules["pkg_resources"]
    return jieba


class QuerySegmenter:
    """Pure-Python jieba fed, per text, only the dictionary entries for that text's substrings."""

    def __init__(self, dictionary: MergedDictionary) -> None:
        self.dictionary = dictionary
        self._db = None
        self._total = 0
        self._max_length = 1
        self._freq: dict[str, int] = {}

    def _connect(self):
        if self._db is None:
            import sqlite3

            self._db = sqlite3.connect(f"file:{self.dictionary.query_db}?mode=ro", uri=True)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            self._total, self._max_length = meta["total"], meta["max_length"]
        return self._db

    def _lookup(self, text: str) -> dict[str, int]:
        """Prefix-dict entries for every substring of ``text`` up to the longest word's length."""
        db = self._connect()
        wanted = {
            text[i:j]
            for i in range(len(text))
            for j in range(i + 1, min(len(text), i + self._max_length) + 1)
            if not text[i].isspace()
        }
        wanted -= self._freq.keys()
        pending = list(wanted)
        for start in range(0, len(pending), _LOOKUP_CHUNK):
            chunk = pending[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            self._freq.update(db.execute(f"SELECT word, freq FROM words WHERE word IN ({marks})", chunk))
        return self._freq

    def cut(self, text: str) -> list[str]:
        jieba = _import_jieba()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = self._lookup(text)
        tokenizer.total = self._total
        tokenizer.initialized = True
        return split_non_han(list(tokenizer.cut(text, HMM=True)))

    def is_word(self, word: str) -> bool:
        return bool(self._lookup(word).get(word))


def subword_spans(word: str, is_word) -> Iterator[tuple[int, int]]:
    """Dictionary words inside a long Han word, as jieba's search mode finds them (2- and 3-grams)."""
    if len(word) <= 2 or not all(_HAN.match(ch) for ch in word):
        return
    for n in (2, 3):
        if len(word) > n:
            for i in range(len(word) - n + 1):
                if is_word(word[i : i + n]):
                    yield i, i + n
