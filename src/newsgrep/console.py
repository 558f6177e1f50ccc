"""The two consoles: results to stdout, everything else to stderr; colour only where it belongs.

Both are ``InertConsole``s: whatever is printed through them, a control or bidi
character from a file reaches the terminal only as a visible escape
(``inert.inert``). Views build their lines with ``safe_text``, which does the
same before Rich lays the line out, so widths are right and escapes are shown
in reverse video on a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from newsgrep.inert import UNSAFE, UNSAFE_IN_LINES, inert, shown

ESCAPE_STYLE = "reverse"


class Color(str, Enum):
    auto = "auto"
    never = "never"
    always = "always"


class InertConsole(Console):
    """A rich Console that never writes a control or bidi character it was given, only the ones it makes.

    Every rendered segment of text passes through ``inert`` (tabs and newlines
    kept: by then they are layout); Rich's own control segments (cursor moves of
    a progress display) and the styles views ask for are untouched. Markup and
    emoji codes are off, so a title like ``[link=…]`` stays text.
    """

    def __init__(self, **options) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if isinstance(renderable, Text) and UNSAFE_IN_LINES.search(renderable.plain):
            # Before layout, so the escapes wrap like text; a Table has already measured its cells, though.
            spans = [(span.start, span.end, span.style) for span in renderable.spans]
            shown_text = renderable.blank_copy()
            shown_text.append_text(safe_text(renderable.plain, lines=True, spans=spans))
            renderable = shown_text
        for segment in super().render(renderable, options):
            if segment.control or not UNSAFE_IN_LINES.search(segment.text):
                yield segment
            else:
                yield Segment(inert(segment.text, lines=True), segment.style)


def safe_text(value: str, style: str = "", *, lines: bool = False, spans: Iterable[tuple[int, int, str]] = ()) -> Text:
    """A rich ``Text`` of ``value`` from a file, each unsafe character shown as its escape (``inert.shown``).

    ``spans`` are ``(start, end, style)`` offsets into ``value`` (snippet
    highlights); they are moved to where those characters land. ``lines=True``
    keeps tabs and newlines, for paragraphs; otherwise the text is one line.
    """
    pattern = UNSAFE_IN_LINES if lines else UNSAFE
    text = Text(style=style)
    moves = [(0, 0)]  # (offset in value, how far it moved) from each escape on
    last = 0
    for match in pattern.finditer(value):
        text.append(value[last : match.start()])
        escape = shown(match.group())
        text.append(escape, style=ESCAPE_STYLE)
        moves.append((match.end(), moves[-1][1] + len(escape) - 1))
        last = match.end()
    text.append(value[last:])

    def moved(offset: int) -> int:
        return offset + next(shift for start, shift in reversed(moves) if start <= offset)

    for start, end, span_style in spans:
        text.stylize(span_style, moved(start), moved(end))
    return text


def make_consoles(color: Color = Color.auto) -> tuple[InertConsole, InertConsole]:
    """(out, err) for ``--color``: ``auto`` colours a terminal only (and honours NO_COLOR, TERM=dumb).

    Off a terminal, lines are never hard-wrapped, so output stays one record per line for grep and pipes.
    """
    options: dict = {}
    if color is Color.never:
        options["color_system"] = None
        options["no_color"] = True
    elif color is Color.always:
        options["force_terminal"] = True
    out = InertConsole(**options)
    err = InertConsole(stderr=True, **options)
    for console in (out, err):
        console.soft_wrap = not console.is_terminal
    return out, err
