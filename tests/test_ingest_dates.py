"""Dates as Thai exports write them: ISO, d/m/yyyy in either era, Thai month names, Thai
digits, two-digit Buddhist years, with or without a time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.complaints.dates import DateError, parse_date

NOV9 = dt.date(2026, 11, 9)
THAI_ABBR = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
             "พ.ย.", "ธ.ค.")  # fmt: skip
THAI_FULL = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
             "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")  # fmt: skip
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-09",  # ISO
        "2026-11-09T14:30:00",  # ISO with a time
        "2026-11-09 14:30",
        "2026/11/09",
        "20261109",
        "2569-11-09",  # ISO-like, Buddhist era
        "9/11/2026",  # d/m/yyyy common era
        "09-11-2026",
        "9.11.2026",
        "9/11/2569",  # d/m/yyyy Buddhist era
        "9/11/2569 08:15",
        "9/11/69",  # two-digit Buddhist year
        "9 พ.ย. 69",  # Thai abbreviated month, two-digit year
        "9 พ.ย.69",
        "9พ.ย.2569",
        "9 พฤศจิกายน 2569",  # Thai full month
        "๙ พ.ย. ๖๙",  # Thai digits
        "๙/๑๑/๒๕๖๙ ๑๐:๓๐",
        "วันจันทร์ที่ 9 พฤศจิกายน พ.ศ. 2569 เวลา 10.30 น.",
        "9 Nov 2026",
        "9-Nov-26",  # Excel's English form: common era
        "November 9, 2026",
        "Mon, 9 Nov 2026 3:05 PM",
        "2026-11-08T20:00:00Z",  # 03:00 on the 9th in Bangkok
        "2026-11-09T10:00:00+07:00",
        "46000",  # an Excel day number
    ],
)
def test_each_form_gives_the_date(text):
    expected = dt.date(2025, 12, 9) if text == "46000" else NOV9
    assert parse_date(text)[0] == expected


def test_the_issue_examples():
    assert parse_date("9 พ.ย. 63")[0] == dt.date(2020, 11, 9)
    assert parse_date("10 พฤศจิกายน 2563")[0] == dt.date(2020, 11, 10)
    assert parse_date("29/02/2567")[0] == dt.date(2024, 2, 29)  # B.E. 2567 is leap (2024)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # Traffy Fondue's bulk export: microseconds and a bare "+00"
        ("2026-08-03 17:06:23.611097+00", dt.date(2026, 8, 4)),  # 00:06 in Bangkok
        ("2026-08-03 16:59:59.999999+00", dt.date(2026, 8, 3)),  # 23:59 in Bangkok
        ("2026-08-03 17:06:23+0000", dt.date(2026, 8, 4)),
        ("2026-08-03T23:30:00.5+07:00", dt.date(2026, 8, 3)),
        ("2026-08-03T17:00:00.123Z", dt.date(2026, 8, 4)),
        ("2026-08-03 23:06:23.611097-03", dt.date(2026, 8, 4)),  # 09:06 next day in Bangkok
        ("2026-08-20 22:25:37.433959", dt.date(2026, 8, 20)),  # no offset: Bangkok time
    ],
)
def test_timestamps_with_fractions_and_offsets_move_to_bangkok(text, day):
    assert parse_date(text) == (day, "")


def test_two_digit_years_are_noted():
    assert parse_date("9/11/69") == (NOV9, "two-digit year 69 read as B.E. 2569")
    assert parse_date("9/11/2569") == (NOV9, "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("01/11/2026x", "not a date"),
        ("11/25/2026", "month 25 does not exist; dates are read day/month/year"),
        ("31/2/2026", "month 2 of 2026 has no day 31"),
        ("9/11/2569 25:00", "not a time of day after the date"),
        ("9 พ.ย. พ.ศ. 2569 ค.ศ.", "not a date (both a Buddhist and a common era mark)"),
        ("", "empty"),
        ("นายสมชาย", "not a date"),
    ],
)
def test_not_dates(text, reason):
    with pytest.raises(DateError) as err:
        parse_date(text)
    assert str(err.value) == reason


FORMS = {
    "iso": lambda d: d.isoformat(),
    "iso-time": lambda d: f"{d.isoformat()} 23:59:59",
    "dmy-ce": lambda d: f"{d.day}/{d.month}/{d.year}",
    "dmy-be": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year + 543}",
    "dmy-be2": lambda d: f"{d.day}/{d.month}/{(d.year + 543) % 100:02d}",
    "thai-abbr": lambda d: f"{d.day} {THAI_ABBR[d.month - 1]} {(d.year + 543) % 100:02d}",
    "thai-full": lambda d: f"{d.day} {THAI_FULL[d.month - 1]} {d.year + 543}",
    "thai-digits": lambda d: f"{d.day}/{d.month}/{d.year + 543}".translate(THAI_DIGITS),
    "english": lambda d: d.strftime("%d %b %Y"),
    "be-mark": lambda d: f"{d.day} {THAI_ABBR[d.month - 1]} พ.ศ. {d.year + 543} 10.30 น.",
}


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2042, 12, 31)),
    form=st.sampled_from(sorted(FORMS)),
)
def test_property_every_form_round_trips(day, form):
    text = FORMS[form](day)
    assert parse_date(text)[0] == day, text


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.text(max_size=40))
def test_property_any_text_is_a_date_or_a_reason(text):
    try:
        day, note = parse_date(text)
    except DateError as exc:
        assert str(exc)
    else:
        assert isinstance(day, dt.date) and isinstance(note, str)
