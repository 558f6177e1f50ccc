"""The readers on real saved data in ../shared/data; skipped when it is absent."""

from pathlib import Path

import pytest

from newsgrep.readers import read_file

from conftest import shared_data

DATA = shared_data()
pytestmark = pytest.mark.skipif(DATA is None, reason="../shared/data not present")


def _twnews_cases():
    if DATA is None:
        return []
    folder = DATA / "html" / "twnews"
    cases = []
    for line in (folder / "expected_from_tests.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "outlet\t")) or not line.strip():
            continue
        outlet, applies, title, date, author, body = (line.split("\t") + [""] * 6)[:6]
        if date:
            cases += [pytest.param(folder / v / f"{outlet}.html", title, date, author, body, id=f"{v}-{outlet}")
                      for v in applies.split()]
    return cases


@pytest.mark.parametrize(("page", "title", "date", "author", "body"), _twnews_cases())
def test_twnews_expectations(page: Path, title, date, author, body):
    [article] = read_file(page).articles
    assert title in article.title
    assert body in article.text
    assert article.date.isoformat()[:10] == date[:10]
    if "cna" not in page.name:
        # CNA pages show only their last-update time (10:48); we keep datePublished (08:15).
        assert article.date.strftime("%Y-%m-%d %H:%M") == date[:16]
    if author not in ("None", ""):
        assert article.author == author


def test_judicial_big5_and_mislabeled_copies():
    folder = DATA / "html" / "twnews"
    assert read_file(folder / "e59bbd9" / "judicial.html").encoding == "big5hkscs"
    for version in ("a99d613", "cb6ddf7"):
        assert read_file(folder / version / "judicial.html").encoding == "utf-8"


def test_cna_dump_with_leading_nul_bytes():
    read = read_file(DATA / "corpora" / "tw-news-2025" / "raw" / "raw" / "cna_mvp_dataset.jsonl")
    assert read.problems == ["skipped 241606 NUL bytes at start"]
    assert len(read.articles) == 122
    assert all(a.url and a.id.startswith("cna.com.tw-") for a in read.articles)


def test_same_article_in_two_crawls_has_one_id():
    raw = DATA / "corpora" / "tw-news-2025" / "raw" / "raw"
    a = read_file(raw / "ltn_news_2025-11-18T15-39-26+00-00.jsonl").articles
    b = read_file(raw / "ltn_news_2025-11-19T11-12-46+00-00.jsonl").articles
    assert {x.id for x in a} & {x.id for x in b}


def test_undeclared_legacy_pages():
    big5 = read_file(DATA / "encodings" / "Big5" / "_chromium_Big5_with_no_encoding_specified.html")
    assert big5.encoding == "cp950" and "台北看守所" in big5.articles[0].text
    gb = read_file(DATA / "encodings" / "GB2312" / "_chromium_gb18030_with_no_encoding_specified.html.xml")
    assert gb.encoding == "gb18030"


def _tw_news_articles():
    from newsgrep.errors import ReadError

    for path in sorted((DATA / "corpora" / "tw-news-2025").rglob("*.jsonl")):
        try:
            yield from read_file(path).articles
        except ReadError:  # the empty files
            continue


def test_tw_news_authors_are_people_and_bylines_are_kept():
    from newsgrep.readers.structure import OUTLET_NAMES, is_url

    articles = list(_tw_news_articles())
    authors = {a.author for a in articles if a.author}
    assert not {a for a in authors if is_url(a) or a in OUTLET_NAMES or a.endswith(("新聞網", "中心", "日報"))}
    setn = [a for a in articles if a.byline == "三立新聞網"]
    assert len(setn) > 400 and all(a.author is None or a.author not in OUTLET_NAMES for a in setn)
    assert any(a.byline == "聯合報／ 記者" for a in articles)


def test_tw_news_crawl_time_is_not_a_publication_date():
    udn = read_file(DATA / "corpora" / "tw-news-2025" / "raw" / "raw" / "udn_14days.jsonl").articles
    undated = [a for a in udn if a.date is None]
    assert len(undated) == 63 == len(udn)
    assert {a.crawled_at.date().isoformat() for a in udn} == {"2025-11-19"}  # the crawl, kept apart


def test_twnews_pages_never_take_a_facebook_url_for_the_author():
    for page in (DATA / "html" / "twnews").glob("*/*.html"):
        author = read_file(page).articles[0].author
        assert author is None or not author.startswith("http"), page


def test_twnews_udn_pages_get_ids_from_their_own_urls():
    from newsgrep.readers.assemble import url_article_id

    folder = DATA / "html" / "twnews"
    new, old = read_file(folder / "6ab452b" / "udn.html").articles[0], read_file(folder / "9df525c" / "udn.html").articles[0]
    assert new.url.endswith("/3705102") and old.url.endswith("/3004543")
    assert (new.id, old.id) == (url_article_id(new.url), url_article_id(old.url))
    same = read_file(folder / "a99d613" / "udn.html").articles[0]  # the same article saved by another template
    assert same.id == old.id


def test_appledaily_subtitles_are_in_the_body():
    [article] = read_file(DATA / "corpora" / "appledaily-charity-2008-2013" / "htm" / "A1725.htm").articles
    assert article.headings[0] == "颱風夜難眠 童言：為什麼趕我們"
    assert "颱風夜難眠" in article.text
    assert (article.author, article.byline) == ("游竹君", "報導 攝影╱游竹君")
