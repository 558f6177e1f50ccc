"""The embedded engine: an index folder of Whoosh files (the default; nothing to start).

One index is one folder (default ``data/index``, layout in ``whoosh_folder``)
holding Whoosh's files, the merged dictionary it was built with and
``newsgrep.json``, which records the schema version, the analyzer version and
the dictionary fingerprint. An index whose record does not match this code is
refused with a clear message instead of answering wrongly; a changed user
dictionary is noticed at ingest and asks for ``--rebuild``.

Every write goes through ``WhooshEngine.writer()``, a context manager that
commits on success and cancels on any exception, so a writer is never left
holding the lock.
"""

from __future__ import annotations

import datetime as dt
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsgrep.analysis import ANALYZER_VERSION
from newsgrep.dictionary import MergedDictionary, ensure_dictionary
from newsgrep.engines.base import Engine, Inventory, Row, StoredFile, Writer
from newsgrep.engines.whoosh_folder import DICTIONARY_FOLDER, REBUILD, generation_path, read_meta
from newsgrep.engines.whoosh_schema import SCHEMA_VERSION, build_schema
from newsgrep.errors import IndexDamaged, IndexMissing, IndexOutdated, NewsgrepError, UnknownArticle
from newsgrep.query import Filters
from newsgrep.record import Article, decode_record, encode_record, instant, local_day

if TYPE_CHECKING:
    from newsgrep.query_plan import Plan
    from newsgrep.stories import Candidate
    from newsgrep.story_grouping import Placement

# Tries of a read that a concurrent commit pulled segment files from under (see WhooshEngine.read).
READ_ATTEMPTS = 3
T = TypeVar("T")


def _check_meta(path: Path, meta: dict) -> MergedDictionary:
    """The dictionary the index was built with, if this code can use the index at all."""
    if meta.get("schema_version") != SCHEMA_VERSION or meta.get("analyzer_version") != ANALYZER_VERSION:
        raise IndexOutdated(
            f"index at {path} was built by another newsgrep (schema {meta.get('schema_version')}, analyzer "
            f"{meta.get('analyzer_version')}; this one uses schema {SCHEMA_VERSION}, analyzer {ANALYZER_VERSION}); {REBUILD}"
        )
    fingerprint = str(meta.get("dictionary", ""))
    dictionary = MergedDictionary(Path(path) / DICTIONARY_FOLDER / f"merged-{fingerprint}", fingerprint)
    if not (dictionary.word_list.is_file() and dictionary.query_db.is_file()):
        raise IndexDamaged(f"the index at {path} is damaged (its dictionary {dictionary.folder} is missing); {REBUILD}")
    return dictionary


def _stories_scheme() -> str:
    """The story-grouping recipe (``stories.SCHEME``): signatures of another recipe never find each other."""
    from newsgrep.stories import SCHEME

    return SCHEME


def _user_words(meta: dict | None) -> tuple[tuple[str, int], ...]:
    """The user words an index was built with (recorded in its ``newsgrep.json``)."""
    return tuple((str(w), int(f)) for w, f in (meta or {}).get("user_words", ()))


def _missing(path: Path) -> NewsgrepError:
    """No meta at ``path``: no index at all, or Whoosh files whose record was lost."""
    from newsgrep.engines.whoosh_folder import check_writable_here

    check_writable_here(path, rebuild=False)  # raises for a foreign folder or lost metadata
    return IndexMissing(str(path))


