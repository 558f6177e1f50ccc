"""Ingest: walk the given paths, read every article file, bring the index up to date.

Incremental by design: a file whose size and mtime match what the index stored
is not even opened; one whose bytes hash the same is not parsed; a changed file
replaces all of its records; ``prune`` removes records whose file is gone. A
file that fails to read is reported and skipped, and whatever the index already
held for it is kept.

Identity across files. Most files hold one article, whose id is the file name;
ids that clash across folders get a hash of the path appended. Records that
carry a URL have an id made from it (``readers.assemble``), so the same
article saved by several crawls is *one* record: met again with the same
text it is counted as merged and not written; with different text it replaces
the stored one (the later crawl wins). A file whose articles were all merged
into records owned by other files is remembered by a small "source" document,
so an unchanged re-run does not read it again. Identical text under different
URLs is stored as two articles and counted as duplicate text.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsgrep import interrupts
from newsgrep.errors import IndexUnwritable, NewsgrepError, ReadError
from newsgrep.index import DICTIONARY_FOLDER, IndexWriter, Inventory, NewsIndex, StoredFile
from newsgrep.limits import check_size, why_not_a_file
from newsgrep.readers import ARTICLE_SUFFIXES, FileRead, is_article_file, read_file
from newsgrep.record import Article


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """Counts are of articles, except ``files`` (article files looked at), ``failures`` and ``warnings``."""

    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    merged: int = 0
    duplicates: int = 0
    failures: list[Failure] = field(default_factory=list)
    # Problems a file survived (a broken JSON line, junk bytes): its other articles were kept.
    warnings: list[Failure] = field(default_factory=list)
    # One line per file read, for --verbose: format, encoding, articles.
    details: list[str] = field(default_factory=list)
    interrupted: bool = False

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged", f"{self.removed} removed"]
        if self.merged:
            parts.append(f"{self.merged} merged (same URL)")
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate text")
        parts.append(f"{len(self.failures)} failed")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return ", ".join(parts) + f" ({self.files} file{'s' if self.files != 1 else ''})"


Track = Callable[[Sequence[str]], Iterable[str]]


def find_article_files(paths: Sequence[Path]) -> tuple[list[str], list[Failure]]:
    """Article files under ``paths`` as absolute path strings, sorted, each once. Hidden files and folders
    are passed over (as ripgrep does) unless named explicitly; symlinked folders are not followed, so loops
    cannot trap the walk. Directory entries' types come from the walk itself: no extra ``stat`` per file,
    and no ``Path`` object per file either (at 100,000 files those were a second of a re-ingest).
    """
    found: set[str] = set()
    failures: list[Failure] = []

    def walk(folder: str) -> None:
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            failures.append(Failure(folder, (e.strerror or str(e)).lower()))
            return
        for entry in listed:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path)
            elif entry.is_symlink() and (reason := why_not_a_file(Path(entry.path))):
                failures.append(Failure(entry.path, reason))  # a loop or a dangling link
            elif entry.is_file() and (
                os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES or is_article_file(Path(entry.path))
            ):
                found.add(entry.path)

    for root in paths:
        if root.is_file():
            found.add(os.path.abspath(root))
        elif root.is_dir():
            walk(os.path.abspath(root))
        else:
            failures.append(Failure(str(root), why_not_a_file(root) or "not a file or directory"))
    return sorted(found), failures


def file_signature(size: int, mtime_ns: int, sha256: str) -> str:
    return f"{size}:{mtime_ns}:{sha256}"


def _same_stat(signature: str, size: int, mtime_ns: int) -> bool:
    old_size, old_mtime, _ = signature.split(":", 2)
    return old_size == str(size) and old_mtime == str(mtime_ns)


def _same_bytes(signature: str, sha256: str) -> bool:
    return signature.rsplit(":", 1)[-1] == sha256


class IdRegistry:
    """Decides where each read article goes: its own record, a merge into a stored one, or a renamed id."""

    def __init__(self, inventory: Inventory) -> None:
        self.owner = dict(inventory.owner)
        self.hash_of = dict(inventory.hash_of)
        self.text_hash_of = dict(inventory.text_hash_of)
        self.id_of_text = {h: i for i, h in self.text_hash_of.items()}
        self.placed: set[str] = set()  # ids written in this run (the first crawl in a run wins)

    def release(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self.owner.pop(article_id, None)
            self.hash_of.pop(article_id, None)
            self.id_of_text.pop(self.text_hash_of.pop(article_id, ""), None)

    def place(self, article: Article, report: IngestReport) -> Article | None:
        """The article to write (perhaps renamed), or None when it merges into an identical stored record."""
        path = article.source_path
        owner = self.owner.get(article.id, path)
        if owner != path:
            if article.url:  # the same URL seen again: one record
                report.merged += 1
                if article.id in self.placed or self.hash_of.get(article.id) == article.content_hash:
                    return None
            else:  # two files named alike in different folders
                article = replace(article, id=f"{article.id}-{hashlib.sha1(path.encode()).hexdigest()[:8]}")
        text_hash = article.text_hash
        twin = self.id_of_text.get(text_hash)
        if twin is not None and twin != article.id:
            report.duplicates += 1
        self.owner[article.id] = path
        self.placed.add(article.id)
        self.hash_of[article.id] = article.content_hash
        self.text_hash_of[article.id] = text_hash
        self.id_of_text.setdefault(text_hash, article.id)
        return article


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


@dataclass
class _Run:
    """State of one ingest run, shared by the batches."""

    index: NewsIndex
    inventory: Inventory
    report: IngestReport
    fields: Mapping[str, str] | None
    verbose: bool
    _registry: IdRegistry | None = None

    @property
    def stored(self) -> dict[str, StoredFile]:
        return self.inventory.files

    @property
    def registry(self) -> IdRegistry:
        """Built on first use: a re-run where nothing changed never reads the content hashes."""
        if self._registry is None:
            self.index.add_hashes(self.inventory)
            self._registry = IdRegistry(self.inventory)
        return self._registry


def _ingest_locked(
    paths: Sequence[Path],
    index_path: Path,
    *,
    prune: bool = False,
    rebuild: bool = False,
    user_words: tuple[tuple[str, int], ...] = (),
    fields: Mapping[str, str] | None = None,
    procs: int | None = None,
    verbose: bool = False,
    track: Track = lambda files: files,
) -> IngestReport:
    if rebuild:
        return _rebuild(paths, index_path, prune=prune, user_words=user_words, fields=fields, procs=procs, verbose=verbose, track=track)
    files, failures = find_article_files([Path(p) for p in paths])
    report = IngestReport(files=len(files), failures=failures)
    index = NewsIndex.open_or_create(Path(index_path), user_words)
    run = _Run(index, index.inventory(), report, fields, verbose)
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if len(files) - len(run.stored) >= PARALLEL_FROM_FILES else 1
    if prune:
        with index.writer() as writer:
            _prune(run, writer)
    pending = iter(track(files))
    while not report.interrupted:
        with index.writer(procs) as writer:
            written = _write_batch(pending, run, writer)
        if not written:
            break
    return report


def _write_batch(pending: Iterator[str], run: _Run, writer: IndexWriter) -> int:
    """Read files from ``pending`` into ``writer`` until a batch is full; the number of articles written."""
    written = 0
    try:
        for path in pending:
            if interrupts.requested():
                run.report.interrupted = True
                break
            written += _ingest_file(path, run, writer)
            if written >= BATCH_ARTICLES:
                break
    except KeyboardInterrupt:
        run.report.interrupted = True
    return written


def _ingest_file(path: str, run: _Run, writer: IndexWriter) -> int:
    """Bring one file's records up to date; the number of articles written (0 when unchanged or failed)."""
    report = run.report
    key = path  # absolute already (find_article_files)
    known = run.stored.get(key)
    try:
        read, signature = _read_if_changed(key, known, run.fields)
    except ReadError as e:
        report.failures.append(Failure(str(path), e.reason))
        return 0
    except Exception as e:  # a reader bug must not stop the run or lose what is stored
        report.failures.append(Failure(str(path), f"internal error: {type(e).__name__}: {e}"))
        return 0
    if read is None:
        report.unchanged += len(known.ids)
        return 0
    report.warnings += [Failure(str(path), problem) for problem in read.problems]
    if run.verbose:
        n = len(read.articles)
        report.details.append(f"{path}: {read.format}, {read.encoding}, {n} article{'s' if n != 1 else ''}")
    if known is not None:
        writer.delete_path(key)
        run.registry.release(known.ids)
    placed = [a for a in (run.registry.place(article, report) for article in read.articles) if a is not None]
    for article in placed:
        writer.add(article, signature)
    if not placed:  # everything merged into other files' records: remember the file itself
        writer.add_source(key, signature)
    new = len(placed) if known is None else 0
    report.added += new
    report.updated += len(placed) - new
    return max(1, len(placed))


