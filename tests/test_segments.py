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


def merged_contents(folder, stream: bool) -> dict:
    """Merge every segment of the Whoosh index in ``folder`` into one (streamed or through Whoosh's own
    ``add_reader``), then read back all it holds: each term's postings and statistics, stored fields, lengths."""
    from whoosh.reading import SegmentReader

    from newsgrep.engines.whoosh_codec import NewsCodec

    def merge_all(writer, segments):
        readers = [SegmentReader(writer.storage, writer.schema, s) for s in segments]
        if stream:
            whoosh_merge.stream_into(writer, readers)
        else:
            for reader in readers:
                writer.add_reader(reader)
        for reader in readers:
            reader.close()
        return []

    ix = open_dir(str(folder))
    ix.writer(compound=False, codec=NewsCodec()).commit(mergetype=merge_all)
    with ix.reader() as r:
        assert len(ix._segments()) == 1 and not r.has_deletions()
        fields = sorted(r.indexed_field_names())
        terms = {}
        for name in fields:
            for text in r.lexicon(name):
                info = r.term_info(name, text)
                m = r.postings(name, text)
                postings = []
                while m.is_active():
                    postings.append((m.id(), m.weight(), m.value()))
                    m.next()
                stats = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(), info.max_weight())
                terms[name, text] = (stats, postings)
        stored = list(r.iter_docs())
        lengths = [[r.doc_field_length(d, name) for name in fields] for d in r.all_doc_ids()]
    return {"terms": terms, "stored": stored, "lengths": lengths}


def test_the_streamed_merge_writes_what_whooshs_own_merge_writes(tmp_path, index_path, monkeypatch):
    import shutil

    monkeypatch.setenv("NEWSGREP_BATCH", "1")
    monkeypatch.setattr(whoosh_merge, "MERGE_FACTOR", 100)  # the ingest leaves its 16 segments unmerged
    corpus = write_corpus(tmp_path / "corpus", 14)
    ingest_paths([corpus], index_path, procs=1)
    # Replaced articles leave deleted documents in their old segments.
    for n in (2, 9):
        (corpus / f"a{n:04d}.txt").write_text(" date 2025-03-03 颱風過後，台北市政府宣布停班停課。\n", encoding="utf-8")
    ingest_paths([corpus], index_path, procs=1)
    folder = open_index(index_path).folder
    assert len(open_dir(str(folder))._segments()) > 1
    assert open_dir(str(folder)).reader().has_deletions()
    copies = [tmp_path / "streamed", tmp_path / "pooled"]
    for copy in copies:
        shutil.copytree(folder, copy)

    streamed, pooled = merged_contents(copies[0], stream=True), merged_contents(copies[1], stream=False)

    assert len(streamed["stored"]) == 14
    assert any(name == "body" and len(postings) > 1 for (name, _), (_, postings) in streamed["terms"].items())
    assert streamed == pooled


def test_every_byte_column_keeps_its_offsets_so_opening_it_adds_nothing_up(tmp_path, index_path):
    corpus = write_corpus(tmp_path / "corpus", 3)
    ingest_paths([corpus], index_path, procs=1)
    with open_dir(str(open_index(index_path).folder)).reader() as r:
        names = [name for name in r.schema.names() if r.has_column(name) and name != "when"]
        assert {"id", "story", "outlet_name", "tags"} <= set(names)
        assert all(r.column_reader(name, translate=False).had_stored_offsets for name in names)
