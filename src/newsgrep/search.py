"""Searching: a parsed query (``query``) compiled for Whoosh, run, and turned into hits with snippets.

Recall beyond segmentation: a query word made of ideographs matches the word
itself *or* wherever its characters appear in a row (the ``*_grams`` fields of
character bigrams: ``軍售`` inside ``軍售案``, ``台北市`` cut ``台北|市議員``),
with a lower weight, so whole-word and title matches rank first. Every text
field has its own word and bigram fields, so ``title:軍售`` looks in titles
only, for words, bigrams and phrases alike.

Phrases are exact. An ideograph phrase (quoted, or one typed word that
segments into several) must match its bigrams at consecutive positions, which
is exactly substring matching on the folded text; the word phrase only adds to
the score. A required phrase with Latin letters or digits is matched as "all
its words" and each candidate's folded text is then checked for the phrase.

One matcher for every command: ``matching`` gives the set of articles a query
matches (what ``search`` counts, and what timelines and facets count), and
``search`` ranks it, one hit per story unless every copy is asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from newsgrep.errors import BadQuery
from newsgrep.engines.base import Row
from newsgrep.index import NewsIndex, decode_record
from newsgrep.query import NAME_FIELDS, TEXT_FIELDS, And, Filters, Not, Phrase, Query, SortOrder, Word, parse
from newsgrep.snippets import Snippet, best_snippet, highlight, term_pattern

TITLE_BOOST = 2.0
# Weight of a character-bigram match relative to a whole-word match.
GRAM_WEIGHT = 0.3


@dataclass(frozen=True)
class Copy:
    """Another stored copy of a hit's story."""

    id: str
    outlet: str | None


@dataclass(frozen=True)
class Hit:
    id: str
    date: dt.date | dt.datetime | None
    title: Snippet
    snippet: Snippet
    score: float
    path: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    copies: tuple[Copy, ...] = ()

    @property
    def day(self) -> dt.date | None:
        """The article's own local day (as its page shows it)."""
        from newsgrep.record import local_day

        return local_day(self.date)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "day": self.day.isoformat() if self.day else None,
            "title": self.title.text,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
            "copies": [{"id": c.id, "outlet": c.outlet} for c in self.copies],
        }


@dataclass(frozen=True)
class WordCount:
    """How many articles one query word (or phrase) matches on its own: the zero-hit explanation."""

    word: str
    articles: int
    unfiltered: int | None = None  # the same without the filters, when there are filters


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # matching articles
    stories: int = 0  # matching stories (copies of one story counted once)
    offset: int = 0
    # When nothing matched: each positive word's own count, and the query without the rarest word.
    word_counts: tuple[WordCount, ...] = ()
    suggestion: str | None = None
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class Compiled:
    """A query in Whoosh's terms, with what snippets and phrase checks need."""

    query: Any
    filter: Any
    patterns: list[re.Pattern[str]]  # one per positive word or phrase, for highlighting
    checks: list[tuple[str | None, re.Pattern[str]]]  # required phrases with Latin or digits: (field, pattern)


def phrase_pattern(folded_phrase: str) -> re.Pattern[str]:
    """Exact match of a folded phrase; a space in it matches any run of spaces (or none between ideographs)."""
    parts = re.split(r"\s+", folded_phrase)
    pattern = ""
    for left, right in zip(parts, parts[1:]):
        pattern += re.escape(left) + (r"\s+" if left[-1:].isascii() and right[:1].isascii() else r"\s*")
    return re.compile(pattern + re.escape(parts[-1]))


def gram_query(fieldname: str, folded: str, boost: float = 1.0):
    """Where the ideographs ``folded`` occur in a row: bigrams at consecutive positions (a prefix for one character)."""
    from whoosh import query as wq

    from newsgrep.analysis import bigrams

    if len(folded) == 1:
        return wq.Prefix(fieldname, folded, boost=boost)
    grams = [gram for gram, _ in bigrams(folded)]
    return wq.Term(fieldname, grams[0], boost=boost) if len(grams) == 1 else wq.Phrase(fieldname, grams, boost=boost)


def _boost(fieldname: str) -> float:
    return TITLE_BOOST if fieldname == "title" else 1.0


