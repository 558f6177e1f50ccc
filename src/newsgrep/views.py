"""Terminal views: how hits, articles, tokens and ingest reports look. Nothing here touches the index.

Every string that came from a file, a query or a message enters a line through ``console.safe_text``
(never ``Text(value)``): control and bidi characters are shown as escapes, not obeyed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from newsgrep.console import safe_text
from newsgrep.inert import json_line
from newsgrep.record import local_day

if TYPE_CHECKING:  # type names only: importing ingest would pull in every reader (bs4) on each search
    from newsgrep.analysis import AnalyzedToken
    from newsgrep.ingest import IngestReport
    from newsgrep.record import Article
    from newsgrep.search import SearchResult
    from newsgrep.snippets import Snippet

MATCH_STYLE = "bold red"


def shown_path(path: str) -> str:
    """A stored absolute path, relative to the current folder when it lies under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def styled(snippet: Snippet, base: str = "") -> Text:
    return safe_text(snippet.text, base, spans=[(start, end, MATCH_STYLE) for start, end in snippet.highlights])


def write_json_lines(console: Console, rows: Iterable[dict[str, Any]]) -> None:
    """JSON Lines on the console's file, bypassing Rich so nothing is styled or wrapped (``inert.json_line``)."""
    for row in rows:
        console.file.write(json_line(row) + "\n")
    console.file.flush()


def render_count(result: SearchResult, console: Console) -> None:
    """``160 articles (131 stories), showing 1–10``: above the hits on a terminal, else on stderr."""
    articles = f"{result.total} article{'s' if result.total != 1 else ''}"
    if result.stories and result.stories != result.total:
        articles += f" ({result.stories} stor{'ies' if result.stories != 1 else 'y'})"
    if result.hits:
        first = result.offset + 1
        articles += f", showing {first}–{result.offset + len(result.hits)}"
    else:
        articles += f", none on this page (offset {result.offset})"
    console.print(Text(articles, style="dim"))


def render_hits(result: SearchResult, out: Console) -> None:
    for hit in result.hits:
        line = Text()
        line.append_text(safe_text(hit.id, "magenta"))
        line.append("  ")
        line.append(hit.day.isoformat() if hit.day else "----------", style="green")
        line.append("  ")
        line.append_text(styled(hit.title, "bold"))
        out.print(line)
        snippet = Text("    ")
        snippet.append_text(styled(hit.snippet))
        out.print(snippet)
        if hit.copies:
            outlets = sorted({c.outlet for c in hit.copies if c.outlet} - {hit.outlet})
            n = len(hit.copies)
            copies = f"    +{n} cop{'ies' if n != 1 else 'y'}"
            if outlets:
                copies += ": " + ", ".join(outlets[:5]) + (" …" if len(outlets) > 5 else "")
            out.print(safe_text(copies, "dim"))


def render_no_hits(result: SearchResult, err: Console) -> None:
    """Never an empty screen: what each word matched alone (within the filters, and without), and a query that would match."""
    line = f"no articles match {result.query}"
    if result.word_counts:
        parts = []
        for c in result.word_counts:
            part = f"{c.word}: {c.articles} article{'s' if c.articles != 1 else ''}"
            if c.unfiltered is not None and c.unfiltered != c.articles:
                part += f" within the filters, {c.unfiltered} without"
            parts.append(part)
        line += " (" + ", ".join(parts) + ")"
    err.print(safe_text(line))
    if result.suggestion:
        err.print(safe_text(f'try: newsgrep search "{result.suggestion}"'))


def article_summary(article: Article) -> dict[str, Any]:
    """The ``list --json`` row of one article."""
    return {
        "id": article.id,
        "date": article.date.isoformat() if article.date else None,
        "outlet": article.outlet,
        "title": article.title,
        "path": article.source_path,
        "url": article.url,
    }


def render_listing(articles: list[Article], out: Console) -> None:
    """One article per line: id, date, outlet, title, source file.

    On a terminal each row fits ``out.width`` (CJK counts two cells): a path not
    under the current folder loses its leading folders (the file name stays)
    and the title is cut with an ellipsis. Off a terminal every value is whole.
    """
    for article in articles:
        line = Text()
        line.append_text(safe_text(article.id, "magenta"))
        line.append("  ")
        day = local_day(article.date)
        line.append(day.isoformat() if day else "----------", style="green")
        if article.outlet:
            line.append("  ")
            line.append_text(safe_text(article.outlet, "cyan"))
        title = safe_text(article.title, "bold")
        path = safe_text(shown_path(article.source_path), "dim")
        if out.is_terminal:
            title, path = fit_title_and_path(title, path, out.width - line.cell_len - 4)
        line.append("  ")
        line.append_text(title)
        line.append("  ")
        line.append_text(path)
        if out.is_terminal:  # a very long id or outlet: the row still ends at the edge
            line.truncate(out.width, overflow="ellipsis")
        out.print(line)


