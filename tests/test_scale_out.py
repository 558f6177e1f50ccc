"""Beyond one server (docs/scale-out.md): readers on a streaming replica, an archive split over shards.

Real servers (``pg_cluster``): a primary and a hot standby made with
``pg_basebackup -R``; a coordinator whose articles are ``postgres_fdw``
partitions on two shard servers. Driven by newsgrep's command line as a user
types it. Slow: servers start and stop (run with ``pytest --slow``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from corpusgen import write_corpus
from pg_cluster import Node, binaries, split_over_shards

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


def runner(folder, dictionary_folder):
    """Run the ``newsgrep`` command as a user types it, in its own process (an unexpected error shows as it would);
    the engine finds the session's dictionary in its cache folder (under ``folder``)."""
    cache = folder / "cache"
    (cache / "newsgrep").mkdir(parents=True)
    (cache / "newsgrep" / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return lambda *args: subprocess.run([sys.executable, "-m", "newsgrep", *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def newsgrep(tmp_path, dictionary_folder):
    return runner(tmp_path, dictionary_folder)


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


# -- an archive split over shards ------------------------------------------------


@pytest.fixture(scope="module")
def sharded(tmp_path_factory, dictionary_folder):
    """(coordinator, shards, single): a coordinator whose articles are partitions on two shard servers, and a
    database ``single`` on the coordinator's server; the same 44 articles ingested into both, through newsgrep."""
    newsgrep = runner(tmp_path_factory.mktemp("sharded"), dictionary_folder)
    corpus = write_corpus(tmp_path_factory.mktemp("articles"), 44)
    empty = tmp_path_factory.mktemp("empty")
    nodes = []
    try:
        for name in ("coordinator", "shard0", "shard1"):
            nodes.append(Node.primary(binaries(), name))
            nodes[-1].create_database(DATABASE)
        coordinator, shards = nodes[0], nodes[1:]
        # As docs/scale-out.md tells a user: newsgrep makes its tables in every database, then the coordinator's
        # articles become partitions on the shards, and everything goes through the coordinator's address.
        for node in nodes:
            made = newsgrep("--index", node.url(DATABASE), "ingest", str(empty))
            assert made.returncode == 1, made.stderr
        split_over_shards(coordinator, shards, DATABASE)
        single = coordinator.create_database("single")
        for index in (coordinator.url(DATABASE), single):
            ingested = newsgrep("--index", index, "ingest", str(corpus))
            assert ingested.returncode == 0, ingested.stderr
            assert "44 added" in ingested.stderr
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    yield coordinator, shards, single
    for node in nodes:
        node.stop()


def held(shards) -> list[int]:
    return [shard.sql("SELECT count(*) FROM newsgrep.articles", database=DATABASE)[0][0] for shard in shards]


def ranked_ids(lines: str) -> list[tuple[str, float]]:
    return [(hit["id"], round(hit["score"], 5)) for hit in map(json.loads, lines.splitlines())]


def test_an_archive_split_over_shards_answers_as_one_server_and_each_shard_ranks_its_part(sharded, newsgrep, tmp_path):
    coordinator, shards, single = sharded
    split = coordinator.url(DATABASE)
    assert sum(held(shards)) == 44 and min(held(shards)) > 0, held(shards)

    for query in ("台北", "行政院 預算", '"環狀線北段"', "颱風 OR 地震", "title:台北", "台湾 -颱風", "报导"):
        on_shards = newsgrep("--index", split, "search", "--json", "--limit", "20", query)
        alone = newsgrep("--index", single, "search", "--json", "--limit", "20", query)
        assert on_shards.returncode == alone.returncode == 0, (query, on_shards.stderr)
        assert ranked_ids(on_shards.stdout) == ranked_ids(alone.stdout), query
    first = json.loads(newsgrep("--index", single, "list", "--json").stdout.splitlines()[0])["id"]
    for command in (["list", "--json"], ["show", first], ["show", "--related", first], ["search", "-c", "台北"]):
        on_shards, alone = newsgrep("--index", split, *command), newsgrep("--index", single, *command)
        assert on_shards.returncode == 0, on_shards.stderr
        assert (on_shards.returncode, on_shards.stdout) == (alone.returncode, alone.stdout), command

    from newsgrep.engines import open_index
    from newsgrep.query import parse

    with open_index(split) as on_shards, open_index(single) as alone:
        assert [shard.name for shard in on_shards.shards.shards] == ["shard0", "shard1"]
        assert alone.shards is None
        assert on_shards.ranked(parse("行政院"), 5) == alone.ranked(parse("行政院"), 5)

    refused = newsgrep("--index", split, "ingest", "--rebuild", str(tmp_path))
    assert refused.returncode == 2
    assert len(refused.stderr.splitlines()) == 1
    assert "is split over shards" in refused.stderr
    assert sum(held(shards)) == 44


def test_a_shard_that_is_down_is_one_line_and_exit_2(sharded, newsgrep):
    coordinator, shards, _ = sharded
    shards[1].run("pg_ctl", "-D", shards[1].data, "-m", "fast", "stop")
    try:
        failed = newsgrep("--index", coordinator.url(DATABASE), "search", "台北")
    finally:
        shards[1].start()
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("newsgrep: cannot connect to the PostgreSQL server at shard shard1 (")
    assert len(failed.stderr.splitlines()) == 1, failed.stderr
