"""An archive split over shards: each shard matches and ranks its own part, newsgrep merges their answers.

The split itself is PostgreSQL's (docs/scale-out.md): on a coordinator,
``newsgrep.articles`` is a table partitioned by hash of ``id`` whose
partitions are ``postgres_fdw`` foreign tables on the shards. Everything but
ranking runs on the coordinator unchanged. Ranking does not: ``postgres_fdw``
ships every matching row's tsvector to the coordinator and computes
``ts_rank`` there (it never pushes a scan's target list down), so a broad
query costs the coordinator the whole archive. Instead the engine connects to
each shard directly, with the address and user mapping the coordinator's
foreign server holds, runs the same ranked query there with ``LIMIT k``, and
keeps the best k of all. ``ts_rank`` uses no collection statistics, so a
shard's score is the score the whole archive would give, and the merge is exact.
Matching rows are asked of the shards the same way and put back in storage
order. Everything else (writes, records by id, counts) goes through the
coordinator unchanged.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# postgres_fdw's own options of a foreign server or user mapping, which are not libpq connection keywords.
FDW_OPTIONS = {
    "use_remote_estimate", "updatable", "truncatable", "fetch_size", "batch_size", "async_capable", "extensions",
    "keep_connections", "parallel_commit", "analyze_sampling", "password_required", "fdw_startup_cost",
    "fdw_tuple_cost",
}  # fmt: skip

_PARTITIONS = """
    SELECT c.relname, s.srvname, s.srvoptions, ft.ftoptions,
           (SELECT um.umoptions FROM pg_user_mappings um
             WHERE um.srvid = s.oid AND um.usename IN (current_user, 'public')
             ORDER BY um.usename = 'public' LIMIT 1)
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
      LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver
     WHERE i.inhparent = to_regclass(%s)
     ORDER BY c.relname
"""


@dataclass(frozen=True)
class Shard:
    """One foreign partition: its server's name, the table it names there, and how to reach that server."""

    name: str
    table: str
    conninfo: str
    shown: str


def _options(pairs: Sequence[str] | None) -> dict[str, str]:
    return dict(p.split("=", 1) for p in pairs or ())


def shards_of(conn, schema: str) -> list[Shard]:
    """The foreign partitions of ``schema.articles`` on the coordinator ``conn``.

    [] for a plain table, and also when some partition is not a foreign table
    (its rows live on the coordinator): such a layout is read through the
    coordinator as a whole.
    """
    from psycopg.conninfo import make_conninfo

    partitions = conn.execute(_PARTITIONS, (f"{schema}.articles",)).fetchall()
    if any(server is None for _, server, *_ in partitions):
        return []
    found = []
    for partition, server, server_options, table_options, mapping_options in partitions:
        address = {k: v for k, v in _options(server_options).items() if k not in FDW_OPTIONS}
        mapping = _options(mapping_options)
        address["user"] = mapping.get("user") or conn.info.user
        if mapping.get("password"):
            address["password"] = mapping["password"]
        remote = _options(table_options)
        table = f"{_quoted(remote.get('schema_name', schema))}.{_quoted(remote.get('table_name', partition))}"
        where = f"{address.get('host', 'localhost')}{':' + address['port'] if 'port' in address else ''}/{address.get('dbname', '')}"
        found.append(Shard(server, table, make_conninfo(**address), f"shard {server} ({where})"))
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class ShardSet:
    """Direct connections to every shard, opened on first use, asked in parallel."""

    def __init__(self, shards: list[Shard], *, connect: Callable[[Shard], object], query: Callable[..., list[tuple]]) -> None:
        self.shards = shards
        self._connect = connect
        self._query = query
        self._conns: list | None = None
        self._pool: ThreadPoolExecutor | None = None

    def ask(self, sql_for: Callable[[str], tuple[str, list]]) -> list[tuple]:
        """The rows of ``sql_for(table)`` on every shard (``table`` its part of the articles), all shards' rows together."""
        if self._conns is None:
            self._pool = ThreadPoolExecutor(len(self.shards), thread_name_prefix="newsgrep-shard")
            self._conns = list(self._pool.map(self._connect, self.shards))

        def one(pair):
            shard, conn = pair
            return self._query(conn, *sql_for(shard.table), shard)

        return [row for rows in self._pool.map(one, zip(self.shards, self._conns)) for row in rows]

    def close(self) -> None:
        for conn in self._conns or ():
            conn.close()
        if self._pool is not None:
            self._pool.shutdown()
        self._conns = self._pool = None


def best(rows: list[tuple], limit: int | None) -> list[tuple]:
    """Rows (id, score, n, …) best first, as one server orders them: score descending, then storage order."""
    return sorted(rows, key=_order) if limit is None else heapq.nsmallest(limit, rows, key=_order)


def _order(row: tuple) -> tuple:
    return (-row[1], row[2])


def best_per_story(rows: list[tuple], limit: int) -> list[tuple]:
    """Rows (id, score, n, story) reduced to each story's best, best first (each shard sent its own best per story)."""
    kept: dict[str, tuple] = {}
    for row in best(rows, None):
        kept.setdefault(row[3], row)
    return list(kept.values())[:limit]
