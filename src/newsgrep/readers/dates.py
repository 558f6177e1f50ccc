"""Publication dates as news pages and scrapers write them, to one convention.

Convention: a value with a time of day becomes a timezone-aware ``datetime``
that keeps the page's own clock and offset, so its day is the day the page
shows. A naive time is taken to be Taiwan time (UTC+08:00) already, since these
are Taiwanese and Chinese outlets (both +08:00); a UTC stamp (``Z``, ``+00:00``,
``GMT``), which is how machines write times rather than how a newsroom dates a
story, is shown in +08:00; any other offset is kept (``00:30+09:00`` stays the
16th at 00:30 in +09:00, never 23:30 of the 15th in +08:00, and no time is ever
converted to UTC). A value with only a day stays a ``date``. So
``2016-05-21T03:44:00Z``, ``2016/05/21 11:44`` and ``2016年05月21日 11:44`` all
read as ``2016-05-21 11:44+08:00``.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

TAIWAN = dt.timezone(dt.timedelta(hours=8))

_DATE_TIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:\([一二三四五六日]\)|（[一二三四五六日]）|星期[一二三四五六日]|週[一二三四五六日])?"
    r"\s*T?\s*(?P<ampm>上午|下午|AM|PM)?\s*(?P<H>\d{1,2})\s*[:：時]\s*(?P<M>\d{2})"
    r"(?:\s*[:：]\s*(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?",
    re.IGNORECASE,
)
# 20150109 inside a URL path or id: /20150109/ or 20180916001767-260402
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)")


def parse_date(value: object) -> dt.date | dt.datetime | None:
    """The first date (and time, when given) in ``value``; None when there is none or it is impossible."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # epoch seconds or milliseconds
        try:
            return dt.datetime.fromtimestamp(seconds, TAIWAN)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    match = _DATE_TIME.search(text)
    if match:
        return _from_match(match)
    try:  # RSS: "Sat, 31 Dec 2005 06:15:55 +0900"
        return _local(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def date_in_url(url: str | None) -> dt.date | None:
    """A date spelled as eight digits in a URL (``/20150109/``, ``20180916001767``), if plausible."""
    if not url:
        return None
    for match in _COMPACT.finditer(url):
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        if day.year >= 1990:
            return day
    return None


def _from_match(match: re.Match) -> dt.date | dt.datetime | None:
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["H"] is None:
        return day
    hour = int(match["H"])
    if match["ampm"] and match["ampm"].upper() in ("下午", "PM") and hour < 12:
        hour += 12
    try:
        moment = dt.datetime.combine(day, dt.time(hour, int(match["M"]), int(match["S"] or 0)))
    except ValueError:
        return day
    tz = match["tz"]
    if tz:
        if tz.upper() == "Z":
            moment = moment.replace(tzinfo=dt.timezone.utc)
        else:
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            moment = moment.replace(tzinfo=dt.timezone(sign * offset))
    return _local(moment)


def _local(moment: dt.datetime) -> dt.datetime:
    """Naive: Taiwan time. UTC: shown in Taiwan time. Any other offset: the page's own, kept."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TAIWAN)
    if moment.utcoffset() == dt.timedelta(0):
        return moment.astimezone(TAIWAN)
    return moment.replace(tzinfo=dt.timezone(moment.utcoffset()))
