"""JSON Lines and JSON arrays of scraped articles: map whatever the scraper named its fields.

Scrapers agree on nothing: the text is ``content``, ``body``, ``text`` or
``maintext``; the date is ``published_date``, ``publish_date``, ``date`` … So
each article field has a list of usual names, tried in order, and the caller
can name the key outright (``fields={"content": "article_text"}``). A broken
line costs that line only: it becomes a problem with its line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from newsgrep.errors import ReadError
from newsgrep.readers.assemble import article_id_for, make_article, page_url, unescape
from newsgrep.readers.dates import date_in_url, parse_date
from newsgrep.readers.structure import split_text_paragraphs
from newsgrep.record import Article

# Article field -> keys tried in order. A crawl time is never a publication date: it is kept apart.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "contenttitle", "name"),
    "content": ("content", "body", "text", "maintext", "article", "article_text", "fulltext", "description"),
    "date": (
        "published_date", "publish_date", "date_publish", "datePublished", "published_at", "published",
        "pubDate", "pubdate", "date", "time", "created_at",
    ),
    "crawled_at": ("crawled_at", "crawl_time", "crawled", "scraped_at", "fetched_at", "date_download"),
    "url": ("url", "link", "canonical_url", "source_url", "href"),
    "outlet": ("source_name", "media_name", "outlet", "site_name", "publisher", "source", "media"),
    "author": ("author", "authors", "byline", "reporter"),
    "category": ("category_name", "category", "section"),
    "tags": ("tags", "keywords"),
}
_ALIASES = {"source": "outlet", "body": "content", "text": "content", "headline": "title", "link": "url"}
# Containers a JSON document may wrap its list of articles in.
_LIST_KEYS = ("articles", "items", "data", "results", "docs", "news", "records")
# Placeholder categories some scrapers write when they know none.
_NO_CATEGORY = {"unknown", "未分類", "未分类", "all", "全部", "none", "null", ""}
# json.loads recurses once per nesting level; a file of "[[[[…" runs out of stack instead of failing to parse.
TOO_DEEP = "arrays or objects nested too deeply"


def check_fields(fields: Mapping[str, str] | None) -> dict[str, str]:
    """Normalise ``fields`` overrides (``source`` means ``outlet``); ValueError for an unknown article field."""
    out: dict[str, str] = {}
    for target, key in (fields or {}).items():
        target = _ALIASES.get(target, target)
        if target not in FIELD_KEYS:
            raise ValueError(f"unknown article field {target!r} (known: {', '.join(FIELD_KEYS)})")
        out[target] = key
    return out


def parse_jsonl(text: str, path: str, fallback_id: str, source_path: str, fields: Mapping[str, str] | None = None
                ) -> tuple[list[Article], list[str]]:
    """One article per line; broken or empty lines become problems. Ids without a URL: ``<fallback_id>-<line>``."""
    overrides = check_fields(fields)
    articles: list[Article] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().strip("\x00")
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {number}: invalid JSON ({e.msg})")
            continue
        except RecursionError:
            problems.append(f"line {number}: invalid JSON ({TOO_DEEP})")
            continue
        _collect(record, f"line {number}", f"{fallback_id}-{number}", source_path, overrides, articles, problems)
    return articles, problems


def parse_json(text: str, path: str, fallback_id: str, source_path: str, fields: Mapping[str, str] | None = None
               ) -> tuple[list[Article], list[str]]:
    """A JSON array of articles (or one, or a list under ``articles``/…). Ids without a URL: ``<fallback_id>-<n>``."""
    overrides = check_fields(fields)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReadError(path, f"invalid JSON at line {e.lineno} column {e.colno} ({e.msg})") from None
    except RecursionError:
        raise ReadError(path, f"invalid JSON ({TOO_DEEP})") from None
    articles: list[Article] = []
    problems: list[str] = []
    for number, record in enumerate(_records(document), start=1):
        _collect(record, f"record {number}", f"{fallback_id}-{number}", source_path, overrides, articles, problems)
    return articles, problems


def _records(document: Any) -> Iterator[Any]:
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                yield from document[key]
                return
        yield document
    elif isinstance(document, list):
        yield from document
    else:
        yield document


def _collect(record: Any, where: str, fallback_id: str, source_path: str, overrides: dict[str, str],
             articles: list[Article], problems: list[str]) -> None:
    if not isinstance(record, dict):
        problems.append(f"{where}: not a JSON object")
        return
    article = record_to_article(record, fallback_id, source_path, overrides)
    if article is None:
        problems.append(f"{where}: no article text")
    else:
        articles.append(article)


def record_to_article(record: Mapping[str, Any], fallback_id: str, source_path: str,
                      overrides: Mapping[str, str] | None = None) -> Article | None:
    """One scraped record as an Article, or None when it has no text."""
    overrides = overrides or {}

    def pick(target: str) -> Any:
        keys = (overrides[target],) if target in overrides else FIELD_KEYS[target]
        for key in keys:
            value = record.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    content = pick("content")
    if isinstance(content, list):
        content = "\n".join(_text(c) for c in content)
    paragraphs = split_text_paragraphs(unescape(_text(content))) if content else []
    url = page_url(_text(pick("url")))
    date = _first_date(record, "date", overrides) or date_in_url(url)
    category = _text(pick("category"))
    tags = pick("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    return make_article(
        article_id=article_id_for(url, fallback_id),
        source_path=source_path,
        paragraphs=paragraphs,
        title=_text(pick("title")),
        date=date,
        url=url,
        outlet=_text(pick("outlet")),
        author=_text(pick("author")),
        byline=_text(pick("author")),
        crawled_at=_first_date(record, "crawled_at", overrides),
        category=None if category.strip().lower() in _NO_CATEGORY else category,
        tags=[_text(t) for t in tags] if isinstance(tags, list) else (),
    )


def _first_date(record: Mapping[str, Any], target: str, overrides: Mapping[str, str]):
    keys = (overrides[target],) if target in overrides else FIELD_KEYS[target]
    return next((d for d in (parse_date(record.get(key)) for key in keys) if d is not None), None)


def _text(value: Any, depth: int = 0) -> str:
    """A field as text: strings as they are, ``{"name": …}`` by name, lists joined with 、 (10 levels at most)."""
    if value is None or depth > 10:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("text") or value.get("value") or "", depth + 1)
    if isinstance(value, list):
        return "、".join(t for t in (_text(v, depth + 1) for v in value) if t)
    return str(value)
