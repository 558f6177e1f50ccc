"""``newsgrep serve`` over HTTP (Starlette's TestClient): the pages, their JSON twins, errors and hostile text.

Each test reads a page as a browser would get it, from an index of the web
fixture articles (``served.py``), and checks what a reader would see in it.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, quote, quote_plus, urlsplit
from urllib.request import urlopen

import pytest
from conftest import new_index_folder
from served import CNA, GENERATED, HOSTILE, LTN, UDN, XINHUA, build_web_index, serving
from typer.testing import CliRunner

from newsgrep.cli import app as cli_app


@pytest.fixture(scope="module")
def web_index(tmp_path_factory, dictionary_folder):
    folder = tmp_path_factory.mktemp("web")
    return build_web_index(new_index_folder(folder / "index", dictionary_folder), folder / "corpus")


@pytest.fixture(scope="module")
def client(web_index):
    from starlette.testclient import TestClient

    from newsgrep.web.app import create_app

    return TestClient(create_app(web_index))


def cli_json(web_index, *args: str) -> list[dict]:
    """What ``newsgrep ARGS --json`` prints, one dict per line."""
    result = CliRunner().invoke(cli_app, [*args, "--json"], env={"NEWSGREP_INDEX": str(web_index)})
    return [json.loads(line) for line in result.stdout.splitlines()]


def main_part(page: str) -> str:
    return page[page.index('<main id="main">'):page.index("</main>")]


def marks(page: str) -> list[str]:
    """The highlighted strings of a page, in order."""
    return re.findall(r"<mark>(.*?)</mark>", page)


def hit_ids(page: str) -> list[str]:
    """The article ids the page's hits link to, in order."""
    return [urlsplit(html.unescape(href)).path.rsplit("/", 1)[1] for href in re.findall(r'<h3><a href="([^"]+)"', page)]


def field_value(page: str, name: str) -> str:
    """The value of the search form's input ``name``."""
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


# -- the search page -------------------------------------------------------------


def test_search_page_highlights_matches_in_the_original_script(client):
    page = client.get("/", params={"q": "台湾 军售"}).text
    assert "6 articles (5 stories), showing 1–5" in page
    assert {"台灣", "軍售", "台湾", "军售"} <= set(marks(page))  # Traditional hits stay Traditional, Simplified stays Simplified
    assert hit_ids(page)[:3] == [HOSTILE, LTN, CNA]
    assert re.search(rf"\+1 copy:\s*<a href=\"/articles/{UDN}\?q=[^\"]+\">聯合報</a>", page)  # the story told twice is one hit


def test_traditional_and_simplified_queries_give_the_same_page(client):
    pages = {q: client.get("/", params={"q": q}).text for q in ("台湾 军售", "台灣 軍售", "台灣 军售")}
    shown = {q: main_part(page).replace(quote_plus(q), "Q") for q, page in pages.items()}
    assert shown["台湾 军售"] == shown["台灣 軍售"] == shown["台灣 军售"]
    assert "<mark>台灣</mark>" in shown["台湾 军售"]


def test_the_url_carries_the_whole_state(client):
    page = client.get("/?q=報導&since=2025-01-01&until=2025-12-31&sort=date&page=2").text
    assert (field_value(page, "q"), field_value(page, "since"), field_value(page, "until")) == ("報導", "2025-01-01", "2025-12-31")
    assert '<option value="date" selected>' in page
    previous = re.search(r'<a rel="prev" href="([^"]+)"', page).group(1)
    assert parse_qs(urlsplit(html.unescape(previous)).query) == {  # page 1 is the default, left out
        "q": ["報導"], "since": ["2025-01-01"], "until": ["2025-12-31"], "sort": ["date"]
    }
    first_hit = re.search(r'<h3><a href="([^"]+)"', page).group(1)
    article = client.get(html.unescape(first_hit)).text
    back = html.unescape(re.search(r'<p class="back"><a href="([^"]+)"', article).group(1))
    assert parse_qs(urlsplit(back).query) == {
        "q": ["報導"], "since": ["2025-01-01"], "until": ["2025-12-31"], "sort": ["date"], "page": ["2"]
    }
    assert main_part(client.get(back).text) == main_part(page)


