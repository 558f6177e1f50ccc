"""Encodings by bytes not labels, dates to one convention, which files ingest reads."""

import datetime as dt

import pytest

from newsgrep.errors import ReadError
from newsgrep.readers import is_article_file, read_file
from newsgrep.readers.dates import parse_date
from newsgrep.readers.decode import decode_bytes

TAIWAN = dt.timezone(dt.timedelta(hours=8))
TRAD = "台灣新聞：颱風來襲，全台停班停課。"
SIMP = "中国新闻：台风来袭，全省停工停课。"


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (TRAD.encode("utf-8"), "utf-8", TRAD),
        (b"\xef\xbb\xbf" + TRAD.encode("utf-8"), "utf-8-sig", TRAD),
        (TRAD.encode("big5"), "cp950", TRAD),
        (TRAD.encode("cp950"), "cp950", TRAD),
        ("香港特區政府：啱啱公布".encode("big5hkscs"), "big5hkscs", "香港特區政府：啱啱公布"),
        (SIMP.encode("gb2312"), "gb18030", SIMP),
        (SIMP.encode("gb18030"), "gb18030", SIMP),
    ],
)
def test_encodings(data, encoding, text):
    decoded = decode_bytes(data, "x")
    assert (decoded.encoding, decoded.text, decoded.problems) == (encoding, text, [])


def test_utf8_wins_over_a_big5_label():
    data = ('<meta charset="big5"><p>' + TRAD + "</p>").encode("utf-8")
    assert decode_bytes(data, "x").encoding == "utf-8"


