"""From fields a reader pulled out of a file to an ``Article``, the same way for every format.

Readers differ in where they find a title, a date or paragraphs; what happens
next is shared: site names come off titles, noise and captions are sorted out
of the paragraphs, the first paragraph becomes the lede, a byline names the
author when no field did, and a missing title is derived from the lede. An
author is kept only when it names a person; the credit line as printed is kept
as the byline either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsgrep.readers.structure import (
    build_body,
    byline_author,
    byline_line,
    clean_line,
    derive_title,
    leading_byline,
    person_name,
    printed_byline,
    split_trailing_byline,
    strip_site_name,
)
from newsgrep.record import Article, Block, Caption

_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});?")
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid)$", re.IGNORECASE)


def unescape(text: str) -> str:
    """Decode HTML entities a scraper left in a text field (``&#20818;`` -> 兒, ``&nbsp`` -> space)."""
    if "&" not in text or not _ENTITY.search(text):
        return text
    return html.unescape(text).replace("\u00a0", " ")


# A page saved from the Wayback Machine links to web.archive.org/web/<14-digit capture time>[flag_]/<original>.
_WAYBACK = re.compile(
    r"^(?:(?:https?:)?//(?:web\.)?archive\.org)?/web/(?P<stamp>\d{4,14})(?:[a-z]{2}_)?/(?P<url>.+)$", re.IGNORECASE
)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/index.shtml", "/default.aspx", "/default.asp"}


def wayback_parts(url: str) -> tuple[str, str] | None:
    """``(original URL, capture stamp)`` of a Wayback Machine address, else None."""
    match = _WAYBACK.match(url.strip())
    if not match:
        return None
    original = match["url"]
    if original.startswith("//"):
        original = "http:" + original
    elif not re.match(r"[a-z][a-z0-9+.-]*:", original, re.IGNORECASE):
        original = "http://" + original
    elif re.match(r"https?:/[^/]", original, re.IGNORECASE):  # the archive collapses "//" in its paths
        original = original.replace(":/", "://", 1)
    return original, match["stamp"]


def page_url(url: str | None) -> str | None:
    """The address of the article itself, or None: archive wrappers come off, and a URL that names no
    page (a site's home page, a ``mailto:``) is not the article's, so it neither identifies nor merges it."""
    url = (url or "").strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    unwrapped = wayback_parts(url)
    if unwrapped:
        url = unwrapped[0]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.path.rstrip("/") in _HOME_PATHS and not parts.query:
        return None
    return url


def article_id_for(url: str | None, fallback_id: str) -> str:
    """The id made from the article's own URL when it has one (``page_url``), else ``fallback_id``."""
    url = page_url(url)
    return url_article_id(url) if url else fallback_id


def normalize_url(url: str) -> str:
    """The URL without fragment and tracking parameters, host lower-cased: what identifies the page."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, query, ""))


def url_article_id(url: str) -> str:
    """``news.pts.org.tw-3f2a9c0d1e4b``: the host (without ``www.``) and 12 hex digits of the URL's SHA-1.

    The same URL gives the same id in any file, so one article scraped into
    several files keeps one identity.
    """
    url = normalize_url(url)
    host = urlsplit(url).hostname or "url"
    host = host.removeprefix("www.")
    return f"{host}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}"


def make_article(
    *,
    article_id: str,
    source_path: str,
    paragraphs: Sequence[str],
    title: str | None = None,
    date: dt.date | dt.datetime | None = None,
    url: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    fallback_author: str | None = None,
    byline: str | None = None,
    category: str | None = None,
    tags: Iterable[str] = (),
    captions: Iterable[Caption] = (),
    headings: Sequence[int] = (),
    crawled_at: dt.date | dt.datetime | None = None,
    require_paragraph: bool = False,
) -> Article | None:
    """An Article from extracted parts, or None when no article text is left after cleanup.

    ``headings`` lists indexes into ``paragraphs`` that the source marked as
    sub-headings (HTML ``<h2>``); other paragraphs are classified by shape.
    The author is the person ``author`` names if it names one (not a URL, an
    outlet or a desk), else the person a byline in the text names, else the
    one ``fallback_author`` names (metadata a page is less sure of than its
    byline). ``byline`` is the credit as the source printed it; without one,
    a byline found in the text is kept. With ``require_paragraph``, text made
    only of heading-shaped lines is no article (a reader with other places to
    look says so); without it, its first line is the lede.
    """
    author = person_name(author, outlet)
    byline = printed_byline(byline)
    blocks: list[Block] = []
    found_captions = list(captions)
    marked = set(headings)
    for i, raw in enumerate(paragraphs):
        text = clean_line(unescape(raw))
        if not text:
            continue
        if i in marked:
            more, _ = build_body([text])
            if more and more[0].kind == "paragraph" and len(text) <= 60:
                more = [Block("heading", text)]
            blocks.extend(more)
            continue
        credited = byline_line(text)
        if credited:  # a paragraph that only names the reporter
            author = author or person_name(credited, outlet)
            byline = byline or text
            continue
        whole = text
        text, credited = split_trailing_byline(text)
        if credited:
            author = author or person_name(credited, outlet)
            byline = byline or clean_line(whole[len(text):])
        more, caps = build_body([text])
        blocks.extend(more)
        found_captions.extend(caps)
    lede_at = next((i for i, b in enumerate(blocks) if b.kind == "paragraph"), None)
    if lede_at is None:
        # Only heading-shaped lines (short, no 。): a one-line flash or a text that never ends its
        # sentences is still the article, so its first line is the lede.
        if not blocks or require_paragraph:
            return None
        lede_at = 0
    lede = blocks.pop(lede_at).text
    author = author or person_name(byline_author(lede), outlet) or person_name(fallback_author, outlet)
    byline = byline or leading_byline(lede)
    title = strip_site_name(unescape(title)) if title else ""
    return Article(
        id=article_id,
        source_path=source_path,
        title=title or derive_title(lede),
        title_derived=not title,
        lede=lede,
        body=tuple(blocks),
        date=date,
        captions=tuple(found_captions),
        url=url or None,
        outlet=clean_line(outlet) if outlet else None,
        author=author,
        category=clean_line(category) if category else None,
        tags=tuple(t for t in (clean_line(str(t)) for t in tags) if t),
        byline=byline,
        crawled_at=crawled_at,
    )
