"""Many readers on streaming replicas (docs/scale-out.md): ingest into the primary, search a replica.

A real primary and a hot standby made with ``pg_basebackup -R``
(``pg_cluster``), driven by newsgrep's command line as a user types it. Slow:
two servers start and stop (run with ``pytest --slow``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pg_cluster import Node, binaries

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(binaries() is None, reason="PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"),
]

DATABASE = "news"


@pytest.fixture(scope="module")
def servers():
    """(primary, replica): the replica has replayed the creation of the empty database ``news``."""
    primary = Node.primary(binaries())
    try:
        primary.create_database(DATABASE)
        replica = Node.replica_of(primary)
    except BaseException:
        primary.stop()
        raise
    yield primary, replica
    replica.stop()
    primary.stop()


@pytest.fixture
def newsgrep(tmp_path, dictionary_folder):
    """Run the ``newsgrep`` command as a user types it, in its own process (an unexpected error shows as it would);
    the engine finds the session's dictionary in its cache folder."""
    cache = tmp_path / "cache"
    (cache / "newsgrep").mkdir(parents=True)
    (cache / "newsgrep" / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return lambda *args: subprocess.run([sys.executable, "-m", "newsgrep", *args], capture_output=True, text=True, env=env, check=False)


def test_a_replica_finds_what_the_primary_ingested(servers, corpus, newsgrep):
    primary, replica = servers

    ingested = newsgrep("--index", primary.url(DATABASE), "ingest", str(corpus))
    assert ingested.returncode == 0, ingested.stderr
    assert "4 added" in ingested.stderr
    replica.wait_for_replay(primary.wal_position())

    on_replica = newsgrep("--index", replica.url(DATABASE), "search", "--json", "台灣")
    on_primary = newsgrep("--index", primary.url(DATABASE), "search", "--json", "台灣")
    assert on_replica.returncode == 0, on_replica.stderr
    hits = [json.loads(line) for line in on_replica.stdout.splitlines()]
    # 台灣 in the seed and the APEC story, 台湾 (Simplified) in the chip story; not the typhoon in 台中.
    assert sorted(hit["id"] for hit in hits) == ["000_483c8889d9bd71fa", "101_chip_simplified", "103_apec"]
    assert on_replica.stdout == on_primary.stdout

    nothing = newsgrep("--index", replica.url(DATABASE), "search", "颱風 軍售")
    assert (nothing.returncode, nothing.stdout) == (1, "")


def test_an_ingest_pointed_at_a_replica_fails_in_one_line_naming_the_replica(servers, corpus, newsgrep):
    replica = servers[1]

    refused = newsgrep("--index", replica.url(DATABASE), "ingest", str(corpus))

    assert refused.returncode == 2
    assert refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1
    assert "is a read-only replica (a hot standby): search it, but ingest into its primary" in refused.stderr
