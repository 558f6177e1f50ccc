"""TREC-style ``<doc>`` files (SogouCS/SogouCA: ``<url><docno><contenttitle><content>``), many articles per file.

These files are not well-formed XML (bare ``&``, stray ``<``), so each
``<doc>…</doc>`` is cut out with a regular expression rather than parsed.
SogouCS marks paragraph breaks inside ``<content>`` with the private-use
character U+E40C (or full-width spaces), which become real breaks here.
"""

from __future__ import annotations

import re
from collections import defaultdict

from newsgrep.readers.assemble import article_id_for, make_article, page_url
from newsgrep.readers.dates import date_in_url, parse_date
from newsgrep.readers.structure import split_text_paragraphs
from newsgrep.record import Article

# Attributes stop at the next "<" too: ``[^>]*`` rescanned to the end of the file from every "<doc" that
# never closes (quadratic in the number of such tags).
_DOC = re.compile(r"<doc\b[^<>]*>(?P<body>.*?)(?:</doc>|(?=<doc\b)|\Z)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<(?P<close>/?)(?P<name>[a-z]+)\b[^<>]*>", re.IGNORECASE)
_PARAGRAPH_MARK = re.compile(r"[\ue40c]|\u3000{2,}")

TITLE_TAGS = ("contenttitle", "title", "headline", "head")
CONTENT_TAGS = ("content", "text", "body")
DATE_TAGS = ("date", "pubdate", "time")


def parse_trec(text: str, path: str, fallback_id: str, source_path: str) -> tuple[list[Article], list[str]]:
    """Every ``<doc>`` with text; docs without any become problems naming their position.

    Ids come from each doc's URL, else ``<fallback_id>-<docno or position>``.
    """
    articles: list[Article] = []
    problems: list[str] = []
    for number, doc in enumerate(_DOC.finditer(text), start=1):
        values = _fields(doc["body"])
        url = page_url(values.get("url"))
        docno = values.get("docno")
        content = next((values[t] for t in CONTENT_TAGS if values.get(t)), "")
        paragraphs = split_text_paragraphs(_PARAGRAPH_MARK.sub("\n", content))
        date = next((d for d in (parse_date(values.get(t)) for t in DATE_TAGS) if d), None) or date_in_url(url)
        article = make_article(
            article_id=article_id_for(url, f"{fallback_id}-{docno or number}"),
            source_path=source_path,
            paragraphs=paragraphs,
            title=next((values[t] for t in TITLE_TAGS if values.get(t)), None),
            date=date,
            url=url,
        )
        if article is None:
            problems.append(f"doc {number}{f' ({docno})' if docno else ''}: no article text")
        else:
            articles.append(article)
    return articles, problems


def _fields(body: str) -> dict[str, str]:
    """The first ``<tag>value</tag>`` of each tag name in a doc, in one pass over its tags.

    A value runs from its opening tag to the next closing tag of the same name
    (no nesting); tags inside a value taken are skipped, and an opening tag
    that never closes is passed over. This is what the regular expression
    ``<(tag)…>(.*?)</(tag)>`` found, but that rescanned to the end of the doc
    from every unclosed tag: 100,000 unclosed ``<b>`` (600 KB) took 185 s.
    """
    tags = [(m.start(), m.end(), bool(m["close"]), m["name"].lower()) for m in _TAG.finditer(body)]
    closing: dict[str, list[int]] = defaultdict(list)  # tag name -> start offsets of its closing tags
    close_end: dict[int, int] = {}
    for start, end, is_close, name in tags:
        if is_close:
            closing[name].append(start)
            close_end[start] = end
    next_close: dict[str, int] = defaultdict(int)  # per name, the first closing tag not yet behind us
    values: dict[str, str] = {}
    resume = 0
    for start, end, is_close, name in tags:
        if is_close or start < resume:
            continue
        starts, k = closing.get(name, []), next_close[name]
        while k < len(starts) and starts[k] < end:
            k += 1
        next_close[name] = k
        if k < len(starts):
            values.setdefault(name, body[end:starts[k]].strip())
            resume = close_end[starts[k]]
    return values
