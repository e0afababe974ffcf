"""Dates of the plan: when a plan was announced, when a role or a boundary holds.

A date is written ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (as precisely as the source says;
a TOML date such as ``2021-12-28`` is taken too). It is compared by its first day, so
"2020-06" is 1 June 2020. A span runs from ``since`` (included) to ``until`` (excluded):
Gongzhuling belonged to Siping ``until = "2020-06"``, i.e. up to the end of May 2020.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

__all__ = ["check_span", "date_key", "holds", "parse_date"]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FORMAT_HINT = 'a date such as "2021-12-28", "2020-06" or "2018"'


def parse_date(value) -> str:
    """The date as text, checked; ValueError (a sentence quoting the value) when it is not one."""
    if isinstance(value, _dt.datetime):
        raise ValueError(f"{value.isoformat()!r} has a time of day; write only the date")
    if isinstance(value, _dt.date):
        return value.isoformat()
    m = _DATE.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a date ({FORMAT_HINT})"[:200])
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        _dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: no such day") from None
    return value


@lru_cache(maxsize=1024)
def _key(text: str) -> str:
    y, _, rest = text.partition("-")
    mo, _, d = rest.partition("-")
    return f"{y}-{mo or '01'}-{d or '01'}"


def date_key(value) -> str:
    """The first day of the date, as ``YYYY-MM-DD`` (compares correctly as text)."""
    if isinstance(value, str) and value in _KNOWN:
        return _key(value)
    text = parse_date(value)
    _KNOWN.add(text)
    return _key(text)


_KNOWN: set = set()  # dates already checked




def holds(since, until, at: str) -> bool:
    """Whether a span holds on the day ``at`` (a key); None: open at that end."""
    return (since is None or date_key(since) <= at) and (until is None or at < date_key(until))


def check_span(since, until) -> str:
    """"" when since/until are dates (or None) and until comes after since, else a sentence."""
    try:
        if since is not None:
            parse_date(since)
        if until is not None:
            parse_date(until)
    except ValueError as exc:
        return str(exc)
    if since is not None and until is not None and date_key(until) <= date_key(since):
        return f"until {until!r} is not after since {since!r}"
    return ""
