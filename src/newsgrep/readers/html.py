"""Saved news pages: the article's title, date, author, outlet, URL and body, without the page around it.

Metadata comes from what pages publish for machines (JSON-LD ``NewsArticle``,
Open Graph and ``article:*`` meta tags, ``<link rel=canonical>``, ``<time>``),
falling back to what people see (``<h1>``, ``<title>``, a date in the text or
the URL). The body is found the way readability tools find it: page furniture
(scripts, navigation, share bars, related links, comments, footers) is removed,
every paragraph scores its ancestors by how much prose it holds, and the
best-scoring element's paragraphs and sub-headings, in order, are the article.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, CData, Comment, NavigableString, Tag

from newsgrep.readers import wayback
from newsgrep.readers.assemble import article_id_for, make_article, page_url, wayback_parts
from newsgrep.readers.dates import date_in_url, parse_date
from newsgrep.readers.structure import (
    clean_line,
    is_person,
    person_name,
    printed_byline,
    split_text_paragraphs,
    strip_site_name,
)
from newsgrep.record import Article, Caption

_JUNK_TAGS = (
    "script", "style", "noscript", "iframe", "button", "select", "svg", "canvas", "nav", "footer",
    "aside", "template", "object", "embed", "input", "textarea", "label", "header", "link", "meta",
)
# What is never text, even when everything else on the page is kept.
_CODE_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "select",
              "button", "input", "textarea", "link", "meta")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
    "dd", "dt", "table", "tbody", "thead", "tr", "td", "th", "blockquote", "figure", "figcaption", "pre",
    "center", "hr", "address",
})
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# class/id words that mark page furniture (matched as whole words of the class or id).
_NOISE_WORDS = frozenset({
    "share", "sharing", "sharebar", "social", "related", "relate", "recommend", "recommended", "comment",
    "comments", "footer", "nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "sidebar", "ad", "ads",
    "adv", "advert", "advertisement", "banner", "promo", "popular", "hot", "rank", "ranking", "tag", "tags",
    "keyword", "keywords", "copyright", "sns", "subscribe", "login", "signup", "outbrain", "taboola",
    "dable", "modal", "popup", "cookie", "toolbar", "pagination", "pager", "extend", "recommendation",
    "fbcomment", "facebook", "twitter", "plurk", "print", "fontsize", "font", "gotop",
})
_DATE_WORDS = frozenset({"time", "date", "datetime", "pubdate", "publishdate", "viewtime", "updatetime",
                         "posttime", "createtime", "newstime", "publish", "published"})
# class/id words (without - and _) of a subtitle printed under the headline.
_SUBTITLE_WORDS = frozenset({"subtitle", "subtitles", "subheadline", "subhead", "subheading", "deck", "dek",
                             "standfirst", "secondtitle", "vicetitle", "fubiaoti"})
SUBTITLE_MAX_CHARS = 80
# class/id words of the element that shows the byline (``story_bady_info_author``, ``reporter``).
_BYLINE_WORDS = frozenset({"author", "reporter", "byline"})
_COMMENT_WORDS = frozenset({"comment", "comments", "fbcomment", "reply", "replies", "discussion"})
_CAPTION_WORDS = frozenset({"caption", "cpt", "figcaption", "imgcaption", "photocaption", "pic_caption"})
# ASP.NET pages wrap the whole page in one <form>, so forms are not junk by themselves.
# Whole-line dates and times that page templates put around the text.
# (Possessive runs: the tail class also holds spaces, and giving spaces back to ``\s*`` made a long run
# of spaces after a date quadratic.)
_DATE_LINE = re.compile(
    r"^[\s\S]{0,12}?(?:19|20)\d\d\s*+[-/.年]\s*+\d{1,2}\s*+[-/.月]\s*+\d{1,2}\s*+日?[\s\d:：()（）星期週一二三四五六日]*+$"
)
# Properties that carry the publication date, best first.
_DATE_META = (
    "article:published_time", "datepublished", "pubdate", "publishdate", "publish-date", "og:published_time",
    "date.available", "dc.date", "dc.date.issued", "parsely-pub-date", "sailthru.date", "date", "citation_date",
)
_TITLE_META = ("og:title", "twitter:title", "title", "parsely-title", "dc.title", "headline")
_AUTHOR_META = ("author", "dable:author", "article:author", "dc.creator", "parsely-author")
# Elements an old portal shows its headline in (``<font size=5><b>…</b></font>``, ``<td class=title>``).
_HEADLINE_TAGS = ("h2", "h3", "b", "strong", "font", "span", "div", "td", "p")
TITLE_MAX_CHARS = 120
# How much text after the headline is searched for the date and byline a page prints under it.
NEAR_HEADLINE_CHARS = 200
_REPORTER = re.compile(
    r"(?:記者|记者|作者|撰文|(?<![\u4e00-\u9fff])文)\s*+[：:／/]?\s*+(?:記者|记者)?\s*+"
    r"(?P<name>[\u4e00-\u9fff]{2,4})(?<![攝摄])(?![\u4e00-\u9fff])(?:\s*[／/╱]\s*[\u4e00-\u9fff]{0,8}(?:報導|报导|電|电))?"
)
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "webpage"}
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")


@dataclass
class PageRead:
    """The article a page holds (None when it holds none) and how its body was found, for ``--verbose``."""

    article: Article | None
    extraction: str


def parse_html(text: str, path: str, fallback_id: str, source_path: str) -> PageRead:
    """The one article a page holds, and how its body was found.

    Its id comes from the URL the page declares for itself (``assemble.article_id_for``);
    ``fallback_id`` (the caller's, e.g. the file's path in the corpus) when it declares none.
    The body is the best-scoring block of prose; when that holds no paragraph,
    the largest block of prose on the page without removing furniture; then the
    page's JSON-LD ``articleBody``; then its meta description. A JSON-LD
    ``articleBody`` twice as long as the text found is taken instead of it.
    """
    text, capture = wayback.unwrap(text)
    soup = BeautifulSoup(text, "lxml")
    if capture is not None:
        _remove_toolbar(soup)
    sizes = _Sizes(soup)
    every = soup.find_all(True)  # before anything is removed
    meta = _meta(soup)
    ld = _json_ld_article(soup)
    url = _canonical_url(soup, meta, ld, capture.url if capture else None)
    outlet = meta.get("og:site_name") or _ld_name(ld.get("publisher")) or None
    title, headline = _title(soup, meta, ld, sizes)
    times = [(t.get("datetime"), t.get_text(" ", strip=True), t.get("itemprop"))
             for t in soup.find_all("time") if sizes.small(t)]
    times += [(None, t.get_text(" ", strip=True)[:80], None) for t in every
              if _words(t) & _DATE_WORDS and sizes.small(t) and sizes.text(t) <= 80]
    near = _text_after(headline, NEAR_HEADLINE_CHARS) if headline is not None else ""
    author, byline = _byline_from_markup(every, outlet, sizes)
    # Less sure than a byline in the text: the page's metadata, then a credit under the headline.
    fallback_author = _author_from_meta(meta, ld, outlet)
    if fallback_author is None and author is None and near:
        fallback_author, byline = _byline_near_headline(near, outlet, byline)
    subtitle = _subtitle(soup, every, title, sizes)

    def build(body: _Body, require_paragraph: bool = True) -> Article | None:
        paragraphs, headings = list(body.paragraphs), list(body.headings)
        if subtitle and paragraphs and _squeeze(subtitle) not in {_squeeze(p) for p in paragraphs}:
            # The subtitle sits with the headline, outside the text (often in a <header> removed as
            # furniture) but it is part of the article: the body's first heading.
            paragraphs.insert(0, subtitle)
            headings = [0] + [i + 1 for i in headings]
        return make_article(
            article_id=article_id_for(url, fallback_id),
            source_path=source_path,
            paragraphs=paragraphs,
            title=title,
            date=_date(meta, ld, times, near, body.root, url),
            url=url,
            outlet=outlet,
            author=author,
            fallback_author=fallback_author,
            byline=byline,
            category=meta.get("article:section") or _ld_text(ld.get("articleSection")) or None,
            tags=[t.strip() for t in (meta.get("news_keywords") or "").split(",") if t.strip()],
            captions=body.captions,
            headings=headings,
            crawled_at=capture.captured if capture else None,
            require_paragraph=require_paragraph,
        )

    _strip_junk(soup)
    bodies = _bodies(soup, text, ld, meta, title)
    first = next(bodies)
    article = build(first)
    body = first
    if article is None:
        for body in bodies:
            article = build(body)
            if article is not None:
                break
        else:
            body = first
            article = build(first, require_paragraph=False)  # short lines only: still the page's text
    else:
        ld_body = _ld_body(ld)  # the publisher's own copy of the text, when the page showed much less
        if ld_body is not None and len(_squeeze(ld_body.text)) > 2 * len(_squeeze(article.text)):
            better = build(ld_body)
            if better is not None:
                article, body = better, ld_body
    return PageRead(article, body.extraction)


def _remove_toolbar(soup: BeautifulSoup) -> None:
    """A Wayback toolbar not fenced by its comments (``<div id="wm-ipp-base">``): its elements go."""
    for tag in soup.find_all(id=lambda i: bool(i) and wayback.is_toolbar(i)):
        if not vars(tag).get("_decomposed"):
            tag.decompose()


def html_paragraphs(fragment: str) -> list[str]:
    """Paragraph texts of an HTML fragment (a JSON field holding ``<p>…</p>``), furniture removed."""
    soup = BeautifulSoup(fragment, "lxml")
    _strip_junk(soup)
    root = soup.body or soup
    return [value for kind, value in _blocks(root) if kind != "caption"]


# --- measuring elements -----------------------------------------------------------------------------------


class _Sizes:
    """Text and link-text length, descendants and ``<p>`` descendants of every element, in one pass.

    ``get_text()`` walks an element's whole subtree, so calling it for every
    element that might be a date, a byline or furniture costs the square of the
    nesting depth (10,000 nested ``<div class="share">`` took minutes). The
    sizes are taken once, bottom-up, and stay true for an element as long as
    nothing under it has been removed.
    """

    # An element with more descendant tags than this is not a headline, a date or a byline.
    SMALL_NODES = 64

    def __init__(self, root: Tag) -> None:
        self._of: dict[int, tuple[int, int, int, int]] = {}
        self._keep: list[Tag] = []  # ids are only unique while their elements live
        for node in _bottom_up(root):
            text = links = nodes = paragraphs = 0
            for child in node.contents:
                if isinstance(child, Tag):
                    t, l, n, p = self._of[id(child)]
                    text, nodes, paragraphs = text + t, nodes + n + 1, paragraphs + p + (child.name == "p")
                    links += t if child.name == "a" else l
                elif type(child) in (NavigableString, CData):
                    text += len(child.strip())
            self._of[id(node)] = (text, links, nodes, paragraphs)
            self._keep.append(node)

    def text(self, tag: Tag) -> int:
        """Characters of ``tag.get_text(strip=True)``."""
        return self._of[id(tag)][0]

    def links(self, tag: Tag) -> int:
        """Characters of text inside ``<a>`` elements under ``tag``."""
        return self._of[id(tag)][1]

    def small(self, tag: Tag) -> bool:
        return self._of[id(tag)][2] <= self.SMALL_NODES

    def has_paragraphs(self, tag: Tag) -> bool:
        return self._of[id(tag)][3] > 0


# --- metadata -------------------------------------------------------------------------------------------


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    """First non-empty ``content`` per meta name/property/itemprop, keys lower-cased."""
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = clean_line(tag.get("content") or "")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (tag.get(attr) or "").strip().lower()
            if key and key not in out:
                out[key] = content
    return out


def _json_ld_article(soup: BeautifulSoup) -> dict:
    """The page's JSON-LD article object (NewsArticle and kin), or {}; unparsable blocks are skipped."""
    found: list[dict] = []
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or script.get_text() or "", strict=False)
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; RecursionError: nested too deep
            continue
        stack = deque([data])
        while stack:
            item = stack.popleft()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                kinds = item.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(str(k).lower() in _ARTICLE_TYPES for k in kinds):
                    found.append(item)
    found.sort(key=lambda item: str(item.get("@type")).lower() == "webpage")
    return found[0] if found else {}


