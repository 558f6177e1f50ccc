"""Ingest: walk the given paths, read every article file, bring the index up to date.

Incremental by design: a file whose size and mtime match what the index stored
is not even opened; one whose bytes hash the same is not parsed; a changed file
replaces all of its records; ``prune`` removes records whose file is gone. A
file that fails to read is reported and skipped, and whatever the index already
held for it is kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsgrep import interrupts
from newsgrep.errors import IndexUnwritable, NewsgrepError, ReadError
from newsgrep.limits import check_size, why_not_a_file
from newsgrep.index import DICTIONARY_FOLDER, IndexWriter, NewsIndex, StoredFile
from newsgrep.readers import is_article_file, read_file
from newsgrep.record import Article


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """Counts are of articles, except ``files`` (article files looked at) and ``failures``."""

    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failures: list[Failure] = field(default_factory=list)
    interrupted: bool = False

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.failures)} failed ({self.files} file{'s' if self.files != 1 else ''})"
        )


Track = Callable[[Sequence[Path]], Iterable[Path]]


def find_article_files(paths: Sequence[Path]) -> tuple[list[Path], list[Failure]]:
    """Article files under ``paths``, sorted, each once. Hidden files and folders are passed over
    (as ripgrep does) unless named explicitly; symlinked folders are not followed, so loops cannot trap the walk.
    """
    found: dict[str, Path] = {}
    failures: list[Failure] = []
    for root in paths:
        if root.is_file():
            found.setdefault(os.path.abspath(root), root)
        elif root.is_dir():
            for folder, dirs, files in os.walk(root, onerror=lambda e: failures.append(Failure(e.filename, e.strerror))):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    candidate = Path(folder, name)
                    if not name.startswith(".") and is_article_file(candidate) and candidate.is_file():
                        found.setdefault(os.path.abspath(candidate), candidate)
                    elif not name.startswith(".") and (reason := why_not_a_file(candidate)):
                        failures.append(Failure(str(candidate), reason))
        else:
            failures.append(Failure(str(root), why_not_a_file(root) or "not a file or directory"))
    return sorted(found.values(), key=lambda p: os.path.abspath(p)), failures


def file_signature(size: int, mtime_ns: int, sha256: str) -> str:
    return f"{size}:{mtime_ns}:{sha256}"


def _same_stat(signature: str, size: int, mtime_ns: int) -> bool:
    old_size, old_mtime, _ = signature.split(":", 2)
    return old_size == str(size) and old_mtime == str(mtime_ns)


def _same_bytes(signature: str, sha256: str) -> bool:
    return signature.rsplit(":", 1)[-1] == sha256


class IdRegistry:
    """Keeps article ids unique across files: two ``index.html`` in different folders must not overwrite each other."""

    def __init__(self, stored: dict[str, StoredFile]) -> None:
        self.owner = {article_id: path for path, f in stored.items() for article_id in f.ids}

    def release(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self.owner.pop(article_id, None)

    def claim(self, article: Article) -> Article:
        """The article, renamed ``<id>-<hash of its path>`` when another file already owns its id."""
        path = article.source_path
        article_id = article.id
        if self.owner.get(article_id, path) != path:
            article_id = f"{article.id}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"
        self.owner[article_id] = path
        return article if article_id == article.id else replace(article, id=article_id)


# Articles per commit: a long ingest keeps its progress when it is interrupted or killed.
BATCH_ARTICLES = int(os.environ.get("NEWSGREP_BATCH") or 5000)
# Below this many files to read, worker processes cost more than they save.
PARALLEL_FROM_FILES = 200


def ingest_paths(paths: Sequence[Path], index_path: Path, *, wait: float = 0.0, **options) -> IngestReport:
    """Bring the index at ``index_path`` up to date with the article files under ``paths``.

    Holds the index's write lock (``locking``) for the whole run, waiting up to
    ``wait`` seconds for another writer (IndexBusy after that). Commits every
    ``BATCH_ARTICLES`` articles; Ctrl-C stops reading after the current file,
    commits what was read and sets ``report.interrupted``. A write the file
    system refuses (disk full, read-only) is IndexUnwritable; the index is left
    as its last commit.
    """
    from newsgrep.locking import write_lock

    with write_lock(Path(index_path), wait=wait), interrupts.deferred_interrupts():
        try:
            return _ingest_locked(paths, index_path, **options)
        except NewsgrepError:
            raise
        except OSError as e:
            where = e.filename or index_path
            raise IndexUnwritable(
                f"cannot write the index at {index_path} ({where}: {(e.strerror or str(e)).lower()}); "
                "it is as it was after its last commit"
            ) from None


def _ingest_locked(
    paths: Sequence[Path],
    index_path: Path,
    *,
    prune: bool = False,
    rebuild: bool = False,
    user_words: tuple[tuple[str, int], ...] = (),
    procs: int | None = None,
    track: Track = lambda files: files,
) -> IngestReport:
    if rebuild:
        return _rebuild(paths, index_path, prune=prune, user_words=user_words, procs=procs, track=track)
    files, failures = find_article_files([Path(p) for p in paths])
    report = IngestReport(files=len(files), failures=failures)
    index = NewsIndex.open_or_create(Path(index_path), user_words)
    stored = index.stored_files()
    registry = IdRegistry(stored)
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if len(files) - len(stored) >= PARALLEL_FROM_FILES else 1
    pending = iter(track(files))
    while not report.interrupted:
        with index.writer(procs) as writer:
            written = _write_batch(pending, stored, registry, writer, report)
            if not written and prune:
                _prune(stored, writer, report)
        if not written:
            break
    return report


def _write_batch(pending: Iterator[Path], stored, registry: IdRegistry, writer: IndexWriter, report: IngestReport) -> int:
    """Read files from ``pending`` into ``writer`` until a batch is full; the number of articles written."""
    written = 0
    try:
        for path in pending:
            if interrupts.requested():
                report.interrupted = True
                break
            written += _ingest_file(path, stored, registry, writer, report)
            if written >= BATCH_ARTICLES:
                break
    except KeyboardInterrupt:
        report.interrupted = True
    return written


def _ingest_file(path: Path, stored, registry: IdRegistry, writer: IndexWriter, report: IngestReport) -> int:
    key = os.path.abspath(path)
    known = stored.get(key)
    try:
        articles, signature = _read_if_changed(path, key, known)
    except ReadError as e:
        report.failures.append(Failure(str(path), e.reason))
        return 0
    except Exception as e:  # a reader bug must not stop the run or lose what is stored
        report.failures.append(Failure(str(path), f"internal error: {type(e).__name__}: {e}"))
        return 0
    if articles is None:
        report.unchanged += len(known.ids)
        return 0
    if known is not None:
        writer.delete_path(key)
        registry.release(known.ids)
    for article in articles:
        writer.add(registry.claim(article), signature)
    if known is None:
        report.added += len(articles)
    else:
        report.updated += len(articles)
    return max(1, len(articles))


def _prune(stored, writer: IndexWriter, report: IngestReport) -> None:
    for key, known in stored.items():
        if not os.path.exists(key):
            writer.delete_path(key)
            report.removed += len(known.ids)


def _read_if_changed(path: Path, key: str, known: StoredFile | None) -> tuple[list[Article] | None, str]:
    """(articles, signature), or (None, old signature) when the file is unchanged."""
    try:
        stat = path.stat()
        if known is not None and _same_stat(known.signature, stat.st_size, stat.st_mtime_ns):
            return None, known.signature
        check_size(path, stat.st_size)
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(str(path), (e.strerror or str(e)).lower()) from None
    sha = hashlib.sha256(data).hexdigest()
    if known is not None and _same_bytes(known.signature, sha):
        return None, known.signature
    articles = read_file(path, data, source_path=key).articles
    if not articles:
        raise ReadError(str(path), "no articles found")
    return articles, file_signature(stat.st_size, stat.st_mtime_ns, sha)


def _rebuild(paths: Sequence[Path], index_path: Path, *, prune: bool, user_words, procs, track: Track) -> IngestReport:
    """Build a fresh index beside the old one and swap it in only when the build succeeded."""
    index_path = Path(index_path)
    fresh = index_path.with_name(index_path.name + ".rebuild")
    shutil.rmtree(fresh, ignore_errors=True)
    old_dictionary = index_path / DICTIONARY_FOLDER
    if old_dictionary.is_dir():  # reuse built dictionaries: they depend only on word lists and user words
        shutil.copytree(old_dictionary, fresh / DICTIONARY_FOLDER, symlinks=True)
    try:
        report = ingest_paths(paths, fresh, prune=prune, user_words=user_words, procs=procs, track=track)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    retired = index_path.with_name(index_path.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if report.interrupted:  # keep the old index: a half-built one must not replace it
        shutil.rmtree(fresh, ignore_errors=True)
        return report
    if index_path.exists():
        os.replace(index_path, retired)
    os.replace(fresh, index_path)
    shutil.rmtree(retired, ignore_errors=True)
    return report

