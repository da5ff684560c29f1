"""Reading complaint CSVs: every row accepted or rejected with line, field and reason."""

from __future__ import annotations

import datetime as dt

import pytest

from caravan.complaints import read_complaints
from caravan.errors import InputError
from caravan.plan.priority import load_weights, score_sites
from caravan.types import Complaint

TODAY = dt.date(2026, 11, 27)
HEADER = "id,received,district_code,tambon_code,lat,lon,category,status,urgency\n"


def write(tmp_path, body, name="c.csv", header=HEADER, encoding="utf-8"):
    f = tmp_path / name
    f.write_text(header + body, encoding=encoding)
    return f


def test_good_rows_by_code_and_by_point(tmp_path):
    f = write(
        tmp_path,
        (
            "A1,2026-11-01,3501,,,,elderly,open,high\n"
            "A2,2026-10-01T09:30,,350101,,,water,in_progress,\n"
            # a point inside tambon 350101 (the Mueang Yasothon district office)
            "A3,2026-09-01,,,15.794667,104.140617,roads,resolved,low\n"
            "A4,2026-09-02,TH3702,,,,land,Closed,normal\n"
        ),
    )
    res = read_complaints(f, today=TODAY)
    assert res.rows == 4 and not res.rejects
    a1, a2, a3, a4 = res.accepted
    assert (a1.district_code, a1.tambon_code, a1.urgency) == ("3501", "", "high")
    assert (a2.district_code, a2.tambon_code, a2.status, a2.urgency) == (
        "3501",
        "350101",
        "in_progress",
        "normal",
    )
    assert (a3.province_code, a3.district_code, a3.tambon_code) == ("35", "3501", "350101")
    assert (a4.district_code, a4.status) == ("3702", "resolved")


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    f = write(
        tmp_path,
        (
            "B1,2026-11-01,3501,,,,elderly,open,\n"  # line 2: fine
            ",2026-11-01,3501,,,,elderly,open,\n"  # 3: no id
            "B3,01/11/2026x,3501,,,,elderly,open,\n"  # 4: bad date
            "B4,2027-01-01,3501,,,,elderly,open,\n"  # 5: future
            "B5,2026-11-01,1001,,,,elderly,open,\n"  # 6: Bangkok
            "B6,2026-11-01,3599,,,,elderly,open,\n"  # 7: unknown district
            "B7,2026-11-01,3502,350101,,,elderly,open,\n"  # 8: tambon not in district
            "B8,2026-11-01,3501,,,,elderly,maybe,\n"  # 9: unknown status
            "B1,2026-11-02,3501,,,,water,open,\n"  # 10: duplicate id
            "B9,2026-11-01,,,13.75,100.50,elderly,open,\n"  # 11: point in Bangkok
            "B10,2026-11-01,,,,,elderly,open,\n"  # 12: no location
            "B11,1999-12-31,3501,,,,elderly,open,\n"  # 13: before 2000
            "B12,2026-11-01,3501,,,,elderly,open,whenever\n"  # 14: unknown urgency
            "B13,2026-11-01,,,abc,104.1,elderly,open,\n"  # 15: bad latitude
        ),
    )
    res = read_complaints(f, today=TODAY)
    assert res.rows == 14
    assert len(res.accepted) + len(res.rejects) == res.rows
    assert [c.id for c in res.accepted] == ["B1"]
    assert [r.message() for r in res.rejects] == [
        f"{f}:3: field 'id': empty",
        f"{f}:4: field 'received': not a date: '01/11/2026x'",
        f"{f}:5: field 'received': in the future: 2027-01-01",
        f"{f}:6: field 'district_code': outside the three provinces: district code '1001' is "
        "in Bangkok",
        f"{f}:7: field 'district_code': unknown district code '3599'",
        f"{f}:8: field 'district_code': tambon 350101 is not in district '3502'",
        f"{f}:9: field 'status': unknown status (a text of 5 characters) (expected open, "
        "in_progress, resolved or a Thai status such as รอดำเนินการ, กำลังดำเนินการ, เสร็จสิ้น)",
        f"{f}:10: field 'id': duplicate id, first seen on line 2",
        f"{f}:11: field 'lat': point near 13.75,100.50 (lat,lon) is outside the three provinces",
        f"{f}:12: field 'district_code': no location (no district, tambon or lat/lon)",
        f"{f}:13: field 'received': before 2000: 1999-12-31",
        f"{f}:14: field 'urgency': unknown urgency (a text of 8 characters) (expected low, "
        "normal, high, critical or ต่ำ, ปกติ, ด่วน, ด่วนมาก)",
        f"{f}:15: field 'lat': not a number: a text of 3 characters",
    ]
    assert res.reject_counts() == {
        "outside the three provinces": 2,
        "missing id": 1,
        "not a date": 1,
        "in the future": 1,
        "unknown place": 1,
        "place mismatch": 1,
        "unknown status": 1,
        "duplicate id": 1,
        "no location": 1,
        "before 2000": 1,
        "unknown urgency": 1,
        "bad coordinates": 1,
    }


