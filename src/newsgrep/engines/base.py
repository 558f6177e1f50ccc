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
from newsgrep.record import Article

if TYPE_CHECKING:
    from newsgrep.dictionary import MergedDictionary
    from newsgrep.segmentation import IndexSegmenter, QuerySegmenter
    from newsgrep.stories import Candidate
    from newsgrep.story_grouping import Placement

# ``Row.when`` of an undated article: below every real date, so newest-first orders put it last.
UNDATED = -(2**62)


@dataclass(frozen=True, slots=True)
class Row:
    """What counting needs of one stored article, read without decoding its record."""

    id: str
    day: dt.date | None  # the article's own local day, as its page shows it
    when: int  # seconds since the epoch, for ordering; UNDATED when undated
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

    # -- lifecycle ---------------------------------------------------------

    @abstractmethod
    def write_lock(self, wait: float = 0.0) -> AbstractContextManager:
        """Hold the index's one-writer lock for the block (IndexBusy after ``wait`` seconds)."""

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

    @abstractmethod
    def matching(self, query: Query | None, filters: Filters | None = None) -> list[Row]:
        """Every article ``query`` matches within ``filters`` (every article within them when ``query`` is None).

        The one matcher: what ``search`` counts is what timelines, facets and
        exports count. Exact phrases are exact; BadQuery when the query has no
        searchable words.
        """

    @abstractmethod
    def ranked(self, query: Query, limit: int | None) -> list[tuple[str, float]]:
        """(id, score) of the best-scoring matches of ``query`` (its filters applied), best first.

        At most ``limit`` (None: all). The caller keeps only ids ``matching``
        returned (an engine may score a candidate an exact check later drops).
        """

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
        """In how many articles each (folded) word occurs as a whole word, title or body."""

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
