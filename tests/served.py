"""The web page's test material: an index of the web fixture articles, and a real ``newsgrep serve`` process.

The fixture articles (``fixtures/web/articles.jsonl``) are written for these
tests: 軍售 reported by several outlets over three months, one story told
twice (中央社 and 聯合報), a Simplified article, an unrelated typhoon report,
and a hostile page whose title and body hold ``<script>``, ``<img onerror>``
and a ``javascript:`` link. The seed and 25 generated articles (all holding
報導) are added, so paging has pages.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import FIXTURES, SEED
from corpusgen import newsgrep_process, write_corpus

WEB_ARTICLES = FIXTURES / "web" / "articles.jsonl"
# Ids as ingest names them: from each article's URL, or the file and line for one without a usable URL.
CNA = "cna.com.tw-4ade020f42ad"  # copied by 聯合報 (UDN): one story
UDN = "udn.com-eb9a2c177520"
LTN = "news.ltn.com.tw-7a9fce6b29a9"
XINHUA = "xinhuanet.com-4291a861b167"
HOSTILE = "articles-7"
GENERATED = 25


def build_web_index(index_path: Path, corpus: Path) -> Path:
    """Ingest the web fixtures, the seed and the generated articles into ``index_path``."""
    from newsgrep.ingest import ingest_paths

    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(WEB_ARTICLES, corpus)
    shutil.copy(SEED, corpus)
    write_corpus(corpus / "generated", GENERATED)
    report = ingest_paths([corpus], index_path)
    assert not report.failures
    return index_path


@contextmanager
def serving(index_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``newsgrep serve --port 0`` on ``index_path``: its URL (read from the line it prints) and the process.

    Ctrl-C (SIGINT) stops it afterwards; what it printed is left in the
    process's ``stopped_output`` (stderr) for the test to check.
    """
    proc = newsgrep_process("serve", "--port", "0", *args, index_path=index_path, env=env)
    first = proc.stderr.readline()
    found = re.search(r"http://\S+/", first)
    if not found:
        proc.kill()
        raise AssertionError(f"serve did not start: {first}{proc.stderr.read()}")
    try:
        yield found.group(), proc
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        proc.stopped_output = first + err
