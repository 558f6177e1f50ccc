"""Copies and near-copies of one story (newsgrep.stories): precision and recall of the grouping by threshold.

    python bench/stories.py               # read the corpora (~15 s), label pairs, print the table
    python bench/stories.py --borderline 40   # also print 40 pairs near the threshold, for hand-checking
    python bench/stories.py --unlabelled  # list similar pairs no rule or hand label decides (to label them)
    python bench/stories.py --json        # the figures as one JSON object on stdout

Articles are every record ``newsgrep.readers.read_file`` finds in ``shared/data/corpora`` (read in place,
never copied). Pairs are labelled as follows; "the same story" means one text is a copy, a re-crawl or
an edit of the other, or both run one wire text, about one event.

Known copies (positives), joined transitively into known groups:
  twin      a PTS ``*_cleaned.json`` article and the raw-file article with the same title and date
  recrawl   records with the same URL in several crawl files (the index keeps one of them)
  sametext  identical title and text under different ids (what ingest counts as "duplicate text")
  hand      pairs checked by hand in ``bench/stories_labels.tsv`` (wire copies with another headline, …)

Known different stories (negatives):
  random    random pairs of articles from different known groups
  outletday same outlet, same day, different known groups
  topic     headlines sharing a rare 3-character run (a name, a place), different known groups
  hand      pairs checked by hand and found to be different stories (follow-ups, other events)
  teaser    pages whose scraped body is the site's list of other stories (every 壹蘋 page in this crawl):
            two with different headlines are different stories, however alike their bodies

Every pair of articles that share an LSH band key and whose shingle sets have a Jaccard index of 0.3 or
more is labelled too: by the rules above, else by hand; ``--unlabelled`` lists those still undecided.
A negative from the random/outletday/topic samples with exact Jaccard >= 0.3 counts only when a hand
label confirms it.

Precision and recall are over labelled pairs: a pair is predicted "same story" when ``stories.group``
gives both articles one story id (so transitive joins count).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from locations import find_shared_data  # bench/ is on sys.path: benches run as scripts

from newsgrep import stories
from newsgrep.analysis import fold_text
from newsgrep.readers import is_article_file, read_file
from newsgrep.record import Article

LABELS = Path(__file__).resolve().parent / "stories_labels.tsv"
THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)
TITLE_THRESHOLDS = (0.0, 0.1, 0.2, 0.3)
HAND_CHECK_FROM = 0.3  # exact Jaccard from which a pair needs a rule or a hand label
SAMPLE = 4000  # pairs per negative sample
SEED = 2026
MENTION = fold_text("賴清德").text  # the example query


@dataclass
class Doc:
    n: int
    article: Article
    corpus: str
    folded: str
    signature: str = ""
    group: int = -1  # known group (union of known copies)
    teaser: bool = False

    @property
    def day(self) -> str:
        d = self.article.date
        return (d.date() if isinstance(d, dt.datetime) else d).isoformat() if d else ""


@dataclass
class Pair:
    a: int
    b: int
    kind: str  # twin, recrawl, sametext, hand, random, outletday, topic, teaser
    same: bool | None  # None: needs a hand label
    exact: float = -1.0
    estimate: float = -1.0
    title: float = -1.0
    note: str = ""


@dataclass
class Corpus:
    docs: list[Doc] = field(default_factory=list)
    read_seconds: float = 0.0


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Reading


def read_corpora(shared: Path) -> Corpus:
    corpora = shared / "corpora"
    start = time.perf_counter()
    docs = []
    paths = sorted(p for p in corpora.rglob("*") if p.is_file() and is_article_file(p))
    for path in paths:
        try:
            articles = read_file(path).articles
        except Exception as e:  # a bench reports and goes on
            log(f"  skipped {path}: {e}")
            continue
        corpus = path.relative_to(corpora).parts[0]
        for article in articles:
            folded = fold_text(article.title + "\n" + article.text).text
            docs.append(Doc(len(docs), article, corpus, folded))
    return Corpus(docs, time.perf_counter() - start)


def is_teaser_page(article: Article) -> bool:
    """A page whose body is a list of other stories' teasers (``【記者…／…報導】…`` paragraphs)."""
    return sum(1 for p in article.text.split("\n\n") if p.startswith("【")) >= 3


