"""Text from files is data, never commands: escape sequences in articles and file names reach no terminal.

Each command is run on real ingested files whose title, author, outlet, URL,
body, file name and TREC ``<docno>`` hold terminal escape sequences (OSC 0
window title, OSC 52 clipboard, OSC 8 hyperlink, CSI 2J clear screen, SGR 8
hidden text), a NUL, an 8-bit CSI (U+009B) and bidi overrides/isolates. Every
stream must be free of them while still showing the text, escapes included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsgrep.inert import inert, json_line

# What must never reach a terminal from a file: C0 controls but tab and newline, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# Rich's own colours under --color always; an article's SGR 8 (hide) is checked for separately.
OUR_SGR = re.compile(r"\x1b\[[0-9;]*m")

TITLE = "颱風\x1b]0;視窗標題\x07來襲\u202e"
AUTHOR = "記者\x1b]52;c;aGVsbG8=\x07王小明"
OUTLET = "公視\u2066新聞\u2069"
URL = "https://news.example.tw/a?\x1b]8;;http://evil.example\x1b\\點我\x1b]8;;\x1b\\"
BODY = "中央氣象署\x1b[2J表示颱風\x1b[8m將帶來豪雨\x1b[0m。\x9b31m台灣各地\x00請注意\u200e防範豪雨。"
JSONL_NAME = "颱風\x1b]0;檔名\x07.jsonl"
TREC_NAME = "搜狐\x1b[2J.txt"
DOCNO = "\x9b31m新聞02"
BROKEN_NAME = "壞\x1b[2J檔.txt"


def assert_inert(stream: str) -> str:
    """The stream holds no control or bidi character but our own colours; returns it without them."""
    assert "\x1b[8m" not in stream and "\x1b[2J" not in stream and "\x1b]" not in stream
    plain = OUR_SGR.sub("", stream)
    assert not RAW.search(plain), repr(RAW.search(plain).group())
    return plain.replace("\n", "")  # --color always wraps at the terminal's width


@pytest.fixture
def hostile_files(tmp_path) -> Path:
    folder = tmp_path / "scraped"
    folder.mkdir()
    record = {"title": TITLE, "content": BODY, "author": AUTHOR, "source_name": OUTLET, "url": URL, "published_date": "2025-10-01"}
    (folder / JSONL_NAME).write_text(json.dumps(record, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    (folder / TREC_NAME).write_text(
        f"<doc>\n<docno>dn\x1b[2J\u202e01</docno>\n<contenttitle></contenttitle>\n<content></content>\n</doc>\n"
        f"<doc>\n<docno>{DOCNO}</docno>\n<contenttitle>颱風\x1b[8m豪雨特報</contenttitle>\n"
        "<content>中央氣象署發布颱風警報，台灣各地將有豪雨，民眾請注意防範。</content>\n</doc>\n"
        "<doc>\n<docno>03</docno>\n<contenttitle>捷運新線通車</contenttitle>\n<content>台北捷運新線今天通車，市長到場剪綵。</content>\n</doc>\n",
        encoding="utf-8",
    )
    (folder / BROKEN_NAME).write_bytes(b"\x00\x01\x02")
    return folder


@pytest.fixture
def ingested(run, hostile_files):
    result = run("ingest", str(hostile_files))
    assert result.exit_code == 2, result.output  # the broken file
    return hostile_files


@pytest.fixture(params=[(), ("--color", "never"), ("--color", "always")], ids=["pipe", "never", "always"])
def color(request) -> tuple[str, ...]:
    return request.param


def shown(run, *args: str, exit_code: int = 0, stream: str = "stdout", input: str | None = None) -> str:
    """What ``newsgrep ARGS`` shows on ``stream``, checked to be inert, without our colours and line breaks."""
    result = run(*args, input=input)
    assert result.exit_code == exit_code, result.output
    return assert_inert(getattr(result, stream))


def test_ingest_warnings_failures_and_details_show_escapes_as_text(run, hostile_files, color):
    plain = shown(run, "ingest", str(hostile_files), "--verbose", "--quiet", *color, exit_code=2, stream="stderr")  # no progress
    assert inert(f"{JSONL_NAME}: line 2: invalid JSON") in plain
    assert inert(f"{TREC_NAME}: doc 1 (dn\x1b[2J\u202e01): no article text") in plain
    assert inert(f"{BROKEN_NAME}: binary file") in plain
    assert r"颱風\x1b]0;檔名\x07.jsonl" in plain  # what a careful user reads


def test_search_shows_title_snippet_and_id_escaped(run, ingested, color):
    plain = shown(run, "search", "颱風", *color)
    assert r"颱風\x1b]0;視窗標題\x07來襲\u202e" in plain
    assert r"\x1b[2J表示颱風\x1b[8m將帶來豪雨\x1b[0m。\x9b31m台灣各地\x00請注意\u200e防範" in plain
    assert r"搜狐\x1b[2J-\x9b31m新聞02" in plain


def test_list_shows_every_field_escaped(run, ingested, color):
    plain = shown(run, "list", *color)
    assert r"公視\u2066新聞\u2069" in plain and r"颱風\x1b" in plain and r"搜狐\x1b[2J.txt" in plain
    if "always" not in color:  # a terminal's rows are cut to its width
        assert r"颱風\x1b]0;視窗標題\x07來襲\u202e" in plain and r"颱風\x1b]0;檔名\x07.jsonl" in plain


def test_show_lays_out_every_field_escaped(run, ingested, color):
    plain = shown(run, "show", "news.example.tw", *color)
    for value in (TITLE, AUTHOR, OUTLET, URL, JSONL_NAME):
        assert inert(value) in plain
    assert inert(BODY[:40]) in plain


def test_show_related_lists_escaped_hits(run, ingested, color):
    plain = shown(run, "show", "news.example.tw", "--related", *color)
    assert r"搜狐\x1b[2J-\x9b31m新聞02" in plain and r"颱風\x1b[8m豪雨特報" in plain


def test_analyze_shows_escaped_tokens(run, index_path, color):
    plain = shown(run, "analyze", "颱風\x1b]0;標題\x07來襲\u202e台灣", *color)
    assert "颱風" in plain and "台灣" in plain
    assert shown(run, "analyze", *color, input="颱風\x1b[2J來襲\x9b台灣\u202e\n").startswith("颱風")


def test_error_and_no_hit_lines_show_escapes_as_text(run, ingested, tmp_path, color):
    unknown = shown(run, "show", "無此\x1b]0;標題\x07\u202e", *color, exit_code=2, stream="stderr")
    assert r"無此\x1b]0;標題\x07\u202e" in unknown
    missing = shown(run, "search", "颱風", "--index", str(tmp_path / "沒有\x1b[2J"), *color, exit_code=2, stream="stderr")
    assert r"沒有\x1b[2J" in missing
    assert r"火星\u202e" in shown(run, "search", "颱風\x1b[8m火星\u202e", *color, exit_code=1, stream="stderr")


def test_json_carries_the_exact_text_with_every_control_escaped(run, ingested):
    streams = [run("search", "颱風", "--json"), run("list", "--json"), run("show", "news.example.tw", "--json"), run("show", "news", "--related", "--json")]
    for result in streams:
        assert not RAW.search(result.stdout), result.stdout
        assert "\\u009b" in result.stdout or "\\u202e" in result.stdout
    record = json.loads(streams[2].stdout)
    assert (record["title"], record["author"] or record["byline"], record["outlet"], record["url"]) == (TITLE, AUTHOR, OUTLET, URL)
    assert record["lede"] == BODY and record["source_path"].endswith(JSONL_NAME)
    assert "台灣" in streams[2].stdout  # CJK stays UTF-8
    listed = [json.loads(line) for line in streams[1].stdout.splitlines()]
    assert {row["path"].rsplit("/", 1)[-1] for row in listed} == {JSONL_NAME, TREC_NAME}


def test_a_real_pipe_gets_no_escape_sequence(ingested, index_path):
    """The installed entry point, its stdout and stderr real pipes (no CliRunner)."""
    env = {**os.environ, "NEWSGREP_INDEX": str(index_path)}
    for args in (["search", "颱風"], ["list"], ["show", "news"], ["show", "nope\x1b[2J"]):
        done = subprocess.run([sys.executable, "-m", "newsgrep", *args], capture_output=True, env=env)
        out, err = done.stdout.decode(), done.stderr.decode()
        assert_inert(out)
        assert_inert(err)
        assert "颱風" in out or "nope" in err


def test_inert_shows_each_unsafe_character_as_an_escape():
    assert inert("a\x1bb\x9bc\u202ed\x00e\tf\ng\rh\x7f") == r"a\x1bb\x9bc\u202ed\x00e\tf\ng\rh\x7f"
    assert inert("段落一\n\t段落二\r", lines=True) == "段落一\n\t段落二\\r"
    assert inert("\u200e\u200f\u061c\u2066\u2069\u2028\udcff") == r"\u200e\u200f\u061c\u2066\u2069\u2028\udcff"
    assert inert("台灣ＡＰＥＣ 軍售") == "台灣ＡＰＥＣ 軍售"
    assert json.loads(json_line({"t": "台灣\x9b\u202e\x1b"})) == {"t": "台灣\x9b\u202e\x1b"}
    assert json_line("台灣\x9b\u202e\x1b\x7f") == '"台灣\\u009b\\u202e\\u001b\\u007f"'


def test_a_view_that_forgets_still_prints_nothing_raw():
    """The consoles themselves are safe: a Text or a Table straight from a file is escaped at render time."""
    from io import StringIO

    from rich.table import Table
    from rich.text import Text

    from newsgrep.console import InertConsole

    file = StringIO()
    console = InertConsole(file=file, force_terminal=True, width=80)
    table = Table()
    table.add_row(Text("表格\x1b]0;x\x07"))
    console.print(Text("標題\x1b[2J\x9b\u202e"), table, "[link=http://evil]點我[/link]")
    plain = assert_inert(file.getvalue())
    assert r"標題\x1b[2J\x9b\u202e" in plain and "[link=http://evil]點我[/link]" in plain
    assert r"表格\x1" in plain  # the table measured the cell before the escape was made: cut, never raw
