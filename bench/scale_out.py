"""Beyond one machine (issue 11, part 3): newsgrep's PostgreSQL engine on read replicas and on shards.

Starts throwaway local servers from Debian's PostgreSQL binaries
(``tests/pg_cluster.py``: sockets in temporary folders, ``fsync=off``) and
prints one table:

a. **Read replicas**: ``newsgrep ingest`` into a primary with one or two
   streaming replicas (``pg_basebackup -R``); how long replay takes to catch
   up; whether every bench query answers the same on a replica; queries per
   second of N reader processes on the primary alone vs spread over primary
   and replicas; what ``newsgrep ingest`` pointed at a replica prints.
b. **An archive split across servers**: two shards and a coordinator whose
   ``articles`` table (the engine's own layout) is hash-partitioned into
   ``postgres_fdw`` foreign tables; whether the engine's SQL gives the same
   answers there, its latency, and per-shard top-k (``ORDER BY score LIMIT
   k`` on each shard, merged) against the engine's one ranked query; with
   ``EXPLAIN (ANALYZE, VERBOSE)`` excerpts.

    python bench/scale_out.py                 # the shared corpora (~2,500 articles); about 5 minutes
    python bench/scale_out.py --size 20000    # synthetic articles (bench/synth_corpus.py) instead
    python bench/scale_out.py --replicas 2 --seconds 20

Every server, reader and client shares this machine's cores, so the reader
figures show what a replica costs and answers, not the speed-up separate
machines would give. It asserts nothing; the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

from locations import ROOT, find_shared_data
from speed import WARM_QUERIES
from synth_corpus import ensure_corpus

sys.path.insert(0, str(ROOT / "tests"))  # the servers are test support, shared with tests/test_scale_out.py
from pg_cluster import Node, binaries, split_over_shards

DATABASE = "news"
TOP_K = 30  # what ``search`` asks the engine for on a first page of 10 (search._ranked)
SCHEMA = "newsgrep"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def newsgrep(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsgrep", *args], capture_output=True, text=True, check=False)


def text_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# ---------------------------------------------------------------------------
# Reading: what a user's search returns, and many readers at once.


def answers(url: str, queries: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Per query: how many articles match, and the ids of the first page of hits."""
    from newsgrep.engines import open_index
    from newsgrep.search import search

    with open_index(url) as engine:
        found = {}
        for q in queries:
            result = search(engine, q, limit=10)
            found[q] = (result.total, [hit.id for hit in result.hits])
        return found


def _reader(url: str, queries: list[str], start: float, seconds: float, out) -> None:
    """One reader process: the bench queries in turn, from ``start`` for ``seconds``; sends its latencies."""
    from newsgrep.engines import open_index
    from newsgrep.search import search

    with open_index(url) as engine:
        search(engine, queries[0], limit=10)  # dictionary and connection ready before the clock
        while time.time() < start:
            time.sleep(0.005)
        latencies, i = [], 0
        while time.time() < start + seconds:
            began = time.perf_counter()
            search(engine, queries[i % len(queries)], limit=10)
            latencies.append(time.perf_counter() - began)
            i += 1
    out.send(latencies)


def readers(urls: list[str], processes: int, seconds: float, queries: list[str]) -> tuple[float, float, float]:
    """(queries/s, median ms, p90 ms) of ``processes`` readers spread round-robin over ``urls``."""
    context = multiprocessing.get_context("fork")
    start = time.time() + 8  # every reader has opened its index by then (imports, dictionary, first query)
    pipes, workers = [], []
    for n in range(processes):
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_reader, args=(urls[n % len(urls)], queries[n:] + queries[:n], start, seconds, send))
        worker.start()
        pipes.append(receive)
        workers.append(worker)
    latencies = [x for pipe in pipes for x in pipe.recv()]
    for worker in workers:
        worker.join()
    ms = sorted(x * 1000 for x in latencies)
    return len(latencies) / seconds, statistics.median(ms), ms[int(0.9 * (len(ms) - 1))]


# ---------------------------------------------------------------------------
# a. Read replicas.