def test_a_few_bad_bytes_in_a_legacy_file_are_replaced_and_reported():
    data = ('<meta charset="big5"><p>' + TRAD * 20).encode("big5") + b"\xff" + TRAD.encode("big5")
    decoded = decode_bytes(data, "x")
    assert decoded.encoding == "big5hkscs"
    assert decoded.problems == ["1 undecodable byte sequence replaced with U+FFFD (big5hkscs)"]
    assert decoded.text.endswith("\ufffd" + TRAD)


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty file"), (b"\x00\x00\x00", "only NUL bytes (3)"), (b"\x00\x01\x02binary", "binary file (NUL byte at offset 0)")],
)
def test_unreadable(data, reason):
    with pytest.raises(ReadError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_bytes(data, "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-05-21T11:44+08:00", dt.datetime(2016, 5, 21, 11, 44, tzinfo=TAIWAN)),
        ("2016-05-21T03:44:00Z", dt.datetime(2016, 5, 21, 11, 44, tzinfo=TAIWAN)),
        ("2016/03/19 10:48", dt.datetime(2016, 3, 19, 10, 48, tzinfo=TAIWAN)),
        ("2015年01月09日 12:30", dt.datetime(2015, 1, 9, 12, 30, tzinfo=TAIWAN)),
        ("建立時間：2016/05/21 11:44", dt.datetime(2016, 5, 21, 11, 44, tzinfo=TAIWAN)),
        ("2018年09月16日 下午 3:31", dt.datetime(2018, 9, 16, 15, 31, tzinfo=TAIWAN)),
        ("2025-11-12", dt.date(2025, 11, 12)),
        ("Sat, 31 Dec 2005 06:15:55 +0900", dt.datetime(2005, 12, 31, 5, 15, 55, tzinfo=TAIWAN)),
        ("2025-13-45", None),
        ("沒有日期", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_is_article_file(tmp_path):
    for name in ("a.txt", "b.HTML", "c.htm", "d.json", "e.jsonl", "f.xml", "g.trec"):
        (tmp_path / name).write_text("x")
        assert is_article_file(tmp_path / name), name
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "page").write_text("<!DOCTYPE html><html><body><p>文</p></body></html>")
    (tmp_path / "dump").write_text('{"title": "x"}\n')
    (tmp_path / "docs").write_text("<doc>\n<url></url>\n</doc>")
    (tmp_path / "README").write_text("just some notes")
    assert [p.name for p in sorted(tmp_path.iterdir()) if is_article_file(p) and "." not in p.name] == [
        "docs", "dump", "page"]
    assert not is_article_file(tmp_path / "photo.jpg")
    assert not is_article_file(tmp_path / ".hidden.txt")


@pytest.mark.parametrize(("bom", "codec"), [(b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")])
def test_utf32_with_a_bom_is_utf32_not_utf16(bom, codec):
    """FF FE 00 00 begins like the UTF-16 LE mark, and 00 00 FE FF begins with NULs: both are UTF-32."""
    decoded = decode_bytes(bom + TRAD.encode(codec), "x")
    assert (decoded.encoding, decoded.text, decoded.problems) == ("utf-32", TRAD, [])


def test_utf32_file_is_read_as_an_article(tmp_path):
    path = tmp_path / "utf32.txt"
    path.write_bytes(" date 2025-03-01 台北市政府今天宣布，捷運環狀線北環段動工。".encode("utf-32"))
    read = read_file(path)
    assert read.encoding == "utf-32" and read.articles[0].lede == "台北市政府今天宣布，捷運環狀線北環段動工。"


def test_utf16_and_utf32_marks_alone_are_an_empty_file():
    for bom in (b"\xff\xfe", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        with pytest.raises(ReadError, match="empty file"):
            decode_bytes(bom, "x")


BIG5_LINES = ["台灣高鐵今天宣布，連假期間加開班次，旅客可提早訂票。", "交通部表示，國道將實施高乘載管制，請用路人配合。"]
GB_LINES = ["北京市政府今天召开新闻发布会，介绍城市交通建设进展。", "上海地铁十四号线全线开通运营，市民出行更加方便。"]


def test_a_file_mixing_big5_and_gb18030_lines_decodes_each_and_says_so():
    data = b"".join(line.encode("big5") + b"\n" for line in BIG5_LINES * 3)
    data += b"".join(line.encode("gb2312") + b"\n" for line in GB_LINES)
    decoded = decode_bytes(data, "x")
    assert decoded.text.splitlines() == BIG5_LINES * 3 + GB_LINES
    assert decoded.encoding == "cp950+gb18030"
    assert decoded.problems == ["mixed encodings: 2 lines GB18030 in a Big5 (cp950) file; each line decoded as its own"]


def test_a_file_mixing_utf8_and_gb_lines_is_not_decoded_as_gb_throughout():
    data = "\n".join(BIG5_LINES).encode("utf-8") + b"\n" + GB_LINES[0].encode("gb18030") + b"\n"
    decoded = decode_bytes(data, "x")
    assert decoded.text.splitlines() == [*BIG5_LINES, GB_LINES[0]]
    assert decoded.problems == ["mixed encodings: 1 line GB18030 in a UTF-8 file; each line decoded as its own"]


def test_mixed_file_through_read_file_names_the_file(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(f" date 2025-03-01 {BIG5_LINES[0]}\n\n".encode("big5") + f"{GB_LINES[0]}\n".encode("gb2312"))
    read = read_file(path)
    assert read.articles[0].lede == BIG5_LINES[0] and read.articles[0].paragraphs == [GB_LINES[0]]
    assert read.problems[0].startswith("mixed encodings: 1 line GB18030")


@pytest.mark.parametrize("codec", ["big5", "gb18030"])
def test_one_encoding_throughout_is_not_called_mixed(codec):
    lines = BIG5_LINES if codec == "big5" else GB_LINES
    decoded = decode_bytes(("\n".join(lines * 20) + "\n").encode(codec), "x")
    assert decoded.problems == [] and decoded.text.splitlines() == lines * 20


@pytest.mark.parametrize(
    ("value", "clock", "offset_hours"),
    [
        ("2025-01-16T00:30:00+08:00", (2025, 1, 16, 0, 30), 8),
        ("2025-01-16 00:30", (2025, 1, 16, 0, 30), 8),  # naive: taken as local already
        ("2025-01-15T16:30:00Z", (2025, 1, 16, 0, 30), 8),  # a machine's UTC stamp, shown in +08:00
        ("2025-01-16T00:30:00+09:00", (2025, 1, 16, 0, 30), 9),  # a Tokyo or Seoul page keeps its own offset
        ("Thu, 16 Jan 2025 00:30:00 +0900", (2025, 1, 16, 0, 30), 9),
        ("2025-01-16T00:30:00-05:00", (2025, 1, 16, 0, 30), -5),
    ],
)
def test_a_time_keeps_the_pages_own_offset_and_local_day(value, clock, offset_hours):
    moment = parse_date(value)
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == clock
    assert moment.utcoffset() == dt.timedelta(hours=offset_hours)


def test_a_day_without_a_time_stays_a_date():
    for value in ("2025-01-16", "2025年1月16日", "2025/01/16", dt.date(2025, 1, 16)):
        day = parse_date(value)
        assert type(day) is dt.date and day == dt.date(2025, 1, 16)
