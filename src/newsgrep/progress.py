"""The ingest progress display: files and articles counted, and every phase named, so the screen never goes blank.

A rich ``Progress`` on standard error, only on a terminal: a bar over the files,
the files and articles done, and what is happening when it is not reading files
(finding files, committing a batch, merging segments: a commit can take tens of
seconds), with the seconds that step has taken so far. Its refresh thread keeps
the spinner and both clocks moving while the main thread is busy inside a commit.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column
from rich.text import Text

from newsgrep import ingest


class PhaseColumn(ProgressColumn):
    """``Indexing``, or the current phase and how long it has lasted (``committing 5,000 articles · 12 s``).

    First on the line: on an 80-column terminal rich squeezes out the last columns, and the phase is what
    says why the counts stand still.
    """

    def render(self, task) -> Text:
        what = task.fields["phase"]
        if not what:
            return Text(task.description)
        return Text(f"{task.description}: {what} · {time.monotonic() - task.fields['since']:.0f} s")


class IngestDisplay(ingest.Progress):
    """Shows an ingest's progress on ``console``; use as a context manager."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.enabled = enabled
        self.articles = 0
        self._bar = Progress(
            SpinnerColumn(),
            PhaseColumn(table_column=Column(no_wrap=True)),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[articles]:,} articles"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not enabled,
            refresh_per_second=4,
        )
        self._task = self._bar.add_task("Indexing", total=None, articles=0, phase="", since=time.monotonic())

    def __enter__(self) -> IngestDisplay:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def start(self, files: int) -> None:
        self._bar.update(self._task, total=files)

    def file_done(self, articles: int) -> None:
        self.articles += articles
        self._bar.update(self._task, advance=1, articles=self.articles)

    def phase(self, what: str | None) -> None:
        self._bar.update(self._task, phase=what or "", since=time.monotonic())

    def rendered(self) -> str:
        """The display as text (for tests: what a terminal would show now)."""
        import io

        plain = Console(file=io.StringIO(), width=self._bar.console.width, color_system=None)
        plain.print(self._bar.get_renderable())
        return plain.file.getvalue()