def replica_part(corpus: Path, args, rows: list[tuple[str, str]], primary: Node) -> None:
    replicas = [Node.replica_of(primary, f"replica{n + 1}") for n in range(args.replicas)]
    try:
        measure_replicas(corpus, args, rows, primary, replicas)
    finally:
        for replica in replicas:
            replica.stop()


def measure_replicas(corpus: Path, args, rows: list[tuple[str, str]], primary: Node, replicas: list[Node]) -> None:
    url = primary.url(DATABASE)
    replica_urls = [r.url(DATABASE) for r in replicas]
    rows.append(("servers", f"1 primary + {len(replicas)} streaming replica(s), PostgreSQL {primary.version()}, fsync=off"))

    wal_before = primary.wal_position()
    lag_seen = LagSampler(primary)
    with lag_seen:
        began = time.perf_counter()
        done = newsgrep("--index", url, "ingest", str(corpus))
        ingest_s = time.perf_counter() - began
    if done.returncode:
        raise SystemExit(f"ingest into the primary failed: {done.stderr.strip()}")
    end = primary.wal_position()
    catch_up = [r.wait_for_replay(end) for r in replicas]
    wal_mb = primary.sql("SELECT pg_wal_lsn_diff(%s, %s)::float8", (end, wal_before))[0][0] / 1e6
    raw = text_mb(corpus)
    count, table_mb, gin_mb = primary.sql(
        f"SELECT count(*), pg_total_relation_size('{SCHEMA}.articles') / 1e6::float8,"
        f" (SELECT sum(pg_relation_size(indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        f"  JOIN pg_am a ON a.oid = c.relam WHERE indrelid = '{SCHEMA}.articles'::regclass AND amname = 'gin') / 1e6::float8"
        f" FROM {SCHEMA}.articles",
        database=DATABASE,
    )[0]
    rows += [
        ("ingest into primary", f"{count:,} articles, {raw:.1f} MB raw in {ingest_s:.1f} s = {raw / ingest_s:.2f} MB/s (newsgrep ingest, end to end)"),
        ("table + indexes", f"{table_mb:.0f} MB = {table_mb / raw:.1f}x raw (GIN {gin_mb:.0f} MB = {gin_mb / raw:.2f}x)"),
        ("WAL written by the ingest", f"{wal_mb:.0f} MB = {wal_mb / raw:.1f}x raw (full_page_writes on); each replica receives all of it"),
        ("replay lag during ingest", f"max {lag_seen.worst_ms:.0f} ms (pg_stat_replication.replay_lag, sampled every 0.2 s)"),
        ("replay caught up after ingest", ", ".join(f"{s * 1000:.0f} ms" for s in catch_up)),
    ]

    # A small incremental ingest, as a newsroom adds the day's articles: how soon a replica answers with them.
    fresh = Path(primary.root) / "fresh"
    fresh.mkdir()
    (fresh / "scale_out_probe.txt").write_text(" date 2025-11-20 擴充測試：這篇稿件只為量測複寫延遲而寫，台灣新聞資料庫的讀取副本。\n\n第二段。\n", encoding="utf-8")
    began = time.perf_counter()
    newsgrep("--index", url, "ingest", str(fresh))
    ingest_small = time.perf_counter() - began
    end = primary.wal_position()
    visible = [r.wait_for_replay(end) for r in replicas]
    probe = newsgrep("--index", replica_urls[0], "search", "--json", "複寫延遲")
    rows.append(("1-article ingest, then replica", (f"ingest {ingest_small:.2f} s; replayed {', '.join(f'{s * 1000:.0f} ms' for s in visible)} after it returned; "
                 f"replica search exit {probe.returncode} ({len(probe.stdout.splitlines())} hit)")))

    queries = list(WARM_QUERIES)
    on_primary = answers(url, queries)
    for n, replica_url in enumerate(replica_urls, 1):
        on_replica = answers(replica_url, queries)
        same = sum(on_primary[q] == on_replica[q] for q in queries)
        rows.append((f"replica{n} answers as primary", f"{same}/{len(queries)} bench queries: same match count and first-page ids"))
    cli_primary = newsgrep("--index", url, "search", "--json", "台灣")
    cli_replica = newsgrep("--index", replica_urls[0], "search", "--json", "台灣")
    rows.append(("CLI `search --json 台灣`", (f"primary exit {cli_primary.returncode}, replica exit {cli_replica.returncode}, "
                 f"output {'identical' if cli_primary.stdout == cli_replica.stdout else 'DIFFERENT'} ({len(cli_primary.stdout.splitlines())} lines)")))

    for processes in args.readers:
        alone = readers([url], processes, args.seconds, queries)
        spread = readers([url, *replica_urls], processes, args.seconds, queries)
        rows.append((f"{processes} readers: primary alone", f"{alone[0]:.1f} q/s, median {alone[1]:.0f} ms, p90 {alone[2]:.0f} ms"))
        rows.append((f"{processes} readers: primary + {len(replicas)} replica(s)", f"{spread[0]:.1f} q/s, median {spread[1]:.0f} ms, p90 {spread[2]:.0f} ms"))

    refused = newsgrep("--index", replica_urls[0], "ingest", str(fresh))
    shown = refused.stderr.strip().replace(replica_urls[0], "<replica>")
    rows.append(("ingest pointed at a replica", f"exit {refused.returncode}, {len(shown.splitlines())} line(s): {shown}"))


