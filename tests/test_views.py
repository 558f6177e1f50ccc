"""Views rendered into a rich Console: what a terminal of a given width shows, and what a pipe gets."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from rich.cells import cell_len
from rich.console import Console

from newsgrep.record import Article
from newsgrep.views import render_listing

# Titles and file names as they come in the shared corpora (pts-2025, tw-news-2025).
ROWS = [
    ("pts-2025-0001", "藍擬修《勞基法》加碼特休天數 勞團樂見、資方憂加劇關稅衝擊", "公視新聞網", "corpora/pts-2025/公視_政治新聞_cleaned.json"),
    ("pts-2025-0002", "良十四世就職彌撒5/18舉行 陳建仁：教宗16日將見台代表團", "公視新聞網", "corpora/pts-2025/公視_兩岸新聞_cleaned.json"),
    ("news.pts.org.tw-3b0f1c2a9e7d", "罷團完成28藍委二階送件 林沛祥：需催出三階投票率", None, "corpora/tw-news-2025/2025-05/pts_罷免.jsonl"),
]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def articles(folder) -> list[Article]:
    return [
        Article(id=i, source_path=str(folder / path), title=title, lede="許多勞工朋友才開心迎來新增的國定假日。", outlet=outlet, date=dt.date(2025, 5, 11))
        for i, title, outlet, path in ROWS
    ]


def elsewhere(tmp_path):
    """A current folder the articles are not under."""
    (tmp_path / "別處").mkdir()
    return tmp_path / "別處"


def listed(articles: list[Article], **console) -> list[str]:
    file = StringIO()
    render_listing(articles, Console(file=file, **console))
    return ANSI.sub("", file.getvalue()).splitlines()


@pytest.mark.parametrize("under_cwd", [False, True], ids=["elsewhere", "under the current folder"])
def test_list_rows_fit_an_80_column_terminal(tmp_path, monkeypatch, under_cwd):
    folder = tmp_path / "新聞資料" / "爬蟲輸出" / "每日"
    monkeypatch.chdir(tmp_path if under_cwd else elsewhere(tmp_path))
    lines = listed(articles(folder), width=80, force_terminal=True)
    assert len(lines) == len(ROWS)  # one row each: nothing wrapped
    for line, (article_id, title, _, path) in zip(lines, ROWS):
        assert cell_len(line) <= 80, line
        assert line.startswith(f"{article_id}  2025-05-11")
        assert path.rsplit("/", 1)[-1] in line  # the file name is kept
        assert str(tmp_path) not in line  # an absolute path is what wrapped
        shown_title = line.split("  ")[2 if "公視" not in line else 3]
        assert shown_title == title or (shown_title.endswith("…") and title.startswith(shown_title[:-1].rstrip()))
    if under_cwd:
        assert any("新聞資料/爬蟲輸出/每日/" in line or "…/" in line for line in lines)


def test_list_rows_keep_full_values_off_a_terminal(tmp_path, monkeypatch):
    monkeypatch.chdir(elsewhere(tmp_path))
    lines = listed(articles(tmp_path), width=80, soft_wrap=True)
    assert len(lines) == len(ROWS)
    for line, (_, title, _, path) in zip(lines, ROWS):
        assert title in line and line.endswith(str(tmp_path / path))


@pytest.mark.parametrize(
    ("env", "color", "expected"),
    [
        ({}, "auto", b"\x1b[1;31m\xe9\xa2\xb1\xe9\xa2\xa8\x1b[0m"),  # 颱風 in bold red
        ({"NO_COLOR": "1"}, "auto", b"\x1b[1m\xe9\xa2\xb1\xe9\xa2\xa8\x1b[0m"),  # bold, no colour
        ({"TERM": "dumb"}, "auto", "颱風\r\n".encode()),
        ({}, "never", "颱風\r\n".encode()),
    ],
    ids=["terminal", "NO_COLOR", "TERM=dumb", "--color never"],
)
def test_colour_only_on_a_terminal_that_wants_it(monkeypatch, env, color, expected):
    """Through a real pseudo-terminal, as ``make_consoles`` builds the consoles for each command."""
    import os
    import pty
    import sys

    from newsgrep.console import Color, make_consoles, safe_text

    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    controller, terminal = pty.openpty()
    with open(terminal, "w", encoding="utf-8") as tty:
        monkeypatch.setattr(sys, "stdout", tty)
        out, _ = make_consoles(Color(color))
        out.print(safe_text("颱風", "bold red"))
    shown = os.read(controller, 1000)
    os.close(controller)
    assert shown.startswith(expected)