def test_pages_of_hits(client):
    first = client.get("/", params={"q": "報導"}).text
    count = re.search(r"(\d+) articles", first).group(1)
    assert int(count) == GENERATED + 1  # the generated articles (numbered 第N號報導) and the seed (《新華社》報導)
    assert "page 1 of 3" in first and 'rel="prev"' not in first
    last = client.get("/", params={"q": "報導", "page": 3}).text
    assert "26 articles (21 stories), showing 21–21" in last  # generated articles that share sentences are near-copies and 'rel="next"' not in last
    assert set(hit_ids(first)).isdisjoint(hit_ids(last))
    beyond = client.get("/", params={"q": "報導", "page": 4})
    assert beyond.status_code == 200 and "No articles on page 4" in beyond.text


def test_histogram_bar_applies_its_range(client):
    page = client.get("/", params={"q": "台湾 军售"}).text
    assert "Articles per week" in page
    bars = re.findall(r'<a class="bar-link" href="([^"]+)" data-start="([^"]+)" data-end="([^"]+)">\s*<g><title>([^<]+)</title>', page)
    href, start, end, title = bars[0]
    assert title == "2025-W46: 2 articles, 1 story"  # 中央社 and its copy in 聯合報, on the 14th
    narrowed = client.get(html.unescape(href)).text
    assert (field_value(narrowed, "since"), field_value(narrowed, "until")) == (start, end) == ("2025-11-10", "2025-11-16")
    assert "2 articles (1 story)" in narrowed
    assert "Articles per day" in narrowed


def test_outlet_counts_filter_on_click(client):
    page = client.get("/", params={"q": "軍售"}).text
    outlets = re.search(r'<aside class="outlets">(.*?)</aside>', page, re.DOTALL).group(1)
    assert re.search(r'>中央社</a> <span class="n">1</span>', outlets)
    link = re.search(r'<a href="([^"]+)">自由時報</a>', outlets).group(1)
    narrowed = client.get(html.unescape(link)).text
    assert field_value(narrowed, "source") == "自由時報"
    assert hit_ids(narrowed) == [LTN]


def test_without_a_query_the_page_lists_the_newest_articles(client):
    page = client.get("/").text
    assert f"{GENERATED + 8} articles stored, newest first" in page
    assert hit_ids(page)[0] == "000_483c8889d9bd71fa"  # the seed, 2026-02-08
    assert "<svg" in page and 'aria-label="Matching articles per' in page


def test_no_hits_explains_each_word(client):
    page = client.get("/", params={"q": "軍售 火星"}).text
    assert "No articles match <strong>軍售 火星</strong>" in page
    assert "火星: 0 articles" in page and "軍售: 7 articles" in page
    assert 'href="/?q=%E8%BB%8D%E5%94%AE">軍售</a>' in page


# -- the article page -------------------------------------------------------------


def test_article_page_from_a_search(client):
    page = client.get(f"/articles/{CNA}", params={"q": "台湾 军售"}).text
    assert "<h1>美國宣布對台<mark>軍售</mark>3.3億美元 國防部感謝美方</h1>" in page
    assert "2025-11-14 09:30 +08:00" in page and "中央社" in page and "游凱翔" in page
    assert '<a class="original" href="https://www.cna.com.tw/news/aipl/202511140001.aspx"' in page
    assert "<p>國防部指出，美方持續協助<mark>台灣</mark>強化防衛韌性，國軍將確保新購裝備如期形成戰力。</p>" in page
    copies = re.search(r'<section class="copies-list">(.*?)</section>', page, re.DOTALL).group(1)
    assert "1 other copy of this story" in copies and f"/articles/{UDN}?q=" in copies
    related = re.search(r'<section class="related">(.*?)</section>', page, re.DOTALL).group(1)
    assert hit_ids(related) and CNA not in hit_ids(related) and UDN not in hit_ids(related)


def test_article_page_without_a_search_has_no_highlights(client):
    page = client.get(f"/articles/{LTN}").text
    assert marks(main_part(page).split('<aside class="side">')[0]) == []
    assert 'class="back"' not in page


