"""The command line's own contract: one-line usage errors, --index anywhere, help that shows what it says."""

from __future__ import annotations

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
    "bad --field": (["ingest", ".", "--field", "內容"], "--field"),
    "option value missing": (["search", "台灣", "--limit"], "--limit"),
}


@pytest.mark.parametrize(("args", "says"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_is_one_line_and_exit_2(run, args, says):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("newsgrep: ") and result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr
    assert "--help" in result.stderr  # where to look next


def test_help_is_still_the_full_help(run):
    result = run("search", "--help")
    assert result.exit_code == 0
    assert "Usage: newsgrep search" in result.stdout and "--limit" in result.stdout and "--since" in result.stdout