class WhooshEngine(Engine):
    """An opened index folder (``whoosh_folder`` describes its layout)."""

    def __init__(self, path: Path, dictionary: MergedDictionary, meta: dict) -> None:
        from newsgrep.engines.whoosh_analysis import use_segmenters
        from newsgrep.engines.whoosh_match import IdDirectory
        from newsgrep.segmentation import IndexSegmenter, QuerySegmenter

        self.path = Path(path)
        self.location = str(path)
        self.meta = meta
        self.dictionary = dictionary
        self.index_segmenter = IndexSegmenter(dictionary)
        self.query_segmenter = QuerySegmenter(dictionary)
        use_segmenters(self.index_segmenter, self.query_segmenter)
        self.schema = build_schema(self.index_segmenter, self.query_segmenter)
        self._ix = None
        self._searcher = None
        self._story_keys = None
        self._ids = IdDirectory()  # story candidates' documents, by id
        # An index being rebuilt is not yet the one newsgrep.json names: it must not follow the file there.
        self.published = True

    @property
    def folder(self) -> Path:
        """Where the Whoosh files of the current generation are."""
        return generation_path(self.path, self.meta)

    # -- opening -----------------------------------------------------------

    @classmethod
    def check_writable(cls, location: str, *, rebuild: bool) -> None:
        from newsgrep.engines.whoosh_folder import check_writable_here

        check_writable_here(Path(location), rebuild=rebuild)

    @classmethod
    def write_lock(cls, location: str, *, wait: float = 0.0):
        from newsgrep.engines.whoosh_lock import write_lock

        return write_lock(Path(location), wait=wait)

    @classmethod
    def stored_user_words(cls, location: str) -> tuple[tuple[str, int], ...]:
        return _user_words(read_meta(Path(location)))

    @classmethod
    def dictionary_at(cls, location: str) -> MergedDictionary | None:
        meta = read_meta(Path(location))
        return None if meta is None else _check_meta(Path(location), meta)

    @classmethod
    def open(cls, path: Path) -> WhooshEngine:
        """Open an existing index; IndexMissing, IndexOutdated, IndexDamaged or NotAnIndex when it cannot be used."""
        path = Path(path)
        meta = read_meta(path)
        if meta is None:
            raise _missing(path)
        return cls(path, _check_meta(path, meta), meta)

    @classmethod
    def open_for_writing(cls, path: Path, user_words: tuple[tuple[str, int], ...] | None = None) -> WhooshEngine:
        """Open the index at ``path`` for an ingest, creating it if there is none (the caller holds the write lock).

        ``user_words`` None means "the words the index was built with"; other
        words than those mean the dictionary changed, and old and new terms must
        not be mixed: IndexOutdated asks for a rebuild. What an earlier crashed
        run left behind (an unfinished generation) is removed here.
        """
        from newsgrep.engines.whoosh_folder import check_writable_here, collect_garbage

        path = Path(path)
        meta = check_writable_here(path, rebuild=False)
        if meta is None:
            return cls.create(path, user_words or (), publish=True)
        dictionary = _check_meta(path, meta)
        # Only writers care: stored story signatures of another recipe would never find new ones. Searching
        # does not depend on the recipe, so reading commands never pay for importing it.
        if meta.get("stories") != _stories_scheme():
            raise IndexOutdated(
                f"index at {path} groups copies of a story by another recipe ({meta.get('stories')}; this newsgrep "
                f"uses {_stories_scheme()}); {REBUILD}"
            )
        if user_words is not None and tuple(user_words) != _user_words(meta):
            from newsgrep.dictionary import fingerprint, source_word_lists

            wanted = fingerprint(tuple(source_word_lists()), tuple(user_words))
            if wanted != dictionary.fingerprint:
                raise IndexOutdated(
                    f"index at {path} was built with another dictionary (dict-{dictionary.fingerprint}, "
                    f"now dict-{wanted}: user dictionary or word lists changed); {REBUILD}"
                )
        collect_garbage(path, meta)
        return cls(path, dictionary, meta)

    @classmethod
    def create(cls, path: Path, user_words: tuple[tuple[str, int], ...] = (), *, publish: bool = False) -> WhooshEngine:
        """A new, empty index in a new generation folder under ``path``.

        With ``publish`` it becomes the index at ``path`` at once; otherwise
        (``--rebuild``) only ``publish()`` makes it current, and ``discard()``
        removes it.
        """
        from newsgrep.engines.whoosh_folder import new_generation

        from whoosh.index import create_in

        path = Path(path)
        dictionary = ensure_dictionary(path / DICTIONARY_FOLDER, tuple(user_words))
        generation = new_generation(path)
        meta = {
            "format": "newsgrep-index",
            "schema_version": SCHEMA_VERSION,
            "analyzer_version": ANALYZER_VERSION,
            "dictionary": dictionary.fingerprint,
            "stories": _stories_scheme(),
            "user_words": [list(pair) for pair in user_words],
            "generation": generation.name,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        index = cls(path, dictionary, meta)
        index.published = False
        try:
            index._ix = create_in(str(generation), index.schema)
            if publish:
                index.publish()
        except BaseException:
            index.discard()
            raise
        return index

    def publish(self) -> None:
        """Make this index's generation the current one at its path, then drop what it superseded."""
        from newsgrep.engines.whoosh_folder import collect_garbage, write_meta

        write_meta(self.path, self.meta)
        self.published = True
        collect_garbage(self.path, self.meta)

    def discard(self) -> None:
        """Remove an unpublished generation (a rebuild that failed or was interrupted)."""
        from newsgrep.engines.whoosh_folder import discard_generation

        self.close()
        discard_generation(self.folder)

    def close(self) -> None:
        if self._story_keys is not None:
            self._story_keys.close()
            self._story_keys = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    @property
    def whoosh(self):
        if self._ix is None:
            from whoosh.index import open_dir

            try:
                self._ix = open_dir(str(self.folder), schema=self.schema)
            except NewsgrepError:
                raise
            except Exception as e:
                raise _damaged(self.path, e) from e
        return self._ix

    # -- reading -----------------------------------------------------------

    def searcher(self):
        """The index's searcher, kept open between calls and replaced when another process has committed since.

        Use it through ``read``: a searcher opens segment files lazily, and a
        concurrent commit may merge a segment away in between.
        """
        try:
            if self._searcher is None:
                self._searcher = self.whoosh.searcher()
            elif self._changed_since(self._searcher):
                self._refresh()
        except NewsgrepError:
            raise
        except Exception as e:
            raise _damaged(self.path, e) from e
        return self._searcher

    def _changed_since(self, searcher) -> bool:
        """Whether another process committed, or rebuilt the index into a new generation, since ``searcher``."""
        try:
            if self.published and (read_meta(self.path) or {}).get("generation") != self.meta.get("generation"):
                return True
            return not searcher.up_to_date()
        except Exception:
            return True

    def _refresh(self) -> None:
        """A fresh searcher, not ``refresh()``: refreshed searchers share segment readers with the stale one,
        so closing the stale one would close readers still in use. After a ``--rebuild`` by another process
        the current generation is another folder: follow ``newsgrep.json`` there."""
        meta = read_meta(self.path) if self.published else None
        if meta is not None and meta.get("generation") != self.meta.get("generation"):
            self.close()
            self.meta = meta
            self._searcher = self.whoosh.searcher()
            return
        stale, self._searcher = self._searcher, self.whoosh.searcher()
        stale.close()

    def read(self, work: Callable[[Any], T]) -> T:
        """``work(searcher)``, retried on a fresh searcher when a concurrent commit removed files under it.

        Readers never block writers: a reader holds the segment list of the last
        commit, and a writer's merge may delete a segment whose column files the
        reader had not opened yet. That shows up as an error from inside Whoosh
        while the index is no longer the one the searcher saw; the answer is to
        look again. Opening can meet the same race (the TOC it listed was
        replaced before it read it): then the index is opened afresh.
        """
        for attempt in range(READ_ATTEMPTS):
            last = attempt == READ_ATTEMPTS - 1
            try:
                s = self.searcher()
            except IndexDamaged:
                if last:
                    raise
                self.close()
                continue
            try:
                return work(s)
            except NewsgrepError:
                raise
            except Exception as e:
                if last or not self._changed_since(s):
                    raise _damaged(self.path, e) from e
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

    def match_plan(self, plan: Plan | None, filters: Filters) -> list[Row]:
        return self.read(lambda s: self._rows(s, self._matches(s, plan, filters)))

    def _matches(self, s, plan: Plan | None, filters: Filters) -> list[int]:
        """Document numbers of every match, in index order, exact phrase checks applied."""
        from whoosh import query as wq

        from newsgrep.engines.whoosh_match import matching_docnums
        from newsgrep.engines.whoosh_query import WhooshCompiler

        compiler = WhooshCompiler(s)
        wanted = wq.Term("kind", "article") if plan is None else compiler.compile(plan.root)
        docnums = matching_docnums(s, wanted, compiler.filter(filters))
        if plan is not None and plan.checks:
            docnums = [n for n in docnums if plan.passes(decode_record(s.stored_fields(n)["record"]))]
        return docnums

    @staticmethod
    def _rows(s, docnums: Iterable[int]) -> list[Row]:
        """Rows of these documents, read from columns (no record decoded)."""
        docnums = list(docnums)
        if not docnums:  # also an index with no segment yet, whose reader has no columns
            return []
        columns = segment_columns(s, ("id", "day", "when", "story", "outlet_name", "author_name", "category", "tags"))
        fromisoformat = dt.date.fromisoformat
        rows = []
        for n in docnums:
            article_id, day, when, story, outlet, author, category, tags = columns.values(n)
            rows.append(Row(
                id=article_id,
                day=fromisoformat(day) if day else None,
                when=when,
                story=story or article_id,
                outlet=outlet.decode("utf-8") or None,
                author=author.decode("utf-8") or None,
                category=category.decode("utf-8") or None,
                tags=tuple(t for t in tags.decode("utf-8").split("\t") if t),
            ))
        return rows

    def rank_plan(self, plan: Plan, limit: int | None) -> list[tuple[str, float]]:
        from newsgrep.engines.whoosh_query import WhooshCompiler

        def run(s) -> list[tuple[str, float]]:
            compiler = WhooshCompiler(s)
            results = s.search(compiler.compile(plan.root), filter=compiler.filter(plan.filters), limit=limit)
            return _ids_and_scores(s, results)

        return self.read(run)

    def story_rows(self, stories) -> list[Row]:
        stories = list(stories)
        return self.read(lambda s: self._rows(s, _story_docnums(s, stories))) if stories else []

    def more_like(self, terms, exclude: Row, limit: int) -> list[tuple[str, float]]:
        from whoosh import query as wq

        def run(s) -> list[tuple[str, float]]:
            q = wq.Or([wq.Term(field, term, boost=weight) for term, weight in terms for field in ("title", "body")])
            mask = wq.Or([wq.Term("id", exclude.id), wq.Term("story", exclude.story)])
            results = s.search(q, limit=limit, mask=mask, collapse="story")
            return _ids_and_scores(s, results)

        return self.read(run)

    def row(self, article_id: str) -> Row | None:
        def find(s) -> Row | None:
            docnum = s.document_number(id=article_id)
            return None if docnum is None else self._rows(s, [docnum])[0]

        return self.read(find)

    def records(self, ids) -> list[Article]:
        def find(s) -> list[Article]:
            found = (s.document(id=i) for i in ids)
            return [decode_record(f["record"]) for f in found if f]

        return self.read(find)

    def doc_count(self) -> int:
        from whoosh import query as wq

        return self.read(lambda s: len(s.search(wq.Term("kind", "article"), limit=None, scored=False, sortedby=None).docs()))

    def document_frequencies(self, words) -> dict[str, int]:
        return self.read(lambda s: {w: s.doc_frequency("body", w) for w in words})

    def get(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with it."""
        from whoosh.query import Prefix

        if not id_or_prefix:
            raise UnknownArticle("empty article id")
        try:
            id_or_prefix.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 on the command line: no stored id is like that
            raise UnknownArticle(f"no article with id {id_or_prefix!r}") from None

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

    def story_candidates(self, keys, limit: int | None = None) -> list[Candidate]:
        """Stored articles sharing one of these band keys (``stories``), those sharing the most first:
        the ones that may be copies of a new article."""
        from newsgrep.stories import Candidate

        ids = self.story_keys.sharing(list(keys), limit)
        if not ids:
            return []

        def find(s) -> list[Candidate]:
            docnums = self._ids.live_docnums(s, ids)
            found = []
            for article_id in ids:
                fields = s.stored_fields(docnums[article_id]) if article_id in docnums else None
                if fields and fields.get("signature"):
                    found.append(Candidate(article_id, fields["signature"], fields["story"]))
            return found

        return self.read(find)

    @property
    def story_keys(self):
        """The band keys of this generation's articles (``story_keys``), opened by the writers that need them."""
        if self._story_keys is None:
            from newsgrep.engines.whoosh_story_keys import StoryKeys

            self._story_keys = StoryKeys(self.folder)
        return self._story_keys

    def stories_of(self, ids) -> set[str]:
        """The story ids of these stored articles (before they are replaced or removed)."""

        def find(s) -> set[str]:
            found = set()
            for article_id in ids:
                fields = s.document(id=article_id)
                if fields and fields.get("story"):
                    found.add(fields["story"])
            return found

        return self.read(find) if ids else set()

    def _story_members(self, stories) -> list[dict]:
        """Stored fields of every article of these stories."""
        return self.read(lambda s: [s.stored_fields(n) for n in _story_docnums(s, stories)]) if stories else []

    def _restory(self, members: list[dict], label_of: dict[str, str]) -> int:
        """Write again the members whose story label changes (one commit); how many were written."""
        from newsgrep.stories import band_keys
        from newsgrep.story_grouping import Placement

        changed = [m for m in members if label_of.get(m["id"], m["story"]) != m["story"]]
        if changed:
            with self.writer() as w:
                for m in changed:
                    sig = m.get("signature") or ""
                    placement = Placement(label_of[m["id"]], sig, tuple(band_keys(sig)) if sig else ())
                    w.add(decode_record(m["record"]), m["source_sig"], placement)
        return len(changed)

    def relabel_stories(self, moves: dict[str, str]) -> int:
        """Move the stored articles of each story ``old`` to story ``new`` (a later article bridged the two)."""
        members = self._story_members(list(moves))
        return self._restory(members, {m["id"]: moves.get(m["story"], m["story"]) for m in members})

    def regroup_stories(self, stories) -> int:
        """Group these stories' articles again (an article that held a story together was removed or changed).

        Each story falls apart into the groups its remaining articles form; the
        group holding the article whose id names the story keeps the name, the
        others are named by their smallest id.
        """
        from newsgrep.stories import group

        members = self._story_members(list(stories))
        label_of = {}
        for story in set(stories):
            own = [m for m in members if m["story"] == story]
            groups = group([(m["id"], m["signature"]) for m in own if m.get("signature")])
            keeps = groups.get(story)
            for m in own:
                grouped = groups.get(m["id"], m["id"])
                label_of[m["id"]] = story if grouped == keeps else grouped
        return self._restory(members, label_of)

    # -- writing -----------------------------------------------------------

    @contextmanager
    def writer(self, procs: int = 1) -> Iterator[WhooshWriter]:
        """A writer that commits when the block ends and cancels if it raises.

        With ``procs > 1`` documents are analysed and written by that many
        forked processes, each producing its own segment (Whoosh's
        multi-segment writer); they inherit the loaded segmenter. The batch is
        committed first, unmerged, so that a long merge never delays it; then
        ``merge_segments`` folds small segments in a commit of its own.
        """
        # Segments as separate files, not one compound file: whoosh3 opens a compound member by
        # copying it into a BytesIO (0.2 s per query on a 300 MB index); plain files are read in place.
        from newsgrep.engines.whoosh_codec import NewsCodec

        if procs > 1:
            self.index_segmenter.load()
            w = self.whoosh.writer(procs=procs, multisegment=True, batchsize=64, compound=False, codec=NewsCodec())
        else:
            w = self.whoosh.writer(compound=False, codec=NewsCodec())
        writer = WhooshWriter(w, self.story_keys)
        try:
            yield writer
        except BaseException:
            self.story_keys.rollback()
            w.cancel()
            raise
        else:
            if writer.changed:
                from newsgrep import interrupts

                with interrupts.shielded():
                    self.story_keys.commit()  # first: keys of articles not committed are passed over
                    w.commit(merge=False)
                    self.merge_segments(writer.on_phase)
            else:  # nothing to write: leave the index files untouched
                w.cancel()

    def merge_segments(self, on_phase: Callable[[str | None], None]) -> None:
        """Merge segments as ``whoosh_merge.to_merge`` says, in a commit of their own (none when nothing is due).

        A kill during the merge loses only the merge: the articles were committed before it.
        """
        from newsgrep.engines.whoosh_codec import NewsCodec
        from newsgrep.engines.whoosh_merge import tiered_merge, to_merge

        if to_merge([s.doc_count_all() for s in self.whoosh._segments()]):
            self.whoosh.writer(compound=False, codec=NewsCodec()).commit(mergetype=tiered_merge(on_phase))


def _ids_and_scores(s, results) -> list[tuple[str, float]]:
    """(id, score) of Whoosh's results (none without reading a column: an index with no segment has none)."""
    if not results:
        return []
    ids = segment_columns(s, ("id",))
    return [(ids.values(r.docnum)[0], r.score) for r in results]


class SegmentColumns:
    """Column readers of some fields for each segment of one searcher. A value is read from its own segment's
    reader: Whoosh's index-wide column reader looks the segment up again for every value."""

    def __init__(self, s, names: tuple[str, ...]) -> None:
        leaves = s.reader().leaf_readers()
        self.starts = [offset for _, offset in leaves]
        self.readers = [[reader.column_reader(name) for name in names] for reader, _ in leaves]

    def values(self, docnum: int) -> list:
        """The fields' values for document ``docnum`` (index-wide), in the order of their names."""
        i = bisect_right(self.starts, docnum) - 1
        local = docnum - self.starts[i]
        return [column[local] for column in self.readers[i]]


# Column readers of each searcher, opened once: a reader opening a column reads its offsets.
_opened_columns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def segment_columns(s, names: tuple[str, ...]) -> SegmentColumns:
    opened = _opened_columns.setdefault(s, {})
    if names not in opened:
        opened[names] = SegmentColumns(s, names)
    return opened[names]


def _story_docnums(s, stories) -> list[int]:
    """Document numbers of every article of these stories, in index order."""
    from whoosh import query as wq

    from newsgrep.engines.whoosh_match import matching_docnums

    return matching_docnums(s, wq.Or([wq.Term("story", story) for story in stories]))


def _damaged(path: Path, error: Exception) -> IndexDamaged:
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return IndexDamaged(f"the index at {path} is damaged ({detail[:200]}); {REBUILD}")


class WhooshWriter(Writer):
    """Adds and removes articles; the only code that knows how an Article maps onto fields."""

    def __init__(self, whoosh_writer, story_keys) -> None:
        self._w = whoosh_writer
        self._story_keys = story_keys
        self.changed = False

    def add(self, article: Article, source_sig: str, placement: Placement | None = None) -> None:
        from newsgrep.analysis import fold

        day = local_day(article.date)
        self._w.update_document(
            kind="article",
            id=article.id,
            path=article.source_path,
            day=day.isoformat() if day else "",
            when=instant(article.date),
            title=article.title,
            body=article.text,
            title_grams=article.title,
            body_grams=article.text,
            source=fold(article.outlet or "").strip(),
            author=fold(article.author or "").strip(),
            outlet_name=(article.outlet or "").encode("utf-8"),
            author_name=(article.author or "").encode("utf-8"),
            category=(article.category or "").encode("utf-8"),
            tags="\t".join(article.tags).encode("utf-8"),
            story=placement.story if placement else article.id,
            signature=placement.signature if placement else "",
            content_hash=article.content_hash,
            text_hash=article.text_hash,
            source_sig=source_sig,
            record=encode_record(article),
        )
        self._story_keys.remove([article.id])
        if placement:
            self._story_keys.add(article.id, placement.keys)
        self.changed = True

    def add_source(self, path: str, source_sig: str) -> None:
        """Remember a file that holds no record of its own (all its articles merged), so re-runs skip it."""
        self._w.add_document(kind="source", path=path, source_sig=source_sig)
        self.changed = True

    def delete_path(self, path: str, ids: Iterable[str] = ()) -> None:
        """Remove the records of the file at ``path`` (``ids``: its articles, whose similarity keys go too)."""
        self._w.delete_by_term("path", path)
        self._story_keys.remove(ids)
        self.changed = True
