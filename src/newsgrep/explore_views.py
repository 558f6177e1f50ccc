"""Terminal views of the exploration commands: timeline bars and sparklines, facet tables, concordance, keywords.

Like ``views``, nothing here touches the index, and every string from a file
enters a line through ``console.safe_text``. Columns are aligned by display
width (``rich.cells.cell_len``: an ideograph is two cells), so CJK labels and
concordance matches line up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from newsgrep.console import safe_text
from newsgrep.explore.tables import write_csv
from newsgrep.views import MATCH_STYLE, write_json_lines

if TYPE_CHECKING:
    from newsgrep.explore.facets import Facet
    from newsgrep.explore.keywords import Keywords
    from newsgrep.explore.kwic import Concordance
    from newsgrep.explore.timeline import Timeline
    from newsgrep.search import Hit

BAR = "█"
SPARKS = "▁▂▃▄▅▆▇█"
BAR_CELLS = 50  # longest bar off a terminal

TIMELINE_COLUMNS = ("by", "start", "end", "label", "articles", "stories")
FACET_COLUMNS = ("field", "value", "articles", "share")
KWIC_COLUMNS = ("id", "day", "field", "offset", "left", "match", "right")
KEYWORD_COLUMNS = ("word", "term", "articles", "index_articles", "g2")
HIT_COLUMNS = ("id", "date", "day", "outlet", "author", "title", "snippet", "score", "copies", "url", "path")
LIST_COLUMNS = ("id", "date", "outlet", "title", "path", "url")


def write_rows(out: Console, rows: Iterable[dict], fmt: str, columns: Sequence[str]) -> None:
    """``rows`` as JSON Lines (``fmt="json"``) or CSV with a header (``"csv"``) on the console's file."""
    if fmt == "csv":
        write_csv(out.file, columns, rows)
    else:
        write_json_lines(out, rows)


def hit_row(hit: Hit) -> dict:
    """A search hit as one flat row (``search --csv``): its copies counted, not listed."""
    return {**hit.to_dict(), "copies": len(hit.copies)}


def padded(text: Text, cells: int, *, right: bool = False) -> Text:
    """``text`` padded with spaces to ``cells`` display cells (on the left when ``right``-aligned)."""
    pad = " " * max(0, cells - text.cell_len)
    if right:
        return Text(pad) + text
    return text + Text(pad)


def render_timeline(timeline: Timeline, out: Console) -> None:
    """One row per bucket (label, bar, articles and stories), or one sparkline row per series with a split."""
    if timeline.series is not None:
        render_series(timeline, out)
        return
    peak = max((b.articles for b in timeline.buckets), default=0)
    label_cells = max((cell_len(b.label) for b in timeline.buckets), default=0)
    count_cells = len(str(peak))
    room = (out.width - label_cells - count_cells - 20) if out.is_terminal else BAR_CELLS
    room = max(room, 10)
    for bucket in timeline.buckets:
        line = padded(Text(bucket.label, style="green"), label_cells)
        line.append(" ")
        line.append(str(bucket.articles).rjust(count_cells))
        if bucket.articles:
            line.append(" " + BAR * max(1, round(bucket.articles / peak * room)), style="cyan")
        if bucket.stories != bucket.articles:
            line.append(f" {bucket.stories} stor{'ies' if bucket.stories != 1 else 'y'}", style="dim")
        out.print(line)


def sparkline(counts: Sequence[int], peak: int) -> str:
    """One character per bucket: a space for none, else ▁ to █ by share of ``peak``."""
    return "".join(" " if not n else SPARKS[min(len(SPARKS) - 1, n * len(SPARKS) // (peak + 1))] for n in counts)


def render_series(timeline: Timeline, out: Console) -> None:
    """A header of first and last bucket, then per series: name, sparkline, total (names aligned by width)."""
    series = timeline.series or {}
    names = {name: safe_text(name, "cyan") for name in series}
    name_cells = max((t.cell_len for t in names.values()), default=0)
    peak = max((b.articles for buckets in series.values() for b in buckets), default=0)
    totals = {name: sum(b.articles for b in buckets) for name, buckets in series.items()}
    total_cells = len(str(max(totals.values(), default=0)))
    if timeline.buckets:
        first, last = timeline.buckets[0].label, timeline.buckets[-1].label
        out.print(Text(" " * name_cells + f"  {first} … {last} ({len(timeline.buckets)} {timeline.by}s)", style="dim"))
    for name, buckets in series.items():
        line = padded(names[name], name_cells)
        line.append("  ")
        line.append(sparkline([b.articles for b in buckets], peak), style="green")
        line.append(f"  {totals[name]:>{total_cells}}")
        out.print(line, overflow="ellipsis", no_wrap=out.is_terminal)


def render_facets(facets: dict[str, Facet], out: Console) -> None:
    """Per field: a heading with the total, then value, count and share, values aligned by display width."""
    for number, facet in enumerate(facets.values()):
        if number:
            out.print()
        out.print(Text(f"{facet.field} ({facet.total} article{'s' if facet.total != 1 else ''})", style="bold"))
        shown = [safe_text(v.value, "dim" if v.value.startswith("(") else "") for v in facet.values]
        value_cells = max((t.cell_len for t in shown), default=0)
        count_cells = max((len(str(v.articles)) for v in facet.values), default=0)
        for text, value in zip(shown, facet.values):
            line = Text("  ") + padded(text, value_cells)
            line.append(f"  {str(value.articles).rjust(count_cells)}")
            share = value.articles / facet.total if facet.total else 0.0
            line.append(f"  {share:6.1%}", style="dim")
            out.print(line)


def render_kwic(concordance: Concordance, out: Console) -> None:
    """id, day, left context right-aligned, the match, right context: every match starts in one column."""
    lines = concordance.lines
    ids = [safe_text(line.id, "magenta") for line in lines]
    lefts = [safe_text(line.left) for line in lines]
    id_cells = max((t.cell_len for t in ids), default=0)
    left_cells = max((t.cell_len for t in lefts), default=0)
    for line, shown_id, left in zip(lines, ids, lefts):
        row = padded(shown_id, id_cells)
        row.append("  ")
        row.append(line.day.isoformat() if line.day else "----------", style="green")
        row.append("  ")
        row.append_text(padded(left, left_cells, right=True))
        row.append_text(safe_text(line.match, MATCH_STYLE))
        row.append_text(safe_text(line.right))
        if out.is_terminal:
            row.truncate(out.width, overflow="ellipsis")
        out.print(row)


def render_keywords(keywords: Keywords, out: Console, err: Console) -> None:
    """Rank, word, G² and both document frequencies; what was read goes to stderr beside a terminal."""
    shown = [safe_text(k.word, "bold") for k in keywords.words]
    word_cells = max((t.cell_len for t in shown), default=0)
    keyed = any(k.g2 is not None for k in keywords.words)
    header = Text(" " * (4 + word_cells) + ("        G²" if keyed else "") + "  matching     index", style="dim")
    out.print(header)
    for rank, (word, k) in enumerate(zip(shown, keywords.words), start=1):
        line = Text(f"{rank:>3} ") + padded(word, word_cells)
        if keyed:
            line.append(f"  {k.g2:8.1f}")
        line.append(f"  {k.articles:>8}  {k.index_articles:>8}")
        out.print(line)
    if err.is_terminal:
        note = f"{keywords.articles} matching article{'s' if keywords.articles != 1 else ''}"
        if keywords.read < keywords.articles:
            note += f" ({keywords.read} read, evenly spread)"
        err.print(Text(f"{note}; {keywords.index_articles} in the index", style="dim"))