def _ld_text(value: object, depth: int = 0) -> str:
    if depth > 8:  # a real name or URL is never this deep
        return ""
    if isinstance(value, list):
        return "、".join(t for t in (_ld_text(v, depth + 1) for v in value) if t)
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@id") or "", depth + 1)
    return clean_line(str(value)) if value else ""


def _ld_name(value: object) -> str:
    return _ld_text(value.get("name") if isinstance(value, dict) else value) if value else ""


def _canonical_url(soup: BeautifulSoup, meta: dict[str, str], ld: dict, archived: str | None = None) -> str | None:
    """The article's own URL: the canonical link, og:url, JSON-LD url or mainEntityOfPage, meta url, else
    the original address of a Wayback capture; archive wrappers removed, site home pages passed over."""
    entity = ld.get("mainEntityOfPage")
    declared = [meta.get("og:url"), _ld_text(ld.get("url")), _ld_text(entity) if isinstance(entity, (str, dict)) else None,
                meta.get("url"), archived]
    base = next((u for u in map(page_url, declared) if u), None)
    link = soup.find("link", rel=lambda r: r and "canonical" in (r if isinstance(r, list) else [r]))
    href = clean_line(link.get("href") or "") if link else ""
    if href and not href.startswith(("http:", "https:", "//")) and not wayback_parts(href):
        # a relative link: against any absolute URL the page declares, its home page included
        origin = base or next((u for u in declared if u and u.startswith(("http:", "https:"))), None)
        href = urljoin(origin, href) if origin else ""
    return page_url(href) or base


