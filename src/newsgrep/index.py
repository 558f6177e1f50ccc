"""The index: Whoosh schema, opening and creating, writing, and reading stored articles back.

One index is one folder (default ``data/index``) holding Whoosh's files, the
merged dictionary it was built with (``dictionary/merged-<fingerprint>/``) and
``newsgrep.json``, which records the schema version, the analyzer version and
the dictionary fingerprint. An index whose record does not match this code is
refused with a clear message instead of answering wrongly; a changed user
dictionary is noticed at ingest and asks for ``--rebuild``.

Every write goes through ``NewsIndex.writer()``, a context manager that commits
on success and cancels on any exception, so a writer is never left holding the
lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

from whoosh.formats import Positions

from newsgrep.dictionary import MergedDictionary, ensure_dictionary
from newsgrep.errors import IndexMissing, IndexOutdated, NewsgrepError, UnknownArticle
from newsgrep.record import Article

# Bump when the fields or their meaning change; older indexes must be rebuilt.
SCHEMA_VERSION = 5
# Bump when the analysis pipeline changes in a way that changes terms.
ANALYZER_VERSION = 2
META_FILE = "newsgrep.json"
# Tries of a read that a concurrent commit pulled segment files from under (see NewsIndex.read).
READ_ATTEMPTS = 3
T = TypeVar("T")
DICTIONARY_FOLDER = "dictionary"
DEFAULT_INDEX = Path("data") / "index"


def default_index_path() -> Path:
    """``$NEWSGREP_INDEX`` if set, else ``data/index`` under the current directory."""
    env = os.environ.get("NEWSGREP_INDEX")
    return Path(env) if env else DEFAULT_INDEX


class CompactPositions(Positions):
    """Whoosh's Positions format with packed deltas instead of a pickled list.

    ~3 bytes for a one-position posting instead of Whoosh's ~12 (a length word
    plus a pickled list); bigram postings are most of the index, so this is
    most of its size. Deltas are native 2-byte or 4-byte unsigned integers.
    """

    def encode(self, poslist):
        deltas = [b - a for a, b in zip([0, *poslist], poslist)]
        code = "H" if max(deltas) < 65536 else "I"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring):
        return list(accumulate(array(chr(valuestring[0]), valuestring[1:])))

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[0] == ord("H") else 4)


def build_schema(index_segmenter, query_segmenter):
    """The fields. ``title`` and ``body`` share the one analyzer; the full record is stored compressed."""
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

    from newsgrep.analysis import BigramTokenizer, news_analyzer

    analyzer = news_analyzer(index_segmenter, query_segmenter)
    schema = Schema(
        # "article", or "source" for a file whose articles all merged into other files' records.
        kind=ID(stored=True, sortable=True),
        id=ID(stored=True, unique=True, sortable=True),
        path=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        # A query word that segments into several words must match them adjacent, not anywhere.
        title=TEXT(analyzer=analyzer, stored=True, phrase=True, multitoken_query="phrase"),
        body=TEXT(analyzer=analyzer, stored=False, phrase=True, multitoken_query="phrase"),
        # Ideograph bigrams of title and body, positions in characters: exact substring matching.
        grams=TEXT(analyzer=BigramTokenizer(), stored=False, phrase=True),
        content_hash=ID(stored=True, sortable=True),
        text_hash=ID(stored=False, sortable=True),
        # "size:mtime_ns:sha256" of the source file, for incremental ingest.
        source_sig=ID(stored=True, sortable=True),
        # The whole Article as zlib-compressed JSON: what `show` prints and what snippets are cut from.
        record=STORED(),
    )
    for name in ("title", "body", "grams"):
        schema[name].format = CompactPositions(field_boost=schema[name].format.field_boost)
    return schema


def read_meta(path: Path) -> dict | None:
    """The index's ``newsgrep.json``, or None when there is no index at ``path``."""
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise IndexOutdated(f"{path / META_FILE}: unreadable ({e}); rebuild with: newsgrep ingest --rebuild DIR") from None


def _check_meta(path: Path, meta: dict) -> MergedDictionary:
    """The dictionary the index was built with, if this code can use the index at all."""
    rebuild = "rebuild it with: newsgrep ingest --rebuild DIR"
    if meta.get("schema_version") != SCHEMA_VERSION or meta.get("analyzer_version") != ANALYZER_VERSION:
        raise IndexOutdated(
            f"index at {path} was built by another newsgrep (schema {meta.get('schema_version')}, analyzer "
            f"{meta.get('analyzer_version')}; this one uses schema {SCHEMA_VERSION}, analyzer {ANALYZER_VERSION}); {rebuild}"
        )
    fingerprint = str(meta.get("dictionary", ""))
    dictionary = MergedDictionary(path / DICTIONARY_FOLDER / f"merged-{fingerprint}", fingerprint)
    if not (dictionary.word_list.is_file() and dictionary.query_db.is_file()):
        raise IndexOutdated(f"index at {path} is missing its dictionary ({dictionary.folder}); {rebuild}")
    return dictionary


