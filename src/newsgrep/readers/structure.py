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
# A line that only credits the desk editor: "（责任编辑：刘佳）", "責任編輯／王小明".
_EDITOR_LINE = re.compile(
    r"^[（(【\[]?\s*(?:責任編輯|责任编辑|責編|责编|編輯|编辑|值班編輯|值班编辑)\s*[：:／/]\s*[^\s（()）【】\[\]]{1,12}\s*[）)】\]]?$"
)
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
    return bool(_AD_LINE.match(line) or _LINK_LINE.match(line) or _PROMPT_LINE.match(line) or _EDITOR_LINE.match(line))


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
# A paragraph-ending credit: "報導•攝影╱張嘉恬", "報導 ．攝影╱孫敏聿", "（王煌忠／台中報導）" (not a photo caption).
# ("?" stands between the roles where a converter lost the dot.)
_TRAILING_BYLINE = re.compile(
    r"\s*(?:[（(]?(?:(?:文字|撰文|採訪|报导|報導|攝影|摄影|記者|记者|文)[•．·‧・、/／╱?\s]*)+[╱／/]" + _NAMES + r"[）)]?"
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
# Where a byline that opens a paragraph ends: its closing bracket, or "報導"/"電" shortly after the name.
_LEADING_BYLINE_END = re.compile(r"[）)〕】］\]]|(?:報導|报导|電|电)(?![\u4e00-\u9fff]{0,1}[）)〕】］\]])")


# A credit that ends a paragraph is short; only this many closing characters are searched. The pattern
# (repeated role words, then names) backtracks through every earlier start when it fails, which over a
# whole paragraph is quadratic (a 270 KB body ending in "文字•" x 30000 took 48 s): never search it unbounded.
TRAILING_BYLINE_MAX_CHARS = 80


def split_trailing_byline(paragraph: str) -> tuple[str, str | None]:
    """``'…成問題了。」報導•攝影╱張嘉恬'`` -> (``'…成問題了。」'``, ``'張嘉恬'``); unchanged with None otherwise.

    A paragraph that is nothing but such a credit gives ``('', names)``.
    """
    match = _TRAILING_BYLINE.search(paragraph, max(0, len(paragraph) - TRAILING_BYLINE_MAX_CHARS))
    if not match:
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


def leading_byline(paragraph: str) -> str | None:
    """The byline that opens a paragraph, as printed: ``（中央社記者邱俊欽桃園19日電）``, ``記者王煌忠／台北報導``."""
    match = _LEADING_BYLINE.match(paragraph) or _CNA_BYLINE.match(paragraph)
    if not match:
        return None
    end = _LEADING_BYLINE_END.search(paragraph, match.end(), match.end() + 24)
    return clean_line(paragraph[: end.end() if end else match.end()]) or None


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


# --- who wrote it ---------------------------------------------------------------------------------------

# Outlets that scrapers and page templates put where a reporter's name belongs.
OUTLET_NAMES = frozenset({
    "中央社", "中央通訊社", "中央通讯社", "聯合報", "联合报", "聯合新聞網", "联合新闻网", "經濟日報", "三立", "三立新聞網",
    "三立新聞", "公視", "公視新聞", "公視新聞網", "自由時報", "自由時報電子報", "自由電子報", "ETtoday", "ETtoday新聞雲",
    "東森", "東森新聞", "TVBS", "TVBS新聞網", "中時", "中時新聞網", "中國時報", "中时", "风传媒", "風傳媒", "壹蘋",
    "壹蘋新聞網", "蘋果日報", "苹果日报", "鏡週刊", "鏡新聞", "民視", "民視新聞", "華視", "台視", "中視", "NOWnews",
    "新頭殼", "關鍵評論網", "BBC", "BBC中文", "BBC中文網", "新華社", "新华社", "中新社", "中新网", "人民日报", "人民網",
    "人民网", "澎湃新闻", "Reuters", "AP", "AFP", "CNN", "路透", "路透社", "美聯社", "法新社", "共同社",
})
# Names that end like an organisation: a news site, a paper, an agency, a station, a desk.
_ORG_SUFFIX = re.compile(
    r"(?:新聞網|新闻网|新聞雲|新闻云|新聞台|新闻台|新聞|新闻|電子報|电子报|日報|日报|時報|时报|晚報|晚报|週刊|周刊|雜誌|杂志"
    r"|通訊社|通讯社|報社|报社|出版社|雜誌社|電視台|电视台|電台|电台|電視|电视|編輯部|编辑部|編輯室|编辑室|中心|小組|小组"
    r"|團隊|团队|網|网|報|报)$"
)
# Words no person's name holds: 報導 (a credit line), 新聞 (a site), Latin outlet words.
_ORG_WORD = re.compile(r"報導|报导|報道|报道|新聞|新闻|通訊社|通讯社|News|TV\b|Media|Press|Daily|Times", re.IGNORECASE)
# Roles printed before or instead of a name: 記者, 編譯, 攝影 … (文 and 圖 only alone: 文 is also a surname)
_ROLE = r"(?:實習記者|实习记者|特派員|特派员|記者|记者|編譯|编译|編輯|编辑|作者|撰文|採訪|采访|攝影|摄影|主筆|主笔)"
_ROLE_PREFIX = re.compile(r"^" + _ROLE + r"(?:[•．·、]" + _ROLE + r")*[\s：:]*")
_ROLE_ONLY = re.compile(
    r"^(?:" + _ROLE + r"|文|圖|图|綜合|综合|外電|外电|本報|本报|綜合外電|综合外电|快訊|快讯|即時|即时|獨家|独家|最新|專欄|专栏"
    r"|社論|社论|編按|编按|影音|焦點|焦点|佚名|匿名|不詳|不详"
    r"|reporter|reporters|editor|editors|staff|staff writer|correspondent|admin|administrator|anonymous|unknown|none)$",
    re.IGNORECASE,
)
# What a name looks like: 2-4 ideographs (a transliterated name may run longer with ‧ between its parts), or
# up to five Latin words; several names are listed with 、 or a comma.
_NAME = re.compile(r"^(?:[\u3400-\u9fff]{2,4}|[\u3400-\u9fff]{1,6}(?:[‧·・．][\u3400-\u9fff]{1,6}){1,3}"
                   r"|[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,4})$")
_NAME_LIST = re.compile(r"(?<!\s)\s*+[、，,]\s*+")
_BRACKETS = "〔〕【】［］[]（）()「」《》"
_BYLINE_PARTS = re.compile(r"[／/╱|｜]")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
PERSON_MAX_CHARS = 20
BYLINE_MAX_CHARS = 100


def is_url(text: str) -> bool:
    text = text.strip().lower()
    return "://" in text or text.startswith(("http:", "https:", "www.", "//"))


def is_person(name: str, outlet: str | None = None) -> bool:
    """A name or a list of names (``王小明、李大華``, ``Lee Hsin-Yin``), not a URL, a role, the outlet or an
    organisation's name."""
    name = clean_line(name or "")
    return bool(
        name and len(name) <= PERSON_MAX_CHARS and not is_url(name) and name != outlet
        and name not in OUTLET_NAMES and not _ROLE_ONLY.match(name) and not _ORG_SUFFIX.search(name)
        and not _ORG_WORD.search(name) and all(_NAME.match(n) for n in _NAME_LIST.split(name))
    )


def person_name(raw: str | None, outlet: str | None = None) -> str | None:
    """The person a byline names: ``記者陳嘉寧／桃園機場報導`` -> ``陳嘉寧``, ``聯合報／ 陳詩婷／營養師`` -> ``陳詩婷``.

    None for URLs (``https://www.facebook.com/…``), outlets (``三立新聞網``),
    desks (``社會中心``) and bylines that name nobody (``聯合報／ 記者``).
    """
    text = clean_line(raw or "")[:BYLINE_MAX_CHARS]
    if not text or is_url(text):
        return None
    name = byline_author(text)
    if name and is_person(name, outlet):
        return name
    for part in _BYLINE_PARTS.split(text):
        # Chinese names hold no spaces, so "聯合報 記者陳嘉寧" is two parts; Latin names keep theirs.
        pieces = part.split() if _CJK_CHAR.search(part) else [part]
        # In "BBC News 中文" the outlet's Latin name says the rest is its too: only a piece that a
        # role word introduces (記者陳嘉寧) names a person there.
        outlet_part = len(pieces) > 1 and any(p.isascii() and not is_person(p, outlet) for p in pieces)
        introduced = False  # the piece before was a role word alone ("記者 王小明")
        for piece in pieces:
            piece = clean_line(piece.strip(_BRACKETS + " \u3000"))
            bare = _ROLE_PREFIX.sub("", piece)
            if outlet_part and bare == piece and not introduced:
                introduced = bool(_ROLE_ONLY.match(piece))
                continue
            introduced = bool(_ROLE_ONLY.match(piece))
            bare = byline_author(bare) or bare
            if is_person(bare, outlet):
                return clean_line(bare)
    return None


def printed_byline(raw: str | None) -> str | None:
    """A byline worth keeping as printed: not a URL, not empty, not absurdly long."""
    text = clean_line(re.sub(r"\s+", " ", raw or ""))
    return text if text and not is_url(text) and len(text) <= BYLINE_MAX_CHARS else None