def _title(soup: BeautifulSoup, meta: dict[str, str], ld: dict, sizes: _Sizes) -> tuple[str | None, Tag | None]:
    """The headline and the element that shows it (None when only metadata gives it).

    An element that shows the headline keeps its own spacing (JSON-LD often
    loses full-width spaces), but templates also use ``<h1>`` for logos and old
    portals put the headline in ``<font><b>``, so an element is trusted only
    when a title the page declares confirms it: an ``<h1>`` contained in one,
    else the longest other short element that begins or ends one (the rest
    being the site's name: ``长江中下游持续高温 多地用电负荷创新高_新闻中心_华东在线``).
    Without one, og:title, ``<title>`` or JSON-LD, site names removed.
    """
    declared = [meta[k] for k in _TITLE_META if meta.get(k)]
    if soup.title and soup.title.string:
        declared.append(clean_line(soup.title.string))
    if ld.get("headline"):
        declared.append(_ld_text(ld["headline"]))
    squeezed = [_squeeze(d) for d in declared]
    h1s = [h for h in soup.find_all("h1") if sizes.small(h)]
    for h1 in h1s:
        text = clean_line(h1.get_text(" ", strip=False))
        if len(_squeeze(text)) >= 4 and any(_squeeze(text) in d for d in squeezed):
            return text, h1
    best: tuple[int, str, Tag] | None = None
    for tag in soup.find_all(_HEADLINE_TAGS):
        if not sizes.small(tag) or not 4 <= sizes.text(tag) <= TITLE_MAX_CHARS or sizes.links(tag):
            continue
        text = clean_line(re.sub(r"[ \t\r\n\f\v]+", " ", tag.get_text(" ", strip=True)))
        shown = _squeeze(text)
        if len(shown) >= 4 and (best is None or len(shown) > best[0]) and any(
            (d.startswith(shown) or d.endswith(shown)) and len(shown) * 5 >= len(d) * 2 for d in squeezed
        ):
            best = (len(shown), text, tag)
    if best is not None:
        return best[1], best[2]
    for candidate in declared:
        stripped = strip_site_name(candidate)
        if stripped:
            return stripped, None
    for h1 in h1s:
        text = clean_line(h1.get_text(" ", strip=False))
        if text:
            return text, h1
    return None, None


