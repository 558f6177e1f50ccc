"""Exploring what a query matches: timeline, facets, kwic, keywords, export, and the scriptable outputs.

The fixture ``tests/fixtures/explore/news.jsonl`` holds eight real-looking articles of our own: three
typhoon reports (Traditional and Simplified, one dated 00:30 +08:00, one 07:30 +09:00), one undated
typhoon checklist, two chip stories (both scripts), two recall-vote stories (one titled and "published"
by a spreadsheet formula). The shared corpora check the counts against raw JSON Lines when present.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import shutil

import pytest
from rich.cells import cell_len

from newsgrep.analysis import fold, fold_text
from newsgrep.engines import open_index
from newsgrep.explore.facets import NONE, OTHER, facets
from newsgrep.explore.keywords import STOP_WORDS, keywords
from newsgrep.explore.kwic import kwic
from newsgrep.explore.timeline import timeline
from newsgrep.query import Filters, parse

from conftest import FIXTURES, shared_data

NEWS = FIXTURES / "explore" / "news.jsonl"
TYPHOON = "颱風"  # 台风 in the Simplified report: the same word after folding
Nov = lambda day: dt.date(2025, 11, day)  # noqa: E731


@pytest.fixture
def index(index_path, run, tmp_path):
    folder = tmp_path / "explore"
    folder.mkdir()
    shutil.copy(NEWS, folder)
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    engine = open_index(index_path)
    yield engine
    engine.close()


def json_rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


# -- timeline -------------------------------------------------------------------------------------


def test_each_article_counts_on_its_own_local_day(index):
    result = timeline(index, parse(TYPHOON), by="day")
    # 00:30 +08:00 is the 10th in UTC but the 11th on its page; 07:30 +09:00 is the 12th in UTC, the 13th on its page.
    assert [(b.start, b.articles) for b in result.buckets] == [(Nov(11), 1), (Nov(12), 1), (Nov(13), 1)]
    assert result.undated == 1  # the checklist matches but has no day to fall on


def test_buckets_are_continuous_and_chosen_from_the_span(index):
    every_day = timeline(index, None)
    assert every_day.by == "day"  # 15 days: day buckets
    assert [b.start for b in every_day.buckets] == [Nov(d) for d in range(11, 26)]
    assert [b.articles for b in every_day.buckets if b.start == Nov(15)] == [0]
    assert sum(b.articles for b in every_day.buckets) == 7
    weeks = timeline(index, None, by="week")
    assert [(b.label, b.start, b.end, b.articles) for b in weeks.buckets] == [
        ("2025-W46", Nov(10), Nov(16), 4), ("2025-W47", Nov(17), Nov(23), 2), ("2025-W48", Nov(24), Nov(30), 1),
    ]
    assert [(b.label, b.articles) for b in timeline(index, None, by="month").buckets] == [("2025-11", 7)]


def test_a_range_without_articles_is_printed_as_zeros_and_exits_1(index, run):
    result = run("timeline", TYPHOON, "--since", "2025-11-20", "--until", "2025-11-22", "--by", "day")
    assert result.exit_code == 1
    assert [line.split() for line in result.stdout.splitlines()] == [["2025-11-20", "0"], ["2025-11-21", "0"], ["2025-11-22", "0"]]
    assert result.stderr.strip() == f"no articles match {TYPHOON} within the filters"


def test_split_by_source_gives_one_series_per_outlet_summing_to_the_whole(index):
    result = timeline(index, parse("半導體"), split="source", by="day")
    assert set(result.series) == {"經濟日報", "新华社"}  # names as written, each script its own
    for day, bucket in enumerate(result.buckets):
        assert bucket.articles == sum(series[day].articles for series in result.series.values())


def test_timeline_chart_aligns_and_json_csv_have_one_row_per_bucket(index, run):
    chart = run("timeline", "--by", "week")
    assert chart.exit_code == 0
    assert chart.stdout.splitlines()[0].startswith("2025-W46 4 ████")
    rows = json_rows(run("timeline", "--by", "week", "--json").stdout)
    assert [(r["label"], r["articles"], r["stories"]) for r in rows] == [("2025-W46", 4, 4), ("2025-W47", 2, 2), ("2025-W48", 1, 1)]
    csv_lines = run("timeline", "--by", "week", "--csv").stdout.splitlines()
    assert csv_lines[0] == "\ufeffby,start,end,label,articles,stories"
    assert csv_lines[1] == "week,2025-11-10,2025-11-16,2025-W46,4,4"


# -- facets ---------------------------------------------------------------------------------------


def test_facets_add_up_to_the_total_with_none_and_other(index):
    found = facets(index, None, fields=("source", "author", "category", "month"), top=2)
    for facet in found.values():
        assert facet.total == 8
        assert sum(v.articles for v in facet.values) == 8, facet
    authors = {v.value: v.articles for v in found["author"].values}
    assert authors[NONE] == 2 and authors[OTHER] == 4  # six named authors, two shown
    assert {v.value: v.articles for v in found["month"].values} == {"2025-11": 7, NONE: 1}


def test_facets_of_a_query_within_filters(index):
    found = facets(index, parse(TYPHOON), Filters(sources=("公視",)), fields=("source",))
    assert [(v.value, v.articles) for v in found["source"].values] == [("公視新聞網", 2)]


def test_facets_cli_one_field_json_and_unknown_field(index, run):
    rows = json_rows(run("facets", TYPHOON, "--field", "category", "--json").stdout)
    assert [(r["value"], r["articles"]) for r in rows] == [("生活", 3), ("国际", 1)]
    bad = run("facets", "--field", "colour")
    assert bad.exit_code == 2
    assert bad.stderr.count("\n") == 1 and "'colour' is not one of" in bad.stderr


# -- kwic -----------------------------------------------------------------------------------------


def occurrences_in(engine, ids, word):
    """How many times ``word`` occurs in these articles' titles and bodies, counted on the folded text."""
    target = fold(word)
    return sum(
        fold_text(a.title).text.count(target) + fold_text(a.text).text.count(target) for a in engine.records(ids)
    )


