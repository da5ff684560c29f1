"""Traffy Fondue exports as the platform writes them: the bulk CSV, the exchange API's CSV,
JSON and GeoJSON answers, read with no option; profiles; unknown categories as "other"."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from caravan.complaints import read_complaints
from caravan.complaints.categories import CATEGORY_LABELS, best_category
from caravan.complaints.profiles import load_profile, read_profile
from caravan.errors import InputError, ParameterError
from caravan.plan.priority import load_weights

from .conftest import run_cli

TODAY = dt.date(2026, 11, 27)
BULK_HEADER = (
    "ticket_id,type,organization,comment,photo,photo_after,coords,address,subdistrict,"
    "district,province,timestamp,state,star,count_reopen,last_activity"
)
API_HEADER = (
    "ticket_id,type,organization,description,photo,latitude,longitude,address,subdistrict,"
    "district,province,timestamp,photo_after,timestamp_inprogress,timestamp_finished,"
    "org_finished,status,confirmed,star,count_reopen,last_activity"
)
#: personal data in the columns caravan must never read: none may reach any output
PHONE = "081-234-5678"
COMMENT = f"ถนนเป็นหลุมลึก, รถล้ม\nติดต่อกลับ {PHONE} นายสมชาย"
ADDRESS = "99/1 หมู่ 4 ถนนพระองค์ดำ"
PHOTO = "https://storage.example.invalid/attachment/2026-08/abc.jpeg"
#: a name typed into the type column (no title): an unknown category, never in an output
NAME = "สมศรี"

# points inside tambons (their visit sites) and the names Traffy writes for them
IN_MUEANG_PLK = "100.25944,16.82472"  # 650101 ในเมือง, เมืองพิษณุโลก
IN_NAKHON_THAI = "100.83778,17.10028"  # 650201 นครไทย
IN_MUEANG_YST = "104.140617,15.794667"  # 350101 ในเมือง, เมืองยโสธร
IN_NAM_KHAM_YAI = "104.14738,15.8214"  # 350102 น้ำคำใหญ่
IN_BUNG = "104.63,15.85833"  # 370101 บุ่ง, เมืองอำนาจเจริญ
IN_SENANG = "104.67,16.03833"  # 370501 เสนางคนิคม
IN_BANGKOK = "100.5302,13.7291"


def _bulk_row(tid, types, coords, tambon, district, province, stamp, state, comment=""):
    return [tid, types, "เทศบาล", comment, PHOTO, "", coords, ADDRESS, tambon, district,
            province, stamp, state, "", "0", stamp]  # fmt: skip


BULK_ROWS = [
    # line 2 (its comment runs over two lines): two labels of equal weight: roads first
    _bulk_row("2026-AAA001", "{ถนน,ทางเท้า}", IN_MUEANG_PLK, "ในเมือง", "เมืองพิษณุโลก",
              "พิษณุโลก", "2026-08-03 17:06:23.611097+00", "รอรับเรื่อง", COMMENT),
    # line 4: {} is unspecified; +07 offset
    _bulk_row("2026-AAA002", "{}", IN_MUEANG_YST, "ในเมือง", "เมืองยโสธร", "ยโสธร",
              "2026-11-01 08:00:00.5+07", "กำลังดำเนินการ"),
    # line 5: Bangkok (elsewhere)
    _bulk_row("2026-AAA003", "{แสงสว่าง}", IN_BANGKOK, "สีลม", "บางรัก", "กรุงเทพมหานคร",
              "2026-11-02 01:00:00+00", "เสร็จสิ้น"),
    # line 6: the point is in Nakhon Thai, the names say Nai Mueang of Mueang Phitsanulok
    _bulk_row("2026-AAA004", "{ความปลอดภัย,คนจรจัด}", IN_NAKHON_THAI, "ในเมือง",
              "เมืองพิษณุโลก", "พิษณุโลก", "2026-11-03 02:00:00+00", "ส่งต่อ(ใหม่)"),
    # line 7: a bad date
    _bulk_row("2026-AAA005", "{น้ำท่วม}", IN_BUNG, "บุ่ง", "เมืองอำนาจเจริญ", "อำนาจเจริญ",
              "2026-13-01 02:00:00+00", "รอรับเรื่อง"),
    # line 8: closed as irrelevant; Z offset; the highest-weighted label is homeless (1.5)
    _bulk_row("2026-AAA006", "{ร้องเรียน,คนจรจัด,ถนน}", IN_SENANG, "เสนางคนิคม",
              "เสนางคนิคม", "อำนาจเจริญ", "2026-10-02T20:00:00Z", "ไม่เกี่ยวข้อง"),
    # line 9: a name in the type column
    _bulk_row("2026-AAA007", "{" + NAME + "}", IN_NAM_KHAM_YAI, "น้ำคำใหญ่", "เมืองยโสธร",
              "ยโสธร", "2026-11-20 03:00:00+00", "finish"),
    # line 10: a known label and an unknown one
    _bulk_row("2026-AAA008", "{ต้นไม้,ม้าลาย}", IN_MUEANG_PLK, "ในเมือง", "เมืองพิษณุโลก",
              "พิษณุโลก", "2026-11-21 03:00:00+0000", "inprogress"),
]  # fmt: skip


def _csv(header: str, rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header.split(","))
    w.writerows(rows)
    return buf.getvalue()


@pytest.fixture
def bulk(tmp_path):
    f = tmp_path / "teamchadchart.csv"
    f.write_text(_csv(BULK_HEADER, BULK_ROWS), encoding="utf-8")
    return f


def test_the_bulk_csv_reads_with_no_option(bulk):
    res = read_complaints(bulk, today=TODAY)
    assert (res.profile, res.profile_reason) == (
        "traffy",
        "recognised from the header (ticket_id, type, coords, timestamp, state)",
    )
    assert res.rows == len(res.accepted) + len(res.rejects) == 8
    got = [(c.id, c.line, c.received.isoformat(), c.tambon_code, c.category, c.status)
           for c in res.accepted]  # fmt: skip
    assert got == [
        ("2026-AAA001", 2, "2026-08-04", "650101", "roads", "open"),
        ("2026-AAA002", 4, "2026-11-01", "350101", "unspecified", "in_progress"),
        ("2026-AAA006", 8, "2026-10-03", "370501", "homeless", "resolved"),
        ("2026-AAA007", 9, "2026-11-20", "350102", "other", "resolved"),
        ("2026-AAA008", 10, "2026-11-21", "650101", "trees", "in_progress"),
    ]
    assert [r.message() for r in res.rejects] == [
        f"{bulk}:5: field 'province': outside the three provinces: province 'กรุงเทพมหานคร'",
        f"{bulk}:6: field 'subdistrict': point near 17.10,100.84 (lat,lon) is in tambon "
        "650201 นครไทย (6502 นครไทย), not in tambon 650101 ในเมือง (6501 เมืองพิษณุโลก) named "
        "in the row",
        f"{bulk}:7: field 'timestamp': not a date: '2026-13-01 02:00:00+00' (month 13 does not "
        "exist; dates are read day/month/year)",
    ]
    assert res.outcomes == {"irrelevant": 1}
    assert res.unknown_categories == (("'ม้าลาย'", 1), (f"'{NAME}'", 1))  # by count, then text
    # only these columns are read, in the file's order
    assert res.columns == (
        ("id", "ticket_id"),
        ("category", "type"),
        ("coordinates", "coords"),
        ("tambon", "subdistrict"),
        ("district", "district"),
        ("province", "province"),
        ("received", "timestamp"),
        ("status", "state"),
    )


def test_the_api_csv_json_and_geojson_read_alike(tmp_path):
    """The same complaints as the exchange API writes them in CSV (download-issues, UTF-8
    with BOM), in JSON (get-issues) and as GeoJSON: the same accepted rows."""
    records = [
        {"ticket_id": "2026-B9WGC7", "type": "ทางเท้า", "organization": "อบต.",
         "description": COMMENT, "photo": [PHOTO], "latitude": 16.82472, "longitude": 100.25944,
         "address": ADDRESS, "subdistrict": "ในเมือง", "district": "เมืองพิษณุโลก",
         "province": "พิษณุโลก", "timestamp": "2026-11-20 22:25:37.433959", "photo_after": [],
         "timestamp_inprogress": None, "timestamp_finished": None, "org_finished": "อบต.",
         "status": "ส่งต่อ(ใหม่)", "confirmed": False, "star": 0, "count_reopen": 0,
         "last_activity": "2026-11-21 14:38:19.663501"},
        {"ticket_id": "2026-B9WGC8", "type": "สายไฟ", "organization": "อบต.",
         "description": "", "photo": [], "latitude": 15.8214, "longitude": 104.14738,
         "address": ADDRESS, "subdistrict": "น้ำคำใหญ่", "district": "เมืองยโสธร",
         "province": "ยโสธร", "timestamp": "2026-11-02 07:00:00", "photo_after": [],
         "timestamp_inprogress": None, "timestamp_finished": None, "org_finished": None,
         "status": "เสร็จสิ้น", "confirmed": True, "star": 5, "count_reopen": 0,
         "last_activity": "2026-11-03 07:00:00"},
    ]  # fmt: skip
    expected = [
        ("2026-B9WGC7", "2026-11-20", "650101", "footpaths", "open"),
        ("2026-B9WGC8", "2026-11-02", "350102", "electricity", "resolved"),
    ]
    api_csv = tmp_path / "download-issues.csv"
    rows = [["{" + ",".join(v) + "}" if isinstance(v, list) else
             ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
             for v in r.values()] for r in records]  # fmt: skip
    api_csv.write_text(_csv(API_HEADER, rows), encoding="utf-8-sig")
    answer = {"status": "success", "message": "", "credit_balance": None, "org_id": [151],
              "count": 2, "results": records, "api_log_session_id": 2030246239}  # fmt: skip
    api_json = tmp_path / "get-issues.json"
    api_json.write_text(json.dumps(answer, ensure_ascii=False, indent=2), encoding="utf-8")
    features = [
        {"type": "Feature", "geometry": {"type": "Point",
                                         "coordinates": [r["longitude"], r["latitude"]]},
         "properties": {k: v for k, v in r.items() if k not in ("latitude", "longitude")}}
        for r in records
    ]  # fmt: skip
    geo = tmp_path / "issues.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    for f, fmt in (
        (api_csv, "UTF-8 with BOM, comma-separated, header on line 1"),
        (api_json, "JSON answer, line numbers are record numbers"),
        (geo, "GeoJSON features, line numbers are record numbers"),
    ):
        res = read_complaints(f, today=TODAY)
        assert res.profile == "traffy", f
        assert res.format == fmt
        assert not res.rejects, res.rejects
        got = [(c.id, c.received.isoformat(), c.tambon_code, c.category, c.status)
               for c in res.accepted]  # fmt: skip
        assert got == expected, f
        assert [c.line for c in res.accepted] == (
            [2, 4] if f is api_csv else [1, 2]
        )  # a 2-line cell
        assert not {"description", "address", "photo"} & {h for _, h in res.columns}


def test_an_error_answer_saved_to_a_file_is_one_error(tmp_path):
    f = tmp_path / "answer.json"
    f.write_text(
        json.dumps({"status": "fail", "message": "Running out of API usage quota\x1b]0;x\x07",
                    "results": []}),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == (
        f"{f}: an error answer of the platform, not complaints: Running out of API usage quota ]0;x"
    )
    g = tmp_path / "broken.json"
    g.write_text('{"results": [', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.json: not valid JSON \("):
        read_complaints(g, today=TODAY)


def test_multi_label_rule_follows_the_weights_in_use(bulk):
    weights = load_weights()
    assert best_category(["roads", "footpaths"], weights.category_weight) == "roads"
    assert best_category(["grievance", "homeless", "roads"]) == "homeless"

    # a user's weights change which label counts
    def mine(code: str) -> float:
        return 5.0 if code == "footpaths" else weights.category_weight(code)

    res = read_complaints(bulk, today=TODAY, category_weight=mine)
    assert res.accepted[0].category == "footpaths"


def test_the_category_table_runs_from_the_most_pressing(tmp_path):
    """Without weights, several labels count under the first in the table: the built-in
    weights must never grow down the table, and every code has a weight."""
    weights = load_weights()
    codes = list(CATEGORY_LABELS)
    assert set(codes) <= set(weights.category)
    w = [weights.category[c] for c in codes]
    assert w == sorted(w, reverse=True)
    for code, (th, en) in CATEGORY_LABELS.items():
        assert th and en and code.isascii(), code


def test_a_profile_file_maps_columns_and_values(tmp_path):
    src = tmp_path / "damrongdhama.csv"
    src.write_text(
        "ลำดับ,เลขรับ,วันรับ,ชื่อผู้ร้อง,อำเภอ,ตำบล,หมวดปัญหา,ผลการดำเนินการ,ชั้นความเร็ว\n"
        "1,D-1,11/20/2026,นายสมชาย ใจดี,เมืองยโสธร,ในเมือง,ขอความช่วยเหลือ,รับเรื่อง,ด่วนที่สุด\n"
        "2,D-2,11/21/2026,,เมืองยโสธร,ในเมือง,ยาเสพติด,ยุติ (แจ้งผล),\n"
        "3,D-3,11/22/2026,,เมืองยโสธร,ในเมือง,เรื่องอื่น,ยุติ (แจ้งผล),\n",
        encoding="utf-8",
    )
    prof = tmp_path / "damrongdhama.toml"
    prof.write_text(
        '[profile]\nname = "damrongdhama-35"\n'
        '[columns]\nid = "เลขรับ"\nreceived = "วันรับ"\ncategory = "หมวดปัญหา"\n'
        'status = "ผลการดำเนินการ"\nurgency = ["ชั้นความเร่งด่วน", "ชั้นความเร็ว"]\n'
        '[statuses]\nopen = ["รับเรื่อง"]\nresolved = ["ยุติ (แจ้งผล)"]\n'
        '[categories]\npoverty_debt = ["ขอความช่วยเหลือ"]\ndrugs = ["ยาเสพติด"]\n'
        '[urgencies]\ncritical = ["ด่วนที่สุด"]\n[dates]\norder = "mdy"\n',
        encoding="utf-8",
    )
    res = read_complaints(src, today=TODAY, profile=str(prof))
    assert (res.profile, res.profile_reason) == (f"damrongdhama-35 ({prof})", "given (--profile)")
    got = [(c.id, c.received.isoformat(), c.category, c.status, c.urgency)
           for c in res.accepted]  # fmt: skip
    assert got == [
        ("D-1", "2026-11-20", "poverty_debt", "open", "critical"),
        ("D-2", "2026-11-21", "drugs", "resolved", "normal"),
        ("D-3", "2026-11-22", "other", "resolved", "normal"),
    ]
    assert res.unknown_categories == (("'เรื่องอื่น'", 1),)
    # without the profile the same file is read the generic way: dates are day first
    plain = read_complaints(src, today=TODAY, columns={"category": "หมวดปัญหา", "received": "วันรับ"})
    assert plain.profile == "generic" and len(plain.rejects) == 3


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[profile]\nname = 3\n", "field 'profile.name': must be text"),
        ("[colums]\n", "field 'colums': unknown section (sections: profile, columns, "
                       "statuses, categories, urgencies, dates, coordinates)"),
        ('[columns]\nwho = "x"\n', "field 'columns.who': unknown field (fields: id, received, "
         "province, district, tambon, lat, lon, coordinates, category, status, urgency)"),
        ('[columns]\ncategory = "รายละเอียด"\n', "field 'category': column 'รายละเอียด' holds "
         "personal data; caravan never reads it (not even as category)"),
        ('[statuses]\nclosed = ["ปิด"]\n', "field 'statuses.closed': must be one of open, "
         "in_progress, resolved, irrelevant"),
        ('[categories]\n"ยาเสพติด" = ["x"]\n', "field 'categories.ยาเสพติด': a category code is "
         "lower-case ASCII letters, digits and _ (at most 40)"),
        ('[categories]\nroads = ["ถนน"]\nwater = ["ถนน"]\n',
         "field 'categories.water': value 'ถนน' is also listed under roads"),
        ('[dates]\nera = "thai"\n', "field 'era': must be one of auto, buddhist, common, "
         "got 'thai'"),
        ("[profile\n", "not valid TOML: "),
    ],
)  # fmt: skip
def test_profile_file_errors_name_the_file_and_key(tmp_path, text, error):
    f = tmp_path / "p.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_profile(f)
    assert str(err.value).startswith(f"{f}: {error}")


def test_an_unknown_profile_is_a_usage_error(tmp_path):
    with pytest.raises(ParameterError, match=r"--profile: no profile 'trafy'"):
        load_profile("trafy")
    assert load_profile("traffy").name == "traffy"


def test_check_and_plan_a_traffy_export_straight_away(bulk, tmp_path):
    """The acceptance of issue 14: rows read = accepted + rejected, every rejection a real
    problem, and `caravan plan --complaints FILE` plans with no option. The planted name
    (an unknown category) and the personal columns reach no file; the planner's terminal
    lists the unknown values, screened."""
    check = tmp_path / "check"
    res = run_cli("complaints", "check", str(bulk), "--out", str(check))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[:5] == [
        f"read 8 rows from {bulk} (UTF-8, comma-separated, header on line 1): 5 accepted, "
        "3 rejected",
        "profile: traffy, recognised from the header (ticket_id, type, coords, timestamp, state)",
        "outcome: 1 complaint(s) closed as irrelevant (ไม่เกี่ยวข้อง), read as resolved: no "
        "reason to visit",
        f"unknown categories, counted as 'other' (map them in a profile, --profile): 'ม้าลาย' "
        f"1, '{NAME}' 1",
        "columns: id='ticket_id', category='type', coordinates='coords', tambon='subdistrict', "
        "district='district', province='province', received='timestamp', status='state'",
    ]
    assert "  1  place mismatch" in res.stdout.splitlines()
    accepted = (check / "accepted.csv").read_text(encoding="utf-8-sig").splitlines()
    assert accepted[1:] == [
        "2026-AAA001,2026-08-04,65,6501,650101,roads,open,normal",
        "2026-AAA002,2026-11-01,35,3501,350101,unspecified,in_progress,normal",
        "2026-AAA006,2026-10-03,37,3705,370501,homeless,resolved,normal",
        "2026-AAA007,2026-11-20,35,3501,350102,other,resolved,normal",
        "2026-AAA008,2026-11-21,65,6501,650101,trees,in_progress,normal",
    ]
    out = tmp_path / "plan"
    res = run_cli("plan", "--complaints", str(bulk), "--week", "2026-W49", "--no-history",
                  "--travel", "straight", "--time-limit", "2", "--out", str(out))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "complaints: 8 rows read" in res.stdout
    assert (
        f"unknown categories, counted as 'other' (map them in a profile, --profile): 'ม้าลาย' "
        f"1, '{NAME}' 1"
    ) in res.stdout.splitlines()
    request = json.loads((out / "plan.json").read_text(encoding="utf-8"))["request"]
    assert request["profile"] == ""  # recognised, not given: a replan recognises it again
    files = [*check.iterdir(), *out.iterdir()]
    assert {"accepted.csv", "rejects.csv", "plan.json", "itinerary.csv", "map.html"} <= {
        f.name for f in files
    }
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        for private in (NAME, "ม้าลาย", PHONE, "นายสมชาย", ADDRESS, "storage.example"):
            assert private not in text, (f.name, private)


def test_a_given_profile_and_a_missing_one_on_the_command_line(bulk, tmp_path):
    res = run_cli("complaints", "check", str(bulk), "--profile", "generic", "--out",
                  str(tmp_path / "g"))  # fmt: skip
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[1] == "profile: generic, given (--profile)"
    # the generic words do not know the platform's English state "finish"
    assert "unknown status" in res.stdout
    res = run_cli("complaints", "check", str(bulk), "--profile", "nope.toml", "--out",
                  str(tmp_path / "n"))  # fmt: skip
    assert res.returncode == 2
    assert (
        "Invalid value for '--profile': no profile 'nope.toml': give a built-in profile "
        "(generic, traffy) or a profile TOML file" in res.stderr
    )


def test_timestamps_read_by_date_hour_and_offset_land_on_the_bangkok_date(tmp_path):
    """The reader caches a timestamp by its date and how many days Bangkok is ahead of it:
    the same dates as parse_date, offset by offset."""
    stamps = [
        "2026-11-01 16:59:59.999999+00",  # 23:59 in Bangkok
        "2026-11-01 17:00:00+00",  # 00:00 on the 2nd
        "2026-11-01 23:30:00-03",  # 09:30 on the 2nd
        "2026-11-01 01:00:00+09:00",  # 23:00 on 31 October
        "2026-11-01 03:00:00.5+05:30",  # 04:30 on the 1st
        "2026-11-01 23:59:59",  # no offset: Bangkok time
        "2026-11-26 17:00:00Z",  # 00:00 on the 27th: today, not the future
        "2026-11-27 17:00:00Z",  # the 28th: in the future
    ]
    f = tmp_path / "stamps.csv"
    f.write_text(
        "id,received,district_code,category,status\n"
        + "".join(f"S{i},{s},3501,roads,open\n" for i, s in enumerate(stamps)),
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert [c.received.isoformat() for c in res.accepted] == [
        "2026-11-01", "2026-11-02", "2026-11-02", "2026-10-31", "2026-11-01", "2026-11-01",
        "2026-11-27",
    ]  # fmt: skip
    assert [r.reason for r in res.rejects] == ["in the future: 2026-11-28"]


def test_a_bare_json_list_with_a_record_that_is_not_an_object(tmp_path):
    """Every record counts: one that is not an object is rejected (no id), not skipped."""
    f = tmp_path / "list.json"
    f.write_text(
        json.dumps([
            {"ticket_id": "J1", "type": "{ถนน}", "timestamp": "2026-11-02 08:00:00+07",
             "state": "start", "latitude": 15.8214, "longitude": 104.14738,
             "subdistrict": "น้ำคำใหญ่", "district": "เมืองยโสธร", "province": "ยโสธร",
             "photo": ["https://storage.example.invalid/p.jpg"]},
            "not a record",
        ], ensure_ascii=False),
        encoding="utf-8",
    )  # fmt: skip
    res = read_complaints(f, today=TODAY)
    assert (res.profile, res.format) == ("traffy", "JSON list of records, line numbers are "
                                         "record numbers")  # fmt: skip
    assert [(c.id, c.tambon_code, c.status) for c in res.accepted] == [("J1", "350102", "open")]
    assert [r.message() for r in res.rejects] == [f"{f}:2: field 'ticket_id': empty"]


def test_photo_columns_are_personal_data(tmp_path):
    (tmp_path / "x.csv").write_text("id\n", encoding="utf-8")
    res = run_cli("complaints", "check", "x.csv", "--column", "category=photo", "--out",
                  str(tmp_path / "o"), cwd=tmp_path)  # fmt: skip
    assert res.returncode == 2
    assert "column 'photo' holds personal data; caravan never reads it" in res.stderr


def test_replan_reads_new_complaints_with_the_profile_given(bulk, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    res = run_cli("plan", "--complaints", str(bulk), "--profile", "traffy", "--week",
                  "2026-W49", "--no-history", "--travel", "straight", "--time-limit", "1",
                  "--out", str(first))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "profile: traffy, given (--profile)" in res.stdout.splitlines()
    stored = json.loads((first / "plan.json").read_text(encoding="utf-8"))["request"]
    assert stored["profile"] == "traffy"
    res = run_cli("replan", str(first / "plan.json"), "--done-through", "2026-11-30",
                  "--complaints", str(bulk), "--profile", "generic", "--no-history",
                  "--time-limit", "1", "--out", str(second))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "profile: generic, given (--profile)" in res.stdout.splitlines()
    stored = json.loads((second / "plan.json").read_text(encoding="utf-8"))["request"]
    assert stored["profile"] == "generic"