class _Compiler:
    """Turns the query tree into Whoosh queries, collecting highlight patterns and phrase checks on the way."""

    def __init__(self, index: NewsIndex, searcher) -> None:
        self.index = index
        self.searcher = searcher
        self.patterns: dict[str, re.Pattern[str]] = {}
        self.checks: list[tuple[str | None, re.Pattern[str]]] = []

    def terms(self, text: str) -> list[str]:
        from newsgrep.analysis import analyze

        return [t.term for t in analyze(text, self.index.query_segmenter, query=True)]

    def compile(self, node, *, required: bool = True, positive: bool = True):
        from whoosh import query as wq

        if isinstance(node, (Word, Phrase)) and node.field in NAME_FIELDS:
            return self.name_query(node.field, node.text)
        if isinstance(node, Word):
            terms = self.terms(node.text)
            if len(terms) > 1:  # one typed word that segments into several: exactly that string
                return self.phrase(node.text, terms, node.field, required=required, positive=positive)
            if not terms:
                return None
            return self.word(terms[0], node.field, positive=positive)
        if isinstance(node, Phrase):
            terms = self.terms(node.text)
            return self.phrase(node.text, terms, node.field, required=required, positive=positive) if terms else None
        if isinstance(node, Not):
            child = self.compile(node.child, required=False, positive=False)
            return wq.Not(child) if child is not None else None
        kids = [
            self.compile(c, required=required and isinstance(node, And), positive=positive) for c in node.children
        ]
        kids = [k for k in kids if k is not None]
        if not kids:
            return None
        return kids[0] if len(kids) == 1 else (wq.And if isinstance(node, And) else wq.Or)(kids)

    def word(self, term: str, fieldname: str | None, *, positive: bool):
        from whoosh import query as wq

        from newsgrep.analysis import is_han

        fields = (fieldname,) if fieldname else TEXT_FIELDS
        if positive:
            self.patterns.setdefault(term, term_pattern([term]))
        parts = [wq.Term(f, term, boost=_boost(f)) for f in fields]
        if is_han(term):
            parts += [gram_query(f"{f}_grams", term, GRAM_WEIGHT * _boost(f)) for f in fields]
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def phrase(self, text: str, terms: list[str], fieldname: str | None, *, required: bool, positive: bool):
        from whoosh import query as wq

        from newsgrep.analysis import fold, is_han

        fields = (fieldname,) if fieldname else TEXT_FIELDS
        if positive:
            self.patterns.setdefault(" ".join(terms), term_pattern(terms))
        folded = fold(text).strip()
        compact = re.sub(r"\s+", "", folded)
        word_phrase = wq.Or([wq.Phrase(f, terms, boost=_boost(f)) for f in fields])
        if is_han(compact):
            grams = wq.Or([gram_query(f"{f}_grams", compact, _boost(f)) for f in fields])
            return wq.AndMaybe(grams, word_phrase)
        if not required:
            return word_phrase
        self.checks.append((fieldname, phrase_pattern(folded)))
        return wq.And([self.word(t, fieldname, positive=False) for t in terms])

    def name_query(self, fieldname: str, text: str):
        """Outlets or authors whose (folded) name contains ``text``: exact terms from the field's own lexicon."""
        from whoosh import query as wq

        from newsgrep.analysis import fold

        needle = fold(text).strip()
        if not needle:
            return None
        names = [n for n in self.searcher.lexicon(fieldname) if needle in n.decode("utf-8") and n]
        if not names:
            return wq.NullQuery
        return wq.Or([wq.Term(fieldname, n.decode("utf-8")) for n in names])

    def filter(self, filters: Filters):
        from whoosh import query as wq

        parts = []
        if filters.since or filters.until:
            low = filters.since.isoformat() if filters.since else "0000-00-00"
            high = filters.until.isoformat() if filters.until else "9999-99-99"
            parts.append(wq.TermRange("day", low, high))
        for fieldname, names in (("source", filters.sources), ("author", filters.authors)):
            if names:
                options = [q for q in (self.name_query(fieldname, n) for n in names) if q is not None]
                parts.append(wq.Or(options) if options else wq.NullQuery)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)


def filter_query(index: NewsIndex, searcher, filters: Filters):
    """The Whoosh filter for ``filters`` (None when there is nothing to narrow)."""
    return _Compiler(index, searcher).filter(filters)


