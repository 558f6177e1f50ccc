"""Do the two segmentation engines give the same words? And how fast is each?

newsgrep indexes with rjieba (jieba-rs) and segments queries with pure-Python
jieba fed only the query's substrings (``newsgrep.segmentation``). Both must
cut text the way pure-Python jieba does with the full merged dictionary, or a
query word would not meet its indexed twin. This bench segments the real
articles of ``../shared/data/corpora`` three ways and prints word-span
agreement against full-dictionary jieba, plus throughput.

    python bench/segmenters.py [--limit N]     # N articles (default: all, ~1,200)

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus_quality import load_corpus, shared_data  # noqa: E402  (bench helpers: the deduplicated real articles)

from newsgrep.analysis import char_fold  # noqa: E402
from newsgrep.dictionary import ensure_dictionary  # noqa: E402
from newsgrep.segmentation import IndexSegmenter, QuerySegmenter, _import_jieba, split_non_han, word_spans  # noqa: E402


def agreement(reference: list[list[str]], other: list[list[str]]) -> tuple[float, int]:
    """Share of reference word spans the other engine also produced; number of texts cut differently."""
    same = total = differing = 0
    for a, b in zip(reference, other):
        sa, sb = set(word_spans(a)), set(word_spans(b))
        total += len(sa)
        same += len(sa & sb)
        differing += sa != sb
    return same / max(1, total), differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    shared = shared_data()
    if shared is None:
        sys.exit("needs ../shared/data (or NEWSGREP_SHARED)")
    texts = [char_fold(a.title + "\n" + a.content).text for a in load_corpus(shared)][: args.limit]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    with tempfile.TemporaryDirectory() as folder:
        dictionary = ensure_dictionary(Path(folder))
        jieba = _import_jieba()
        full = jieba.Tokenizer(dictionary=str(dictionary.word_list))
        full.tmp_dir = folder
        full.initialize()
        engines = {
            "jieba, full merged dictionary (reference)": lambda t: split_non_han(list(full.cut(t, HMM=True))),
            "rjieba (IndexSegmenter)": IndexSegmenter(dictionary).cut,
            "jieba on query substrings (QuerySegmenter)": QuerySegmenter(dictionary).cut,
        }
        results = {}
        for name, cut in engines.items():
            cut(texts[0])  # load outside the timing
            start = time.process_time()
            results[name] = [cut(t) for t in texts]
            results[name + " seconds"] = time.process_time() - start
    reference = results["jieba, full merged dictionary (reference)"]
    print(f"{len(texts)} articles, {megabytes:.1f} MB (title + text, char-folded)")
    print(f"{'engine':45} {'MB/s':>7} {'word agreement':>15} {'texts cut differently':>22}")
    for name in engines:
        share, differing = agreement(reference, results[name])
        rate = megabytes / max(1e-9, results[name + " seconds"])
        print(f"{name:45} {rate:7.2f} {share:15.5f} {differing:22d}")


if __name__ == "__main__":
    main()
