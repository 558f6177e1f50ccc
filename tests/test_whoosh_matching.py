"""The Whoosh engine finds every match by set algebra over posting lists (``whoosh_match``); it must find
exactly the documents Whoosh's own matchers find, over segments, deletions, phrases and every query shape."""

from __future__ import annotations

import pytest
from whoosh.index import open_dir

from newsgrep.engines import open_index, whoosh_merge
from newsgrep.engines.whoosh_match import IdDirectory, matching_docnums
from newsgrep.engines.whoosh_query import WhooshCompiler
from newsgrep.ingest import ingest_paths
from newsgrep.search import parse, plan, search

from conftest import new_index_folder
from corpusgen import write_corpus

QUERIES = [
    "台北", "台北市政府", "臺北市政府", "台湾 积体电路", "颱風 OR 地震", "颱風 -農業", "-颱風 地震",
    '"台北市政府宣布"', '"宣布 捷運"', "title:報導", "title:台北 -title:高雄", "百分之八", "第12號",
    "哈哈哈", "哈哈", "台北台北", "ＡＢＣ", "abc", "報", "總預算 OR 流感 OR 登革熱", "地震 OR -報導", "報導 NOT 颱風",
    "環保署 空氣", "环保署 空气", "source:none", "政府宣", "北市",
]  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory, dictionary_folder):
    """An index of several segments with deleted documents: 20 articles committed one by one, two replaced."""
    tmp = tmp_path_factory.mktemp("matching")
    path = new_index_folder(tmp / "index", dictionary_folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSGREP_BATCH", "1")
        mp.setattr(whoosh_merge, "MERGE_FACTOR", 100)  # keep every segment
        corpus = write_corpus(tmp / "corpus", 20)
        (corpus / "a0003.txt").write_text(" date 2025-02-02 哈哈哈，台北台北。ＡＢＣ新聞。\n", encoding="utf-8")
        ingest_paths([corpus], path, procs=1)
        for n in (2, 9):
            (corpus / f"a{n:04d}.txt").write_text(" date 2025-03-03 颱風過後，台北市政府宣布停班停課。\n", encoding="utf-8")
        ingest_paths([corpus], path, procs=1)
    engine = open_index(path)
    folder = open_dir(str(engine.folder))
    assert len(folder._segments()) > 5 and folder.reader().has_deletions()
    return engine


@pytest.mark.parametrize("text", QUERIES)
def test_set_matching_finds_what_whooshs_matchers_find(index, text):
    def both(s):
        planned = plan(parse(text), index.query_segmenter)
        compiler = WhooshCompiler(s)
        wanted, narrowing = compiler.compile(planned.root), compiler.filter(planned.filters)
        whoosh = sorted(s.search(wanted, filter=narrowing, limit=None, scored=False, sortedby=None).docs())
        return whoosh, matching_docnums(s, wanted, narrowing)

    whoosh, ours = index.read(both)
    assert ours == whoosh


def grep(corpus, needle: str, day: str | None = None) -> int:
    """Files holding ``needle`` (dated ``day``, when given): what an exact search must count."""
    texts = [f.read_text(encoding="utf-8") for f in sorted(corpus.glob("*.txt"))]
    return sum(needle in t and (day is None or t.startswith(f" date {day}")) for t in texts)


@pytest.mark.parametrize("needle", ["台北市政府", "宣布停班", "哈哈哈", "哈哈哈哈", "百分之八", "颱風"])
def test_counts_and_date_filters_are_grep_exact(index, needle):
    import datetime as dt

    corpus = index.path.parent / "corpus"
    march_third = dt.date(2025, 3, 3)
    assert search(index, needle).total == grep(corpus, needle)
    assert search(index, needle, since=march_third, until=march_third).total == grep(corpus, needle, "2025-03-03")


def test_the_id_directory_finds_each_articles_live_document_as_whoosh_does(index):
    ids = [f"a{n:04d}" for n in range(20)] + ["a9999"]
    directory = IdDirectory()

    def both(s):
        return {i: s.document_number(id=i) for i in ids if s.document_number(id=i) is not None}, directory.live_docnums(s, ids)

    whoosh, ours = index.read(both)
    assert ours == whoosh and len(ours) == 20
    assert index.read(both)[1] == ours  # again, from the segments' tables
    replaced = index.read(lambda s: s.stored_fields(ours["a0002"]))
    assert "颱風過後" in index.records(["a0002"])[0].text and replaced["id"] == "a0002"


def test_the_id_directory_finds_the_live_one_of_two_documents_with_one_id_in_a_segment(index_path):
    """Written twice before one commit, the segment holds both; with the first deleted, the second is found."""
    from newsgrep.engines.whoosh_engine import WhooshEngine
    from newsgrep.record import Article

    engine = WhooshEngine.create(index_path, publish=True)
    with engine.writer() as w:
        for lede in ("第一版：颱風來了。", "第二版：颱風走了。"):
            w.add(Article(id="twice", source_path="twice.txt", title="颱風", lede=lede), "sig")

    def found(s):
        return IdDirectory().live_docnums(s, ["twice"]), {"twice": s.document_number(id="twice")}

    ours, whoosh = engine.read(found)
    assert ours == whoosh == {"twice": 0}
    whoosh_index = open_dir(str(engine.folder))
    with whoosh_index.writer() as w:
        w.delete_document(0)
    engine.close()
    ours, whoosh = engine.read(found)
    assert ours == whoosh == {"twice": 1}
