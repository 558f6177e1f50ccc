"""Saved pages of layouts the HTML reader once lost (tests/fixtures/readers/pages, written by hand).

``expected.json`` says, per page, what a person reads on it: headline, date
and time (local, +08:00), reporter, the page's own URL and the article text.
bench/extract.py measures the same pages against trafilatura.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from newsgrep.readers import read_file
from newsgrep.readers.assemble import url_article_id

from conftest import FIXTURES

PAGES = FIXTURES / "readers" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))["pages"]
TAIWAN = dt.timezone(dt.timedelta(hours=8))
EXTRACTION = {
    "portal_2006_gb2312.htm": "body from the best-scoring block",
    "portal_2004_big5.htm": "body from the best-scoring block",
    "wayback_2015.html": "body from the best-scoring block",
    "bbc_2019.html": "body from the best-scoring block, widened",
    "jsonld_only_2022.html": "body from JSON-LD articleBody",
    "mainland_2019.html": "body from the largest prose block (page furniture kept)",
}


@pytest.mark.parametrize("name", EXPECTED)
def test_a_person_and_the_reader_see_the_same_article(name):
    expected = EXPECTED[name]
    read = read_file(PAGES / name)
    [article] = read.articles
    assert read.problems == []
    assert article.title == expected["title"]
    assert [article.lede, *(b.text for b in article.body)] == expected["body"]
    assert article.date.strftime("%Y-%m-%d %H:%M") == expected["date"]
    assert article.date.utcoffset() == dt.timedelta(hours=8)
    assert (article.author or "") == expected["author"]
    assert article.url == expected["url"]
    assert article.id == (url_article_id(expected["url"]) if expected["url"] else PAGES.joinpath(name).stem)
    assert read.extraction == EXTRACTION[name]


def test_legacy_pages_are_decoded_as_declared():
    assert read_file(PAGES / "portal_2006_gb2312.htm").encoding == "gb18030"
    assert read_file(PAGES / "portal_2004_big5.htm").encoding == "cp950"


def test_a_wayback_capture_is_the_original_page():
    """The date is the page's own (2015-06-11), never the archive's capture (2015-06-12, in the toolbar and every
    rewritten URL); the id is the original URL's; the capture time is kept as when the copy was made."""
    [article] = read_file(PAGES / "wayback_2015.html").articles
    assert article.date == dt.datetime(2015, 6, 11, 10, 22, 35, tzinfo=TAIWAN)
    assert article.id == url_article_id("http://news.example.cn/local/2015-06/11/c_1115581234.htm")
    assert article.crawled_at == dt.datetime(2015, 6, 12, 8, 30, 15, tzinfo=dt.timezone.utc)
    assert article.crawled_at.utcoffset() == dt.timedelta(hours=8)
    assert not any(word in article.text for word in ("captures", "Jun", "Wayback", "责任编辑"))
    assert [c.text for c in article.captions] == ["6月11日，乘客在地铁2号线钱江路站候车。（江南新闻网 记者 周浩 摄）"]


def test_a_script_filled_wayback_toolbar_is_removed_too(tmp_path):
    page = tmp_path / "capture.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>台南鹽水蜂炮今晚登場｜南方日報</title>"
        '<script>__wm.wombat("https://news.south.example.tw/article/20200208/442211","20200301120000",'
        '"https://web.archive.org/","web","/_static/","1583064000");</script></head><body>'
        "<div id='wm-ipp-base' lang='en' style='direction:ltr;'><div id='wm-ipp'>"
        "<span class='date'>2020-03-01 12:00</span> 57 captures 8 Feb 2020 - 1 Mar 2020</div></div>"
        "<h1>台南鹽水蜂炮今晚登場</h1><div class='article'>"
        "<p>一年一度的鹽水蜂炮今晚在台南鹽水區登場，主辦單位預估將有超過十萬名民眾湧入。</p>"
        "<p>消防局提醒參加民眾務必穿戴全罩式安全帽與防火衣物，避免被炮火灼傷。</p></div></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(page).articles
    assert article.url == "https://news.south.example.tw/article/20200208/442211"
    assert article.date == dt.date(2020, 2, 8)  # from the original URL, not the toolbar's 2020-03-01
    assert "captures" not in article.text


def test_the_meta_description_is_the_last_resort_and_says_so(tmp_path):
    page = tmp_path / "teaser.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>立法院今三讀通過食安法修正案</title>"
        "<meta name='description' content='立法院會今天三讀通過食品安全衛生管理法部分條文修正案，違規業者最高可罰二億元。'>"
        "</head><body><nav><a href='/'>首頁</a></nav><div id='app'></div></body></html>",
        encoding="utf-8",
    )
    read = read_file(page)
    assert read.articles[0].lede == "立法院會今天三讀通過食品安全衛生管理法部分條文修正案，違規業者最高可罰二億元。"
    assert read.extraction == "body from the meta description only"


def test_a_page_that_cites_an_archived_link_is_not_a_capture(tmp_path):
    page = tmp_path / "cites.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>舊網站的資料仍可查詢</title>"
        "<link rel='canonical' href='https://news.example.tw/a/20240301/1'></head><body><article>"
        "<p>文化部表示，已停止營運的網站可透過網頁時光機查詢，例如"
        "<a href='https://web.archive.org/web/20150612083015/http://old.example.tw/'>舊版首頁</a>仍可瀏覽。</p>"
        "<p>專家建議各機關在網站改版前先完整備份，避免公共資料流失。</p></article></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(page).articles
    assert article.crawled_at is None and article.url == "https://news.example.tw/a/20240301/1"
    assert article.date == dt.date(2024, 3, 1)
