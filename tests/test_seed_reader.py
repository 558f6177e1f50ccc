"""The seed format, parsed exactly: date, lede, derived title, paragraphs, headings, captions, noise."""


import pytest

from newsgrep.errors import ReadError
from newsgrep.readers import read_file
from newsgrep.readers.structure import derive_title, split_caption

from conftest import FIXTURES, SEED


@pytest.fixture(scope="module")
def seed():
    [article] = read_file(SEED).articles
    return article


def test_seed_identity_and_date(seed):
    assert seed.id == "000_483c8889d9bd71fa"
    assert seed.date.isoformat() == "2026-02-08"
    assert seed.source_path == str(SEED)
    assert len(seed.content_hash) == 32


def test_seed_title_is_derived_from_the_lede(seed):
    assert seed.title == "美國總統川普與中國國家主席習近平4日再度通話"
    assert seed.title_derived is True
    assert seed.lede.startswith("美國總統川普與中國國家主席習近平4日再度通話，討論貿易")
    assert seed.lede.endswith("並為2026年的雙邊關係保留彈性。")


def test_seed_paragraphs_and_headings(seed):
    assert seed.headings == [
        "從大豆到能源，川普釋出穩定美中關係訊號",
        "從台灣到峰會議程，習近平強調主權與領土",
        "貿易休戰未破局，台海與區域因素仍牽動局勢",
    ]
    assert len(seed.paragraphs) == 15
    assert seed.paragraphs[0].startswith("繼去年11月後")
    assert seed.paragraphs[-1] == "總統賴清德則於5日表示，台美之間也有很好的溝通管道，美中台關係維持不變，台美關係堅如磐石，合作計畫持續進行，不會改變。"
    # order is kept: the first heading comes after the third paragraph
    kinds = [b.kind for b in seed.body]
    assert kinds[:4] == ["paragraph", "paragraph", "paragraph", "heading"]


def test_seed_noise_is_gone_and_caption_kept(seed):
    text = seed.text
    assert "廣告" not in text
    assert "延伸閱讀" not in text
    assert "Flickr" not in text
    [caption] = seed.captions
    assert caption.text == "習近平強調：「台灣問題是中美關係中最重要的問題。」"
    assert caption.credit == "Flickr by The White House"
    # the caption's words are still searchable text
    assert caption.text in text


def test_real_sentences_that_mention_noise_words_are_kept():
    [article] = read_file(FIXTURES / "corpus" / "102_typhoon.txt").articles
    text = article.text
    assert "這則廣告廣告費用高達百萬元" in text
    assert "記者在延伸閱讀區看到的舊聞" in text
    assert "該照片取自Flickr by 網友上傳的作品，已經獲得授權使用。" in text
    assert "颱風假怎麼放" not in text  # the 延伸閱讀： link line itself is dropped
    assert [(c.text, c.credit) for c in article.captions] == [("民眾在台中港拍下巨浪。", "圖片來源：讀者提供")]


def test_bom_crlf_and_full_width_spaces(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    messy = "\ufeff" + text.replace("\n", "\r\n").replace("\r\n\r\n繼去年", "\r\n\u3000\u3000\r\n\u3000\u3000繼去年")
    path = tmp_path / "000_483c8889d9bd71fa.txt"
    path.write_bytes(messy.encode("utf-8"))
    [messy_article] = read_file(path).articles
    [clean_article] = read_file(SEED).articles
    assert messy_article.content_hash == clean_article.content_hash
    assert messy_article.paragraphs[0].startswith("繼去年11月後")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"\x00\x01\x02binary", "binary file (NUL byte at offset 0)"),
        (b" date 2025-01-01 \xff\xff\xff\xff", "not valid UTF-8 (byte 0xff at offset 17) nor Big5/GB18030"),
        (" date 2025-13-45 台灣新聞".encode("utf-8"), "bad date '2025-13-45' on line 1 (expected YYYY-MM-DD)"),
    ],
)
def test_bad_files_raise_a_read_error_naming_file_and_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == f"{path}: {reason}"


def test_derive_title_prefers_clause_breaks():
    assert derive_title("短句。第二句。") == "短句"
    long = "行政院今天召開記者會宣布，明年起全面調整基本工資、勞保費率、健保費率與其他多項社會福利措施的計算方式。"
    assert derive_title(long) == "行政院今天召開記者會宣布"
    no_breaks = "這是一個沒有任何標點符號而且非常非常非常非常非常非常非常非常非常非常非常非常非常長的句子用來測試截斷"
    assert derive_title(no_breaks).endswith("…") and len(derive_title(no_breaks)) == 41


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("習近平強調：「台灣問題」Flickr by The White House", ("習近平強調：「台灣問題」", "Flickr by The White House")),
        ("川普與習近平通話。（圖／路透社）", ("川普與習近平通話。", "圖／路透社")),
        ("Photo Credit: Reuters/達志影像", ("", "Photo Credit: Reuters/達志影像")),
        ("他說圖片來源：網路，並不可靠。", None),
        ("中國軍演範圍示意圖：台灣周邊海域", None),
    ],
)
def test_split_caption(line, expected):
    caption = split_caption(line)
    assert (caption and (caption.text, caption.credit)) == expected


def test_big5_seed_text_is_decoded_not_refused(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(" date 2025-01-01 台灣新聞報導今天的颱風消息。".encode("big5"))
    read = read_file(path)
    assert read.encoding == "cp950"
    assert read.articles[0].lede == "台灣新聞報導今天的颱風消息。"
