"""The PostgreSQL engine: one schema in a database a user names by a ``postgresql://`` address.

Layout (schema ``newsgrep``): ``meta`` (versions, dictionary fingerprint and
user words), ``articles`` (one row per article: the record as the Whoosh
engine stores it, the columns counting reads, and one ``terms`` tsvector built
from newsgrep's own analysis, never ``to_tsvector``: see ``postgres_query``),
``sources`` (files whose articles all merged into others). An article's story
keys are an array in its row, under a GIN index: as a table of (key, id)
rows they took a fifth of the database (19 of 96 MB at 3,098 articles; 88 MB now).
A ``--rebuild`` fills the schema ``newsgrep_rebuild`` and ``publish`` swaps
it in with one transaction; readers see the old index or the new one.

One writer at a time: a session advisory lock, whose holder is found through
``pg_locks`` and named by the pid in its ``application_name``. Every writer
block is one transaction, so a killed ingest loses nothing committed. Reading
connections run in autocommit: a reader holds no snapshot between commands
and never blocks a writer.

The merged dictionary is built on this machine (``dictionary.cache_folder``)
from the user words stored in ``meta``; its fingerprint must be the stored one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from newsgrep.engines.base import Engine, Inventory, Row, StoredFile, Writer
from newsgrep.engines.postgres_shards import ShardSet, best, best_per_story
from newsgrep.errors import (
    IndexBusy,
    IndexMissing,
    IndexOutdated,
    IndexUnreachable,
    IndexUnwritable,
    UnknownArticle,
)

if TYPE_CHECKING:
    from newsgrep.dictionary import MergedDictionary
    from newsgrep.query import Filters
    from newsgrep.query_plan import Plan
    from newsgrep.record import Article
    from newsgrep.stories import Candidate
    from newsgrep.story_grouping import Placement

SCHEMES = ("postgresql://", "postgres://")
# Bump when the tables or what their columns hold change; older schemas must be rebuilt.
SCHEMA_VERSION = 2
CURRENT, REBUILT = "newsgrep", "newsgrep_rebuild"
# The advisory lock key of "one writer per database" (any fixed 64-bit number; this one spells "newsgrep").
LOCK_KEY = int.from_bytes(b"newsgrep", "big") & 0x7FFF_FFFF_FFFF_FFFF
POLL_SECONDS = 0.2
# tsvector limits (PostgreSQL's MAXENTRYPOS, MAXNUMPOS, MAXSTRPOS, MAXSTRLEN), kept under with a margin.
MAX_POSITION = 16_383
MAX_POSITIONS_PER_LEXEME = 256
MAX_TSVECTOR_BYTES = 1_000_000
MAX_LEXEME_BYTES = 2_046
FLUSH_ROWS = 500
ROW_COLUMNS = 'id, day, "when", story, outlet_name, author_name, category, tags'
ARTICLE_COLUMNS = (
    "id", "path", "source_sig", "day", "when", "terms", "approx", "folded_title", "folded_body", "source", "author",
    "outlet_name", "author_name", "category", "tags", "story", "signature", "content_hash", "text_hash", "record",
    "story_keys",
)


def is_postgres(location: str | os.PathLike) -> bool:
    """Whether ``location`` names a PostgreSQL index (a ``postgresql://`` or ``postgres://`` address)."""
    return str(location).startswith(SCHEMES)


def public_location(url: str) -> str:
    """The address without its password, for messages and ``engine.location``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def connect(url: str, *, purpose: str = "reading", shown: str | None = None):
    """A connection to the server at ``url`` (autocommit), or IndexUnreachable saying why in one line.

    ``url`` may also be a libpq key=value string; ``shown`` then names it in messages (never its password).
    """
    import psycopg

    shown = shown or public_location(url)
    try:
        return psycopg.connect(url, autocommit=True, application_name=f"newsgrep {purpose} pid {os.getpid()}", connect_timeout=10)
    except psycopg.ProgrammingError as e:  # libpq could not parse the address
        raise IndexUnreachable(f"bad PostgreSQL address {shown}: {_first_line(e)}") from None
    except psycopg.OperationalError as e:
        raise IndexUnreachable(_connection_problem(shown, str(e))) from None


def run_query(conn, sql: str, params: Sequence = (), *, shown: str) -> list[tuple]:
    """The rows of ``sql`` on ``conn``; IndexUnreachable naming ``shown`` when the server is lost."""
    import psycopg

    try:
        return conn.execute(sql, params).fetchall()
    except psycopg.OperationalError as e:
        raise IndexUnreachable(f"lost the PostgreSQL server at {shown}: {_reason(e)}") from None


def _reason(error) -> str:
    """What went wrong, in one line: the server's own message (e.g. which shard it could not reach), and why."""
    primary = error.diag.message_primary if getattr(error, "diag", None) else None
    if not primary:
        return _first_line(error)
    detail = _first_line(Exception(error.diag.message_detail or ""))
    return f"{primary}: {detail}" if error.diag.message_detail else primary


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _connection_problem(shown: str, message: str) -> str:
    """One line for what libpq said (its messages repeat per address tried and end in a detail line)."""
    import re

    if "password authentication failed" in message or "no password supplied" in message:
        user = re.search(r'for user "([^"]*)"', message)
        who = f"user {user.group(1)}" if user else "the user"
        return f"the PostgreSQL server at {shown} refused the password of {who}"
    missing = re.search(r'database "([^"]*)" does not exist', message)
    if missing:
        return f"no database {missing.group(1)} on the PostgreSQL server at {shown}; create it with: createdb {missing.group(1)}"
    role = re.search(r'role "([^"]*)" does not exist', message)
    if role:
        return f"the PostgreSQL server at {shown} has no user {role.group(1)}"
    invalid = re.search(r"(invalid [^\n]*)", message)
    if invalid:
        return f"bad PostgreSQL address {shown}: {invalid.group(1).strip()}"
    if "Connection refused" in message or "No such file or directory" in message:
        return f"cannot connect to the PostgreSQL server at {shown}: connection refused (is the server running there?)"
    return f"cannot connect to the PostgreSQL server at {shown}: {_first_line(Exception(message))}"


# -- the lock ------------------------------------------------------------------


@contextmanager
def write_lock(url: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the database's one-writer lock (a session advisory lock) for the block; IndexBusy after ``wait`` s."""
    conn = connect(url, purpose="writer")
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise IndexBusy(f"index is being written by another process (pid {_holder_pid(conn)})")
            time.sleep(POLL_SECONDS)
        yield
    finally:
        conn.close()  # ends the session, and with it the lock


def _holder_pid(conn) -> str:
    """The client pid of the session holding the lock, read from its application_name ('?' if unknown)."""
    row = conn.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid = %s AND l.objid = %s AND l.objsubid = 1",
        ((LOCK_KEY >> 32) & 0xFFFF_FFFF, LOCK_KEY & 0xFFFF_FFFF),
    ).fetchone()
    name = row[0] if row else ""
    return name.rsplit(" ", 1)[-1] if name.startswith("newsgrep ") else "?"


# -- the tsvector ------------------------------------------------------------------


def _tsvector(positions: dict[str, list[str]], last_position: int) -> tuple[str, bool]:
    """tsvector text of lexeme -> ["12A", "40", …] (position and weight); approx when they cannot all be kept.

    An approx vector keeps every lexeme with one stand-in position per weight
    it has (so word tests and field restrictions still hold); phrases on such
    a row are checked on its folded text instead.
    """
    from newsgrep.engines.postgres_query import lexeme

    fits = last_position <= MAX_POSITION and all(len(p) <= MAX_POSITIONS_PER_LEXEME for p in positions.values())
    if fits and sum(len(k) * 3 + 8 + 2 * len(p) for k, p in positions.items()) > MAX_TSVECTOR_BYTES:
        fits = sum(len(k.encode("utf-8")) + 8 + 2 * len(p) for k, p in positions.items()) <= MAX_TSVECTOR_BYTES
    if fits:  # PostgreSQL sorts the positions and drops repeated ones itself
        return " ".join(f"{lexeme(k)}:{','.join(p)}" for k, p in positions.items()), False
    stand_in = {"A": "1A", "B": "2B", "C": "3C"}
    entries, size = [], 0
    for k, p in positions.items():
        weights = sorted({stand_in.get(q[-1], "4") for q in p})
        size += len(k.encode("utf-8")) + 8 + 2 * len(weights)
        if size > MAX_TSVECTOR_BYTES:  # a text of hundreds of thousands of distinct words: the rest is not findable
            break
        entries.append(f"{lexeme(k)}:{','.join(weights)}")
    return " ".join(entries), True


def article_terms(article: Article, index_segmenter) -> tuple[str, bool, str, str]:
    """(tsvector text, approx, folded title, folded body): words and bigrams of title and body, positioned.

    Words count word positions, bigrams character positions of the folded
    text (``analysis.bigrams``); the body's positions start after the title's
    with a gap, so no phrase runs from one into the other.
    """
    from newsgrep.analysis import analyze, bigrams, fold_text
    from newsgrep.engines.postgres_query import GRAM_MARK

    positions: dict[str, list[str]] = {}
    offset = last = 1
    for text, weight in ((article.title, "A"), (article.text, "")):
        for token in analyze(text, index_segmenter):
            last = offset + token.position
            if len(token.term) * 4 <= MAX_LEXEME_BYTES or len(token.term.encode("utf-8")) <= MAX_LEXEME_BYTES:
                positions.setdefault(token.term, []).append(f"{last}{weight}")
        offset = last + 2
    words_end = last
    folded_title, folded_body = fold_text(article.title).text, fold_text(article.text).text
    offset = 1
    for folded, weight in ((folded_title, "B"), (folded_body, "C")):
        for gram, position in bigrams(folded):
            positions.setdefault(GRAM_MARK + gram, []).append(f"{offset + position}{weight}")
        offset += len(folded) + 2
    text, approx = _tsvector(positions, max(words_end, offset - 3))
    return text, approx, folded_title, folded_body


# -- the engine ------------------------------------------------------------------


def _tables(schema: str) -> str:
    return f"""
        CREATE SCHEMA {schema};
        CREATE TABLE {schema}.meta (key text PRIMARY KEY, value jsonb NOT NULL);
        CREATE TABLE {schema}.articles (
            n bigserial PRIMARY KEY,
            id text NOT NULL,
            path text NOT NULL,
            source_sig text NOT NULL,
            day date,
            "when" bigint NOT NULL,
            terms tsvector NOT NULL,
            approx boolean NOT NULL,
            folded_title text,
            folded_body text,
            source text NOT NULL,
            author text NOT NULL,
            outlet_name text,
            author_name text,
            category text,
            tags text[] NOT NULL,
            story text NOT NULL,
            signature text NOT NULL,
            content_hash text NOT NULL,
            text_hash text NOT NULL,
            record bytea NOT NULL,
            story_keys bytea[] NOT NULL
        );
        CREATE UNIQUE INDEX ON {schema}.articles (id text_pattern_ops);
        CREATE INDEX ON {schema}.articles USING gin (terms);
        CREATE INDEX ON {schema}.articles (day);
        CREATE INDEX ON {schema}.articles ("when");
        CREATE INDEX ON {schema}.articles (story);
        CREATE INDEX ON {schema}.articles (path);
        CREATE INDEX ON {schema}.articles (n) WHERE approx;
        CREATE TABLE {schema}.sources (path text PRIMARY KEY, source_sig text NOT NULL);
        CREATE INDEX ON {schema}.articles USING gin (story_keys);
    """


def _versions() -> tuple[int, str]:
    from newsgrep.analysis import ANALYZER_VERSION

    return ANALYZER_VERSION, _stories_scheme()


def _stories_scheme() -> str:
    from newsgrep.stories import SCHEME

    return SCHEME


def _user_words(meta: dict) -> tuple[tuple[str, int], ...]:
    return tuple((str(w), int(f)) for w, f in meta.get("user_words", ()))


class PostgresEngine(Engine):
    """An index in a PostgreSQL database."""

    def __init__(self, url: str, conn, schema: str, meta: dict, dictionary: MergedDictionary) -> None:
        from newsgrep.segmentation import IndexSegmenter, QuerySegmenter

        self.url = url
        self.location = public_location(url)
        self.conn = conn
        self.schema = schema
        self.meta = meta
        self.dictionary = dictionary
        self.index_segmenter = IndexSegmenter(dictionary)
        self.query_segmenter = QuerySegmenter(dictionary)
        self.published = schema == CURRENT
        self.shards: ShardSet | None = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, location: str) -> PostgresEngine:
        """The index in the database at ``location``; IndexMissing, IndexOutdated or IndexUnreachable otherwise."""
        conn = connect(str(location))
        try:
            meta = _read_meta(conn, CURRENT)
            if meta is None:
                raise IndexMissing(public_location(str(location)))
            engine = cls(str(location), conn, CURRENT, meta, _dictionary(public_location(str(location)), meta))
            engine.shards = _shard_set(conn)
            return engine
        except BaseException:
            conn.close()
            raise

    @classmethod
    def open_for_writing(cls, location: str, user_words: tuple[tuple[str, int], ...] | None = None) -> PostgresEngine:
        """Open the index for an ingest (the caller holds ``write_lock``), creating it when the database has none.

        A rebuild left behind by a killed run is dropped here. Other user words
        than the stored ones mean another dictionary: IndexOutdated asks for a rebuild.
        """
        from newsgrep.engines.whoosh_folder import REBUILD

        conn = connect(str(location), purpose="writer")
        shown = public_location(str(location))
        try:
            conn.execute(f"DROP SCHEMA IF EXISTS {REBUILT} CASCADE")
            meta = _read_meta(conn, CURRENT)
        finally:
            conn.close()
        if meta is None:
            return cls.create(location, user_words or (), publish=True)
        engine = cls.open(location)
        if meta.get("stories") != _stories_scheme():
            engine.close()
            raise IndexOutdated(
                f"index at {shown} groups copies of a story by another recipe ({meta.get('stories')}; this newsgrep "
                f"uses {_stories_scheme()}); {REBUILD}"
            )
        if user_words is not None and tuple(user_words) != _user_words(meta):
            from newsgrep.dictionary import fingerprint, source_word_lists

            wanted = fingerprint(tuple(source_word_lists()), tuple(user_words))
            if wanted != engine.dictionary.fingerprint:
                engine.close()
                raise IndexOutdated(
                    f"index at {shown} was built with another dictionary (dict-{engine.dictionary.fingerprint}, "
                    f"now dict-{wanted}: user dictionary or word lists changed); {REBUILD}"
                )
        return engine

    @classmethod
    def create(cls, location: str, user_words: tuple[tuple[str, int], ...] = (), *, publish: bool = False) -> PostgresEngine:
        """A new, empty table set; ``publish`` makes it the index at once, else only ``publish()`` does (--rebuild)."""
        from newsgrep.dictionary import cache_folder, ensure_dictionary

        dictionary = ensure_dictionary(cache_folder(), tuple(user_words))
        analyzer_version, stories = _versions()
        meta = {
            "format": "newsgrep-postgres",
            "schema_version": SCHEMA_VERSION,
            "analyzer_version": analyzer_version,
            "dictionary": dictionary.fingerprint,
            "stories": stories,
            "user_words": [list(pair) for pair in user_words],
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        conn = connect(str(location), purpose="writer")
        try:
            with conn.transaction():
                conn.execute(f"DROP SCHEMA IF EXISTS {REBUILT} CASCADE")
                conn.execute(_tables(REBUILT))
                with conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {REBUILT}.meta VALUES (%s, %s)", [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()]
                    )
        except BaseException:
            conn.close()
            raise
        engine = cls(str(location), conn, REBUILT, meta, dictionary)
        if publish:
            engine.publish()
        return engine

    @classmethod
    def write_lock(cls, location: str, *, wait: float = 0.0):
        return write_lock(str(location), wait)

    @classmethod
    def check_writable(cls, location: str, *, rebuild: bool) -> None:
        """The server answers, and (unless rebuilding) an index there was made by a newsgrep this one can extend."""
        with connect(str(location)) as conn:
            if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise IndexUnwritable(
                    f"{public_location(str(location))} is a read-only replica (a hot standby): search it, but ingest into its primary"
                )
            meta = _read_meta(conn, CURRENT)
            sharded = rebuild and meta is not None and _shard_set(conn) is not None
        if sharded:
            raise IndexUnwritable(
                f"{public_location(str(location))} is split over shards (foreign partitions of newsgrep.articles): --rebuild "
                "would replace that layout by one table here; set the split up again as docs/scale-out.md shows, then ingest"
            )
        if meta is not None and not rebuild:
            _check_versions(public_location(str(location)), meta)

    @classmethod
    def stored_user_words(cls, location: str) -> tuple[tuple[str, int], ...]:
        with connect(str(location)) as conn:
            return _user_words(_read_meta(conn, CURRENT) or {})

    @classmethod
    def dictionary_at(cls, location: str) -> MergedDictionary | None:
        with connect(str(location)) as conn:
            meta = _read_meta(conn, CURRENT)
        return None if meta is None else _dictionary(public_location(str(location)), meta)

    def publish(self) -> None:
        """Swap the rebuilt table set in for the current one, in one transaction."""
        with self.conn.transaction():
            self.conn.execute(f"DROP SCHEMA IF EXISTS {CURRENT} CASCADE")
            self.conn.execute(f"ALTER SCHEMA {REBUILT} RENAME TO {CURRENT}")
        self.schema = CURRENT
        self.published = True

    def discard(self) -> None:
        if not self.published and not self.conn.closed:
            self.conn.execute(f"DROP SCHEMA IF EXISTS {REBUILT} CASCADE")
        self.close()

    def close(self) -> None:
        if self.shards is not None:
            self.shards.close()
        self.conn.close()

    # -- reading -----------------------------------------------------------

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """The rows of ``sql`` (``{s}`` is the schema), asked once more when a rebuild swapped the tables under it."""
        import psycopg

        sql = sql.replace("{s}", self.schema)
        try:
            return run_query(self.conn, sql, params, shown=self.location)
        except (psycopg.errors.UndefinedTable, psycopg.errors.InternalError):
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raise  # inside a writer's transaction: it is cancelled, nothing to retry
            return self.conn.execute(sql, params).fetchall()

    def match_plan(self, plan: Plan | None, filters: Filters) -> list[Row]:
        """Every article the plan matches within ``filters`` (rows in the order they were stored)."""
        from newsgrep.engines.postgres_query import compile_plan, filter_condition

        if plan is None:
            return [_row(r) for r in self._in_order(ROW_COLUMNS, *filter_condition(filters))]
        compiled = compile_plan(plan, filters)
        if not plan.checks:
            return [_row(r) for r in self._in_order(ROW_COLUMNS, compiled.where, compiled.params)]
        found = self._in_order(f"{ROW_COLUMNS}, record", compiled.where, compiled.params)
        return [_row(r[:-1]) for r in found if plan.passes(_decode(r[-1]))]

    def _in_order(self, columns: str, where: str, params: Sequence) -> list[tuple]:
        """``columns`` of the articles ``where`` holds, in the order they were stored; on a coordinator each shard
        sends its own (through ``postgres_fdw`` every row would travel twice)."""
        if self.shards is None:
            return self._rows(f"SELECT {columns} FROM {{s}}.articles WHERE {where} ORDER BY n", params)
        rows = self.shards.ask(lambda table: (f"SELECT {columns}, n FROM {table} WHERE {where}", params))
        return [r[:-1] for r in sorted(rows, key=lambda r: r[-1])]

    def rank_plan(self, plan: Plan, limit: int | None) -> list[tuple[str, float]]:
        """(id, score) best first: ts_rank with the plan's weights (title over body, words over bigrams).

        On a coordinator each shard ranks its own part and the best ``limit`` of all are kept (``postgres_shards``).
        """
        from newsgrep.engines.postgres_query import compile_plan, rank_weights

        compiled = compile_plan(plan, plan.filters)
        if compiled.rank is None:
            score, params = "0.0", []
        else:
            score, params = "ts_rank(%s::float4[], terms, %s::tsquery)", [rank_weights(), compiled.rank]

        def ranked_in(table: str) -> tuple[str, list]:
            return (
                f"SELECT id, {score} AS score, n FROM {table} WHERE {compiled.where} ORDER BY score DESC, n"
                + (" LIMIT %s" if limit is not None else ""),
                [*params, *compiled.params, *([limit] if limit is not None else [])],
            )

        if self.shards is not None:
            rows = best(self.shards.ask(ranked_in), limit)
        else:
            rows = self._rows(*ranked_in("{s}.articles"))
        return [(i, float(score)) for i, score, _ in rows]

    def story_rows(self, stories: Iterable[str]) -> list[Row]:
        wanted = sorted(set(stories))
        if not wanted:
            return []
        return [_row(r) for r in self._rows(f"SELECT {ROW_COLUMNS} FROM {{s}}.articles WHERE story = ANY(%s) ORDER BY n", [wanted])]

    def more_like(self, terms: Sequence[tuple[str, float]], exclude: Row, limit: int) -> list[tuple[str, float]]:
        """The best match per story of these weighted words (title or body), ``exclude``'s story left out."""
        from newsgrep.engines.postgres_query import rank_weights, word_item

        if not terms:
            return []
        items = [word_item(term, ("title", "body")) for term, _ in terms]
        score = " + ".join("%s * ts_rank(%s::float4[], terms, %s::tsquery)" for _ in items)
        params: list = []
        for item, (_, weight) in zip(items, terms):
            params += [weight, rank_weights(), item]

        def best_per_story_in(table: str) -> tuple[str, list]:
            return (
                (
                    f"SELECT id, score, n, story FROM (SELECT DISTINCT ON (story) id, story, n, {score} AS score FROM {table} "
                    "WHERE terms @@ %s::tsquery AND story <> %s AND id <> %s ORDER BY story, score DESC, n) best "
                    "ORDER BY score DESC, n LIMIT %s"
                ),
                [*params, " | ".join(items), exclude.story, exclude.id, limit],
            )

        if self.shards is not None:  # a story's best on its shard, and of those the best per story
            rows = best_per_story(self.shards.ask(best_per_story_in), limit)
        else:
            rows = self._rows(*best_per_story_in("{s}.articles"))
        return [(i, float(s)) for i, s, _, _ in rows]

    def records(self, ids: Sequence[str]) -> list[Article]:
        if not ids:
            return []
        found = dict(self._rows("SELECT id, record FROM {s}.articles WHERE id = ANY(%s)", [list(ids)]))
        return [_decode(found[i]) for i in ids if i in found]

    def get(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with it."""
        if not id_or_prefix:
            raise UnknownArticle("empty article id")
        try:
            id_or_prefix.encode("utf-8")
        except UnicodeEncodeError:
            raise UnknownArticle(f"no article with id {id_or_prefix!r}") from None
        if "\x00" in id_or_prefix:
            raise UnknownArticle(f"no article with id {id_or_prefix!r}")
        exact = self._rows("SELECT record FROM {s}.articles WHERE id = %s", [id_or_prefix])
        if exact:
            return _decode(exact[0][0])
        escaped = id_or_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        found = self._rows("SELECT id, record FROM {s}.articles WHERE id LIKE %s ORDER BY id LIMIT 6", [escaped + "%"])
        if not found:
            raise UnknownArticle(f"no article with id {id_or_prefix!r}")
        if len(found) > 1:
            shown = ", ".join(i for i, _ in found[:5])
            more = " …" if len(found) > 5 else ""
            raise UnknownArticle(f"id prefix {id_or_prefix!r} is ambiguous: {shown}{more}")
        return _decode(found[0][1])

    def row(self, article_id: str) -> Row | None:
        found = self._rows(f"SELECT {ROW_COLUMNS} FROM {{s}}.articles WHERE id = %s", [article_id])
        return _row(found[0]) if found else None

    def doc_count(self) -> int:
        return self._rows("SELECT count(*) FROM {s}.articles")[0][0]

    def document_frequencies(self, words: Iterable[str]) -> dict[str, int]:
        """In how many articles' body each folded word occurs as a whole word."""
        from newsgrep.engines.postgres_query import word_item

        query = "SELECT count(*) FROM {s}.articles WHERE terms @@ %s::tsquery"
        return {w: self._rows(query, [word_item(w, ("body",))])[0][0] for w in words}

    # -- ingest's reads ------------------------------------------------------

    def inventory(self) -> Inventory:
        inventory = Inventory()
        for path, sig, article_id in self._rows("SELECT path, source_sig, id FROM {s}.articles ORDER BY n"):
            inventory.files.setdefault(path, StoredFile(sig)).ids.append(article_id)
            inventory.owner[article_id] = path
        for path, sig in self._rows("SELECT path, source_sig FROM {s}.sources"):
            inventory.files.setdefault(path, StoredFile(sig))
        return inventory

    def add_hashes(self, inventory: Inventory) -> None:
        for article_id, content_hash, text_hash in self._rows("SELECT id, content_hash, text_hash FROM {s}.articles"):
            inventory.hash_of[article_id] = content_hash
            inventory.text_hash_of[article_id] = text_hash

    def story_candidates(self, keys: Sequence[str], limit: int | None = None) -> list[Candidate]:
        from newsgrep.stories import Candidate

        if not keys:
            return []
        rows = self._rows(
            "SELECT id, signature, story FROM (SELECT id, signature, story, "
            "(SELECT count(*) FROM unnest(story_keys) k WHERE k = ANY(%(keys)s)) AS shared "
            "FROM {s}.articles WHERE story_keys && %(keys)s) c WHERE signature <> '' ORDER BY shared DESC, id LIMIT %(limit)s",
            {"keys": [_pack(k) for k in keys], "limit": limit},
        )
        return [Candidate(i, sig, story) for i, sig, story in rows]

    def stories_of(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        return {s for (s,) in self._rows("SELECT DISTINCT story FROM {s}.articles WHERE id = ANY(%s)", [wanted])}

    def _members(self, stories: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, story, signature) of every article of these stories."""
        return self._rows("SELECT id, story, signature FROM {s}.articles WHERE story = ANY(%s) ORDER BY id", [list(stories)])

    def _restory(self, label_of: dict[str, str], members) -> int:
        changed = [(label_of[i], i) for i, story, _ in members if label_of.get(i, story) != story]
        if changed:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.executemany(f"UPDATE {self.schema}.articles SET story = %s WHERE id = %s", changed)
        return len(changed)

    def relabel_stories(self, moves: dict[str, str]) -> int:
        members = self._members(moves)
        return self._restory({i: moves.get(story, story) for i, story, _ in members}, members)

    def regroup_stories(self, stories: Iterable[str]) -> int:
        """Group these stories' articles again; the group holding the story's namesake keeps the name."""
        from newsgrep.stories import group

        stories = set(stories)
        members = self._members(stories)
        label_of = {}
        for story in stories:
            own = [(i, sig) for i, s, sig in members if s == story]
            groups = group([(i, sig) for i, sig in own if sig])
            keeps = groups.get(story)
            for i, _ in own:
                grouped = groups.get(i, i)
                label_of[i] = story if grouped == keeps else grouped
        return self._restory(label_of, members)

    @contextmanager
    def writer(self, procs: int = 1) -> Iterator[PostgresWriter]:
        """One transaction: committed when the block ends, rolled back if it raises.

        With ``procs > 1`` articles are analysed by that many forked processes
        (they inherit the loaded segmenter); this process sends the rows.
        """
        from newsgrep import interrupts

        pool = _analysis_pool(self.index_segmenter, procs) if procs > 1 else None
        transaction = self.conn.transaction()
        transaction.__enter__()
        writer = PostgresWriter(self, pool)
        try:
            yield writer
            writer.flush()
        except BaseException as e:
            transaction.__exit__(type(e), e, e.__traceback__)
            raise
        else:
            with interrupts.shielded():
                transaction.__exit__(None, None, None)
        finally:
            if pool is not None:
                pool.terminate()


# The segmenter of forked analysis workers (set before the fork, inherited).
_WORKER_SEGMENTER = None


def _analysis_pool(index_segmenter, procs: int):
    """``procs`` forked processes running ``article_terms``; they ignore Ctrl-C (the ingest handles it)."""
    import multiprocessing
    import signal

    global _WORKER_SEGMENTER
    index_segmenter.load()
    _WORKER_SEGMENTER = index_segmenter
    return multiprocessing.get_context("fork").Pool(procs, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))


def _worker_terms(article: Article) -> tuple[str, bool, str, str]:
    return article_terms(article, _WORKER_SEGMENTER)


class PostgresWriter(Writer):
    """Adds and removes articles inside one transaction; adds are analysed and sent in batches (COPY)."""

    def __init__(self, engine: PostgresEngine, pool=None) -> None:
        self.engine = engine
        self.pool = pool
        self.changed = False
        self._pending: dict[str, tuple[Article, str, Placement | None]] = {}

    def add(self, article: Article, source_sig: str, placement: Placement | None = None) -> None:
        self._pending.pop(article.id, None)
        self._pending[article.id] = (article, source_sig, placement)
        self.changed = True
        if len(self._pending) >= FLUSH_ROWS:
            self.flush()

    def add_source(self, path: str, source_sig: str) -> None:
        self.flush()
        self.engine.conn.execute(
            f"INSERT INTO {self.engine.schema}.sources VALUES (%s, %s) ON CONFLICT (path) DO UPDATE SET source_sig = excluded.source_sig",
            (path, source_sig),
        )
        self.changed = True

    def delete_path(self, path: str, ids: Iterable[str] = ()) -> None:
        self.flush()
        s = self.engine.schema
        conn = self.engine.conn
        conn.execute(f"DELETE FROM {s}.articles WHERE path = %s", (path,))
        conn.execute(f"DELETE FROM {s}.sources WHERE path = %s", (path,))
        self.changed = True

    def flush(self) -> None:
        """Send the pending articles: replaced ones deleted first, then one COPY for rows and one for keys."""
        if not self._pending:
            return
        s = self.engine.schema
        conn = self.engine.conn
        pending = list(self._pending.values())
        articles = [article for article, _, _ in pending]
        if self.pool is not None:
            analysed = self.pool.map(_worker_terms, articles, chunksize=8)
        else:
            analysed = [article_terms(a, self.engine.index_segmenter) for a in articles]
        ids = list(self._pending)
        conn.execute(f"DELETE FROM {s}.articles WHERE id = ANY(%s)", (ids,))
        with conn.cursor() as cur:
            columns = ", ".join(f'"{c}"' for c in ARTICLE_COLUMNS)
            with cur.copy(f"COPY {s}.articles ({columns}) FROM STDIN") as copy:
                for (article, source_sig, placement), terms in zip(pending, analysed):
                    copy.write_row(_article_row(article, source_sig, placement, terms))
        self._pending.clear()


def _article_row(article: Article, source_sig: str, placement: Placement | None, analysed) -> tuple:
    """The ``articles`` row of an article (ARTICLE_COLUMNS' order); the record is stored as the Whoosh engine stores it."""
    from newsgrep.analysis import fold
    from newsgrep.record import encode_record, instant, local_day

    terms, approx, folded_title, folded_body = analysed
    return (
        article.id, article.source_path, source_sig, local_day(article.date), instant(article.date), terms, approx,
        folded_title if approx else None, folded_body if approx else None,
        fold(article.outlet or "").strip(), fold(article.author or "").strip(),
        article.outlet or None, article.author or None, article.category or None, list(article.tags),
        placement.story if placement else article.id, placement.signature if placement else "",
        article.content_hash, article.text_hash, encode_record(article),
        [_pack(k) for k in dict.fromkeys(placement.keys)] if placement else [],
    )


def _shard_set(conn) -> ShardSet | None:
    """The shards to match and rank on directly when the index's articles are foreign partitions (a coordinator), else None."""
    from newsgrep.engines.postgres_shards import shards_of

    shards = shards_of(conn, CURRENT)
    if not shards:
        return None
    return ShardSet(
        shards,
        connect=lambda shard: connect(shard.conninfo, shown=shard.shown),
        query=lambda conn, sql, params, shard: run_query(conn, sql, params, shown=shard.shown),
    )


def _read_meta(conn, schema: str) -> dict | None:
    """The meta table of ``schema`` as a dict, None when the database holds no such schema."""
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if not exists:
        return None
    return dict(conn.execute(f"SELECT key, value FROM {schema}.meta").fetchall())


def _check_versions(shown: str, meta: dict) -> None:
    """IndexOutdated (asking for a rebuild) when the index was made by another schema or analysis."""
    from newsgrep.engines.whoosh_folder import REBUILD

    analyzer_version, _ = _versions()
    if meta.get("schema_version") != SCHEMA_VERSION or meta.get("analyzer_version") != analyzer_version:
        raise IndexOutdated(
            f"index at {shown} was built by another newsgrep (schema {meta.get('schema_version')}, analyzer "
            f"{meta.get('analyzer_version')}; this one uses schema {SCHEMA_VERSION}, analyzer {analyzer_version}); {REBUILD}"
        )


def _dictionary(shown: str, meta: dict) -> MergedDictionary:
    """The merged dictionary the index was built with, built here if need be; IndexOutdated when this code differs."""
    from newsgrep.dictionary import MergedDictionary, cache_folder, ensure_dictionary
    from newsgrep.engines.whoosh_folder import REBUILD

    _check_versions(shown, meta)
    stored = str(meta.get("dictionary", ""))
    built = MergedDictionary(cache_folder() / f"merged-{stored}", stored)
    if built.word_list.is_file() and built.query_db.is_file():  # built here before: no need to hash word lists
        return built
    dictionary = ensure_dictionary(cache_folder(), _user_words(meta))
    if dictionary.fingerprint != meta.get("dictionary"):
        raise IndexOutdated(
            f"index at {shown} was built with another dictionary (dict-{meta.get('dictionary')}, this newsgrep "
            f"makes dict-{dictionary.fingerprint} from its word lists); {REBUILD}"
        )
    return dictionary


def _row(r: tuple) -> Row:
    article_id, day, when, story, outlet, author, category, tags = r
    return Row(article_id, day, when, story or article_id, outlet, author, category, tuple(tags or ()))


def _decode(blob) -> Article:
    from newsgrep.record import decode_record

    return decode_record(bytes(blob))


def _pack(key: str) -> bytes:
    """A band key as bytes (hex digits two to a byte), as the Whoosh engine stores it."""
    from newsgrep.engines.whoosh_story_keys import _pack as pack

    return pack(key)
