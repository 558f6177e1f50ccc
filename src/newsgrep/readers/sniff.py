"""Which reader a file needs, judged by its content first and its suffix second.

Scraped files are misnamed all the time (JSON Lines saved as ``.json``, pages
saved without a suffix, ``<doc>`` collections as ``.txt``), so the first
non-blank characters decide; the suffix only settles what content cannot.
"""

from __future__ import annotations

import re


FORMATS = ("seed", "html", "json", "jsonl", "trec", "feed")

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|!--|div|article|p)\b", re.IGNORECASE)
# RSS and Atom feeds list links to articles; they are recognised so they can be refused clearly.
_FEED = re.compile(r"<(?:rss|rdf:RDF|feed)\b", re.IGNORECASE)


def sniff_format(text: str, suffix: str = "") -> str:
    """One of ``FORMATS`` for the decoded ``text`` of a file named with ``suffix``."""
    head = text.lstrip("\ufeff \t\r\n\x00")[:4096]
    suffix = suffix.lower()
    if head.startswith("{"):
        return "jsonl" if _is_jsonl(text) else "json"
    if head.startswith("["):
        return "json"
    if suffix in (".json", ".jsonl"):  # a JSON scalar (one huge string) is a bad record file, not seed text
        return suffix[1:]
    if looks_like_trec(head):
        return "trec"
    if _FEED.search(head[:1000]):
        return "feed"
    if head.startswith("<") and (_HTML_START.match(head) or re.match(r"<\?xml", head)):
        return "trec" if re.search(r"<doc\b", head, re.IGNORECASE) else "html"
    if suffix in (".html", ".htm") and re.search(r"<(?:p|div|body)\b", head, re.IGNORECASE):
        return "html"
    return "seed"


def looks_like_article_bytes(head: bytes) -> bool:
    """For files without a suffix: do the first bytes open an HTML page, JSON or a ``<doc>`` collection?"""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")[:512].lower()
    return start.startswith((b"{", b"[", b"<!doctype html", b"<html", b"<doc", b"<?xml", b"<head", b"<meta", b"<!--"))


def _is_jsonl(text: str) -> bool:
    """Two or more lines that each start a JSON object (a pretty-printed object spans lines, but indented)."""
    lines = [line for line in text.lstrip("\ufeff\x00 \t\r\n").splitlines()[:50] if line.strip()]
    return len(lines) == 1 or (len(lines) > 1 and all(line.startswith("{") for line in lines[:2]))


def looks_like_trec(text: str) -> bool:
    """Whether text opens (after an optional XML declaration) with a ``<doc>`` element."""
    head = re.sub(r"^\s*(?:<\?xml[^>]*\?>\s*)?", "", text[:2000])
    return bool(re.match(r"<doc\b", head, re.IGNORECASE))