def test_kwic_has_a_line_per_occurrence_in_the_original_script(index):
    result = kwic(index, parse(TYPHOON), width=8)
    ids = sorted({line.id for line in result.lines})
    assert len(result.lines) == occurrences_in(index, ids, TYPHOON) == 12
    assert {line.match for line in result.lines} == {"颱風", "台风"}  # as written, in both scripts
    first = result.lines[0]
    assert (first.field, first.left, first.match, first.right) == ("title", "鳳凰", "颱風", "逼近 北台灣今晚")


def test_kwic_matches_sit_in_one_column_by_display_width(index, run):
    text = run("kwic", "罷免", "--width", "12", "--color", "never").stdout.splitlines()
    lines = json_rows(run("kwic", "罷免", "--width", "12", "--json").stdout)
    assert len(text) == len(lines) == 5  # the formula title's context is ASCII, the others CJK
    columns = set()
    for shown, line in zip(text, lines):
        assert shown.endswith(line["match"] + line["right"])
        before = shown[: len(shown) - len(line["match"] + line["right"])]
        assert before.endswith(line["left"])
        columns.add(cell_len(before))
    assert len(columns) == 1


def test_kwic_sorts_by_left_context_and_limits(index):
    lines = kwic(index, parse(TYPHOON), width=4, sort="left").lines
    keys = [fold(line.left)[::-1] for line in lines]
    assert keys == sorted(keys)
    limited = kwic(index, parse(TYPHOON), limit=3)
    assert len(limited.lines) == 3 and limited.more


@pytest.mark.parametrize("width", ["0", "1000000000"])
def test_kwic_width_out_of_range_is_a_usage_error(index, run, width):
    result = run("kwic", TYPHOON, "--width", width)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--width" in result.stderr


# -- keywords -------------------------------------------------------------------------------------


def test_keywords_of_a_topic_are_its_distinctive_words_and_no_stop_words(index):
    result = keywords(index, parse(TYPHOON), top=10)
    words = [k.word for k in result.words]
    assert words[0] == "颱風"
    assert {"土石流", "停課", "豪雨"} <= set(words)
    assert not {fold(w) for w in words} & STOP_WORDS
    assert all(len(w) > 1 and not w.isdigit() for w in words)
    assert all(k.g2 > 0 and k.articles <= k.index_articles for k in result.words)


def test_keywords_without_a_query_are_the_most_widespread_words(index, run):
    rows = json_rows(run("keywords", "--json", "-n", "3").stdout)
    assert rows[0]["word"] in ("颱風", "台风") and rows[0]["g2"] is None
    assert [r["index_articles"] for r in rows] == sorted((r["index_articles"] for r in rows), reverse=True)


# -- search -l/-c, --csv, export, exit codes ------------------------------------------------------


def test_search_ids_and_count(index, run):
    ids = run("search", TYPHOON, "-l")
    assert ids.exit_code == 0
    assert len(ids.stdout.split()) == 4 and ids.stdout.split()[-1] == "news.example.tw-d3004001408e"  # undated last
    assert run("search", TYPHOON, "-c", "--source", "公視").stdout == "2\n"
    nothing = run("search", "火星", "-c")
    assert (nothing.exit_code, nothing.stdout) == (1, "0\n")