class LagSampler:
    """The worst ``replay_lag`` the primary reports while the block runs (a thread polling every 0.2 s)."""

    def __init__(self, primary: Node) -> None:
        self.primary = primary
        self.worst_ms = 0.0
        self._done = threading.Event()

    def _poll(self) -> None:
        with self.primary.connect() as conn:
            while not self._done.wait(0.2):
                (lag,) = conn.execute("SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication").fetchone()
                self.worst_ms = max(self.worst_ms, float(lag) * 1000)

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


# ---------------------------------------------------------------------------
# b. An archive split across servers: hash partitions that are postgres_fdw foreign tables.


def split_archive(primary: Node, shards: list[Node], coordinator: Node) -> None:
    """The primary's index copied into a coordinator whose ``articles`` are hash-partitioned over ``shards``.

    The shards and the coordinator get the engine's own tables (its schema
    code), then ``split_over_shards`` runs docs/scale-out.md's statements.
    Rows are copied through the coordinator, which routes each to its shard.
    """
    from newsgrep.engines.postgres_engine import _tables

    for node in (*shards, coordinator):
        node.create_database(DATABASE)
        node.sql(_tables(SCHEMA), database=DATABASE)
    split_over_shards(coordinator, shards, DATABASE, SCHEMA)
    with coordinator.connect(DATABASE) as conn:
        for statement in (
            f"CREATE SERVER single FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '{primary.root}', dbname '{DATABASE}')",
            "CREATE USER MAPPING FOR postgres SERVER single OPTIONS (user 'postgres')",
            "CREATE SCHEMA single",
            f"IMPORT FOREIGN SCHEMA {SCHEMA} FROM SERVER single INTO single",
            *(f"INSERT INTO {SCHEMA}.{table} SELECT * FROM single.{table}" for table in ("meta", "articles", "sources")),
            "DROP SCHEMA single CASCADE",
            "DROP SERVER single CASCADE",
        ):
            conn.execute(statement)
    for node in (primary, *shards, coordinator):  # GIN's pending list of a bulk load is merged into the index
        node.sql("VACUUM ANALYZE", database=DATABASE)


def ranked_sql(compiled, table: str, limit: int) -> tuple[str, list]:
    """The engine's ranked query (``rank_plan``) over ``table``, with its parameters."""
    from newsgrep.engines.postgres_query import rank_weights

    sql = (f"SELECT id, ts_rank(%s::float4[], terms, %s::tsquery) AS score, n FROM {table} "
           f"WHERE {compiled.where} ORDER BY score DESC, n LIMIT %s")
    return sql, [rank_weights(), compiled.rank, *compiled.params, limit]


def per_shard_sql(compiled, tables: list[str], limit: int) -> tuple[str, list]:
    """Top-k of each shard's table in its own subquery (each pushed down whole), merged on the coordinator."""
    parts, params = [], []
    for table in tables:
        sql, p = ranked_sql(compiled, table, limit)
        parts.append(f"({sql})")
        params += p
    return f"SELECT id, score, n FROM ({' UNION ALL '.join(parts)}) top ORDER BY score DESC, n LIMIT %s", [*params, limit]


