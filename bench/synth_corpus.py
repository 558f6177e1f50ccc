"""A deterministic synthetic news corpus for benchmarks, recombined from real articles.

The real articles under ``shared/data/corpora`` (``tw-news-2025`` JSONL and
``pts-2025`` JSON arrays) are cut into paragraphs; each synthetic article is a
random draw of those paragraphs, with a length drawn from the real articles'
lengths, a new id and a new date. Everything comes from one seeded
``random.Random``, so a given (size, seed) always yields the same bytes.

Articles are written in the seed format newsgrep reads (line 1
`` date YYYY-MM-DD <first paragraph>``, then blank-line separated paragraphs)
as ``<id>.txt``, sharded into folders of 1,000 files. The corpus lives in a
cache outside the repository (``~/.cache/newsgrep-bench/speed/<size>/corpus``)
and is reused while its manifest matches; the text is third-party material
and must never be committed.

Usable on its own: ``python bench/synth_corpus.py --size 1000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from locations import bench_cache, find_shared_data, shared_candidates  # bench/ is on sys.path: benches run as scripts

DEFAULT_SEED = 20251118
# Bump when the generator changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 1
SHARD_SIZE = 1000
MANIFEST = "manifest.json"
CORPUS_FOLDER = "corpus"
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 731  # 2024-01-01 .. 2025-12-31

# Paragraphs shorter than this (in characters) are credits and debris, not text.
MIN_PARAGRAPH = 12
# Single-paragraph scraped content is regrouped into paragraphs of about this many characters.
PARAGRAPH_TARGET = 160
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def shared_data() -> Path:
    """``$NEWSGREP_SHARED`` (the shared folder or its data/), else ``../shared/data`` beside the project."""
    found = find_shared_data("corpora")
    if found is None:
        looked = ", ".join(map(str, shared_candidates()))
        raise SystemExit(f"shared data not found (looked in {looked}); set NEWSGREP_SHARED")
    return found


def default_cache(size: int) -> Path:
    """Where the corpus and index of one size are kept: ``$NEWSGREP_BENCH_CACHE/speed/<size>``,
    by default ``~/.cache/newsgrep-bench/speed/<size>``."""
    return bench_cache("speed", str(size))


# ---------------------------------------------------------------------------
# Reading the real articles.


def _tw_news_contents(folder: Path) -> Iterator[str]:
    """``content`` of every distinct (by url) article in the JSONL files; NUL junk and broken lines skipped."""
    seen: set[str] = set()
    for path in sorted(folder.rglob("*.jsonl")):
        for raw in path.read_bytes().split(b"\n"):
            raw = raw.replace(b"\x00", b"").strip()
            if not raw:
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            url, content = record.get("url"), record.get("content")
            if not isinstance(content, str) or not url or url in seen:
                continue
            seen.add(url)
            yield content


def _pts_contents(folder: Path) -> Iterator[str]:
    """``content`` of every article in the pts JSON arrays (the ``_cleaned`` twins are removed later, by paragraph)."""
    for path in sorted(folder.glob("*.json")):
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and isinstance(record.get("content"), str):
                yield record["content"]


def split_paragraphs(content: str) -> list[str]:
    """Paragraphs of one scraped article: its own line breaks when it has them, else sentences regrouped."""
    lines = [_SPACES.sub(" ", line).strip() for line in content.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 1:
        return [line for line in lines if len(line) >= MIN_PARAGRAPH]
    paragraphs: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(lines[0] if lines else ""):
        current += sentence
        if len(current) >= PARAGRAPH_TARGET:
            paragraphs.append(current.strip())
            current = ""
    if current.strip():
        paragraphs.append(current.strip())
    return [p for p in paragraphs if len(p) >= MIN_PARAGRAPH]


@dataclass(frozen=True)
class Source:
    """The material synthetic articles are drawn from."""

    paragraphs: list[str]
    # UTF-8 byte lengths of the real articles, to draw synthetic lengths from.
    lengths: list[int]


def load_source(data: Path) -> Source:
    """Distinct paragraphs (in a stable order) and article lengths of the real corpora under ``data``."""
    corpora = data / "corpora"
    contents = list(_tw_news_contents(corpora / "tw-news-2025")) + list(_pts_contents(corpora / "pts-2025"))
    seen: set[str] = set()
    paragraphs: list[str] = []
    lengths: list[int] = []
    for content in contents:
        fresh = [p for p in split_paragraphs(content) if p not in seen]
        seen.update(fresh)
        paragraphs.extend(fresh)
        if fresh:
            lengths.append(len(content.encode("utf-8")))
    if not paragraphs:
        raise SystemExit(f"no article text found under {corpora}")
    return Source(paragraphs, lengths)


# ---------------------------------------------------------------------------
# Writing the synthetic corpus.


def synth_article(rng: random.Random, source: Source) -> tuple[dt.date, list[str]]:
    """One article: a date and paragraphs drawn at random until a real article's length is reached."""
    target = rng.choice(source.lengths)
    paragraphs: list[str] = []
    size = 0
    while size < target:
        paragraph = rng.choice(source.paragraphs)
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)), paragraphs


def seed_format(date: dt.date, paragraphs: list[str]) -> str:
    """The article as a seed-format file."""
    return f" date {date.isoformat()} " + "\n\n".join(paragraphs) + "\n"


def article_id(seed: int, number: int) -> str:
    """``<number>_<16 hex>``, like the seed article's id."""
    digest = hashlib.sha1(f"{seed}:{number}".encode()).hexdigest()[:16]
    return f"{number:06d}_{digest}"


def _manifest(size: int, seed: int) -> dict:
    return {"size": size, "seed": seed, "generator": GENERATOR_VERSION}


def read_manifest(cache: Path) -> dict | None:
    """The cached corpus's manifest, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_corpus(size: int, seed: int = DEFAULT_SEED, cache: Path | None = None, *, log=print) -> tuple[Path, dict]:
    """(corpus folder, manifest) for ``size`` articles, built unless the cache already holds a matching one.

    The manifest records size, seed and generator version plus what was
    written: ``files``, ``bytes`` (article text on disk) and ``first_id``.
    """
    cache = cache or default_cache(size)
    corpus = cache / CORPUS_FOLDER
    wanted = _manifest(size, seed)
    manifest = read_manifest(cache)
    if manifest is not None and all(manifest.get(k) == v for k, v in wanted.items()) and corpus.is_dir():
        return corpus, manifest
    log(f"building synthetic corpus: {size:,} articles, seed {seed} -> {corpus}")
    (cache / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(corpus, ignore_errors=True)
    source = load_source(shared_data())
    rng = random.Random(seed)
    total = 0
    for number in range(size):
        shard = corpus / f"{number // SHARD_SIZE:03d}"
        if number % SHARD_SIZE == 0:
            shard.mkdir(parents=True, exist_ok=True)
        data = seed_format(*synth_article(rng, source)).encode("utf-8")
        (shard / f"{article_id(seed, number)}.txt").write_bytes(data)
        total += len(data)
    manifest = {
        **wanted,
        "files": size,
        "bytes": total,
        "first_id": article_id(seed, 0),
        "source_paragraphs": len(source.paragraphs),
        "source_articles": len(source.lengths),
    }
    (cache / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return corpus, manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="articles (default 10000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, help="folder for corpus and manifest [default: $NEWSGREP_BENCH_CACHE or ~/.cache/newsgrep-bench, + /speed/<size>]")
    args = parser.parse_args(argv)
    corpus, manifest = ensure_corpus(args.size, args.seed, args.cache, log=lambda m: print(m, file=sys.stderr))
    print(corpus)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
