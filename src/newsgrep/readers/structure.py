"""From a list of text paragraphs to an article body: what is text, heading, caption or noise.

Every reader ends here, whatever the file format, so one set of rules decides
what belongs to the article. The rules are deliberately narrow: a line is noise
or a caption only when its whole shape says so (a line made of nothing but
``廣告``, a line that *starts* with ``延伸閱讀：``, a credit at the *end* of a
line), so a real sentence that merely mentions those words stays in the body.
"""

from __future__ import annotations

import re

from newsgrep.record import Block, Caption

# Sentence-final punctuation, full- and half-width.
_SENTENCE_END = "。！？!?；;"
# Characters that make a short line read as a sentence, a quote or a lead-in, never a heading.
_NOT_IN_HEADING = re.compile(r"[。！？!?；;：:「」『』“”\"]")
HEADING_MAX_CHARS = 40

# A line made only of ad placeholders: "廣告 廣告", "广告", "Advertisement".
_AD_LINE = re.compile(r"^(?:(?:廣告|广告|advertisement|ad)\s*)+$", re.IGNORECASE)
# A line that only asks the reader to scroll or click on: "請繼續往下閱讀...", "點我看更多".
_PROMPT_LINE = re.compile(r"^(?:請繼續往下閱讀|请继续往下阅读|繼續閱讀|继续阅读|點我看更多|点我看更多|看更多)[.。…\s]*$")

# A line that is a link list, not prose: "延伸閱讀：…", "相關新聞：…", "▲延伸閱讀" …
_LINK_LABELS = (
    "延伸閱讀", "延伸阅读", "相關新聞", "相关新闻", "相關閱讀", "相关阅读", "推薦閱讀", "推荐阅读",
    "更多新聞", "更多新闻", "看更多", "熱門新聞", "热门新闻", "你可能也想看", "猜你喜歡", "猜你喜欢",
)
_LINK_LINE = re.compile(
    r"^[\s▲►▶●■◆★☆※>＞【\[]*(?:" + "|".join(_LINK_LABELS) + r")[\s】\]]*(?:[:：]|$)"
)

# A photo credit at the end of a line. The caption is whatever precedes it.
_CREDIT_MARKERS = (
    r"Flickr by\s",
    r"Photo Credit\s*[:：]",
    r"Photo\s*[:：]",
    r"圖片來源\s*[:：]",
    r"图片来源\s*[:：]",
    r"照片來源\s*[:：]",
    r"照片来源\s*[:：]",
    # 圖／, 攝影：… but not 地圖：, 示意圖： (the marker must not continue a word). Spaces before the marker
    # are taken from the start of their run only and never given back: a long run of spaces with no marker
    # after it would otherwise be rescanned from each of its positions (quadratic time).
    r"(?:[（(]|(?<![\s（(]))\s*+(?<![\u4e00-\u9fff])(?:資料照|资料照|圖|图|攝影|摄影)\s*+[／/:：]",
    # （圖翻攝自google map）, （圖擷取自民進黨臉書）
    r"[（(]\s*+(?:圖|图|照片)(?:翻攝|翻摄|擷取|撷取|取自|截自)",
)
# The credit runs to the end of the line; only the last line of a text can end with one (``.*$`` tried
# from every marker of every earlier line would rescan to that line's end each time).
_CREDIT = re.compile(r"(?P<credit>(?:" + "|".join(_CREDIT_MARKERS) + r").*)$", re.IGNORECASE)
CREDIT_MAX_CHARS = 80
CAPTION_MAX_CHARS = 150


def clean_line(line: str) -> str:
    """Trim ordinary and full-width (U+3000) spaces, and invisible marks, from both ends."""
    return line.strip(" \t\r\n\u3000\u00a0\ufeff\u200b")


def is_noise(line: str) -> bool:
    """True for lines that are page furniture, not article text."""
    return bool(_AD_LINE.match(line) or _LINK_LINE.match(line) or _PROMPT_LINE.match(line))


