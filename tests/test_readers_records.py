"""JSON Lines, JSON arrays and <doc> collections: field mapping, broken lines survived, stable ids."""

import datetime as dt
import json

import pytest

from newsgrep.errors import ReadError
from newsgrep.readers import read_file
from newsgrep.readers.assemble import url_article_id

from conftest import FIXTURES

READERS = FIXTURES / "readers"
TAIWAN = dt.timezone(dt.timedelta(hours=8))


def test_jsonl_maps_fields_and_survives_a_broken_line():
    read = read_file(READERS / "records.jsonl")
    assert read.format == "jsonl"
    assert read.problems == ["line 2: invalid JSON (Unterminated string starting at)"]
    first, second = read.articles
    assert first.id == url_article_id("https://www.example.com.tw/news/202501150001")
    assert first.title == "台北捷運票價明年調漲\u3000議會要求配套"  # site name stripped
    assert first.date == dt.date(2025, 1, 15)
    assert (first.outlet, first.author, first.category, first.tags) == ("範例新聞網", "王大明", None, ("捷運", "票價"))
    # one flattened line becomes paragraphs; the 延伸閱讀 link line is noise
    assert first.lede == "台北市政府今天宣布，捷運票價將於明年起調整，平均漲幅約百分之五。"
    assert first.paragraphs == ["議員質詢時要求市府提出弱勢族群的補貼配套，避免通勤族負擔過重。"]
    # no URL: <stem>-<line number>; Simplified text, a naive time taken as Taiwan time
    assert second.id == "records-3"
    assert second.date == dt.datetime(2025, 1, 16, 8, 30, tzinfo=TAIWAN)
    assert second.outlet == "示例新闻网"
    assert second.paragraphs == ["市民表示，新线路大大缩短了通勤时间。"]


def test_json_array_and_records_without_text():
    read = read_file(READERS / "records.json")
    assert read.format == "json"
    assert read.problems == ["record 2: no article text"]
    [article] = read.articles
    assert article.id == "records-1"
    assert article.title == "立法院三讀通過能源法修正案"
    assert article.date == dt.date(2025, 5, 6)


def test_same_url_gives_same_id_in_any_file(tmp_path):
    line = json.dumps({"url": "https://news.example.tw/a/1?utm_source=fb#top", "title": "標題",
                       "content": "同一篇文章被爬進兩個檔案，識別碼應該相同。"}, ensure_ascii=False)
    ids = []
    for name in ("crawl_a.jsonl", "crawl_b.jsonl"):
        (tmp_path / name).write_text(line + "\n", encoding="utf-8")
        ids.append(read_file(tmp_path / name).articles[0].id)
    assert ids[0] == ids[1] == url_article_id("https://news.example.tw/a/1")
    assert ids[0].startswith("news.example.tw-") and len(ids[0]) == len("news.example.tw-") + 12


def test_leading_nul_bytes_are_skipped_and_reported(tmp_path):
    line = json.dumps({"title": "測試", "content": "檔案開頭有一大段空白位元組，後面才是資料。"}, ensure_ascii=False)
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\x00" * 4096 + line.encode("utf-8") + b"\n")
    read = read_file(path)
    assert read.problems == ["skipped 4096 NUL bytes at start"]
    assert read.articles[0].lede == "檔案開頭有一大段空白位元組，後面才是資料。"


def test_entities_in_json_content_are_decoded(tmp_path):
    content = "".join(f"&#{ord(c)};" for c in "民眾到超市購物。") + "&nbsp小孩&#20818;童"
    path = tmp_path / "pts.jsonl"
    path.write_text(json.dumps({"title": "實體", "content": content}) + "\n", encoding="utf-8")
    [article] = read_file(path).articles
    assert article.lede == "民眾到超市購物。"  # &nbsp after a sentence end is a flattened paragraph break
    assert "小孩兒童" in article.text and "&" not in article.text