# ---------------------------------------------------------------------------
# Exact resemblance, for labels and for the estimator's error


def shingle_set(folded: str) -> set[str]:
    text = stories.compact(folded)
    return {text[i : i + stories.SHINGLE] for i in range(len(text) - stories.SHINGLE + 1)}


class Exact:
    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.cache: dict[int, set[str]] = {}

    def sets(self, n: int) -> set[str]:
        if n not in self.cache:
            if len(self.cache) > 4000:
                self.cache.clear()
            self.cache[n] = shingle_set(self.docs[n].folded)
        return self.cache[n]

    def __call__(self, a: int, b: int) -> float:
        x, y = self.sets(a), self.sets(b)
        short = min(len(stories.compact(self.docs[a].folded)), len(stories.compact(self.docs[b].folded)))
        if short < stories.MIN_CHARS:
            return 1.0 if stories.compact(self.docs[a].folded) == stories.compact(self.docs[b].folded) else 0.0
        return len(x & y) / len(x | y) if x or y else 1.0


# ---------------------------------------------------------------------------
# Labelled pairs


def read_hand_labels() -> dict[frozenset[str], tuple[bool, str]]:
    labels = {}
    if not LABELS.exists():
        return labels
    with LABELS.open(encoding="utf-8") as f:
        for row in csv.reader((line for line in f if line.strip() and not line.startswith("#")), delimiter="\t"):
            id_a, id_b, same, note = (row + [""] * 4)[:4]
            labels[frozenset((id_a, id_b))] = (same.strip() == "1", note.strip())
    return labels


