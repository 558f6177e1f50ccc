"""newsgrep: search a folder of Chinese news articles from the terminal.

The library is usable without the CLI:

    from newsgrep import ingest, search
    from newsgrep.engines import open_index
    report = ingest.ingest_paths(["seeds"], "data/index")
    result = search.search(open_index("data/index"), "台灣 軍售")

Module map (one concern each): ``record`` (the Article type), ``readers``
(files -> records), ``analysis`` (normalise, segment, fold: the one analyzer
for indexing and querying), ``dictionary`` (the merged jieba dictionary),
``query_plan`` (a query in index terms), ``engines`` (storage and matching
behind one interface: Whoosh, PostgreSQL), ``ingest`` (walk files,
incremental updates), ``search`` (ranked hits), ``snippets`` (best passage,
highlights), ``views`` and ``console`` (terminal rendering), ``cli`` (typer).
"""

__version__ = "0.1.0"
