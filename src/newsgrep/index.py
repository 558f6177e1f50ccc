"""The index: Whoosh schema, opening and creating, writing, and reading stored articles back.

One index is one folder (default ``data/index``) holding Whoosh's files, the
merged dictionary it was built with (``dictionary/``) and ``newsgrep.json``,
which records the schema version and the analyzer fingerprint. An index whose
record does not match this code is refused with a clear message instead of
answering wrongly.

Every write goes through ``NewsIndex.writer()``, a context manager that commits
on success and cancels on any exception, so a writer is never left holding the
lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newsgrep.errors import IndexMissing, IndexOutdated, UnknownArticle
from newsgrep.record import Article

# Bump when the fields or their meaning change; older indexes must be rebuilt.
SCHEMA_VERSION = 1
# Bump when the analysis pipeline changes in a way that changes terms.
ANALYZER_VERSION = 1
META_FILE = "newsgrep.json"
DICTIONARY_FOLDER = "dictionary"
DEFAULT_INDEX = Path("data") / "index"


def default_index_path() -> Path:
    """``$NEWSGREP_INDEX`` if set, else ``data/index`` under the current directory."""
    env = os.environ.get("NEWSGREP_INDEX")
    return Path(env) if env else DEFAULT_INDEX


def build_schema(segmenter):
    """The fields. ``title`` and ``body`` share the one analyzer; the full record is stored compressed."""
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

    from newsgrep.analysis import news_analyzer

    analyzer = news_analyzer(segmenter)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=analyzer, stored=False, phrase=True),
        content_hash=ID(stored=True),
        # "size:mtime_ns:sha256" of the source file, for incremental ingest.
        source_sig=ID(stored=True, sortable=True),
        # The whole Article as zlib-compressed JSON: what `show` prints and what snippets are cut from.
        record=STORED(),
    )


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


class NewsIndex:
    """An opened index folder."""

    def __init__(self, path: Path) -> None:
        from newsgrep.analysis import Segmenter

        self.path = Path(path)
        self.segmenter = Segmenter(self.path / DICTIONARY_FOLDER)
        self.schema = build_schema(self.segmenter)
        self._ix = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> NewsIndex:
        """Open an existing index; IndexMissing or IndexOutdated when it cannot be used."""
        index = cls(path)
        meta = index.read_meta()
        if meta is None:
            raise IndexMissing(str(path))
        index._check_meta(meta)
        return index

    @classmethod
    def open_or_create(cls, path: Path) -> NewsIndex:
        index = cls(path)
        meta = index.read_meta()
        if meta is None:
            index._create()
        else:
            index._check_meta(meta)
        return index

    def read_meta(self) -> dict | None:
        try:
            return json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise IndexOutdated(f"{self.path / META_FILE}: unreadable ({e}); rebuild with: newsgrep ingest --rebuild DIR") from None

    def analyzer_fingerprint(self) -> str:
        from newsgrep.dictionary import ensure_dictionary

        built = ensure_dictionary(self.path / DICTIONARY_FOLDER)
        return f"analyzer-{ANALYZER_VERSION}/dict-{built.fingerprint}"

    def _check_meta(self, meta: dict) -> None:
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexOutdated(
                f"index at {self.path} has schema version {meta.get('schema_version')}, this newsgrep uses "
                f"{SCHEMA_VERSION}; rebuild it with: newsgrep ingest --rebuild DIR"
            )
        if meta.get("analyzer") != self.analyzer_fingerprint():
            raise IndexOutdated(
                f"index at {self.path} was built with a different analyzer or dictionary "
                f"({meta.get('analyzer')}); rebuild it with: newsgrep ingest --rebuild DIR"
            )

    def _create(self) -> None:
        from whoosh.index import create_in

        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = create_in(str(self.path), self.schema)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "analyzer": self.analyzer_fingerprint(),
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
        with self.whoosh.searcher() as s:
            yield s

    def doc_count(self) -> int:
        return self.whoosh.doc_count()

    def stored_files(self) -> dict[str, StoredFile]:
        """path -> StoredFile for every article in the index, read from columns (no record decoding)."""
        files: dict[str, StoredFile] = {}
        with self.searcher() as s:
            reader = s.reader()
            if reader.doc_count() == 0:
                return files
            paths = reader.column_reader("path")
            sigs = reader.column_reader("source_sig")
            ids = reader.column_reader("id")
            for docnum in reader.all_doc_ids():
                stored = files.setdefault(paths[docnum], StoredFile(sigs[docnum]))
                stored.ids.append(ids[docnum])
        return files

    def get(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with it."""
        from whoosh.query import Prefix

        if not id_or_prefix:
            raise UnknownArticle("empty article id")
        with self.searcher() as s:
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

    # -- writing -----------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[IndexWriter]:
        """A writer that commits when the block ends and cancels if it raises."""
        w = self.whoosh.writer()
        try:
            yield IndexWriter(w)
        except BaseException:
            w.cancel()
            raise
        else:
            w.commit()


class IndexWriter:
    """Adds and removes articles; the only code that knows how an Article maps onto fields."""

    def __init__(self, whoosh_writer) -> None:
        self._w = whoosh_writer

    def add(self, article: Article, source_sig: str) -> None:
        fields = {
            "id": article.id,
            "path": article.source_path,
            "title": article.title,
            "body": article.text,
            "content_hash": article.content_hash,
            "source_sig": source_sig,
            "record": encode_record(article),
        }
        when = index_datetime(article.date)
        if when is not None:
            fields["date"] = when
        self._w.update_document(**fields)

    def delete_path(self, path: str) -> None:
        self._w.delete_by_term("path", path)
