"""Every reader takes time linear in its input, on input built to make regexes and tree walks backtrack.

Property: for a hostile input shape of size n and the same shape of size 2n,
time(2n) <= 3 * time(n). A linear reader gives about 2; a quadratic one 4.
n starts small and doubles until one read takes at least ``MIN_SECONDS``, so
a quadratic reader fails after a few seconds instead of running for minutes.
Times are CPU seconds of this process (other jobs on the two-core CI machine
do not count), the minimum of a few runs taken in turns.
All slow: run with ``pytest --slow``.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsgrep.readers import read_file
from newsgrep.readers import structure

pytestmark = pytest.mark.slow

MIN_SECONDS = 0.05
MAX_N = 4_000_000
MAX_CHARS = 40_000_000  # an input this big that still reads in under MIN_SECONDS is fast enough
RUNS = 3
PROSE = "台北市政府今天宣布捷運新線將於明年通車，市民期待已久。"


def _time(fn: Callable[[object], object], data: object) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        fn(data)
        return time.process_time() - started
    finally:
        gc.enable()


def assert_linear(fn: Callable[[object], object], make: Callable[[int], object], n: int = 64) -> None:
    """time(make(2n)) <= 3 * time(make(n)), with n grown until one run takes MIN_SECONDS.

    Both sizes are timed in turns, RUNS times each, and the minimum of each is
    compared, so a burst of load on the machine hits both sides alike. A ratio
    over 3 is measured once more at twice the size: a quadratic reader stays
    near 4x there, while a linear one's fixed costs and cache effects recede.
    """
    small = min(_time(fn, make(n)) for _ in range(RUNS))
    while small < MIN_SECONDS:
        if n >= MAX_N or len(make(2 * n)) > MAX_CHARS:
            return
        n *= 2
        small = min(_time(fn, make(n)) for _ in range(RUNS))
    for attempt in range(2):
        small, large = _pair(fn, make(n), make(2 * n), small)
        if large <= 3 * small:
            return
        n *= 2
        small = float("inf")
    raise AssertionError(f"n={n // 2}: {small:.3f} s, 2n: {large:.3f} s ({large / small:.1f}x)")


def _pair(fn, small_input, large_input, small: float) -> tuple[float, float]:
    large = float("inf")
    for _ in range(RUNS):
        small = min(small, _time(fn, small_input))
        large = min(large, _time(fn, large_input))
    return small, large


def reader(name: str) -> Callable[[bytes], object]:
    """read_file on in-memory bytes, as a file called ``name``; a ReadError is an answer too."""
    from newsgrep.errors import ReadError

    def read(data: bytes) -> object:
        try:
            return read_file(Path(name), data)
        except ReadError as e:
            return e

    return read


def _page(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


# -- seed ----------------------------------------------------------------------------------------------

SEED_SHAPES = {
    "space run in a paragraph": lambda n: f" date 2025-01-01 {PROSE}\n\n甲{' ' * n}乙。".encode(),
    "credit markers": lambda n: f" date 2025-01-01 {PROSE}\n\n{'圖／' * n}".encode(),
    "wrapped lines": lambda n: (f" date 2025-01-01 {PROSE}\n\n" + "台北市政府宣布\n" * n).encode(),
    "byline-shaped run": lambda n: f" date 2025-01-01 {PROSE}\n\n他說{'文字•' * n}".encode(),
    "header without date": lambda n: f"date {'x' * n}".encode(),
}


@pytest.mark.parametrize("shape", SEED_SHAPES)
def test_seed_reader_is_linear(shape):
    assert_linear(reader("a.txt"), SEED_SHAPES[shape])


# -- html ----------------------------------------------------------------------------------------------

P = f"<p>{PROSE}</p>"
HTML_SHAPES = {
    "unclosed inline tags": lambda n: _page(P + "<p>" + "<b>" * n + "文字</p>"),
    "nested furniture around prose": lambda n: _page('<div class="share">' * n + P * 30 + "</div>" * n),
    "nested date elements": lambda n: _page(P + '<div class="date">' * n + "2020-01-01" + "</div>" * n),
    "nested author elements": lambda n: _page(P + '<div class="author">' * n + "記者王小明" * 9 + "</div>" * n),
    "nested plain divs": lambda n: _page("<div>" * n + P + "</div>" * n),
    "byline-shaped paragraph": lambda n: _page(P + "<p>他說" + "文字•" * n + "</p>"),
    "space run in a paragraph": lambda n: _page(P + "<p>甲" + " " * n + "乙。</p>"),
    "date line with a space run": lambda n: _page(P + "<p>2020-01-01" + " " * n + "x</p>"),
    "title with a space run": lambda n: _page(P, f"<title>甲{' ' * n}乙</title>"),
    "many paragraphs": lambda n: _page(P * n),
    "many line breaks": lambda n: _page("<div>" + (PROSE + "<br>") * n + "</div>"),
    "many time elements": lambda n: _page(P + "<time>2020-01-01 10:00</time>" * n),
    "table cells and fonts": lambda n: _page("<table><tr><td>" + f"<font>{PROSE}" * n + "</td></tr></table>"),
    "nested headlines": lambda n: _page(P + "<h1>" * n + "標題" + "</h1>" * n),
    "nested time elements": lambda n: _page(P + "<time>" * n + "2020-01-01" + "</time>" * n),
    "nested headers": lambda n: _page("<header>" * n + P * 20 + "</header>" * n),
    "nested paragraphs in spans": lambda n: _page("<p><span>" * n + PROSE + "</span></p>" * n),
    "JSON-LD with many items": lambda n: _page(P, '<script type="application/ld+json">['
                                               + ",".join(['{"@type": "Thing"}'] * n) + "]</script>"),
    "only short lines (every fallback tried)": lambda n: _page("<p>颱風動態</p>" * n),
    "many archived links": lambda n: _page(
        P + '<a href="https://web.archive.org/web/20150612083015/http://news.example.cn/a">舊聞</a>' * n),
    "many bold candidates for the headline": lambda n: _page(P + "<b>台北市政府今天宣布</b>" * n,
                                                             "<title>台北市政府今天宣布捷運新線_新聞</title>"),
}


@pytest.mark.parametrize("shape", HTML_SHAPES)
def test_html_reader_is_linear(shape):
    assert_linear(reader("a.html"), HTML_SHAPES[shape])


# -- json and jsonl --------------------------------------------------------------------------------------

RECORD_SHAPES = {
    "content ending in a byline-shaped run": lambda n: {"title": "標題", "content": PROSE + "文字•" * n},
    "title with a space run": lambda n: {"title": "甲" + " " * n + "|乙", "content": PROSE},
    "content with a space run": lambda n: {"title": "標題", "content": PROSE + "甲" + " " * n + "乙"},
    "credit markers": lambda n: {"title": "標題", "content": PROSE + "\n" + "圖／" * n},
    "date with a space run": lambda n: {"title": "標題", "content": PROSE, "date": "2020-01-01" + " " * n + "x"},
    "author with slashes": lambda n: {"title": "標題", "content": PROSE, "author": "記者／" * n + "王小明"},
    "many paragraphs": lambda n: {"title": "標題", "content": (PROSE + "\n") * n},
}


@pytest.mark.parametrize("shape", RECORD_SHAPES)
def test_json_reader_is_linear(shape):
    make = RECORD_SHAPES[shape]
    assert_linear(reader("a.json"), lambda n: json.dumps([make(n)], ensure_ascii=False).encode())


@pytest.mark.parametrize("shape", RECORD_SHAPES)
def test_jsonl_reader_is_linear(shape):
    make = RECORD_SHAPES[shape]
    line = json.dumps({"title": "另一則", "content": PROSE}, ensure_ascii=False)
    assert_linear(reader("a.jsonl"), lambda n: (line + "\n" + json.dumps(make(n), ensure_ascii=False)).encode())


def test_jsonl_with_many_records_is_linear():
    line = json.dumps({"title": "標題", "content": PROSE, "date": "2025-01-01 08:00"}, ensure_ascii=False)
    assert_linear(reader("a.jsonl"), lambda n: ((line + "\n") * n).encode())


# -- trec ----------------------------------------------------------------------------------------------

TREC_SHAPES = {
    "unclosed tags in content": lambda n: "<doc><content>" + "<b>" * n + "</doc>",
    "unclosed tags with attributes": lambda n: "<doc><content>" + "<b x" * n + "</doc>",
    "unclosed doc tags": lambda n: "<doc " * n,
    "byline-shaped content": lambda n: f"<doc><content>{PROSE}{'文字•' * n}</content></doc>",
    "many docs": lambda n: f"<doc><url>http://a.cn/1</url><content>{PROSE}</content></doc>\n" * n,
}


@pytest.mark.parametrize("shape", TREC_SHAPES)
def test_trec_reader_is_linear(shape):
    make = TREC_SHAPES[shape]
    assert_linear(reader("a.trec"), lambda n: make(n).encode())


# -- structure helpers -------------------------------------------------------------------------------------

STRUCTURE_SHAPES = {
    "split_trailing_byline: byline-shaped run": (structure.split_trailing_byline, lambda n: "他說" + "文字•" * n),
    "split_trailing_byline: space run": (structure.split_trailing_byline, lambda n: "甲" + " " * n + "乙"),
    "split_caption: space run": (structure.split_caption, lambda n: "甲" + " " * n + "乙"),
    "split_caption: markers on many lines": (structure.split_caption, lambda n: "圖／" * n + "\n甲"),
    "strip_site_name: space run": (structure.strip_site_name, lambda n: "甲" + " " * n + "乙"),
    "strip_site_name: many separators": (structure.strip_site_name, lambda n: "甲 | " * n),
    "byline_line: many names": (structure.byline_line, lambda n: "記者" + "王小明、" * n + "x"),
    "byline_author: space run": (structure.byline_author, lambda n: " " * n + "x"),
    "is_noise: many ad words": (structure.is_noise, lambda n: "廣告 " * n + "x"),
    "build_body: many lines": (structure.build_body, lambda n: [PROSE, "圖／王小明"] * n),
    "split_text_paragraphs: flattened": (structure.split_text_paragraphs, lambda n: "。 " * n),
    "derive_title: no sentence end": (structure.derive_title, lambda n: "甲" * n),
}


@pytest.mark.parametrize("shape", STRUCTURE_SHAPES)
def test_structure_helpers_are_linear(shape):
    fn, make = STRUCTURE_SHAPES[shape]
    assert_linear(fn, make)