def split_caption(line: str) -> Caption | None:
    """``'…問題。」Flickr by The White House'`` -> Caption(text, credit); None for ordinary text.

    The credit must end the line and must not itself read like a sentence, so
    ``他說圖片來源：網路，並不可靠。`` stays a paragraph.
    """
    body = line[:-1] if line.endswith("\n") else line
    match = _CREDIT.search(line, body.rfind("\n") + 1)
    if not match:
        return None
    credit = clean_line(match.group("credit"))
    if len(credit) > CREDIT_MAX_CHARS or any(ch in credit for ch in "。！？!?"):
        return None
    caption = clean_line(line[: match.start("credit")])
    if len(caption) > CAPTION_MAX_CHARS:
        return None
    if credit[:1] in "（(" and credit[-1:] in "）)":
        credit = credit[1:-1].strip()
    return Caption(text=caption, credit=credit)


def is_heading(line: str) -> bool:
    """Short and unpunctuated (a clause comma is allowed): ``從大豆到能源，川普釋出穩定美中關係訊號``."""
    return 0 < len(line) <= HEADING_MAX_CHARS and not _NOT_IN_HEADING.search(line)


def build_body(paragraphs: list[str]) -> tuple[list[Block], list[Caption]]:
    """Classify paragraphs (already split, in order) into body blocks and captions, dropping noise."""
    blocks: list[Block] = []
    captions: list[Caption] = []
    for raw in paragraphs:
        line = clean_line(raw)
        if not line or is_noise(line):
            continue
        caption = split_caption(line)
        if caption is not None:
            captions.append(caption)
        elif is_heading(line):
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("paragraph", line))
    return blocks, captions


TITLE_MAX_CHARS = 40


def derive_title(lede: str) -> str:
    """A title for an article that has none: the lede's first sentence, cut to a readable length.

    A long first sentence is cut at its last clause break (，；：, else 、) that
    keeps the title within ``TITLE_MAX_CHARS``; with no such break it is cut
    hard and marked with an ellipsis.
    """
    text = clean_line(lede)
    end = next((i for i, ch in enumerate(text) if ch in _SENTENCE_END), len(text))
    sentence = text[:end].strip()
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    head = sentence[:TITLE_MAX_CHARS]
    # Prefer a clause break; an enumeration comma (、) only when there is no clause break.
    for breaks in ("，；：,;:", "、"):
        cut = max(head.rfind(ch) for ch in breaks)
        if cut >= 8:
            return head[:cut]
    return head.rstrip() + "…"


# Separators between a headline and the site, section or author names a page glues to it.
# Whitespace is matched from the start of its run and never given back, so a long run of spaces without a
# separator costs one pass, not one pass per space.
_TITLE_SEPARATORS = re.compile(r"(?<!\s)\s*+[|｜│]\s*+|(?<!\s)\s++[-–—_]\s++")
SITE_SEGMENT_MAX_CHARS = 30


def strip_site_name(title: str) -> str:
    """``'悲慟！北市士林… - 社會 - 中時'`` -> ``'悲慟！北市士林…'``.

    Pages glue the site name (and section, author) to the headline with ``|``,
    ``｜`` or a spaced dash. The headline is the longest segment, kept only when
    every other segment is short enough to be such a name; otherwise the
    separators belong to the headline and the title is kept whole.
    """
    title = clean_line(title)
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    longest = max(parts, key=len)
    if all(len(p) <= SITE_SEGMENT_MAX_CHARS for p in parts if p is not longest):
        return clean_line(longest)
    return title


