"""The command line's own contract: one-line usage errors, --index anywhere, help that shows what it says."""

from __future__ import annotations

import re

import pytest

USAGE_ERRORS = {
    "unknown option": (["search", "--bogus", "台灣"], "no such option: --bogus"),
    "unknown option before the command": (["--bogus", "search", "台灣"], "no such option: --bogus"),
    "missing argument": (["search"], "missing argument"),
    "missing paths": (["ingest"], "missing argument"),
    "limit 0": (["search", "台灣", "--limit", "0"], "'--limit'"),
    "month 13": (["search", "台灣", "--since", "2025-13-01"], "2025-13-01"),
    "bad colour": (["list", "--color", "blue"], "'blue'"),
    "unknown command": (["serch", "台灣"], "no such command 'serch'"),
    "missing command": (["--index", "x"], "missing command"),
    "bad --field": (["ingest", ".", "--field", "內容"], "--field"),
    "option value missing": (["search", "台灣", "--limit"], "--limit"),
    "-n without --related": (["show", "000", "-n", "3"], "--related"),
    "--limit without --related": (["show", "000", "--limit", "3", "--json"], "--related"),
}


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_is_one_line_and_exit_2(run, args, says):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("newsgrep: ") and result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr
    assert "--help" in result.stderr  # where to look next


def test_show_limit_with_related_is_fine(run, corpus):
    assert run("ingest", str(corpus)).exit_code == 0
    assert run("show", "000", "--related", "-n", "1").exit_code == 0
    assert run("show", "000", "-n", "3").stderr.startswith("newsgrep: -n/--limit only counts --related articles")


def test_help_is_still_the_full_help(run):
    result = run("search", "--help")
    assert result.exit_code == 0
    assert "Usage: newsgrep search" in result.stdout and "--limit" in result.stdout and "--since" in result.stdout


# -- --index before the command -------------------------------------------------------


@pytest.fixture
def newsgrep():
    """Invoke newsgrep with a given environment (the ``run`` fixture always sets NEWSGREP_INDEX)."""
    from typer.testing import CliRunner

    from newsgrep.cli import app

    def invoke(*args: str, env: dict[str, str | None] | None = None):
        return CliRunner().invoke(app, list(args), env={"NEWSGREP_INDEX": None, **(env or {})})

    return invoke


def test_index_before_the_command_works_as_after_it(newsgrep, corpus, index_path, tmp_path):
    assert newsgrep("--index", str(index_path), "ingest", str(corpus)).exit_code == 0
    before = newsgrep("--index", str(index_path), "search", "台灣 軍售", "--json")
    after = newsgrep("search", "台灣 軍售", "--json", "--index", str(index_path))
    assert before.exit_code == 0 and before.stdout == after.stdout
    elsewhere = str(tmp_path / "elsewhere")
    # the option beats NEWSGREP_INDEX wherever it stands, and the command's own --index beats the one before it
    assert newsgrep("--index", str(index_path), "list", env={"NEWSGREP_INDEX": elsewhere}).exit_code == 0
    assert newsgrep("list", "--index", str(index_path), env={"NEWSGREP_INDEX": elsewhere}).exit_code == 0
    assert newsgrep("--index", elsewhere, "show", "000", "--index", str(index_path)).exit_code == 0
    assert newsgrep("--index", str(index_path), "show", "000", "--index", elsewhere).exit_code == 2
    assert newsgrep("show", "000", env={"NEWSGREP_INDEX": str(index_path)}).exit_code == 0
    assert newsgrep("--index", str(index_path), "analyze", "台灣軍售").exit_code == 0


# -- help --------------------------------------------------------------------------------


def bracketed(help_text: str) -> list[str]:
    """The ``[…]`` notes of a declared help text as a reader should see them (rich markup escapes undone)."""
    return [note.replace("\\[", "[") for note in re.findall(r"\\?\[[^\]]*\]", help_text or "")]


def every_help_text() -> dict[str, tuple[list[str], list]]:
    """``newsgrep`` and each command: the arguments that show its help, and everything with a declared help text."""
    from typer.main import get_command

    from newsgrep.cli import app

    group = get_command(app)
    texts = {"newsgrep": ([], [*group.params, group])}
    for name, command in group.commands.items():
        texts[name] = ([name], [*command.params, command])
    return texts


HELP_TEXTS = every_help_text()


@pytest.mark.parametrize(("command", "declared"), HELP_TEXTS.values(), ids=HELP_TEXTS.keys())
def test_help_shows_the_square_brackets_it_declares(newsgrep, command, declared):
    shown = newsgrep(*command, "--help", env={"COLUMNS": "250"})
    assert shown.exit_code == 0
    for note in [note for item in declared for note in bracketed(getattr(item, "help", None))]:
        assert note in shown.stdout, f"{' '.join(command)} --help lost {note!r}"


def test_ingest_help_shows_where_the_user_dictionary_comes_from(newsgrep):
    shown = newsgrep("ingest", "--help", env={"COLUMNS": "250"})
    assert "[default: userdict.txt beside the index, if any]" in shown.stdout
    assert "[default: data/index]" in shown.stdout
