"""``newsgrep serve``: a local, read-only web page on the index (search, timeline, articles, related ones).

A view over the same library as the command line (Datasette's shape): every
page has a JSON twin under ``/api/`` with the fields of the CLI's ``--json``.
Starlette, Jinja2 and uvicorn are imported only here, and only ``serve``
imports this package, so the other commands start as fast as before.
"""
