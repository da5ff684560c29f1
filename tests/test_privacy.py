"""No personal data in any output, message or log: a file full of names, national ID
numbers, phone numbers, e-mail and street addresses and free text, some of it in the wrong
columns, goes through ``complaints check`` and ``plan``; none of it comes out."""

from __future__ import annotations

import csv
import io
import json
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


# ---------------------------------------------------------------------------- issue 17.2

BARE_NAME = "สมชาย ใจดี"  # a name typed into the category column, without a title


def test_a_bare_name_in_the_category_column_reaches_no_output(tmp_path):
    """An unknown category value is counted as "other" in everything that leaves the office
    (plan.json, map, itinerary, ICS, GeoJSON, printable, PNG); only the planner's terminal
    lists it, screened, so that it can be mapped in a profile."""
    src = tmp_path / "export.csv"
    header = ["เลขที่เรื่อง", "วันที่รับเรื่อง", "จังหวัด", "อำเภอ", "ตำบล", "ประเภทเรื่อง", "สถานะ"]
    rows = [
        [f"N{i:03d}", "1/11/2568", "ยโสธร", "เมืองยโสธร", "ในเมือง",
         "ผู้สูงอายุ" if i % 2 else BARE_NAME, "รอดำเนินการ"]
        for i in range(10)
    ]  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    src.write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "plan"
    runs = [
        run_cli("plan", "--complaints", str(src), "--province", "35", "--level", "tambon",
                "--must-visit", "350101", "--png", "--out", str(out)),
        *(run_cli("export", str(out / "plan.json"), "--format", fmt, "--out",
                  str(tmp_path / f"x.{fmt}")) for fmt in ("ics", "geojson", "html", "csv")),
    ]  # fmt: skip
    assert [r.returncode for r in runs] == [0] * 5, [r.stderr for r in runs]
    files = [*out.iterdir(), *tmp_path.glob("x.*")]
    assert {"plan.json", "map.html", "itinerary.csv", "map.png"} <= {f.name for f in files}
    for f in files:
        if f.suffix == ".png":
            continue  # drawn from plan.json's categories, which hold no such value
        text = f.read_text(encoding="utf-8-sig")
        assert BARE_NAME not in text and BARE_NAME.replace(" ", "") not in text, f.name
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    (site,) = [s for s in plan["sites"] if s["code"] == "350101"]
    assert site["by_category"] == {"elderly": 5, "other": 5}
    # the planner's terminal says what was counted as "other", so that a profile can map it
    assert (
        f"unknown categories, counted as 'other' (map them in a profile, --profile): "
        f"'{BARE_NAME}' 5" in runs[0].stdout
    )


PERSONAL_IDS = ["1-1037-00123-45-6", "0812345678", "somchai.j@example.com", "99 หมู่ 4",
                "นายสมชาย ใจดี", "สมชาย ใจดี"]  # fmt: skip
TICKET_IDS = ["C2026-000123", "12/2569", "256900012345", "T7"]


def test_personal_ids_become_stable_pseudonyms_everywhere(tmp_path):
    from caravan.complaints.privacy import screen_id

    head = "id,received,district_code,category,status\n"
    rows = [f"{i},2026-11-01,3501,roads,open\n" for i in PERSONAL_IDS + TICKET_IDS]
    rows.append(f"{PERSONAL_IDS[1]},2026-11-02,3502,water,open\n")  # a duplicate of line 3
    rows.append(f"{PERSONAL_IDS[0]},2026-13-01,3501,roads,open\n")  # rejected, not a date
    src = tmp_path / "ids.csv"
    src.write_text(head + "".join(rows), encoding="utf-8")
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        res = run_cli("complaints", "check", str(src), "--out", str(out))
        assert res.returncode == 0, res.stderr
        texts = {p.name: p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv")}
        for value in PERSONAL_IDS:
            assert all(value not in t for t in [*texts.values(), res.stdout, res.stderr]), value
        outs.append(texts)
    assert outs[0] == outs[1]  # stable across runs
    accepted = list(csv.DictReader(io.StringIO(outs[0]["accepted.csv"])))
    pseudonyms = [screen_id(i) for i in PERSONAL_IDS]
    assert all(re.fullmatch(r"id-[0-9a-f]{16}", p) for p in pseudonyms)
    assert [r["id"] for r in accepted] == pseudonyms + TICKET_IDS
    rejects = list(csv.DictReader(io.StringIO(outs[0]["rejects.csv"])))
    assert [(r["line"], r["field"], r["id"]) for r in rejects] == [
        ("12", "id", pseudonyms[1]),  # the duplicate is still found
        ("13", "received", pseudonyms[0]),
    ]


def test_reasons_quote_only_values_that_fit_their_field(tmp_path):
    """A stray quote or a bare CR shifts a row: a phone number, an address or a name lands
    in a recognised column; its reason says what kind of value it is, and rejects.csv hides
    it."""
    src = tmp_path / "shifted.csv"
    src.write_bytes(
        "id,received,district,category,status,urgency,ชื่อ,เบอร์โทร\n"
        "S1,2026-11-01,3501,roads,open,ด่วน,นายสมชาย ใจดี,0812345678\n"
        # a bare CR in the name: the rest of the row becomes a record of its own
        "S2,2026-11-01,3501,roads,open,ด่วน,นายสม\rชาย ใจดี,0812345678\n"
        # a stray quote joins two cells: the phone number lands in the status column
        'S3,2026-11-01,"3501,roads",open,0812345678,ด่วน,x\n'
        "S4,สมชาย ใจดี,3501,roads,open,ด่วน,,\n"  # a name in the date column
        "S5,2026-11-01,ทุ่งสมชาย,roads,open,ด่วน,,\n"  # a name in the district column
        "S6,2026-11-01,3501,roads,ด่วน,ปกติ,,\n"  # an urgency word in the status column
        "S7,32/1/2568,3501,roads,open,,,\n".encode()  # a wrong but real-looking date
    )
    out = tmp_path / "o"
    res = run_cli("complaints", "check", str(src), "--out", str(out))
    assert res.returncode == 0, res.stderr
    rejects = list(csv.DictReader(io.StringIO((out / "rejects.csv").read_text("utf-8-sig"))))
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert sorted(reasons) == ["4", "5", "6", "7", "8", "9"], reasons
    assert reasons["5"].startswith("unknown status (a number of 10 digits) (expected")
    assert reasons["6"] == "not a date: a text of 10 characters"
    assert reasons["7"] == "unknown district name (a text of 9 characters)"
    assert reasons["8"].startswith("unknown status 'ด่วน' (expected")
    assert reasons["9"] == "not a date: '32/1/2568' (month 1 of 2025 has no day 32)"
    everything = (out / "rejects.csv").read_text("utf-8-sig") + res.stdout + res.stderr
    everything += (out / "accepted.csv").read_text("utf-8-sig")
    for marker in ("สมชาย", "0812345678", "ชาย ใจดี"):
        assert marker not in everything, marker
