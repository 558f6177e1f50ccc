"""Pages saved from the Wayback Machine: the original page without archive.org's toolbar around it.

A capture served by web.archive.org carries the archive's own markup: a
toolbar between ``<!-- BEGIN WAYBACK TOOLBAR INSERT -->`` and ``<!-- END
WAYBACK TOOLBAR INSERT -->`` (or, since 2017, a ``<div id="wm-ipp-base">``
filled by script) full of the archive's dates (capture calendar, "12 Jun
2015 - 3 Feb 2018"), and every link rewritten to
``web.archive.org/web/<capture time>[flag_]/<original URL>``. None of that is
the article's: its URL is the original one and its date is the page's own.
The capture time is kept, as when the copy was made (``Article.crawled_at``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from newsgrep.readers.dates import TAIWAN

_BEGIN = "<!-- BEGIN WAYBACK TOOLBAR INSERT -->"
_END = "<!-- END WAYBACK TOOLBAR INSERT -->"
# How replays name the original: __wm.wombat("http://…","20150612083015",…), the toolbar's URL box.
_WOMBAT = re.compile(r"""__wm\.wombat\(\s*["'](?P<url>[^"'\s]{1,2000})["']\s*,\s*["'](?P<stamp>\d{14})["']""")
_TOOLBAR_URL = re.compile(r"""<input\b[^<>]*\bid=["']wmtbURL["'][^<>]*>""", re.IGNORECASE)
_VALUE = re.compile(r"""\bvalue=["'](?P<url>[^"'\s]{1,2000})["']""", re.IGNORECASE)
_ARCHIVED = re.compile(r"/web/(?P<stamp>\d{14})(?:[a-z]{2}_)?/(?P<url>https?:/{1,2}[^\"'\s<>]{1,2000})", re.IGNORECASE)
# What only a replay holds (a page that merely links to web.archive.org is no capture).
_MARKS = (_BEGIN, "__wm.", 'id="wm-ipp', "id='wm-ipp", "FILE ARCHIVED ON", "__wbhack", "/_static/js/wombat")


@dataclass(frozen=True)
class Capture:
    """What a Wayback page says about itself: the original URL (if found) and when the archive saved it."""

    url: str | None
    captured: dt.datetime | None


def unwrap(text: str) -> tuple[str, Capture | None]:
    """The page without the toolbar insert, and its ``Capture``; the text unchanged and None for other pages."""
    head = text[:200_000]
    if not any(mark in head for mark in _MARKS):
        return text, None
    url, stamp = None, None
    found = _WOMBAT.search(head)
    if found:
        url, stamp = found["url"], found["stamp"]
    toolbar = _TOOLBAR_URL.search(head)
    if toolbar and not url:
        value = _VALUE.search(toolbar.group(0))
        url = value["url"] if value else None
    archived = _ARCHIVED.search(head)
    if archived:
        stamp = stamp or archived["stamp"]
    begin = text.find(_BEGIN)
    end = text.find(_END, begin + 1) if begin != -1 else -1
    if begin != -1 and end != -1:
        text = text[:begin] + text[end + len(_END):]
    if not (url or stamp or begin != -1):
        return text, None
    return text, Capture(url, _stamp_time(stamp))


def is_toolbar(element_id: str) -> bool:
    """Ids of the toolbar's own elements when it is not fenced by the insert comments (``wm-ipp-base`` …)."""
    return element_id.startswith(("wm-", "wm_")) or element_id == "donato"


def _stamp_time(stamp: str | None) -> dt.datetime | None:
    """A 14-digit capture stamp (UTC, as the archive keeps them) in Taiwan time, or None."""
    if not stamp or len(stamp) != 14:
        return None
    try:
        moment = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return moment.astimezone(TAIWAN)
