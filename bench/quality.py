"""Search quality of newsgrep on real news (issue #4): recall/precision, known-item ranking, SIGHAN segmentation.

    python bench/quality.py                 # everything, prints tables
    python bench/quality.py --quick         # fewer queries and articles
    python bench/quality.py --only recall   # or ranking, sighan
    python bench/quality.py --rebuild       # rewrite the cached corpus and rebuild its index
    python bench/quality.py --json          # one JSON object on stdout (progress on stderr)

Measurement only: it prints numbers beside their goals and asserts nothing.
Deterministic: every sample comes from ``random.Random(2026)`` over sorted
inputs. The corpus and its index are cached outside the repository (see
``corpus_quality.cache_folder``); the index is rebuilt when missing, when the
installed newsgrep refuses it as outdated, or with ``--rebuild``.

* **recall**: queries drawn from the corpus (single words of varied document
  frequency, words that also occur inside longer words, AND pairs, quoted
  phrases copied from the text, and a quarter of them in the other script);
  truth is plain substring search over each stored article's folded
  ``title + "\\n" + text``, so reader differences do not count.
* **ranking**: known-item search; queries of 2-3 salient words of one article
  (its title words, its top TF-IDF body words, both also in Simplified).
* **sighan**: word F1 of ``newsgrep analyze`` on the SIGHAN 2005 test sets.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_quality import cache_folder, open_index, shared_data, stored_articles  # noqa: E402

SEED = 2026
HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
GOAL_WORD_RECALL = 0.995
GOAL_MRR = 0.9
SIGHAN_FLOOR = {"as": 0.853, "cityu": 0.838, "msr": 0.813, "pku": 0.817}
# Document-frequency strata for single words (by how many articles segment the word).
DF_STRATA = ((1, 1), (2, 4), (5, 19), (20, 99), (100, 10**9))
OTHER_SCRIPT_SHARE = 0.25


def log(message: str) -> None:
    """Progress goes to stderr so ``--json`` output stays clean."""
    print(message, file=sys.stderr, flush=True)


def document_segmenter(index):
    """The segmenter documents are cut with (one ``segmenter`` before main split it into index and query engines)."""
    return getattr(index, "index_segmenter", None) or index.segmenter


def query_segmenter(index):
    """The segmenter queries are cut with."""
    return getattr(index, "query_segmenter", None) or index.segmenter


# ---------------------------------------------------------------------------
# The corpus as the bench sees it: stored articles, their folded text, their words.


@dataclass
class Corpus:
    """Stored articles with everything the measurements need, computed once."""

    ids: list[str]
    titles: dict[str, str]
    texts: dict[str, str]  # title + "\n" + text, original script
    folded: dict[str, str]  # fold() of texts: what truth is computed on
    words: dict[str, list[str]]  # segmentation of texts (title words + body words), original script
    title_words: dict[str, list[str]]  # segmentation of the title only
    body_words: dict[str, list[str]]  # segmentation of the body only
    segmented_df: Counter  # word -> number of articles whose segmentation contains it
    _folded_words: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_index(cls, index) -> Corpus:
        from newsgrep.analysis import fold, words

        articles = stored_articles(index)
        segmenter = document_segmenter(index)
        corpus = cls([], {}, {}, {}, {}, {}, {}, Counter())
        for article in articles:
            text = article.title + "\n" + article.text
            corpus.ids.append(article.id)
            corpus.titles[article.id] = article.title
            corpus.texts[article.id] = text
            corpus.folded[article.id] = fold(text)
            corpus.title_words[article.id] = words(article.title, segmenter)
            corpus.body_words[article.id] = words(article.text, segmenter)
            corpus.words[article.id] = corpus.title_words[article.id] + corpus.body_words[article.id]
            corpus.segmented_df.update(set(corpus.words[article.id]))
        return corpus

    def containing(self, needles: Sequence[str]) -> set[str]:
        """Ids of articles whose folded text contains every needle (already folded)."""
        return {i for i in self.ids if all(n in self.folded[i] for n in needles)}

    def folded_words(self, article_id: str) -> list[str]:
        """The article's words folded (as index terms are), computed on first use."""
        from newsgrep.analysis import fold

        if article_id not in self._folded_words:
            self._folded_words[article_id] = [fold(w) for w in self.words[article_id]]
        return self._folded_words[article_id]

    def idf(self, word: str) -> float:
        return math.log(len(self.ids) / (1 + self.segmented_df[word]))


