"""The Article record's later fields (byline, crawled_at): round trips, old records, what the hash covers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from newsgrep.record import Article

from test_properties import ARTICLES as BASE_ARTICLES

TAIWAN = dt.timezone(dt.timedelta(hours=8))
ANY = st.characters(blacklist_categories=("Cs",))
DATES = st.none() | st.dates() | st.datetimes(
    timezones=st.none() | st.just(TAIWAN) | st.just(dt.timezone(dt.timedelta(hours=9))))
# test_properties' articles, with the later fields set too (content_hash="" makes the hash be computed again).
ARTICLES = st.builds(
    lambda article, byline, crawled_at: replace(article, byline=byline, crawled_at=crawled_at, content_hash=""),
    BASE_ARTICLES, st.none() | st.text(ANY, max_size=20), DATES,
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
