"""The command line: each command parses options, calls one library function, hands the result to a view.

Exit codes follow grep: 0 found (or done), 1 nothing found, 2 error.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer._click import exceptions as click_errors  # typer vendors click; its usage errors live only there
from typer._click.core import ParameterSource
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from newsgrep.console import Color, make_consoles, safe_text
from newsgrep.errors import NewsgrepError
from newsgrep.inert import inert


class OneLineUsageErrors(TyperGroup):
    """The app's group: a usage error anywhere (options, arguments, values, commands) is one line, exit 2.

    Typer would draw a boxed panel with the usage; grep-like tools say one line
    (``newsgrep: no such option: --bogus; see newsgrep search --help``).
    Every usage error is raised while this group parses its own arguments
    (``make_context``) or resolves and runs a command (``invoke``).
    """

    def make_context(self, info_name, args, parent=None, **extra):
        with usage_errors_in_one_line(info_name or "newsgrep"):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx):
        with usage_errors_in_one_line(ctx.command_path):
            return super().invoke(ctx)


@contextmanager
def usage_errors_in_one_line(command_path: str) -> Iterator[None]:
    """Click's usage errors as ``say`` lines naming the help to read (the failing command's, else ``command_path``'s)."""
    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise  # bare ``newsgrep`` prints the help
    except click_errors.ClickException as e:
        message = e.format_message().rstrip(".")
        context = getattr(e, "ctx", None)
        say(f"{message[:1].lower()}{message[1:]}; see {context.command_path if context else command_path} --help")
        raise typer.Exit(e.exit_code) from None


app = typer.Typer(
    name="newsgrep",
    cls=OneLineUsageErrors,
    help="Search a folder of Chinese news articles: ingest them once, then search and show.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Help texts are rich markup: a "[default: …]" note of our own goes through escape() or rich drops it as a tag.
IndexOption = Annotated[
    Optional[str],
    typer.Option(
        "--index", envvar="NEWSGREP_INDEX", show_default=False,
        help=escape("Index folder, or a PostgreSQL database as postgresql://user@host/db [default: data/index]"),
    ),
]
ColorOption = Annotated[Color, typer.Option("--color", help="Colour: auto (terminal only), never, always.")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one object per item.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="CSV on stdout: a header row, UTF-8 with a BOM (opens in a spreadsheet).")]


class SortOrder(str, Enum):
    score = "score"
    date = "date"


@app.callback()
def global_options(index: IndexOption = None) -> None:
    """Options before the command: ``newsgrep --index X search …`` (read by ``_given_index``)."""


def _given_index(index: Optional[str]) -> Optional[str]:
    """The command's own ``--index``, else the one before the command, else NEWSGREP_INDEX; None when none is."""
    context = get_current_context()
    before = context.find_root().params.get("index")
    if before and context.get_parameter_source("index") is not ParameterSource.COMMANDLINE:
        return before
    return index


def _typed_index() -> bool:
    """Whether ``--index`` was typed on this command line (before or after the command), not taken from the environment."""
    context = get_current_context()
    return any(
        c.get_parameter_source("index") is ParameterSource.COMMANDLINE for c in (context, context.find_root())
    )


def _location(index: Optional[str]) -> str:
    """``_given_index``, else data/index: a folder, or a server's address."""
    from newsgrep.engines import default_location

    given = _given_index(index)
    return given if given else default_location()


def _open(index: Optional[str]):
    """The index the command line names, opened for reading."""
    from newsgrep.engines import open_index

    return open_index(_location(index))


@contextmanager
def reporting_errors(err: Console) -> Iterator[None]:
    """Library errors become one line on stderr and exit code 2, never a traceback."""
    try:
        yield
    except NewsgrepError as e:
        err.print(safe_text(f"newsgrep: {e}", "red"))
        raise typer.Exit(2) from None


def say(message: str) -> None:
    """One ``newsgrep: …`` line on stderr where no console exists (before options are parsed, after a crash)."""
    sys.stderr.write(f"newsgrep: {inert(message)}\n")


def _field_overrides(specs: list[str]) -> dict[str, str]:
    """``--field content=article_text`` options as a mapping; a usage error (exit 2) when malformed."""
    from newsgrep.readers.records import check_fields

    overrides = {}
    for spec in specs:
        name, sep, key = spec.partition("=")
        if not sep or not name or not key:
            raise typer.BadParameter(f"expected FIELD=KEY, got {spec!r}", param_hint="--field")
        overrides[name.strip()] = key.strip()
    try:
        check_fields(overrides)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--field") from None
    return overrides