def _subtitle(soup: BeautifulSoup, every: list[Tag], title: str | None, sizes: _Sizes) -> str | None:
    """The line printed under the headline: an <h2>…<h6> beside the headline's <h1> in its <hgroup> or right
    after it, else an element classed as a subtitle (``subtitle``, ``sub-title``, ``subhead``, ``deck``)."""
    squeezed_title = _squeeze(title or "")
    candidates: list[Tag] = []
    for h1 in soup.find_all("h1"):
        if not sizes.small(h1) or not squeezed_title or _squeeze(h1.get_text()) not in squeezed_title:
            continue
        if h1.parent is not None and h1.parent.name == "hgroup":
            candidates += [t for t in h1.parent.find_all(_HEADING_TAGS, recursive=False)]
        after = h1.find_next_sibling(True)
        if after is not None and after.name in _HEADING_TAGS:
            candidates.append(after)
    candidates += [t for t in every if _words(t) and _subtitle_words(t) & _SUBTITLE_WORDS and sizes.small(t)][:5]
    for tag in candidates:
        if not sizes.small(tag) or sizes.links(tag) * 2 > sizes.text(tag) or _in_comments(tag):
            continue
        text = clean_line(re.sub(r"\s+", " ", tag.get_text(" ", strip=True)))
        if 2 <= len(text) <= SUBTITLE_MAX_CHARS and _squeeze(text) != squeezed_title:
            return text
    return None


