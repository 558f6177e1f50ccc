"""What a search page shows, read from its URL and written back into every link: the URL is the whole state.

A search can be bookmarked and shared: query, date range, outlet, order and
page are all parameters, and a link changes one of them while keeping the
rest. Values are checked here, so a bad one is a 400 page naming it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from newsgrep.errors import NewsgrepError
from newsgrep.query import Filters

SORTS = ("score", "date")
MAX_PAGE = 1000
MAX_NAME_CHARS = 200


class BadParameter(NewsgrepError):
    """A URL parameter the page cannot use (shown as a 400 page naming it)."""


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    source: str = ""
    sort: str = "score"
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchState:
        """The state a URL's query string names (unknown parameters ignored); BadParameter for a bad value."""
        state = cls(
            q=params.get("q", "").strip(),
            since=_day(params, "since"),
            until=_day(params, "until"),
            source=params.get("source", "").strip(),
            sort=params.get("sort") or "score",
            page=whole_number(params, "page", 1, MAX_PAGE),
        )
        if state.sort not in SORTS:
            raise BadParameter(f"sort: {state.sort!r} is not one of {', '.join(SORTS)}")
        if len(state.source) > MAX_NAME_CHARS:
            raise BadParameter(f"source: longer than {MAX_NAME_CHARS} characters")
        if state.since and state.until and state.since > state.until:
            raise BadParameter(f"since {state.since} is after until {state.until}")
        return state

    @property
    def filters(self) -> Filters:
        return Filters(since=self.since, until=self.until, sources=(self.source,) if self.source else ())

    def params(self, **changes) -> dict[str, str]:
        """The state (with ``changes``) as query parameters, leaving out those at their default."""
        state = dataclasses.replace(self, **changes)
        values = {
            "q": state.q,
            "since": state.since.isoformat() if state.since else "",
            "until": state.until.isoformat() if state.until else "",
            "source": state.source,
            "sort": "" if state.sort == "score" else state.sort,
            "page": "" if state.page == 1 else str(state.page),
        }
        return {name: value for name, value in values.items() if value}

    def url(self, path: str = "/", **changes) -> str:
        """``path`` with the state (and ``changes``) as its query string."""
        params = self.params(**changes)
        return f"{path}?{urlencode(params)}" if params else path


def article_url(article_id: str, state: SearchState | None = None) -> str:
    """The article page's address, carrying the search it was opened from (an id never names a file: it is quoted whole)."""
    path = "/articles/" + quote(article_id, safe="")
    return state.url(path) if state else path


def _day(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_day(name, value)
    except ValueError:
        return _bad_day(name, value)


def _bad_day(name: str, value: str):
    raise BadParameter(f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD)")


def whole_number(params: Mapping[str, str], name: str, default: int, high: int) -> int:
    """Parameter ``name`` as a number from 1 to ``high`` (``default`` when absent); BadParameter otherwise."""
    value = params.get(name, "").strip() or str(default)
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= high:
        raise BadParameter(f"{name}: {value[:40]!r} is not a number from 1 to {high}")
    return int(value)