def _day(value: Optional[dt.datetime]) -> Optional[dt.date]:
    return value.date() if value is not None else None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read (folders recursively).", show_default=False)],
    index: IndexOption = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove stored articles whose files are gone.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build a fresh index from PATHS and swap it in.")] = False,
    userdict: Annotated[
        Optional[Path],
        typer.Option("--userdict", help=escape("Extra words, one per line ('word' or 'word freq') [default: userdict.txt beside the index, if any]"), show_default=False),
    ] = None,
    field: Annotated[
        Optional[list[str]],
        typer.Option("--field", help="JSON key for an article field, e.g. content=article_text (repeatable).", show_default=False),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per file read: format, encoding, articles.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line; errors only.")] = False,
    wait: Annotated[float, typer.Option("--wait", min=0, metavar="SECONDS", help="If another ingest is writing the index, wait this long for it.")] = 0,
    follow: Annotated[bool, typer.Option("--follow", "-L", help="Follow symbolic links that lead outside PATHS too.")] = False,
    color: ColorOption = Color.auto,
) -> None:
    """Read every article file under PATHS into the index. Re-running is cheap: unchanged files are skipped."""
    from newsgrep.dictionary import read_user_words
    from newsgrep.ingest import ingest_paths
    from newsgrep.progress import IngestDisplay
    from newsgrep.views import render_report

    from newsgrep.engines import is_server

    _, err = make_consoles(color)
    location = _location(index)

    with reporting_errors(err):
        beside = None if is_server(location) else Path(location).parent / "userdict.txt"
        if userdict is None and beside is not None and beside.is_file():
            userdict = beside
        user_words = read_user_words(userdict) if userdict is not None else None  # None: the index's own
        fields = _field_overrides(field or [])
        with IngestDisplay(err, enabled=not quiet and err.is_terminal and err.file.isatty()) as progress:
            report = ingest_paths(
                paths, location, prune=prune, rebuild=rebuild, user_words=user_words, fields=fields, verbose=verbose,
                progress=progress, wait=wait, follow=follow,
            )
    render_report(report, err, index_path=location, quiet=quiet)
    if report.interrupted:
        raise typer.Exit(130)
    if report.failures:
        raise typer.Exit(2)
    if report.files == 0:
        raise typer.Exit(1)


SinceOption = Annotated[
    Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Only articles of this local day or later (YYYY-MM-DD).")
]
UntilOption = Annotated[
    Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Only articles of this local day or earlier (YYYY-MM-DD).")
]
SourceOption = Annotated[Optional[list[str]], typer.Option("--source", help="Only articles from an outlet whose name contains this (repeatable).", show_default=False)]
AuthorOption = Annotated[Optional[list[str]], typer.Option("--author", help="Only articles by an author whose name contains this (repeatable).", show_default=False)]


def _filters(since, until, source, author):
    from newsgrep.query import Filters

    return Filters(since=_day(since), until=_day(until), sources=tuple(source or ()), authors=tuple(author or ()))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words (all must match), OR, -word, "a phrase", title:word, source:, author:.')],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many hits.")] = 10,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of --limit hits to show.")] = 1,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    sort: Annotated[SortOrder, typer.Option("--sort", help="Rank by relevance (score) or newest first (date).")] = SortOrder.score,
    every_copy: Annotated[bool, typer.Option("--all", help="Every copy of a story as its own hit (default: one hit per story).")] = False,
    ids_only: Annotated[bool, typer.Option("--ids", "-l", help="Only the ids of every matching article (one per story unless --all), newest first.")] = False,
    count_only: Annotated[bool, typer.Option("--count", "-c", help="Only the number of matching articles.")] = False,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Ranked hits: id, date, title and a snippet with the matched words highlighted; one hit per story."""
    from newsgrep.search import search as run_search
    from newsgrep.views import render_count, render_hits, render_no_hits

    if ids_only or count_only:
        _exclusive(ids_only=ids_only, count=count_only, json=json, csv=csv)
        _search_ids_or_count(query, _filters(since, until, source, author), index, ids_only=ids_only, every_copy=every_copy)
        return
    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    with reporting_errors(err):
        result = run_search(
            _open(index), query, filters=_filters(since, until, source, author), sort=sort.value, limit=limit,
            offset=(page - 1) * limit, collapse=not every_copy,
        )
    if fmt:
        from newsgrep.explore_views import HIT_COLUMNS, hit_row, write_rows

        write_rows(out, (hit_row(hit) if fmt == "csv" else hit.to_dict() for hit in result.hits), fmt, HIT_COLUMNS)
        if result.total and err.is_terminal:  # a person is watching: say how many; a script gets rows alone
            render_count(result, err)
    elif result.total:
        if out.is_terminal or err.is_terminal:  # above the hits, or beside a pipe where a person still watches
            render_count(result, out if out.is_terminal else err)
        render_hits(result, out)
    if not result.total:
        render_no_hits(result, err)
        raise typer.Exit(1)


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id, or a unique prefix of one.")],
    index: IndexOption = None,
    related: Annotated[bool, typer.Option("--related", help="List the most similar articles instead.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="With --related: at most this many.")] = 5,
    json: JsonOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Print one article, laid out for reading (--json: the full record; --related: similar articles)."""
    from newsgrep.views import article_summary, render_article, render_hits, write_json_lines

    context = get_current_context()
    if not related and context.get_parameter_source("limit") is ParameterSource.COMMANDLINE:
        raise click_errors.UsageError("-n/--limit only counts --related articles (without it, show prints one article)", ctx=context)
    out, err = make_consoles(Color.never if json else color)
    if related:
        from newsgrep.related import related as find_related

        with reporting_errors(err):
            result = find_related(_open(index), article_id, limit=limit)
        if json:
            write_json_lines(out, (hit.to_dict() for hit in result.hits))
        else:
            render_hits(result, out)
        if not result.hits:
            err.print("no related articles")
            raise typer.Exit(1)
        return
    from newsgrep.search import copies as copies_of

    with reporting_errors(err):
        engine = _open(index)
        article = engine.get(article_id)
        copies = copies_of(engine, article.id)
    if json:
        write_json_lines(out, [{**article.to_dict(), "copies": [article_summary(c) for c in copies]}])
    else:
        render_article(article, out, copies)


