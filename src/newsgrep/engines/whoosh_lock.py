"""One writer per index: an exclusive ``flock`` on ``<index>/newsgrep.lock`` that records the holder's pid.

Whoosh's own lock (an ``flock`` on ``MAIN_WRITELOCK``) also keeps two writers
apart, but it records nobody, and a second writer would only learn of it after
reading files and building its batch. This lock is taken first, for the whole
run (including ``--rebuild``'s swap), and a waiting process can name the holder.

An ``flock`` belongs to the open file, so the kernel drops it when the holder
dies, even by ``kill -9``: a lock file left behind by a dead process is not
held, and the next writer simply takes it and overwrites the pid. The lock file
never moves (``--rebuild`` writes a new generation inside the index folder);
a waiter still checks that the file it locked is the one at the path (someone
may have deleted the folder meanwhile) and tries again if not.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsgrep.errors import IndexBusy, IndexUnwritable

LOCK_FILE = "newsgrep.lock"
POLL_SECONDS = 0.1


def holder_pid(lock_path: Path) -> int | None:
    """The pid written in the lock file, or None when there is none (yet)."""
    try:
        text = Path(lock_path).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return int(text) if text.isdigit() else None


def _busy(lock_path: Path) -> IndexBusy:
    pid = holder_pid(lock_path)
    for _ in range(5):  # the holder may have the lock but not yet have written its pid
        if pid is not None:
            break
        time.sleep(0.02)
        pid = holder_pid(lock_path)
    return IndexBusy(f"index is being written by another process (pid {pid if pid is not None else '?'})")


def _open(lock_path: Path) -> int:
    try:
        # The real path: an index path may be a symlink the user made to a folder still to be created.
        os.makedirs(os.path.realpath(lock_path.parent), exist_ok=True)
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise IndexUnwritable(f"cannot write the index at {lock_path.parent}: {(e.strerror or str(e)).lower()}") from None


@contextmanager
def write_lock(index_path: Path, *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the index's write lock for the block; IndexBusy when another process holds it for more than ``wait`` s."""
    lock_path = Path(index_path) / LOCK_FILE
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        fd = _open(lock_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise IndexUnwritable(f"cannot lock the index at {index_path}: {(e.strerror or str(e)).lower()}") from None
            if time.monotonic() >= deadline:
                raise _busy(lock_path) from None
            time.sleep(POLL_SECONDS)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the folder was removed or replaced while we waited: lock the file that is there now
            os.close(fd)
            continue
        break
    try:
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except OSError:
            pass  # the pid is only for the message; the lock itself is held
        yield lock_path
    finally:
        os.close(fd)  # releases the flock