def timed(run, rounds: int) -> tuple[float, object]:
    """(median ms over ``rounds`` runs after one warm-up, the last result)."""
    result = run()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def shard_part(args, rows: list[tuple[str, str]], primary: Node, explain_query: str) -> list[str]:
    from newsgrep.engines import open_index
    from newsgrep.engines.postgres_query import compile_plan
    from newsgrep.query import parse
    from newsgrep.search import search

    shards = [Node.primary(primary.bin, f"shard{n}") for n in range(2)]
    coordinator = Node.primary(primary.bin, "coordinator")
    try:
        split_archive(primary, shards, coordinator)
        counts = [s.sql(f"SELECT count(*) FROM {SCHEMA}.articles", database=DATABASE)[0][0] for s in shards]
        rows.append(("shards", (f"2 shards ({' + '.join(f'{c:,}' for c in counts)} articles, hash of id) + a coordinator with postgres_fdw "
                     "(async_capable); all VACUUM ANALYZEd")))
        queries = [q for q in WARM_QUERIES if not q.startswith("-")]
        single_url, coordinator_url = primary.url(DATABASE), coordinator.url(DATABASE)
        with open_index(single_url) as single, open_index(coordinator_url) as coordinated:
            same = 0
            single_ms, coordinated_ms = [], []
            for q in queries:
                ms_single, alone = timed(lambda q=q: search(single, q, limit=10), args.rounds)
                ms_coord, split = timed(lambda q=q: search(coordinated, q, limit=10), args.rounds)
                same += (alone.total, [h.id for h in alone.hits]) == (split.total, [h.id for h in split.hits])
                single_ms.append(ms_single)
                coordinated_ms.append(ms_coord)
            rows.append(("engine unchanged on coordinator", f"{same}/{len(queries)} bench queries: same match count and first-page ids as one server"))
            rows.append(("`search` (whole pipeline)", (f"one server median {statistics.median(single_ms):.0f} ms, max {max(single_ms):.0f}; "
                         f"coordinator median {statistics.median(coordinated_ms):.0f} ms, max {max(coordinated_ms):.0f}")))

            shard_tables = [f"{SCHEMA}.articles_shard{n}" for n in range(len(shards))]
            shard_conns = [s.connect(DATABASE) for s in shards]
            single_conn, coord_conn = primary.connect(DATABASE), coordinator.connect(DATABASE)
            plans = {q: single.plan(parse(q)) for q in queries}
            methods = {
                "one server": lambda q, c: single_conn.execute(*ranked_sql(c, f"{SCHEMA}.articles", TOP_K)).fetchall(),
                "coordinator, engine's SQL via postgres_fdw": lambda q, c: coord_conn.execute(*ranked_sql(c, f"{SCHEMA}.articles", TOP_K)).fetchall(),
                "coordinator, per-shard top-k in SQL": lambda q, c: coord_conn.execute(*per_shard_sql(c, shard_tables, TOP_K)).fetchall(),
                "newsgrep engine: shards' top-k merged": lambda q, c: coordinated.ranked(plans[q], TOP_K),
            }
            timings = {name: [] for name in methods}
            agree = dict.fromkeys(methods, 0)
            for q in queries:
                compiled = compile_plan(plans[q], plans[q].filters)
                if compiled.rank is None:
                    continue
                truth = None
                for name, method in methods.items():
                    ms, found = timed(lambda m=method, q=q, c=compiled: m(q, c), args.rounds)
                    ids = [r[0] for r in found]
                    truth = ids if truth is None else truth
                    agree[name] += ids == truth
                    timings[name].append(ms)
            ranked_queries = len(timings["one server"])
            for name, ms in timings.items():
                rows.append((f"top-{TOP_K} ranked: {name}", (f"median {statistics.median(ms):.1f} ms, sum over {ranked_queries} queries "
                             f"{sum(ms):.0f} ms; same ids as one server {agree[name]}/{ranked_queries}")))

            compiled = compile_plan(single.plan(parse(explain_query)), single.plan(parse(explain_query)).filters)
            excerpts = []
            for title, conn, (sql, params) in (
                ("engine's ranked query on the coordinator", coord_conn, ranked_sql(compiled, f"{SCHEMA}.articles", TOP_K)),
                ("per-shard top-k subqueries on the coordinator", coord_conn, per_shard_sql(compiled, shard_tables, TOP_K)),
                ("the same query run by the client on shard0", shard_conns[0], ranked_sql(compiled, f"{SCHEMA}.articles", TOP_K)),
            ):
                plan = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, VERBOSE) " + sql, params).fetchall()]
                excerpts.append(f"-- {title}, query {explain_query!r}:")
                excerpts += [plan_line(line) for line in plan if is_telling(line)]
            for conn in (*shard_conns, single_conn, coord_conn):
                conn.close()
        return excerpts
    finally:
        for node in (*shards, coordinator):
            node.stop()