def _subtitle_words(tag: Tag) -> set[str]:
    return {re.sub(r"[-_]", "", w) for w in _words(tag)}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text_after(tag: Tag, limit: int) -> str:
    """About ``limit`` characters of the text that follows ``tag`` in the page (not its own)."""
    last: object = tag
    while isinstance(last, Tag) and last.contents:
        last = last.contents[-1]
    parts: list[str] = []
    total = 0
    for visited, element in enumerate(last.next_elements):
        if total >= limit or visited > 20 * limit:
            break
        if type(element) in (NavigableString, CData):
            text = element.strip()
            if text:
                parts.append(text)
                total += len(text)
    return " ".join(parts)[:limit]


def _byline_near_headline(near: str, outlet: str | None, printed: str | None) -> tuple[str | None, str | None]:
    """(reporter, printed byline) from the line under the headline: ``2004/04/02 18:42　記者林志明／新竹報導``."""
    match = _REPORTER.search(near)
    if match and is_person(match["name"], outlet):
        return match["name"], printed or clean_line(match.group(0))
    return None, printed


def _author_from_meta(meta: dict[str, str], ld: dict, outlet: str | None) -> str | None:
    candidates = [_ld_text(ld.get("author"))] + [meta.get(k, "") for k in _AUTHOR_META]
    return next((n for n in (person_name(c, outlet) for c in candidates) if n), None)


def _byline_from_markup(every: list[Tag], outlet: str | None, sizes: _Sizes) -> tuple[str | None, str | None]:
    """(person, printed byline) from what the page shows (``.author``, ``itemprop=author``), trusted first.

    The printed byline is the text of the element that named the person, else
    of the first such element (``聯合報 記者`` names nobody but is the credit).
    """
    printed = None
    candidates = (t for t in every if sizes.small(t) and (
        _words(t) & _BYLINE_WORDS or t.get("itemprop") == "author" or "author" in (t.get("rel") or ())))
    for tag in itertools.islice(candidates, 50):  # a page has a few; thousands are an attack
        if _in_comments(tag):
            continue
        shown = printed_byline(tag.get_text(" ", strip=True))
        name = person_name(tag.get("content") or shown, outlet)
        if name:
            return name, shown or printed
        printed = printed or shown
    return None, printed


def _in_comments(tag: Tag) -> bool:
    """Inside a comment thread (``itemprop=comment``, ``class="comment-author"``): a reader, not the reporter."""
    node: Tag | None = tag
    while node is not None and node.name != "[document]":
        if node.get("itemprop") == "comment" or _words(node) & _COMMENT_WORDS:
            return True
        node = node.parent
    return False


