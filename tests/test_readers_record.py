"""The Article record's later fields (byline, crawled_at): round trips, old records, what the hash covers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from newsgrep.record import Article, Block, Caption

TAIWAN = dt.timezone(dt.timedelta(hours=8))
ANY = st.characters(blacklist_categories=("Cs",))
OPTIONAL_TEXT = st.none() | st.text(ANY, max_size=20)
DATES = st.none() | st.dates() | st.datetimes(
    timezones=st.none() | st.just(TAIWAN) | st.just(dt.timezone(dt.timedelta(hours=9))))
ARTICLES = st.builds(
    Article,
    id=st.text(ANY, min_size=1, max_size=20),
    source_path=st.text(ANY, max_size=30),
    title=st.text(ANY, max_size=30),
    lede=st.text(ANY, max_size=60),
    body=st.lists(st.builds(Block, st.sampled_from(["paragraph", "heading"]), st.text(ANY, max_size=40)),
                  max_size=3).map(tuple),
    date=DATES,
    captions=st.lists(st.builds(Caption, st.text(ANY, max_size=20), st.text(ANY, max_size=10)), max_size=2).map(tuple),
    url=OPTIONAL_TEXT,
    author=OPTIONAL_TEXT,
    byline=OPTIONAL_TEXT,
    crawled_at=DATES,
)


@settings(max_examples=300, deadline=None)
@given(article=ARTICLES)
def test_byline_and_crawl_time_round_trip(article):
    again = Article.from_json(article.to_json())
    assert again == article
    assert (again.byline, again.crawled_at) == (article.byline, article.crawled_at)
    assert again.content_hash == article.content_hash
    assert again.to_dict() == article.to_dict()


def _stored_before(article: Article) -> dict:
    """The JSON a record was stored as before byline and crawled_at existed, with its hash of then."""
    old = article.to_dict()
    del old["byline"], old["crawled_at"]
    content = {k: v for k, v in old.items() if k not in ("id", "source_path", "content_hash")}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    old["content_hash"] = hashlib.sha256(blob).hexdigest()[:32]
    return old


def test_records_stored_before_the_new_fields_load_and_keep_their_hash():
    article = Article(id="a", source_path="/x/a.txt", title="颱風來襲", lede="中央氣象署發布海上颱風警報。",
                      date=dt.datetime(2025, 7, 23, 0, 30, tzinfo=TAIWAN), author="林小雨")
    old = _stored_before(article)
    loaded = Article.from_json(json.dumps(old, ensure_ascii=False))
    assert (loaded.byline, loaded.crawled_at) == (None, None)
    assert loaded == article and loaded.content_hash == old["content_hash"] == article.content_hash


def test_a_crawl_time_is_not_part_of_what_the_article_says():
    first = Article(id="a", source_path="a", title="t", lede="l", crawled_at=dt.datetime(2025, 11, 18, 15, 39, tzinfo=TAIWAN))
    again = Article(id="a", source_path="b", title="t", lede="l", crawled_at=dt.datetime(2025, 11, 19, 11, 12, tzinfo=TAIWAN))
    assert first.content_hash == again.content_hash
    bylined = Article(id="a", source_path="a", title="t", lede="l", byline="記者林小雨／花蓮報導")
    assert bylined.content_hash != first.content_hash
