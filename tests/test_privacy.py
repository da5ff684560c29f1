"""No personal data in any output, message or log: a file full of names, national ID
numbers, phone numbers, e-mail and street addresses and free text, some of it in the wrong
columns, goes through ``complaints check`` and ``plan``; none of it comes out."""

from __future__ import annotations

import csv
import io
import re

from .conftest import run_cli

NAMES = ["นายสมชาย ใจดี", "นางสาวมาลี ศรีสุข", "Mr. Somchai Jaidee", "ด.ญ.กานดา มีสุข"]
IDS = ["1-1037-00123-45-6", "3100500123456", "1 1037 00999 12 3"]
PHONES = ["081-234-5678", "0898765432", "+66 81 234 5678", "02 123 4567"]
EMAILS = ["somchai.j@example.com"]
ADDRESSES = ["123/4 หมู่ 5 ถนนแจ้งสนิท", "บ้านเลขที่ 99 ซอยสุขใจ"]
TEXTS = ["ถูกทำร้ายร่างกายโดยสามีเมื่อคืนนี้ ขอความช่วยเหลือด่วนที่สุดค่ะ"]
PERSONAL = NAMES + IDS + PHONES + EMAILS + ADDRESSES + TEXTS

HEADER = [
    "เลขที่เรื่อง", "วันที่รับเรื่อง", "ชื่อ-นามสกุล", "เลขประจำตัวประชาชน", "เบอร์โทรศัพท์",
    "อีเมล", "ที่อยู่", "จังหวัด", "อำเภอ", "ตำบล", "ละติจูด", "ลองจิจูด", "ประเภทเรื่อง",
    "รายละเอียด", "สถานะ", "ความเร่งด่วน",
]  # fmt: skip


def _rows() -> list[list[str]]:
    rows = []
    for i in range(40):
        rows.append(
            [
                f"P{i:03d}", "1/11/2568", NAMES[i % 4], IDS[i % 3], PHONES[i % 4], EMAILS[0],
                ADDRESSES[i % 2], "ยโสธร", "เมืองยโสธร", "ในเมือง", "", "", "ผู้สูงอายุ", TEXTS[0],
                "รอดำเนินการ", "ด่วน",
            ]
        )  # fmt: skip
    # personal data in the recognised columns (a shifted or mislabelled export)
    bad = [
        (1, PHONES[0]),  # received holds a phone number
        (14, NAMES[0]),  # status holds a name
        (12, TEXTS[0]),  # category holds the description
        (9, ADDRESSES[0]),  # tambon holds an address
        (8, EMAILS[0]),  # district holds an e-mail address
        (15, IDS[1]),  # urgency holds an ID number
        (10, PHONES[1]),  # latitude holds a phone number
        (7, NAMES[2]),  # province holds a name
    ]
    for j, (col, value) in enumerate(bad):
        row = list(rows[j])
        row[0] = f"Q{j:03d}"
        row[col] = value
        if col == 10:
            row[8] = row[9] = ""
            row[11] = "104.1"
        rows.append(row)
    return rows


def test_no_personal_data_comes_out(tmp_path):
    src = tmp_path / "export.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *_rows()])
    src.write_text(buf.getvalue(), encoding="utf-8")
    check_out, plan_out = tmp_path / "check", tmp_path / "plan"
    runs = [
        run_cli("complaints", "check", str(src), "--out", str(check_out)),
        run_cli("plan", "--complaints", str(src), "--province", "35", "--level", "tambon",
                "--out", str(plan_out)),
        run_cli("plan", "--complaints", str(src), "--strict", "--out", str(tmp_path / "s")),
    ]  # fmt: skip
    assert [r.returncode for r in runs] == [0, 0, 1]
    texts = {f"run {i} {kind}": getattr(r, kind) for i, r in enumerate(runs)
             for kind in ("stdout", "stderr")}  # fmt: skip
    files = [*check_out.iterdir(), *plan_out.iterdir()]
    names = {f.name for f in files}  # every file written, whatever other issues add
    assert {"accepted.csv", "rejects.csv", "itinerary.csv", "plan.json", "map.html"} <= names
    for f in files:
        texts[f.name] = f.read_text(encoding="utf-8-sig")
    rejects = texts["rejects.csv"].splitlines()
    assert len(rejects) == 1 + 8 and "(hidden)" in texts["rejects.csv"]
    assert len(texts["accepted.csv"].splitlines()) == 1 + 40
    for where, text in texts.items():
        squashed = text.replace(" ", "").replace("-", "")
        for value in PERSONAL:
            assert value not in text, f"{value!r} in {where}"
            assert value.replace(" ", "").replace("-", "") not in squashed, (value, where)
        # numbers: not even their digits with other separators or a decimal part
        numbers = {re.sub(r"\D", "", n) for n in re.findall(r"\d[\d .,/-]{6,}\d", text)}
        for value in IDS + PHONES:
            tail = re.sub(r"\D", "", value)[-8:]
            assert not any(tail in n for n in numbers), (value, where)
    # the personal columns are not even named among the columns read
    assert "ชื่อ-นามสกุล" not in texts["rejects.csv"] and "รายละเอียด" not in texts["rejects.csv"]
