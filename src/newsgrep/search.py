"""Searching: parse the user's query with the index's own analyzer, run it, build hits with snippets.

Query language (Whoosh's parser, trimmed to what a news search needs):
words separated by spaces must all match; ``OR``; ``NOT word`` or ``-word``;
``"quoted phrase"`` (words adjacent, in order); ``title:word``; parentheses.
Each word is analysed exactly as indexed text is (``analysis``), in query
mode: whole words, width, case and script folded, so ``台灣`` and ``台湾``
are the same term.

Recall beyond segmentation: a query word made of ideographs also matches
wherever its characters appear in a row (the ``grams`` field of character
bigrams: ``軍售`` inside ``軍售案``, ``台北市`` cut as ``台北|市議員``), with a
lower weight, so whole-word and title matches still rank first.

Phrases are exact. An ideograph phrase (quoted, or one typed word that
segments into several) must match its bigrams at consecutive positions, which
is exactly substring matching on the folded text; the word phrase only adds to
the score. A required phrase with Latin letters or digits is matched as "all
its words" and each candidate's folded text is then checked for the phrase.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from newsgrep.errors import BadQuery
from newsgrep.index import NewsIndex, decode_record, index_datetime
from newsgrep.snippets import Snippet, best_snippet, highlight, term_pattern

SEARCH_FIELDS = ("title", "body")
TITLE_BOOST = 2.0
# Weight of a character-bigram match relative to a whole-word match.
GRAM_WEIGHT = 0.3
MAX_QUERY_CHARS = 1000
_QUOTED = re.compile(r'"([^"]+)"')
SortOrder = Literal["score", "date"]


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title.text,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
        }


@dataclass(frozen=True)
class WordCount:
    """How many articles one query word (or phrase) matches on its own: the zero-hit explanation."""

    word: str
    articles: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # see ``search``: exact when counted, else the number of hits
    # When nothing matched: each positive word's own count, and the query without the rarest word.
    word_counts: tuple[WordCount, ...] = ()
    suggestion: str | None = None


@dataclass(frozen=True)
class PreparedQuery:
    """A parsed query, rewritten for recall, with what snippets and phrase checks need."""

    query: Any
    patterns: list[re.Pattern[str]]
    phrases: list[re.Pattern[str]]


def make_parser(schema):
    from whoosh import qparser

    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts={"title": TITLE_BOOST})
    for plugin in (qparser.WildcardPlugin, qparser.RangePlugin, qparser.FieldsPlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.FieldsPlugin(expr=r"(?P<text>title|body):"))
    parser.add_plugin(qparser.PlusMinusPlugin())
    return parser


def parse_query(index: NewsIndex, text: str):
    """The Whoosh query for ``text``; BadQuery when it is empty, too long or holds no searchable word."""
    from whoosh import query as wq

    if not text or not text.strip():
        raise BadQuery("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        text = "".join(ch if ord(ch) >= 32 else " " for ch in text)
    try:
        parsed = make_parser(index.schema).parse(text)
    except Exception as e:  # Whoosh raises assorted errors on malformed input
        raise BadQuery(f"cannot parse query {text!r}: {e}") from None
    if parsed is wq.NullQuery or not search_patterns(parsed) or _only_negative(parsed):
        raise BadQuery(f"query {text!r} has no searchable words")
    return parsed


def _only_negative(q) -> bool:
    from whoosh import query as wq

    return isinstance(q, wq.Not) or (isinstance(q, wq.And) and all(isinstance(c, wq.Not) for c in q.children()))


def prepare(index: NewsIndex, text: str) -> PreparedQuery:
    """Parse ``text`` and rewrite it: terms expanded to the indexed words containing them, required phrases exact."""
    parsed = parse_query(index, text)
    phrase_texts = _quoted_phrase_texts(index, text)
    phrases: list[re.Pattern[str]] = []
    rewritten = _rewrite(parsed, phrase_texts, phrases, required=True)
    return PreparedQuery(rewritten, search_patterns(parsed), phrases)


def _quoted_phrase_texts(index: NewsIndex, text: str) -> dict[tuple[str, ...], str]:
    """Each quoted phrase of the raw query, folded, keyed by its analysed words (how Whoosh's Phrase knows it)."""
    from newsgrep.analysis import analyze, fold

    found = {}
    for phrase in _QUOTED.findall(text):
        words = tuple(t.term for t in analyze(phrase, index.query_segmenter, query=True))
        if words:
            found[words] = fold(phrase).strip()
    return found


def phrase_pattern(folded_phrase: str) -> re.Pattern[str]:
    """Exact match of a folded phrase; a space in it matches any run of spaces (or none between ideographs)."""
    parts = re.split(r"\s+", folded_phrase)
    pattern = ""
    for left, right in zip(parts, parts[1:]):
        pattern += re.escape(left) + (r"\s+" if left[-1:].isascii() and right[:1].isascii() else r"\s*")
    return re.compile(pattern + re.escape(parts[-1]))


def gram_query(folded: str, boost: float = 1.0):
    """Where the ideographs ``folded`` occur in a row: bigrams at consecutive positions (a prefix for one character)."""
    from whoosh import query as wq

    from newsgrep.analysis import bigrams

    if len(folded) == 1:
        return wq.Prefix("grams", folded, boost=boost)
    grams = [gram for gram, _ in bigrams(folded)]
    return wq.Term("grams", grams[0], boost=boost) if len(grams) == 1 else wq.Phrase("grams", grams, boost=boost)


def _rewrite(node, phrase_texts, phrases: list, *, required: bool):
    """Add bigram matching to ideograph words and phrases; collect patterns of required non-ideograph phrases."""
    from whoosh import query as wq

    from newsgrep.analysis import is_han

    term = _as_term(node)
    if term is not None:
        return wq.Or([node, gram_query(term, GRAM_WEIGHT)]) if is_han(term) else node
    words = _as_phrase(node)
    if words is not None:
        folded = re.sub(r"\s+", "", phrase_texts.get(words, "")) or "".join(words)
        if is_han(folded):
            return wq.AndMaybe(gram_query(folded), node)
        if not required:
            return node
        phrases.append(phrase_pattern(phrase_texts.get(words) or " ".join(words)))
        return wq.And([_rewrite(wq.Or([wq.Term(f, w) for f in SEARCH_FIELDS]), {}, [], required=False) for w in words])
    if isinstance(node, (wq.Not, wq.Or, wq.AndNot)) or not isinstance(node, wq.CompoundQuery):
        required = False
    if isinstance(node, (wq.CompoundQuery, wq.Not)):
        return node.apply(lambda child: _rewrite(child, phrase_texts, phrases, required=required))
    return node


def _as_term(node) -> str | None:
    """The word of a Term on a text field, or of an OR of the same Term over several fields."""
    from whoosh import query as wq

    kids = node.subqueries if isinstance(node, wq.Or) else [node]
    if kids and all(isinstance(k, wq.Term) and k.fieldname in SEARCH_FIELDS for k in kids):
        if len({k.text for k in kids}) == 1:
            return kids[0].text
    return None


def _as_phrase(node) -> tuple[str, ...] | None:
    """The words of a Phrase on a text field, or of an OR of the same phrase over several fields."""
    from whoosh import query as wq

    kids = node.subqueries if isinstance(node, wq.Or) else [node]
    if kids and all(isinstance(k, wq.Phrase) and k.fieldname in SEARCH_FIELDS for k in kids):
        if len({tuple(k.words) for k in kids}) == 1:
            return tuple(kids[0].words)
    return None


def search_patterns(q) -> list[re.Pattern[str]]:
    """One snippet pattern per positive term or phrase of the query (terms under NOT are skipped)."""
    from whoosh import query as wq

    patterns: dict[str, re.Pattern[str]] = {}

    def walk(node) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Term) and node.fieldname in SEARCH_FIELDS:
            words = [node.text]
        elif isinstance(node, wq.Phrase) and node.fieldname in SEARCH_FIELDS:
            words = list(node.words)
        else:
            for child in node.children():
                walk(child)
            return
        key = " ".join(words)
        if key not in patterns:
            patterns[key] = term_pattern(words)

    walk(q)
    return list(patterns.values())


