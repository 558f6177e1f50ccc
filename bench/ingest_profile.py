"""Where one-process ingest time goes: CPU seconds per MB, and a cProfile of newsgrep's and Whoosh's parts.

    python bench/ingest_profile.py FOLDER [--profile]

FOLDER is any folder of article files (for example a shard of the speed bench's
corpus, ``~/.cache/newsgrep-bench/speed/10000/corpus/000``). The merged
dictionary is built and loaded first and not timed; then the folder is ingested
into a fresh index with one process, timed in CPU seconds (robust against other
load on the machine). Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from newsgrep.engines.whoosh_folder import DICTIONARY_FOLDER
from newsgrep.ingest import ingest_paths

FOCUS = "analysis.py|segmentation.py|add_postings|add_document|word_values|read_file|encode_record"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the ingest")
    args = parser.parse_args()
    megabytes = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file()) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        warm, index = Path(tmp) / "warm", Path(tmp) / "index"
        ingest_paths([args.folder], warm, procs=1)  # builds and loads the dictionary
        index.mkdir()
        shutil.copytree(warm / DICTIONARY_FOLDER, index / DICTIONARY_FOLDER)
        profiler = cProfile.Profile() if args.profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        ingest_paths([args.folder], index, procs=1)
        if profiler:
            profiler.disable()
        seconds = time.process_time() - start
        size = sum(p.stat().st_size for p in index.iterdir() if p.is_file()) / 1e6
    print(f"{megabytes:.2f} MB in {seconds:.1f} CPU s = {megabytes / seconds:.3f} MB/s per core; index {size:.1f} MB ({size / megabytes:.1f}x)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(FOCUS)


if __name__ == "__main__":
    main()
