"""The two consoles: results to stdout, everything else to stderr; colour only where it belongs."""

from __future__ import annotations

from enum import Enum

from rich.console import Console


class Color(str, Enum):
    auto = "auto"
    never = "never"
    always = "always"


def make_consoles(color: Color = Color.auto) -> tuple[Console, Console]:
    """(out, err) for ``--color``: ``auto`` colours a terminal only (and honours NO_COLOR, TERM=dumb).

    Off a terminal, lines are never hard-wrapped, so output stays one record per line for grep and pipes.
    """
    options: dict = {"highlight": False}
    if color is Color.never:
        options["color_system"] = None
        options["no_color"] = True
    elif color is Color.always:
        options["force_terminal"] = True
    out = Console(**options)
    err = Console(stderr=True, **options)
    for console in (out, err):
        console.soft_wrap = not console.is_terminal
    return out, err
