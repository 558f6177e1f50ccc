"""newsgrep only ever deletes what it created (issue 9): each case below destroyed a user's files or articles before."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app

from corpusgen import newsgrep_process, run_newsgrep, snapshot, write_corpus
from mounts import tmpfs


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env or {})


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (what a user would miss if newsgrep deleted it)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def ingested(run, corpus, index_path):
    assert run("ingest", str(corpus)).exit_code == 0
    return snapshot(index_path)


# 1. --rebuild deleted whatever sat at the index path.
def test_rebuild_refuses_a_folder_that_is_not_an_index(tmp_path, corpus):
    mydocs = tmp_path / "mydocs"
    mydocs.mkdir()
    (mydocs / "thesis.doc").write_text("四年的心血")
    for index in (mydocs, corpus):
        before = tree(index)
        for args in (("ingest", str(corpus), "--index", str(index), "--rebuild"), ("ingest", str(corpus), "--index", str(index))):
            result = invoke(*args)
            assert result.exit_code == 2
            line = one_line(result)
            assert line.startswith(f"newsgrep: {index} is not a newsgrep index") and "choose another --index" in line
        assert tree(index) == before


# 2. --rebuild deleted a user's idx.old (and idx.rebuild).
def test_rebuild_keeps_a_users_backup_beside_the_index(run, corpus, index_path, ingested):
    backup = index_path.with_name(index_path.name + ".old")
    shutil.copytree(index_path, backup, symlinks=True)
    spare = index_path.with_name(index_path.name + ".rebuild")
    spare.mkdir()
    (spare / "notes.txt").write_text("我的筆記")
    before_backup, before_spare = tree(backup), tree(spare)
    assert run("ingest", "--rebuild", str(corpus)).exit_code == 0
    assert tree(backup) == before_backup and tree(spare) == before_spare
    assert snapshot(index_path) == ingested


# 3. --prune on a path that does not exist emptied the index.
def test_prune_of_a_missing_or_unreadable_path_removes_nothing(run, tmp_path, index_path):
    usb = write_corpus(tmp_path / "usb" / "news", 6)
    other = write_corpus(tmp_path / "other", 3, start=50)
    assert run("ingest", str(usb), str(other)).exit_code == 0
    stored = snapshot(index_path)
    moved = tmp_path / "usb-unmounted"
    os.rename(tmp_path / "usb", moved)
    result = run("ingest", str(usb), "--prune")
    assert result.exit_code == 2 and f"{usb}: no such file or directory" in result.output
    assert "0 removed" in result.output
    assert snapshot(index_path) == stored
    os.rename(moved, tmp_path / "usb")
    (usb / "a0001.txt").unlink()
    result = run("ingest", str(usb), "--prune")
    assert result.exit_code == 0 and "1 removed" in result.output
    assert len(snapshot(index_path)) == len(stored) - 1  # the other folder's articles are not touched


# 4. A missing newsgrep.json silently started a new index over the old one.
def test_index_without_its_metadata_is_refused_not_overwritten(run, corpus, index_path, ingested):
    (index_path / "newsgrep.json").unlink()
    generation = next(index_path.glob("gen-*"))
    for name in os.listdir(generation):  # the files as an older newsgrep laid them out: straight in the folder
        if name.startswith("MAIN") or name.startswith("_MAIN"):
            os.rename(generation / name, index_path / name)
    shutil.rmtree(generation)
    files = tree(index_path)
    for args in (("ingest", str(corpus)), ("search", "台灣")):
        result = run(*args)
        assert result.exit_code == 2
        assert "has lost its newsgrep.json" in one_line(result) and "newsgrep ingest --rebuild" in result.output
    assert tree(index_path) == files
    assert run("ingest", "--rebuild", str(corpus)).exit_code == 0
    assert snapshot(index_path) == ingested
    assert not [n for n in os.listdir(index_path) if "MAIN" in n]  # the old layout's files were newsgrep's: gone


# 5. Double Ctrl-C committed half a file and marked it done.
@pytest.mark.slow
def test_second_ctrl_c_cancels_the_open_batch_and_the_summary_is_what_was_committed(tmp_path, index_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    with (corpus / "records.jsonl").open("w", encoding="utf-8") as out:
        for n in range(4000):
            record = {"title": f"第{n}則 行政院會議", "content": f"行政院今天召開第{n}次會議，討論明年度總預算與國防預算。" * 8,
                      "url": f"https://news.example.tw/{n}", "published_date": "2025-11-19"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    proc = newsgrep_process("ingest", str(corpus), index_path=index_path, env={"NEWSGREP_BATCH": "100000"})
    deadline = time.monotonic() + 60
    while not list(index_path.glob("gen-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # reading and analysing the one big file
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "0 added" in err
    assert snapshot(index_path) == {}
    again = run_newsgrep("ingest", str(corpus), index_path=index_path)
    assert again.returncode == 0, again.stderr
    assert "4000 added" in again.stderr and len(snapshot(index_path)) == 4000


# 6. A rebuild's swap is atomic for other newsgrep processes, and a crash mid-rebuild is recovered.
@pytest.mark.slow
def test_rebuild_is_atomic_for_other_processes_and_a_killed_rebuild_is_recovered(run, tmp_path, index_path):
    corpus = write_corpus(tmp_path / "corpus", 400)
    assert run("ingest", str(corpus)).exit_code == 0
    clean = snapshot(index_path)
    rebuild = newsgrep_process("ingest", "--rebuild", str(corpus), index_path=index_path, env={"NEWSGREP_BATCH": "40"})
    time.sleep(2)
    other = run_newsgrep("ingest", str(corpus), index_path=index_path)
    assert other.returncode == 2 and "index is being written by another process" in other.stderr
    assert run_newsgrep("analyze", "台灣軍售", index_path=index_path).returncode == 0
    assert snapshot(index_path) == clean  # readers see the old index, whole, until the switch
    os.killpg(rebuild.pid, signal.SIGKILL)
    rebuild.wait()
    assert snapshot(index_path) == clean
    assert len(list(index_path.glob("gen-*"))) == 2  # the unfinished one, left by the kill
    assert run("ingest", str(corpus)).exit_code == 0
    assert [p.name for p in index_path.glob("gen-*")] == [json.loads((index_path / "newsgrep.json").read_text())["generation"]]
    done = run_newsgrep("ingest", "--rebuild", str(corpus), index_path=index_path)
    assert done.returncode == 0 and snapshot(index_path) == clean


# 7. A file name that is not valid UTF-8 aborted the whole ingest.
def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(run, tmp_path, index_path):
    corpus = write_corpus(tmp_path / "corpus", 3)
    odd = os.fsencode(str(corpus)) + b"/\xff\xfe\xb0\xea.txt"
    with open(odd, "wb") as f:
        f.write(" date 2025-11-19 颱風夜裡，台北市政府宣布停班停課。\n\n各地雨勢持續。\n".encode())
    result = run("ingest", str(corpus), "--verbose")
    assert result.exit_code == 0, result.output
    assert "4 added" in result.output and "\\xff\\xfe\\xb0\\xea.txt" in result.output
    assert run("search", "停班停課").exit_code == 0
    assert "0 updated, 4 unchanged" in run("ingest", str(corpus)).output


# 8. Disk full left temporary files and a whole rebuild copy behind.
def test_disk_full_while_building_the_dictionary_leaves_nothing_behind(tmp_path, corpus, monkeypatch):
    import sqlite3

    import newsgrep.dictionary as dictionary

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dictionary, "_fill_query_db", full)
    index = tmp_path / "fresh"
    result = invoke("ingest", str(corpus), "--index", str(index))
    assert result.exit_code == 2
    assert one_line(result) == f"newsgrep: cannot write the index at {index}: no space left on device; it is as it was after its last commit"
    assert not [p for p in index.rglob("*.tmp")]


def test_disk_full_during_a_rebuild_removes_the_unfinished_generation(run, corpus, index_path, ingested, monkeypatch):
    from whoosh.filedb.filestore import FileStorage

    real = FileStorage.create_file
    calls = []

    def create_file(self, name, *args, **kwargs):
        calls.append(name)
        if len(calls) > 3:
            raise OSError(28, "No space left on device")
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "create_file", create_file)
    result = run("ingest", "--rebuild", str(corpus))
    monkeypatch.setattr(FileStorage, "create_file", real)
    assert result.exit_code == 2 and "no space left on device" in one_line(result)
    assert len(list(index_path.glob("gen-*"))) == 1
    assert snapshot(index_path) == ingested


# 9. `newsgrep ingest .` indexed the index's own files.
def test_index_folders_are_never_ingested(tmp_path, monkeypatch):
    write_corpus(tmp_path / "news", 3)
    monkeypatch.chdir(tmp_path)
    assert invoke("ingest", "news").exit_code == 0
    result = invoke("ingest", ".", "--verbose")
    assert result.exit_code == 0, result.output
    assert "newsgrep.json" not in result.output and "MAIN" not in result.output and "3 unchanged" in result.output
    assert invoke("ingest", "data/index").exit_code == 2


# 11. Symlinks leading out of the ingested folder were indexed.
def test_links_out_of_the_given_folders_are_reported_not_read(run, tmp_path, index_path):
    corpus = write_corpus(tmp_path / "corpus", 2)
    outside = write_corpus(tmp_path / "outside", 1, start=90)
    (corpus / "leak.txt").symlink_to("/etc/passwd")
    (corpus / "away").symlink_to(outside, target_is_directory=True)
    (corpus / "again.txt").symlink_to(corpus / "a0000.txt")  # inside: the same file, read once
    result = run("ingest", str(corpus))
    assert result.exit_code == 2
    assert result.output.count("outside the folders given") == 2 and "2 added" in result.output
    assert run("search", "root").exit_code == 1
    followed = run("ingest", str(corpus), "--follow")
    assert "2 added" in followed.output  # asked for: the folder outside and /etc/passwd (named leak.txt) are read


# 13. `show --related` on a large article took minutes and gigabytes.
@pytest.mark.slow
def test_related_of_a_huge_article_is_bounded(run, tmp_path, index_path):
    corpus = write_corpus(tmp_path / "corpus", 20)
    (corpus / "huge.txt").write_text(" date 2025-01-01 " + "行政院今天召開記者會，說明明年度的中央政府總預算。" * 40000, encoding="utf-8")
    assert run("ingest", str(corpus)).exit_code == 0
    started = time.monotonic()
    result = run("show", "huge", "--related")
    assert result.exit_code in (0, 1) and time.monotonic() - started < 10


# 14. A damaged index gave internal errors, and an ingest into it exited 0.
@pytest.mark.parametrize("damage", ["truncated terms", "empty toc", "garbled toc", "changed stored bytes"])
def test_a_damaged_index_is_one_line_asking_for_a_rebuild(run, corpus, index_path, ingested, damage):
    generation = next(index_path.glob("gen-*"))
    if damage == "truncated terms":
        for trm in generation.glob("*.trm"):
            trm.write_bytes(trm.read_bytes()[:100])
    elif damage == "empty toc":
        next(generation.glob("_MAIN_*.toc")).write_bytes(b"")
    elif damage == "garbled toc":
        toc = next(generation.glob("_MAIN_*.toc"))
        toc.write_bytes(bytes(b ^ 0x5A for b in toc.read_bytes()))
    else:
        stored = max(generation.glob("*._stored.col"), key=lambda p: p.stat().st_size)
        data = bytearray(stored.read_bytes())
        for i in range(len(data) // 3, len(data) // 3 + 200):
            data[i] ^= 0xFF
        stored.write_bytes(bytes(data))
    for args in (("search", "台灣"), ("show", "000"), ("list",), ("ingest", str(corpus))):
        result = run(*args)
        if result.exit_code in (0, 1) and damage in ("truncated terms", "changed stored bytes"):
            continue  # the damage lies where this command does not read
        assert result.exit_code == 2, (args, result.output)
        line = one_line(result)
        assert f"the index at {index_path} is damaged" in line and line.endswith("rebuild it with: newsgrep ingest --rebuild DIR")
    assert run("ingest", "--rebuild", str(corpus)).exit_code == 0
    assert snapshot(index_path) == ingested


# 15. Odd index paths and settings: a clear line before any work, or it works.
def test_the_current_or_parent_folder_as_index_is_refused_before_any_work(tmp_path, corpus, monkeypatch):
    monkeypatch.chdir(corpus)
    before = tree(corpus.parent)
    for index in (".", ".."):
        result = invoke("ingest", str(corpus), "--index", index, "--rebuild")
        assert result.exit_code == 2 and "is not a newsgrep index" in one_line(result)
    assert tree(corpus.parent) == before


@pytest.mark.parametrize("setting", [{"NEWSGREP_MAX_FILE_MB": "inf"}, {"NEWSGREP_MAX_FILE_MB": "-1"}, {"NEWSGREP_BATCH": "abc"}, {"NEWSGREP_BATCH": "0"}])
def test_bad_settings_are_one_line_before_any_work(tmp_path, corpus, setting):
    index = tmp_path / "index"
    result = invoke("ingest", str(corpus), "--index", str(index), env=setting)
    assert result.exit_code == 2
    name = next(iter(setting))
    assert one_line(result).startswith(f"newsgrep: {name} must be")
    assert not index.exists()


def test_an_index_path_behind_a_symlink_can_be_rebuilt(tmp_path, corpus):
    real = tmp_path / "real-index"
    link = tmp_path / "index"
    link.symlink_to(real, target_is_directory=True)
    assert invoke("ingest", str(corpus), "--index", str(link)).exit_code == 0
    assert invoke("ingest", str(corpus), "--index", str(link), "--rebuild").exit_code == 0
    assert link.is_symlink() and snapshot(link) == snapshot(real)


@pytest.mark.slow
def test_an_index_on_a_mount_point_can_be_rebuilt(tmp_path, corpus, dictionary_folder):
    with tmpfs(tmp_path / "mnt", "64m") as mount:
        (mount / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
        assert invoke("ingest", str(corpus), "--index", str(mount)).exit_code == 0
        result = invoke("ingest", str(corpus), "--index", str(mount), "--rebuild")
        assert result.exit_code == 0, result.output
        assert len(snapshot(mount)) == 4


# 16. `analyze --index typo` built a dictionary in the mistyped folder; old dictionaries piled up.
def test_analyze_never_builds_in_a_folder_that_is_not_an_index(tmp_path):
    typo = tmp_path / "indx"
    result = invoke("analyze", "台灣", "--index", str(typo))
    assert result.exit_code == 2 and one_line(result).startswith(f"newsgrep: no index at {typo}")
    assert not typo.exists()


@pytest.mark.slow
def test_a_rebuild_with_new_user_words_leaves_one_dictionary(tmp_path, corpus):
    index = tmp_path / "index"
    words = tmp_path / "words.txt"
    assert invoke("ingest", str(corpus), "--index", str(index)).exit_code == 0
    for n, word in enumerate(["高市早苗", "海馬斯", "對台軍售"]):
        words.write_text(word + "\n", encoding="utf-8")
        result = invoke("ingest", str(corpus), "--index", str(index), "--userdict", str(words), "--rebuild")
        assert result.exit_code == 0, result.output
        assert len(list((index / "dictionary").iterdir())) == 1
    # The index remembers its user words: a later ingest without --userdict does not ask for a rebuild.
    assert invoke("ingest", str(corpus), "--index", str(index)).exit_code == 0