def date_filter(since: dt.date | None, until: dt.date | None):
    from whoosh.query import DateRange

    if since is None and until is None:
        return None
    start = index_datetime(since) if since else None
    end = dt.datetime.combine(until, dt.time.max) if until else None
    return DateRange("date", start, end)


def search(
    index: NewsIndex,
    text: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    sort: SortOrder = "score",
    limit: int | None = 10,
    count: bool = False,
) -> SearchResult:
    """Run ``text`` against the index; hits carry a snippet from the stored article.

    ``total`` is exact when ``count`` is set, when there is no limit or for a
    phrase query; otherwise it is the number of hits returned, because counting
    every match runs the whole query a second time.
    """
    prepared = prepare(index, text)

    def run(searcher) -> SearchResult:
        kwargs: dict[str, Any] = {"filter": date_filter(since, until)}
        if sort == "date":
            kwargs.update(sortedby="date", reverse=True)
        if prepared.phrases:  # every candidate must be checked before the count is known
            results = searcher.search(prepared.query, limit=None, **kwargs)
            hits, total = _verified_hits(results, prepared, limit)
        else:
            results = searcher.search(prepared.query, limit=limit, **kwargs)
            hits = [hit_for(decode_record(r["record"]), r.score, prepared.patterns) for r in results]
            total = len(results) if count or limit is None else len(hits)
        if total:
            return SearchResult(query=text, hits=hits, total=total)
        counts = _word_counts(searcher, index, text, kwargs["filter"])
        return SearchResult(query=text, hits=[], total=0, word_counts=counts, suggestion=_suggestion(text, counts))

    return index.read(run)


