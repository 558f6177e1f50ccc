"""Properties that must hold for any input (hypothesis), not just the examples we thought of."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgrep.analysis import analyze, fold
from newsgrep.record import Article, Block, Caption

from corpusgen import SENTENCES, snapshot, write_corpus

# Chinese-heavy text, plus anything Unicode can throw: combining marks, full-width forms, ligatures, emoji, controls.
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ANY = st.characters(blacklist_categories=("Cs",))
TEXT = st.one_of(
    st.text(ANY, max_size=60),
    st.text(st.one_of(HAN, ANY, st.sampled_from(list("，。！？「」ＡＢＣ１２３ﬁ…①㍻ｶﾞ\u3000 \n"))), max_size=80),
    st.lists(st.sampled_from(SENTENCES), max_size=3).map("".join),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=TEXT, query=st.booleans())
def test_analyze_never_crashes_and_offsets_slice_to_the_term(segmenter, query_segmenter, text, query):
    for token in analyze(text, query_segmenter if query else segmenter, query=query):
        assert 0 <= token.start < token.end <= len(text)
        assert token.original == text[token.start:token.end]
        assert fold(token.original) == token.term


OPTIONAL_TEXT = st.none() | st.text(ANY, max_size=20)
DATES = st.none() | st.dates() | st.datetimes(timezones=st.none() | st.just(dt.timezone(dt.timedelta(hours=8))))
ARTICLES = st.builds(
    Article,
    id=st.text(ANY, min_size=1, max_size=20),
    source_path=st.text(ANY, max_size=30),
    title=st.text(ANY, max_size=30),
    lede=st.text(ANY, max_size=60),
    body=st.lists(st.builds(Block, st.sampled_from(["paragraph", "heading"]), st.text(ANY, max_size=40)), max_size=4).map(tuple),
    date=DATES,
    title_derived=st.booleans(),
    captions=st.lists(st.builds(Caption, st.text(ANY, max_size=20), st.text(ANY, max_size=10)), max_size=2).map(tuple),
    url=OPTIONAL_TEXT,
    outlet=OPTIONAL_TEXT,
    author=OPTIONAL_TEXT,
    category=OPTIONAL_TEXT,
    tags=st.lists(st.text(ANY, max_size=10), max_size=3).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(article=ARTICLES)
def test_article_json_round_trip(article):
    again = Article.from_json(article.to_json())
    assert again == article
    assert again.content_hash == article.content_hash
    assert again.to_dict() == article.to_dict()


def test_ingesting_the_same_files_twice_changes_nothing(index_path, corpus, tmp_path):
    from newsgrep.ingest import ingest_paths

    write_corpus(corpus / "generated", 30)
    first = ingest_paths([corpus], index_path)
    assert first.added == 34 and not first.failures
    before = snapshot(index_path)
    again = ingest_paths([corpus], index_path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 34)
    for path in corpus.rglob("*.txt"):  # new mtimes, same bytes: read, hashed, still unchanged
        os.utime(path)
    touched = ingest_paths([corpus], index_path)
    assert (touched.added, touched.updated, touched.unchanged) == (0, 0, 34)
    assert snapshot(index_path) == before
