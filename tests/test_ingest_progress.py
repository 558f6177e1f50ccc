"""The ingest progress display never goes blank: files, articles and the commit and merge phases are on screen throughout."""

from __future__ import annotations

import io

from rich.console import Console

from newsgrep import ingest
from newsgrep.engines import whoosh_merge
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


def commit_by_count_only(monkeypatch, articles: int) -> None:
    """Batches of ``articles``, whatever the time: the commits a test expects do not depend on the machine's speed."""
    monkeypatch.setenv("NEWSGREP_BATCH", str(articles))
    monkeypatch.setattr(ingest, "FIRST_COMMIT_SECONDS", 1e9)
    monkeypatch.setattr(ingest, "COMMIT_CYCLE_SECONDS", 1e9)


def test_progress_shows_files_articles_and_each_phase(tmp_path, index_path, monkeypatch):
    commit_by_count_only(monkeypatch, 10)
    corpus = write_corpus(tmp_path / "corpus", 25)
    console = Console(file=io.StringIO(), force_terminal=True, width=80)  # a default terminal
    with Recorder(console) as display:
        report = ingest_paths([corpus], index_path, progress=display)
    assert report.added == 25
    screens = display.screens
    assert all("Indexing" in screen and "files" in screen for screen in screens)  # never blank
    commits = [s for s in screens if "committing" in s]
    assert len(commits) == 3  # 10 + 10 + 5 articles
    assert "committing 10 articles · 0 s" in commits[0] and "10/25 files · 10 articles" in commits[0]
    assert any("opening the index" in s for s in screens)


def test_merging_segments_is_shown_while_the_commit_runs(tmp_path, index_path, monkeypatch):
    commit_by_count_only(monkeypatch, 5)
    monkeypatch.setattr(whoosh_merge, "MERGE_FACTOR", 2)  # two small segments make a merge
    corpus = write_corpus(tmp_path / "corpus", 15)
    console = Console(file=io.StringIO(), force_terminal=True, width=80)  # a default terminal
    with Recorder(console) as display:
        report = ingest_paths([corpus], index_path, progress=display, procs=1)
    assert report.added == 15
    merging = [s for s in display.screens if "merging" in s]
    # After the second commit: its segment and the first one, merged once both are committed.
    assert "merging 2 segments (10 articles) · 0 s" in merging[0] and "files · 10 articles" in merging[0]
    assert any("writing the merged segment" in s and "Indexing" in s for s in display.screens)
