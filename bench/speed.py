"""Speed benchmark (issue #5): ingest, re-ingest, cold and warm search, index size, against jieba and rg.

One command builds (or reuses) a synthetic corpus of real paragraphs
recombined (``synth_corpus.py``), runs the installed ``newsgrep`` on it and
prints every figure beside its goal. It asserts nothing: the exit code is 0
whatever the figures are, so it can be run before and after an optimisation.

    python bench/speed.py --quick        # 10,000 articles
    python bench/speed.py                # 100,000 articles (long: a big machine, not a shared one)
    python bench/speed.py --size 20000 --engine both   # Whoosh and PostgreSQL side by side

``--engine postgres`` (or ``both``) measures the PostgreSQL engine on a
throwaway local server (``tests/pg_server.py``: Debian's binaries, a socket in
a temporary folder, fsync off), or on the database ``--pg-url`` names (its
newsgrep schema is replaced). Its size is the tables and indexes of the
schema; the dictionary lives in the user's cache there, so it is not counted.

MB are 10^6 bytes of article text on disk; GB are 10^9 bytes. "Cold" commands
are whole new processes (Python start, imports, index open) with the OS page
cache warm; "warm" queries run in this process on an index opened once.
Peak memory is the sum over ingest's whole process tree (workers included),
polled from /proc.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from synth_corpus import DEFAULT_SEED, article_id, default_cache, ensure_corpus

FULL_SIZE = 100_000
QUICK_SIZE = 10_000
# Above this many articles the jieba floor is measured on a deterministic 10% sample (every 10th file).
JIEBA_FULL_LIMIT = 10_000
COLD_RUNS = 10
WARM_ROUNDS = 5
QUERY = "台灣 軍售"
QUERY_WORDS = QUERY.split()
# What warm latency is measured on: common words, rare words, phrases, OR, NOT, fields, both scripts.
WARM_QUERIES = [
    "台灣 軍售", "川普", "習近平", "罷免", "賴清德", "立法院 預算", "美國 中國", "關稅",
    "颱風", "台積電", "半導體", "國民黨 民進黨", '"對台軍售"', "烏克蘭", "食安 雞蛋",
    "台湾 军售", "title:台灣", "選舉 -罷免", "總統 OR 行政院", "AI",
]  # fmt: skip


# ---------------------------------------------------------------------------
# Goals and the figures reported against them.


@dataclass(frozen=True)
class Goal:
    """A target a figure should meet: ``op`` is ">=" or "<="."""

    op: str
    limit: float
    text: str

    def met(self, value: float) -> bool:
        return value >= self.limit if self.op == ">=" else value <= self.limit


GOALS = {
    "ingest_mb_s": Goal(">=", 2.0, "≥ 2 MB/s"),
    "reingest_mb_s": Goal(">=", 200.0, "≥ 200 MB/s"),
    "search_cold_median_s": Goal("<=", 0.25, "≤ 0.25 s"),
    "show_cold_median_s": Goal("<=", 0.2, "≤ 0.2 s"),
    "warm_median_ms": Goal("<=", 20.0, "≤ 20 ms"),
    "warm_p90_ms": Goal("<=", 20.0, "≤ 20 ms"),
    "index_ratio": Goal("<=", 1.5, "≤ 1.5×"),
    "ingest_peak_rss_mb": Goal("<=", 1000.0, "≤ 1 GB"),
}


@dataclass
class Figure:
    """One row of the report."""

    key: str
    label: str
    value: float | None
    unit: str
    note: str = ""

    @property
    def goal(self) -> Goal | None:
        return GOALS.get(self.key)

    def shown(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, int):
            return f"{self.value:,} {self.unit}"
        digits = 0 if abs(self.value) >= 100 else 1 if abs(self.value) >= 10 else 2 if abs(self.value) >= 1 else 3
        return f"{self.value:,.{digits}f} {self.unit}".strip()

    def verdict(self) -> str:
        if self.goal is None or self.value is None:
            return ""
        return "ok" if self.goal.met(self.value) else "MISS"


@dataclass
class Report:
    """Everything one run measured, plus where and on what."""

    context: dict
    figures: list[Figure] = field(default_factory=list)

    def add(self, key: str, label: str, value: float | None, unit: str, note: str = "") -> None:
        self.figures.append(Figure(key, label, value, unit, note))

    def value(self, key: str) -> float | None:
        return next((f.value for f in self.figures if f.key == key), None)

    def to_json(self) -> str:
        rows = {
            f.key: {"label": f.label, "value": f.value, "unit": f.unit, "note": f.note,
                    "goal": f.goal.text if f.goal else None, "met": f.goal.met(f.value) if f.goal and f.value is not None else None}
            for f in self.figures
        }  # fmt: skip
        return json.dumps({"context": self.context, "figures": rows}, ensure_ascii=False, indent=2)

    def to_table(self) -> str:
        """The figures as a plain-text table (Markdown-compatible), context lines first."""
        head = ["measure", "value", "goal", "", "note"]
        rows = [[f.label, f.shown(), f.goal.text if f.goal else "", f.verdict(), f.note] for f in self.figures]
        widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(_pad(c, w, right=i == 1) for i, (c, w) in enumerate(zip(cells, widths))) + " |"

        context = [f"{k}: {v}" for k, v in self.context.items()]
        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([*context, "", line(head), rule, *map(line, rows)])


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


# ---------------------------------------------------------------------------
# Measuring processes.


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    """90th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it (via /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB from /proc/<pid>/smaps_rollup; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class TreeMemory:
    """Polls a process tree's summed RSS and PSS in a thread; ``peak_rss``/``peak_pss`` in bytes.

    RSS summed over forked workers counts shared pages once per process (an
    upper bound); PSS splits them (what the tree really costs).
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _descendants(self.pid)
            sizes = [_memory_kb(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, 1024 * sum(s[0] for s in sizes))
            self.peak_pss = max(self.peak_pss, 1024 * sum(s[1] for s in sizes))
            self.peak_processes = max(self.peak_processes, sum(1 for s in sizes if s[0]))
            self._stop.wait(self.interval)


@dataclass
class Run:
    """One measured process: wall and CPU seconds, peak tree memory (bytes), exit code, standard error."""

    seconds: float
    cpu_seconds: float  # user + system of the process and every descendant it waited for
    peak_rss: int
    peak_pss: int
    processes: int
    returncode: int
    stderr: str


def run_measured(cmd: Sequence[str]) -> Run:
    """Run ``cmd`` to completion, timing it (wall and CPU) and polling its process tree's memory.

    CPU seconds hardly move with the machine's load, wall seconds do: on a shared
    machine compare CPU seconds between runs.
    """
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu_before = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with TreeMemory(proc.pid) as memory:
        _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    return Run(seconds, cpu, memory.peak_rss, memory.peak_pss, memory.peak_processes, proc.returncode, stderr)


def time_runs(cmd: Sequence[str] | str, runs: int, *, ok: Callable[[int], bool] = lambda rc: rc in (0, 1)) -> list[float]:
    """Wall seconds of ``runs`` fresh runs of ``cmd`` (a string runs in the shell); output discarded."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if not ok(done.returncode):
            raise SystemExit(f"failed ({done.returncode}): {cmd if isinstance(cmd, str) else shlex.join(cmd)}\n{done.stderr}")
    return times


def tree_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def article_files(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.txt"))


# ---------------------------------------------------------------------------
# The measurements.


def check_run(run: Run, cmd: Sequence[str], what: str) -> None:
    """Stop with the command's error output when ``run`` failed."""
    if run.returncode != 0:
        raise SystemExit(f"{what} failed ({run.returncode}): {shlex.join(cmd)}\n{run.stderr[-2000:]}\n"
                         "(if newsgrep's code changed while this ran, run again)")  # fmt: skip


def remove_index(index: str) -> None:
    """No index at ``index`` any more: the folder removed, or the database's newsgrep schema dropped."""
    if not is_server(index):
        shutil.rmtree(index, ignore_errors=True)
        return
    import psycopg

    with psycopg.connect(index, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS newsgrep CASCADE")
        conn.execute("DROP SCHEMA IF EXISTS newsgrep_rebuild CASCADE")


def is_server(index: str) -> bool:
    return str(index).startswith(("postgresql://", "postgres://"))


def measure_ingest(report: Report, newsgrep: str, corpus: Path, index: str, megabytes: float, articles: int) -> None:
    """Ingest into a fresh index (1), then re-ingest the unchanged corpus (3)."""
    remove_index(index)
    cmd = [newsgrep, "ingest", str(corpus), "--index", str(index), "--quiet"]
    fresh = run_measured(cmd)
    check_run(fresh, cmd, "ingest")
    report.add("ingest_s", "ingest, fresh index", fresh.seconds, "s", "includes building the merged dictionary")
    report.add("ingest_mb_s", "ingest throughput", megabytes / fresh.seconds, "MB/s")
    report.add("ingest_articles_s", "ingest rate", articles / fresh.seconds, "articles/s")
    report.add("ingest_cpu_s", "ingest CPU time, process tree", fresh.cpu_seconds, "s", "user + system; steadier than wall time under load")
    report.add("ingest_mb_cpu_s", "ingest MB per CPU second", megabytes / fresh.cpu_seconds, "MB/s")
    report.add("ingest_peak_rss_mb", "ingest peak RSS, process tree", fresh.peak_rss / 1e6, "MB",
               f"PSS {fresh.peak_pss / 1e6:,.0f} MB; up to {fresh.processes} process(es)")  # fmt: skip
    again = run_measured(cmd)
    check_run(again, cmd, "re-ingest")
    report.add("reingest_s", "re-ingest, unchanged corpus", again.seconds, "s")
    report.add("reingest_mb_s", "re-ingest throughput", megabytes / again.seconds, "MB/s")


def measure_jieba(report: Report, files: list[Path]) -> None:
    """The naive stack's floor (2): ``jieba.lcut`` with its default dictionary, one process, load not timed."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    sample = files if len(files) <= JIEBA_FULL_LIMIT else files[::10]
    texts = [p.read_text(encoding="utf-8") for p in sample]
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    seconds = time.perf_counter() - start
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    what = "all files" if sample is files else f"10% sample ({len(sample):,} files)"
    report.add("jieba_mb_s", "jieba.lcut floor, 1 process", megabytes / seconds, "MB/s", f"{what}, {seconds:.1f} s")


def measure_cold(report: Report, newsgrep: str, index: str, show_id: str) -> None:
    """Whole-process latency of search, show and --help (4)."""
    ix = ["--index", str(index)]
    search = time_runs([newsgrep, "search", QUERY, *ix], COLD_RUNS)
    report.add("search_cold_median_s", f"cold search {QUERY!r}, median", median(search), "s", f"{COLD_RUNS} runs")
    report.add("search_cold_p90_s", "cold search, p90", p90(search), "s")
    show = time_runs([newsgrep, "show", show_id, *ix], COLD_RUNS, ok=lambda rc: rc == 0)
    report.add("show_cold_median_s", "cold show ID, median", median(show), "s", show_id)
    report.add("show_cold_p90_s", "cold show ID, p90", p90(show), "s")
    help_ = time_runs([newsgrep, "--help"], COLD_RUNS, ok=lambda rc: rc == 0)
    report.add("help_cold_median_s", "newsgrep --help, median", median(help_), "s")


def measure_warm(report: Report, index: str) -> None:
    """In-process latency (5): open the index once, run every query once to warm up, then time WARM_ROUNDS rounds."""
    from newsgrep.engines import open_index
    from newsgrep.search import search

    start = time.perf_counter()
    ix = open_index(index)
    total = search(ix, QUERY).total
    opened = time.perf_counter() - start
    for q in WARM_QUERIES:
        search(ix, q)
    times, cpu_times = [], []
    for _ in range(WARM_ROUNDS):
        for q in WARM_QUERIES:
            start, cpu_start = time.perf_counter(), time.process_time()
            search(ix, q)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
    note = f"{len(WARM_QUERIES)} queries × {WARM_ROUNDS}, limit 10 with snippets"
    report.add("warm_median_ms", "warm query, median", median(times), "ms", note)
    report.add("warm_p90_ms", "warm query, p90", p90(times), "ms", f"max {max(times):.0f} ms")
    report.add("warm_cpu_median_ms", "warm query CPU, median", median(cpu_times), "ms", "this process's CPU time")
    report.add("warm_cpu_p90_ms", "warm query CPU, p90", p90(cpu_times), "ms", f"max {max(cpu_times):.0f} ms")
    report.add("warm_open_s", "open index + first query, in-process", opened, "s", "loads dictionary")
    report.add("search_hits", f"newsgrep hits for {QUERY!r}", total, "articles")
    ix.close()


def measure_index(report: Report, index: str, raw_bytes: int) -> None:
    """Index size on disk against the raw text (6); the merged dictionary is a fixed cost shown apart."""
    if is_server(index):
        total, gin = database_bytes(index)
        report.add("index_mb", "index size on disk", total / 1e6, "MB", f"tables + indexes; GIN {gin / 1e6:.0f} MB")
        report.add("index_ratio", "index / raw text", total / raw_bytes, "×")
        report.add("index_ratio_no_dict", "index without dictionary/ / raw text", total / raw_bytes, "×", "no dictionary in the database")
        return
    index = Path(index)
    total = tree_bytes(index)
    dictionary = tree_bytes(index / "dictionary") if (index / "dictionary").is_dir() else 0
    report.add("index_mb", "index size on disk", total / 1e6, "MB", f"of which dictionary/ {dictionary / 1e6:.0f} MB")
    report.add("index_ratio", "index / raw text", total / raw_bytes, "×")
    report.add("index_ratio_no_dict", "index without dictionary/ / raw text", (total - dictionary) / raw_bytes, "×")
    report.add("index_segments", "Whoosh segments", whoosh_segments(index), "segments", "every query pays per segment")


def whoosh_segments(index: Path) -> int | None:
    """How many segments the current generation of a Whoosh index folder holds (None for another engine)."""
    tocs = sorted(index.glob("gen-*/_MAIN_*.toc"), key=lambda p: p.stat().st_mtime)
    if not tocs:
        return None
    from whoosh.index import open_dir

    return len(open_dir(str(tocs[-1].parent))._segments())


def database_bytes(url: str) -> tuple[int, int]:
    """(tables with their indexes and TOAST, the GIN index alone) of the newsgrep schema, in bytes."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        total = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'newsgrep' AND c.relkind = 'r'"
        ).fetchone()[0]
        gin = conn.execute(
            "SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'newsgrep' AND a.amname = 'gin'"
        ).fetchone()[0]
    return int(total or 0), int(gin or 0)


def ensure_rg() -> str | None:
    """The ``rg`` binary, installed with apt-get when missing and running as root; None (with a hint) otherwise."""
    found = shutil.which("rg")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        if not found:
            print("rg not found: install ripgrep (apt-get install -y ripgrep) to measure it", file=sys.stderr)
        return found
    print("installing ripgrep (apt-get install -y ripgrep)", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "ripgrep"], stdout=subprocess.DEVNULL, check=False)
    return shutil.which("rg")


def rg_command(rg: str, corpus: Path) -> str:
    """Files containing both query words, literally: ``rg -l -0 軍售 DIR | xargs -0 -r rg -l 台灣``.

    The rarer word goes first so the second pass reads few files. rg matches
    bytes, so unlike newsgrep it does not fold 台灣/台湾 nor segment words.
    """
    first, second = QUERY_WORDS[1], QUERY_WORDS[0]
    q = shlex.quote
    return f"{q(rg)} -l -0 {q(first)} {q(str(corpus))} | xargs -0 -r {q(rg)} -l {q(second)}"


def measure_rg(report: Report, rg: str | None, corpus: Path) -> None:
    """``rg`` over the raw files for the same query (7), new processes, page cache warm."""
    if rg is None:
        report.add("rg_median_s", "rg, both words, median", None, "s", "rg not installed")
        return
    cmd = rg_command(rg, corpus)
    times = time_runs(cmd, COLD_RUNS, ok=lambda rc: rc in (0, 1, 123))
    found = subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.splitlines()
    report.add("rg_median_s", "rg, files with both words, median", median(times), "s", "rg -l 軍售, then rg -l 台灣 on those")
    report.add("rg_p90_s", "rg, p90", p90(times), "s")
    report.add("rg_files", "rg: files with both words", len(found), "files", "literal bytes: no 台湾 folding")


def add_ratios(report: Report) -> None:
    """The ratios (8) from figures already measured, where both are present."""
    pairs = [
        ("ratio_search_rg", "cold search / rg", "search_cold_median_s", "rg_median_s", "×"),
        ("ratio_ingest_jieba", "ingest MB/s / jieba MB/s", "ingest_mb_s", "jieba_mb_s", "×"),
    ]
    for key, label, top, bottom, unit in pairs:
        a, b = report.value(top), report.value(bottom)
        report.add(key, label, a / b if a is not None and b else None, unit)


# ---------------------------------------------------------------------------
# Context: what was measured, where.


def newsgrep_source() -> Path:
    """The folder of the newsgrep package this Python imports (what the CLI subprocesses run too)."""
    import importlib.util

    spec = importlib.util.find_spec("newsgrep")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("newsgrep is not importable: run this with the Python of the venv newsgrep is installed in")
    return Path(next(iter(spec.submodule_search_locations)))


def source_digest(folder: Path) -> str:
    """A short hash of every .py file of the package: identifies the code measured, commit or not."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def git_commit(folder: Path) -> str:
    """The git commit ``folder`` is checked out at (``+dirty`` when tracked files changed), or a note that it is not."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "not a git checkout"
    dirty = git("status", "--porcelain", "--untracked-files=no", ".").stdout.strip()
    return head.stdout.strip() + ("+dirty" if dirty else "")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), platform.processor())
    except OSError:
        return platform.processor() or "unknown"


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def find_newsgrep() -> str:
    """The ``newsgrep`` script beside this Python (the venv being measured), else the one on PATH."""
    beside = Path(sys.executable).parent / "newsgrep"
    found = str(beside) if beside.exists() else shutil.which("newsgrep")
    if not found:
        raise SystemExit("newsgrep not found: run this with the Python of the venv newsgrep is installed in")
    return found


# ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} articles instead of {FULL_SIZE:,}")
    parser.add_argument("--size", type=int, help="number of articles (overrides --quick)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--index", type=Path, help="index folder [default: ~/.cache/newsgrep-bench/speed/<size>/index]")
    parser.add_argument("--engine", choices=("whoosh", "postgres", "both"), default="whoosh",
                        help="which engine to measure; both: side by side in one table [default: whoosh]")  # fmt: skip
    parser.add_argument("--pg-url", help="a PostgreSQL database for --engine postgres [default: a throwaway local server]")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse the index already built (no ingest figures)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    args.size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)
    return args


def side_by_side(reports: dict[str, Report]) -> str:
    """One table: each engine's figures in its own column, in the order the first report has them."""
    names = list(reports)
    first = reports[names[0]]
    head = ["measure", *names, "goal"]
    rows = []
    for f in first.figures:
        cells = [next((g for g in r.figures if g.key == f.key), None) for r in reports.values()]
        shown = [f"{c.shown()} {c.verdict()}".strip() if c else "" for c in cells]
        rows.append([f.label, *shown, f.goal.text if f.goal else ""])
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_pad(c, w, right=0 < i <= len(names)) for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    context = [f"{k}: {v}" for k, v in first.context.items()]
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([*context, "", line(head), rule, *map(line, rows)])


