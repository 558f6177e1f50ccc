"""Text from files is data, never commands: the one place that decides how such text may reach a terminal.

A scraped title, author, URL, body, file name or TREC ``<docno>`` can hold an
escape sequence (OSC 0 retitles the window, OSC 52 writes the clipboard, OSC 8
makes a hyperlink, ``CSI 2J`` clears the screen, SGR 8 hides what follows), an
8-bit C1 control (U+009B is a CSI by itself on some terminals) or a bidi
override that shows text in another order than it is stored. None of them may
reach the terminal as such. ``inert`` shows each one as the escape Python's
``repr`` would write (``\\x1b``, ``\\x9b``, ``\\u202e``, ``\\x00``), so the text
stays readable, every character is still there to see, and nothing acts.

``--json`` keeps the exact data: ``json_line`` writes the same characters as
JSON ``\\uXXXX`` escapes, which ``json.dumps`` does for C0 controls but not
for DEL, C1 or the bidi controls.

Rich's consoles are made safe in ``console.py`` (``InertConsole``), on top of
this module; ``cli.py`` uses ``inert`` for the lines it writes without a console.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Bidi controls: Arabic letter mark, LRM/RLM, embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Also shown escaped: DEL, C1 controls, the Unicode line and paragraph separators (a line break to some
# programs), and lone surrogates (undecodable bytes of a file name; printing them raises UnicodeEncodeError).
_BEYOND_ASCII = f"\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff"
# A one-line field (title, id, path, message) shows tab and newline escaped too; text kept as lines keeps them.
UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_ASCII}]")
UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_ASCII}]")
_UNSAFE_IN_JSON = re.compile(f"[{_BEYOND_ASCII}]")  # json.dumps escapes the C0 controls itself

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def shown(char: str) -> str:
    """How one unsafe character is shown: ``\\t``, ``\\n``, ``\\r``, else ``\\xNN`` below U+0100, else ``\\uNNNN``."""
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def inert(text: str, *, lines: bool = False) -> str:
    """``text`` with every character a terminal would act on shown as an escape (see ``shown``).

    ``lines=True`` keeps tabs and newlines (article paragraphs); otherwise the
    result is one line. Ordinary text, CJK included, is unchanged.
    """
    pattern = UNSAFE_IN_LINES if lines else UNSAFE
    return pattern.sub(lambda m: shown(m.group()), text)


def json_line(value: Any) -> str:
    """``value`` as one line of JSON: UTF-8 text kept as is, every control and bidi character a ``\\uXXXX`` escape."""
    dumped = json.dumps(value, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
