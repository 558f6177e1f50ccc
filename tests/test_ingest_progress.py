"""The ingest progress display never goes blank: files, articles and the commit phase are on screen throughout."""

from __future__ import annotations

import io

from rich.console import Console

from newsgrep.ingest import ingest_paths
from newsgrep.progress import IngestDisplay

from corpusgen import write_corpus


class Recorder(IngestDisplay):
    """The display as a terminal would show it, captured at every phase change."""

    def __init__(self, console):
        super().__init__(console, enabled=True)
        self.screens: list[str] = []

    def phase(self, what):
        super().phase(what)
        self.screens.append(self.rendered())


def test_progress_shows_files_articles_and_each_phase(tmp_path, index_path, monkeypatch):
    monkeypatch.setenv("NEWSGREP_BATCH", "10")
    corpus = write_corpus(tmp_path / "corpus", 25)
    console = Console(file=io.StringIO(), force_terminal=True, width=160)
    with Recorder(console) as display:
        report = ingest_paths([corpus], index_path, progress=display)
    assert report.added == 25
    screens = display.screens
    assert all("Indexing" in screen and "files" in screen for screen in screens)  # never blank
    commits = [s for s in screens if "committing" in s]
    assert len(commits) == 3  # 10 + 10 + 5 articles
    assert "committing 10 articles" in commits[0] and "10/25 files · 10 articles" in commits[0]
    assert any("opening the index" in s for s in screens)
