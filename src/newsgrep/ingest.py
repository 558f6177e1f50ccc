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
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsgrep import interrupts
from newsgrep.errors import IndexUnwritable, NewsgrepError, ReadError
from newsgrep.engines import Engine, Inventory, StoredFile, Writer, engine_for, is_index_folder
from newsgrep.limits import check_size, max_file_bytes, why_not_a_file
from newsgrep.readers import ARTICLE_SUFFIXES, FileRead, is_article_file, read_file
from newsgrep.readers.assemble import url_article_id
from newsgrep.record import Article
from newsgrep.story_grouping import StoryGrouping


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


class Progress:
    """What an ingest tells whoever shows its progress; this one shows nothing (``progress.IngestDisplay`` does)."""

    def start(self, files: int) -> None:
        """The walk is done: ``files`` article files to look at."""

    def file_done(self, articles: int) -> None:
        """One more file looked at, with the articles it wrote (0 when unchanged or failed)."""

    def phase(self, what: str | None) -> None:
        """A step that is not reading files (``committing 5,000 articles``), or None when reading resumes."""


@dataclass(frozen=True, slots=True)
class Found:
    """An article file to read: where it is, the key the index stores it under, the folder it was found in."""

    path: str  # absolute, as the file system names it
    key: str  # ``path`` as stored: valid UTF-8, undecodable bytes shown as \\xNN
    root: str  # the path given on the command line that led here


