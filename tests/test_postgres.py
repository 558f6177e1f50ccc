"""The PostgreSQL engine as a user meets it: ``--index postgresql://…`` on a throwaway server (``pg_server``).

Real Traditional and Simplified articles in, the commands' output checked;
and what only a server has: a writer's advisory lock, a rebuild swapped in one
transaction, connection failures as one line.
"""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app

SEED_ID = "000_483c8889d9bd71fa"
ALL = {SEED_ID, "101_chip_simplified", "102_typhoon", "103_apec"}


@pytest.fixture
def pg(pg_url):
    """Run newsgrep against the test's database; returns the Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["--index", pg_url, *args], input=input, env={"NEWSGREP_INDEX": None})

    return invoke


@pytest.fixture
def ingested(pg, corpus):
    result = pg("ingest", str(corpus))
    assert result.exit_code == 0, result.output
    return corpus


def ids_of(output: str) -> list[str]:
    return [json.loads(line)["id"] for line in output.splitlines() if line.strip()]


def test_ingest_then_search_in_both_scripts(pg, corpus, pg_url):
    result = pg("ingest", str(corpus))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("4 added, 0 updated, 0 unchanged, 0 removed, 0 failed (4 files)")
    assert "postgresql://postgres@/" in result.output
    for query in ("台灣 軍售", "台湾 军售", "ＡＰＥＣ", "apec"):
        found = pg("search", query, "--json")
        assert found.exit_code == 0, found.output
        assert set(ids_of(found.output)) == {SEED_ID, "103_apec"}
    simplified = pg("search", "賴清德 半導體", "--json")
    assert ids_of(simplified.output) == ["101_chip_simplified"]


def test_phrases_fields_or_not_and_dates(pg, ingested):
    def ids(*args):
        result = pg("search", *args, "--json")
        assert result.exit_code in (0, 1), result.output
        return set(ids_of(result.output)) if result.exit_code == 0 else set()

    assert ids('"對台軍售"') == {SEED_ID, "103_apec"}
    assert ids('"台軍"') == {SEED_ID, "103_apec"}  # across a word boundary: ideographs in a row
    assert ids('"軍售台"') == set()
    assert ids("颱風 OR 半導體") == {"102_typhoon", "101_chip_simplified"}
    assert ids("台灣 -軍售") == {"101_chip_simplified"}
    assert ids("title:颱風") == {"102_typhoon"}
    assert ids("台灣", "--since", "2025-01-01", "--until", "2025-12-31") == {"101_chip_simplified"}


def test_titles_rank_above_bodies_and_highlights_come_back(pg, ingested):
    result = pg("search", "颱風", "--json")
    hit = json.loads(result.output.splitlines()[0])
    assert hit["id"] == "102_typhoon" and hit["score"] > 0
    assert {hit["snippet"][a:b] for a, b in hit["highlights"]} == {"颱風"}


def test_no_hits_exit_1_and_a_bad_query_exit_2(pg, ingested):
    nothing = pg("search", "不存在的詞")
    assert nothing.exit_code == 1
    assert "0 articles" in nothing.output
    bad = pg("search", '""')
    assert bad.exit_code == 2


def test_show_by_prefix_list_and_related(pg, ingested):
    shown = pg("show", "102")
    assert shown.exit_code == 0, shown.output
    assert "強烈颱風今晨登陸台中市" in shown.output
    ambiguous = pg("show", "10")
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.output
    listed = pg("list", "--json")
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == [
        SEED_ID, "101_chip_simplified", "102_typhoon", "103_apec",
    ]  # newest first
    related = pg("show", "--related", "103_apec", "--json")
    assert related.exit_code == 0, related.output
    assert "103_apec" not in ids_of(related.output) and SEED_ID in ids_of(related.output)


def test_analyze_uses_the_index_dictionary(pg, ingested):
    result = pg("analyze", input="台灣軍售案\n")
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["台灣", "軍售案"]


def test_rerun_is_unchanged_edits_update_and_prune_removes(pg, corpus):
    assert pg("ingest", str(corpus)).exit_code == 0
    again = pg("ingest", str(corpus))
    assert "0 added, 0 updated, 4 unchanged" in again.output
    typhoon = corpus / "102_typhoon.txt"
    typhoon.write_text(typhoon.read_text(encoding="utf-8").replace("颱風", "颶風"), encoding="utf-8")
    edited = pg("ingest", str(corpus))
    assert "0 added, 1 updated, 3 unchanged" in edited.output
    assert set(ids_of(pg("search", "颶風", "--json").output)) == {"102_typhoon"}
    (corpus / "103_apec.txt").unlink()
    kept = pg("ingest", str(corpus))
    assert "0 removed" in kept.output and "103_apec" in ids_of(pg("search", "APEC", "--json").output)
    pruned = pg("ingest", "--prune", str(corpus))
    assert "1 removed" in pruned.output
    assert "103_apec" not in ids_of(pg("search", "APEC", "--json").output)


def test_rebuild_swaps_in_a_new_table_set(pg, corpus, tmp_path, pg_url):
    from newsgrep.engines import open_index

    assert pg("ingest", str(corpus)).exit_code == 0
    reader = open_index(pg_url)  # opened before the rebuild, reading after it
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    shutil.copy(corpus / "102_typhoon.txt", smaller)
    rebuilt = pg("ingest", "--rebuild", str(smaller))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 added" in rebuilt.output
    assert reader.doc_count() == 1
    assert [r.id for r in reader.matching(None)] == ["102_typhoon"]
    schemas = reader.conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'newsgrep%'").fetchall()
    assert schemas == [("newsgrep",)]


def test_a_second_writer_is_told_who_holds_the_lock(pg, corpus, pg_url):
    import os

    from newsgrep.engines.postgres_engine import PostgresEngine

    holding, release = threading.Event(), threading.Event()

    def hold():
        with PostgresEngine.write_lock(pg_url):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        busy = pg("ingest", str(corpus))
        assert busy.exit_code == 2
        assert busy.output.strip() == f"newsgrep: index is being written by another process (pid {os.getpid()})"
        readable = pg("search", "颱風")  # readers are never blocked (there is no index yet: exit 2, not a hang)
        assert "no index at" in readable.output
    finally:
        release.set()
        holder.join()
    waited = pg("ingest", "--wait", "5", str(corpus))
    assert waited.exit_code == 0, waited.output


def test_an_index_of_another_schema_version_asks_for_a_rebuild(pg, ingested, pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE newsgrep.meta SET value = '0' WHERE key = 'schema_version'")
    result = pg("search", "颱風")
    assert result.exit_code == 2
    line = result.output.strip()
    assert "built by another newsgrep (schema 0" in line and line.endswith("rebuild it with: newsgrep ingest --rebuild DIR")
    assert pg("ingest", str(ingested)).exit_code == 2
    assert pg("ingest", "--rebuild", str(ingested)).exit_code == 0
    assert pg("search", "颱風").exit_code == 0


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("postgresql://postgres@/no_such_db?host={socket}", "no database no_such_db on the PostgreSQL server at"),
        ("postgresql://postgres@/x?host={socket}/nowhere", "connection refused (is the server running there?)"),
        ("postgresql://postgres@/x?sslmode=sometimes&host={socket}", "bad PostgreSQL address"),
        ("postgresql://nobody@/postgres?host={socket}", "has no user nobody"),
    ],
)
def test_unreachable_servers_are_one_line_exit_2(pg_server, address, message):
    location = address.format(socket=pg_server.socket)
    result = CliRunner().invoke(app, ["--index", location, "search", "颱風"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output and "Traceback" not in result.output


def test_a_wrong_password_is_one_line(pg_server):
    import psycopg

    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("CREATE ROLE reporter LOGIN PASSWORD 'right'")
    pg_server.require_password("reporter")
    address = f"postgresql://reporter:wrong@/postgres?host={pg_server.socket}"
    result = CliRunner().invoke(app, ["--index", address, "list"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"newsgrep: the PostgreSQL server at postgresql://reporter@/postgres?host={pg_server.socket} "
        "refused the password of user reporter"
    )


def test_a_long_article_matches_phrases_past_the_tsvector_limits(pg_url, tmp_path):
    """Positions stop at 16,383 and 256 per lexeme: a phrase near the end of a long article is still found."""
    from newsgrep.engines import open_index
    from newsgrep.ingest import ingest_paths
    from newsgrep.query import parse

    folder = tmp_path / "long"
    folder.mkdir()
    paragraph = "立法院今天三讀通過預算案，行政院表示將依法執行。"
    text = " date 2025-03-01 " + "\n\n".join([paragraph] * 1500) + "\n\n最後一段提到澎湖跨海大橋的修繕工程。\n"
    (folder / "long.txt").write_text(text, encoding="utf-8")
    (folder / "short.txt").write_text(" date 2025-03-02 澎湖跨海大橋的修繕工程今天開始。\n", encoding="utf-8")
    ingest_paths([folder], pg_url)
    engine = open_index(pg_url)
    approx = dict(engine.conn.execute("SELECT id, approx FROM newsgrep.articles").fetchall())
    assert approx == {"long": True, "short": False}
    expected = {
        '"跨海大橋的修繕"': {"long", "short"},
        "澎湖跨海大橋": {"long", "short"},
        "title:立法院 修繕": {"long"},
        "預算案 -澎湖": set(),
        '"預算案澎湖"': set(),
    }
    for query, ids in expected.items():
        assert {r.id for r in engine.matching(parse(query))} == ids, query
    assert {r.id for r in engine.matching(parse('"大橋的修繕" -"院今天三讀"'))} == {"short"}


def test_a_writer_that_dies_leaves_the_last_commit(pg_url, corpus):
    """Each writer block is one transaction: what an interrupted block wrote is gone, earlier commits stay."""
    from newsgrep.engines.postgres_engine import PostgresEngine
    from newsgrep.readers import read_file

    def articles(name):
        path = corpus / name
        return read_file(path, path.read_bytes(), source_path=name).articles

    with PostgresEngine.write_lock(pg_url):
        engine = PostgresEngine.open_for_writing(pg_url, ())
        with engine.writer() as writer:
            for article in articles("102_typhoon.txt"):
                writer.add(article, "sig")
        with pytest.raises(KeyboardInterrupt), engine.writer() as writer:
            for article in articles("103_apec.txt"):
                writer.add(article, "sig")
            writer.flush()  # sent to the server, not committed
            raise KeyboardInterrupt
    assert [r.id for r in PostgresEngine.open(pg_url).matching(None)] == ["102_typhoon"]


def test_shards_are_read_from_the_coordinators_catalog_and_only_when_every_partition_is_foreign(pg_url):
    """The catalog reading behind per-shard ranking (the servers themselves: ``tests/test_scale_out.py``)."""
    import psycopg

    from newsgrep.engines.postgres_shards import shards_of

    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in (
            "CREATE EXTENSION IF NOT EXISTS postgres_fdw",
            "CREATE SERVER far FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example', port '6543', dbname 'news', fetch_size '500')",
            "CREATE USER MAPPING FOR current_user SERVER far OPTIONS (user 'reader', password 'sécret')",
            "CREATE SCHEMA split",
            "CREATE TABLE split.articles (id text, n bigint) PARTITION BY HASH (id)",
            "CREATE FOREIGN TABLE split.articles_0 PARTITION OF split.articles FOR VALUES WITH (MODULUS 2, REMAINDER 0) "
            "SERVER far OPTIONS (schema_name 'newsgrep', table_name 'articles')",
            "CREATE FOREIGN TABLE split.articles_1 PARTITION OF split.articles FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER far",
            "CREATE SCHEMA mixed",
            "CREATE TABLE mixed.articles (id text, n bigint) PARTITION BY HASH (id)",
            "CREATE FOREIGN TABLE mixed.articles_0 PARTITION OF mixed.articles FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER far",
            "CREATE TABLE mixed.articles_1 PARTITION OF mixed.articles FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
            "CREATE SCHEMA plain",
            "CREATE TABLE plain.articles (id text, n bigint)",
        ):
            conn.execute(statement)

        shards = shards_of(conn, "split")
        assert [(s.name, s.table) for s in shards] == [("far", '"newsgrep"."articles"'), ("far", '"split"."articles_1"')]
        address = psycopg.conninfo.conninfo_to_dict(shards[0].conninfo)
        assert address == {"host": "db.example", "port": "6543", "dbname": "news", "user": "reader", "password": "sécret"}
        assert shards[0].shown == "shard far (db.example:6543/news)"  # no password in messages
        assert shards_of(conn, "mixed") == []  # a local partition: read through the coordinator as a whole
        assert shards_of(conn, "plain") == []