def _prune(run: _Run, writer: IndexWriter) -> None:
    for key, known in list(run.stored.items()):
        if not os.path.exists(key):
            writer.delete_path(key)
            run.registry.release(known.ids)
            run.report.removed += len(known.ids)
            del run.stored[key]


def _read_if_changed(key: str, known: StoredFile | None, fields) -> tuple[FileRead | None, str]:
    """(what the file at ``key`` holds, signature), or (None, old signature) when it is unchanged."""
    try:
        stat = os.stat(key)
        if known is not None and _same_stat(known.signature, stat.st_size, stat.st_mtime_ns):
            return None, known.signature
        path = Path(key)
        check_size(path, stat.st_size)
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(key, (e.strerror or str(e)).lower()) from None
    sha = hashlib.sha256(data).hexdigest()
    if known is not None and _same_bytes(known.signature, sha):
        return None, known.signature
    read = read_file(path, data, source_path=key, fields=fields)
    if not read.articles:
        raise ReadError(key, "no articles found")
    return read, file_signature(stat.st_size, stat.st_mtime_ns, sha)


def _rebuild(paths: Sequence[Path], index_path: Path, **options) -> IngestReport:
    """Build a fresh index beside the old one and swap it in only when the build succeeded."""
    index_path = Path(index_path)
    fresh = index_path.with_name(index_path.name + ".rebuild")
    shutil.rmtree(fresh, ignore_errors=True)
    old_dictionary = index_path / DICTIONARY_FOLDER
    if old_dictionary.is_dir():  # reuse built dictionaries: they depend only on word lists and user words
        shutil.copytree(old_dictionary, fresh / DICTIONARY_FOLDER, symlinks=True)
    try:
        report = ingest_paths(paths, fresh, **options)
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

