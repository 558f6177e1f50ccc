"""The query language, parsed once into newsgrep's own tree; each engine compiles the tree its own way.

    台灣 軍售            both words (AND is implied; punctuation between words separates them too: 台灣，軍售)
    颱風 OR 地震         either
    -柯文哲  NOT 柯文哲   without
    "對台軍售"           exactly this string (after width and script folding)
    title:軍售           in the title; body:, source: (outlet), author: likewise
    (颱風 OR 地震) 花蓮   grouping

A typed word that segments into several words (``台灣軍售``) means exactly that
string, like a quoted phrase. ``source:`` and ``author:`` match a part of the
outlet or author name, folded the same way. The tree says *what* must match;
``analysis`` decides the terms, and an engine decides how to find them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, Union

from newsgrep.errors import BadQuery

TEXT_FIELDS = ("title", "body")
NAME_FIELDS = ("source", "author")
FIELDS = TEXT_FIELDS + NAME_FIELDS
MAX_QUERY_CHARS = 1000
SortOrder = Literal["score", "date"]


@dataclass(frozen=True)
class Word:
    """A word as typed; ``field`` None means title or body."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """A quoted string: its words adjacent, in order (exact substring matching for ideographs)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Union[Word, Phrase, And, Or, Not]


@dataclass(frozen=True)
class Filters:
    """What narrows a query without ranking it: local days (inclusive), outlets and authors (parts of names)."""

    since: dt.date | None = None
    until: dt.date | None = None
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.authors)


@dataclass(frozen=True)
class Query:
    """A parsed query: the tree, its text as typed, the filters."""

    text: str
    root: Node
    filters: Filters = field(default_factory=Filters)


def is_separator(text: str, i: int) -> bool:
    """Punctuation that separates words: any but the kind that joins Latin letters or digits (``3.3``, ``e-mail``)."""
    ch = text[i]
    if not unicodedata.category(ch).startswith(("P", "S")):
        return False
    if ch in "._-'&/+" and 0 < i < len(text) - 1:
        return not (text[i - 1].isascii() and text[i - 1].isalnum() and text[i + 1].isascii() and text[i + 1].isalnum())
    return True


_FIELD = re.compile(r"([A-Za-z]+):(?=\S)")
_OPERATORS = {"AND", "OR", "NOT"}


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value) pairs: word, phrase, field, not, or, and, open, close."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    at_start = True  # at the start of a term (a field prefix or a minus may come)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            at_start = True
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(("phrase", text[i + 1 : end]))
            i, at_start = end + 1, True
            continue
        if ch in "()":
            tokens.append(("open" if ch == "(" else "close", ch))
            i, at_start = i + 1, True
            continue
        if at_start and ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            tokens.append(("not", "-"))
            i += 1
            continue
        if at_start and (m := _FIELD.match(text, i)):
            name = m.group(1).lower()
            if name not in FIELDS:
                raise BadQuery(f"unknown field {m.group(1)}: (fields: {', '.join(f + ':' for f in FIELDS)})")
            tokens.append(("field", name))
            i = m.end()
            continue
        if is_separator(text, i) and ch != "-":
            i, at_start = i + 1, True
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in '"()' and not (is_separator(text, i) and text[i] != "-"):
            i += 1
        if i == start:  # a lone '-' between spaces or '--'
            i += 1
            continue
        word = text[start:i]
        if word in _OPERATORS:
            tokens.append((word.lower(), word))
        else:
            tokens.append(("word", word))
        at_start = True
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node | None:
        node = self.or_expr()
        while self.i < len(self.tokens):  # a stray ')' : skip it and go on
            self.take()
            more = self.or_expr()
            node = _join(And, [node, more])
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            parts.append(self.and_expr())
        return _join(Or, parts)

    def and_expr(self) -> Node | None:
        parts = []
        while self.peek() not in (None, "or", "close"):
            if self.peek() == "and":
                self.take()
                continue
            parts.append(self.unary())
        return _join(And, parts)

    def unary(self) -> Node | None:
        kind = self.peek()
        if kind == "not":
            self.take()
            child = self.unary() if self.peek() not in (None, "or", "close") else None
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.take()
        if kind == "open":
            node = self.or_expr()
            if self.peek() == "close":
                self.take()
            return node
        if kind == "field":
            if self.peek() in ("word", "phrase"):
                inner_kind, inner = self.take()
                return (Word if inner_kind == "word" else Phrase)(inner, value)
            if self.peek() == "open":  # title:(a OR b)
                return _with_field(self.atom(), value)
            return None
        if kind == "word":
            return Word(value)
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        return None  # a stray operator


def _join(kind, parts: list[Node | None]) -> Node | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _with_field(node: Node | None, name: str) -> Node | None:
    if isinstance(node, (Word, Phrase)):
        return type(node)(node.text, node.field or name)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_with_field(c, name) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_field(node.child, name))
    return node


def parse(text: str, filters: Filters | None = None) -> Query:
    """The query tree of ``text``; BadQuery when it is empty, too long, or holds no word to look for."""
    if not text or not text.strip():
        raise BadQuery("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    cleaned = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in text)
    root = _Parser(_tokens(cleaned)).parse()
    if root is None or not positive_leaves(root):
        raise BadQuery(f"query {text!r} has no searchable words")
    return Query(text, root, filters or Filters())


def positive_leaves(node: Node) -> list[Word | Phrase]:
    """Words and phrases that must or may match (those under NOT left out), in query order."""
    if isinstance(node, (Word, Phrase)):
        return [node]
    if isinstance(node, Not):
        return []
    return [leaf for child in node.children for leaf in positive_leaves(child)]


def only_negative(node: Node) -> bool:
    """A query that says only what must not match (``-a``) matches nothing useful."""
    return isinstance(node, Not) or (isinstance(node, And) and all(isinstance(c, Not) for c in node.children))
