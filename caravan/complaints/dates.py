"""Read the date a complaint was received, in the forms Thai exports use.

Accepted (Thai digits ๐-๙ anywhere, any of them with a time after it)::

    2026-11-09, 2026/11/09, 20261109      year first: ISO (a T, a time and an offset may follow)
    9/11/2026, 09-11-2026, 9.11.2026      day/month/year, common era
    9/11/2569                             day/month/year, Buddhist era (B.E. = C.E. + 543)
    9/11/69                               two-digit year: Buddhist era 2569
    9 พ.ย. 69, 9 พฤศจิกายน 2569            Thai month names, abbreviated or full
    วันจันทร์ที่ 9 พ.ย. พ.ศ. 2569 เวลา 10.30 น.
    9 Nov 2026, 9-Nov-26, November 9, 2026
    46000                                 an Excel day number (a date cell saved as a number)

The era is told apart by the year: a four-digit year after 2300 is Buddhist, else common
era; a two-digit year is Buddhist (25xx), the way Thai forms write it, except after an
English month name (``9-Nov-26`` is how Excel writes 2026-11-09). ``พ.ศ.``/``B.E.`` or
``ค.ศ.``/``A.D.``/``C.E.`` anywhere decide it explicitly. Day and month are
always read day first (Thai and British order): ``11/25/2026`` is not a date.

A time is checked and dropped. A time with a UTC offset (``2026-11-08T20:00:00Z``, ``+00``,
``+0000``, ``+07:00``; seconds may have a fraction, as databases write them:
``2026-11-08 20:00:00.611097+00``) is first moved to Asia/Bangkok, so that it lands on the
Bangkok date (here 2026-11-09).
"""

from __future__ import annotations

import datetime as dt
import re

from caravan.clock import BANGKOK
from caravan.complaints.privacy import quoted_if
from caravan.text import clean

BE_OFFSET = 543
_BE_AFTER = 2300  # a four-digit year above this is Buddhist era
_EXCEL_EPOCH = dt.date(1899, 12, 30)

#: month number by every spelling, compared without dots, spaces or case
MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("มกราคม", "มค", "jan", "january"),
        ("กุมภาพันธ์", "กพ", "feb", "february"),
        ("มีนาคม", "มีค", "mar", "march"),
        ("เมษายน", "เมย", "apr", "april"),
        ("พฤษภาคม", "พค", "may"),
        ("มิถุนายน", "มิย", "jun", "june"),
        ("กรกฎาคม", "กรกฏาคม", "กค", "jul", "july"),
        ("สิงหาคม", "สค", "aug", "august"),
        ("กันยายน", "กย", "sep", "sept", "september"),
        ("ตุลาคม", "ตค", "oct", "october"),
        ("พฤศจิกายน", "พฤศจิกา", "พย", "nov", "november"),
        ("ธันวาคม", "ธค", "dec", "december"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

_ERA = re.compile(
    r"(?P<be>พ\s*\.\s*ศ\s*\.?|พศ\.?|\bb\s*\.\s*e\s*\.?|\bbe\b)"
    r"|(?P<ce>ค\s*\.\s*ศ\s*\.?|คศ\.?|\ba\s*\.\s*d\s*\.?|\bc\s*\.\s*e\s*\.?|\bad\b|\bce\b)"
)
_WEEKDAY = re.compile(
    r"^(?:วัน(?:จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์|อาทิตย์)?\s*(?:ที่)?\s*"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)"
)
_TIME = re.compile(
    r"(?:[ t,]+)(?:เวลา\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})"
    r"(?:[:.](?P<s>\d{2})(?:[.,]\d+)?)?\s*(?P<ampm>น\.?|นาฬิกา|am|pm|a\.m\.|p\.m\.)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?$"
)
_YMD = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$")
_YMD_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_DMY = re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{2}|\d{4})$")
_D_MON_Y = re.compile(
    r"^(?P<d>\d{1,2})\s*[-/ ]?\s*(?P<mon>[^\d\s/-]+(?:\s+[^\d\s/-]+)?)\s*[-/ ,]?\s*"
    r"(?P<y>\d{2}|\d{4})$"
)
_MON_D_Y = re.compile(r"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})$")
_EXCEL = re.compile(r"^(?P<n>\d{5})(?:\.\d+)?$")


