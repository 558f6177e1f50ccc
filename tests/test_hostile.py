"""Hostile input and a hostile machine: bad files, bad queries, full disks, unexpected exceptions."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app

from mounts import tmpfs
from corpusgen import SENTENCES, article_text, snapshot, write_corpus

SEED_ID = "000_483c8889d9bd71fa"


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def failure_lines(output: str) -> dict[str, str]:
    """file name -> reason, from the ``newsgrep: PATH: reason`` lines of an ingest."""
    found = {}
    for line in output.splitlines():
        if line.startswith("newsgrep: /"):
            path, _, reason = line[len("newsgrep: "):].partition(": ")
            found[Path(path).name] = reason
    return found


# -- hostile files ---------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "good.txt").write_text(article_text(1), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (folder / "nul.txt").write_bytes(b"\x00" * 100_000)
    (folder / "bad_utf8.txt").write_bytes(
        " date 2025-01-01 行政院今天召開記者會。\n\n".encode() + "台北市政府宣布。".encode() * 50 + b"\xff\xfe\xc3" + "氣象署表示。".encode() * 50
    )
    (folder / "one_line.txt").write_text(" date 2025-01-02 " + "高雄港貨櫃吞吐量成長。" * 95_000, encoding="utf-8")  # ~1 MB, one line
    (folder / "nested.html").write_text(
        "<html><body>" + "<div>" * 10_000 + f"<p>{SENTENCES[1]}{SENTENCES[2]}</p>" + "</div>" * 10_000 + "</body></html>",
        encoding="utf-8",
    )
    (folder / "string.json").write_text(json.dumps("台北市政府宣布捷運動工。" * 50_000, ensure_ascii=False), encoding="utf-8")
    (folder / "deep.json").write_text("[" * 100_000, encoding="utf-8")  # json.loads ran out of stack
    # 100,000 unclosed <b> (600 KB): 185 s in the old <tag>…</tag> regex, and no article in it
    (folder / "tags.trec").write_text("<doc><content>" + "<b>" * 100_000 + "</doc>", encoding="utf-8")
    # a body ending in "文字•" x 30000 (270 KB): 48 s in the old trailing-byline regex; read normally
    body = "台北市政府宣布捷運動工，預計三年後完工通車。" + "文字•" * 30_000
    (folder / "byline.json").write_text(json.dumps([{"title": "捷運動工", "content": body}], ensure_ascii=False), encoding="utf-8")
    # UTF-32 with its BOM (was read as UTF-16), and Big5 and GB2312 lines in one file (was silent mojibake)
    (folder / "utf32.txt").write_bytes(" date 2025-03-01 台北市政府今天宣布，環狀線北環段動工。".encode("utf-32"))
    (folder / "mixed.txt").write_bytes(" date 2025-03-02 台北市政府今天宣布，公車將全面電動化。\n\n".encode("big5")
                                       + "北京市政府今天召开新闻发布会，介绍城市交通建设进展。\n".encode("gb2312"))
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "x.html").mkdir()  # a folder with an article suffix is walked, not read
    (folder / "x.html" / "inside.txt").write_text(article_text(2), encoding="utf-8")
    big = folder / "big.txt"
    with big.open("wb") as f:  # 200 MB, sparse: costs no disk
        f.write(article_text(3).encode())
        f.truncate(200 * 1024 * 1024)
    unreadable = folder / "unreadable.txt"
    unreadable.write_text(article_text(4), encoding="utf-8")
    unreadable.chmod(0)
    return folder


EXPECTED_REASONS = {
    "empty.txt": "empty file",
    "binary.txt": "binary file",
    "nul.txt": "only NUL bytes",
    "bad_utf8.txt": "not valid UTF-8",
    "string.json": "no usable article in JSON file (record 1: not a JSON object)",
    "deep.json": "invalid JSON (arrays or objects nested too deeply)",
    "tags.trec": "no usable article in TREC file (doc 1: no article text)",
    "loop1.txt": "symbolic link loop",
    "loop2.txt": "symbolic link loop",
    "dangling.txt": "broken symbolic link",
    "big.txt": "file too large (200 MB; limit 50 MB",
    "unreadable.txt": "permission denied",
}


@pytest.mark.slow
def test_each_hostile_file_gets_one_line_and_the_rest_is_stored(run, hostile, monkeypatch):
    if os.geteuid() == 0:  # root reads chmod 000 files: make the read fail as it would for a user
        real = Path.read_bytes

        def read_bytes(self):
            if self.name == "unreadable.txt":
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    started = time.monotonic()
    result = run("ingest", str(hostile))
    no_traceback(result)
    assert result.exit_code == 2
    reasons = failure_lines(result.output)
    assert set(reasons) == set(EXPECTED_REASONS), result.output
    for name, reason in EXPECTED_REASONS.items():
        assert reason in reasons[name], (name, reasons[name])
    assert "7 added" in result.output and f"{len(EXPECTED_REASONS)} failed" in result.output
    assert {"good", "one_line", "nested", "inside", "byline-1", "utf32", "mixed"} <= {hit for hit in _ids(run)}
    warnings = [line for line in result.output.splitlines() if line.startswith("newsgrep: warning: ")]
    assert [w for w in warnings if "mixed.txt: mixed encodings: 1 line GB18030 in a Big5 (cp950) file" in w]
    assert time.monotonic() - started < 60  # the nested page once took minutes


def _ids(run) -> set[str]:
    out = run("search", "台北市政府 OR 高雄港 OR 氣象署 OR 行政院", "--json", "--all", "-n", "50").stdout
    return {json.loads(line)["id"].rsplit("/", 1)[-1] for line in out.splitlines() if line.strip()}


def test_deeply_nested_html_reads_in_linear_time(tmp_path):
    from newsgrep.readers import read_file

    page = tmp_path / "nested.html"
    page.write_text("<html><body>" + "<div>" * 10_000 + f"<p>{SENTENCES[0]}</p>" + "</div>" * 10_000 + "</body></html>")
    started = time.monotonic()
    article = read_file(page).articles[0]
    assert article.text == SENTENCES[0]
    assert time.monotonic() - started < 10  # was 114 s before html._strip_junk stopped calling tag.decomposed


@pytest.mark.slow
def test_a_200_mb_file_is_refused_with_bounded_memory(tmp_path, index_path):
    folder = write_corpus(tmp_path / "c", 3)
    big = folder / "big.txt"
    with big.open("wb") as f:
        f.write(article_text(9).encode())
        chunk = ("台北市政府宣布捷運動工。" * 1000 + "\n\n").encode()
        for _ in range(5800):  # 200 MB of real text, written in pieces: this process must stay small
            f.write(chunk)
    assert big.stat().st_size > 200_000_000
    env = {**os.environ, "NEWSGREP_INDEX": str(index_path)}
    # Measured from a small parent: a child forked from this (by now large) pytest process would count
    # pytest's own pages in its peak RSS (the high-water mark survives exec).
    measure = (
        "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
        "err = p.stderr.read(); _, st, ru = os.wait4(p.pid, 0); sys.stderr.buffer.write(err); "
        "print(os.waitstatus_to_exitcode(st), ru.ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "newsgrep", "ingest", str(folder)],
                          env=env, capture_output=True, text=True)
    code, maxrss = map(int, done.stdout.split())
    err = done.stderr
    assert code == 2, err
    assert f"newsgrep: {big}: file too large (199 MB; limit 50 MB" in err and "3 added" in err
    assert maxrss < 400 * 1024  # KiB: nowhere near the file's size


def test_size_limit_is_configurable(run, tmp_path, monkeypatch):
    folder = write_corpus(tmp_path / "c", 2)
    monkeypatch.setenv("NEWSGREP_MAX_FILE_MB", "0.0001")  # about 100 bytes
    result = run("ingest", str(folder))
    assert result.exit_code == 2 and result.output.count("file too large") == 2


# -- hostile queries -------------------------------------------------------------


@pytest.fixture
def ingested(run, corpus):
    assert run("ingest", str(corpus)).exit_code == 0
    return corpus


HOSTILE_QUERIES = [
    '"台灣', '台灣"', '"', '""', "(", ")", "((台灣", "台灣))", "-", "--", "- -", "NOT", "NOT NOT", "OR", "AND",
    "台灣 OR", "OR 台灣", "foo:bar", "title:", "body:", "title:title:", ":", "台灣:軍售", ".*[", "[", "]", "{", "}",
    "^", "~", "*", "?", "台*", "\\", "'", "a" * 10_000, "台灣" * 5_000, "\x00", "\x1b[31m台灣", "台灣\x07\x08",
    "", " ", "\t\n", "🙂", "\u200b", "\ufeff台灣", "title:(台灣", "date:2026", "id:000", "台灣^2", "軍售~", "[a TO z]",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=[repr(q[:12]) for q in HOSTILE_QUERIES])
def test_hostile_query_is_an_answer_or_one_clear_line(run, ingested, query):
    result = run("search", query)
    no_traceback(result)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:  # "--" and "- -" are read as options: a usage error, one line like the rest
        assert result.output.startswith("newsgrep: ") and result.output.count("\n") == 1, result.output
        assert "internal error" not in result.output


@pytest.mark.parametrize("article_id", ["", "-", "*", ".*[", "\x00", "a" * 10_000, "../../etc/passwd", "000_483c8889d9bd71fa\n"])
def test_hostile_show_id_is_one_clear_line(run, ingested, article_id):
    result = run("show", article_id)
    no_traceback(result)
    assert result.exit_code in (0, 2)
    if result.exit_code == 2:
        assert result.output.startswith("newsgrep: ") and result.output.count("\n") == 1, result.output


# -- unexpected exceptions, full disks, read-only folders ----------------------------


@pytest.mark.parametrize(
    ("message", "shown"), [("boom", "boom"), ("壞\x1b]52;c;aGVsbG8=\x07\u202e", r"壞\x1b]52;c;aGVsbG8=\x07\u202e")], ids=["plain", "escapes"]
)
def test_unexpected_exception_is_one_line_unless_debugging(monkeypatch, capsys, index_path, message, shown):
    import newsgrep.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr("newsgrep.engines.whoosh_engine.WhooshEngine.open", broken)
    monkeypatch.setattr(sys, "argv", ["newsgrep", "search", "台灣", "--index", str(index_path)])
    monkeypatch.delenv("NEWSGREP_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsgrep: internal error: RuntimeError: {shown}") and err.count("\n") == 1
    monkeypatch.setenv("NEWSGREP_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main()


def test_disk_full_mid_commit_is_one_line_and_the_index_is_intact(run, ingested, index_path, tmp_path, monkeypatch):
    from whoosh.filedb.filestore import FileStorage

    before = snapshot(index_path)
    more = write_corpus(tmp_path / "more", 5)
    real = FileStorage.create_file
    calls = []

    def create_file(self, name, *args, **kwargs):
        calls.append(name)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "create_file", create_file)
    result = run("ingest", str(more))
    monkeypatch.setattr(FileStorage, "create_file", real)
    no_traceback(result)
    assert result.exit_code == 2
    assert result.output.startswith(f"newsgrep: cannot write the index at {index_path}") and result.output.count("\n") == 1
    assert "no space left on device" in result.output
    assert snapshot(index_path) == before
    assert run("search", "軍售").exit_code == 0
    assert run("ingest", str(more)).exit_code == 0  # and once there is room, the same ingest completes
    assert len(snapshot(index_path)) == len(before) + 5


def test_read_only_index_folder_is_one_line(run, ingested, index_path, tmp_path, monkeypatch):
    """chmod does not bind root, so the refusal is simulated where the lock file is opened."""
    before = snapshot(index_path)
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(index_path)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    result = run("ingest", str(write_corpus(tmp_path / "more", 2)))
    monkeypatch.setattr(os, "open", real_open)
    no_traceback(result)
    assert result.exit_code == 2
    assert result.output == f"newsgrep: cannot write the index at {index_path}: read-only file system\n"
    assert snapshot(index_path) == before


@pytest.mark.slow
def test_really_full_disk_tmpfs(tmp_path, dictionary_folder):
    """A 1 MB tmpfs (needs root and mount permission; skipped otherwise): the ingest that fills it fails cleanly."""
    with tmpfs(tmp_path / "small", "1m") as mount:
        index_path = mount / "index"
        index_path.mkdir()
        (index_path / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
        env = {"NEWSGREP_INDEX": str(index_path), "NEWSGREP_BATCH": "20"}
        first = CliRunner().invoke(app, ["ingest", str(write_corpus(tmp_path / "first", 10))], env=env)
        assert first.exit_code == 0, first.output
        before = snapshot(index_path)
        flood = write_corpus(tmp_path / "flood", 1500, start=10)
        result = CliRunner().invoke(app, ["ingest", str(flood)], env=env)
        no_traceback(result)
        assert result.exit_code == 2, result.output
        assert "newsgrep: cannot write the index at" in result.output and "no space left on device" in result.output
        after = snapshot(index_path)  # the earlier commits (this one's first batches included) are intact
        assert {k: v for k, v in after.items() if k in before} == before
        assert len(after) >= len(before)
