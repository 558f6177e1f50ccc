"""Keywords: the words most characteristic of the matching articles against the whole index (AntConc's keyness).

Keyness is Dunning's log-likelihood G² of a word's document frequency in
the matching articles against its document frequency in the whole index.
The index side is the index's own statistics (``Engine.document_frequencies``,
``Engine.doc_count``). The matching side reads text: the words of at most
``SAMPLE`` matching articles (evenly spread over them) and ``CHARS``
characters of each (title and the start of the body), cut by the segmenter
that built the index, so they are the words the index holds. Reading and
segmenting costs about 4 ms an article on the bench machine: a sample keeps
a 5,000-article match near 2 s, and the G² of the top words barely moves.
Only words more frequent in the matching articles than in the index are kept.

Left out: punctuation, numbers, single characters and a short list of Chinese
function words (both scripts; compared folded). Words are shown as most
often written in the sample (width and case folded, script kept).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from newsgrep.analysis import char_fold, fold, to_simplified
from newsgrep.engines.base import Engine, Row
from newsgrep.query import Filters, Query

SAMPLE = 500  # articles read at most
CHARS = 1500  # characters read of each (title and the start of the body)
BATCH = 200
MIN_ARTICLES = 2  # a word in fewer matching articles is not a keyword
CANDIDATES = 1000  # words looked up in the index (~0.4 ms each), the most widespread in the sample first

# Function words and reporting verbs of news prose, Traditional and Simplified as written;
# compared after folding, so one script would do, but a reader checks them in both.
_STOP_LIST = """
我們 我们 他們 他们 她們 她们 你們 你们 它們 它们 自己 大家 這個 这个 那個 那个 這些 这些 那些 這樣 这样 那樣 那样
什麼 什么 怎麼 怎么 如何 為何 为何 因為 因为 所以 但是 可是 不過 不过 而且 並且 并且 以及 或者 還是 还是 如果 雖然 虽然
即使 就是 不是 也是 都是 還有 还有 可以 可能 已經 已经 沒有 没有 不會 不会 應該 应该 需要 一個 一个 一些 其中 其他 之後 之后
之前 之間 之间 以上 以下 以來 以来 目前 同時 同时 透過 通过 經過 经过 由於 由于 對於 对于 關於 关于 並未 并未 今天 昨天 今年
去年 表示 指出 認為 认为 進行 进行 相關 相关 方面 這次 这次 此外 另外 包括 其實 其实 例如 以及 今日 日前 對此 对此
"""
STOP_WORDS = frozenset(fold(w) for w in _STOP_LIST.split())


@dataclass(frozen=True)
class Keyword:
    word: str  # as most often written in the matching articles
    term: str  # the folded word the index holds
    articles: int  # matching articles (of those read) holding it
    index_articles: int  # articles of the whole index holding it
    g2: float | None  # log-likelihood keyness; None without a query (ranked by index_articles)

    def to_dict(self) -> dict:
        return {**asdict(self), "g2": None if self.g2 is None else round(self.g2, 2)}


@dataclass(frozen=True)
class Keywords:
    words: list[Keyword]
    articles: int  # matching articles
    read: int  # of which were read (at most SAMPLE)
    index_articles: int  # articles in the index


def is_keyword(term: str) -> bool:
    """A folded word worth listing: two characters or more, a letter or ideograph among them, no function word."""
    return len(term) >= 2 and any(ch.isalpha() for ch in term) and term not in STOP_WORDS


def g2(a: int, n: int, c: int, total: int) -> float:
    """Dunning's G² of a word in ``a`` of ``n`` matching articles against ``c`` of ``total`` in the reference."""
    observed = (a, n - a, c, total - c)
    expected_share = (a + c) / (n + total)
    expected = (n * expected_share, n * (1 - expected_share), total * expected_share, total * (1 - expected_share))
    return 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o > 0 and e > 0)


def spread(matched: Sequence[Row], at_most: int) -> list[Row]:
    """At most ``at_most`` rows evenly spread over ``matched`` (all of them when there are fewer)."""
    if len(matched) <= at_most:
        return list(matched)
    step = len(matched) / at_most
    return [matched[int(i * step)] for i in range(at_most)]


def article_words(text: str, segmenter) -> dict[str, str]:
    """Folded keyword -> the word as written, for each distinct word of ``text`` (the index's terms, no offsets)."""
    found = {}
    for word in set(segmenter.cut(char_fold(text).text)):  # each distinct word once: folding is the cost
        if len(word) > 1:
            term = to_simplified(word)
            if is_keyword(term):
                found.setdefault(term, word)
    return found


def document_counts(engine: Engine, sample: Sequence[Row]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """In how many of ``sample``'s articles each folded keyword occurs, and how it was written there."""
    counts: Counter[str] = Counter()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for first in range(0, len(sample), BATCH):
        for article in engine.records([r.id for r in sample[first : first + BATCH]]):
            words = article_words((article.title + "\n" + article.text)[:CHARS], engine.index_segmenter)
            counts.update(words.keys())
            for term, word in words.items():
                forms[term][word] += 1
    return counts, forms


def keywords(engine: Engine, query: Query | None, filters: Filters | None = None, *, top: int = 20) -> Keywords:
    """The ``top`` keywords of what ``query`` matches; without a query, the index's most widespread words."""
    matched = engine.matching(query, filters)
    sample = spread(matched, SAMPLE)
    total = engine.doc_count()
    counts, forms = document_counts(engine, sample)
    floor = MIN_ARTICLES if len(sample) >= MIN_ARTICLES else 1
    candidates = [t for t, a in counts.most_common(CANDIDATES) if a >= floor]
    in_index = engine.document_frequencies(candidates)
    found = []
    for term in candidates:
        a, c = counts[term], max(in_index.get(term, 0), counts[term])
        if query is None:
            score = None
        elif a / len(sample) > c / total:
            score = g2(a, len(sample), c, total)
        else:
            continue
        found.append(Keyword(forms[term].most_common(1)[0][0], term, a, c, score))
    found.sort(key=lambda k: (-(k.g2 if k.g2 is not None else k.index_articles), k.term))
    return Keywords(found[:top], len(matched), len(sample), total)