#: words a date may carry besides month names (compared without dots, in lower case)
_DATE_WORDS = frozenset(
    ("พศ", "คศ", "be", "ad", "ce", "วันที่", "วัน", "ที่", "เวลา", "น", "นาฬิกา", "am", "pm",
     "utc", "gmt", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
)  # fmt: skip


def date_like(value: object) -> bool:
    """True when ``value`` is plausibly a date written by a person or a program, even a
    wrong one (``32/1/2568``, ``2026-13-01``, ``01/11/2026x``): it has a digit, at most 40
    characters, and its words are month, era or time words but for at most two letters.
    Reject reasons quote such a value; anything else is described, not quoted."""
    text = clean(str(value))
    if len(text) > 40 or not any(c.isdigit() for c in text):
        return False
    words = [w.replace(".", "").casefold() for w in re.split(r"[\d\s/,:+\-]+", text)]
    unknown = sum(len(w) for w in words if w and w not in MONTHS and w not in _DATE_WORDS)
    return unknown <= 2


class DateError(ValueError):
    """Why a text is not a date; ``str()`` is the reason without the value."""


def _month(word: str) -> int | None:
    key = re.sub(r"[\s.,]", "", word.casefold())
    return MONTHS.get(key)


def _year(text: str, era: str) -> tuple[int, str]:
    """The common-era year, and a note when a two-digit year was read as Buddhist."""
    y = int(text)
    if len(text) == 2:
        if era == "ce":
            return 2000 + y, ""
        return 2500 + y - BE_OFFSET, f"two-digit year {text} read as B.E. 25{text}"
    if era == "be" or (era == "" and y > _BE_AFTER):
        return y - BE_OFFSET, ""
    return y, ""


def _make(y: int, m: int, d: int) -> dt.date:
    if not 1 <= m <= 12:
        raise DateError(f"month {m} does not exist; dates are read day/month/year")
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise DateError(f"month {m} of {y} has no day {d}") from None


def parse_date(text: str, *, era: str = "", order: str = "dmy") -> tuple[dt.date, str]:
    """The date in ``text`` and a note (empty, or how a two-digit year was read).

    Two hints, from a source's profile: ``era`` ``"be"`` or ``"ce"`` reads years without an
    era mark in that era (an era mark in the text still decides); ``order`` ``"mdy"`` reads
    ``11/9/2026`` month first (``"dmy"``, the default, is the Thai and British order).

    Raises :class:`DateError` with the reason when ``text`` is not a date. Never checks the
    range: the reader rejects dates in the future or before 2000.
    """
    hint = era
    s = clean(text).casefold()
    if not s:
        raise DateError("empty")
    s = _WEEKDAY.sub("", s, count=1)
    era = hint
    eras = {"be" if m["be"] else "ce" for m in _ERA.finditer(s)}
    if eras:
        if len(eras) > 1:
            raise DateError("not a date (both a Buddhist and a common era mark)")
        era = eras.pop()
        s = _ERA.sub(" ", s).strip()
        s = re.sub(r"\s+", " ", s)
    tz = None
    hms = (0, 0, 0)
    m = _TIME.search(s)
    if m and m.start() > 0:
        h, mi, sec = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        ampm = (m["ampm"] or "").replace(".", "")
        if ampm in ("am", "pm"):
            if not 1 <= h <= 12:
                raise DateError(f"not a time: hour {h} with {ampm}")
            h = h % 12 + (12 if ampm == "pm" else 0)
        if h > 24 or mi > 59 or sec > 60 or (h == 24 and (mi or sec)):
            raise DateError("not a time of day after the date")
        if m["tz"]:
            tz = m["tz"]
            hms = (min(h, 23), mi, min(sec, 59))
        s = s[: m.start()].rstrip(" ,t")
    date, note = _date_part(s, era, order)
    if tz is not None:
        date = _to_bangkok(date, hms, tz)
    return date, note


def not_a_date(value: str, exc: DateError) -> str:
    """The reason every reader of dates in files gives for ``value`` (complaints, outcome
    files): ``not a date: '32/1/2568' (month 1 of 2025 has no day 32)``; a value quoted only
    when it looks like a date (else ``not a date: a text of 10 characters``)."""
    why = str(exc)
    detail = "" if why == "not a date" else f" ({why})"
    return f"not a date: {quoted_if(value, date_like(value))}{detail}"


def _date_part(s: str, era: str, order: str = "dmy") -> tuple[dt.date, str]:
    for pattern in (_YMD, _YMD_COMPACT):
        m = pattern.match(s)
        if m:
            y4 = int(m["y"])
            if pattern is _YMD_COMPACT and not (1900 <= y4 <= 2100 or 2400 <= y4 <= 2700):
                break
            y, note = _year(m["y"], era)
            return _make(y, int(m["m"]), int(m["d"])), note
    m = _DMY.match(s)
    if m:
        y, note = _year(m["y"], era)
        day, month = (m["m"], m["d"]) if order == "mdy" else (m["d"], m["m"])
        return _make(y, int(month), int(day)), note
    for pattern in (_D_MON_Y, _MON_D_Y):
        m = pattern.match(s)
        if m:
            mon = _month(m["mon"])
            if mon is not None:
                # "9-Nov-26" is how Excel writes dates in English: common era
                latin = m["mon"].isascii()
                y, note = _year(m["y"], era or ("ce" if latin else ""))
                return _make(y, mon, int(m["d"])), note
    m = _EXCEL.match(s)
    if m and not era and 36526 <= int(m["n"]) <= 73050:  # 2000-01-01 .. 2100-01-01
        return _EXCEL_EPOCH + dt.timedelta(days=int(m["n"])), "read as an Excel day number"
    raise DateError("not a date")


def _to_bangkok(date: dt.date, hms: tuple[int, int, int], tz: str) -> dt.date:
    if tz in ("z", "utc", "gmt"):
        offset = dt.timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")  # "+07", "+0700" or "+07:00"
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    moment = dt.datetime.combine(date, dt.time(*hms), tzinfo=dt.timezone(offset))
    return moment.astimezone(BANGKOK).date()


def date_of_cell(value: dt.datetime | dt.date) -> dt.date:
    """A date or date-time cell of a spreadsheet: naive values are Asia/Bangkok already."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BANGKOK)
        return value.date()
    return value
