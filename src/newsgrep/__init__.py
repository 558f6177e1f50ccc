"""newsgrep: search a folder of Chinese news articles from the terminal.

The library is usable without the CLI:

    from newsgrep import ingest, search
    report = ingest.ingest_paths(["seeds"], "data/index")
    result = search.search("data/index", "台灣 軍售")

Module map (one concern each): ``record`` (the Article type), ``readers``
(files -> records), ``analysis`` (normalise, segment, fold: the one analyzer
for indexing and querying), ``dictionary`` (the merged jieba dictionary),
``index`` (Whoosh schema, open/create, stored records), ``ingest`` (walk files,
incremental updates), ``search`` (queries, hits), ``snippets`` (best passage,
highlights), ``views`` and ``console`` (terminal rendering), ``cli`` (typer).
"""

__version__ = "0.1.0"