def is_telling(line: str) -> bool:
    """A plan line that shows where work happens: plan nodes, remote SQL, timings."""
    text = line.strip()
    return text.startswith(("->", "Limit", "Sort", "Append", "Merge", "Remote SQL", "Planning Time", "Execution Time")) and not text.startswith("Sort Method")


def plan_line(line: str, width: int = 200) -> str:
    """A plan line cut to ``width``; remote SQL keeps what it fetches and whether it sorts and limits on the shard."""
    line = re.sub(r"'(?:[^']|'')*'::tsquery", "'…'::tsquery", line)
    if "Remote SQL" in line and " WHERE " in line:
        head, _, where = line.partition(" WHERE ")
        tail = where[where.find(" ORDER BY ") :] if " ORDER BY " in where else ""
        line = f"{head} WHERE …{tail}"
    return line if len(line) <= width else line[: width - 1] + "…"


# ---------------------------------------------------------------------------


def corpus_for(args) -> tuple[Path, str]:
    if args.size:
        folder, manifest = ensure_corpus(args.size, log=log)
        return folder, f"{args.size:,} synthetic articles (bench/synth_corpus.py, seed {manifest['seed']})"
    shared = find_shared_data("corpora")
    if shared is None:
        raise SystemExit("no shared corpora (../shared/data/corpora or $NEWSGREP_SHARED): give --size N for a synthetic corpus")
    return shared / "corpora", f"the shared corpora ({shared / 'corpora'}: tw-news-2025, pts-2025, appledaily-charity-2008-2013)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=0, help="synthetic articles instead of the shared corpora")
    parser.add_argument("--replicas", type=int, default=1, choices=(1, 2))
    parser.add_argument("--readers", type=int, nargs="+", default=[4, 8], help="reader processes per run (default 4 8)")
    parser.add_argument("--seconds", type=float, default=15, help="how long each reader run lasts")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per query in the shard part (median)")
    parser.add_argument("--explain", default="台灣", help="the query whose plans are shown")
    parser.add_argument("--skip", choices=("replicas", "shards"), help="leave one part out")
    args = parser.parse_args()
    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL's binaries are not installed (/usr/lib/postgresql/<version>/bin): apt-get install postgresql")
    corpus, described = corpus_for(args)
    rows: list[tuple[str, str]] = [("corpus", described)]
    excerpts: list[str] = []
    primary = Node.primary(bin_dir)
    try:
        primary.create_database(DATABASE)
        if args.skip == "replicas":
            began = time.perf_counter()
            newsgrep("--index", primary.url(DATABASE), "ingest", str(corpus))
            rows.append(("ingest into one server", f"{time.perf_counter() - began:.1f} s"))
        else:
            log("a. read replicas")
            replica_part(corpus, args, rows, primary)
        if args.skip != "shards":
            log("b. shards")
            excerpts = shard_part(args, rows, primary, args.explain)
    finally:
        primary.stop()
    width = max(len(name) for name, _ in rows)
    print(f"newsgrep scale-out bench ({' '.join(sys.argv[1:]) or 'defaults'}); {multiprocessing.cpu_count()} cores shared by every server and client")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if excerpts:
        print("\nEXPLAIN (ANALYZE, VERBOSE) excerpts:")
        print("\n".join(excerpts))


if __name__ == "__main__":
    main()
