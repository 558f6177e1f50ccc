"""Saved web pages: metadata from the page's own declarations, the body without the page around it."""

import datetime as dt

import pytest

from newsgrep.readers import read_file
from newsgrep.readers.assemble import url_article_id
from newsgrep.readers.structure import strip_site_name

from conftest import FIXTURES

PAGE = FIXTURES / "readers" / "article_page.html"
TAIWAN = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def page():
    read = read_file(PAGE)
    assert (read.format, read.encoding, read.problems) == ("html", "utf-8", [])
    [article] = read.articles
    return article


def test_page_metadata(page):
    assert page.id == url_article_id("https://news.example.com.tw/news/life/breakingnews/4321")  # its own URL
    assert page.title == "颱風凱米逼近\u3000東部山區豪雨特報"  # the <h1>, with its own full-width space
    assert page.title_derived is False
    assert page.date == dt.datetime(2024, 7, 23, 9, 30, tzinfo=TAIWAN)
    assert page.url == "https://news.example.com.tw/news/life/breakingnews/4321"
    assert page.outlet == "自由時報電子報"
    assert page.author == "林小雨"


def test_page_body_is_the_article_only(page):
    assert page.lede.startswith("中度颱風凱米持續逼近")
    assert page.headings == ["農民搶收\u3000菜價恐上漲"]
    assert len(page.paragraphs) == 2
    text = page.text
    for furniture in ("首頁", "分享到", "相關新聞", "颱風假怎麼放", "網友留言", "版權所有", "廣告程式碼",
                      "color", "請繼續往下閱讀", "記者林小雨／花蓮報導"):
        assert furniture not in text
    assert [c.text for c in page.captions] == ["花蓮沿海今早浪高超過三公尺。（記者林小雨攝）"]


def test_entities_are_decoded(page):
    assert "東部沿海兒童與長者" in page.paragraphs[0]
    assert "&#" not in page.text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("和男友口角鎖門吞藥　女墜樓不治 | 蘋果日報", "和男友口角鎖門吞藥　女墜樓不治"),
        ("10年前父親掐死兒後自縊... 凶宅下月拍開價425萬 - 生活 - 自由時報電子報", "10年前父親掐死兒後自縊... 凶宅下月拍開價425萬"),
        ("芬普尼蛋對人體會有什麼影響？ 問題蛋編碼辨識方法一次看 ｜ 公視新聞網 PNN", "芬普尼蛋對人體會有什麼影響？ 問題蛋編碼辨識方法一次看"),
        ("急凍11℃ ！「這天」短暫回暖｜壹蘋新聞網", "急凍11℃ ！「這天」短暫回暖"),
        ("泰破獲野生動物走私 62隻瀕危長尾獼猴被塞塑膠袋│TVBS新聞網", "泰破獲野生動物走私 62隻瀕危長尾獼猴被塞塑膠袋"),
        ("沒有網站名稱的標題", "沒有網站名稱的標題"),
        ("COVID-19 - 疫情", "COVID-19"),
    ],
)
def test_site_names_come_off_titles(title, expected):
    assert strip_site_name(title) == expected


def _page(charset_meta: str, body: str) -> str:
    return (f"<html><head>{charset_meta}<title>{body[:8]} | Daily News</title></head><body>"
            f"<div class='nav'><a href='/'>Home</a></div><article><h1>{body[:8]}</h1>"
            f"<p>{body}</p><p>{body}第二段。</p></article></body></html>")


def test_page_declaring_big5_that_is_utf8_is_read_as_utf8(tmp_path):
    body = "地方法院公告法拍屋查詢系統今日起更新，民眾可上網查詢拍賣資訊。"
    path = tmp_path / "court.html"
    path.write_bytes(_page('<meta http-equiv="Content-Type" content="text/html; charset=big5">', body).encode("utf-8"))
    read = read_file(path)
    assert read.encoding == "utf-8"
    assert read.articles[0].lede == body


@pytest.mark.parametrize(("codec", "meta"), [("big5", ""), ("big5", '<meta charset="big5">'), ("gb18030", ""),
                                             ("gb2312", '<meta charset="gb2312">')])
def test_legacy_encoded_pages(tmp_path, codec, meta):
    body = ("台北看守所昨天抽查舍房，律師表示當事人強烈不滿並提出抗議。" if codec == "big5"
            else "北京市政府今天召开新闻发布会，介绍城市交通建设的最新进展情况。")
    path = tmp_path / "page.htm"
    path.write_bytes(_page(meta, body).encode(codec))
    read = read_file(path)
    assert read.encoding == ("cp950" if codec == "big5" else "gb18030")
    assert read.articles[0].lede == body
    assert read.articles[0].title == body[:8]


def test_page_without_article_text_is_a_read_error(tmp_path):
    from newsgrep.errors import ReadError

    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><nav><a href='/'>首頁</a></nav></body></html>")
    with pytest.raises(ReadError, match="no article text found in the page"):
        read_file(path)


def test_a_facebook_url_or_an_outlet_is_never_the_author(tmp_path):
    page = tmp_path / "udn.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>澎湖空屋驚見男屍 | 聯合新聞網</title>"
        "<meta property='article:author' content='https://www.facebook.com/myudn/'>"
        "<meta name='author' content='聯合新聞網'><meta property='og:site_name' content='聯合新聞網'></head><body>"
        "<div class='story_bady_info_author'><span>2018-02-28 14:31</span>聯合報 記者</div>"
        "<div class='story'><p>馬公水仙宮旁的一處廢棄破屋內，今天上午被民眾發現一具男性遺體，警方已到場調查。</p>"
        "<p>警方初步研判死者為附近居民，死亡時間約兩天，詳細死因仍待檢察官相驗釐清。</p></div></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(page).articles
    assert article.author is None
    assert article.byline == "2018-02-28 14:31 聯合報 記者"


