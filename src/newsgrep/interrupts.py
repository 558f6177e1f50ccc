"""Ctrl-C during an ingest: finish the file at hand, commit, stop.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens
to be, which during an ingest can be between deleting a changed file's old
records and adding its new ones, or inside Whoosh's multi-process writer. So
while an ingest runs, SIGINT only sets a flag that the ingest loop checks
between files; a second Ctrl-C raises ``KeyboardInterrupt`` at once (the open
batch is cancelled, the last commit stays).

Worker processes forked by Whoosh's ``MpWriter`` are in the terminal's process
group and receive the same SIGINT; they inherit the flag-setting handler and
keep working, so the batch they hold is committed rather than lost. Workers ignore
SIGINT altogether (the parent decides), and a commit is shielded: a second
Ctrl-C during it takes effect when it is done, so the summary never says less
than the index holds. They are
also asked (Linux ``PR_SET_PDEATHSIG``) to die with the ingest process, so a
``kill -9`` of the ingest does not leave them waiting on their queue forever,
holding the inherited index lock.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_requested = False
_active = 0
_shielded = 0


def requested() -> bool:
    """Whether Ctrl-C was pressed during the current ingest."""
    return _requested


def _on_sigint(signum, frame) -> None:
    global _requested
    if _requested and not _shielded:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        raise KeyboardInterrupt
    _requested = True


@contextmanager
def shielded() -> Iterator[None]:
    """A block no Ctrl-C interrupts (a commit): a second Ctrl-C only stops the ingest once it is done.

    Outside an ingest (no deferred handler installed) this changes nothing.
    """
    global _shielded
    _shielded += 1
    try:
        yield
    finally:
        _shielded -= 1


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """SIGINT sets ``requested()`` instead of raising, for the duration of the block (main thread only)."""
    global _requested, _active
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if _active == 0:
        _requested = False
    _active += 1
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        _active -= 1
        signal.signal(signal.SIGINT, previous)


_forking_pid = 0


def _before_fork() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _die_with_parent() -> None:
    """In a forked child: leave Ctrl-C to the parent, and get SIGKILL when the parent dies (Linux only)."""
    if not _active:
        return
    # The parent decides what an interrupt means (commit or cancel); a worker interrupted mid-batch
    # would only break the parent's commit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != _forking_pid:  # the parent died before prctl took effect
            os._exit(1)
    except Exception:
        pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_die_with_parent)
