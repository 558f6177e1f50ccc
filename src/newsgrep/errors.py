"""Errors the library raises; the CLI turns each into one line on stderr and exit code 2.

Every message is meant to be read by a user: it says what went wrong and, where
there is one, what to do next. None of these should ever surface as a traceback.
"""


class NewsgrepError(Exception):
    """Base class of every expected failure."""


class ReadError(NewsgrepError):
    """A file could not be turned into articles."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissing(NewsgrepError):
    """No index at the given path."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"no index at {path}; create it with: newsgrep ingest DIR (or pass --index PATH)"
        )
        self.path = path


class IndexOutdated(NewsgrepError):
    """The index was built by another schema or analyzer; its answers would be wrong."""


class IndexBusy(NewsgrepError):
    """Another process holds the index's write lock."""


class IndexUnreachable(NewsgrepError):
    """The index's server cannot be used: refused connection, wrong password, no such database, bad address."""


class BadQuery(NewsgrepError):
    """The query cannot be parsed or means nothing."""


class UnknownArticle(NewsgrepError):
    """No stored article has this id (or id prefix), or the prefix is ambiguous."""


class IndexUnwritable(NewsgrepError):
    """The index folder cannot be written (read-only, disk full, no permission); the last commit is intact."""


class IndexDamaged(NewsgrepError):
    """The index's files cannot be read as an index (truncated, garbled); only a rebuild helps."""


class NotAnIndex(NewsgrepError):
    """The index path names something newsgrep did not create; it is never written to, moved or removed."""


class BadSetting(NewsgrepError):
    """An environment setting (``NEWSGREP_*``) has a value newsgrep cannot use."""
