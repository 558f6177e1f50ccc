"""Terminal views: how hits, articles, tokens and ingest reports look. Nothing here touches the index."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

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
    text = Text(snippet.text, style=base)
    for start, end in snippet.highlights:
        text.stylize(MATCH_STYLE, start, end)
    return text


def write_json_lines(console: Console, rows: Iterable[dict[str, Any]]) -> None:
    """JSON Lines on the console's file, bypassing Rich so nothing is styled or wrapped."""
    for row in rows:
        console.file.write(json.dumps(row, ensure_ascii=False) + "\n")
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
        line.append(hit.id, style="magenta")
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
            out.print(Text(copies, style="dim"))


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
    err.print(Text(line))
    if result.suggestion:
        err.print(Text(f'try: newsgrep search "{result.suggestion}"'))


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
    for article in articles:
        line = Text()
        line.append(article.id, style="magenta")
        line.append("  ")
        day = local_day(article.date)
        line.append(day.isoformat() if day else "----------", style="green")
        if article.outlet:
            line.append(f"  {article.outlet}", style="cyan")
        line.append(f"  {article.title}", style="bold")
        line.append(f"  {shown_path(article.source_path)}", style="dim")
        out.print(line)


def render_article(article: Article, out: Console, copies: list[Article] = ()) -> None:
    out.print(Text(article.title, style="bold"))
    meta = [article.date.isoformat() if article.date else "no date"]
    meta += [v for v in (article.outlet, article.author) if v]
    meta.append(shown_path(article.source_path))
    out.print(Text(" · ".join(meta), style="dim"))
    details = [f"id {article.id}"]
    if article.url:
        details.append(article.url)
    if article.title_derived:
        details.append("title derived from the lede")
    out.print(Text(" · ".join(details), style="dim"))
    out.print()
    if article.lede:
        out.print(Text(article.lede, style="italic"))
        out.print()
    for block in article.body:
        if block.kind == "heading":
            out.print(Text(block.text, style="bold cyan"))
        else:
            out.print(Text(block.text))
        out.print()
    for caption in article.captions:
        line = Text("圖說 ", style="dim")
        line.append(caption.text, style="italic")
        if caption.credit:
            line.append(f" ({caption.credit})", style="dim")
        out.print(line)
    if copies:
        out.print()
        out.print(Text(f"{len(copies)} other cop{'ies' if len(copies) != 1 else 'y'} of this story:", style="bold"))
        for copy in copies:
            day = local_day(copy.date)
            out.print(Text(f"  {copy.id}  {day.isoformat() if day else '----------'}  {copy.outlet or ''}  {copy.title}", style="dim"))


def render_tokens(tokens: list[AnalyzedToken], out: Console) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("pos", "term", "original", "start", "end", "type"):
        table.add_column(name, justify="right" if name in ("pos", "start", "end") else "left")
    for t in tokens:
        table.add_row(
            str(t.position), Text(t.term), Text(t.original), str(t.start), str(t.end), "subword" if t.subword else "word"
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
        err.print(Text(detail, style="dim"))
    for warning in report.warnings:
        err.print(Text(f"newsgrep: warning: {warning}", style="yellow"))
    for failure in report.failures:
        err.print(Text(f"newsgrep: {failure}", style="red"))
    if report.interrupted:
        err.print(Text(f"newsgrep: interrupted; what was read so far is committed ({index_path}: {report.summary()})", style="yellow"))
    elif not quiet:
        err.print(Text(f"{index_path}: {report.summary()}"))
