"""Interruption and concurrency: kill -9 and Ctrl-C of a real ingest process, a second writer, readers during writes.

Each test runs ``python -m newsgrep`` on a few hundred small generated articles
with tiny batches (``NEWSGREP_BATCH``) so that an ingest commits many times.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app
from newsgrep.ingest import ingest_paths
from newsgrep.engines.whoosh_lock import LOCK_FILE, holder_pid, write_lock

from corpusgen import newsgrep_process, run_newsgrep, snapshot, write_corpus

FILES = 300
BATCH = {"NEWSGREP_BATCH": "15"}


@pytest.fixture
def generated(tmp_path) -> Path:
    return write_corpus(tmp_path / "generated", FILES)


@pytest.fixture
def clean_snapshot(generated, tmp_path, dictionary_folder) -> dict[str, str]:
    """id -> content hash after one uninterrupted ingest into a separate index."""
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    report = ingest_paths([generated], clean, procs=1)
    assert report.added == FILES and not report.failures
    return snapshot(clean)


def generation(index_path: Path) -> int:
    """The newest committed TOC generation (-1 before the index exists)."""
    toc_names = [p.name for p in index_path.glob("gen-*/_MAIN_*.toc")]
    gens = [int(m.group(1)) for name in toc_names if (m := re.fullmatch(r"_MAIN_(\d+)\.toc", name))]
    return max(gens, default=-1)


def wait_for_generation(index_path: Path, proc: subprocess.Popen, target: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while generation(index_path) < target:
        assert proc.poll() is None, f"ingest ended before generation {target}: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)


def group_members(pgid: int) -> list[str]:
    """Live processes of the group (zombies already exited; a container's pid 1 may never reap them)."""
    ps = subprocess.run(["ps", "-o", "pid=,stat=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.split()[0] for line in ps.splitlines() if line.split()[1:2] != ["Z"] and not line.split()[1].startswith("Z")]


def assert_consistent_subset(index_path: Path, clean: dict[str, str]) -> dict[str, str]:
    """The index opens, every stored article is one a clean run stores (same hash), and a search answers."""
    from newsgrep.engines import open_index
    from newsgrep.search import search

    now = snapshot(index_path)
    assert {k: clean.get(k) for k in now} == now
    if now:
        assert search(open_index(index_path), "台北市政府", limit=3).hits
    return now


@pytest.mark.slow
def test_kill_9_at_several_moments_keeps_every_commit_and_a_rerun_completes(index_path, generated, clean_snapshot):
    stored_before = 0
    for target in (1, 4, 9):  # just after the index was created, and after some batches
        proc = newsgrep_process("ingest", str(generated), index_path=index_path, env=BATCH)
        wait_for_generation(index_path, proc, target)
        committed = snapshot(index_path)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        time.sleep(0.5)
        # Whoosh's worker processes die with the ingest instead of waiting on their queue (and holding the lock).
        assert group_members(proc.pid) == []
        now = assert_consistent_subset(index_path, clean_snapshot)
        assert set(committed) <= set(now)
        assert len(now) >= stored_before
        stored_before = len(now)
    assert stored_before < FILES  # the kills really interrupted something
    rerun = run_newsgrep("ingest", str(generated), index_path=index_path, env=BATCH)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{FILES - stored_before} added" in rerun.stderr
    assert snapshot(index_path) == clean_snapshot


def newest_commit(index_path: Path) -> float:
    """When the newest commit was written (its TOC's mtime, seconds since the epoch)."""
    return max(p.stat().st_mtime for p in index_path.glob("gen-*/_MAIN_*.toc"))


@pytest.mark.slow
def test_a_search_ten_seconds_into_a_fresh_ingest_answers_with_what_is_committed(index_path, tmp_path):
    """Default settings, as a user runs it: the first commit comes seconds after the start, not after a batch."""
    corpus = write_corpus(tmp_path / "many", 6000)
    proc = newsgrep_process("ingest", str(corpus), index_path=index_path)
    time.sleep(10)
    assert proc.poll() is None, "the ingest ended before the search: use a bigger corpus"
    committed = snapshot(index_path)
    found = run_newsgrep("search", "報導", "--all", "--json", "--limit", "100000", index_path=index_path)
    after = snapshot(index_path)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert found.returncode == 0, found.stderr
    ids = {json.loads(line)["id"] for line in found.stdout.splitlines()}  # every article says 第N號報導
    assert committed and set(committed) <= ids <= set(after)


def test_the_first_seconds_of_a_fresh_ingest_find_nothing_and_say_so(index_path):
    """Between the new index's creation and its first commit it holds no segment at all: every reading
    command answers from that empty index (nothing found, exit 1), not "damaged"."""
    from newsgrep.engines.whoosh_engine import WhooshEngine

    WhooshEngine.open_for_writing(index_path).close()  # what an ingest has done before its first commit

    for args, empty in ((["search", "台灣"], ""), (["search", "-c", "台灣"], "0\n"), (["list"], ""), (["timeline", "台灣"], None)):
        result = invoke(index_path, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "damaged" not in result.output
        if empty is not None:
            assert result.stdout == empty, args


@pytest.mark.slow
def test_kill_9_thirty_seconds_in_loses_at_most_the_last_thirty_seconds(index_path, tmp_path, dictionary_folder):
    articles = 5000
    corpus = write_corpus(tmp_path / "many", articles)
    proc = newsgrep_process("ingest", str(corpus), index_path=index_path)
    time.sleep(30)
    assert proc.poll() is None, "the ingest ended before the kill: use a bigger corpus"
    committed = snapshot(index_path)
    os.killpg(proc.pid, signal.SIGKILL)
    killed_at = time.time()
    proc.communicate()
    assert killed_at - newest_commit(index_path) <= 30
    clean_index = tmp_path / "clean"
    clean_index.mkdir()
    (clean_index / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    assert ingest_paths([corpus], clean_index).added == articles
    clean = snapshot(clean_index)
    now = assert_consistent_subset(index_path, clean)
    assert set(committed) <= set(now) and len(now) < articles
    rerun = run_newsgrep("ingest", str(corpus), index_path=index_path, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{articles - len(now)} added" in rerun.stderr
    assert snapshot(index_path) == clean


@pytest.mark.slow
@pytest.mark.parametrize("whole_group", [False, True], ids=["ingest-only", "process-group"])
def test_ctrl_c_commits_what_was_read_says_so_and_exits_130(index_path, generated, clean_snapshot, whole_group):
    """SIGINT to the ingest (as ``kill -INT``) or to its process group (as a terminal's Ctrl-C, which also
    reaches Whoosh's forked writer processes)."""
    proc = newsgrep_process("ingest", str(generated), index_path=index_path, env=BATCH)
    wait_for_generation(index_path, proc, 3)
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted; what was read so far is committed" in err
    added = int(re.search(r"(\d+) added", err).group(1))
    now = assert_consistent_subset(index_path, clean_snapshot)
    assert len(now) == added  # everything reported is stored: none lost in the worker processes
    rerun = run_newsgrep("ingest", str(generated), index_path=index_path, env=BATCH)
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(index_path) == clean_snapshot


# -- concurrency ------------------------------------------------------------------


def invoke(index_path: Path, *args: str):
    return CliRunner().invoke(app, list(args), env={"NEWSGREP_INDEX": str(index_path)})


def test_second_ingest_exits_2_naming_the_writer(index_path, corpus):
    with write_lock(index_path):
        result = invoke(index_path, "ingest", str(corpus))
    assert result.exit_code == 2
    assert result.output == f"newsgrep: index is being written by another process (pid {os.getpid()})\n"


def test_wait_takes_the_lock_once_the_writer_is_done(index_path, corpus):
    held = threading.Event()

    def writer():
        with write_lock(index_path):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=writer)
    thread.start()
    held.wait()
    started = time.monotonic()
    result = invoke(index_path, "ingest", str(corpus), "--wait", "10")
    thread.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.5
    assert "4 added" in result.output


def test_wait_gives_up_after_the_given_seconds(index_path, corpus):
    with write_lock(index_path):
        started = time.monotonic()
        result = invoke(index_path, "ingest", str(corpus), "--wait", "0.5")
    assert result.exit_code == 2 and "being written by another process" in result.output
    assert 0.5 <= time.monotonic() - started < 5


def test_lock_file_left_by_a_dead_process_is_taken_over(index_path, corpus):
    dead = subprocess.Popen(["true"])
    dead.wait()
    (index_path / LOCK_FILE).write_text(f"{dead.pid}\n")
    result = invoke(index_path, "ingest", str(corpus))
    assert result.exit_code == 0, result.output
    assert holder_pid(index_path / LOCK_FILE) == os.getpid()  # the last writer's pid, left unlocked


@pytest.mark.slow
def test_lock_of_a_killed_ingest_is_released_by_the_kernel(index_path, generated):
    """Both newsgrep.lock and Whoosh's MAIN_WRITELOCK are flocks: kill -9 cannot leave them held."""
    proc = newsgrep_process("ingest", str(generated), index_path=index_path, env=BATCH)
    wait_for_generation(index_path, proc, 2)
    busy = run_newsgrep("ingest", str(generated), index_path=index_path, env=BATCH)
    assert busy.returncode == 2
    assert busy.stderr == f"newsgrep: index is being written by another process (pid {proc.pid})\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    time.sleep(0.3)
    after = run_newsgrep("ingest", str(generated), index_path=index_path, env=BATCH)
    assert after.returncode == 0, after.stderr


@pytest.mark.slow
def test_search_and_show_keep_answering_while_an_ingest_writes(index_path, generated, clean_snapshot):
    from newsgrep.engines import open_index
    from newsgrep.search import search

    proc = newsgrep_process("ingest", str(generated), index_path=index_path, env=BATCH)
    wait_for_generation(index_path, proc, 1)
    counts, searches = [], 0
    while proc.poll() is None:
        index = open_index(index_path)
        stored = assert_consistent_subset(index_path, clean_snapshot)
        counts.append(len(stored))
        if stored:
            some_id = sorted(stored)[0]
            assert index.get(some_id).content_hash == clean_snapshot[some_id]
            assert search(index, "氣象署", limit=5).total >= 0
            shown = invoke(index_path, "show", some_id)
            assert shown.exit_code == 0 and shown.exception is None, shown.output
            searches += 1
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert counts == sorted(counts)  # readers see commits in order, never a step back
    assert searches >= 3
    assert snapshot(index_path) == clean_snapshot
