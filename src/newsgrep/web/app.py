"""The web app: routes for the pages and their JSON twins, error pages, and the headers every answer carries.

``create_app(location)`` opens the index once, read-only. An engine is not
made for threads (one cached searcher; SQLite connections belong to the
thread that made them), while Starlette runs plain-function handlers in a
pool of threads: so the engine is opened and read on one thread of its own,
and each handler hands it its work and waits.

Every failure is an answer, never a traceback: a bad parameter or query is a
400 page naming it, an unknown article a 404, anything else a 500 with one
line (``NEWSGREP_DEBUG=1`` prints the traceback on the server's terminal).
Under ``/api/`` the same answers are JSON ``{"error": …}``.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newsgrep.engines import Engine, open_index
from newsgrep.errors import BadQuery, BadSetting, NewsgrepError, UnknownArticle
from newsgrep.explore.facets import facets
from newsgrep.explore.timeline import timeline
from newsgrep.inert import inert
from newsgrep.related import related
from newsgrep.web import pages
from newsgrep.web.histogram import histogram
from newsgrep.web.marking import marked, runs, shown, shown_date, web_link
from newsgrep.web.state import BadParameter, SearchState, article_url, whole_number

HERE = Path(__file__).resolve().parent
T = TypeVar("T")
MAX_ID_CHARS = 1000
API_MAX_LIMIT = 100

# No inline script or style, nothing from elsewhere: a page can only load this server's CSS and JS.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # following an article's link does not tell its site what was searched
}

STATUS_OF = {BadParameter: 400, BadQuery: 400, BadSetting: 400, UnknownArticle: 404}
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 500: "Server error"}


class ResponseHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every response (pages, JSON, static files, errors),
    and ``Server-Timing`` (the server's milliseconds until the response starts: browsers' developer tools
    and ``bench/serve.py`` read it)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> Environment:
    """Jinja2 with autoescape on for every template (article text is always text), and every printed string
    made inert first (``shown``), so no template can forget either."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=shown,
    )
    env.globals.update(marked=marked, runs=runs, web_link=web_link, article_url=article_url)
    env.filters["when"] = shown_date
    return env


class Site:
    """The handlers over one opened engine."""

    def __init__(self, location: str | os.PathLike) -> None:
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsgrep-engine")
        self.engine: Engine = self.read(lambda: open_index(location))
        self.env = templates()

    # -- pages ------------------------------------------------------------

    def search(self, request: Request) -> Response:
        state = SearchState.from_params(request.query_params)
        page = self.read(lambda: pages.search_page(self.engine, state))
        bars = histogram(page.timeline, lambda b: state.url(since=b.start, until=b.end, page=1))
        return self.html("search.html", state=state, page=page, histogram=bars)

    def article(self, request: Request) -> Response:
        state = SearchState.from_params(request.query_params)
        page = self.read(lambda: pages.article_page(self.engine, article_id(request), state))
        return self.html("article.html", state=state, page=page, article=page.article)

    # -- the JSON twins -----------------------------------------------------

    def api_search(self, request: Request) -> Response:
        state = SearchState.from_params(request.query_params)
        if not state.q:
            raise BadParameter("q: a query is required")
        limit = whole_number(request.query_params, "limit", pages.PAGE_SIZE, API_MAX_LIMIT)
        return JSONResponse(pages.search_json(self.read(lambda: pages.hits(self.engine, state, limit))))

    def api_article(self, request: Request) -> Response:
        return JSONResponse(self.read(lambda: pages.article_json(self.engine, article_id(request))))

    def api_timeline(self, request: Request) -> Response:
        state = SearchState.from_params(request.query_params)
        by = request.query_params.get("by") or None
        found = self.read(lambda: timeline(self.engine, pages.parsed(state), state.filters, by=by))
        return JSONResponse({"by": found.by, "undated": found.undated, "buckets": found.rows()})

    def api_facets(self, request: Request) -> Response:
        state = SearchState.from_params(request.query_params)
        fields = tuple(request.query_params.getlist("field")) or ("source",)
        top = whole_number(request.query_params, "top", pages.TOP_OUTLETS, API_MAX_LIMIT)
        found = self.read(lambda: facets(self.engine, pages.parsed(state), state.filters, fields=fields, top=top))
        return JSONResponse({name: facet.rows() for name, facet in found.items()})

    def api_related(self, request: Request) -> Response:
        limit = whole_number(request.query_params, "limit", pages.RELATED, API_MAX_LIMIT)
        found = self.read(lambda: related(self.engine, article_id(request), limit=limit))
        return JSONResponse({"hits": [hit.to_dict() for hit in found.hits]})

    # -- plumbing -------------------------------------------------------------

    def read(self, work: Callable[[], T]) -> T:
        """``work()`` run on the engine's own thread (one at a time), its answer or its exception."""
        return self.worker.submit(work).result()

    def html(self, template: str, status_code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status_code)

    def answering(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """``handler`` with every failure turned into its error page (or JSON under /api/)."""

        def endpoint(request: Request) -> Response:
            try:
                return handler(request)
            except NewsgrepError as e:
                return self.error(request, STATUS_OF.get(type(e), 500), str(e))
            except Exception as e:
                report_internal_error(e)
                return self.error(request, 500, f"internal error: {type(e).__name__}")

        return endpoint

    def error(self, request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        try:
            state = SearchState.from_params(request.query_params)
        except BadParameter:
            state = SearchState()
        title = TITLES.get(status, "Error")
        return self.html("error.html", status, state=state, status=status, title=title, message=message)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Starlette's own 404 (no such route) and 405, as our pages."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return self.error(request, status, TITLES.get(status, "Error").lower())


def article_id(request: Request) -> str:
    """The id in the URL; it only ever looks up the index (never a path), and is checked for length."""
    value = request.path_params["id"]
    if len(value) > MAX_ID_CHARS:
        raise BadParameter(f"article id longer than {MAX_ID_CHARS} characters")
    return value


def report_internal_error(error: Exception) -> None:
    """One line on the server's terminal (the traceback with NEWSGREP_DEBUG=1), as the CLI does."""
    if os.environ.get("NEWSGREP_DEBUG"):
        traceback.print_exception(error)
    sys.stderr.write(inert(f"newsgrep: internal error: {type(error).__name__}: {error}") + "\n")


def create_app(location: str | os.PathLike) -> Starlette:
    """The web app over the index at ``location`` (IndexMissing and the like when it cannot be opened)."""
    site = Site(location)
    page = site.answering
    routes = [
        Route("/", page(site.search)),
        Route("/articles/{id:path}", page(site.article)),
        Route("/api/search", page(site.api_search)),
        Route("/api/articles/{id:path}", page(site.api_article)),
        Route("/api/timeline", page(site.api_timeline)),
        Route("/api/facets", page(site.api_facets)),
        Route("/api/related/{id:path}", page(site.api_related)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(ResponseHeaders)],
        exception_handlers={HTTPException: site.http_error},
    )
    app.state.location = site.engine.location  # as the engine names it: a server's address without its password
    return app