def is_candidate_word(word: str) -> bool:
    """A query word: 2-4 Han characters."""
    return 2 <= len(word) <= 4 and bool(HAN.match(word))


def to_other_script(text: str) -> str:
    """Traditional text in Simplified (OpenCC t2s), or Simplified text in Traditional (s2t) when t2s changes nothing."""
    import opencc

    converted = opencc.OpenCC("t2s").convert(text)
    return converted if converted != text else opencc.OpenCC("s2t").convert(text)


def to_simplified(text: str) -> str:
    import opencc

    return opencc.OpenCC("t2s").convert(text)


# ---------------------------------------------------------------------------
# Recall and precision.


@dataclass(frozen=True)
class Query:
    kind: str  # word, embedded, pair, phrase, or other-script
    text: str  # what is passed to search()
    parts: tuple[str, ...]  # the words (or the one phrase) in the query's own script
    origin: str = ""  # for other-script queries: the kind it was converted from
    original: tuple[str, ...] = ()  # for other-script queries: the parts before conversion

    def needles(self) -> list[str]:
        """The folded strings an article must contain to be relevant."""
        from newsgrep.analysis import fold

        return [fold(p) for p in self.parts]


def make_query(kind: str, parts: Sequence[str]) -> Query:
    """A word (one part), an AND of words, or a quoted phrase."""
    text = f'"{parts[0]}"' if kind == "phrase" else " ".join(parts)
    return Query(kind, text, tuple(parts))


def convert_query(query: Query) -> Query:
    """The same query in the other script."""
    parts = tuple(to_other_script(p) for p in query.parts)
    converted = make_query(query.kind, parts)
    return Query("other-script", converted.text, parts, origin=query.kind, original=query.parts)


def conversion_drifts(query: Query) -> bool:
    """True when a converted query does not fold back to what it was converted from (OpenCC is not one-to-one)."""
    from newsgrep.analysis import fold

    return bool(query.original) and [fold(p) for p in query.original] != query.needles()


def embedded_words(vocabulary: Iterable[str]) -> set[str]:
    """Words of the vocabulary that also occur inside a longer word of it (軍售 in 軍售案)."""
    vocab = set(vocabulary)
    inside: set[str] = set()
    for long_word in vocab:
        if len(long_word) > 2 and HAN.match(long_word):
            for n in range(2, min(4, len(long_word) - 1) + 1):
                inside.update(long_word[i : i + n] for i in range(len(long_word) - n + 1))
    return vocab & inside


