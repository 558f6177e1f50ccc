"""Related articles: the stored articles most similar to one, by its most telling words.

A more-like-this query: the article's words (query-mode analysis, so no
dictionary load) weighted by tf·idf against the index, the top ones OR-ed
together with those weights (``Engine.more_like``), the article's own story
left out. An engine's own more-like-this (Whoosh's ``more_like``) would
re-analyse the text with the index-time segmenter, which costs a second of
dictionary loading for a command that should feel instant.
"""

from __future__ import annotations

import math
from collections import Counter

from newsgrep.engines import Engine
from newsgrep.search import SearchResult, hit_for
from newsgrep.snippets import term_pattern

KEY_TERMS = 15
# The telling words of an article show in its first pages; a 5 MB article is not analysed whole
# (that took 84 s and 4.5 GB). Titles are always included.
KEY_TERM_CHARS = 20_000


def key_terms(engine: Engine, text: str, count: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The ``count`` words of ``text`` with the highest tf·idf in the index (single characters left out)."""
    from newsgrep.analysis import analyze

    tf = Counter(t.term for t in analyze(text, engine.query_segmenter, query=True) if len(t.term) > 1 and not t.term.isdigit())
    docs = max(1, engine.doc_count())
    scored = []
    for term, df in engine.document_frequencies(tf).items():
        if df > 1:  # a word only this article has cannot relate it to another
            scored.append((term, (1 + math.log(tf[term])) * math.log(docs / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:count]


def related(engine: Engine, article_id: str, limit: int = 5) -> SearchResult:
    """Articles most like the one with ``article_id`` (a unique prefix is enough), one per story.

    Copies of the article itself are not "related": they are the same story (``show`` lists them).
    """
    article = engine.get(article_id)
    own = engine.row(article.id)
    terms = key_terms(engine, article.title + "\n" + article.text[:KEY_TERM_CHARS])
    if not terms or own is None:
        return SearchResult(query=f"related:{article.id}", hits=[], total=0)
    top = terms[0][1] or 1.0  # every word in every article: weights are all 0
    found = engine.more_like([(term, weight / top) for term, weight in terms], own, limit)
    articles = {a.id: a for a in engine.records([i for i, _ in found])}
    patterns = [term_pattern([term]) for term, _ in terms]
    hits = [hit_for(articles[i], score, patterns) for i, score in found if i in articles]
    return SearchResult(query=f"related:{article.id}", hits=hits, total=len(hits))
