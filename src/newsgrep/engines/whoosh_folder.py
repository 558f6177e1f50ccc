"""An index folder on disk: what newsgrep made there, and the only things it ever deletes.

Layout::

    INDEX/newsgrep.json           what the index is: format, versions, dictionary, user words, current generation
    INDEX/newsgrep.lock           the write lock (``locking``)
    INDEX/dictionary/merged-FP/   merged dictionaries (``dictionary``)
    INDEX/gen-STAMP/              the Whoosh index itself; ``--rebuild`` writes a new generation beside it

The folder at the index path never moves: a rebuild builds a new generation
inside it and switches ``newsgrep.json`` to it with one atomic rename, under the
write lock. Readers follow ``newsgrep.json``; a reader that still holds the old
generation's files open keeps reading them (POSIX keeps unlinked files alive).
Mount points and symlinked index paths work because nothing renames the folder.

newsgrep only ever deletes what it created, and it can tell: a generation
folder carries a mark file written at its creation; a dictionary folder is
``merged-<16 hex>`` holding only the files the dictionary module writes; an
old-layout index (schema 5 and before) is recognised by its ``newsgrep.json``
and Whoosh's file names. A folder that is neither empty nor an index is never
written to, moved or removed: every command refuses it with one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

from newsgrep.errors import IndexDamaged, IndexOutdated, NotAnIndex

META_FILE = "newsgrep.json"
FORMAT = "newsgrep-index"
LOCK_FILE = "newsgrep.lock"
DICTIONARY_FOLDER = "dictionary"
GENERATION_PREFIX = "gen-"
GENERATION_MARK = ".newsgrep-generation"
REBUILD = "rebuild it with: newsgrep ingest --rebuild DIR"

# Names Whoosh gives the files of an index stored straight in a folder (the layout before generations).
_WHOOSH_FILE = re.compile(r"_?MAIN_[\w.-]+")
_DICTIONARY_ENTRY = re.compile(r"merged-[0-9a-f]{16}")
_DICTIONARY_FILE = re.compile(r"words\.txt|query\.sqlite|\.(?:words|query)-\w+\.tmp")
_OUR_TOP_LEVEL = {META_FILE, LOCK_FILE, META_FILE + ".tmp"}


def read_meta(path: Path) -> dict | None:
    """``newsgrep.json`` of the index at ``path``, or None when there is none; IndexDamaged when unreadable."""
    try:
        meta = json.loads((Path(path) / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise NotAnIndex(f"{path} is a file, not an index folder") from None
    except (OSError, ValueError) as e:
        raise IndexDamaged(f"the index at {path} is damaged ({META_FILE}: {e}); {REBUILD}") from None
    if not isinstance(meta, dict) or not ("format" in meta or "schema_version" in meta):
        raise NotAnIndex(f"{path} is not a newsgrep index ({META_FILE} was not written by newsgrep)")
    return meta


def write_meta(path: Path, meta: dict) -> None:
    """Replace ``newsgrep.json`` atomically and durably: the one step that makes a build current."""
    target = Path(path) / META_FILE
    tmp = target.with_name(META_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    _fsync_folder(Path(path))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _entries(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise NotAnIndex(f"{path} is a file, not an index folder") from None


def _is_our_dictionary_folder(folder: Path) -> bool:
    """``dictionary/`` as newsgrep writes it: only ``merged-<fingerprint>`` folders of dictionary files."""
    if folder.is_symlink():
        return True  # a link someone made to a shared dictionary: used, never entered for deletion
    if not folder.is_dir():
        return False
    for name in os.listdir(folder):
        entry = folder / name
        if not (_DICTIONARY_ENTRY.fullmatch(name) and entry.is_dir() and not entry.is_symlink()):
            return False
        if not all(_DICTIONARY_FILE.fullmatch(f) for f in os.listdir(entry)):
            return False
    return True


def _is_generation(folder: Path) -> bool:
    return folder.name.startswith(GENERATION_PREFIX) and not folder.is_symlink() and (folder / GENERATION_MARK).is_file()


def foreign_entries(path: Path) -> list[str]:
    """Entries of ``path`` that newsgrep did not make (empty for an index or an empty folder)."""
    foreign = []
    for name in _entries(path):
        entry = Path(path) / name
        if name in _OUR_TOP_LEVEL or (name == DICTIONARY_FOLDER and _is_our_dictionary_folder(entry)):
            continue
        if _is_generation(entry) or (_WHOOSH_FILE.fullmatch(name) and entry.is_file()):
            continue
        foreign.append(name)
    return foreign


def _refuse_foreign(path: Path, foreign: list[str], doing: str) -> NotAnIndex:
    shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
    return NotAnIndex(
        f"{path} is not a newsgrep index (it holds {shown}); newsgrep never {doing} a folder it did not create: "
        "choose another --index"
    )


def check_writable_here(path: Path, *, rebuild: bool) -> dict | None:
    """Before any work: the index's meta (None when a new index may be made at ``path``), or a refusal.

    A folder holding anything newsgrep did not make is refused, with or without
    ``--rebuild``; Whoosh files without ``newsgrep.json`` are an index whose
    record is lost: refused with the rebuild message, and rebuilt only when asked.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotAnIndex(f"{path} is a file, not an index folder")
    meta = read_meta(path)
    foreign = foreign_entries(path)
    if foreign:
        raise _refuse_foreign(path, foreign, "replaces or removes" if rebuild else "writes into")
    if meta is None and not rebuild and any(_WHOOSH_FILE.fullmatch(n) or n.startswith(GENERATION_PREFIX) for n in _entries(path)):
        raise IndexOutdated(f"index at {path} has lost its {META_FILE} (the record of how it was built); {REBUILD}")
    return meta