def test_quoted_multiline_field_keeps_line_numbers(tmp_path):
    f = write(
        tmp_path,
        (
            "Q1,2026-11-01,3501,,,,elderly,open,\n"
            'Q2,2026-11-01,3501,,,,"water\nand more",open,\n'
            "Q3,2026-11-01,3599,,,,elderly,open,\n"
        ),
        header="id,received,district_code,tambon_code,lat,lon,category,status,urgency\n",
    )
    res = read_complaints(f, today=TODAY)
    assert [r.message() for r in res.rejects] == [
        f"{f}:5: field 'district_code': unknown district code '3599'"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{f}:1: empty file (no header line)"),
        (
            b"id,received,category\n",
            "{f}:1: missing column 'status' (a header such as status, สถานะ, or "
            "--column status=HEADER)",
        ),
        (
            b"id,received,category,status\n",
            "{f}:1: missing location columns (district, tambon, or lat and lon; for example "
            "อำเภอ, ตำบล, ละติจูด, ลองจิจูด)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "{f}: not a text CSV file (binary content)"),
        (
            b"id,received\n\xff\xfe\n",
            "{f}:2: not UTF-8 or TIS-620 text (name the encoding with --encoding)",
        ),
    ],
)
def test_unreadable_files_are_one_clear_error(tmp_path, content, message):
    f = tmp_path / "c.csv"
    f.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == message.format(f=f)


def test_bom_is_accepted(tmp_path):
    f = tmp_path / "c.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (HEADER + "A1,2026-11-01,3501,,,,elderly,open,\n").encode())
    assert len(read_complaints(f, today=TODAY).accepted) == 1


def test_priority_by_hand():
    w = load_weights()
    monday = dt.date(2026, 11, 30)
    cs = [
        # 14 days old, domestic violence, critical, open: 3 x 4 x 1 x (1 + 0.05 x 2) = 13.2
        Complaint(
            "1",
            monday - dt.timedelta(days=14),
            "35",
            "3501",
            "350101",
            "domestic_violence",
            "open",
            "critical",
        ),
        # in progress, roads, normal, new: 0.8 x 1 x 0.5 x 1 = 0.4
        Complaint("2", monday, "35", "3501", "", "roads", "in_progress", "normal"),
        # resolved: counted, but no priority
        Complaint("3", monday, "35", "3501", "350102", "water", "resolved", "high"),
        # very old unknown category: 1 x 1 x 1 x min(1 + 0.05 x 100, 2) = 2
        Complaint("4", monday - dt.timedelta(days=700), "35", "3502", "", "floods", "open"),
    ]
    seats = {"3501": "350101", "3502": "350201"}
    d, moved = score_sites(cs, level="district", reference=monday, weights=w, seat_tambon=seats)
    assert d["3501"].priority == pytest.approx(13.6)
    assert (d["3501"].open, d["3501"].resolved) == (2, 1)
    assert d["3502"].priority == pytest.approx(2.0)
    assert moved == 0
    t, moved = score_sites(cs, level="tambon", reference=monday, weights=w, seat_tambon=seats)
    assert t["350101"].priority == pytest.approx(13.6)  # complaint 2 counted at the seat
    assert t["350102"].priority == 0 and t["350102"].resolved == 1
    assert t["350201"].priority == pytest.approx(2.0)
    assert moved == 2


def test_weights_file_overrides_and_errors(tmp_path):
    f = tmp_path / "w.toml"
    f.write_text("[category]\nroads = 5\n[age]\nper_week = 0\n", encoding="utf-8")
    w = load_weights(f)
    assert w.category["roads"] == 5 and w.category["water"] == 1.0 and w.age_per_week == 0
    f.write_text("[urgency]\nurgent = 3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_weights(f)
    assert str(err.value) == (
        f"{f}: field 'urgency.urgent': unknown urgency 'urgent' (low, normal, high, critical)"
    )


def test_parse_rows_checks_rows_given_as_mappings():
    from caravan.complaints import parse_rows

    res = parse_rows(
        [
            (2, {"id": "R1", "received": "9/11/2569", "district_code": "3501", "category": "water",
                 "status": "open", "note": "ignored"}),
            (3, {"id": "R2", "received": "2026-11-01", "tambon_code": "ในเมือง",
                 "category": "roads", "status": "open"}),
        ],
        source="api",
        today=TODAY,
    )  # fmt: skip
    assert [(c.id, c.received, c.district_code) for c in res.accepted] == [
        ("R1", dt.date(2026, 11, 9), "3501")
    ]
    assert [r.message() for r in res.rejects] == [
        "api:3: field 'tambon_code': tambon name 'ในเมือง' is in 2 districts (3501 เมืองยโสธร, "
        "6501 เมืองพิษณุโลก); give the district or province"
    ]
