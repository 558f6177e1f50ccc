"""Reading sources: files in, Article records out. No reader knows about the index or the terminal.

``read_file`` decodes a file (``decode``), decides its format from its content
(``sniff``) and hands it to one reader: seed text (``seed``), a saved web page
(``html``), JSON or JSON Lines records (``records``) or a ``<doc>`` collection
(``trec``). It returns a ``FileRead``: every article the file holds, plus the
problems it survived (a broken JSON line, junk bytes) and the encoding it was
decoded with. Anything that leaves a file with no usable article is a
``ReadError`` naming the file and the reason, so the caller can report it and
go on with the next file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsgrep.errors import ReadError
from newsgrep.readers.sniff import looks_like_article_bytes, sniff_format
from newsgrep.record import Article

# The readers themselves are imported by ``read_file``: deciding which files to read (``is_article_file``)
# must not pull in bs4 and lxml, or a re-ingest where nothing changed pays ~0.1 s for parsers it never uses.

__all__ = ["ARTICLE_SUFFIXES", "FileRead", "ReadError", "is_article_file", "read_file"]


@dataclass
class FileRead:
    """What one file yielded: its articles, the problems survived on the way (one line each), the encoding
    used, the format, and for a web page how its text was found."""

    articles: list[Article]
    problems: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    format: str = "seed"
    # How the text was found, when there was a choice (HTML: "body from the best-scoring block", "body
    # from JSON-LD articleBody", …); for ``ingest --verbose``, not a problem.
    extraction: str | None = None


ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".json", ".jsonl", ".xml", ".trec"})
SNIFF_BYTES = 512


def is_article_file(path: Path) -> bool:
    """Whether ``ingest`` should read this file: a known suffix, or no suffix and article-like first bytes.

    Hidden files are passed over.
    """
    if path.name.startswith("."):
        return False
    suffix = path.suffix.lower()
    if suffix in ARTICLE_SUFFIXES:
        return True
    if suffix and not suffix[1:].isdigit():  # "page.1" style suffixes are still suffix-less names
        return False
    try:
        with path.open("rb") as f:
            return looks_like_article_bytes(f.read(SNIFF_BYTES))
    except OSError:
        return False


def read_file(
    path: Path,
    data: bytes | None = None,
    *,
    source_path: str | None = None,
    fields: Mapping[str, str] | None = None,
    fallback_id: str | None = None,
) -> FileRead:
    """Every article in the file at ``path``.

    ``data`` is the file's bytes when the caller already has them; ``source_path``
    is what records store as their origin (default: the absolute path).
    ``fields`` names record keys for JSON formats (``{"content": "article_text"}``);
    an unknown article field there is a ValueError. Errors name the file as
    ``path`` was given.

    Ids: an article that declares its URL (a page's canonical link, og:url,
    JSON-LD, a Wayback capture's original address; a record's ``url``) gets
    ``assemble.url_article_id`` of it, so the same article has one id in any
    file. Otherwise the id is ``fallback_id`` (default: the file name's stem; ingest
    passes the path under the folder it was given),
    with ``-<n>`` added per record in JSON and ``<doc>`` files.
    """
    from newsgrep.readers.decode import decode_bytes
    from newsgrep.readers.records import check_fields

    path = Path(path)
    shown = str(path)
    source_path = source_path or os.path.abspath(path)
    check_fields(fields)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ReadError(shown, e.strerror or str(e)) from None
    decoded = decode_bytes(data, shown)
    text = decoded.text
    problems = list(decoded.problems)
    fmt = sniff_format(text, path.suffix)
    stem = fallback_id or path.stem
    if fmt == "seed":
        from newsgrep.readers.seed import parse_seed

        articles = [parse_seed(text, shown, stem, source_path)]
    elif fmt == "html":
        from newsgrep.readers.html import parse_html

        page = parse_html(text, shown, stem, source_path)
        if page.article is None:
            raise ReadError(shown, "no article text found in the page")
        return FileRead([page.article], problems, decoded.encoding, fmt, page.extraction)
    elif fmt in ("json", "jsonl", "trec"):
        from newsgrep.readers.records import parse_json, parse_jsonl
        from newsgrep.readers.trec import parse_trec

        if fmt == "trec":
            articles, more = parse_trec(text, shown, stem, source_path)
        else:
            parse = parse_jsonl if fmt == "jsonl" else parse_json
            articles, more = parse(text, shown, stem, source_path, fields)
        problems += more
        if not articles:
            reason = f"no usable article in {fmt.upper()} file"
            raise ReadError(shown, f"{reason} ({problems[0]}{' …' if len(problems) > 1 else ''})" if problems else reason)
    else:
        raise ReadError(shown, "RSS/Atom feed, not an article file (feeds are not read)")
    return FileRead(articles, problems, decoded.encoding, fmt)