def _site_page(url_markup: str, text: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{text[:10]}</title>{url_markup}</head>"
            f"<body><article><p>{text}</p><p>{text[:12]}，記者持續追蹤後續發展。</p></article></body></html>")


@pytest.mark.parametrize(
    "markup",
    [
        "<link rel='canonical' href='https://news.example.tw/story/7315/3004543'>",
        "<meta property='og:url' content='https://news.example.tw/story/7315/3004543'>",
        '<script type="application/ld+json">{"@type": "NewsArticle", "url": "https://news.example.tw/story/7315/3004543"}</script>',
        '<script type="application/ld+json">{"@type": "NewsArticle", "mainEntityOfPage": '
        '{"@type": "WebPage", "@id": "https://news.example.tw/story/7315/3004543"}}</script>',
        "<meta property='og:url' content='https://news.example.tw/'>"  # the site's home page is no article's URL
        "<link rel='canonical' href='/story/7315/3004543'>",
    ],
)
def test_a_page_that_declares_its_url_gets_its_id_from_it(tmp_path, markup):
    folder = tmp_path / "udn"
    folder.mkdir()
    (folder / "1.html").write_text(_site_page(markup, "澎湖縣馬公市水仙宮旁的廢棄空屋內，今天發現一具男性遺體。"), encoding="utf-8")
    [article] = read_file(folder / "1.html").articles
    assert article.id == url_article_id("https://news.example.tw/story/7315/3004543")
    assert article.url == "https://news.example.tw/story/7315/3004543"


def test_pages_with_the_same_file_name_and_different_urls_get_different_ids(tmp_path):
    ids = set()
    for number, folder in enumerate(("6ab452b", "9df525c")):
        (tmp_path / folder).mkdir()
        page = tmp_path / folder / "udn.html"
        url = f"<link rel='canonical' href='https://udn.com/news/story/7315/{3004543 + number}'>"
        page.write_text(_site_page(url, "桃園機場第二航廈發生墜樓事件，警方到場處理並調閱監視器畫面。"), encoding="utf-8")
        ids.add(read_file(page).articles[0].id)
    assert len(ids) == 2 and all(i.startswith("udn.com-") for i in ids)


def test_a_page_without_a_url_takes_the_callers_id(tmp_path):
    page = tmp_path / "2.html"
    page.write_text(_site_page("<meta property='og:url' content='https://news.example.tw/'>",
                               "高雄港今年貨櫃吞吐量成長，港務公司表示將持續擴建碼頭。"), encoding="utf-8")
    assert read_file(page).articles[0].id == "2"
    [article] = read_file(page, fallback_id="ettoday/2").articles
    assert article.id == "ettoday/2" and article.url is None


@pytest.mark.parametrize(
    "headline",
    [
        "<header><hgroup><h1>屋法拍 癌漢伴3孫棲工廠</h1><h2>颱風夜難眠 童言：為什麼趕我們</h2></hgroup></header>",
        "<div class='head'><h1>屋法拍 癌漢伴3孫棲工廠</h1><h2>颱風夜難眠 童言：為什麼趕我們</h2></div>",
        "<h1>屋法拍 癌漢伴3孫棲工廠</h1><nav><a href='/'>首頁</a></nav><p class='sub_title'>颱風夜難眠 童言：為什麼趕我們</p>",
    ],
    ids=["hgroup in a header", "h2 right after the h1", "sub_title class"],
)
def test_the_subtitle_under_the_headline_is_the_bodys_first_heading(tmp_path, headline):
    page = tmp_path / "A1725.htm"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>屋法拍 癌漢伴3孫棲工廠 | 蘋果日報</title></head><body>"
        f"{headline}<div class='articulum'>"
        "<p>56歲的林進發罹患口腔癌，且雙耳重聽、雙眼弱視，他對身體病痛早已看淡，唯提及被法拍的家屋才費力說話。<br>"
        "報導 ．攝影╱游竹君<br></p><h2>心血被點交險想不開</h2>"
        "<p>一輩子務農的阿發，多年前以家屋抵押貸款買耕耘機，沒想到這兩年健康惡化，貸款無法負擔。</p></div></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(page).articles
    assert article.headings == ["颱風夜難眠 童言：為什麼趕我們", "心血被點交險想不開"]
    assert article.body[0].text == "颱風夜難眠 童言：為什麼趕我們"
    assert "颱風夜難眠" in article.text
    assert (article.author, article.byline) == ("游竹君", "報導 ．攝影╱游竹君")
    assert "報導" not in article.lede and len(article.paragraphs) == 1


def test_a_sidebar_of_columnists_is_not_the_byline(tmp_path):
    page = tmp_path / "setn.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>與母爭吵疑失足墜樓　男子送醫搶救不治</title></head><body>"
        "<h1>與母爭吵疑失足墜樓　男子送醫搶救不治</h1><span class='reporter'>社會中心／綜合報導</span>"
        "<div id='Content1'><p>新北市新店區今天下午發生墜樓案件，一名男子疑與母親爭吵後失足墜落，送醫搶救後仍不治。</p>"
        "<p>警方到場調查後表示，將釐清男子墜樓原因，並調閱監視器畫面。</p></div>"
        "<div class='right-writer-info'><a href='/a'>相差55歲 「她」與金庸是忘年之交</a></div>"
        "<div class='right-writer-info author-box'>快訊／駕駛將開記者會還原經過</div></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(page).articles
    assert (article.author, article.byline) == (None, "社會中心／綜合報導")
