"""Exploration speed (issue 13): timeline, facets, kwic and keywords beside search, warm and cold.

Measurements, not tests: every figure is printed beside its goal and nothing
is asserted. Run with the Python of the venv newsgrep is installed in:

    python bench/explore.py --index /tmp/shared-index      # an index you built (e.g. of ../shared/data/corpora)
    python bench/explore.py --size 20000                   # synthetic corpus (bench/synth_corpus.py), ingested once

Queries are picked from the index itself: the word matching closest to half
of it (timeline, facets, kwic), and the word matching closest to 5,000
articles (keywords; on a smaller index, the largest match there is).
"Warm" runs call the library in this process on an index opened once
(median of 5); "cold" runs are whole ``newsgrep`` processes (median of 3),
with the OS page cache warm.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from synth_corpus import default_cache, ensure_corpus  # bench/ is on sys.path: benches run as scripts

# Common words of news prose; the bench takes the one whose match size is nearest its target.
CANDIDATES = ["表示", "台灣", "政府", "記者", "今天", "指出", "美國", "中國", "民眾", "發展", "國際", "總統", "颱風", "立法院"]
WARM_RUNS, COLD_RUNS = 5, 3
GOALS = {"timeline": (1.0, 1.5), "facets": (1.0, 1.5), "kwic": (1.0, None), "keywords": (2.0, None), "search": (None, None)}


def median_time(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_time(newsgrep: str, args: list[str], index: Path) -> float:
    def run() -> None:
        subprocess.run([newsgrep, *args, "--index", str(index)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    return median_time(run, COLD_RUNS)


def nearest(engine, target: int) -> tuple[str, int]:
    """(word, articles it matches) of the candidate matching closest to ``target`` articles."""
    from newsgrep.query import parse

    counts = {word: len(engine.matching(parse(word))) for word in CANDIDATES}
    word = min(counts, key=lambda w: abs(counts[w] - target))
    return word, counts[word]


def build_synthetic(size: int) -> Path:
    corpus, _ = ensure_corpus(size, log=lambda m: print(m, file=sys.stderr))
    index = default_cache(size) / "explore-index"
    if not index.is_dir():
        print(f"ingesting {size:,} synthetic articles into {index} …", file=sys.stderr)
        subprocess.run([find_newsgrep(), "ingest", str(corpus), "--index", str(index), "-q"], check=True)
    return index


def find_newsgrep() -> str:
    beside = Path(sys.executable).with_name("newsgrep")
    return str(beside) if beside.exists() else shutil.which("newsgrep") or "newsgrep"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--index", type=Path, help="an existing index")
    where.add_argument("--size", type=int, help="a synthetic corpus of this many articles (built and ingested once)")
    args = parser.parse_args(argv)
    index = args.index or build_synthetic(args.size)

    from newsgrep.engines import open_index
    from newsgrep.explore.facets import facets
    from newsgrep.explore.keywords import keywords
    from newsgrep.explore.kwic import kwic
    from newsgrep.explore.timeline import timeline
    from newsgrep.query import parse
    from newsgrep.search import search

    engine = open_index(index)
    total = engine.doc_count()
    half, half_n = nearest(engine, total // 2)
    five, five_n = nearest(engine, 5000)
    engine.index_segmenter.load()  # keywords' one-off dictionary load is a cold cost, measured below
    newsgrep = find_newsgrep()
    rows = [
        ("search", half, half_n, lambda: search(engine, half, limit=10), ["search", half]),
        ("timeline", half, half_n, lambda: timeline(engine, parse(half)), ["timeline", half]),
        ("facets", half, half_n, lambda: facets(engine, parse(half)), ["facets", half]),
        ("kwic", half, half_n, lambda: kwic(engine, parse(half), limit=1000), ["kwic", half, "-n", "1000"]),
        ("keywords", five, five_n, lambda: keywords(engine, parse(five)), ["keywords", five]),
    ]
    print(f"index {index}: {total:,} articles")
    print(f"{'command':<10} {'query':<6} {'matches':>8} {'warm s':>8} {'cold s':>8}  goal (warm / cold)")
    for name, word, matched, warm_work, cold_args in rows:
        warm = median_time(warm_work, WARM_RUNS)
        cold = cold_time(newsgrep, cold_args, index)
        warm_goal, cold_goal = GOALS[name]
        goal = " / ".join("—" if g is None else f"≤ {g} s" for g in (warm_goal, cold_goal))
        print(f"{name:<10} {word:<6} {matched:>8,} {warm:>8.2f} {cold:>8.2f}  {goal}")
    lines = len(kwic(engine, parse(half), limit=1000).lines)
    read = keywords(engine, parse(five)).read
    print(f"kwic lines: {lines:,}; keywords read {read:,} of {five_n:,} matching articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