def compile_query(index: NewsIndex, searcher, query: Query) -> Compiled:
    compiler = _Compiler(index, searcher)
    compiled = compiler.compile(query.root)
    if compiled is None:
        raise BadQuery(f"query {query.text!r} has no searchable words")
    return Compiled(compiled, compiler.filter(query.filters), list(compiler.patterns.values()), compiler.checks)


def _passes(article, checks) -> bool:
    """Whether the article's folded text holds every required Latin/digit phrase, in the field it was asked in."""
    from newsgrep.analysis import fold_text

    for fieldname, pattern in checks:
        text = article.title if fieldname == "title" else article.text if fieldname == "body" else article.title + "\n" + article.text
        if not pattern.search(fold_text(text).text):
            return False
    return True


def _matching_docnums(searcher, compiled: Compiled) -> list[int]:
    """Every document the compiled query matches (phrase checks applied), unscored."""
    results = searcher.search(compiled.query, filter=compiled.filter, limit=None, scored=False, sortedby=None)
    docnums = sorted(results.docs())
    if compiled.checks:
        docnums = [n for n in docnums if _passes(decode_record(searcher.stored_fields(n)["record"]), compiled.checks)]
    return docnums


def matching(index: NewsIndex, query: Query | None, filters: Filters | None = None) -> list[Row]:
    """Every article ``query`` matches (every article within ``filters`` when ``query`` is None).

    The one matcher: what ``search`` counts is what timelines, facets and
    exports count. Rows come in index order.
    """
    from whoosh import query as wq

    def run(searcher) -> list[Row]:
        if query is None:
            narrowed = filter_query(index, searcher, filters or Filters())
            every = wq.Term("kind", "article")
            docnums = sorted(searcher.search(every, filter=narrowed, limit=None, scored=False, sortedby=None).docs())
        else:
            docnums = _matching_docnums(searcher, compile_query(index, searcher, query))
        reader = searcher.reader()
        columns = {name: reader.column_reader(name) for name in ("id", "day", "when", "story", "outlet_name", "author_name", "category", "tags")}

        def text(name: str, n: int) -> str | None:
            return columns[name][n].decode("utf-8") or None

        rows = []
        for n in docnums:
            day = columns["day"][n]
            rows.append(Row(
                id=columns["id"][n],
                day=dt.date.fromisoformat(day) if day else None,
                when=columns["when"][n],
                story=columns["story"][n] or columns["id"][n],
                outlet=text("outlet_name", n),
                author=text("author_name", n),
                category=text("category", n),
                tags=tuple(t for t in columns["tags"][n].decode("utf-8").split("\t") if t),
            ))
        return rows

    return index.read(run)


def search(
    index: NewsIndex,
    text: str | Query,
    *,
    filters: Filters | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    sort: SortOrder = "score",
    limit: int | None = 10,
    offset: int = 0,
    collapse: bool = True,
) -> SearchResult:
    """Run a query against the index: hits with snippets, and exact counts of articles and stories.

    ``collapse`` shows one hit per story (copies and near-copies of one
    article), the best-ranked copy, with the others listed as its copies;
    without it every article is a hit. ``sort="date"`` puts the newest first
    and undated articles last.
    """
    filters = filters or Filters(since=since, until=until)
    query = text if isinstance(text, Query) else parse(text, filters)

    def run(searcher) -> SearchResult:
        compiled = compile_query(index, searcher, query)
        matches = _matching_docnums(searcher, compiled)
        if not matches:
            counts = _word_counts(searcher, index, query)
            return SearchResult(query.text, [], 0, 0, offset, counts, _suggestion(counts), query.filters)
        reader = searcher.reader()
        story_of = reader.column_reader("story")
        ids = reader.column_reader("id")
        stories = {story_of[n] or ids[n] for n in matches}
        wanted = None if limit is None else offset + limit
        ranked = _ranked(searcher, compiled, matches, sort, wanted, story_of, ids, collapse)
        page = ranked[offset:] if wanted is None else ranked[offset:wanted]
        if collapse:  # a story is shown by its earliest matching copy: where it first appeared
            earliest = _earliest(reader, matches, story_of, ids)
            page = [(earliest[story_of[n] or ids[n]], score) for n, score in page]
        hits = [_hit(searcher, n, score, compiled.patterns, story_of, ids, collapse) for n, score in page]
        return SearchResult(query.text, hits, len(matches), len(stories), offset, filters=query.filters)

    return index.read(run)


