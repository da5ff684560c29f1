"""Keep personal data out of every output, message and log.

Complaint exports carry names, national ID numbers, phone numbers, addresses and free-text
descriptions. caravan reads only the columns it recognises (id, date, place, category,
status, urgency, coordinates) and never copies any other column anywhere. Two more guards
cover files whose columns are shifted or mislabelled, so that a recognised column holds
someone's phone number or name:

* :func:`shown` quotes a value in a reject reason or in ``rejects.csv`` only when it does
  not look like personal data (:func:`looks_personal`) and is short; otherwise it shows
  ``(hidden)``;
* :func:`is_personal_header` names the columns that caravan refuses to read even when asked
  to with ``--column`` (it would put a national ID number or a name into ``accepted.csv``).

Coordinates are shown rounded to 0.01° (about 1 km): enough to see that a point is in the
wrong province, not enough to find a house.
"""

from __future__ import annotations

import re
from functools import lru_cache

from caravan.text import clean, squash

HIDDEN = "(hidden)"
MAX_SHOWN = 40  # characters; a longer value is free text

_PHONE = re.compile(r"(?<!\d)(?:\+66[\s-]?|0)\d{1,2}[\s-]?\d{3}[\s-]?\d{3,4}(?!\d)")
_NATIONAL_ID = re.compile(r"(?<!\d)\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d(?!\d)")
_LONG_NUMBER = re.compile(r"\d{9,}")
_EMAIL = re.compile(r"\S@\S")
_TITLE = re.compile(
    r"^(?:(?:นาย|นางสาว|นาง|น\.ส\.|ด\.ช\.|ด\.ญ\.|เด็กชาย|เด็กหญิง)\s*\S{2}"
    r"|(?:mr|mrs|ms|miss|dr)\.?\s+\S)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"(?:บ้านเลขที่|เลขที่\s*\d|หมู่(?:ที่)?\s*\d|ม\.\s*\d|ซอย|ซ\.\s*\S|(?<![\d/])\d{1,4}/\d{1,3}(?![\d/]))"
)


@lru_cache(maxsize=1 << 16)
def looks_personal(value: str) -> bool:
    """True when ``value`` looks like a phone or ID number, an e-mail address, a name with
    a title (นาย, นาง, Mr ...) or a street address, or is long free text."""
    text = clean(value)
    if len(text) > MAX_SHOWN:
        return True
    return bool(
        _PHONE.search(text)
        or _NATIONAL_ID.search(text)
        or _LONG_NUMBER.search(text)
        or _EMAIL.search(text)
        or _TITLE.match(text)
        or _ADDRESS.search(text)
    )


def shown(value: str) -> str:
    """``'value'`` quoted for a message, or ``(hidden)`` when it may be personal data."""
    text = clean(value)
    if looks_personal(text):
        return HIDDEN
    return f"'{text}'"


@lru_cache(maxsize=1 << 16)
def shown_raw(value: str) -> str:
    """A value for ``rejects.csv``: as in the file, or ``(hidden)``."""
    return HIDDEN if looks_personal(value) else value


def shown_coordinate(value: str) -> str:
    """A latitude or longitude rounded to 0.01°, or ``(hidden)`` if it is not a number."""
    try:
        number = float(clean(value).replace(",", "."))
    except ValueError:
        return shown_raw(value)
    if not -180 <= number <= 180:  # not a coordinate (perhaps a phone number); NaN too
        return HIDDEN
    return f"{number:.2f}"


#: headers of columns that hold personal data (compared squashed: no spaces, dots, case)
PERSONAL_HEADERS = frozenset(
    squash(h)
    for h in (
        "ชื่อ",
        "นามสกุล",
        "ชื่อ-นามสกุล",
        "ชื่อ-สกุล",
        "ชื่อผู้ร้อง",
        "ชื่อผู้ร้องเรียน",
        "ผู้ร้อง",
        "ผู้ร้องเรียน",
        "ผู้แจ้ง",
        "ชื่อผู้แจ้ง",
        "เลขประจำตัวประชาชน",
        "เลขบัตรประชาชน",
        "บัตรประชาชน",
        "เลขบัตร",
        "เบอร์โทร",
        "เบอร์โทรศัพท์",
        "โทรศัพท์",
        "มือถือ",
        "อีเมล",
        "อีเมล์",
        "ที่อยู่",
        "บ้านเลขที่",
        "หมู่ที่",
        "รายละเอียด",
        "รายละเอียดเรื่อง",
        "ข้อความ",
        "เรื่อง",
        "หัวเรื่อง",
        "หมายเหตุ",
        "name",
        "first name",
        "last name",
        "full name",
        "surname",
        "complainant",
        "reporter",
        "phone",
        "telephone",
        "tel",
        "mobile",
        "email",
        "e-mail",
        "address",
        "national id",
        "citizen id",
        "id card",
        "description",
        "detail",
        "details",
        "comment",
        "comments",
        "note",
        "notes",
        "subject",
        "message",
        "text",
        # photos of people and houses (the complaint platforms' photo URLs)
        "photo",
        "photos",
        "photo_after",
        "image",
        "รูป",
        "รูปภาพ",
    )
)
_PERSONAL_PARTS = tuple(
    squash(p)
    for p in (
        "บัตรประชาชน",
        "ประจำตัวประชาชน",
        "โทร",
        "อีเมล",
        "ที่อยู่",
        "ผู้ร้อง",
        "ผู้แจ้ง",
        "phone",
        "email",
        "address",
        "citizen",
        "nationalid",
        "idcard",
    )
)


def is_personal_header(header: str) -> bool:
    """True for a column header that names personal data (a name, ID, phone, address,
    free text)."""
    key = squash(header)
    return key in PERSONAL_HEADERS or any(p in key for p in _PERSONAL_PARTS)