def test_csv_opens_in_a_spreadsheet_and_runs_no_formula(index, run):
    result = run("list", "--csv")
    assert result.stdout.startswith("\ufeffid,date,outlet,title,path,url\n")  # CRLF in the file; the runner shows \n
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(rows) == 8
    formula = next(r for r in rows if "HYPERLINK" in r["title"])
    assert formula["title"].startswith("'=HYPERLINK(") and formula["outlet"].startswith("'=cmd")
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_csv_cells_show_control_characters_and_defuse_formulas():
    from newsgrep.explore.tables import cell

    assert cell("\x1b]0;pwned\x07颱風") == "\\x1b]0;pwned\\x07颱風"  # ESC and BEL visible, not obeyed
    assert cell("第一段\n第二段") == "第一段\n第二段"  # paragraphs stay in their quoted cell
    assert cell("-5%") == "'-5%" and cell("@user") == "'@user" and cell(["颱風", "停課"]) == "颱風; 停課"
    assert cell(None) == ""


def test_search_csv_has_one_row_per_hit(index, run):
    rows = run("search", "半導體", "--csv").stdout.lstrip("\ufeff").splitlines()
    assert rows[0] == "id,date,day,outlet,author,title,snippet,score,copies,url,path"
    assert len(rows) == 3


def test_export_writes_whole_records_oldest_first(index, run):
    rows = json_rows(run("export", TYPHOON).stdout)
    assert [r["day"] for r in rows] == ["2025-11-11", "2025-11-12", "2025-11-13", None]
    assert set(rows[0]) == {"id", "date", "day", "source", "author", "category", "tags", "url", "title", "text", "path"}
    assert rows[0]["text"].startswith("中央氣象署表示") and rows[0]["tags"] == ["颱風", "停班停課"]
    csv_text = run("export", TYPHOON, "--format", "csv").stdout
    assert csv_text.startswith("\ufeffid,date,day,source,author,category,tags,url,title,text,path")
    assert "颱風; 停班停課" in csv_text


@pytest.mark.parametrize("command", ["timeline", "facets", "kwic", "keywords", "export"])
def test_nothing_matched_is_one_line_and_exit_1(index, run, command):
    result = run(command, "火星")
    assert result.exit_code == 1
    assert result.stderr == "no articles match 火星\n"


@pytest.mark.parametrize("command", ["search", "list", "timeline", "facets", "kwic", "keywords"])
def test_json_and_csv_together_is_a_usage_error(index, run, command):
    result = run(command, *([TYPHOON] if command not in ("list",) else []), "--json", "--csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "cannot be combined" in result.stderr


def test_the_python_api_returns_plain_rows(index, index_path):
    import newsgrep.api as ng

    rows = ng.timeline(TYPHOON, index=str(index_path), by="day")
    assert [(r["start"], r["articles"]) for r in rows] == [("2025-11-11", 1), ("2025-11-12", 1), ("2025-11-13", 1)]
    assert {r["value"] for r in ng.facets(TYPHOON, index=str(index_path), fields=["source"], source="公視")} == {"公視新聞網"}
    assert len(ng.kwic("罷免", index=str(index_path), since="2025-11-21")) == 3
    assert ng.keywords(TYPHOON, index=str(index_path), top=1)[0]["word"] == "颱風"
    assert [r["id"] for r in ng.export("半导体", index=str(index_path))] == [
        "news.example.tw-ee163fc390ef", "news.example.cn-5d5b0a8a6e76",
    ]
    assert ng.search("晶片", index=str(index_path))[0]["id"] == "news.example.tw-ee163fc390ef"


# -- the shared corpora ---------------------------------------------------------------------------

SHARED = shared_data()
SETN = SHARED / "corpora" / "tw-news-2025" / "raw" / "raw" / "setn_14days.jsonl" if SHARED else None


@pytest.mark.slow
@pytest.mark.skipif(SETN is None or not SETN.is_file(), reason="../shared/data not present")
def test_timeline_per_day_equals_the_raw_crawl(run, index_path, tmp_path):
    """500 三立 articles: the day column of the raw JSON Lines, counted by hand, is what timeline counts."""
    folder = tmp_path / "setn"
    folder.mkdir()
    shutil.copy(SETN, folder)
    assert run("ingest", str(folder)).exit_code == 0
    raw = [json.loads(line) for line in SETN.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_url = {r["url"]: r for r in raw}
    expected = collections.Counter((r.get("published_date") or r.get("publish_date"))[:10] for r in by_url.values())
    engine = open_index(index_path)
    found = {b.start.isoformat(): b.articles for b in timeline(engine, None, by="day").buckets if b.articles}
    assert found == dict(expected)
    typhoon = collections.Counter(
        (r.get("published_date") or r.get("publish_date"))[:10]
        for r in by_url.values() if fold("颱風") in fold_text(r["title"] + "\n" + r["content"]).text
    )
    found = {b.start.isoformat(): b.articles for b in timeline(engine, parse("颱風"), by="day").buckets if b.articles}
    assert found == dict(typhoon)
