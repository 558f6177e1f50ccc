"""The two engines agree: the shared corpora in Whoosh and in PostgreSQL, 200 generated queries, the same articles.

Queries are made from the corpora's own text (so most of them match
something): words, pairs, ideograph substrings as phrases, OR, NOT, title:,
source:, date ranges. The result *sets* must be equal; how often the top ten
by rank agree is printed, not required (the engines score differently).
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from conftest import shared_data

from newsgrep.query import Filters, parse

QUERIES = 200
CORPORA = ("tw-news-2025", "pts-2025", "appledaily-charity-2008-2013")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_LATIN = re.compile(r"\b[A-Za-z]{3,}\b")


def _ingest(location, paths) -> None:
    from newsgrep.ingest import ingest_paths

    ingest_paths(paths, location)


def generated_queries(articles, rng: random.Random) -> list[tuple[str, Filters]]:
    """(query text, filters) pairs of every kind the language has, drawn from these articles' text."""
    from newsgrep.analysis import words
    from newsgrep.dictionary import default_dictionary
    from newsgrep.segmentation import QuerySegmenter

    segmenter = QuerySegmenter(default_dictionary())
    vocabulary = sorted({w for a in articles for w in words(a.title, segmenter) if len(w) > 1 and w.isalnum()})
    runs = sorted({m.group() for a in articles for m in _HAN_RUN.finditer(a.text[:400])})
    latin = sorted({m.group() for a in articles for m in _LATIN.finditer(a.title + " " + a.text[:400])})
    outlets = sorted({a.outlet[:2] for a in articles if a.outlet})
    days = sorted({a.date.date() if isinstance(a.date, dt.datetime) else a.date for a in articles if a.date})

    def word() -> str:
        return rng.choice(vocabulary)

    def phrase() -> str:
        run = rng.choice(runs)
        start = rng.randrange(0, max(1, len(run) - 2))
        return '"' + run[start : start + rng.randint(2, 6)] + '"'

    kinds = [
        lambda: word(),
        lambda: f"{word()} {word()}",
        lambda: phrase(),
        lambda: f"{word()} OR {word()}",
        lambda: f"{word()} -{word()}",
        lambda: f"title:{word()}",
        lambda: f"{phrase()} {word()}",
        lambda: f"({word()} OR {phrase()}) -{word()}",
        lambda: f"{word()} source:{rng.choice(outlets)}" if outlets else word(),
        lambda: rng.choice(latin) if latin else word(),
        lambda: rng.choice(runs)[:rng.randint(1, 3)],  # one to three ideographs, cut anywhere
        lambda: f"body:{word()} title:{word()}",
    ]
    queries = []
    for i in range(QUERIES):
        text = kinds[i % len(kinds)]()
        filters = Filters()
        if i % 5 == 4 and days:
            since = rng.choice(days)
            filters = Filters(since=since, until=since + dt.timedelta(days=rng.choice([0, 3, 60])))
        queries.append((text, filters))
    return queries


@pytest.mark.slow
def test_whoosh_and_postgres_match_the_same_articles(pg_url, index_path, capsys):
    from newsgrep.engines import open_index
    from newsgrep.errors import BadQuery

    data = shared_data()
    if data is None or not (data / "corpora").is_dir():
        pytest.skip("the shared corpora (../shared/data/corpora) are absent")
    paths = [data / "corpora" / name for name in CORPORA if (data / "corpora" / name).is_dir()]
    _ingest(index_path, paths)
    _ingest(pg_url, paths)
    whoosh, postgres = open_index(index_path), open_index(pg_url)
    # The same articles stored (as ids: Whoosh may hold an id twice when one run adds it twice before a commit).
    assert {r.id for r in whoosh.matching(None)} == {r.id for r in postgres.matching(None)}
    assert postgres.doc_count() > 1000

    every = whoosh.matching(None)
    articles = whoosh.records([r.id for r in random.Random(7).sample(every, 400)])
    differing, agreeing_top, compared = [], 0, 0
    for text, filters in generated_queries(articles, random.Random(11)):
        try:
            query = parse(text, filters)
            expected = {r.id for r in whoosh.matching(query)}
        except BadQuery:
            continue
        found = {r.id for r in postgres.matching(query)}
        compared += 1
        if found != expected:
            differing.append(f"{text} {filters}: whoosh {len(expected)}, postgres {len(found)}, e.g. {sorted(expected ^ found)[:3]}")
            continue
        top_whoosh = [i for i, _ in whoosh.ranked(query, 10)]
        top_postgres = [i for i, _ in postgres.ranked(query, 10)]
        agreeing_top += set(top_whoosh) == set(top_postgres)
    with capsys.disabled():
        print(f"\n{compared} queries on {whoosh.doc_count():,} articles: {compared - len(differing)} same result sets; "
              f"top 10 the same set for {agreeing_top}")
    assert compared >= 180
    assert not differing, "\n".join(differing)