def storable(path: str) -> str:
    """A file name as the index stores and shows it: names that are not valid UTF-8 get their bytes as ``\\xNN``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass
class Walk:
    """What ``find_article_files`` found: files to read, problems, and the folders that were read completely."""

    files: list[Found] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # given paths that were read (prune looks only under these)
    unread: list[str] = field(default_factory=list)  # folders under them that could not be listed


def _inside(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def find_article_files(paths: Sequence[Path], *, follow: bool = False) -> Walk:
    """Article files under ``paths``, sorted, each once.

    Hidden files and folders are passed over (as ripgrep does) unless named
    explicitly, and so are newsgrep's own index folders. A symbolic link is
    followed only when its target lies inside the folders given (or with
    ``follow``); a link leading elsewhere (``leak.txt -> /etc/passwd``) is
    reported, not read. Directory entries' types come from the walk itself: no
    extra ``stat`` per file, and no ``Path`` object per file either (at 100,000
    files those were a second of a re-ingest).
    """
    walk = Walk()
    given = [os.path.abspath(p) for p in paths]
    inside = [os.path.realpath(p) for p in given]
    seen: set[str] = set()  # real paths of files and folders taken, so a link never reads a thing twice
    links: list[tuple[str, str]] = []

    def add(path: str, root: str) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            walk.files.append(Found(path, storable(path), root))

    def descend(folder: str, root: str) -> None:
        seen.add(os.path.realpath(folder))
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            walk.failures.append(Failure(storable(folder), (e.strerror or str(e)).lower()))
            walk.unread.append(storable(folder))
            return
        for entry in listed:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                links.append((entry.path, root))
            elif entry.is_dir(follow_symlinks=False):
                if not is_index_folder(entry.path):
                    descend(entry.path, root)
            elif entry.is_file(follow_symlinks=False) and _is_article_name(entry.name, entry.path):
                add(entry.path, root)

    for root in given:
        if os.path.isdir(root):
            if is_index_folder(root):
                walk.failures.append(Failure(storable(root), "is a newsgrep index, not a folder of articles"))
                continue
            walk.roots.append(storable(root))
            descend(root, root)
        elif os.path.isfile(root):
            walk.roots.append(storable(root))
            add(root, os.path.dirname(root))
        else:
            walk.failures.append(Failure(storable(root), why_not_a_file(Path(root)) or "not a file or directory"))
    # Links last, so that a link to a file the walk reads anyway adds nothing.
    while links:
        path, root = links.pop(0)
        reason = why_not_a_file(Path(path))
        real = os.path.realpath(path)
        if reason:
            walk.failures.append(Failure(storable(path), reason))  # a loop or a dangling link
        elif real in seen:
            continue
        elif not follow and not _inside(real, inside):
            walk.failures.append(
                Failure(storable(path), f"symbolic link to {storable(real)}, outside the folders given (--follow reads it)")
            )
        elif os.path.isdir(real):
            if not is_index_folder(real):
                before = len(links)
                descend(path, root)
                links[before:] = sorted(links[before:])
        elif _is_article_name(os.path.basename(path), path):
            add(path, root)
    walk.files.sort(key=lambda f: f.path)
    return walk


def fallback_id(found: Found) -> str:
    """The id of an article without a URL: its file's path under the folder given, without the suffix.

    ``seeds/000_483c.txt`` ingested as ``seeds`` is ``000_483c``; two ``udn.html`` in different folders are
    ``6ab452b/udn`` and ``a99d613/udn``, never one id for two sources.
    """
    relative = os.path.relpath(found.path, found.root) if found.root else os.path.basename(found.path)
    return storable(os.path.splitext(relative)[0])


def _is_article_name(name: str, path: str) -> bool:
    return os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES or is_article_file(Path(path))


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

    def _unused(self, prefix: str) -> str:
        """``prefix`` and the first number that makes an id not yet placed in this run."""
        n = 2
        while f"{prefix}{n}" in self.placed:
            n += 1
        return f"{prefix}{n}"

    def place(self, article: Article, report: IngestReport) -> Article | None:
        """The article to write (perhaps renamed), or None when it merges into an identical stored record."""
        path = article.source_path
        owner = self.owner.get(article.id, path)
        if owner == path and article.id in self.placed:  # one file holding the id twice
            if article.url and article.id == url_article_id(article.url):  # the same URL: its first record wins
                report.merged += 1
                return None
            article = replace(article, id=self._unused(f"{article.id}-"))
        if owner != path:
            if article.url and article.id == url_article_id(article.url):  # the same URL seen again: one record
                report.merged += 1
                if article.id in self.placed or self.hash_of.get(article.id) == article.content_hash:
                    return None
            else:  # two sources with the same id: both are kept, the newcomer's id gets a hash of its path
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


# Below this many files to read, worker processes cost more than they save.
PARALLEL_FROM_FILES = 200


def ingest_paths(
    paths: Sequence[Path],
    location: str | os.PathLike,
    *,
    wait: float = 0.0,
    rebuild: bool = False,
    progress: Progress | None = None,
    **options,
) -> IngestReport:
    """Bring the index at ``location`` up to date with the article files under ``paths``.

    Everything that can be refused is refused before any work: a folder at
    ``location`` that newsgrep did not make, bad settings. Then the index's
    write lock (``Engine.write_lock``) is held for the whole run, waiting up to ``wait``
    seconds for another writer (IndexBusy after that). Commits by time and by
    count (``CommitClock``): the first articles are searchable seconds after the
    start, and a ``kill -9`` loses at most the last half minute of work. The
    report counts only what was committed.
    Ctrl-C stops reading after the current file and commits what was read
    (``report.interrupted``); a second Ctrl-C cancels the open batch. A write
    the file system refuses (disk full, read-only) is IndexUnwritable; the index
    is left as its last commit, and nothing half-written is left behind.
    ``rebuild`` builds a new generation of the index and makes it current only
    when the build is complete.
    """
    location = str(location)
    engine = engine_for(location)
    check_settings()
    engine.check_writable(location, rebuild=rebuild)
    progress = progress or Progress()
    progress.phase("waiting for the index's write lock" if wait else "locking the index")
    with engine.write_lock(location, wait=wait), interrupts.deferred_interrupts():
        progress.phase("opening the index (the first time: building its dictionary, ~10 s)")
        try:
            if rebuild:
                return _rebuild(paths, engine, location, progress=progress, **options)
            index = engine.open_for_writing(location, options.pop("user_words", None))
            return _ingest(paths, index, progress=progress, **options)
        except NewsgrepError:
            raise
        except OSError as e:
            raise _unwritable(location, e) from None


def _unwritable(index_path: str, e: OSError) -> IndexUnwritable:
    import errno

    reason = (e.strerror or str(e)).lower()
    if e.errno == errno.ENOSPC:
        return IndexUnwritable(f"cannot write the index at {index_path}: no space left on device; it is as it was after its last commit")
    where = storable(str(e.filename)) if e.filename else index_path
    return IndexUnwritable(f"cannot write the index at {index_path} ({where}: {reason}); it is as it was after its last commit")


def check_settings() -> None:
    """Environment settings are checked before any work (a bad one is one line, exit 2)."""
    batch_articles()
    max_file_bytes()


def batch_articles() -> int:
    """Most articles per commit (``NEWSGREP_BATCH``, default 5,000); commits also come by time (``CommitClock``)."""
    from newsgrep.errors import BadSetting

    value = os.environ.get("NEWSGREP_BATCH") or "5000"
    if not value.strip().isdigit() or int(value) < 1:
        raise BadSetting(f"NEWSGREP_BATCH must be a whole number of articles (1 or more), not {value!r}")
    return int(value)


# The first commit comes this soon, so that a new index answers within seconds of the start.
FIRST_COMMIT_SECONDS = 3.0
# Then one commit per cycle: reading, then committing what was read. A kill -9 loses at most about one cycle.
COMMIT_CYCLE_SECONDS = 25.0
# A cycle reads at least this long, however slow the commits: each commit costs a segment.
MIN_READ_SECONDS = 5.0


class CommitClock:
    """When a batch stops reading: after ``FIRST_COMMIT_SECONDS`` the first time, then after what
    ``COMMIT_CYCLE_SECONDS`` leaves once the last commit's own time is taken off.

    A commit takes time in proportion to what was read (Whoosh writes the
    batch's postings and merges segments then), so reading for the whole cycle
    would let the work lost to a kill grow past the cycle; taking the last
    commit's time off keeps reading plus committing near one cycle.
    """

    def __init__(self) -> None:
        self.read_seconds = FIRST_COMMIT_SECONDS

    def deadline(self) -> float:
        """The ``time.monotonic()`` at which the batch starting now stops reading."""
        return time.monotonic() + self.read_seconds

    def committed(self, commit_seconds: float) -> None:
        """A commit took ``commit_seconds``: the next batch reads for what the cycle leaves."""
        self.read_seconds = max(MIN_READ_SECONDS, COMMIT_CYCLE_SECONDS - commit_seconds)


@dataclass
class _Run:
    """State of one ingest run, shared by the batches."""

    index: Engine
    inventory: Inventory
    report: IngestReport
    fields: Mapping[str, str] | None
    verbose: bool
    progress: Progress
    stories: StoryGrouping
    regroup: set[str] = field(default_factory=set)  # stories that lost or changed an article
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


_COUNTS = ("added", "updated", "removed", "merged", "duplicates")


def _ingest(
    paths: Sequence[Path],
    index: Engine,
    *,
    prune: bool = False,
    follow: bool = False,
    fields: Mapping[str, str] | None = None,
    procs: int | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    progress = progress or Progress()
    progress.phase("finding article files")
    walk = find_article_files([Path(p) for p in paths], follow=follow)
    report = IngestReport(files=len(walk.files), failures=walk.failures)
    progress.phase("reading the index's inventory")
    run = _Run(index, index.inventory(), report, fields, verbose, progress, StoryGrouping(index.story_candidates))
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if len(walk.files) - len(run.stored) >= PARALLEL_FROM_FILES else 1
    if prune:
        progress.phase("removing articles whose files are gone")
        if _committed(run, lambda writer: _prune(run, writer, walk), procs=1) and run.regroup:
            index.regroup_stories(run.regroup)
        run.regroup.clear()
    progress.start(len(walk.files))
    progress.phase(None)
    pending = iter(walk.files)
    batch = batch_articles()
    clock = CommitClock()
    while not report.interrupted:
        until = clock.deadline()
        written = _committed(run, lambda writer, until=until: _write_batch(pending, run, writer, batch, until), procs=procs, clock=clock)
        moves = run.stories.pending_relabels()
        if written and (moves or run.regroup):  # a cancelled batch takes its moves with it
            progress.phase("regrouping stories")
            index.relabel_stories(moves)
            index.regroup_stories({moves.get(s, s) for s in run.regroup})
            progress.phase(None)
        run.regroup.clear()
        if not written:
            break
        run.stories.forget_committed()  # committed and relabelled: the index now answers for these articles
    return report


def _committed(run: _Run, work: Callable[[Writer], int], *, procs: int, clock: CommitClock | None = None) -> int:
    """``work(writer)`` in one commit; the report keeps its counts only if the commit happened.

    A second Ctrl-C raises KeyboardInterrupt in the middle of ``work``: the
    writer is cancelled, the counts of the batch are taken back, and the run
    ends as interrupted. The commit itself is shielded from Ctrl-C, so what the
    summary says was committed is what the index holds. ``clock`` is told how
    long the commit took.
    """
    before = {name: getattr(run.report, name) for name in _COUNTS}
    try:
        with run.index.writer(procs) as writer:
            done = work(writer)
            if writer.changed:
                n = sum(getattr(run.report, name) - before[name] for name in ("added", "updated", "removed"))
                run.progress.phase(f"committing {n:,} article{'s' if n != 1 else ''}")
                writer.on_phase = run.progress.phase  # the engine names its own steps (merging segments)
            committing = time.monotonic()
        if clock is not None:
            clock.committed(time.monotonic() - committing)
        run.progress.phase(None)
    except KeyboardInterrupt:
        for name, value in before.items():
            setattr(run.report, name, value)
        run.report.interrupted = True
        return 0
    return done


def _write_batch(pending: Iterator[Found], run: _Run, writer: Writer, batch: int, until: float) -> int:
    """Read files from ``pending`` into ``writer`` until ``batch`` articles are written or the clock passes
    ``until`` (``time.monotonic()``), whichever comes first; the number of articles written."""
    written = 0
    for found in pending:
        n = _ingest_file(found, run, writer)
        written += n
        run.progress.file_done(n)
        if interrupts.requested():
            run.report.interrupted = True
            break
        if written >= batch or (written and time.monotonic() >= until):
            break
    return written


def _ingest_file(found: Found, run: _Run, writer: Writer) -> int:
    """Bring one file's records up to date; the number of articles written (0 when unchanged or failed)."""
    report = run.report
    key = found.key
    known = run.stored.get(key)
    try:
        read, signature = _read_if_changed(found, known, run.fields)
    except ReadError as e:
        report.failures.append(Failure(key, e.reason))
        return 0
    except Exception as e:  # a reader bug must not stop the run or lose what is stored
        report.failures.append(Failure(key, f"internal error: {type(e).__name__}: {e}"))
        return 0
    if read is None:
        report.unchanged += len(known.ids)
        return 0
    report.warnings += [Failure(key, problem) for problem in read.problems]
    if run.verbose:
        n = len(read.articles)
        detail = f"{key}: {read.format}, {read.encoding}, {n} article{'s' if n != 1 else ''}"
        report.details.append(detail + (f", {read.extraction}" if read.extraction else ""))
    if known is not None:
        run.regroup |= run.index.stories_of(known.ids)  # an article that held a story together may change
        writer.delete_path(key, known.ids)
        run.registry.release(known.ids)
    placed = [a for a in (run.registry.place(article, report) for article in read.articles) if a is not None]
    for article in placed:
        writer.add(article, signature, run.stories.place(article))
    if not placed:  # everything merged into other files' records: remember the file itself
        writer.add_source(key, signature)
    new = len(placed) if known is None else 0
    report.added += new
    report.updated += len(placed) - new
    return max(1, len(placed))


def _prune(run: _Run, writer: Writer, walk: Walk) -> int:
    """Drop stored files that are gone: only under the given paths that were read, never under one that was not."""
    found = {f.key for f in walk.files}
    for key, known in list(run.stored.items()):
        if key in found or not _inside(key, walk.roots) or _inside(key, walk.unread):
            continue
        run.regroup |= run.index.stories_of(known.ids)
        writer.delete_path(key, known.ids)
        run.registry.release(known.ids)
        run.report.removed += len(known.ids)
        del run.stored[key]
    return run.report.removed


def _read_if_changed(found: Found, known: StoredFile | None, fields) -> tuple[FileRead | None, str]:
    """(what the file holds, signature), or (None, old signature) when it is unchanged."""
    key = found.key
    try:
        stat = os.stat(found.path)
        if known is not None and _same_stat(known.signature, stat.st_size, stat.st_mtime_ns):
            return None, known.signature
        path = Path(found.path)
        check_size(key, stat.st_size)
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(key, (e.strerror or str(e)).lower()) from None
    sha = hashlib.sha256(data).hexdigest()
    if known is not None and _same_bytes(known.signature, sha):
        return None, known.signature
    # The key names the file in messages and ids: an undecodable name never reaches a record or a terminal raw.
    read = read_file(Path(key), data, source_path=key, fields=fields, fallback_id=fallback_id(found))
    if not read.articles:
        raise ReadError(key, "no articles found")
    return read, file_signature(stat.st_size, stat.st_mtime_ns, sha)


def _rebuild(paths: Sequence[Path], engine: type[Engine], location: str, *, user_words=None, **options) -> IngestReport:
    """Build a new index beside the current one and make it current only when complete.

    For a folder, a new generation inside it (the folder never moves, so a
    mount point or a symlinked path works; ``newsgrep.json`` switches to the new
    generation in one rename); for a server, a new set of tables swapped in by
    one transaction. A crash at any point leaves either the old or the new index
    current; the next writer removes what is left over.
    """
    if user_words is None:
        user_words = engine.stored_user_words(location)
    fresh = engine.create(location, user_words)
    try:
        report = _ingest(paths, fresh, **options)
        if report.interrupted:  # keep the old index: a half-built one must not replace it
            fresh.discard()
            return report
        fresh.publish()
    except BaseException:
        fresh.discard()
        raise
    return report
