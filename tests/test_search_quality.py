"""Search quality with real Chinese text: grep-complete recall, exact phrases, user words, zero-hit help,
snippets that highlight exactly the matched characters, related articles."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app

ARTICLES = {
    "201_arms.txt": " date 2025-12-10 美國國務院批准新一批對台軍售案，總額約三億美元。\n\n國防部表示，軍售案有助於提升防衛能力。",
    "202_taipei.txt": " date 2025-12-11 民進黨台北市議員林延鳳今天質詢市府交通政策。\n\n她指出台北市公車路網需要調整。",
    "203_council.txt": " date 2025-12-12 民進黨台北市議員團今天召開記者會。",
    "204_japan.txt": " date 2025-12-13 日本首相高市早苗表示，台灣有事就是日本有事。\n\n高市早苗的發言引發中國強烈不滿。",
    "205_simplified.txt": " date 2025-12-14 美国批准对台军售，台湾国防部表示欢迎。",
    "206_unrelated.txt": " date 2025-12-15 颱風過後，花蓮縣政府動員清理道路，農損初估上億元。",
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def run(run, corpus):
    """The CLI, against an index that already holds the articles above."""
    assert run("ingest", str(corpus)).exit_code == 0
    return run


def found(run, query: str) -> set[str]:
    return {json.loads(line)["id"] for line in run("search", query, "--json", "-n", "50").output.splitlines() if line.startswith("{")}


def test_word_inside_a_longer_word_is_found(run):
    # 軍售 is segmented as part of 軍售案 in 201; the bigram index still finds it, in both scripts.
    assert found(run, "軍售") == {"201_arms", "205_simplified"}
    assert found(run, "军售") == {"201_arms", "205_simplified"}


def test_word_cut_across_a_segmentation_boundary_is_found(run):
    # 台北市議員 may be cut 台北|市議員; 台北市 must still match both council articles and the bus one.
    assert found(run, "台北市") == {"202_taipei", "203_council"}


def test_whole_word_and_title_matches_rank_first(run):
    hits = [json.loads(line)["id"] for line in run("search", "軍售", "--json").output.splitlines()]
    assert hits[0] in {"201_arms", "205_simplified"}


def test_phrases_are_exact(run):
    assert found(run, '"對台軍售"') == {"201_arms", "205_simplified"}
    assert found(run, '"軍售對台"') == set()
    assert found(run, "台北市議員") == {"202_taipei", "203_council"}  # one typed word = that exact string
    assert found(run, '"議員團"') == {"203_council"}


def test_snippet_highlights_exactly_the_matched_characters(run):
    line = run("search", "军售", "--json").output.splitlines()[0]
    hit = json.loads(line)
    assert hit["highlights"]
    assert {hit["snippet"][a:b] for a, b in hit["highlights"]} <= {"軍售", "军售"}


def test_zero_hits_explains_each_word_and_suggests_a_query(run):
    result = run("search", "颱風 火星")
    assert result.exit_code == 1
    assert "颱風: 1 article" in result.output and "火星: 0 articles" in result.output
    assert 'try: newsgrep search "颱風"' in result.output


def test_related_articles(run):
    result = run("show", "201_arms", "--related", "--json")
    assert result.exit_code == 0
    ids = [json.loads(line)["id"] for line in result.output.splitlines()]
    assert ids[0] == "205_simplified" and "201_arms" not in ids


@pytest.mark.slow  # builds two more merged dictionaries
def test_user_dictionary_keeps_names_whole_and_asks_for_a_rebuild_when_it_changes(tmp_path, index_path, corpus):
    runner = CliRunner()
    env = {"NEWSGREP_INDEX": str(index_path)}
    words = tmp_path / "userdict.txt"
    words.write_text("# names\n海馬斯\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(corpus), "--userdict", str(words)], env=env).exit_code == 0
    tokens = runner.invoke(app, ["analyze", "海馬斯火箭", "--query", "--json"], env=env).output
    assert [json.loads(t)["token"] for t in tokens.splitlines()][0] == "海马斯"
    words.write_text("海馬斯\n高市早苗\n", encoding="utf-8")
    stale = runner.invoke(app, ["ingest", str(corpus), "--userdict", str(words)], env=env)
    assert stale.exit_code == 2 and "--rebuild" in stale.output
    rebuilt = runner.invoke(app, ["ingest", str(corpus), "--userdict", str(words), "--rebuild"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    tokens = runner.invoke(app, ["analyze", "高市早苗表示", "--query", "--json"], env=env).output
    assert [json.loads(t)["token"] for t in tokens.splitlines()][0] == "高市早苗"
    hits = runner.invoke(app, ["search", "高市早苗", "--json"], env=env).output
    assert [json.loads(line)["id"] for line in hits.splitlines()] == ["204_japan"]
