"""Many small commits (an ingest commits every few seconds) leave few Whoosh segments: the tiered merge folds them."""

from __future__ import annotations

from whoosh.index import open_dir

from newsgrep.engines import open_index, whoosh_merge
from newsgrep.ingest import ingest_paths
from newsgrep.search import search

from corpusgen import write_corpus


def segments(index_path) -> int:
    engine = open_index(index_path)
    return len(open_dir(str(engine.folder))._segments())


def test_one_commit_per_article_leaves_at_most_merge_factor_segments(tmp_path, index_path, monkeypatch):
    monkeypatch.setenv("NEWSGREP_BATCH", "1")
    corpus = write_corpus(tmp_path / "corpus", 3 * whoosh_merge.MERGE_FACTOR)
    report = ingest_paths([corpus], index_path, procs=1)
    assert report.added == 3 * whoosh_merge.MERGE_FACTOR
    assert segments(index_path) <= whoosh_merge.MERGE_FACTOR  # 18 commits of one segment each, merged as they came
    found = search(open_index(index_path), "報導", limit=100, collapse=False)
    assert found.total == 3 * whoosh_merge.MERGE_FACTOR
    assert search(open_index(index_path), '"台北市政府宣布"', limit=1).total >= 1  # phrases over merged, inlined postings