def sample_words(corpus: Corpus, rng: random.Random, n: int, pool: Iterable[str]) -> list[str]:
    """``n`` words from ``pool`` spread evenly over the document-frequency strata."""
    pool = sorted(w for w in set(pool) if is_candidate_word(w))
    per_stratum = max(1, n // len(DF_STRATA))
    chosen: list[str] = []
    for low, high in DF_STRATA:
        stratum = [w for w in pool if low <= corpus.segmented_df[w] <= high]
        chosen += rng.sample(stratum, min(per_stratum, len(stratum)))
    return chosen


def sample_pairs(corpus: Corpus, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` pairs of distinct candidate words that occur in one same article."""
    pairs = []
    for article_id in rng.sample(corpus.ids, n):
        words = sorted({w for w in corpus.words[article_id] if is_candidate_word(w)})
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            pairs.append((a, b))
    return pairs


def sample_phrases(corpus: Corpus, rng: random.Random, n: int) -> list[str]:
    """``n`` runs of 2-4 adjacent words copied verbatim from the text (no space or punctuation inside)."""
    from newsgrep.analysis import is_searchable

    phrases = []
    for article_id in rng.sample(corpus.ids, n):
        words, text = corpus.words[article_id], corpus.texts[article_id]
        for _ in range(20):  # a few tries to land on a run without punctuation
            size = rng.randint(2, 4)
            start = rng.randrange(max(1, len(words) - size))
            run = words[start : start + size]
            phrase = "".join(run)
            if (
                len(run) == size
                and all(is_searchable(w) and '"' not in w for w in run)
                and any(HAN.match(w) for w in run)
                and phrase in text
            ):
                phrases.append(phrase)
                break
    return phrases


def generate_queries(corpus: Corpus, rng: random.Random, scale: float) -> list[Query]:
    """The recall query set: words, embedded words, pairs, phrases; a quarter of them turned into the other script."""
    vocabulary = sorted(corpus.segmented_df)
    n_words, n_embedded, n_pairs, n_phrases = (max(5, round(k * scale)) for k in (150, 75, 100, 150))
    queries = [make_query("word", [w]) for w in sample_words(corpus, rng, n_words, vocabulary)]
    queries += [make_query("embedded", [w]) for w in sample_words(corpus, rng, n_embedded, embedded_words(vocabulary))]
    queries += [make_query("pair", list(p)) for p in sample_pairs(corpus, rng, n_pairs)]
    queries += [make_query("phrase", [p]) for p in sample_phrases(corpus, rng, n_phrases)]
    converted = set(rng.sample(range(len(queries)), round(len(queries) * OTHER_SCRIPT_SHARE)))
    return [convert_query(q) if i in converted else q for i, q in enumerate(queries)]


@dataclass
class Outcome:
    query: Query
    truth: set[str]
    found: set[str]
    error: str = ""

    @property
    def missed(self) -> set[str]:
        return self.truth - self.found

    @property
    def extra(self) -> set[str]:
        return self.found - self.truth

    @property
    def recall(self) -> float | None:
        return None if not self.truth else len(self.truth & self.found) / len(self.truth)

    @property
    def precision(self) -> float:
        """Share of results that are relevant; 1.0 for an empty result (nothing wrong was returned)."""
        return 1.0 if not self.found else len(self.truth & self.found) / len(self.found)


def run_queries(index, corpus: Corpus, queries: Sequence[Query]) -> list[Outcome]:
    """Search every query with no limit and compare with substring truth."""
    from newsgrep.errors import BadQuery
    from newsgrep.search import search

    outcomes = []
    for query in queries:
        truth = corpus.containing(query.needles())
        try:
            found = {hit.id for hit in search(index, query.text, limit=None, collapse=False).hits}
            error = ""
        except BadQuery as e:
            found, error = set(), str(e)
        outcomes.append(Outcome(query, truth, found, error))
    return outcomes


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def summarize_recall(outcomes: Sequence[Outcome]) -> list[dict]:
    """One row per query kind, plus all: counts, macro recall and precision, imperfect queries."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.query.kind].append(o)
    groups["all"] = list(outcomes)
    rows = []
    for kind in ("word", "embedded", "pair", "phrase", "other-script", "all"):
        group = groups.get(kind, [])
        if not group:
            continue
        scored = [o for o in group if o.recall is not None]
        rows.append(
            {
                "kind": kind,
                "queries": len(group),
                "recall": mean(o.recall for o in scored),
                "precision": mean(o.precision for o in group),
                "recall<1": sum(o.recall < 1 for o in scored),
                "precision<1": sum(o.precision < 1 for o in group),
                "result!=truth": sum(o.found != o.truth for o in group),
                "no truth": len(group) - len(scored),
                "errors": sum(bool(o.error) for o in group),
            }
        )
    return rows


# Why a missed article was missed, judged from its own segmentation at the text the query needs,
# from most to least findable by a word index.
MISS_CAUSES = (
    "same words as the query",  # the article has exactly the query's terms there: search should have found it
    "segmented differently",  # whole words, but not the query's (全|聯 for 全聯, 罪嫌 for 罪)
    "inside a longer word",  # 全聯 in 全聯會, not indexed as a sub-word
    "crosses a word boundary",  # 有關 in 有|關心: a substring, not a word
)


@dataclass(frozen=True)
class Occurrence:
    cause: str
    context: str  # the article's folded words around the occurrence, split by |


def occurrences(tokens: Sequence[str], needle: str, terms: Sequence[str]) -> Iterator[Occurrence]:
    """Every occurrence of ``needle`` in the folded words ``tokens``, classified against the query's ``terms``."""
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token)
    joined = "".join(tokens)
    at = joined.find(needle)
    while at >= 0:
        end = at + len(needle)
        first, last = bisect.bisect_right(starts, at) - 1, bisect.bisect_right(starts, end - 1) - 1
        aligned = starts[first] == at and starts[last] + len(tokens[last]) == end
        if aligned:
            cause = MISS_CAUSES[0] if list(tokens[first : last + 1]) == list(terms) else MISS_CAUSES[1]
        else:
            cause = MISS_CAUSES[2] if first == last else MISS_CAUSES[3]
        yield Occurrence(cause, "|".join(tokens[max(0, first - 1) : last + 2]))
        at = joined.find(needle, at + 1)


def diagnose(index, corpus: Corpus, query: Query, article_id: str) -> Occurrence:
    """Why ``article_id`` was missed: for each query part its most findable occurrence; the least findable part wins."""
    tokens = corpus.folded_words(article_id)
    per_part = []
    for part, needle in zip(query.parts, query.needles()):
        found = list(occurrences(tokens, needle, query_terms(index, part)))
        if found:
            per_part.append(min(found, key=lambda o: MISS_CAUSES.index(o.cause)))
    if not per_part:
        return Occurrence("not in the segmented text", "")
    return max(per_part, key=lambda o: MISS_CAUSES.index(o.cause))


def query_terms(index, text: str) -> list[str]:
    """The terms a query word (or phrase) becomes in query mode."""
    from newsgrep.analysis import analyze

    return [t.term for t in analyze(text, query_segmenter(index), query=True)]


def miss_causes(index, corpus: Corpus, outcomes: Sequence[Outcome]) -> list[dict]:
    """Missed (query, article) pairs counted by cause, one row per query kind."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        for article_id in sorted(o.missed):
            counts[o.query.kind][diagnose(index, corpus, o.query, article_id).cause] += 1
    causes = [*MISS_CAUSES, "not in the segmented text"]
    return [{"kind": kind, **{c: counts[kind][c] for c in causes}} for kind in counts]


def worst_examples(index, corpus: Corpus, outcomes: Sequence[Outcome], n: int = 12) -> list[dict]:
    """The queries with most missed articles (then most extra ones), each with its first missed article diagnosed."""
    bad = [o for o in outcomes if o.missed or o.extra]
    bad.sort(key=lambda o: (-len(o.missed), -len(o.extra), o.query.text))
    examples = []
    for o in bad[:n]:
        example = {
            "kind": o.query.kind + (f"<{o.query.origin}" if o.query.origin else ""),
            "query": o.query.text,
            "query_terms": " ".join("|".join(query_terms(index, p)) for p in o.query.parts),
            "truth": len(o.truth),
            "found": len(o.found),
            "missed": len(o.missed),
            "extra": len(o.extra),
        }
        if o.missed:
            article_id = min(o.missed)
            why = diagnose(index, corpus, o.query, article_id)
            example["a missed article"] = f"{article_id[:8]} {why.cause}: {why.context}"
        else:
            example["a missed article"] = f"(extra: {min(o.extra)[:8]})"
        examples.append(example)
    return examples


def measure_recall(index, corpus: Corpus, rng: random.Random, scale: float) -> dict:
    queries = generate_queries(corpus, rng, scale)
    log(f"recall: {len(queries)} queries")
    started = time.perf_counter()
    outcomes = run_queries(index, corpus, queries)
    return {
        "rows": summarize_recall(outcomes),
        "miss_causes": miss_causes(index, corpus, outcomes),
        "worst": worst_examples(index, corpus, outcomes),
        "seconds": round(time.perf_counter() - started, 1),
        "conversion_drifts": [q.text for q in queries if conversion_drifts(q)],
    }


# ---------------------------------------------------------------------------
# Known-item ranking.

RANKING_VARIANTS = ("title", "title-simplified", "keywords", "keywords-simplified")


@dataclass(frozen=True)
class KnownItem:
    variant: str
    target: str
    text: str


def salient_title_words(corpus: Corpus, article_id: str, k: int) -> list[str]:
    """The ``k`` rarest words of the title (highest IDF; Han words of 2+ characters), in title order."""
    words = [w for w in dict.fromkeys(corpus.title_words[article_id]) if len(w) >= 2 and HAN.match(w)]
    chosen = set(sorted(words, key=lambda w: (-corpus.idf(w), words.index(w)))[:k])
    return [w for w in words if w in chosen]


def body_keywords(corpus: Corpus, article_id: str, k: int) -> list[str]:
    """The ``k`` body words with the highest TF-IDF (Han words of 2+ characters)."""
    tf = Counter(w for w in corpus.body_words[article_id] if len(w) >= 2 and HAN.match(w))
    return sorted(tf, key=lambda w: (-tf[w] * corpus.idf(w), w))[:k]


def known_items(corpus: Corpus, rng: random.Random, n: int) -> list[KnownItem]:
    """For ``n`` sampled articles, one query per variant of 2-3 salient words."""
    items = []
    for article_id in rng.sample(corpus.ids, min(n, len(corpus.ids))):
        k = rng.choice((2, 3))
        for variant, words in (("title", salient_title_words(corpus, article_id, k)), ("keywords", body_keywords(corpus, article_id, k))):
            if len(words) < 2:
                continue
            text = " ".join(words)
            items.append(KnownItem(variant, article_id, text))
            items.append(KnownItem(variant + "-simplified", article_id, to_simplified(text)))
    return items


def unmatched_terms(index, corpus: Corpus, item: KnownItem) -> str:
    """Query terms that are not words of the target article, each with the target's words where its text occurs."""
    tokens = corpus.folded_words(item.target)
    words = set(tokens)
    shown = []
    for term in query_terms(index, item.text):
        if term not in words:
            where = next(occurrences(tokens, term, [term]), None)
            shown.append(f"{term}: {where.context if where else '(absent)'}")
    return "; ".join(shown)


def rank_of(corpus: Corpus, item: KnownItem, hit_ids: Sequence[str], *, same_title: bool) -> int | None:
    """1-based rank of the target among the hits (or of an article with the identical title), None if absent."""
    title = corpus.titles[item.target]
    for rank, hit_id in enumerate(hit_ids, 1):
        if hit_id == item.target or (same_title and corpus.titles.get(hit_id) == title):
            return rank
    return None


def measure_ranking(index, corpus: Corpus, rng: random.Random, n_articles: int) -> dict:
    from newsgrep.search import search

    items = known_items(corpus, rng, n_articles)
    log(f"ranking: {len(items)} known-item queries over {n_articles} articles")
    started = time.perf_counter()
    ranked: list[tuple[KnownItem, int | None, int | None, list[str]]] = []
    for item in items:
        hit_ids = [hit.id for hit in search(index, item.text, limit=10, collapse=False).hits]
        ranked.append((item, rank_of(corpus, item, hit_ids, same_title=True), rank_of(corpus, item, hit_ids, same_title=False), hit_ids))
    rows = []
    for variant in (*RANKING_VARIANTS, "all"):
        group = [r for r in ranked if variant in ("all", r[0].variant)]
        if not group:
            continue
        rows.append(
            {
                "variant": variant,
                "queries": len(group),
                "mrr@10": mean(1 / r[1] if r[1] else 0.0 for r in group),
                "success@1": mean(r[1] == 1 for r in group),
                "success@10": mean(r[1] is not None for r in group),
                "mrr@10 (exact id)": mean(1 / r[2] if r[2] else 0.0 for r in group),
            }
        )
    title_counts = Counter(corpus.titles.values())
    failures = [r for r in ranked if r[1] is None or r[1] > 3]
    failures.sort(key=lambda r: (r[1] is not None, -(r[1] or 0), r[0].text))
    return {
        "rows": rows,
        "articles_sharing_a_title": sum(c for c in title_counts.values() if c > 1),
        "worst": [
            {
                "variant": item.variant,
                "query": item.text,
                "query_terms": "|".join(query_terms(index, item.text)),
                "rank": rank,
                "target": f"{item.target[:8]} {corpus.titles[item.target]}",
                "first hit": f"{hits[0][:8]} {corpus.titles[hits[0]]}" if hits else "(no hits)",
                "target's words": unmatched_terms(index, corpus, item),
            }
            for item, rank, _, hits in failures[:10]
        ],
        "seconds": round(time.perf_counter() - started, 1),
    }


# ---------------------------------------------------------------------------
# SIGHAN 2005 word segmentation.


def read_lines(path: Path) -> list[str]:
    """The lines of a SIGHAN file: BOM and CRLF removed, trailing empty line dropped."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def segment_with_cli(lines: Sequence[str], index_path: Path) -> list[str]:
    """``newsgrep analyze`` with the lines on standard input; one output line per input line."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsgrep", "analyze", "--index", str(index_path)],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**__import__("os").environ, "PYTHONIOENCODING": "utf-8"},
        check=True,
    )
    return proc.stdout.split("\n")[: len(lines)]


def score_segmentation(gold_lines: Sequence[str], predicted_lines: Sequence[str]) -> dict:
    """Word precision, recall and F1 over spans; whitespace of every kind separates words and is not a character."""
    from newsgrep.segmentation import word_spans

    correct = gold_total = predicted_total = misaligned = 0
    for gold_line, predicted_line in zip(gold_lines, predicted_lines):
        gold, predicted = gold_line.split(), predicted_line.split()
        if "".join(gold) != "".join(predicted):
            misaligned += 1
        gold_spans, predicted_spans = set(word_spans(gold)), set(word_spans(predicted))
        correct += len(gold_spans & predicted_spans)
        gold_total += len(gold_spans)
        predicted_total += len(predicted_spans)
    precision = correct / predicted_total if predicted_total else 0.0
    recall = correct / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "misaligned_lines": misaligned, "lines": len(gold_lines)}


def measure_sighan(shared: Path, index_path: Path) -> dict:
    folder = shared / "sighan2005"
    rows = []
    started = time.perf_counter()
    for name in SIGHAN_FLOOR:
        test = read_lines(folder / "testing" / f"{name}_test.utf8")
        gold = read_lines(next((folder / "gold").glob(f"{name}_*gold.utf8")))  # as_testing_gold, pku_test_gold, …
        predicted = segment_with_cli(test, index_path)
        rows.append({"set": name.upper() if name != "cityu" else "CityU", **score_segmentation(gold, predicted), "floor": SIGHAN_FLOOR[name]})
        log(f"sighan: {name} done")
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------------------
# Output.


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """Rows of dicts as an aligned text table (wide characters count double)."""
    if not rows:
        return "(none)"
    columns = list(columns or rows[0])
    cells = [columns] + [[fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c + " " * (w - display_width(c)) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(results: dict) -> str:
    """The human-readable report."""
    out = [f"newsgrep quality bench (seed {SEED}) — corpus: {results['corpus']}"]
    if "recall" in results:
        r = results["recall"]
        word = next((row for row in r["rows"] if row["kind"] == "word"), {})
        phrase = next((row for row in r["rows"] if row["kind"] == "phrase"), {})
        out += [
            "",
            f"RECALL / PRECISION  search(index, q, limit=None) vs substring truth on fold(title + text)  ({r['seconds']}s)",
            table(r["rows"]),
            f"goal: word recall >= {GOAL_WORD_RECALL}: {fmt(word.get('recall'))} "
            f"({'met' if (word.get('recall') or 0) >= GOAL_WORD_RECALL else 'NOT met'})",
            f"goal: phrase results exactly equal to truth: {phrase.get('result!=truth', '-')} of {phrase.get('queries', '-')} phrase queries differ",
            "precision of an empty result counts as 1.0; 'no truth' = query matches nothing by substring (left out of recall)",
            f"other-script queries whose fold differs from the original's fold: {len(r['conversion_drifts'])} {r['conversion_drifts'][:5]}",
            "",
            "missed (query, article) pairs by cause, from the article's own segmentation where the text occurs",
            table(r["miss_causes"]),
            "",
            "worst queries (a missed article: id, cause, its folded words around the text split by |)",
            table(r["worst"]),
        ]
    if "ranking" in results:
        k = results["ranking"]
        mrr = next(row for row in k["rows"] if row["variant"] == "all")["mrr@10"]
        out += [
            "",
            f"KNOWN-ITEM RANKING  search(index, q, limit=10), 2-3 salient words per query  ({k['seconds']}s)",
            table(k["rows"]),
            f"goal: MRR@10 >= {GOAL_MRR}: {fmt(mrr)} ({'met' if mrr >= GOAL_MRR else 'NOT met'})",
            f"a hit on another article with the identical title counts as success (near-duplicates; "
            f"{k['articles_sharing_a_title']} articles share a title); 'exact id' counts the target only",
            "",
            "worst known-item queries",
            table(k["worst"]),
        ]
    if "sighan" in results:
        s = results["sighan"]
        rows = [{**row, "meets floor": row["f1"] >= row["floor"]} for row in s["rows"]]
        out += [
            "",
            f"SIGHAN 2005 SEGMENTATION  newsgrep analyze (stdin) vs gold, word-span F1  ({s['seconds']}s)",
            table(rows, ["set", "lines", "precision", "recall", "f1", "floor", "meets floor", "misaligned_lines"]),
        ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer queries and articles")
    parser.add_argument("--rebuild", action="store_true", help="rewrite the cached corpus and rebuild its index")
    parser.add_argument("--only", choices=("recall", "ranking", "sighan"), help="run one measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)

    shared = shared_data()
    if shared is None:
        log("no shared data: set NEWSGREP_SHARED or put shared/ beside the project")
        return 2
    cache = cache_folder()
    started = time.perf_counter()
    results: dict = {"corpus": "-", "quick": args.quick}
    if args.only in (None, "recall", "ranking"):
        index = open_index(shared, cache, rebuild=args.rebuild, log=log)
        corpus = Corpus.from_index(index)
        results["corpus"] = f"{len(corpus.ids)} articles (tw-news-2025 + pts-2025) in {cache}"
        if args.only in (None, "recall"):
            results["recall"] = measure_recall(index, corpus, random.Random(SEED), 0.25 if args.quick else 1.0)
        if args.only in (None, "ranking"):
            results["ranking"] = measure_ranking(index, corpus, random.Random(SEED), 50 if args.quick else 200)
    if args.only in (None, "sighan"):
        results["sighan"] = measure_sighan(shared, cache / "index")
    results["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else render(results) + f"\n\ntotal {results['seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