def dictionary_for(path: Path) -> MergedDictionary:
    """The dictionary of the index at ``path``, or (no index yet) the default one built under it."""
    meta = read_meta(Path(path))
    if meta is None:
        return ensure_dictionary(Path(path) / DICTIONARY_FOLDER)
    return _check_meta(Path(path), meta)


def encode_record(article: Article) -> bytes:
    return zlib.compress(article.to_json().encode("utf-8"), 6)


def decode_record(blob: bytes) -> Article:
    return Article.from_json(zlib.decompress(blob).decode("utf-8"))


def index_datetime(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """Whoosh's DATETIME field wants naive datetimes; aware ones are stored in UTC."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    return dt.datetime(value.year, value.month, value.day)


@dataclass
class StoredFile:
    """What the index knows of one source file: its signature and the ids of its articles."""

    signature: str
    ids: list[str] = field(default_factory=list)


@dataclass
class Inventory:
    """What ingest needs to know of the stored index, read from columns (no record decoding)."""

    files: dict[str, StoredFile] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # article id -> path of the file that wrote it
    # Filled by NewsIndex.add_hashes, only when ingest has something to write:
    hash_of: dict[str, str] = field(default_factory=dict)  # article id -> content hash
    text_hash_of: dict[str, str] = field(default_factory=dict)  # article id -> hash of its words


class NewsIndex:
    """An opened index folder."""

    def __init__(self, path: Path, dictionary: MergedDictionary) -> None:
        from newsgrep.analysis import use_segmenters
        from newsgrep.segmentation import IndexSegmenter, QuerySegmenter

        self.path = Path(path)
        self.dictionary = dictionary
        self.index_segmenter = IndexSegmenter(dictionary)
        self.query_segmenter = QuerySegmenter(dictionary)
        use_segmenters(self.index_segmenter, self.query_segmenter)
        self.schema = build_schema(self.index_segmenter, self.query_segmenter)
        self._ix = None
        self._searcher = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> NewsIndex:
        """Open an existing index; IndexMissing or IndexOutdated when it cannot be used."""
        path = Path(path)
        meta = read_meta(path)
        if meta is None:
            raise IndexMissing(str(path))
        return cls(path, _check_meta(path, meta))

    @classmethod
    def open_or_create(cls, path: Path, user_words: tuple[tuple[str, int], ...] = ()) -> NewsIndex:
        """Open the index at ``path`` for writing, creating it if needed.

        ``user_words`` must be those the index was built with; a difference means
        the dictionary changed, and old and new terms must not be mixed.
        """
        path = Path(path)
        meta = read_meta(path)
        wanted = ensure_dictionary(path / DICTIONARY_FOLDER, user_words)
        if meta is None:
            index = cls(path, wanted)
            index._create()
            return index
        dictionary = _check_meta(path, meta)
        if dictionary.fingerprint != wanted.fingerprint:
            raise IndexOutdated(
                f"index at {path} was built with another dictionary (dict-{dictionary.fingerprint}, "
                f"now dict-{wanted.fingerprint}: user dictionary or word lists changed); "
                "rebuild it with: newsgrep ingest --rebuild DIR"
            )
        return cls(path, dictionary)

    def _create(self) -> None:
        from whoosh.index import create_in

        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = create_in(str(self.path), self.schema)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "analyzer_version": ANALYZER_VERSION,
            "dictionary": self.dictionary.fingerprint,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        tmp = self.path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / META_FILE)

    @property
    def whoosh(self):
        if self._ix is None:
            from whoosh.index import open_dir

            self._ix = open_dir(str(self.path), schema=self.schema)
        return self._ix

    # -- reading -----------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator:
        """The index's searcher, kept open between calls and replaced when another process has committed since.

        Prefer ``read``: a searcher opens segment files lazily, and a concurrent
        commit may merge a segment away in between.
        """
        if self._searcher is None:
            self._searcher = self.whoosh.searcher()
        elif not self._searcher.up_to_date():
            # A fresh searcher, not ``refresh()``: refreshed searchers share segment readers with the
            # stale one, so closing the stale one would close readers still in use.
            stale, self._searcher = self._searcher, self.whoosh.searcher()
            stale.close()
        yield self._searcher

    def read(self, work: Callable[[Any], T]) -> T:
        """``work(searcher)``, retried on a fresh searcher when a concurrent commit removed files under it.

        Readers never block writers: a reader holds the segment list of the last
        commit, and a writer's merge may delete a segment whose column files the
        reader had not opened yet. That shows up as an error from inside Whoosh
        while the index is no longer the one the searcher saw; the answer is to
        look again.
        """
        for attempt in range(READ_ATTEMPTS):
            with self.searcher() as s:
                try:
                    return work(s)
                except NewsgrepError:
                    raise
                except Exception:
                    if attempt == READ_ATTEMPTS - 1 or s.up_to_date():
                        raise
        raise AssertionError("unreachable")

    def inventory(self) -> Inventory:
        """Files and id owners, read from Whoosh's columns (hashes: ``add_hashes``)."""
        return self.read(self._inventory)

    @staticmethod
    def _inventory(s) -> Inventory:
        inventory = Inventory()
        reader = s.reader()
        if reader.doc_count() == 0:
            return inventory
        # Whole columns at once (one Python call per value is the cost that matters at 100,000 articles).
        # A "source" document has no id: the empty id tells it apart without reading the kind column.
        columns = [list(reader.column_reader(name)) for name in ("path", "source_sig", "id")]
        live = set(reader.all_doc_ids()) if reader.has_deletions() else None
        for docnum, (path, sig, article_id) in enumerate(zip(*columns)):
            if live is not None and docnum not in live:
                continue
            stored = inventory.files.setdefault(path, StoredFile(sig))
            if article_id:
                stored.ids.append(article_id)
                inventory.owner[article_id] = path
        return inventory

    def add_hashes(self, inventory: Inventory) -> None:
        """Fill in the content and text hashes of every article (ingest needs them only when something changed)."""

        def read_hashes(s) -> None:
            reader = s.reader()
            if reader.doc_count() == 0:
                return
            columns = [list(reader.column_reader(name)) for name in ("kind", "id", "content_hash", "text_hash")]
            live = set(reader.all_doc_ids()) if reader.has_deletions() else None
            for docnum, (kind, article_id, content_hash, text_hash) in enumerate(zip(*columns)):
                if kind == "article" and (live is None or docnum in live):
                    inventory.hash_of[article_id] = content_hash
                    inventory.text_hash_of[article_id] = text_hash

        self.read(read_hashes)

    def get(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with it."""
        from whoosh.query import Prefix

        if not id_or_prefix:
            raise UnknownArticle("empty article id")

        def find(s) -> Article:
            exact = s.document(id=id_or_prefix)
            if exact is not None:
                return decode_record(exact["record"])
            found = [hit for hit in s.search(Prefix("id", id_or_prefix), limit=6)]
            if not found:
                raise UnknownArticle(f"no article with id {id_or_prefix!r}")
            if len(found) > 1:
                shown = ", ".join(sorted(h["id"] for h in found[:5]))
                more = " …" if len(found) > 5 else ""
                raise UnknownArticle(f"id prefix {id_or_prefix!r} is ambiguous: {shown}{more}")
            return decode_record(found[0]["record"])

        return self.read(find)

    # -- writing -----------------------------------------------------------

    @contextmanager
    def writer(self, procs: int = 1) -> Iterator[IndexWriter]:
        """A writer that commits when the block ends and cancels if it raises.

        With ``procs > 1`` documents are analysed and written by that many
        forked processes, each producing its own segment (Whoosh's
        multi-segment writer); they inherit the loaded segmenter.
        """
        # Segments as separate files, not one compound file: whoosh3 opens a compound member by
        # copying it into a BytesIO (0.2 s per query on a 300 MB index); plain files are read in place.
        if procs > 1:
            self.index_segmenter.load()
            w = self.whoosh.writer(procs=procs, multisegment=True, batchsize=64, compound=False)
        else:
            w = self.whoosh.writer(compound=False)
        writer = IndexWriter(w)
        try:
            yield writer
        except BaseException:
            w.cancel()
            raise
        else:
            if writer.changed:
                w.commit()
            else:  # nothing to write: leave the index files untouched
                w.cancel()


class IndexWriter:
    """Adds and removes articles; the only code that knows how an Article maps onto fields."""

    def __init__(self, whoosh_writer) -> None:
        self._w = whoosh_writer
        self.changed = False

    def add(self, article: Article, source_sig: str) -> None:
        fields = {
            "kind": "article",
            "id": article.id,
            "path": article.source_path,
            "title": article.title,
            "body": article.text,
            "grams": article.title + "\n" + article.text,
            "content_hash": article.content_hash,
            "text_hash": article.text_hash,
            "source_sig": source_sig,
            "record": encode_record(article),
        }
        when = index_datetime(article.date)
        if when is not None:
            fields["date"] = when
        self._w.update_document(**fields)
        self.changed = True

    def add_source(self, path: str, source_sig: str) -> None:
        """Remember a file that holds no record of its own (all its articles merged), so re-runs skip it."""
        self._w.add_document(kind="source", path=path, source_sig=source_sig)
        self.changed = True

    def delete_path(self, path: str) -> None:
        self._w.delete_by_term("path", path)
        self.changed = True
