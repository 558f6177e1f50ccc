"""The article record: what every reader produces and what the index stores.

One frozen dataclass per article. The body keeps the article's own order of
paragraphs and sub-headings as ``Block``s; photo captions are kept apart, with
their credit, because they describe a picture rather than continue the text.
``author`` names a person (never a URL or an outlet); ``byline`` is the credit
line as the source printed it (``聯合報／ 記者``, ``三立新聞網``). ``date`` is when
the article was published, None when the source does not say; ``crawled_at``
is when a scraper saved it, which is never taken for the publication date.
``content_hash`` covers everything a reader extracted except where and when
the copy was made, so two records with the same hash say the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal

BlockKind = Literal["paragraph", "heading"]


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of the article body, in reading order."""

    kind: BlockKind
    text: str


@dataclass(frozen=True, slots=True)
class Caption:
    """A photo caption and the credit line that came with it (either may be empty)."""

    text: str
    credit: str = ""


@dataclass(frozen=True)
class Article:
    id: str
    source_path: str
    title: str
    lede: str
    body: tuple[Block, ...] = ()
    date: dt.date | dt.datetime | None = None
    title_derived: bool = False
    captions: tuple[Caption, ...] = ()
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    byline: str | None = None
    crawled_at: dt.date | dt.datetime | None = None
    content_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", self._compute_hash())

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.body if b.kind == "paragraph"]

    @property
    def headings(self) -> list[str]:
        return [b.text for b in self.body if b.kind == "heading"]

    @property
    def text(self) -> str:
        """The searchable body: lede, sub-headings and paragraphs, then caption texts.

        This exact string is what the index analyses and what snippets are cut
        from, so highlight offsets always refer to it.
        """
        parts = [self.lede, *(b.text for b in self.body), *(c.text for c in self.captions)]
        return "\n\n".join(p for p in parts if p)

    @property
    def text_hash(self) -> str:
        """A hash of the words alone (title and text, whitespace ignored): the same story under two URLs."""
        import hashlib

        words = "".join((self.title + self.text).split())
        return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]

    def _compute_hash(self) -> str:
        import hashlib  # here, not at the top: reading stored records (every query) never needs it

        content = {
            k: v for k, v in self.to_dict().items()
            if k not in _IDENTITY_FIELDS and not (k in _LATER_FIELDS and v is None)
        }
        blob = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``from_dict`` reverses it exactly."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "body":
                value = [{"kind": b.kind, "text": b.text} for b in value]
            elif f.name == "captions":
                value = [{"text": c.text, "credit": c.credit} for c in value]
            elif f.name == "tags":
                value = list(value)
            elif f.name in ("date", "crawled_at") and value is not None:
                value = value.isoformat()
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        values = dict(data)
        values["body"] = tuple(Block(b["kind"], b["text"]) for b in data.get("body", ()))
        values["captions"] = tuple(Caption(c["text"], c.get("credit", "")) for c in data.get("captions", ()))
        values["tags"] = tuple(data.get("tags", ()))
        values["date"] = parse_iso_date(data.get("date"))
        values["crawled_at"] = parse_iso_date(data.get("crawled_at"))  # absent from records stored before it
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Article:
        return cls.from_dict(json.loads(text))


# Where and when this copy of an article was made is not part of what it says.
_IDENTITY_FIELDS = {"id", "source_path", "content_hash", "crawled_at"}
# Fields added after records were first stored count in the hash only when set, so a record that has
# none of them keeps the hash it was stored with.
_LATER_FIELDS = {"byline"}


def local_day(value: dt.date | dt.datetime | None) -> dt.date | None:
    """The day an article carries as its page shows it: a time's own local date, never converted to UTC."""
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def parse_iso_date(value: str | None) -> dt.date | dt.datetime | None:
    """``2026-02-08`` -> date, ``2026-02-08T10:30:00+08:00`` -> datetime, None -> None."""
    if not value:
        return None
    if "T" in value or " " in value.strip():
        return dt.datetime.fromisoformat(value)
    return dt.date.fromisoformat(value)


def encode_record(article: Article) -> bytes:
    """The stored form of an article, the same in every engine: zlib-compressed JSON."""
    import zlib

    return zlib.compress(article.to_json().encode("utf-8"), 6)


def decode_record(blob: bytes) -> Article:
    import zlib

    return Article.from_json(zlib.decompress(blob).decode("utf-8"))


# The ordering instant of an undated article: below every real date, so newest-first orders put it last.
UNDATED = -(2**62)


def instant(value: dt.date | dt.datetime | None) -> int:
    """Seconds since the epoch for ordering: an aware time as the instant it is, a naive time or a bare day as
    if it were UTC (near enough to order one outlet's articles), ``UNDATED`` for none."""
    if value is None:
        return UNDATED
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return int(value.timestamp())
