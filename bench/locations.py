"""Where the benches find the shared data and keep what they build: one answer for every bench script.

The shared data is ``$NEWSGREP_SHARED`` (the shared folder or its ``data/``), else ``../shared/data``
beside the project; built corpora and indexes go under ``$NEWSGREP_BENCH_CACHE``, else
``~/.cache/newsgrep-bench`` — never inside the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_candidates() -> list[Path]:
    """The folders that may hold the shared data, in the order they are tried."""
    candidates = []
    if os.environ.get("NEWSGREP_SHARED"):
        env = Path(os.environ["NEWSGREP_SHARED"])
        candidates += [env / "data", env]
    candidates.append(ROOT.parent / "shared" / "data")
    return candidates


def find_shared_data(*needed: str) -> Path | None:
    """The first candidate holding any of the ``needed`` subfolders (``corpora``, ``html``, ``sighan2005``)."""
    return next((c for c in shared_candidates() if any((c / name).is_dir() for name in needed)), None)


def bench_cache(*parts: str) -> Path:
    """A folder under the bench cache, e.g. ``bench_cache("speed", "10000")``."""
    base = os.environ.get("NEWSGREP_BENCH_CACHE") or Path.home() / ".cache" / "newsgrep-bench"
    return Path(base).joinpath(*parts)