def _verified_hits(results, prepared: PreparedQuery, limit: int | None) -> tuple[list[Hit], int]:
    """Hits whose folded text holds every required phrase; all candidates are checked, for an exact count."""
    from newsgrep.analysis import fold_text

    hits: list[Hit] = []
    total = 0
    for r in results:
        article = decode_record(r["record"])
        folded = fold_text(article.title + "\n" + article.text).text
        if all(p.search(folded) for p in prepared.phrases):
            total += 1
            if limit is None or len(hits) < limit:
                hits.append(hit_for(article, r.score, prepared.patterns))
    return hits, total


def _positive_parts(text: str) -> list[str]:
    """The query's positive words and quoted phrases, as typed (operators and negated words left out)."""
    parts = re.findall(r'-?"[^"]*"|\S+', text)
    return [p for p in parts if not p.startswith("-") and p not in ("AND", "OR", "NOT") and p.strip('"()')]


def _word_counts(searcher, index: NewsIndex, text: str, date_filter_query) -> tuple[WordCount, ...]:
    """How many articles each positive part of a query matches alone (for the zero-hit explanation)."""
    counts = []
    for part in _positive_parts(text):
        try:
            prepared = prepare(index, part)
        except BadQuery:
            continue
        results = searcher.search(prepared.query, limit=None, filter=date_filter_query)
        n = _verified_hits(results, prepared, 0)[1] if prepared.phrases else len(results)
        counts.append(WordCount(part, n))
    return tuple(counts)


def _suggestion(text: str, counts: tuple[WordCount, ...]) -> str | None:
    """The query without its rarest part, when that leaves something that matches."""
    if len(counts) < 2:
        return None
    rarest = min(counts, key=lambda c: c.articles)
    rest = [c for c in counts if c is not rarest]
    if all(c.articles for c in rest):
        return " ".join(c.word for c in rest)
    return None


def hit_for(article, score: float | None, patterns: list[re.Pattern[str]]) -> Hit:
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
    )