# On a terminal a listed title gets at least this many cells before leading folders of its path are dropped,
# and never fewer than the smaller number.
TITLE_CELLS, TITLE_MIN_CELLS = 20, 8


def fit_title_and_path(title: Text, path: Text, cells: int) -> tuple[Text, Text]:
    """Title and path in ``cells`` terminal cells together: the path shortened from the left, then the title cut."""
    if title.cell_len + path.cell_len <= cells:
        return title, path
    path = left_shortened(path, cells - min(title.cell_len, TITLE_CELLS))
    title.truncate(max(cells - path.cell_len, TITLE_MIN_CELLS), overflow="ellipsis")
    return title, path


def left_shortened(path: Text, cells: int) -> Text:
    """``path`` as ``…/`` and as many of its last components as fit in ``cells`` (the file name always)."""
    plain = path.plain
    if path.cell_len <= cells or "/" not in plain:
        return path
    cut = plain.rfind("/") + 1
    while cut > 1:
        earlier = plain.rfind("/", 0, cut - 1) + 1
        if cell_len(plain[earlier:]) + 2 > cells:
            break
        cut = earlier
    shortened = Text("…/", style=path.style)
    shortened.append_text(path[cut:])
    return shortened


def render_article(article: Article, out: Console, copies: list[Article] = ()) -> None:
    out.print(safe_text(article.title, "bold"))
    if article.date:
        meta = [article.date.isoformat()]
    else:  # a crawl time is never shown as a publication date
        meta = [f"undated (crawled {article.crawled_at.isoformat()})" if article.crawled_at else "undated"]
    meta += [v for v in (article.outlet, article.author or article.byline) if v]
    meta.append(shown_path(article.source_path))
    out.print(safe_text(" · ".join(meta), "dim"))
    details = [f"id {article.id}"]
    if article.url:
        details.append(article.url)
    if article.title_derived:
        details.append("title derived from the lede")
    out.print(safe_text(" · ".join(details), "dim"))
    out.print()
    if article.lede:
        out.print(safe_text(article.lede, "italic", lines=True))
        out.print()
    for block in article.body:
        out.print(safe_text(block.text, "bold cyan" if block.kind == "heading" else "", lines=True))
        out.print()
    for caption in article.captions:
        line = Text("圖說 ", style="dim")
        line.append_text(safe_text(caption.text, "italic"))
        if caption.credit:
            line.append_text(safe_text(f" ({caption.credit})", "dim"))
        out.print(line)
    if copies:
        out.print()
        out.print(Text(f"{len(copies)} other cop{'ies' if len(copies) != 1 else 'y'} of this story:", style="bold"))
        for copy in copies:
            day = local_day(copy.date)
            out.print(safe_text(f"  {copy.id}  {day.isoformat() if day else '----------'}  {copy.outlet or ''}  {copy.title}", "dim"))


def render_tokens(tokens: list[AnalyzedToken], out: Console) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("pos", "term", "original", "start", "end", "type"):
        table.add_column(name, justify="right" if name in ("pos", "start", "end") else "left")
    for t in tokens:
        table.add_row(
            str(t.position), safe_text(t.term), safe_text(t.original), str(t.start), str(t.end), "subword" if t.subword else "word"
        )
    out.print(table)


def token_dict(t: AnalyzedToken) -> dict[str, Any]:
    return {
        "token": t.term,
        "original": t.original,
        "position": t.position,
        "start_offset": t.start,
        "end_offset": t.end,
        "type": "subword" if t.subword else "word",
    }


def render_report(report: IngestReport, err: Console, *, index_path: str, quiet: bool) -> None:
    for detail in report.details:
        err.print(safe_text(detail, "dim"))
    for warning in report.warnings:
        err.print(safe_text(f"newsgrep: warning: {warning}", "yellow"))
    for failure in report.failures:
        err.print(safe_text(f"newsgrep: {failure}", "red"))
    if report.interrupted:
        err.print(safe_text(f"newsgrep: interrupted; what was read so far is committed ({index_path}: {report.summary()})", "yellow"))
    elif not quiet:
        err.print(safe_text(f"{index_path}: {report.summary()}"))
