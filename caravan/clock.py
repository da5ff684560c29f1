"""Time as caravan counts it: Asia/Bangkok, ISO weeks, clock times in seconds, HH:MM.

* Every date and clock time is in **Asia/Bangkok** (:data:`BANGKOK`, UTC+7 all year).
* A clock time is **seconds since local midnight** (``int``); :func:`hhmm` writes it as
  ``HH:MM`` and :func:`parse_hhmm` reads an option such as ``--day-start 08:30``.
* A week is an **ISO week** written ``2026-W49``; its first day is its Monday
  (:func:`parse_week`, :func:`monday_of`, :func:`week_label`).
* "Today" is :func:`today`: the date in Bangkok now, or the date in the environment variable
  ``CARAVAN_TODAY`` (``YYYY-MM-DD``) when it is set. That is the one hook that fixes the
  day for the tests (``tests/conftest.py`` sets it, so no test depends on the real date) and
  for replaying a past week ("plan next week as of 2026-11-27"); caravan says nothing
  about it otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

from caravan.errors import ParameterError

BANGKOK = ZoneInfo("Asia/Bangkok")
#: the environment variable that fixes :func:`today` (YYYY-MM-DD)
TODAY_ENV = "CARAVAN_TODAY"

#: the years whose weeks caravan plans, records and reports (a typo like 9999-W52 is refused)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def today() -> dt.date:
    """Today in Asia/Bangkok, or ``$CARAVAN_TODAY`` when set (module docstring)."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise ParameterError(
                f"'{fixed}' is not a date like 2026-11-27", param=f"${TODAY_ENV}"
            ) from None
    return dt.datetime.now(BANGKOK).date()


_today = today


def now() -> dt.datetime:
    """The time now in Asia/Bangkok, to the second."""
    return dt.datetime.now(BANGKOK).replace(microsecond=0)


def week_label(day: dt.date) -> str:
    """The ISO week of ``day``: ``"2026-W49"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def weeks_between(earlier: dt.date, later_monday: dt.date) -> int:
    """Whole weeks from the week of ``earlier`` to the week starting ``later_monday``."""
    return (later_monday - monday(earlier)).days // 7


def week_labels(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` (already checked), both included."""
    a, b = monday_of(first), monday_of(last)
    return [week_label(a + dt.timedelta(weeks=i)) for i in range((b - a).days // 7 + 1)]


def monday_of(label: str) -> dt.date:
    """``"2026-W49"`` (already checked) -> its Monday."""
    year, week = label.upper().split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def parse_week(
    text: str | None, *, today: dt.date | None = None, param: str = "--week"
) -> tuple[str, dt.date]:
    """``"2026-W49"`` -> ("2026-W49", its Monday). ``None`` means next week (after
    ``today``, default :func:`today`)."""
    if text is None:
        day = today or _today()
        next_monday = monday(day) + dt.timedelta(days=7)
        return week_label(next_monday), next_monday
    m = _WEEK.match(text.strip())
    if not m:
        raise ParameterError(f"'{text}' is not an ISO week like 2026-W49", param=param)
    year, week = int(m.group(1)), int(m.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ParameterError(
            f"'{text}': caravan plans weeks of the years {FIRST_YEAR} to {LAST_YEAR}", param=param
        )
    try:
        first = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ParameterError(f"'{text}': year {year} has no week {week}", param=param) from None
    return f"{year}-W{week:02d}", first


def parse_date(text: str | dt.date, *, param: str) -> dt.date:
    """An option's date, ``"2026-12-07"`` -> a date; anything else is a usage error naming
    ``param``. (Dates in files, written in many ways, are read by
    :mod:`caravan.complaints.dates`.)"""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ParameterError(f"'{text}' is not a date like 2026-12-07", param=param) from None


def parse_week_range(first: str, last: str) -> tuple[str, str]:
    """``--from`` and ``--to`` weeks, checked: the first not after the last."""
    a, monday_a = parse_week(first, param="--from")
    b, monday_b = parse_week(last, param="--to")
    if monday_b < monday_a:
        raise ParameterError(f"{b} is before --from {a}", param="--to")
    return a, b


def hhmm(seconds: int) -> str:
    """Seconds since midnight -> ``"HH:MM"``."""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def hhmm_or_empty(seconds: int | None) -> str:
    """:func:`hhmm`, or ``""`` for ``None`` (a departure has no arrival)."""
    return "" if seconds is None else hhmm(seconds)


def parse_hhmm(text: str, param: str) -> int:
    """``"08:30"`` -> 30600 seconds; a ParameterError naming ``param`` otherwise."""
    m = _HHMM.match(text.strip())
    if not m:
        raise ParameterError(f"'{text}' is not a time like 08:30", param=param)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def seconds_of(text: str | None) -> int | None:
    """``"HH:MM"`` as written by :func:`hhmm` -> seconds; ``None`` or ``""`` -> ``None``.
    Raises ValueError for anything else."""
    if text is None or text == "":
        return None
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def duration_text(seconds: int) -> str:
    """``"2 h 05 min"`` or ``"45 min"``."""
    minutes = int(seconds) // 60
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"
