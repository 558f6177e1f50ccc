"""Exploring what a query matches: timelines, facets, concordance lines, keywords and whole-record exports.

Each module takes an opened engine (``engines.open_index``), a parsed query
(or None: every article) and ``Filters``, and counts over the rows of
``matching.rows`` (``Engine.matching``: the one matcher ``search`` uses), so
what ``search`` finds is what these count. Full records are read only where
text is needed (``kwic``, ``keywords``, ``export``).
"""
