"""Words people read: dates in the Gregorian or the Buddhist calendar, category names, reasons.

Used by every human-facing output (map popups and panel, the printable itinerary, the PNG).
Machine-facing outputs (CSV, ICS, GeoJSON, plan.json) always keep ISO dates.

``calendar="buddhist"`` writes the Buddhist era (พ.ศ. = Common Era + 543, the year Thai
government documents use) with Thai month names; ``"gregorian"`` (the default) writes ISO
dates, which nobody can misread.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Literal

from caravan.complaints.categories import CATEGORY_LABELS
from caravan.errors import ParameterError

Calendar = Literal["gregorian", "buddhist"]
CALENDARS: tuple[Calendar, ...] = ("gregorian", "buddhist")
BUDDHIST_ERA_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Monday first, as datetime.date.weekday()
THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
THAI_WEEKDAYS_SHORT = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Thai wording of the reasons a site is not visited (``Unvisited.reason_code``); the
#: English reason is the plan's own sentence.
REASONS_TH: dict[str, str] = {
    "skipped": "ผู้วางแผนสั่งให้ข้าม",
    "no_open_complaints": "ไม่มีเรื่องค้าง",
    "unreachable": "ไป ให้บริการ และกลับไม่ทันภายในหนึ่งวัน",
    "not_worth_detour": "ความสำคัญน้อยกว่าเวลาขับรถที่ต้องอ้อมไป",
    "no_capacity": "ไม่มีหน่วยใดมีเวลาว่างพอ โดยไม่ต้องตัดจุดที่สำคัญกว่า",
    "not_selected": "ยังไม่ถูกเลือกก่อนหมดเวลาคำนวณ",
    "recently_visited": "เพิ่งไปเมื่อสัปดาห์ที่แล้ว จึงพักหนึ่งสัปดาห์",
    "visited_this_week": "ไปแล้วในสัปดาห์นี้",
}


def esc(value: object) -> str:
    """Text made safe for HTML, for HTML attributes and for JavaScript template strings
    (folium puts popups and tooltips into backtick strings): ``& < > " '`` and also
    `` ` ``, ``$`` and ``\\`` become character references."""
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def check_calendar(value: str) -> Calendar:
    if value not in CALENDARS:
        raise ParameterError(
            f"unknown calendar '{value}' (choose from {', '.join(CALENDARS)})", param="--calendar"
        )
    return value  # type: ignore[return-value]


def date_label(d: dt.date, calendar: str = "gregorian") -> str:
    """The day, short: ``Mon 2026-09-28`` or ``จ. 28 ก.ย. 2569``."""
    if calendar == "buddhist":
        return (
            f"{THAI_WEEKDAYS_SHORT[d.weekday()]} {d.day} {THAI_MONTHS_SHORT[d.month - 1]} "
            f"{d.year + BUDDHIST_ERA_OFFSET}"
        )
    return f"{EN_WEEKDAYS[d.weekday()][:3]} {d.isoformat()}"


def date_label_long(d: dt.date, calendar: str = "gregorian") -> str:
    """The day, in full and in both languages, for headings.

    ``วันจันทร์ / Monday 2026-09-28`` or ``วันจันทร์ที่ 28 กันยายน พ.ศ. 2569 / Monday``.
    """
    th_day = THAI_WEEKDAYS[d.weekday()]
    en_day = EN_WEEKDAYS[d.weekday()]
    if calendar == "buddhist":
        return (
            f"วัน{th_day}ที่ {d.day} {THAI_MONTHS[d.month - 1]} พ.ศ. "
            f"{d.year + BUDDHIST_ERA_OFFSET} / {en_day}"
        )
    return f"วัน{th_day} / {en_day} {d.isoformat()}"


def datetime_label(t: dt.datetime, calendar: str = "gregorian") -> str:
    """A moment in Asia/Bangkok time: ``2026-09-27 09:00`` or ``27 ก.ย. 2569 09:00 น.``."""
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone(dt.timedelta(hours=7)))
    if calendar == "buddhist":
        return (
            f"{t.day} {THAI_MONTHS_SHORT[t.month - 1]} {t.year + BUDDHIST_ERA_OFFSET} {t:%H:%M} น."
        )
    return f"{t:%Y-%m-%d %H:%M}"


def category_text(code: str) -> str:
    """``ผู้สูงอายุ / Elderly support`` for a known category; the code itself otherwise."""
    if code in CATEGORY_LABELS:
        th, en = CATEGORY_LABELS[code]
        return f"{th} / {en}"
    return code


def reason_th(reason_code: str) -> str:
    return REASONS_TH.get(reason_code, "")


def level_text(level: str) -> str:
    """The kind of site, Thai and English: ``อำเภอ / district`` or ``ตำบล / tambon``."""
    return "อำเภอ / district" if level == "district" else "ตำบล / tambon"
