"""Ingesting what scrapers leave behind: many articles per file, the same URL in several crawls, browsing with list."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, SEED

CRAWL = [
    {
        "url": "https://news.example.tw/a/1",
        "title": "颱風逼近　中央氣象署發布海上警報 ｜ 範例新聞網",
        "content": "中央氣象署今天上午發布海上颱風警報，預計明天清晨接近東部海面。\n花蓮、台東沿海民眾應注意強風與大浪。",
        "published_date": "2025-09-01 08:30",
        "source_name": "範例新聞網",
        "author": "林小美",
    },
    {
        "url": "https://news.example.tw/a/2",
        "title": "台積電擴大在台投資",
        "content": "台積電宣布將在高雄新建兩座晶圓廠，預計創造三千個工作機會。",
        "published_date": "2025-09-02",
        "source_name": "範例新聞網",
    },
]


def write_jsonl(path, records, junk: str = "") -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n" + junk, encoding="utf-8")


def lines_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_the_same_url_in_two_crawls_is_one_record(run, tmp_path):
    crawls = tmp_path / "crawls"
    crawls.mkdir()
    write_jsonl(crawls / "monday.jsonl", CRAWL)
    write_jsonl(crawls / "tuesday.jsonl", CRAWL[:1])
    result = run("ingest", str(crawls))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "1 merged (same URL)" in result.output
    hits = lines_of(run("search", "颱風 警報", "--json").output)
    assert len(hits) == 1
    assert hits[0]["url"] == "https://news.example.tw/a/1"
    assert hits[0]["outlet"] == "範例新聞網" and hits[0]["author"] == "林小美"
    assert hits[0]["title"] == "颱風逼近　中央氣象署發布海上警報"  # site name stripped
    again = run("ingest", str(crawls))
    assert "0 added, 0 updated, 2 unchanged" in again.output and "merged" not in again.output


def test_one_file_holding_the_same_url_twice_stores_it_once(run, tmp_path):
    twice = tmp_path / "twice.jsonl"
    write_jsonl(twice, [CRAWL[0], dict(CRAWL[0], content="中央氣象署今天中午解除海上颱風警報。")])
    result = run("ingest", str(twice))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "1 merged (same URL)" in result.output
    listed = lines_of(run("list", "--json").output)
    assert [a["url"] for a in listed] == ["https://news.example.tw/a/1"]
    again = run("ingest", str(twice))
    assert "0 added, 0 updated, 1 unchanged" in again.output


def test_a_later_crawl_with_new_text_updates_the_record(run, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", CRAWL[:1])
    run("ingest", str(tmp_path / "a.jsonl"))
    corrected = dict(CRAWL[0], content="中央氣象署今天中午解除海上颱風警報，颱風已轉向北方。")
    write_jsonl(tmp_path / "b.jsonl", [corrected])
    run("ingest", str(tmp_path / "b.jsonl"))
    hits = lines_of(run("search", "颱風", "--json").output)
    assert len(hits) == 1 and "解除" in hits[0]["snippet"]


def test_identical_text_under_two_urls_is_reported_as_duplicate(run, tmp_path):
    write_jsonl(tmp_path / "dupes.jsonl", [CRAWL[1], dict(CRAWL[1], url="https://mirror.example.tw/x")])
    result = run("ingest", str(tmp_path))
    assert "2 added" in result.output and "1 duplicate text" in result.output


def test_broken_line_and_nul_junk_are_warnings_and_the_rest_is_kept(run, tmp_path):
    path = tmp_path / "broken.jsonl"
    write_jsonl(path, CRAWL, junk='{"title": "壞掉的一行", "content": \n')
    path.write_bytes(b"\x00" * 64 + path.read_bytes())
    result = run("ingest", str(path))
    assert result.exit_code == 0
    assert "warning" in result.output and "line 3" in result.output and "NUL" in result.output
    assert "2 added" in result.output


def test_field_override_and_verbose_encoding(run, tmp_path):
    path = tmp_path / "odd.json"
    path.write_bytes(json.dumps([{"headline": "高雄捷運延伸線動工", "article_text": "高雄市政府今天舉行捷運延伸線動工典禮。"}], ensure_ascii=False).encode("gb18030"))
    result = run("ingest", str(path), "--field", "content=article_text", "--verbose")
    assert result.exit_code == 0, result.output
    assert "gb18030" in result.output.lower()
    assert lines_of(run("search", "捷運 動工", "--json").output)[0]["title"] == "高雄捷運延伸線動工"
    assert run("ingest", str(path), "--field", "nonsense").exit_code == 2


def test_list_is_newest_first_with_filters(run, tmp_path):
    write_jsonl(tmp_path / "crawl.jsonl", CRAWL)
    shutil.copy(SEED, tmp_path)
    shutil.copy(FIXTURES / "readers" / "article_page.html", tmp_path)
    assert run("ingest", str(tmp_path)).exit_code == 0
    rows = lines_of(run("list", "--json").output)
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated, reverse=True) and len(rows) == 4
    assert rows[0]["id"] == "000_483c8889d9bd71fa"
    only = lines_of(run("list", "--source", "範例新聞網", "--json").output)
    assert {r["url"] for r in only} == {"https://news.example.tw/a/1", "https://news.example.tw/a/2"}
    assert [r["id"] for r in lines_of(run("list", "--since", "2026-01-01", "--json").output)] == ["000_483c8889d9bd71fa"]
    assert "範例新聞網" in run("list").output
