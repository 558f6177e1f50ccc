"""Web page speed (issue 14): server time for a search page, an article page, and a histogram over half the corpus.

A real ``newsgrep serve`` process (``--port 0``) on an index of the shared
corpora (``corpora/tw-news-2025`` and ``corpora/pts-2025``, ingested as they
are) or, with ``--size N``, of the synthetic corpus ``bench/speed.py`` uses.
Each figure is the server's own time (its ``Server-Timing`` header: from the
request reaching the app to the response starting, page rendering included),
with the round trip seen by the client beside it. It asserts nothing.

    python bench/serve.py                 # the shared corpora (~1,500 articles)
    python bench/serve.py --size 10000    # the synthetic corpus of that size (built and ingested once)
    python bench/serve.py --index PATH    # an index that already exists
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import urlopen

from locations import bench_cache, find_shared_data

ROUNDS = 15
SEARCH_QUERIES = ["台灣 軍售", "川普", "颱風", "立法院 預算", '"對台軍售"', "台湾 军售", "美國 OR 中國", "選舉 -罷免"]
# Words of which one matches about half of any Taiwanese news corpus: the closest to half is used.
COMMON_WORDS = ["台灣", "表示", "今天", "美國", "中國", "政府", "指出", "記者"]
GOALS = {"search": "≤ 150 ms", "article": "≤ 50 ms", "histogram": "≤ 1 s"}  # on the 100,000-article corpus


def newsgrep(*args: str, index: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newsgrep", "--index", str(index), *args], text=True, **popen)


def ensure_index(args) -> tuple[Path, str]:
    """The index to measure and a description of what it holds, ingested first when missing."""
    if args.index:
        return Path(args.index), f"the index at {args.index}"
    if args.size:
        from synth_corpus import ensure_corpus

        corpus, _ = ensure_corpus(args.size, log=lambda line: print(line, file=sys.stderr))
        folders, index, what = [corpus], bench_cache("serve", str(args.size), "index"), f"{args.size:,} synthetic articles"
    else:
        data = find_shared_data("corpora")
        if data is None:
            raise SystemExit("shared data not found; set NEWSGREP_SHARED or use --size/--index")
        folders = [data / "corpora" / "tw-news-2025", data / "corpora" / "pts-2025"]
        index, what = bench_cache("serve", "shared", "index"), "the shared corpora (tw-news-2025, pts-2025)"
    if not (index / "newsgrep.json").exists():
        print(f"ingesting {what} into {index} …", file=sys.stderr)
        index.parent.mkdir(parents=True, exist_ok=True)
        newsgrep("ingest", "--quiet", *map(str, folders), index=index).wait()
    return index, what


class Server:
    """``newsgrep serve --port 0`` on the index, asked for pages; each answer's server and round-trip times."""

    def __init__(self, index: Path) -> None:
        self.proc = newsgrep("serve", "--port", "0", index=index, stderr=subprocess.PIPE, start_new_session=True)
        line = self.proc.stderr.readline()
        found = re.search(r"http://\S+/", line)
        if not found:
            raise SystemExit(f"serve did not start: {line}{self.proc.stderr.read()}")
        self.url = found.group()

    def get(self, path: str) -> tuple[float, float, bytes]:
        """(server ms, round-trip ms, body)."""
        started = time.perf_counter()
        with urlopen(self.url.rstrip("/") + path) as response:
            body = response.read()
            server = float(re.search(r"dur=([\d.]+)", response.headers["server-timing"]).group(1))
        return server, (time.perf_counter() - started) * 1000, body

    def stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(timeout=30)


def timed(server: Server, paths: list[str], rounds: int) -> tuple[list[float], list[float], float]:
    """Server and round-trip times of every path, ``rounds`` times each after a first (cold) pass; the first pass's worst."""
    first = max(server.get(p)[0] for p in paths)
    server_ms, trip_ms = [], []
    for _ in range(rounds):
        for path in paths:
            s, t, _ = server.get(path)
            server_ms.append(s)
            trip_ms.append(t)
    return server_ms, trip_ms, first


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="the synthetic corpus of this many articles instead of the shared corpora")
    parser.add_argument("--index", help="measure this existing index")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    index, what = ensure_index(args)
    server = Server(index)
    try:
        total = json.loads(server.get("/api/facets")[2])["source"]
        stored = sum(v["articles"] for v in total)
        counts = {w: json.loads(server.get("/api/facets?" + urlencode({"q": w}))[2])["source"] for w in COMMON_WORDS}
        half = min(COMMON_WORDS, key=lambda w: abs(sum(v["articles"] for v in counts[w]) - stored / 2))
        half_count = sum(v["articles"] for v in counts[half])
        ids = [h["id"] for h in json.loads(server.get("/api/search?" + urlencode({"q": "台灣", "limit": 20}))[2])["hits"]]

        rows = [
            ("search", "search page (8 queries, page 1)", timed(server, ["/?" + urlencode({"q": q}) for q in SEARCH_QUERIES], args.rounds)),
            ("article", f"article page ({len(ids)} articles, related included)", timed(server, [f"/articles/{quote(i, safe='')}" for i in ids], args.rounds)),
            ("", "  of which the record and its copies (/api/articles)", timed(server, [f"/api/articles/{quote(i, safe='')}" for i in ids], args.rounds)),
            ("", "  of which related articles (/api/related)", timed(server, [f"/api/related/{quote(i, safe='')}" for i in ids], args.rounds)),
            ("histogram", f"histogram of {half} ({half_count:,} of {stored:,} articles)", timed(server, ["/api/timeline?" + urlencode({"q": half})], args.rounds)),
            ("", f"search page of {half} (search + histogram + outlets)", timed(server, ["/?" + urlencode({"q": half})], args.rounds)),
        ]
    finally:
        server.stop()
    print(f"newsgrep serve on {what}: {stored:,} articles; {args.rounds} rounds; {os.cpu_count()} cores")
    print(f"{'figure':58} {'server median':>14} {'p90':>9} {'first':>9} {'round trip':>11}  goal (100,000 articles)")
    for goal, name, (server_ms, trip_ms, first) in rows:
        print(f"{name:58} {statistics.median(server_ms):11.1f} ms {p90(server_ms):6.1f} ms {first:6.1f} ms "
              f"{statistics.median(trip_ms):8.1f} ms  {GOALS.get(goal, '')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