def test_field_overrides(tmp_path):
    path = tmp_path / "custom.jsonl"
    record = {"headline_zh": "自訂欄位標題", "article_text": "內文放在不常見的欄位名稱裡面。", "content": "不是這個"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [article] = read_file(path, fields={"content": "article_text", "title": "headline_zh"}).articles
    assert (article.title, article.lede) == ("自訂欄位標題", "內文放在不常見的欄位名稱裡面。")
    with pytest.raises(ValueError, match="unknown article field 'colour'"):
        read_file(path, fields={"colour": "x"})


def test_a_file_with_no_usable_record_is_a_read_error(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"title": "a", "content": \n{"nope"\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"no usable article in JSONL file \(line 1: invalid JSON"):
        read_file(path)


def test_jsonl_saved_as_json_is_sniffed(tmp_path):
    path = tmp_path / "mislabeled.json"
    rows = [{"title": f"第{i}則", "content": f"第{i}則新聞的內容在這裡。"} for i in (1, 2)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    read = read_file(path)
    assert read.format == "jsonl" and [a.title for a in read.articles] == ["第1則", "第2則"]


SOGOU = """<doc>
<url>http://news.example.cn/20120612/n345.shtml</url>
<docno>a1b2c3d4e5f60001</docno>
<contenttitle>北京暴雨致多条道路积水</contenttitle>
<content>北京今天遭遇今年入汛以来最强降雨，多条道路出现积水。\ue40c\ue40c交管部门提醒市民尽量选择公共交通出行。</content>
</doc>
<doc>
<url></url>
<docno>a1b2c3d4e5f60002</docno>
<contenttitle>空白新闻</contenttitle>
<content></content>
</doc>
<doc>
<url></url>
<docno>a1b2c3d4e5f60003</docno>
<contenttitle>上海发布高温预警</contenttitle>
<content>上海市气象台今天发布高温橙色预警，最高气温将达三十八度 &amp; 以上。</content>
</doc>
"""


def test_trec_gb18030_collection(tmp_path):
    path = tmp_path / "news.sohunews.010806.txt"
    path.write_bytes(SOGOU.encode("gb18030"))
    read = read_file(path)
    assert (read.format, read.encoding) == ("trec", "gb18030")
    assert read.problems == ["doc 2 (a1b2c3d4e5f60002): no article text"]
    first, second = read.articles
    assert first.id == url_article_id("http://news.example.cn/20120612/n345.shtml")
    assert first.title == "北京暴雨致多条道路积水"
    assert first.date == dt.date(2012, 6, 12)  # from the URL
    assert first.paragraphs == ["交管部门提醒市民尽量选择公共交通出行。"]
    assert second.id == "news.sohunews.010806-a1b2c3d4e5f60003"
    assert "三十八度 & 以上" in second.lede


def test_the_two_reported_slow_files_read_in_seconds(tmp_path):
    """600 KB of unclosed <b> in a <doc> took 185 s, a body ending in "文字•" x 30000 took 48 s (both quadratic)."""
    import time

    trec = tmp_path / "tags.trec"
    trec.write_text("<doc><content>" + "<b>" * 100_000 + "</doc>", encoding="utf-8")
    started = time.process_time()
    with pytest.raises(ReadError, match=r"doc 1: no article text"):
        read_file(trec)
    assert time.process_time() - started < 5
    record = {"title": "捷運動工", "content": "台北市政府宣布捷運動工，預計三年後完工通車。" + "文字•" * 30_000}
    body = tmp_path / "byline.json"
    body.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    started = time.process_time()
    assert read_file(body).articles[0].lede.startswith("台北市政府宣布捷運動工")
    assert time.process_time() - started < 5


def test_deeply_nested_json_is_a_read_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(ReadError, match=r"invalid JSON \(arrays or objects nested too deeply\)"):
        read_file(path)
    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"title": "標題", "content": "台北市政府今天宣布。"}\n' + '{"a": ' * 100_000, encoding="utf-8")
    read = read_file(lines)
    assert len(read.articles) == 1 and read.problems == ["line 2: invalid JSON (arrays or objects nested too deeply)"]


def test_a_record_whose_text_lacks_a_final_full_stop_is_kept(tmp_path):
    """Short text without 。 is heading-shaped; as a record's whole content it is still the article."""
    rows = [{"url": "https://news.example.tw/a/1", "title": "快訊", "content": "台北市今天上午發生規模四點二地震"},
            {"url": "https://news.example.tw/a/2", "title": "快訊", "content": "台北市今天上午發生規模四點二地震。"},
            {"url": "https://news.example.tw/a/3", "title": "颱風動態",
             "content": "颱風最新動態\n中央氣象署表示颱風明天清晨最接近台灣"}]
    path = tmp_path / "flash.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    read = read_file(path)
    assert read.problems == []
    first, second, third = read.articles
    assert first.lede == "台北市今天上午發生規模四點二地震"
    assert second.lede == "台北市今天上午發生規模四點二地震。"
    assert third.lede == "颱風最新動態" and third.text.endswith("中央氣象署表示颱風明天清晨最接近台灣")


@pytest.mark.parametrize(
    ("printed", "author"),
    [
        ("三立新聞網", None),
        ("中央通訊社", None),
        ("ETtoday新聞雲", None),
        ("https://www.facebook.com/setnews", None),
        ("聯合報／ 記者", None),
        ("聯合新聞網／ 綜合報導", None),
        ("中央社／ 台北18日電", None),
        ("社會中心", None),
        ("國際中心", None),
        ("編輯", None),
        ("聯合報／ 陳詩婷／康寧醫院營養師", "陳詩婷"),
        ("記者王煌忠／台中報導", "王煌忠"),
        ("文／文心蘭", "文心蘭"),
        ("林意慈", "林意慈"),
        ("快訊", None),
        ("Reporter", None),
        ("BBC News 中文", None),
        ("TVBS 記者 王小明", "王小明"),
        ("王小明、李大華", "王小明、李大華"),
        ("阿諾‧史瓦辛格", "阿諾‧史瓦辛格"),
        ("Lee Hsin-Yin", "Lee Hsin-Yin"),
        ("相差55歲 「她」與金庸是忘年之交", None),
    ],
)
def test_author_only_when_it_names_a_person_and_the_byline_as_printed(tmp_path, printed, author):
    record = {"url": "https://news.example.tw/a/9", "title": "市議會今審總預算", "author": printed,
              "content": "台北市議會今天開議審查明年度總預算，議員關切捷運延伸線經費。"}
    path = tmp_path / "authors.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [article] = read_file(path).articles
    assert article.author == author
    assert article.byline == (None if printed.startswith("https:") else printed)


def test_a_byline_in_the_text_names_the_author_when_the_field_names_an_outlet(tmp_path):
    record = {"title": "高鐵加開班次", "author": "三立新聞網",
              "content": "記者陳大明／台北報導\n台灣高鐵今天宣布，連假期間加開班次，旅客可提早訂票。"}
    path = tmp_path / "setn.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [article] = read_file(path).articles
    assert (article.author, article.byline) == ("陳大明", "三立新聞網")
    assert article.lede.startswith("台灣高鐵今天宣布")


def test_a_crawl_time_is_kept_apart_and_never_taken_for_the_publication_date(tmp_path):
    rows = [
        {"url": "https://udn.com/news/story/124648/9128913", "title": "毒雞蛋風暴", "publish_date": None,
         "crawled_at": "2025-11-19T07:07:58.173644", "content": "衛福部食藥署昨晚緊急通報，彰化縣衛生局抽驗市售雞蛋。"},
        {"url": "https://udn.com/news/story/7315/3004543", "title": "澎湖空屋", "publish_date": "2018-02-28 14:31",
         "crawled_at": "2025-11-19T07:08:01", "content": "馬公水仙宮旁的一處廢棄破屋內，今天發現一具男屍。"},
    ]
    path = tmp_path / "udn_14days.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    undated, dated = read_file(path).articles
    assert undated.date is None
    assert undated.crawled_at == dt.datetime(2025, 11, 19, 7, 7, 58, tzinfo=TAIWAN)
    assert dated.date == dt.datetime(2018, 2, 28, 14, 31, tzinfo=TAIWAN)
    assert dated.crawled_at == dt.datetime(2025, 11, 19, 7, 8, 1, tzinfo=TAIWAN)


def test_the_crawl_time_key_can_be_named(tmp_path):
    path = tmp_path / "custom.jsonl"
    record = {"title": "標題", "content": "內文寫在這裡，沒有發布時間。", "saved": "2025-11-19 07:07"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [article] = read_file(path, fields={"crawled_at": "saved"}).articles
    assert (article.date, article.crawled_at) == (None, dt.datetime(2025, 11, 19, 7, 7, tzinfo=TAIWAN))


def test_fallback_id_replaces_the_file_stem_in_every_format(tmp_path):
    seed = tmp_path / "1.txt"
    seed.write_text(" date 2025-01-02 高雄港貨櫃吞吐量成長，港務公司表示將持續擴建碼頭。", encoding="utf-8")
    assert read_file(seed, fallback_id="kaohsiung/1").articles[0].id == "kaohsiung/1"
    rows = [{"title": "沒有網址", "content": "這則紀錄沒有網址，識別碼來自呼叫者。"},
            {"url": "https://news.example.tw/a/7", "title": "有網址", "content": "這則紀錄有網址，識別碼來自網址。"}]
    lines = tmp_path / "dump.jsonl"
    lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    first, second = read_file(lines, fallback_id="crawl/dump").articles
    assert first.id == "crawl/dump-1" and second.id == url_article_id("https://news.example.tw/a/7")
    array = tmp_path / "dump.json"
    array.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert read_file(array, fallback_id="crawl/array").articles[0].id == "crawl/array-1"
    trec = tmp_path / "news.txt"
    trec.write_bytes(SOGOU.encode("gb18030"))
    assert read_file(trec, fallback_id="sogou/news").articles[1].id == "sogou/news-a1b2c3d4e5f60003"


def test_a_wayback_address_in_a_record_is_the_original_url(tmp_path):
    record = {"url": "https://web.archive.org/web/20150612083015/http://news.example.cn/2015-06/11/c_1115581234.htm",
              "title": "存檔網址", "content": "網頁存檔服務的網址應還原為原始網址。"}
    path = tmp_path / "archived.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [article] = read_file(path).articles
    assert article.url == "http://news.example.cn/2015-06/11/c_1115581234.htm"
    assert article.id == url_article_id(article.url)


LOCAL = [("2025-01-16T00:30:00+08:00", 8), ("2025-01-15T16:30:00Z", 8), ("2025-01-16T00:30:00+09:00", 9)]


@pytest.mark.parametrize(("stamp", "hours"), LOCAL)
@pytest.mark.parametrize("fmt", ["jsonl", "json", "trec", "html"])
def test_every_reader_keeps_half_past_midnight_on_its_own_day(tmp_path, fmt, stamp, hours):
    """00:30 in the page's zone stays 00:30 of the 16th in that zone: never moved to UTC (the 15th)."""
    text = "台北市今天凌晨發生規模五點一地震，各地災情仍在統計中。"
    if fmt == "html":
        data = (f"<html><head><meta charset='utf-8'><meta property='article:published_time' content='{stamp}'>"
                f"<title>凌晨地震</title></head><body><article><p>{text}</p></article></body></html>")
    elif fmt == "trec":
        data = f"<doc><docno>n1</docno><date>{stamp}</date><content>{text}</content></doc>"
    else:
        record = json.dumps({"title": "凌晨地震", "published_date": stamp, "content": text}, ensure_ascii=False)
        data = record if fmt == "jsonl" else f"[{record}]"
    path = tmp_path / f"quake.{fmt}"
    path.write_text(data, encoding="utf-8")
    [article] = read_file(path).articles
    assert (article.date.date(), article.date.hour, article.date.minute) == (dt.date(2025, 1, 16), 0, 30)
    assert article.date.utcoffset() == dt.timedelta(hours=hours)
    again = type(article).from_json(article.to_json())
    assert again.date.isoformat() == article.date.isoformat()
