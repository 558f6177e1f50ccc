"""TREC-style ``<doc>`` files (SogouCS/SogouCA: ``<url><docno><contenttitle><content>``), many articles per file.

These files are not well-formed XML (bare ``&``, stray ``<``), so each
``<doc>…</doc>`` is cut out with a regular expression rather than parsed.
SogouCS marks paragraph breaks inside ``<content>`` with the private-use
character U+E40C (or full-width spaces), which become real breaks here.
"""

from __future__ import annotations

import re

from newsgrep.readers.assemble import make_article, url_article_id
from newsgrep.readers.dates import date_in_url, parse_date
from newsgrep.readers.structure import split_text_paragraphs
from newsgrep.record import Article

_DOC = re.compile(r"<doc\b[^>]*>(?P<body>.*?)(?:</doc>|(?=<doc\b)|\Z)", re.IGNORECASE | re.DOTALL)
_FIELD = re.compile(r"<(?P<tag>[a-z]+)\b[^>]*>(?P<value>.*?)</(?P=tag)>", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_MARK = re.compile(r"[\ue40c]|\u3000{2,}")

TITLE_TAGS = ("contenttitle", "title", "headline", "head")
CONTENT_TAGS = ("content", "text", "body")
DATE_TAGS = ("date", "pubdate", "time")


def parse_trec(text: str, path: str, stem: str, source_path: str) -> tuple[list[Article], list[str]]:
    """Every ``<doc>`` with text; docs without any become problems naming their position."""
    articles: list[Article] = []
    problems: list[str] = []
    for number, doc in enumerate(_DOC.finditer(text), start=1):
        values: dict[str, str] = {}
        for field in _FIELD.finditer(doc["body"]):
            values.setdefault(field["tag"].lower(), field["value"].strip())
        url = values.get("url") or None
        docno = values.get("docno")
        content = next((values[t] for t in CONTENT_TAGS if values.get(t)), "")
        paragraphs = split_text_paragraphs(_PARAGRAPH_MARK.sub("\n", content))
        date = next((d for d in (parse_date(values.get(t)) for t in DATE_TAGS) if d), None) or date_in_url(url)
        article = make_article(
            article_id=url_article_id(url) if url else f"{stem}-{docno or number}",
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
