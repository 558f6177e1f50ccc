"""Several throwaway PostgreSQL servers on one machine: a primary, its streaming replicas, shards.

For ``tests/test_scale_out.py`` and ``bench/scale_out.py``: what
``docs/scale-out.md`` tells a user to set up, started from Debian's binaries
(``/usr/lib/postgresql/<version>/bin``). Each server lives in its own
temporary folder (data, log, and the unix socket: no TCP port is opened).
``initdb`` refuses to run as root, so as root every server program runs as the
unprivileged ``postgres`` user (``runuser``). ``fsync=off``: a power cut may
lose what these servers hold, which is nothing worth keeping; it makes the
write figures of a bench better than a real server's. (``pg_server.Server`` is
the tests' one session server; a ``Node`` can also be a replica of another.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from pg_server import binaries, run_program

__all__ = ["Node", "binaries", "split_over_shards"]

SETTINGS = {
    "fsync": "off",
    "listen_addresses": "''",
    "max_connections": "40",
}


class Node:
    """One running server in its own folder; ``primary()`` or ``replica_of()`` starts one, ``stop()`` removes it."""

    def __init__(self, bin_dir: Path, name: str) -> None:
        self.bin = bin_dir
        self.name = name
        self.root = Path(tempfile.mkdtemp(prefix=f"ng-{name}-"))  # short: a socket path has ~100 bytes
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    @classmethod
    def primary(cls, bin_dir: Path, name: str = "primary", **settings: str) -> Node:
        """A new cluster (one database ``postgres``, trust authentication over the socket), started."""
        node = cls(bin_dir, name)
        node.run("initdb", "-D", node.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        node.start(**settings)
        return node

    @classmethod
    def replica_of(cls, primary: Node, name: str = "replica", **settings: str) -> Node:
        """A hot standby streaming from ``primary``: ``pg_basebackup -R`` copies it and writes the replication settings."""
        node = cls(primary.bin, name)
        node.run("pg_basebackup", "-D", node.data, "-R", "-X", "stream", "-c", "fast", "-h", primary.root, "-U", "postgres")
        node.start(hot_standby="on", **settings)
        return node

    def run(self, program: str, *args) -> str:
        """Run one of the server's programs (as ``postgres`` when we are root); its output, or RuntimeError."""
        return run_program(self.bin, program, *args, cwd=self.root, label=f"{self.name}: ")

    def start(self, **settings: str) -> None:
        options = {**SETTINGS, "unix_socket_directories": str(self.root), **settings}
        line = " ".join(f"-c {key}={value}" for key, value in options.items())
        self.run("pg_ctl", "-D", self.data, "-o", line, "-l", self.root / "log", "-w", "-t", "60", "start")

    def url(self, database: str = "postgres") -> str:
        """The address newsgrep's ``--index`` takes for ``database`` on this server."""
        return f"postgresql://postgres@/{database}?host={self.root}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host=str(self.root), user="postgres", dbname=database, autocommit=True)

    def sql(self, text: str, params=(), database: str = "postgres") -> list[tuple]:
        """Run ``text`` in its own connection; the rows it returns (none for a command)."""
        with self.connect(database) as conn:
            cursor = conn.execute(text, params)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def version(self) -> str:
        return self.sql("SHOW server_version")[0][0].split()[0]

    def wal_position(self) -> str:
        """Where this primary's WAL ends now (an LSN)."""
        return self.sql("SELECT pg_current_wal_lsn()::text")[0][0]

    def wait_for_replay(self, lsn: str, timeout: float = 60.0) -> float:
        """Seconds until this replica has replayed the WAL up to ``lsn`` (TimeoutError after ``timeout``)."""
        started = time.perf_counter()
        with self.connect() as conn:
            while True:
                (done,) = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()
                if done:
                    return time.perf_counter() - started
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"{self.name} did not replay up to {lsn} in {timeout:.0f} s")
                time.sleep(0.002)

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def split_over_shards(coordinator: Node, shards: list[Node], database: str, schema: str = "newsgrep") -> None:
    """Turn ``coordinator``'s ``articles`` into hash partitions that are foreign tables on ``shards``.

    The statements of docs/scale-out.md, as a user runs them once newsgrep
    has made its tables in every database (an ingest of an empty folder):
    database ``database`` on each shard server holds that shard's part. The
    servers' superuser is mapped to itself, so no password is needed.
    """
    statements = ["CREATE EXTENSION IF NOT EXISTS postgres_fdw"]
    for n, shard in enumerate(shards):
        statements += [
            (f"CREATE SERVER shard{n} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '{shard.root}', dbname '{database}', "
             "async_capable 'true', fetch_size '1000')"),
            f"CREATE USER MAPPING FOR postgres SERVER shard{n} OPTIONS (user 'postgres')",
        ]
    statements += [
        f"ALTER TABLE {schema}.articles RENAME TO articles_layout",
        f"CREATE TABLE {schema}.articles (LIKE {schema}.articles_layout INCLUDING DEFAULTS) PARTITION BY HASH (id)",
        *(
            f"CREATE FOREIGN TABLE {schema}.articles_shard{n} PARTITION OF {schema}.articles "
            f"FOR VALUES WITH (MODULUS {len(shards)}, REMAINDER {n}) SERVER shard{n} OPTIONS (schema_name '{schema}', table_name 'articles')"
            for n in range(len(shards))
        ),
    ]
    with coordinator.connect(database) as conn:
        for statement in statements:
            conn.execute(statement)