@app.command("list")
def list_command(
    index: IndexOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """List stored articles, newest first: id, date, outlet, title, source file."""
    from newsgrep.explore_views import LIST_COLUMNS, write_rows
    from newsgrep.listing import list_articles
    from newsgrep.views import article_summary, render_listing

    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    with reporting_errors(err):
        articles = list_articles(_open(index), filters=_filters(since, until, source, author), limit=limit)
    if fmt:
        write_rows(out, (article_summary(a) for a in articles), fmt, LIST_COLUMNS)
    else:
        render_listing(articles, out)
    if not articles:
        raise typer.Exit(1)


def _exclusive(**flags: bool) -> None:
    """A usage error (exit 2) when more than one of these output options is given."""
    given = [f"--{name}" for name, on in flags.items() if on]
    if len(given) > 1:
        raise click_errors.UsageError(f"{' and '.join(given)} cannot be combined", ctx=get_current_context())


def _output_format(json: bool, csv: bool) -> str | None:
    """The output format of ``--json``/``--csv``: "json", "csv", or None for the terminal view."""
    _exclusive(json=json, csv=csv)
    return "json" if json else "csv" if csv else None


def _search_ids_or_count(text: str, filters, index: Optional[str], *, ids_only: bool, every_copy: bool) -> None:
    """``search -l``: one id per line; ``search -c``: one number. Exit 1 when nothing matches, as grep."""
    from newsgrep.explore.matching import newest_first, one_per_story
    from newsgrep.query import parse

    out, err = make_consoles(Color.never)
    with reporting_errors(err):
        engine = _open(index)
        matched = engine.matching(parse(text, filters), filters)
    if ids_only:
        for row in newest_first(matched if every_copy else one_per_story(matched)):
            out.file.write(inert(row.id) + "\n")
    else:
        out.file.write(f"{len(matched)}\n")
    if not matched:
        raise typer.Exit(1)


def _parsed(text: Optional[str], filters):
    """The query (None for every article); BadQuery (exit 2) when it has nothing to look for."""
    from newsgrep.query import parse

    return parse(text, filters) if text is not None else None


def _nothing_matched(err: Console, text: Optional[str], filters) -> None:
    """One line on stderr and exit 1, like ``search`` when nothing matches."""
    if text is None:
        err.print(safe_text("no articles within the filters" if filters else "no articles in the index"))
    else:
        err.print(safe_text(f"no articles match {text}{' within the filters' if filters else ''}"))
    raise typer.Exit(1)


OptionalQuery = Annotated[Optional[str], typer.Argument(help="A query as for search; without it, every article (within the filters).", show_default=False)]


class TimelineBucket(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class TimelineSplit(str, Enum):
    source = "source"
    author = "author"
    category = "category"


class FacetField(str, Enum):
    source = "source"
    author = "author"
    category = "category"
    tag = "tag"
    month = "month"


class KwicSort(str, Enum):
    date = "date"
    left = "left"
    right = "right"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def timeline(
    query: OptionalQuery = None,
    index: IndexOption = None,
    by: Annotated[Optional[TimelineBucket], typer.Option("--by", help=escape("Bucket size [default: chosen from the span]"), show_default=False)] = None,
    split: Annotated[Optional[TimelineSplit], typer.Option("--split", help="One series per outlet (source), author or category.", show_default=False)] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Matching articles (and stories) per day, week, month or year, by each article's own local day: a bar chart."""
    from newsgrep.explore.timeline import timeline as run_timeline
    from newsgrep.explore_views import TIMELINE_COLUMNS, render_timeline, write_rows

    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    filters = _filters(since, until, source, author)
    with reporting_errors(err):
        result = run_timeline(_open(index), _parsed(query, filters), filters, by=by and by.value, split=split and split.value)
    columns = ("series", *TIMELINE_COLUMNS) if split else TIMELINE_COLUMNS
    if fmt:
        write_rows(out, result.rows(), fmt, columns)
    else:
        render_timeline(result, out)
    if result.undated:
        err.print(Text(f"{result.undated} matching article{'s' if result.undated != 1 else ''} without a date (not shown)", style="dim"))
    if not any(b.articles for b in result.buckets):
        _nothing_matched(err, query, filters)


@app.command()
def facets(
    query: OptionalQuery = None,
    index: IndexOption = None,
    field: Annotated[Optional[list[FacetField]], typer.Option("--field", help=escape("Only this field (repeatable) [default: source, author, category, month]"), show_default=False)] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="Values shown per field (the rest is counted as (other)).")] = 10,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Matching articles counted by outlet, author, category, tag or month; each field sums to the total."""
    from newsgrep.explore.facets import DEFAULT_FIELDS, facets as run_facets
    from newsgrep.explore_views import FACET_COLUMNS, render_facets, write_rows

    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    filters = _filters(since, until, source, author)
    fields = [f.value for f in field] if field else DEFAULT_FIELDS
    with reporting_errors(err):
        result = run_facets(_open(index), _parsed(query, filters), filters, fields=fields, top=top)
    if not next(iter(result.values())).total:
        _nothing_matched(err, query, filters)
    if fmt:
        write_rows(out, (row for f in result.values() for row in f.rows()), fmt, FACET_COLUMNS)
    else:
        render_facets(result, out)


@app.command()
def kwic(
    query: Annotated[str, typer.Argument(help="A query as for search; its matches are the concordance's centre.")],
    index: IndexOption = None,
    width: Annotated[int, typer.Option("--width", "-w", min=1, max=200, help="Characters of context on each side.")] = 20,
    sort: Annotated[KwicSort, typer.Option("--sort", help="Oldest first (date), or by the context before (left) or after (right).")] = KwicSort.date,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="At most this many lines.", show_default=False)] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """A concordance: each occurrence with its context, matches aligned in one column (what search highlights)."""
    from newsgrep.explore.kwic import kwic as run_kwic
    from newsgrep.explore_views import KWIC_COLUMNS, render_kwic, write_rows

    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    filters = _filters(since, until, source, author)
    with reporting_errors(err):
        result = run_kwic(_open(index), _parsed(query, filters), filters, width=width, sort=sort.value, limit=limit)
    if not result.lines:
        _nothing_matched(err, query, filters)
    if fmt:
        write_rows(out, (line.to_dict() for line in result.lines), fmt, KWIC_COLUMNS)
    else:
        render_kwic(result, out)
    if result.more and err.is_terminal:
        err.print(Text(f"first {len(result.lines)} lines; more with a larger --limit", style="dim"))


@app.command()
def keywords(
    query: OptionalQuery = None,
    index: IndexOption = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many words.")] = 20,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """The words most characteristic of the matching articles against the whole index (log-likelihood G²).

    Without QUERY: the index's most widespread words.
    """
    from newsgrep.explore.keywords import keywords as run_keywords
    from newsgrep.explore_views import KEYWORD_COLUMNS, render_keywords, write_rows

    fmt = _output_format(json, csv)
    out, err = make_consoles(Color.never if fmt else color)
    filters = _filters(since, until, source, author)
    with reporting_errors(err):
        result = run_keywords(_open(index), _parsed(query, filters), filters, top=top)
    if not result.articles:
        _nothing_matched(err, query, filters)
    if fmt:
        write_rows(out, (k.to_dict() for k in result.words), fmt, KEYWORD_COLUMNS)
    else:
        render_keywords(result, out, err)


@app.command()
def export(
    query: OptionalQuery = None,
    index: IndexOption = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="JSON Lines or CSV (a header row, UTF-8 with a BOM).")] = ExportFormat.jsonl,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    author: AuthorOption = None,
) -> None:
    """Whole matching records on stdout, oldest first: id, date, day, source, author, category, tags, url, title, text, path."""
    from newsgrep.explore.export import COLUMNS, export_records
    from newsgrep.explore_views import write_rows

    out, err = make_consoles(Color.never)
    filters = _filters(since, until, source, author)
    with reporting_errors(err):
        records = export_records(_open(index), _parsed(query, filters), filters)
        first = next(records, None)
    if first is None:
        _nothing_matched(err, query, filters)
    write_rows(out, itertools.chain([first], records), "json" if format is ExportFormat.jsonl else "csv", COLUMNS)


@app.command()
def serve(
    index: IndexOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (any other than 127.0.0.1 lets other machines read the index).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port).")] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in a web browser.")] = False,
) -> None:
    """A local web page on the index: search, the matches over time, articles and related ones. Read-only."""
    from newsgrep.web.server import serve as run_server

    _, err = make_consoles(Color.auto)
    with reporting_errors(err):
        run_server(_location(index), host=host, port=port, open_browser=open_browser, say=lambda line: err.print(safe_text(f"newsgrep: {line}")))


@app.command()
def analyze(
    text: Annotated[Optional[str], typer.Argument(help="Text to analyse; without it, segment standard input line by line.")] = None,
    query_mode: Annotated[bool, typer.Option("--query", help="Analyse as a query (whole words, no sub-words).")] = False,
    index: IndexOption = None,
    json: JsonOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Show how text is segmented and folded: each token with its position and offsets.

    With no TEXT, read standard input and write each line's words in the original
    script separated by single spaces (the format SIGHAN's scorer reads).
    """
    from newsgrep.analysis import analyze as run_analyze, words
    from newsgrep.dictionary import default_dictionary
    from newsgrep.errors import IndexMissing
    from newsgrep.engines import engine_for
    from newsgrep.segmentation import IndexSegmenter, QuerySegmenter
    from newsgrep.views import render_tokens, token_dict, write_json_lines

    out, err = make_consoles(Color.never if json else color)
    with reporting_errors(err):
        # The index's own dictionary (user words included); with no index, the default one from the user's
        # cache. An index path that was named but holds no index is a typo to report, not a place to build in.
        location = _location(index)
        dictionary = engine_for(location).dictionary_at(location)
        if dictionary is None and _typed_index():
            raise IndexMissing(location)
        dictionary = dictionary or default_dictionary()
    segmenter = (QuerySegmenter if query_mode else IndexSegmenter)(dictionary)
    if text is None:
        bad: list[int] = []
        for line in _utf8_lines(sys.stdin.buffer, bad):
            out.file.write(inert(" ".join(words(line.rstrip("\r\n"), segmenter))) + "\n")
        if bad:
            lines = f"{len(bad)} line{'s' if len(bad) != 1 else ''}"
            err.print(safe_text(f"newsgrep: warning: <stdin>: {lines} not valid UTF-8 (first: line {bad[0]}); {REPLACED}", "yellow"))
        return
    if _has_surrogates(text):  # undecodable argv bytes, as Python hands them over
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        err.print(safe_text(f"newsgrep: warning: TEXT is not valid UTF-8; {REPLACED}", "yellow"))
    tokens = list(run_analyze(text, segmenter, query=query_mode))
    if json:
        write_json_lines(out, (token_dict(t) for t in tokens))
    else:
        render_tokens(tokens, out)


REPLACED = "undecodable bytes read as U+FFFD"


def _utf8_lines(stream: Iterable[bytes], bad: list[int]) -> Iterator[str]:
    """Each line of ``stream`` as text; a line that is not valid UTF-8 gets U+FFFD for its bad bytes and its number in ``bad``."""
    for number, line in enumerate(stream, start=1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            yield line.decode("utf-8", "replace")


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def main() -> None:
    """The console script. An unexpected exception is one line and exit 2; NEWSGREP_DEBUG=1 shows its traceback."""
    import os

    try:
        app()
    except Exception as e:  # SystemExit and KeyboardInterrupt pass through
        if os.environ.get("NEWSGREP_DEBUG"):
            raise
        say(f"internal error: {type(e).__name__}: {e} (NEWSGREP_DEBUG=1 shows the traceback)")
        sys.exit(2)
