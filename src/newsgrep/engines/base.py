"""The one interface every engine implements (django-haystack's ``BaseSearchBackend``).

Everything above the engines (ingest, search, snippets, related, list, the
exploration commands, the web page) is written once against ``Engine``; each
engine turns newsgrep's own query tree (``query``) into its own terms: Whoosh
query objects in ``engines.whoosh``, SQL in ``engines.postgres``. Nothing above
this package imports an engine's library.

An engine instance is one opened index. Its analysis (segmenters, dictionary)
is newsgrep's own, identical in every engine: the engine only stores the
tokens it is given and answers queries over them.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsgrep.query import Filters, Query
from newsgrep.query_plan import Plan, plan
from newsgrep.record import Article

if TYPE_CHECKING:
    from newsgrep.dictionary import MergedDictionary
    from newsgrep.segmentation import IndexSegmenter, QuerySegmenter
    from newsgrep.stories import Candidate
    from newsgrep.story_grouping import Placement



@dataclass(frozen=True, slots=True)
class Row:
    """What counting needs of one stored article, read without decoding its record."""

    id: str
    day: dt.date | None  # the article's own local day, as its page shows it
    when: int  # seconds since the epoch, for ordering (``record.instant``); UNDATED when undated
    story: str  # copies and near-copies share it; an article alone is its own story
    outlet: str | None  # as written (original script)
    author: str | None
    category: str | None
    tags: tuple[str, ...]


@dataclass
class StoredFile:
    """What the index knows of one source file: its signature and the ids of its articles."""

    signature: str
    ids: list[str] = field(default_factory=list)


@dataclass
class Inventory:
    """What ingest needs to know of the stored index, read without decoding records."""

    files: dict[str, StoredFile] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # article id -> path of the file that wrote it
    # Filled by Engine.add_hashes, only when ingest has something to write:
    hash_of: dict[str, str] = field(default_factory=dict)  # article id -> content hash
    text_hash_of: dict[str, str] = field(default_factory=dict)  # article id -> hash of its words


class Writer(ABC):
    """Adds and removes articles inside one commit (``Engine.writer``)."""

    changed: bool = False

    def on_phase(self, what: str | None) -> None:
        """Told what the commit is doing when it is more than writing the batch (ingest sets its progress here)."""

    @abstractmethod
    def add(self, article: Article, source_sig: str, placement: Placement | None = None) -> None:
        """Store ``article`` (replacing a stored one with its id), read from a file with signature ``source_sig``."""

    @abstractmethod
    def add_source(self, path: str, source_sig: str) -> None:
        """Remember a file that holds no record of its own (all its articles merged), so re-runs skip it."""

    @abstractmethod
    def delete_path(self, path: str, ids: Iterable[str] = ()) -> None:
        """Remove the records of the file at ``path`` (``ids``: its articles, whose story keys go too)."""


class Engine(ABC):
    """One opened index on one engine."""

    #: where the index is, as the user named it (a folder, or a postgresql:// address without its password)
    location: str
    dictionary: MergedDictionary
    index_segmenter: IndexSegmenter
    query_segmenter: QuerySegmenter
    #: False for an index being rebuilt that is not yet the one at ``location``
    published: bool = True

    # -- lifecycle: opening (class methods: there is no instance before) -----

    @classmethod
    @abstractmethod
    def open(cls, location: str) -> Engine:
        """The index at ``location`` for reading (IndexMissing, IndexOutdated, IndexDamaged when unusable)."""

    @classmethod
    @abstractmethod
    def check_writable(cls, location: str, *, rebuild: bool) -> None:
        """Refuse, before any work, a location an ingest must not write to (NotAnIndex, IndexOutdated, …)."""

    @classmethod
    @abstractmethod
    def write_lock(cls, location: str, *, wait: float = 0.0) -> AbstractContextManager:
        """Hold the index's one-writer lock for the block (IndexBusy, naming the holder, after ``wait`` seconds)."""

    @classmethod
    @abstractmethod
    def open_for_writing(cls, location: str, user_words: tuple[tuple[str, int], ...] | None = None) -> Engine:
        """The index at ``location`` for an ingest, created when there is none (the caller holds the write lock).

        ``user_words`` None means "the words the index was built with"; other
        words mean another dictionary, and IndexOutdated asks for a rebuild.
        """

    @classmethod
    @abstractmethod
    def create(cls, location: str, user_words: tuple[tuple[str, int], ...] = ()) -> Engine:
        """A new, empty index for ``--rebuild``, not yet the one at ``location``: ``publish()`` or ``discard()`` it."""

    @classmethod
    @abstractmethod
    def stored_user_words(cls, location: str) -> tuple[tuple[str, int], ...]:
        """The user words the index at ``location`` was built with (none when there is no index)."""

    @classmethod
    @abstractmethod
    def dictionary_at(cls, location: str) -> MergedDictionary | None:
        """The dictionary of the index at ``location``, or None when there is none (nothing is created)."""

    @abstractmethod
    def publish(self) -> None:
        """Make a rebuilt index the current one at its location, then drop what it superseded."""

    @abstractmethod
    def discard(self) -> None:
        """Remove an unpublished index (a rebuild that failed or was interrupted)."""

    @abstractmethod
    def close(self) -> None:
        """Release files and connections."""

    # -- reading: matching and ranking ---------------------------------------

    def matching(self, query: Query | Plan | None, filters: Filters | None = None) -> list[Row]:
        """Every article ``query`` matches within ``filters`` (default: the query's own; every article within
        them when ``query`` is None), in the engine's stored order.

        The one matcher: what ``search`` counts is what timelines, facets and
        exports count. Exact phrases are exact; BadQuery when the query has no
        searchable words.
        """
        plan = self.plan(query)
        if filters is None:
            filters = plan.filters if plan is not None else Filters()
        return self.match_plan(plan, filters)

    def ranked(self, query: Query | Plan, limit: int | None) -> list[tuple[str, float]]:
        """(id, score) of the best-scoring matches of ``query`` (its filters applied), best first.

        At most ``limit`` (None: all). An engine may score a candidate that an
        exact phrase check drops: keep only ids ``matching`` returned.
        """
        return self.rank_plan(self.plan(query), limit)

    def plan(self, query: Query | Plan | None) -> Plan | None:
        """``query`` in index terms, analysed with this index's query segmenter (``query_plan``)."""
        return query if query is None or isinstance(query, Plan) else plan(query, self.query_segmenter)

    @abstractmethod
    def match_plan(self, plan: Plan | None, filters: Filters) -> list[Row]:
        """``matching`` once the query is planned: the engine's compiler runs here."""

    @abstractmethod
    def rank_plan(self, plan: Plan, limit: int | None) -> list[tuple[str, float]]:
        """``ranked`` once the query is planned."""

    @abstractmethod
    def story_rows(self, stories: Iterable[str]) -> list[Row]:
        """Every stored article of these stories (a hit's copies)."""

    @abstractmethod
    def more_like(self, terms: Sequence[tuple[str, float]], exclude: Row, limit: int) -> list[tuple[str, float]]:
        """(id, score) of the articles best matching these weighted words, one per story, ``exclude``'s story left out."""

    # -- reading: records and statistics -------------------------------------

    @abstractmethod
    def records(self, ids: Sequence[str]) -> list[Article]:
        """The stored articles with these ids, in that order (ids not stored are left out)."""

    @abstractmethod
    def get(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with it (UnknownArticle otherwise)."""

    @abstractmethod
    def row(self, article_id: str) -> Row | None:
        """The stored article's row, or None."""

    @abstractmethod
    def doc_count(self) -> int:
        """How many articles are stored."""

    @abstractmethod
    def document_frequencies(self, words: Iterable[str]) -> dict[str, int]:
        """In how many articles' text (body) each folded word occurs as a whole word: the reference statistics
        of related articles and keywords."""

    # -- writing (ingest) --------------------------------------------------

    @abstractmethod
    def inventory(self) -> Inventory:
        """Files and id owners of the stored articles (hashes: ``add_hashes``)."""

    @abstractmethod
    def add_hashes(self, inventory: Inventory) -> None:
        """Fill in the content and text hashes of every stored article."""

    @abstractmethod
    def story_candidates(self, keys: Sequence[str], limit: int | None = None) -> list[Candidate]:
        """Stored articles sharing one of these band keys (``stories``), those sharing the most first."""

    @abstractmethod
    def stories_of(self, ids: Iterable[str]) -> set[str]:
        """The story ids of these stored articles."""

    @abstractmethod
    def relabel_stories(self, moves: dict[str, str]) -> int:
        """Move the stored articles of each story ``old`` to story ``new``; how many were written again."""

    @abstractmethod
    def regroup_stories(self, stories: Iterable[str]) -> int:
        """Group these stories' articles again (one that held a story together was removed or changed)."""

    @abstractmethod
    def writer(self, procs: int = 1) -> AbstractContextManager[Writer]:
        """A writer that commits when the block ends and cancels if it raises (nothing written: nothing changes)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
