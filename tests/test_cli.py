"""The commands as a user types them: real files in, real output checked (Typer's CliRunner)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app

from conftest import SEED

SEED_ID = "000_483c8889d9bd71fa"


@pytest.fixture(params=["whoosh", "postgres"])
def run(request, index_path):
    """Every command test runs on both engines: an index folder, and a database on a throwaway server."""
    location = str(index_path) if request.param == "whoosh" else request.getfixturevalue("pg_url")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, env={"NEWSGREP_INDEX": location})

    return invoke


@pytest.fixture
def ingested(run, corpus):
    result = run("ingest", str(corpus))
    assert result.exit_code == 0, result.output
    return corpus


def ids_of(output: str) -> list[str]:
    return [json.loads(line)["id"] for line in output.splitlines() if line.strip()]


def test_ingest_reports_one_summary_line(run, corpus):
    result = run("ingest", str(corpus))
    assert result.exit_code == 0
    assert result.output.strip().endswith("4 added, 0 updated, 0 unchanged, 0 removed, 0 failed (4 files)")


@pytest.mark.parametrize("query", ["台灣 軍售", "台湾 军售", "臺灣 軍售", "ＡＰＥＣ", "apec"])
def test_traditional_simplified_and_width_variants_find_the_same_articles(run, ingested, query):
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.output
    assert set(ids_of(result.output)) == {SEED_ID, "103_apec"}


def test_simplified_article_found_by_traditional_query(run, ingested):
    result = run("search", "賴清德 半導體", "--json")
    assert ids_of(result.output) == ["101_chip_simplified"]


def test_search_output_shows_id_date_title_and_highlighted_snippet(run, ingested):
    result = run("search", "台灣 軍售", "--color", "always")
    assert result.exit_code == 0
    assert SEED_ID in result.output and "2026-02-08" in result.output
    assert "美國總統川普與中國國家主席習近平4日再度通話" in result.output
    assert "\x1b[" in result.output  # highlighted on request


def test_json_hits_carry_snippet_highlights_in_the_original_script(run, ingested):
    result = run("search", "台湾 军售", "--json")
    hit = next(json.loads(line) for line in result.output.splitlines() if json.loads(line)["id"] == SEED_ID)
    assert set(hit) >= {"id", "date", "title", "score", "snippet", "path"}
    marked = {hit["snippet"][a:b] for a, b in hit["highlights"]}
    assert marked <= {"台灣", "軍售"} and "軍售" in marked


def test_phrase_query_matches_the_exact_string(run, ingested):
    result = run("search", '"對台軍售"', "--json")
    assert set(ids_of(result.output)) == {SEED_ID, "103_apec"}
    result = run("search", '"軍售對台"', "--json")
    assert result.exit_code == 1


def test_or_not_title_and_dates(run, ingested):
    assert set(ids_of(run("search", "颱風 OR 芯片", "--json").output)) == {"102_typhoon", "101_chip_simplified"}
    assert set(ids_of(run("search", "台灣 -軍售", "--json").output)) == {"101_chip_simplified"}
    assert set(ids_of(run("search", "台灣 NOT 軍售", "--json").output)) == {"101_chip_simplified"}
    assert ids_of(run("search", "title:颱風", "--json").output) == ["102_typhoon"]
    dated = ids_of(run("search", "台灣", "--since", "2026-01-01", "--json").output)
    assert SEED_ID in dated and "103_apec" not in dated


def test_no_hits_exit_1_with_a_helpful_line(run, ingested):
    result = run("search", "颱風 火星")
    assert result.exit_code == 1
    assert "颱風" in result.output


@pytest.mark.parametrize("query", ["(", "   ", "-"])
def test_bad_query_exit_2_with_one_line(run, ingested, query):
    result = run("search", query)
    assert result.exit_code == 2
    assert result.output.startswith("newsgrep: ") and result.output.count("\n") == 1


def test_missing_index_says_how_to_create_it(tmp_path):
    result = CliRunner().invoke(app, ["search", "台灣", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "newsgrep ingest" in result.output


def test_show_by_prefix_lays_out_the_article(run, ingested):
    result = run("show", "000")
    assert result.exit_code == 0
    assert result.output.startswith("美國總統川普與中國國家主席習近平4日再度通話")
    assert "從台灣到峰會議程，習近平強調主權與領土" in result.output
    assert "廣告" not in result.output


def test_show_json_is_the_full_record(run, ingested):
    record = json.loads(run("show", SEED_ID, "--json").output)
    assert record["id"] == SEED_ID and record["title_derived"] is True
    assert record["date"] == "2026-02-08"


@pytest.mark.parametrize(("article_id", "message"), [("nope", "no article with id 'nope'"), ("10", "ambiguous")])
def test_show_unknown_or_ambiguous_id_exit_2(run, ingested, article_id, message):
    result = run("show", article_id)
    assert result.exit_code == 2
    assert message in result.output


def test_analyze_prints_positions_and_offsets(run, ingested):
    result = run("analyze", "賴清德說台灣ＡＰＥＣ", "--json")
    tokens = [json.loads(line) for line in result.output.splitlines()]
    words = [(t["token"], t["position"], t["start_offset"], t["end_offset"]) for t in tokens if t["type"] == "word"]
    assert words == [("赖清德", 0, 0, 3), ("说", 1, 3, 4), ("台湾", 2, 4, 6), ("apec", 3, 6, 10)]


def test_analyze_stdin_writes_words_in_the_original_script(run, ingested):
    result = run("analyze", input="習近平強調台灣問題\n习近平强调台湾问题\n")
    assert result.output == "習近平 強調 台灣 問題\n习近平 强调 台湾 问题\n"


def test_reingest_is_all_unchanged_and_edits_are_updated(run, corpus, tmp_path):
    assert run("ingest", str(corpus)).exit_code == 0
    assert "0 added, 0 updated, 4 unchanged" in run("ingest", str(corpus)).output
    typhoon = corpus / "102_typhoon.txt"
    typhoon.write_text(typhoon.read_text(encoding="utf-8") + "\n\n颱風過後，台中市民協助清理街道。\n", encoding="utf-8")
    assert "0 added, 1 updated, 3 unchanged" in run("ingest", str(corpus)).output
    assert ids_of(run("search", "清理街道", "--json").output) == ["102_typhoon"]


def test_prune_removes_articles_whose_file_is_gone(run, corpus):
    run("ingest", str(corpus))
    (corpus / "102_typhoon.txt").unlink()
    assert "0 removed" in run("ingest", str(corpus)).output  # without --prune nothing is lost
    assert "1 removed" in run("ingest", str(corpus), "--prune").output
    assert run("show", "102_typhoon").exit_code == 2


def test_bad_files_are_reported_and_the_rest_stored(run, corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03")
    (corpus / "garbled.txt").write_bytes(b" date 2025-01-01 \xff\xff\xff\xff")
    result = run("ingest", str(corpus))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any("empty.txt: empty file" in line for line in lines)
    assert any("binary.txt: binary file" in line for line in lines)
    assert any("garbled.txt: not valid UTF-8" in line for line in lines)
    assert "4 added" in result.output and "3 failed" in result.output
    assert set(ids_of(run("search", "台灣", "--json").output)) >= {SEED_ID, "103_apec"}


def test_a_file_that_breaks_later_keeps_its_stored_article(run, corpus):
    run("ingest", str(corpus))
    (corpus / "103_apec.txt").write_bytes(b"\x00\x00\x00")
    assert run("ingest", str(corpus)).exit_code == 2
    assert run("show", "103_apec").exit_code == 0


def test_same_stem_in_two_folders_keeps_both(run, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(SEED, tmp_path / folder)
    result = run("ingest", str(tmp_path / "a"), str(tmp_path / "b"))
    assert "2 added" in result.output
    assert len(ids_of(run("search", "軍售", "--json", "--all").stdout)) == 2
    one = run("search", "軍售", "--json").stdout  # the same text twice: one story, the other listed as its copy
    assert len(ids_of(one)) == 1 and len(json.loads(one)["copies"]) == 1


def test_analyze_stdin_with_invalid_utf8_reads_replacement_characters_and_warns_once(run, ingested):
    lines = "習近平強調台灣問題\n".encode() + b"\xff\xfe" + "台灣軍售\n".encode() + "對台軍售".encode("big5") + b"\n"
    result = run("analyze", input=lines)
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0] == "習近平 強調 台灣 問題" and "\ufffd" in out[1] and out[1].endswith("台灣 軍售") and len(out) == 3
    assert result.stderr == "newsgrep: warning: <stdin>: 2 lines not valid UTF-8 (first: line 2); undecodable bytes read as U+FFFD\n"


def test_analyze_text_argument_with_invalid_utf8_warns_instead_of_crashing(run, ingested):
    text = b"\xff\xfe".decode("utf-8", "surrogateescape") + "台灣軍售"  # how Python hands over such an argv
    result = run("analyze", text, "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["original"] for line in result.stdout.splitlines()][-2:] == ["台灣", "軍售"]
    assert result.stderr == "newsgrep: warning: TEXT is not valid UTF-8; undecodable bytes read as U+FFFD\n"


def test_success_is_quiet(run, corpus):
    assert run("ingest", str(corpus), "--quiet").output == ""
    for args in (["search", "台灣"], ["show", "000"], ["list"], ["analyze", "台灣"], ["show", "000", "--related"]):
        result = run(*args)
        assert result.exit_code == 0 and result.stderr == "" and result.stdout, args