def _date(meta: dict[str, str], ld: dict, times: list[tuple], near: str, container: Tag | None, url: str | None
          ) -> dt.date | dt.datetime | None:
    """The publication date, with its time of day whenever any source on the page gives one.

    Declared dates come first (JSON-LD, meta, ``<time itemprop=datePublished>``);
    other ``<time>`` elements, the line under the headline and dates written in
    the article area follow; the URL is the last resort. A declared day without
    a time takes the time from a later source that agrees on the day.
    """
    declared: list[object] = [ld.get("datePublished"), *(meta.get(k) for k in _DATE_META)]
    declared += [attr or text for attr, text, prop in times if prop == "datePublished"]
    shown: list[object] = []
    for attr, text, _ in times:
        shown += [text, attr]  # the visible text first: pages put wrong datetime= attributes
    shown.append(near)
    if container is not None:
        shown.append(container.get_text(" ", strip=True)[:2000])
    declared_dates = [d for d in (parse_date(c) for c in declared if c) if d is not None]
    shown_dates = [d for d in (parse_date(c) for c in shown if c) if d is not None]
    parsed = declared_dates + shown_dates
    from_url = date_in_url(url)
    if from_url:
        parsed.append(from_url)
    if not parsed:
        return None
    best = parsed[0]
    if not isinstance(best, dt.datetime):
        for other in parsed[1:]:
            if isinstance(other, dt.datetime) and other.date() == best:
                return other
    elif declared_dates:
        # A declared time off by whole hours from the one shown is a wrong zone label
        # (local time written with "Z"): readers see the shown time, so keep that.
        for other in shown_dates:
            if isinstance(other, dt.datetime) and other != best:
                gap = abs((other - best.replace(second=0, microsecond=0)).total_seconds())
                if gap % 3600 == 0 and gap <= 14 * 3600:
                    return other
    return best


# --- body -----------------------------------------------------------------------------------------------


_NO_WORDS: frozenset[str] = frozenset()


def _words(tag: Tag) -> frozenset[str]:
    """The words of a tag's class and id (``story-body__inner`` -> story, body, inner, storybody__inner),
    worked out once per tag: every furniture, date, byline and caption test asks again."""
    cached = vars(tag).get("_newsgrep_words")
    if cached is not None:
        return cached
    values = []
    for attr in ("class", "id"):
        value = tag.get(attr)
        if value:
            values.extend(value if isinstance(value, list) else [value])
    words = _NO_WORDS if not values else frozenset(
        {w for v in values for w in re.split(r"[^a-z0-9]+", v.lower()) if w} | {v.lower().replace("-", "") for v in values}
    )
    tag._newsgrep_words = words
    return words


