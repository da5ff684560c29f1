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

Reject reasons quote a value only when it is plausibly what its field should hold (a
date-like text for a date, a word of caravan's vocabulary for a status or an urgency, a
place name that exists for a place, a number for a coordinate) and does not look personal;
otherwise they say what kind of value it was (:func:`described`: ``a text of 14
characters``, ``a number of 10 digits``). The planner finds the row by its line number in
their own file. ``rejects.csv`` shows the recognised columns of a rejected row by the same
rule, ``(hidden)`` otherwise.

**Complaint ids** are screened too (:func:`screen_id`): an id that looks like a national ID
or phone number, an e-mail address, a name with a title, a street address or long free text
(or has no digit at all: a name, or text that a shifted row put there) is replaced by a
pseudonym ``id-`` + 16 hex digits, the keyed hash (HMAC-SHA256) of the id
with this installation's key (:func:`pseudonym_key`). The same id gives the same pseudonym
in every file and run on this computer, so duplicates are still found and the ids a field
team lists in an outcome file (``resolved_ids``, screened the same way) still match; without
the key nobody can test guesses of phone or ID numbers against a pseudonym. Other ids (ticket
numbers like ``C2026-000123`` or ``12/2569``) are kept as they are: the planner needs them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

import numpy as np

from caravan.errors import InputError
from caravan.folders import user_data_dir
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


_KINDS = (
    (_PHONE.search, "a phone number"),
    (_NATIONAL_ID.search, "a national ID number"),
    (_LONG_NUMBER.search, "a long number"),
    (_EMAIL.search, "an e-mail address"),
    (_TITLE.match, "a name with a title"),
    (_ADDRESS.search, "an address"),
)


def personal_data_kind(value: str) -> str:
    """What personal data ``value`` seems to hold (``"a phone number"``, ...), or ``""``.

    Free text of any length may pass: this is the screen for notes people write (the
    outcome notes), not for cells of an export."""
    text = clean(value)
    return next((kind for found, kind in _KINDS if found(text)), "")


@lru_cache(maxsize=1 << 16)
def looks_personal(value: str) -> bool:
    """True when ``value`` looks like a phone or ID number, an e-mail address, a name with
    a title (นาย, นาง, Mr ...) or a street address, or is long free text."""
    text = clean(value)
    return len(text) > MAX_SHOWN or bool(personal_data_kind(text))


_NO_DIGITS = str.maketrans("", "", "0123456789")
_HOUSE_NUMBER = re.compile(r"(?<![\d/])\d{1,4}/\d{1,3}(?![\d/])")


#: the environment variable naming the key file (the tests set it); default: the user data
#: folder's ``pseudonym.key``
KEY_ENV = "CARAVAN_PSEUDONYM_KEY"


def id_looks_personal(value: str) -> bool:
    """True for a complaint id that is personal data (module docstring): a phone or national
    ID number, an e-mail or street address, a name with a title, long text; and an id
    without a digit (a name, or text that a shifted row put there, not a ticket number).
    Ticket numbers of nine or more digits and ``12/2569``-style numbers stay. Written for
    speed: it runs once per row, and most ids are short ASCII."""
    if not value.isascii():
        text = clean(value)  # Thai digits become digits
        return looks_personal(text) or not any(c.isdigit() for c in text)
    digits = len(value) - len(value.translate(_NO_DIGITS))
    if digits == 0 or len(value) > MAX_SHOWN or "@" in value:
        return True
    if "/" in value and _HOUSE_NUMBER.search(value):
        return True
    if digits >= 9 and (_PHONE.search(value) or _NATIONAL_ID.search(value)):
        return True
    return value[:1] in "MmDd" and bool(_TITLE.match(value))


#: for :func:`plain_ids` (pyarrow's RE2: no look-arounds): an id of letters, digits and
#: ``_.:#-`` only, not starting like a title (M, D); nine digits or more; what may be a
#: phone or national ID number (_PHONE and _NATIONAL_ID without their look-arounds: they
#: match more, never less)
_PLAIN_ID_RE2 = f"^[0-9A-CE-LN-Za-ce-ln-z_.:#-][A-Za-z0-9_.:#-]{{0,{MAX_SHOWN - 1}}}$"
_NINE_DIGITS_RE2 = "(?:[0-9][^0-9]*){9}"
_MAYBE_NUMBER_RE2 = (
    r"(?:\+66[\s-]?|0)\d{1,2}[\s-]?\d{3}[\s-]?\d{3,4}"
    r"|\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d"
)


def plain_ids(cells) -> np.ndarray:
    """For a pyarrow array of id cells: True where the cell is the id as caravan keeps it
    (no white space around it, and :func:`id_looks_personal` false), worked out for all
    cells at once with a few pattern matches; False where a cell has to be looked at one by
    one."""
    import pyarrow.compute as pc

    def matches(pattern: str) -> np.ndarray:
        return pc.match_substring_regex(cells, pattern).to_numpy(zero_copy_only=False)

    return (
        matches(_PLAIN_ID_RE2)
        & matches("[0-9]")
        & ~(matches(_NINE_DIGITS_RE2) & matches(_MAYBE_NUMBER_RE2))
    )


def pseudonym_key() -> bytes:
    """This installation's pseudonym key: 32 random bytes in ``$CARAVAN_PSEUDONYM_KEY`` or
    the user data folder's ``pseudonym.key``, made (readable by the user only) the first time
    a personal id is met. Copy the file to keep pseudonyms when moving to another computer."""
    return _key(os.environ.get(KEY_ENV, ""))


@lru_cache(maxsize=4)
def _key(path_text: str) -> bytes:
    path = Path(path_text) if path_text else user_data_dir() / "pseudonym.key"
    try:
        key = path.read_bytes()
        if len(key) >= 16:
            return key
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputError(
            f"cannot read the pseudonym key ({exc.strerror})", source=str(path)
        ) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    except FileExistsError:
        pass  # another process made it first: use that one
    except OSError as exc:
        raise InputError(
            f"cannot create the pseudonym key ({exc.strerror})", source=str(path)
        ) from None
    return path.read_bytes()


def pseudonym(value: str) -> str:
    """``id-`` + the first 16 hex digits of HMAC-SHA256(key, id) (module docstring)."""
    digest = hmac.new(pseudonym_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return "id-" + digest[:16]


def screen_id(value: str) -> str:
    """A complaint id as caravan keeps and writes it: the id, or its pseudonym when the id
    is personal data."""
    return pseudonym(value) if id_looks_personal(value) else value


def described(value: str) -> str:
    """What kind of value ``value`` is, without a character of it: ``empty``, ``a number of
    10 digits`` or ``a text of 14 characters``."""
    text = clean(value)
    if not text:
        return "empty"
    digits = re.sub(r"[\s.,/+-]", "", text)
    if digits.isdigit():
        return f"a number of {len(digits)} digit{'s' if len(digits) != 1 else ''}"
    return f"a text of {len(text)} character{'s' if len(text) != 1 else ''}"


def quoted_if(value: str, plausible: bool) -> str:
    """``'value'`` when it is plausibly what its field holds (and not personal), else what
    kind of value it is (:func:`described`)."""
    return shown(value) if plausible and not looks_personal(value) else described(value)


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