def known_groups(docs: list[Doc]) -> None:
    """Join known copies (twin, recrawl, sametext) into groups: set each ``Doc.group``."""
    parent = list(range(len(docs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    links = []
    by_key: dict[tuple, list[int]] = collections.defaultdict(list)
    for d in docs:
        by_key[("id", d.article.id)].append(d.n)
        by_key[("text", d.article.text_hash)].append(d.n)
        if d.corpus == "pts-2025":
            stem = Path(d.article.source_path).stem
            side = "cleaned" if stem.endswith("_cleaned") else "raw"
            by_key[("pts", side, d.article.title, d.day)].append(d.n)
    for key, members in by_key.items():
        if key[0] == "pts" and key[1] == "cleaned":
            raw = by_key.get(("pts", "raw", key[2], key[3]), [])
            # A headline and date the raw file holds with two different bodies (a scraping slip) names no twin.
            if len({docs[r].article.text_hash for r in raw}) == 1:
                links += [(c, r, "twin") for c in members for r in raw]
        elif key[0] in ("id", "text"):
            for other in members[1:]:
                kind = "recrawl" if key[0] == "id" else "sametext"
                links.append((members[0], other, kind))
    for a, b, _ in links:
        parent[find(a)] = find(b)
    for d in docs:
        d.group = find(d.n)


def known_kind(a: Doc, b: Doc) -> str:
    """Why two articles of one known group are copies: same URL, same text, PTS twins, or through others."""
    if a.article.id == b.article.id:
        return "recrawl"
    if a.article.text_hash == b.article.text_hash:
        return "sametext"
    if a.corpus == b.corpus == "pts-2025" and (a.article.title, a.day) == (b.article.title, b.day):
        return "twin"  # (or a raw duplicate of a twin: the known group says they are copies)
    return "transitive"


def labelled_pairs(docs: list[Doc], exact: Exact, hand: dict) -> list[Pair]:
    """Known copies, hand labels, negative samples and every similar pair the LSH finds, measured."""
    known_groups(docs)
    group_of = {d.article.id: d.group for d in docs}
    hand_by_group = {}
    for ids, label in hand.items():
        id_a, id_b = sorted(ids)
        if id_a in group_of and id_b in group_of:
            hand_by_group[frozenset((group_of[id_a], group_of[id_b]))] = label
        else:
            log(f"  hand label for ids not in the corpora: {id_a} {id_b}")
    rng = random.Random(SEED)
    pairs: dict[tuple[int, int], Pair] = {}

    def add(a: int, b: int, kind: str, same: bool | None) -> None:
        key = (min(a, b), max(a, b))
        if a == b or key in pairs:
            return
        da, db = docs[key[0]], docs[key[1]]
        label = hand_by_group.get(frozenset((da.group, db.group)))
        if da.group == db.group:
            # Known groups decide, unless a hand label says otherwise (then the known rule is wrong: report it).
            pairs[key] = Pair(*key, known_kind(da, db), True)
        elif label is not None:
            pairs[key] = Pair(*key, "hand", label[0], note=label[1])
        elif da.teaser and db.teaser and da.article.outlet == db.article.outlet and da.article.title != db.article.title:
            pairs[key] = Pair(*key, "teaser", False)
        else:
            pairs[key] = Pair(*key, kind, same)

    # Positives: every pair inside a known group.
    members = collections.defaultdict(list)
    for d in docs:
        members[d.group].append(d.n)
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, b, "known", True)
    # Hand labels: whatever they name.
    by_id = collections.defaultdict(list)
    for d in docs:
        by_id[d.article.id].append(d.n)
    for ids, (same, _) in hand.items():
        id_a, id_b = sorted(ids) if len(ids) == 2 else (next(iter(ids)),) * 2
        for a in by_id.get(id_a, []):
            for b in by_id.get(id_b, []):
                add(a, b, "hand", same)
    # Negative samples.
    n = len(docs)
    while sum(p.kind == "random" for p in pairs.values()) < SAMPLE:
        a, b = rng.randrange(n), rng.randrange(n)
        if docs[a].group != docs[b].group:
            add(a, b, "random", False)
    by_outlet_day = collections.defaultdict(list)
    for d in docs:
        if d.day and d.article.outlet:
            by_outlet_day[(d.article.outlet, d.day)].append(d.n)
    pool = [g for g in by_outlet_day.values() if len(g) > 1]
    weights = [len(g) * (len(g) - 1) for g in pool]
    for _ in range(SAMPLE * 3):
        if sum(p.kind == "outletday" for p in pairs.values()) >= SAMPLE:
            break
        g = rng.choices(pool, weights)[0]
        a, b = rng.sample(g, 2)
        if docs[a].group != docs[b].group:
            add(a, b, "outletday", False)
    by_run = collections.defaultdict(set)
    for d in docs:
        title = stories.compact(fold_text(d.article.title).text)
        for i in range(len(title) - 2):
            if any("\u4e00" <= ch <= "\u9fff" for ch in title[i : i + 3]):
                by_run[title[i : i + 3]].add(d.n)
    topic = set()
    for run, group in by_run.items():
        if 2 <= len(group) <= 30:
            group = sorted(group)
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    if docs[a].group != docs[b].group:
                        topic.add((a, b))
    for a, b in rng.sample(sorted(topic), min(SAMPLE, len(topic))):
        add(a, b, "topic", False)
    # Every similar pair the LSH finds must be labelled.
    buckets = collections.defaultdict(list)
    for d in docs:
        for key in stories.band_keys(d.signature):
            buckets[key].append(d.n)
    for group in buckets.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (min(a, b), max(a, b)) not in pairs and exact(a, b) >= HAND_CHECK_FROM:
                    add(a, b, "similar", None)
    # Measure, and send the sampled negatives that look alike to the hand labels.
    for p in pairs.values():
        p.exact = exact(p.a, p.b)
        p.estimate = stories.similarity(docs[p.a].signature, docs[p.b].signature)
        p.title = stories.title_similarity(docs[p.a].signature, docs[p.b].signature)
        if p.kind in ("random", "outletday", "topic") and p.exact >= HAND_CHECK_FROM:
            p.same = None
    return distinct_texts(docs, list(pairs.values()))


def distinct_texts(docs: list[Doc], pairs: list[Pair]) -> list[Pair]:
    """One pair per pair of distinct texts: the same article read from three crawl files is one text.

    Pairs of identical texts are kept once, as kind ``identical``: any grouping gets them right.
    """
    seen = set()
    out = []
    for p in sorted(pairs, key=lambda p: (p.a, p.b)):
        ha, hb = docs[p.a].article.text_hash, docs[p.b].article.text_hash
        key = frozenset((ha, hb))
        if key in seen:
            continue
        seen.add(key)
        if ha == hb:
            p.kind = "identical"
        out.append(p)
    return out


# ---------------------------------------------------------------------------
# Measuring


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def is_hard(p: Pair) -> bool:
    """A pair that neither a copy detector nor a topic detector gets right for free: exact Jaccard in [0.2, 0.95)."""
    return 0.2 <= p.exact < 0.95


def scores(pairs: list[Pair], story: dict[str, str]) -> dict:
    tp = fp = fn = tn = 0
    for p in pairs:
        if p.same is None:
            continue
        predicted = story[str(p.a)] == story[str(p.b)]
        if p.same:
            tp += predicted
            fn += not predicted
        else:
            fp += predicted
            tn += not predicted
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def evaluate(docs: list[Doc], pairs: list[Pair], threshold: float, title_threshold: float) -> dict:
    story = stories.group(
        ((str(d.n), d.signature) for d in docs), threshold=threshold, title_threshold=title_threshold
    )
    return {
        "threshold": threshold,
        "title_threshold": title_threshold,
        "all": scores(pairs, story),
        "hard": scores([p for p in pairs if is_hard(p)], story),
        "stories": len(set(story.values())),
        "story": story,
    }


def index_view(docs: list[Doc]) -> list[Doc]:
    """The articles as the index stores them: one record per id (the first crawl wins)."""
    seen, out = set(), []
    for d in docs:
        if d.article.id not in seen:
            seen.add(d.article.id)
            out.append(d)
    return out


def describe(d: Doc) -> str:
    outlet = d.article.outlet or d.corpus
    return f"{d.article.id} [{outlet} {d.day}] {d.article.title[:40]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borderline", type=int, default=0, metavar="N", help="print N pairs near the threshold")
    parser.add_argument("--unlabelled", action="store_true", help="list similar pairs that need a hand label")
    parser.add_argument("--errors", action="store_true", help="print the labelled pairs the chosen setting gets wrong")
    parser.add_argument("--threshold", type=float, default=stories.THRESHOLD, help="the setting --errors and --borderline use")
    parser.add_argument("--title-threshold", type=float, default=stories.TITLE_THRESHOLD, help="likewise")
    parser.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    args = parser.parse_args()

    shared = find_shared_data("corpora")
    if shared is None:
        log("no shared data (../shared/data or $NEWSGREP_SHARED): nothing to measure")
        return 1
    log("reading the corpora …")
    corpus = read_corpora(shared)
    docs = corpus.docs
    for d in docs:
        d.teaser = is_teaser_page(d.article)

    timing = {}
    folded_texts = [d.folded for d in docs]
    timing["fold_text_per_s"] = len(docs) / best_of(
        lambda: [fold_text(d.article.title + "\n" + d.article.text) for d in docs], 2
    )
    timing["signature_per_s"] = len(docs) / best_of(lambda: [stories.signature(f) for f in folded_texts])
    for d in docs:
        d.signature = stories.signature(d.folded)
    sigs = [d.signature for d in docs]
    timing["band_keys_per_s"] = len(docs) / best_of(lambda: [stories._keys(stories._decode(s)) for s in sigs])
    timing["group_seconds"] = best_of(lambda: stories.group((str(d.n), d.signature) for d in docs))
    timing["signature_chars_mean"] = statistics.mean(map(len, sigs))
    timing["band_keys_mean"] = statistics.mean(len(stories.band_keys(s)) for s in sigs)

    exact = Exact(docs)
    hand = read_hand_labels()
    log("labelling pairs …")
    pairs = labelled_pairs(docs, exact, hand)

    rows = [evaluate(docs, pairs, t, tt) for tt in TITLE_THRESHOLDS for t in THRESHOLDS]
    chosen = evaluate(docs, pairs, args.threshold, args.title_threshold)
    stored = index_view(docs)
    stored_groups = stories.group((d.article.id, d.signature) for d in stored)
    per_corpus = {}
    for name in sorted({d.corpus for d in stored}):
        ids = [d.article.id for d in stored if d.corpus == name]
        per_corpus[name] = (len(ids), len({stored_groups[i] for i in ids}))

    mentions = [d.article.id for d in stored if MENTION in d.folded]
    buckets = collections.defaultdict(set)
    stored_keys = [stories.band_keys(d.signature) for d in stored]
    for i, keys in enumerate(stored_keys):
        for key in keys:
            buckets[key].add(i)
    per_article = sorted(len(set().union(*(buckets[k] for k in keys)) - {i}) for i, keys in enumerate(stored_keys))

    candidates = [p for p in pairs if p.same]
    lsh_found = sum(
        bool(set(stories.band_keys(docs[p.a].signature)) & set(stories.band_keys(docs[p.b].signature)))
        for p in candidates
    )
    errors = [abs(p.estimate - p.exact) for p in pairs if p.exact >= 0.1 and not stories._decode(docs[p.a].signature).exact]

    counts = collections.Counter((p.kind, p.same) for p in pairs)
    result = {
        "articles_read": len(docs),
        "read_seconds": round(corpus.read_seconds, 1),
        "pairs": {f"{k} {'same' if s else 'different' if s is False else 'unlabelled'}": n for (k, s), n in sorted(counts.items(), key=str)},
        "table": [{k: v for k, v in r.items() if k != "story"} for r in rows],
        "chosen": {"threshold": stories.THRESHOLD, "title_threshold": stories.TITLE_THRESHOLD},
        "index_articles": len(stored),
        "index_stories": len(set(stored_groups.values())),
        "per_corpus": per_corpus,
        "mention": [len(mentions), len({stored_groups[i] for i in mentions})],
        "lsh_recall": lsh_found / len(candidates) if candidates else 1.0,
        "candidates_mean": statistics.mean(per_article),
        "candidates_p99": per_article[int(0.99 * len(per_article))],
        "candidates_max": per_article[-1],
        "estimate_error_mean": statistics.mean(errors) if errors else 0.0,
        "estimate_error_p95": sorted(errors)[int(0.95 * len(errors))] if errors else 0.0,
        "timing": timing,
        "scheme": stories.SCHEME,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_report(result)
    if args.unlabelled:
        undecided = sorted((p for p in pairs if p.same is None), key=lambda p: -p.exact)
        print(f"\n{len(undecided)} similar pairs without a label (id_a, id_b, exact, estimate, headline overlap):")
        for p in undecided:
            print(f"{docs[p.a].article.id}\t{docs[p.b].article.id}\t{p.exact:.2f}\t{p.estimate:.2f}\t{p.title:.2f}\t{p.kind}")
            print(f"    {describe(docs[p.a])}\n    {describe(docs[p.b])}")
    if args.errors:
        story = chosen["story"]
        wrong = [p for p in pairs if p.same is not None and (story[str(p.a)] == story[str(p.b)]) != p.same]
        print(f"\n{len(wrong)} labelled pairs the chosen setting gets wrong:")
        print_pairs(docs, sorted(wrong, key=lambda p: -p.estimate), story)
    if args.borderline:
        print_borderline(docs, pairs, chosen["story"], args.borderline, args.threshold)
    return 0


def print_report(r: dict) -> None:
    print(f"newsgrep.stories on shared/data/corpora — {r['scheme']}")
    print(f"{r['articles_read']} records read in {r['read_seconds']} s; labelled pairs:")
    for kind, n in r["pairs"].items():
        print(f"  {kind:28} {n:6}")
    print()
    print("                        all labelled pairs                 near-copy pairs (exact Jaccard 0.2-0.95)")
    print("threshold  headline   precision recall   tp    fp   fn    precision recall  tp   fp   fn   stories")
    for row in r["table"]:
        mark = " <- chosen" if (row["threshold"], row["title_threshold"]) == (
            r["chosen"]["threshold"], r["chosen"]["title_threshold"]) else ""
        a, h = row["all"], row["hard"]
        print(
            f"  {row['threshold']:.2f}      {row['title_threshold']:.2f}      {a['precision']:.3f}   {a['recall']:.3f} "
            f"{a['tp']:5} {a['fp']:5} {a['fn']:4}      {h['precision']:.3f}   {h['recall']:.3f} {h['tp']:4} "
            f"{h['fp']:4} {h['fn']:4}   {row['stories']:6}{mark}"
        )
    print()
    print(
        f"as the index would hold them (one record per URL): {r['index_articles']} articles, "
        f"{r['index_stories']} stories ({r['index_stories'] / r['index_articles']:.3f})"
    )
    for name, (articles, story_count) in r["per_corpus"].items():
        print(f"  {name:32} {articles:5} articles {story_count:5} stories")
    print(f"  mentioning 賴清德 (the issue's query)  {r['mention'][0]:5} articles {r['mention'][1]:5} stories")
    print(f"known copies sharing a band key (LSH recall): {r['lsh_recall']:.3f}")
    print(
        f"candidates per article (others sharing a band key): mean {r['candidates_mean']:.1f}, "
        f"p99 {r['candidates_p99']}, max {r['candidates_max']}"
    )
    print(
        f"estimated vs exact Jaccard (pairs with exact >= 0.1): mean error {r['estimate_error_mean']:.3f}, "
        f"p95 {r['estimate_error_p95']:.3f}"
    )
    t = r["timing"]
    print(
        f"speed (CPU, one core): signature {t['signature_per_s']:,.0f} articles/s (fold_text itself "
        f"{t['fold_text_per_s']:,.0f}/s), band keys {t['band_keys_per_s']:,.0f}/s, group of all "
        f"{r['articles_read']} in {t['group_seconds']:.2f} s"
    )
    print(f"stored per article: signature {t['signature_chars_mean']:.0f} chars, {t['band_keys_mean']:.1f} band keys")


def print_borderline(docs: list[Doc], pairs: list[Pair], story: dict, n: int, threshold: float) -> None:
    near = sorted(
        (p for p in pairs if p.same is not None and 0.3 <= p.estimate < 0.95),
        key=lambda p: abs(p.estimate - threshold),
    )[:n]
    print(f"\n{len(near)} labelled pairs nearest the threshold:")
    print_pairs(docs, sorted(near, key=lambda p: -p.estimate), story)


def print_pairs(docs: list[Doc], pairs: list[Pair], story: dict) -> None:
    for p in pairs:
        grouped = story[str(p.a)] == story[str(p.b)]
        verdict = "ok " if grouped == p.same else "ERR"
        print(
            f"{verdict} {'same' if p.same else 'diff'} ({p.kind}) estimate {p.estimate:.2f} exact {p.exact:.2f} "
            f"headline {p.title:.2f}: {'grouped' if grouped else 'apart'}{' — ' + p.note if p.note else ''}"
        )
        print(f"      {describe(docs[p.a])}\n      {describe(docs[p.b])}")


if __name__ == "__main__":
    sys.exit(main())