# -- hostile pages ------------------------------------------------------------------


@pytest.mark.parametrize("url", [f"/articles/{HOSTILE}", "/?q=軍售", f"/articles/{XINHUA}"])
def test_a_hostile_article_renders_as_text(client, url):
    response = client.get(url)
    page = response.text
    assert "<script>alert" not in page and "<img" not in page and "<b>壞網站" not in page
    assert 'href="javascript:' not in page.lower() and "onerror=\"" not in page
    if url == f"/articles/{HOSTILE}":
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;台灣軍售的假新聞" in page
        assert "&lt;a href=&#34;javascript:alert(&#39;link&#39;)&#34;&gt;點此看軍售詳情&lt;/a&gt;" in page
        assert "駭客\\u202e客駭" in page and "\u202e" not in page  # a bidi override is shown, not obeyed
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_links_only_for_web_addresses():
    from newsgrep.web.marking import web_link

    assert web_link("https://www.cna.com.tw/news/1.aspx") == "https://www.cna.com.tw/news/1.aspx"
    assert web_link("HTTP://udn.com/a") == "HTTP://udn.com/a"
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\nscript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
                "//evil.example/x", "ftp://example.com/", "https://", None, ""):
        assert web_link(url) is None, url


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/static/serve.css", "/api/search?q=軍售", "/no/such/page", f"/articles/{CNA}"):
        headers = client.get(url).headers
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["referrer-policy"] == "no-referrer"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "message"), [
    ("/?page=0", "page: &#39;0&#39; is not a number from 1 to 1000"),
    ("/?page=二", "page: &#39;二&#39; is not a number from 1 to 1000"),
    ("/?since=2025-02-30", "since: &#39;2025-02-30&#39; is not a date (YYYY-MM-DD)"),
    ("/?since=2025-12-01&until=2025-11-01", "since 2025-12-01 is after until 2025-11-01"),
    ("/?sort=popular", "sort: &#39;popular&#39; is not one of score, date"),
    ("/?q=-軍售", "has no searchable words"),
    ("/?q=" + "軍" * 1001, "query too long (1001 characters; at most 1000)"),
    ("/?q=foo:bar", "unknown field foo:"),
    (f"/articles/{CNA}?page=-1", "page: &#39;-1&#39; is not a number"),
])
def test_bad_parameters_give_a_400_page(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert '<h1>400 · Bad request</h1>' in response.text and message in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("article_id", ["no-such-article", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "%00", "generated"])
def test_a_missing_article_gives_a_404_page(client, article_id):
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 404
    assert "<h1>404 · Not found</h1>" in response.text
    assert "root:" not in response.text  # an id only ever looks up the index


def test_unknown_addresses_give_a_404_page(client):
    response = client.get("/admin")
    assert response.status_code == 404 and "<h1>404 · Not found</h1>" in response.text


def test_an_internal_error_is_a_500_page_with_one_line(client, monkeypatch, capsys):
    from newsgrep.web import pages

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pages, "search_page", broken)
    response = client.get("/", params={"q": "軍售"})
    assert response.status_code == 500
    assert "internal error: RuntimeError" in response.text and "Traceback" not in response.text
    assert capsys.readouterr().err == "newsgrep: internal error: RuntimeError: disk on fire\n"


# -- the JSON API ------------------------------------------------------------------------


def test_api_search_gives_the_cli_json_hits(client, web_index):
    answer = client.get("/api/search", params={"q": "台灣 軍售", "since": "2025-11-01"}).json()
    assert (answer["total"], answer["stories"], answer["offset"]) == (6, 5, 0)
    assert answer["hits"] == cli_json(web_index, "search", "台灣 軍售", "--since", "2025-11-01")
    second = client.get("/api/search", params={"q": "報導", "limit": 2, "page": 2}).json()
    assert second["offset"] == 2 and len(second["hits"]) == 2


