"""Whoosh's own codec, writing the postings of a term that occurs in one document inline in the term index.

Most terms of a segment are rare bigrams found in a single article. Whoosh
writes each term's postings as a block of their own in the postings file (a
header, two pickles, a length word) and a pointer to it in the term index;
for a one-posting term that is most of the cost of the term and of its bytes.
Whoosh can keep short posting lists inside the term's entry instead
(``inlinelimit``), and reads them back as such, but whoosh3 3.54's writer calls a
method that does not exist (``set_inline``; the term info has ``set_inlined``),
so this writer does the inlining itself. The files stay a Whoosh index that
Whoosh's own reader opens.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

# Posting lists shorter than this are stored inside the term index (one posting: a term of one article).
INLINE_LIMIT = 2


class InliningPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with short posting lists kept in the term's entry."""

    def finish_postings(self):
        # Only postings with values (positions): an inlined list without values reads back as "" instead of
        # b"", which Whoosh's merge refuses. The ID fields' terms keep their blocks.
        if self.written() or len(self) >= INLINE_LIMIT or not self._values:
            return super().finish_postings()  # Whoosh's inlinelimit stays 1: it never reaches its broken call
        terminfo, self._terminfo = self._terminfo, None
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        return terminfo


class NewsCodec(W3Codec):
    """Whoosh's ``W3Codec`` with ``InliningPostingsWriter``."""

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression, inlinelimit=self._inlinelimit
        )
