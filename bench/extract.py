"""How well the HTML reader extracts articles from real saved pages; prints figures, asserts nothing.

    .venv/bin/python bench/extract.py [--shared PATH] [--show-misses]

Two sets from ``../shared/data/html`` (or ``$NEWSGREP_SHARED``), and one of the project's own:

* ``appledaily-tw-2015``: 200 full pages with the article text as a person cut
  it out (``body_txt``: line 1 the headline, then paragraphs). Body character
  F1 compares the bags of non-space characters of the lede + body against the
  expected paragraphs (captions are not body). A headline counts when it equals
  the expected one after removing the charity case number that prefixes every
  headline on these pages (``A3565 ``, the ``case_id`` column) and collapsing
  whitespace; "contains" counts expected headlines found anywhere in the title.
* ``twnews``: 38 (page, expectation) pairs from ``expected_from_tests.tsv``:
  title and body substrings, date to the day and to the minute, author where a
  name is expected (exact).
* ``tests/fixtures/readers/pages``: pages written by hand in layouts the reader
  once lost (a 2000s table portal in GB2312 and one in Big5, a Wayback Machine
  capture, a BBC-Chinese-like page with one wrapper per paragraph, a page whose
  text is only in JSON-LD, a short story in a furniture-classed element), with
  ``expected.json``: headline, date to the minute, reporter, article text.
  Runs without the shared data.

When trafilatura is installed (``pip install -e ".[bench]"``) the same figures
are printed for it side by side, from the same pages in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from newsgrep.errors import ReadError
from newsgrep.readers import read_file

from locations import find_shared_data  # bench/ is on sys.path: benches run as scripts


def squeeze(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def char_f1(got: str, expected: str) -> float:
    a = Counter(c for c in got if not c.isspace())
    b = Counter(c for c in expected if not c.isspace())
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


# --- the two extractors, reduced to (title, date text "YYYY-MM-DD[ HH:MM]", author, body) -------------


def ours(path: Path) -> tuple[str, str, str, str]:
    try:
        [article] = read_file(path).articles
    except ReadError:
        return "", "", "", ""
    date = article.date
    if date is None:
        shown = ""
    elif hasattr(date, "hour"):
        shown = date.strftime("%Y-%m-%d %H:%M")
    else:
        shown = date.isoformat()
    body = "\n".join([article.lede, *(b.text for b in article.body)])
    return article.title, shown, article.author or "", body


def trafilatura_extractor():
    try:
        import trafilatura
    except ImportError:
        return None

    def run(path: Path) -> tuple[str, str, str, str]:
        doc = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
        if doc is None:
            return "", "", "", ""
        return doc.title or "", doc.date or "", doc.author or "", doc.text or ""

    return run


# --- the two data sets ----------------------------------------------------------------------------------


def appledaily(folder: Path, extract, show: bool) -> dict[str, str]:
    rows = list(csv.DictReader((folder / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
    f1s, exact, contains = [], 0, 0
    started = time.perf_counter()
    for row in rows:
        lines = (folder / row["body_txt"]).read_text(encoding="utf-8").splitlines()
        headline, expected_body = lines[0], "\n".join(lines[1:])
        title, _, _, body = extract(folder / row["file"])
        f1s.append(char_f1(body, expected_body))
        bare = re.sub(rf"^\s*{re.escape(row['case_id'])}\s*", "", title)
        exact += squeeze(bare) == squeeze(headline)
        contains += squeeze(headline) in squeeze(title)
        if show and (f1s[-1] < 0.9 or squeeze(bare) != squeeze(headline)):
            print(f"  {row['case_id']} F1 {f1s[-1]:.3f} title {title!r} expected {headline!r}", file=sys.stderr)
    seconds = time.perf_counter() - started
    return {
        "pages": str(len(rows)),
        "mean body F1": f"{sum(f1s) / len(f1s):.3f}",
        "pages with F1 < 0.9": str(sum(f < 0.9 for f in f1s)),
        "headline exact": f"{exact}/{len(rows)}",
        "headline contained": f"{contains}/{len(rows)}",
        "seconds": f"{seconds:.1f}",
    }


def twnews(folder: Path, extract, show: bool) -> dict[str, str]:
    cases = []
    for line in (folder / "expected_from_tests.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "outlet\t")) or not line.strip():
            continue
        outlet, applies, title, date, author, body = (line.split("\t") + [""] * 6)[:6]
        if not date:
            continue  # judicial: not a news page, nothing expected
        cases += [(d, outlet, title, date, author, body) for d in applies.split()]
    n = len(cases)
    title_ok = day_ok = minute_ok = body_ok = author_ok = authors_named = 0
    for version, outlet, title, date, author, body in cases:
        got_title, got_date, got_author, got_body = extract(folder / version / f"{outlet}.html")
        t, b = title in got_title, body in got_body
        d = got_date[:10] == date[:10]
        m = got_date[:16] == date[:16]
        title_ok += t
        body_ok += b
        day_ok += d
        minute_ok += m
        named = author not in ("None", "")
        if named:
            authors_named += 1
            author_ok += got_author == author
        if show and not (t and b and m and (not named or got_author == author)):
            print(f"  {version}/{outlet}: title {t} body {b} date {got_date!r} vs {date!r} "
                  f"author {got_author!r} vs {author!r}", file=sys.stderr)
    return {
        "pages": str(n),
        "title contains expected": f"{title_ok}/{n}",
        "date, to the day": f"{day_ok}/{n}",
        "date, to the minute": f"{minute_ok}/{n}",
        "body contains expected": f"{body_ok}/{n}",
        "author (where named)": f"{author_ok}/{authors_named}",
    }


FIXTURE_PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "readers" / "pages"


def fixture_pages(folder: Path, extract, show: bool) -> dict[str, str]:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["pages"]
    n = len(expected)
    title_ok = minute_ok = body_exact = author_ok = authors_named = 0
    f1s = []
    for name, want in expected.items():
        title, date, author, body = extract(folder / name)
        f1s.append(char_f1(body, "\n".join(want["body"])))
        t, m = squeeze(title) == squeeze(want["title"]), date[:16] == want["date"]
        b = [line for line in body.splitlines() if line.strip()] == want["body"]
        title_ok, minute_ok, body_exact = title_ok + t, minute_ok + m, body_exact + b
        if want["author"]:
            authors_named += 1
            author_ok += author == want["author"]
        if show and not (t and m and b):
            print(f"  {name}: title {title!r} date {date!r} body F1 {f1s[-1]:.3f}", file=sys.stderr)
    return {
        "pages": str(n),
        "mean body F1": f"{sum(f1s) / n:.3f}",
        "pages with F1 < 0.9": str(sum(f < 0.9 for f in f1s)),
        "body exactly right": f"{body_exact}/{n}",
        "headline exact": f"{title_ok}/{n}",
        "date, to the minute": f"{minute_ok}/{n}",
        "author (where named)": f"{author_ok}/{authors_named}",
    }


def table(name: str, columns: dict[str, dict[str, str]]) -> None:
    systems = list(columns)
    keys = list(next(iter(columns.values())))
    width = max(len(k) for k in keys) + 2
    print(f"\n{name}")
    print(f"  {'':<{width}}" + "".join(f"{s:>14}" for s in systems))
    for key in keys:
        print(f"  {key:<{width}}" + "".join(f"{columns[s].get(key, ''):>14}" for s in systems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--show-misses", action="store_true", help="list pages that miss, on stderr")
    args = parser.parse_args()
    data = args.shared or find_shared_data("html")
    systems = {"newsgrep": ours}
    other = trafilatura_extractor()
    if other:
        systems["trafilatura"] = other
    else:
        print("(trafilatura not installed: pip install -e '.[bench]' to compare)", file=sys.stderr)
    table("fixture pages (6 hand-written layouts the reader once lost)",
          {s: fixture_pages(FIXTURE_PAGES, f, args.show_misses and s == "newsgrep") for s, f in systems.items()})
    if data is None or not (data / "html").is_dir():
        print("shared data not found (../shared/data or $NEWSGREP_SHARED): only the fixture pages", file=sys.stderr)
        return 0
    table("appledaily-tw-2015 (200 saved pages, hand-cut bodies)",
          {s: appledaily(data / "html" / "appledaily-tw-2015", f, args.show_misses and s == "newsgrep")
           for s, f in systems.items()})
    table("twnews (38 page/expectation pairs, 7 outlets)",
          {s: twnews(data / "html" / "twnews", f, args.show_misses and s == "newsgrep") for s, f in systems.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
