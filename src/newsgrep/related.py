"""Related articles: the stored articles most similar to one, by its most telling words.

A more-like-this query: the article's words (query-mode analysis, so no
dictionary load) weighted by tf·idf against the index, the top ones OR-ed
together with those weights, the article itself left out. Whoosh's own
``more_like`` would re-analyse the text with the index-time segmenter, which
costs a second of dictionary loading for a command that should feel instant.
"""

from __future__ import annotations

import math
from collections import Counter

from newsgrep.index import NewsIndex, decode_record
from newsgrep.search import Hit, SearchResult, hit_for
from newsgrep.snippets import term_pattern

KEY_TERMS = 15
# The telling words of an article show in its first pages; a 5 MB article is not analysed whole
# (that took 84 s and 4.5 GB). Titles are always included.
KEY_TERM_CHARS = 20_000


def key_terms(index: NewsIndex, searcher, text: str, count: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The ``count`` words of ``text`` with the highest tf·idf in the index (single characters left out)."""
    from newsgrep.analysis import analyze

    tf = Counter(t.term for t in analyze(text, index.query_segmenter, query=True) if len(t.term) > 1 and not t.term.isdigit())
    docs = max(1, searcher.doc_count())
    scored = []
    for term, freq in tf.items():
        df = searcher.doc_frequency("body", term)
        if df > 1:  # a word only this article has cannot relate it to another
            scored.append((term, (1 + math.log(freq)) * math.log(docs / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:count]


def related(index: NewsIndex, article_id: str, limit: int = 5) -> SearchResult:
    """Articles most like the one with ``article_id`` (a unique prefix is enough)."""
    from whoosh import query as wq

    article = index.get(article_id)

    def run(searcher) -> SearchResult:
        terms = key_terms(index, searcher, article.title + "\n" + article.text[:KEY_TERM_CHARS])
        if not terms:
            return SearchResult(query=f"related:{article.id}", hits=[], total=0)
        top = terms[0][1] or 1.0  # every word in every article: weights are all 0
        q = wq.Or([wq.Term(field, term, boost=weight / top) for term, weight in terms for field in ("title", "body")])
        # Copies of the article itself are not "related": they are the same story (show lists them).
        own = searcher.document(id=article.id) or {}
        mask = wq.Or([wq.Term("id", article.id)] + ([wq.Term("story", own["story"])] if own.get("story") else []))
        results = searcher.search(q, limit=limit, mask=mask, collapse="story")
        patterns = [term_pattern([term]) for term, _ in terms]
        hits: list[Hit] = [hit_for(decode_record(r["record"]), r.score, patterns) for r in results]
        return SearchResult(query=f"related:{article.id}", hits=hits, total=len(hits))

    return index.read(run)
