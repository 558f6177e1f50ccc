"""The quality bench's corpus: real articles from ``shared/data/corpora`` as one deduplicated list, and an index of them.

The scraped files are read here, not by newsgrep's readers, so that the bench
measures search and not extraction: each article is written out as a seed-format
``.txt`` file into a cache folder outside the repository and ingested with
``newsgrep.ingest.ingest_paths``. When newsgrep reads JSONL natively, only
``write_corpus`` needs to change.

Nothing from ``shared/data`` is ever written into the project.
"""

from __future__ import annotations

import glob
import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from locations import bench_cache, find_shared_data  # bench/ is on sys.path: benches run as scripts

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
SENTENCE_END = "。！？!?」』"


@dataclass(frozen=True)
class RawArticle:
    """One article as the scraper saved it, reduced to what the bench writes out."""

    key: str  # the URL, or the source file and position when there is none
    title: str
    content: str
    date: str | None  # YYYY-MM-DD
    source: str  # the file it came from, relative to the corpora folder

    @property
    def file_stem(self) -> str:
        """A stable file name: a hash of the key, so a re-run writes the same files."""
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()[:16]


def shared_data() -> Path | None:
    """The shared data folder holding the corpora or the SIGHAN files (``locations``)."""
    return find_shared_data("corpora", "sighan2005")


def cache_folder() -> Path:
    """``$NEWSGREP_BENCH_CACHE`` or ``~/.cache/newsgrep-bench``, plus ``quality``: never inside the repository."""
    return bench_cache("quality")


def first_date(*values: object) -> str | None:
    """The first value that starts with a YYYY-MM-DD date, as that date (``'None'`` and empty values are passed over)."""
    for value in values:
        match = DATE.match(str(value or ""))
        if match:
            return match.group(0)
    return None


def json_lines(data: bytes) -> Iterator[dict]:
    """The JSON objects of a JSONL file, skipping NUL padding, blank lines and lines that do not parse."""
    for line in data.split(b"\n"):
        line = line.strip(b"\x00 \t\r")
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            yield obj


def read_tw_news(corpora: Path) -> Iterator[RawArticle]:
    """Articles of ``tw-news-2025/**.jsonl`` in file order (duplicates included; see ``dedupe``)."""
    for name in sorted(glob.glob(str(corpora / "tw-news-2025" / "**" / "*.jsonl"), recursive=True)):
        path = Path(name)
        for obj in json_lines(path.read_bytes()):
            url, title, content = obj.get("url"), obj.get("title"), obj.get("content")
            if not (isinstance(url, str) and isinstance(title, str) and isinstance(content, str) and content.strip()):
                continue
            date = first_date(obj.get("published_date"), obj.get("publish_date"), obj.get("crawled_at"))
            yield RawArticle(url, title, content, date, str(path.relative_to(corpora)))


def read_pts(corpora: Path) -> Iterator[RawArticle]:
    """Articles of ``pts-2025/*.json`` (the ``*_cleaned`` variants skipped: they repeat the same articles)."""
    for name in sorted(glob.glob(str(corpora / "pts-2025" / "*.json"))):
        path = Path(name)
        if path.stem.endswith("_cleaned"):
            continue
        items = json.loads(path.read_text(encoding="utf-8"))
        for i, obj in enumerate(items):
            title, content = obj.get("title"), obj.get("content")
            if not (isinstance(title, str) and isinstance(content, str) and content.strip()):
                continue
            key = f"{path.relative_to(corpora)}#{i}"
            yield RawArticle(key, title, content, first_date(obj.get("date")), str(path.relative_to(corpora)))


def dedupe(articles: Iterable[RawArticle]) -> list[RawArticle]:
    """The first article per URL (or key), then the first per identical content (the same story under two URLs)."""
    seen_keys: set[str] = set()
    seen_content: set[str] = set()
    out = []
    for article in articles:
        content = re.sub(r"\s+", "", article.content)
        if article.key in seen_keys or content in seen_content:
            continue
        seen_keys.add(article.key)
        seen_content.add(content)
        out.append(article)
    return out


def load_corpus(shared: Path) -> list[RawArticle]:
    """Every distinct article of tw-news-2025 and pts-2025."""
    corpora = shared / "corpora"
    return dedupe([*read_tw_news(corpora), *read_pts(corpora)])


def seed_text(article: RawArticle) -> str:
    """The article in seed format: `` date YYYY-MM-DD <title>。``, a blank line, then paragraphs split by blank lines.

    The seed format has no title line, so the title opens the first line as a
    sentence of its own and the reader derives the stored title from it.
    """
    title = " ".join(article.title.split())
    if title and title[-1] not in SENTENCE_END:
        title += "。"
    paragraphs = [p.strip() for p in article.content.splitlines() if p.strip()]
    date = article.date or "1970-01-01"
    return f" date {date} {title}\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(articles: Iterable[RawArticle], folder: Path) -> int:
    """Write each article as ``<folder>/<hash>.txt`` (the folder is emptied first); the number written."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    n = 0
    for article in articles:
        (folder / f"{article.file_stem}.txt").write_text(seed_text(article), encoding="utf-8")
        n += 1
    return n


def open_index(shared: Path, cache: Path, *, rebuild: bool = False, log=print):
    """The bench index under ``cache``, built from the corpus when missing, outdated or ``rebuild`` is asked."""
    from newsgrep.errors import IndexMissing, IndexOutdated
    from newsgrep.engines import open_index
    from newsgrep.ingest import ingest_paths

    index_path = cache / "index"
    if not rebuild:
        try:
            return open_index(index_path)
        except (IndexMissing, IndexOutdated) as e:
            log(f"(re)building the bench index: {type(e).__name__}: {e}")
    articles_folder = cache / "articles"
    written = write_corpus(load_corpus(shared), articles_folder)
    report = ingest_paths([articles_folder], index_path, rebuild=True)
    log(f"wrote {written} articles to {articles_folder}; ingest: {report.summary()}")
    for failure in report.failures[:5]:
        log(f"  ingest failure: {failure}")
    return open_index(index_path)


def stored_articles(index) -> list:
    """Every ``Article`` stored in the index, sorted by id (so sampling from it is deterministic)."""
    return sorted(index.records([row.id for row in index.matching(None)]), key=lambda a: a.id)