def _ranked(searcher, compiled, matches: list[int], sort, wanted, story_of, ids, collapse) -> list[tuple[int, float]]:
    """(docnum, score) in display order, one per story when ``collapse``, at least ``wanted`` of them if there are."""
    if sort == "date":
        when = searcher.reader().column_reader("when")
        ordered = [(n, 0.0) for n in sorted(matches, key=lambda n: (-when[n], n))]
        return _collapse(ordered, story_of, ids, wanted) if collapse else ordered
    allowed = set(matches)
    k = None if wanted is None else max(10, wanted * 3)
    while True:
        results = searcher.search(compiled.query, filter=compiled.filter, limit=k)
        ordered = [(r.docnum, r.score) for r in results if r.docnum in allowed]
        shown = _collapse(ordered, story_of, ids, wanted) if collapse else ordered
        exhausted = k is None or results.scored_length() < k
        if exhausted or len(shown) >= wanted:
            return shown
        k *= 4


def _collapse(ordered, story_of, ids, wanted) -> list[tuple[int, float]]:
    seen: set[str] = set()
    shown = []
    for n, score in ordered:
        story = story_of[n] or ids[n]
        if story not in seen:
            seen.add(story)
            shown.append((n, score))
            if wanted is not None and len(shown) >= wanted:
                break
    return shown


def _earliest(reader, matches: list[int], story_of, ids) -> dict[str, int]:
    """story -> its earliest matching article (undated after dated, then by id)."""
    from newsgrep.index import UNDATED

    when = reader.column_reader("when")
    best: dict[str, tuple] = {}
    for n in matches:
        story = story_of[n] or ids[n]
        key = (when[n] == UNDATED, when[n], ids[n], n)
        if story not in best or key < best[story]:
            best[story] = key
    return {story: key[-1] for story, key in best.items()}


def _hit(searcher, docnum: int, score: float, patterns, story_of, ids, collapse: bool) -> Hit:
    from whoosh import query as wq

    article = decode_record(searcher.stored_fields(docnum)["record"])
    copies: tuple[Copy, ...] = ()
    story = story_of[docnum]
    if collapse and story:
        others = searcher.search(wq.Term("story", story), limit=None, scored=False, sortedby=None)
        outlets = searcher.reader().column_reader("outlet_name")
        copies = tuple(
            Copy(ids[n], outlets[n].decode("utf-8") or None) for n in sorted(others.docs()) if n != docnum and ids[n]
        )
    return hit_for(article, score, patterns, copies)


def _word_counts(searcher, index: NewsIndex, query: Query) -> tuple[WordCount, ...]:
    """How many articles each positive part of a query matches alone (for the zero-hit explanation).

    With filters, each count is within them, and the count without them is given too, so a user sees
    that the date range (not the word) is what excludes everything.
    """
    from newsgrep.query import positive_leaves

    counts = []
    for leaf in positive_leaves(query.root):
        shown = f'"{leaf.text}"' if isinstance(leaf, Phrase) else leaf.text
        if leaf.field:
            shown = f"{leaf.field}:{shown}"
        try:
            alone = compile_query(index, searcher, Query(shown, leaf, query.filters))
        except BadQuery:
            continue
        n = len(_matching_docnums(searcher, alone))
        unfiltered = None
        if query.filters:
            everywhere = compile_query(index, searcher, Query(shown, leaf))
            unfiltered = len(_matching_docnums(searcher, everywhere))
        counts.append(WordCount(shown, n, unfiltered))
    return tuple(counts)


def _suggestion(counts: tuple[WordCount, ...]) -> str | None:
    """The query without its rarest part, when that leaves something that matches."""
    if len(counts) < 2:
        return None
    rarest = min(counts, key=lambda c: c.articles)
    rest = [c for c in counts if c is not rarest]
    if all(c.articles for c in rest):
        return " ".join(c.word for c in rest)
    return None


def hit_for(article, score: float | None, patterns: list[re.Pattern[str]], copies: tuple[Copy, ...] = ()) -> Hit:
    """A hit for a stored article: title and snippet highlighted with ``patterns``."""
    return Hit(
        id=article.id,
        date=article.date,
        title=highlight(article.title, patterns),
        snippet=best_snippet(article.text, patterns),
        score=float(score or 0.0),
        path=article.source_path,
        url=article.url,
        outlet=article.outlet,
        author=article.author,
        copies=copies,
    )
