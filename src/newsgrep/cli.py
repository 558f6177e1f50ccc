"""The command line: each command parses options, calls one library function, hands the result to a view.

Exit codes follow grep: 0 found (or done), 1 nothing found, 2 error.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
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
    json: JsonOption = False,
    color: ColorOption = Color.auto,
) -> None:
    """Ranked hits: id, date, title and a snippet with the matched words highlighted; one hit per story."""
    from newsgrep.search import search as run_search
    from newsgrep.views import render_count, render_hits, render_no_hits, write_json_lines

    out, err = make_consoles(Color.never if json else color)
    with reporting_errors(err):
        result = run_search(
            _open(index), query, filters=_filters(since, until, source, author), sort=sort.value, limit=limit,
            offset=(page - 1) * limit, collapse=not every_copy,
        )
    if json:
        write_json_lines(out, (hit.to_dict() for hit in result.hits))
        if result.total and err.is_terminal:  # a person is watching: say how many; a script gets JSON alone
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
    color: ColorOption = Color.auto,
) -> None:
    """List stored articles, newest first: id, date, outlet, title, source file."""
    from newsgrep.listing import list_articles
    from newsgrep.views import article_summary, render_listing, write_json_lines

    out, err = make_consoles(Color.never if json else color)
    with reporting_errors(err):
        articles = list_articles(_open(index), filters=_filters(since, until, source, author), limit=limit)
    if json:
        write_json_lines(out, (article_summary(a) for a in articles))
    else:
        render_listing(articles, out)
    if not articles:
        raise typer.Exit(1)


@app.command()
def serve(
    index: IndexOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (another than 127.0.0.1 lets other machines read the index).")] = "127.0.0.1",
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