_NAMES = r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[、，,][\u4e00-\u9fff]{2,4})*)"
# A paragraph-ending credit: "報導•攝影╱張嘉恬", "（王煌忠／台中報導）" (not a photo caption).
_TRAILING_BYLINE = re.compile(
    r"\s*(?:[（(]?(?:(?:文字|撰文|採訪|报导|報導|攝影|摄影|記者|记者|文)[•．·、/／╱]?)+[╱／/]" + _NAMES + r"[）)]?"
    r"|[（(]" + _NAMES.replace("names", "names2") + r"\s*[／/╱]\s*[\u4e00-\u9fff]{0,8}(?:報導|报导)[）)])$"
)
# A paragraph that is nothing but a byline: "記者林悅／南市報導", "〔記者吳孟儒／綜合報導〕", "文／王小明".
_BYLINE_LINE = re.compile(
    r"^[〔【［\[（(]?\s*(?:(?:記者|记者|文|撰文)\s*" + _NAMES + r"|" + _NAMES.replace("names", "names2")
    + r"(?=\s*[／/╱]\s*[\u4e00-\u9fff]{0,8}(?:報導|报导)))\s*[／/╱]\s*[\u4e00-\u9fff]{0,8}"
    r"(?:報導|报导|專電|专电|電|电)?\s*[〕】］\]）)]?$"
)
# Bylines that open an article: "記者王煌忠／台北報導", "〔記者吳孟儒／綜合報導〕", "（中央社記者邱俊欽桃園19日電）".
_LEADING_BYLINE = re.compile(
    r"^[\s〔【［\[（(]*(?:[\u4e00-\u9fff]{0,6}?)(?:記者|记者)(?P<names>[\u4e00-\u9fff]{2,4}(?:[、，,][\u4e00-\u9fff]{2,4})*)"
    r"\s*[／/╱]"
)
_CNA_BYLINE = re.compile(r"^[\s（(]*中央社(?:記者|记者)(?P<name>[\u4e00-\u9fff]{3})")


# A credit that ends a paragraph is short; only this many closing characters are searched. The pattern
# (repeated role words, then names) backtracks through every earlier start when it fails, which over a
# whole paragraph is quadratic (a 270 KB body ending in "文字•" x 30000 took 48 s).
TRAILING_BYLINE_MAX_CHARS = 80


def split_trailing_byline(paragraph: str) -> tuple[str, str | None]:
    """``'…成問題了。」報導•攝影╱張嘉恬'`` -> (``'…成問題了。」'``, ``'張嘉恬'``); unchanged with None otherwise."""
    match = _TRAILING_BYLINE.search(paragraph, max(0, len(paragraph) - TRAILING_BYLINE_MAX_CHARS))
    if not match or match.start() == 0:
        return paragraph, None
    return clean_line(paragraph[: match.start()]), match["names"] or match["names2"]


def byline_line(line: str) -> str | None:
    """The names in a paragraph that is only a byline (``記者林悅／南市報導`` -> ``林悅``), else None."""
    match = _BYLINE_LINE.match(clean_line(line))
    return (match["names"] or match["names2"]) if match else None


def byline_author(paragraph: str) -> str | None:
    """The reporter named at the start of an article's first paragraph, if it opens with a byline.

    CNA writes ``（中央社記者邱俊欽桃園19日電）`` with no separator between name
    and place; there the name is taken as three characters, the common length.
    """
    match = _LEADING_BYLINE.match(paragraph)
    if match:
        return match["names"]
    match = _CNA_BYLINE.match(paragraph)
    return match["name"] if match else None


# Where a scraper flattened paragraphs into one line: a space after a sentence end.
_FLAT_BREAK = re.compile(r"(?<=[。！？!?」』）)…])[ \t\u3000\u00a0]+(?=\S)")


def split_text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text field: one per non-blank line.

    A field that is a single line is usually an article a scraper flattened,
    leaving a space where each paragraph ended: there a space right after
    sentence-final punctuation (or a closing quote or bracket) is taken as a
    paragraph break. Spaces elsewhere, such as between Latin words, are kept.
    """
    lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) != 1:
        return lines
    return [clean_line(p) for p in _FLAT_BREAK.split(lines[0]) if clean_line(p)]