def generation_path(path: Path, meta: dict) -> Path:
    """The folder holding the Whoosh files of the index described by ``meta``."""
    generation = meta.get("generation")
    return Path(path) / generation if generation else Path(path)


def new_generation(path: Path) -> Path:
    """A fresh, marked generation folder inside the index folder (the folder is created if missing)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    os.makedirs(os.path.realpath(path), exist_ok=True)
    for n in range(1000):
        folder = Path(path) / f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-{n}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        (folder / GENERATION_MARK).write_text("made by newsgrep; removed when no longer current\n", encoding="utf-8")
        return folder
    raise OSError(f"cannot make a generation folder in {path}")


def discard_generation(folder: Path) -> None:
    """Remove a generation folder newsgrep made (a cancelled or failed build)."""
    if _is_generation(Path(folder)):
        shutil.rmtree(folder, ignore_errors=True)


def collect_garbage(path: Path, meta: dict) -> None:
    """Remove what earlier runs left that ``meta`` no longer refers to (writers only, under the write lock).

    Generations other than the current one (a crashed or superseded build),
    Whoosh files of the old layout once a generation is current, merged
    dictionaries other than the current one, and stray temporary files.
    """
    path = Path(path)
    current = meta.get("generation")
    for name in _entries(path):
        entry = path / name
        if _is_generation(entry) and name != current:
            shutil.rmtree(entry, ignore_errors=True)
        elif current and _WHOOSH_FILE.fullmatch(name) and entry.is_file():
            entry.unlink(missing_ok=True)
    (path / (META_FILE + ".tmp")).unlink(missing_ok=True)
    dictionaries = path / DICTIONARY_FOLDER
    if dictionaries.is_dir() and not dictionaries.is_symlink() and _is_our_dictionary_folder(dictionaries):
        keep = f"merged-{meta.get('dictionary')}"
        for name in os.listdir(dictionaries):
            folder = dictionaries / name
            if name != keep:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                for f in os.listdir(folder):
                    if f.endswith(".tmp"):
                        (folder / f).unlink(missing_ok=True)


def is_index_folder(path: str) -> bool:
    """Whether ``path`` is a newsgrep index (so that ingest never reads an index's own files as articles)."""
    return os.path.isfile(os.path.join(path, META_FILE)) or os.path.isfile(os.path.join(path, LOCK_FILE))
