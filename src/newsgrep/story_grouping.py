"""Which story each ingested article joins: candidates from the index and from this run, the decision from ``stories``.

An article's copies are found by its LSH band keys (``stories.band_keys``):
stored articles through the index's story keys, articles of this run's
current batch (not yet committed, so not yet searchable) through an
in-memory map, emptied at each commit (``forget_committed``). An article
that is a copy of one story joins it under that story's id, so stored
articles keep their labels; an article that bridges two stories joins them
under the smaller id, and the other story's stored articles are relabelled
after the commit (``pending_relabels``). So the grouping is the same whatever
order files arrive in; only which article's id names a story may differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from newsgrep import stories
from newsgrep.record import Article

# Candidates looked at per article: the stored articles sharing the most band keys, and the latest articles
# of this run under each key. A corpus of templated texts (every article a copy of every other) would
# otherwise compare each article with all before it.
STORED_CANDIDATES = 50
RUN_CANDIDATES_PER_KEY = 20


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article goes: its story, its signature and band keys (what the index stores)."""

    story: str
    signature: str
    keys: tuple[str, ...]


@dataclass
class StoryGrouping:
    """Story decisions for one ingest run; ``stored_candidates(keys)`` looks up committed articles."""

    stored_candidates: object  # Callable[[Sequence[str]], list[stories.Candidate]]
    _by_key: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _run: dict[str, stories.Candidate] = field(default_factory=dict)
    relabels: dict[str, str] = field(default_factory=dict)  # old story id -> the id that replaces it

    def place(self, article: Article) -> Placement:
        sig = stories.article_signature(article.title, article.text)
        keys = tuple(stories.band_keys(sig))
        found = {c.id: c for c in self.stored_candidates(keys, STORED_CANDIDATES) if c.id not in self._run}
        for key in keys:
            for other in self._by_key.get(key, ())[-RUN_CANDIDATES_PER_KEY:]:
                found[other] = self._run[other]
        found.pop(article.id, None)
        joined = {self._current(c.story) for c in found.values() if stories.same_story(sig, c.signature)}
        story = min(joined) if joined else article.id
        for other in joined - {story}:
            self.relabels[other] = story
            for member, candidate in self._run.items():
                if candidate.story == other:
                    self._run[member] = stories.Candidate(member, candidate.signature, story)
        self._run[article.id] = stories.Candidate(article.id, sig, story)
        for key in keys:
            bucket = self._by_key[key]
            bucket.append(article.id)
            if len(bucket) > 2 * RUN_CANDIDATES_PER_KEY:
                del bucket[:-RUN_CANDIDATES_PER_KEY]
        return Placement(story, sig, keys)

    def forget_committed(self) -> None:
        """Drop the articles placed so far, once they are committed (and their stories relabelled): from then on
        the index finds them (``stored_candidates``), and a run of 100,000 articles would otherwise hold ~40 band
        keys for each of them in memory to the end."""
        self._by_key.clear()
        self._run.clear()

    def _current(self, story: str) -> str:
        while story in self.relabels:
            story = self.relabels[story]
        return story

    def pending_relabels(self) -> dict[str, str]:
        """Old story id -> final story id, for stored articles to be moved once this batch is committed."""
        done = {old: self._current(old) for old in self.relabels}
        self.relabels.clear()
        return done