def throwaway_server(say):
    """A local PostgreSQL server for the run (``tests/pg_server.py``) and its database URL."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pg_server import Server, binaries

    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("--engine postgres: PostgreSQL is not installed (apt-get install postgresql), or pass --pg-url")
    say(f"starting a throwaway PostgreSQL server ({bin_dir}) …")
    server = Server(bin_dir)
    return server, server.create_database("bench")


def measure_engine(report: Report, args, newsgrep: str, corpus: Path, index: str, files: list[Path], say) -> None:
    """Everything that depends on the engine: ingest, cold commands, warm queries, size."""
    raw_bytes = sum(p.stat().st_size for p in files)
    if args.skip_ingest:
        if not is_server(index) and not Path(index).is_dir():
            raise SystemExit(f"--skip-ingest: no index at {index}; run once without it")
    else:
        say(f"ingest {len(files):,} files ({raw_bytes / 1e6:.1f} MB) into {index}, then re-ingest …")
        measure_ingest(report, newsgrep, corpus, index, raw_bytes / 1e6, len(files))
    say("cold commands …")
    middle = files[len(files) // 2]
    # Ids are the path under the ingested folder since the identity fix of issue 10; the bare stem before it.
    candidates = [str(middle.relative_to(corpus).with_suffix("")), article_id(args.seed, len(files) // 2)]
    show_id = next((c for c in candidates if subprocess.run([newsgrep, "show", c, "--index", index], capture_output=True).returncode == 0), candidates[0])
    measure_cold(report, newsgrep, index, show_id)
    say("warm queries …")
    measure_warm(report, index)
    measure_index(report, index, raw_bytes)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    newsgrep = find_newsgrep()
    source = newsgrep_source()
    digest = source_digest(source)
    corpus, manifest = ensure_corpus(args.size, args.seed, log=say)
    files = article_files(corpus)
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    engines = ["whoosh", "postgres"] if args.engine == "both" else [args.engine]
    server = None
    locations = {}
    if "whoosh" in engines:
        locations["whoosh"] = str(args.index or default_cache(args.size) / "index")
    if "postgres" in engines:
        if args.pg_url:
            locations["postgres"] = args.pg_url
        else:
            server, locations["postgres"] = throwaway_server(say)
    context = {
        "corpus": f"{len(files):,} articles, {megabytes:,.1f} MB, seed {args.seed} ({corpus})",
        "index": ", ".join(f"{name}: {where}" for name, where in locations.items()),
        "newsgrep": f"{newsgrep}, code {source} (commit {git_commit(source)}, source digest {digest})",
        **machine(),
    }  # fmt: skip
    reports = {name: Report(context) for name in engines}
    try:
        for name in engines:
            say(f"— {name} —")
            measure_engine(reports[name], args, newsgrep, corpus, locations[name], files, say)
    finally:
        if server is not None:
            server.stop()
    say("jieba floor …")
    shared = Report(context)
    measure_jieba(shared, files)
    say("rg …")
    measure_rg(shared, ensure_rg(), corpus)
    for report in reports.values():
        report.figures += shared.figures
        add_ratios(report)
    if source_digest(source) != digest:
        context["WARNING"] = f"newsgrep's source changed during the run (digest {digest} -> {source_digest(source)})"
    if args.json:
        print(json.dumps({name: json.loads(r.to_json()) for name, r in reports.items()}, ensure_ascii=False, indent=2) if len(reports) > 1 else reports[engines[0]].to_json())
    else:
        print(side_by_side(reports) if len(reports) > 1 else reports[engines[0]].to_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
