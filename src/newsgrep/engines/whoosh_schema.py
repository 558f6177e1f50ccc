"""The Whoosh fields of an index, and the compact positions format they use."""

from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh.formats import Positions

# Bump when the fields or their meaning change; older indexes must be rebuilt.
# 9: the tokenizers moved to engines.whoosh_analysis (the schema Whoosh pickles names them).
# 10: segments written by whoosh_codec.NewsCodec (one-posting terms inline; the TOC names the codec).
SCHEMA_VERSION = 10


class CompactPositions(Positions):
    """Whoosh's Positions format with packed deltas instead of a pickled list.

    ~3 bytes for a one-position posting instead of Whoosh's ~12 (a length word
    plus a pickled list); bigram postings are most of the index, so this is
    most of its size. Deltas are native 2-byte or 4-byte unsigned integers.
    """

    def encode(self, poslist):
        deltas = [b - a for a, b in zip([0, *poslist], poslist)]
        code = "H" if max(deltas) < 65536 else "I"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring):
        return list(accumulate(array(chr(valuestring[0]), valuestring[1:])))

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[0] == ord("H") else 4)


def build_schema(index_segmenter, query_segmenter):
    """The fields. ``title`` and ``body`` share the one analyzer; the full record is stored compressed."""
    from whoosh.columns import VarBytesColumn
    from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

    from newsgrep.engines.whoosh_analysis import BigramTokenizer, news_analyzer

    analyzer = news_analyzer(index_segmenter, query_segmenter)
    # Every byte column keeps its offsets on disk, whatever its size: Whoosh writes them only past 32,768
    # documents and otherwise adds the lengths up in Python each time a reader opens the column (~30 ms per
    # search over 100,000 articles in smaller segments).
    byte_column = VarBytesColumn(write_offsets_cutoff=0)
    schema = Schema(
        # "article", or "source" for a file whose articles all merged into other files' records.
        kind=ID(stored=True, sortable=byte_column),
        id=ID(stored=True, unique=True, sortable=byte_column),
        path=ID(stored=True, sortable=byte_column),
        # The article's own local day as its page shows it (YYYY-MM-DD): what --since/--until compare.
        day=ID(sortable=byte_column),
        # Seconds since the epoch (the instant, for ordering); UNDATED for articles without a date.
        when=NUMERIC(int, bits=64, signed=True, sortable=True),
        # A query word that segments into several words must match them adjacent, not anywhere.
        title=TEXT(analyzer=analyzer, stored=True, phrase=True, multitoken_query="phrase"),
        body=TEXT(analyzer=analyzer, stored=False, phrase=True, multitoken_query="phrase"),
        # Ideograph bigrams of each text field, positions in characters: exact substring matching.
        title_grams=TEXT(analyzer=BigramTokenizer(), stored=False, phrase=True),
        body_grams=TEXT(analyzer=BigramTokenizer(), stored=False, phrase=True),
        # Outlet and author, folded (width, case, script), for source:/author: and facets.
        source=ID(sortable=byte_column),
        author=ID(sortable=byte_column),
        # The same as written (original script), for facets and timelines: read from columns, never from records.
        outlet_name=COLUMN(byte_column),
        author_name=COLUMN(byte_column),
        category=COLUMN(byte_column),
        tags=COLUMN(byte_column),  # tab-separated
        # The story an article belongs to (copies and near-copies share it), and its similarity keys.
        story=ID(stored=True, sortable=byte_column),
        signature=STORED(),
        content_hash=ID(stored=True, sortable=byte_column),
        text_hash=ID(stored=False, sortable=byte_column),
        # "size:mtime_ns:sha256" of the source file, for incremental ingest.
        source_sig=ID(stored=True, sortable=byte_column),
        # The whole Article as zlib-compressed JSON: what `show` prints and what snippets are cut from.
        record=STORED(),
    )
    for name in ("title", "body", "title_grams", "body_grams"):
        schema[name].format = CompactPositions(field_boost=schema[name].format.field_boost)
    return schema