def _strip_junk(soup: BeautifulSoup, furniture: bool = True) -> None:
    """Remove scripts, navigation and (``furniture``) elements classed as page furniture; ``<br>`` to breaks."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    sizes = _Sizes(soup)
    for tag in soup.find_all(_JUNK_TAGS if furniture else _CODE_TAGS):
        if tag.name == "header" and sizes.text(tag) > 400 and sizes.has_paragraphs(tag):
            continue  # some templates wrap the whole story in <header>
        tag.decompose()
    sizes = _Sizes(soup)  # measured again without the junk; nothing under a tag changes before it is visited
    for tag in soup.find_all(True):
        # Not ``tag.decomposed``: bs4 4.13+ reads an unset ``_decomposed`` through Tag.__getattr__, i.e.
        # ``tag.find("_decomposed")``, a search of the whole subtree per tag (minutes on deeply nested pages).
        if vars(tag).get("_decomposed") or tag.name in ("html", "body") or tag.attrs is None:
            continue
        style = (tag.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or (furniture and _words(tag) & _NOISE_WORDS and not _is_prose(tag, sizes)):
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")


def _is_prose(tag: Tag, sizes: _Sizes) -> bool:
    """Long text with few links: an article that merely sits in an oddly named element."""
    text = sizes.text(tag)
    return text >= 600 and sizes.links(tag) / text < 0.2


def _prose_score(text: str) -> int:
    units = len(_CJK_OR_WORD.findall(text))
    return units + 10 * (text.count("。") + text.count("，") // 3) if units >= 10 else 0


def _best_container(soup: BeautifulSoup, marked_first: bool = True) -> tuple[Tag | None, str]:
    """The element holding the article and how it was found: ``itemprop=articleBody`` if marked (and
    ``marked_first``), else the best prose score, widened to an ancestor that holds much more prose.

    Each paragraph (a ``<p>``, or a block holding text directly) adds its score
    to its parent, half to the grandparent and a third to the next ancestor,
    discounted by how much of it is link text. Pages that wrap every paragraph
    in three or more levels of ``<div>`` leave the common ancestor unscored, so
    the winner is then widened: up to ``WIDEN_LEVELS`` levels up, an ancestor
    replaces the current choice when it holds ``WIDEN_GAIN`` times its prose
    and that prose comes in siblings built alike (``WIDEN_SIBLINGS`` or more
    children with the same tag and class as the one the choice sits in: one
    wrapper per paragraph). A caption or a teaser beside a one-paragraph story
    does not widen it.
    """
    if marked_first:
        marked = soup.find(attrs={"itemprop": "articleBody"})
        if marked is not None and len(marked.get_text(strip=True)) >= 50:
            return marked, "the element marked articleBody"
    sizes = _Sizes(soup)
    scores: dict[int, float] = defaultdict(float)
    own: dict[int, float] = defaultdict(float)
    tags: dict[int, Tag] = {}
    for tag in soup.find_all(True):
        # A <p> scores its whole text, unless it holds other <p>s (broken markup nests them): then, like
        # a block, only its own text, or every level would re-read the text below it.
        whole = tag.name == "p" and not sizes.has_paragraphs(tag)
        if whole:
            text = tag.get_text("", strip=True)
            start = tag.parent
        elif tag.name in ("p", "div", "td", "section", "article", "span", "font"):
            text = "".join(s for s in tag.find_all(string=True, recursive=False)).strip()
            start = tag.parent if tag.name == "p" else tag
        else:
            continue
        score = _prose_score(text)
        if not score:
            continue
        link_text = sizes.links(tag) if whole else 0
        score *= max(0.0, 1 - link_text / max(1, len(text)))
        own[id(tag)] += score
        node, level = start, 1
        while node is not None and level <= 3 and node.name not in ("html", "[document]"):
            scores[id(node)] += score / level
            tags[id(node)] = node
            node, level = node.parent, level + 1
    if not scores:
        return soup.body, "the whole page"
    best = tags[max(scores, key=scores.__getitem__)]
    totals = _subtree_sums(soup, own)
    chosen, node, climbed = best, best, 0
    while climbed < WIDEN_LEVELS:
        branch, node = node, node.parent
        if node is None or node.name in ("body", "html", "[document]"):
            break
        climbed += 1
        alike = sum(1 for c in node.contents if isinstance(c, Tag) and totals.get(id(c))
                    and c.name == branch.name and c.get("class") == branch.get("class"))
        if alike >= WIDEN_SIBLINGS and totals.get(id(node), 0.0) >= WIDEN_GAIN * totals.get(id(chosen), 0.0):
            chosen, climbed = node, 0
    return chosen, "the best-scoring block" if chosen is best else "the best-scoring block, widened"


WIDEN_LEVELS = 4
WIDEN_GAIN = 1.5
WIDEN_SIBLINGS = 3


def _subtree_sums(root: Tag, own: dict[int, float]) -> dict[int, float]:
    """id(tag) -> the sum of ``own`` over the tag and everything under it, in one bottom-up pass."""
    out: dict[int, float] = {}
    for node in _bottom_up(root):
        out[id(node)] = own.get(id(node), 0.0) + sum(out[id(c)] for c in node.contents if isinstance(c, Tag))
    return out


def _bottom_up(root: Tag) -> Iterator[Tag]:
    """Every element under ``root`` (and ``root``), each after all of its children; no recursion."""
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            yield node
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in node.contents if isinstance(c, Tag))


@dataclass
class _Body:
    """Paragraph texts (indexes of headings among them), captions, the element they came from, and how."""

    paragraphs: list[str]
    headings: list[int]
    captions: list[Caption]
    root: Tag | None
    extraction: str

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _bodies(soup: BeautifulSoup, page: str, ld: dict, meta: dict[str, str], title: str | None) -> Iterator[_Body]:
    """Article bodies to try, best first; each later one is computed only when asked for."""
    container, how = _best_container(soup)
    yield _body_of(container, title, f"body from {how}")
    # Furniture removal can take the article with it (a short story in <div class="article font-size-m">):
    # the same scoring on the page with only scripts and styles removed.
    whole = BeautifulSoup(page, "lxml")
    _remove_toolbar(whole)
    _strip_junk(whole, furniture=False)
    container, _ = _best_container(whole, marked_first=False)
    yield _body_of(container, title, "body from the largest prose block (page furniture kept)")
    ld_body = _ld_body(ld)
    if ld_body is not None:
        yield ld_body
    description = meta.get("og:description") or meta.get("description") or _ld_text(ld.get("description"))
    if description:
        yield _Body(split_text_paragraphs(description), [], [], None, "body from the meta description only")


def _body_of(root: Tag | None, title: str | None, extraction: str) -> _Body:
    body = _Body([], [], [], root, extraction)
    if root is None:
        return body
    for kind, value in _blocks(root):
        if kind == "caption":
            body.captions.append(Caption(value))
        elif _keep_line(value, title):
            if kind == "heading":
                body.headings.append(len(body.paragraphs))
            body.paragraphs.append(value)
    return body


def _ld_body(ld: dict) -> _Body | None:
    """The JSON-LD ``articleBody`` as paragraphs (HTML in it is read as HTML), or None."""
    raw = ld.get("articleBody")
    if not isinstance(raw, str) or not raw.strip():
        return None
    paragraphs = html_paragraphs(raw) if "<" in raw and ">" in raw else split_text_paragraphs(raw)
    return _Body(paragraphs, [], [], None, "body from JSON-LD articleBody")


def _blocks(root: Tag) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` for the paragraphs, headings and captions under ``root``, in reading order.

    Text runs between block elements (and ``<br>`` breaks) are paragraphs; runs
    that are mostly link text are dropped as link lists.
    """
    run: list[str] = []
    link_chars = 0

    def flush() -> Iterator[tuple[str, str]]:
        nonlocal run, link_chars
        text = "".join(run)
        total = len(re.sub(r"\s", "", text))
        if total and link_chars / total <= 0.5:
            for line in text.split("\n"):
                line = clean_line(re.sub(r"[ \t\r\f\v]+", " ", line))
                if line:
                    yield "paragraph", line
        run, link_chars = [], 0

    # Depth-first with a stack of child iterators, not recursion: pages nest thousands of elements deep.
    pending = [iter(root.children)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            yield from flush()
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, Comment):
                run.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in ("figure", "figcaption") or _words(child) & _CAPTION_WORDS:
            yield from flush()
            caption = clean_line(re.sub(r"\s+", " ", child.get_text(" ", strip=True)))
            if caption:
                yield "caption", caption
        elif child.name in _BLOCK_TAGS or "display:block" in (child.get("style") or "").replace(" ", ""):
            yield from flush()
            if child.name == "h1":
                continue
            if child.name in _HEADING_TAGS:
                text = clean_line(re.sub(r"[ \t\r\n\f\v]+", " ", child.get_text(" ", strip=True)))
                links = sum(len(a.get_text("", strip=True)) for a in child.find_all("a"))
                if text and links < len(text) / 2:
                    yield "heading", text
                continue
            pending.append(iter(child.children))
        else:
            text = child.get_text()
            run.append(text)
            if child.name == "a":
                link_chars += len(re.sub(r"\s", "", text))
            else:
                link_chars += sum(len(re.sub(r"\s", "", a.get_text())) for a in child.find_all("a"))


def _keep_line(text: str, title: str | None) -> bool:
    """Drop the headline repeated in the body and lines that are only a date."""
    if title and _squeeze(text) == _squeeze(title):
        return False
    return not _DATE_LINE.match(text)