def test_api_search_without_hits_explains(client):
    answer = client.get("/api/search", params={"q": "軍售 火星"}).json()
    assert answer["hits"] == [] and answer["suggestion"] == "軍售"
    assert {"word": "火星", "articles": 0, "unfiltered": None} in answer["word_counts"]


def test_api_article_gives_the_cli_show_json(client, web_index):
    answer = client.get(f"/api/articles/{CNA}").json()
    assert [answer] == cli_json(web_index, "show", CNA)
    assert answer["copies"][0]["id"] == UDN and answer["body"][0]["kind"] == "paragraph"


def test_api_related_gives_the_cli_related_json(client, web_index):
    answer = client.get(f"/api/related/{CNA}").json()
    assert answer["hits"] == cli_json(web_index, "show", CNA, "--related")


def test_api_timeline_and_facets(client):
    timeline_answer = client.get("/api/timeline", params={"q": "軍售", "by": "month"}).json()
    assert timeline_answer["by"] == "month"
    assert [(b["label"], b["articles"]) for b in timeline_answer["buckets"]] == [("2025-10", 1), ("2025-11", 5), ("2025-12", 0), ("2026-01", 0), ("2026-02", 1)]
    facet_answer = client.get("/api/facets", params={"q": "軍售", "field": ["source", "month"]}).json()
    assert set(facet_answer) == {"source", "month"}
    assert {"field": "source", "value": "中央社", "articles": 1, "share": round(1 / 7, 4)} in facet_answer["source"]
    assert client.get("/api/timeline", params={"by": "fortnight"}).status_code == 400
    assert client.get("/api/facets", params={"field": "colour"}).status_code == 400


@pytest.mark.parametrize(("url", "status", "error"), [
    ("/api/search", 400, "q: a query is required"),
    ("/api/search?q=軍售&limit=1000", 400, "limit: '1000' is not a number from 1 to 100"),
    ("/api/articles/nope", 404, "no article with id 'nope'"),
    ("/api/related/nope", 404, "no article with id 'nope'"),
])
def test_api_errors_are_json(client, url, status, error):
    response = client.get(url)
    assert response.status_code == status
    assert response.json() == {"error": error}


def test_api_answers_utf8_without_escapes(client):
    raw = client.get("/api/search", params={"q": "軍售"}).content.decode("utf-8")
    assert "軍售" in raw and "\\u8ecd" not in raw


# -- the command ---------------------------------------------------------------------------


def test_serve_listens_on_loopback_answers_and_stops_on_ctrl_c(web_index):
    with serving(web_index) as (url, proc):
        assert url.startswith("http://127.0.0.1:")
        with urlopen(url + "?q=" + quote("台灣 軍售")) as response:
            assert response.status == 200 and "<mark>台灣</mark>" in response.read().decode("utf-8")
    assert proc.returncode == 0
    lines = proc.stopped_output.splitlines()
    assert lines[0] == f"newsgrep: serving {web_index} at {url} (read-only, this computer only; Ctrl-C stops)"
    assert lines[-1] == "newsgrep: stopped" and "Traceback" not in proc.stopped_output


def test_serve_open_starts_the_browser_on_its_address(web_index, tmp_path):
    opened = tmp_path / "opened"
    browser = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.argv[2])\" {opened} %s"
    with serving(web_index, "--open", env={"BROWSER": browser}) as (url, _):
        for _ in range(100):
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.1)
    assert opened.read_text() == url


def test_serve_on_a_port_in_use_is_one_line(web_index):
    with serving(web_index) as (url, _):
        port = urlsplit(url).port
        from corpusgen import run_newsgrep

        result = run_newsgrep("serve", "--port", str(port), index_path=web_index, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"newsgrep: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_serve_without_an_index_is_one_line(tmp_path):
    from corpusgen import run_newsgrep

    result = run_newsgrep("serve", "--port", "0", index_path=tmp_path / "nothing", timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"newsgrep: no index at {tmp_path / 'nothing'}") and result.stderr.count("\n") == 1


def test_other_commands_do_not_import_the_web_framework():
    code = "import sys, newsgrep.cli; print(sorted(m for m in ('starlette', 'jinja2', 'uvicorn', 'newsgrep.web') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
