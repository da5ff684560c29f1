"""``caravan complaints check`` and the reading options of ``caravan plan``, run as a user
would; density per km² or per 10,000 residents on the map."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from caravan.errors import InputError
from caravan.geo.density import UNIT_KM2, UNIT_RESIDENTS, read_population
from caravan.geo.geography import load_geography
from caravan.outputs.maps import density_layer_data
from caravan.plan.week import plan_week

from .conftest import run_cli

MIXED = "\n".join(
    [
        "เลขที่เรื่อง,วันที่รับเรื่อง,อำเภอ,ตำบล,ละติจูด,ลองจิจูด,ประเภทเรื่อง,สถานะ,หมายเหตุ",
        "M1,9 พ.ย. 68,อ.เมืองยโสธร,ต.ในเมือง,,,ผู้สูงอายุ,รอดำเนินการ,โทรกลับด่วน",
        "M2,2025-10-01,,,15.794667,104.140617,roads,เสร็จสิ้น,",
        "M3,32/1/2568,ทรายมูล,,,,roads,open,",
        "M4,2025-10-02,,ในเมือง,,,water,open,",
        "M1,2025-10-03,3502,,,,water,open,",
        "M5,2025-10-04,เขตบางรัก,,,,water,open,",
        "",
    ]
)


def test_complaints_check_writes_accepted_and_rejects(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(MIXED, encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("complaints", "check", str(src), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"read 6 rows from {src} (UTF-8, comma-separated, header on line 1): 2 accepted, "
        "4 rejected",
        "profile: generic, no platform recognised from the header",
        "columns: id='เลขที่เรื่อง', received='วันที่รับเรื่อง', district='อำเภอ', tambon='ตำบล', "
        "lat='ละติจูด', lon='ลองจิจูด', category='ประเภทเรื่อง', status='สถานะ'",
        "note: two-digit years were read as Buddhist era years (25xx)",
        "rejected rows by reason:",
        "  1  ambiguous place",
        "  1  duplicate id",
        "  1  not a date",
        "  1  outside the three provinces",
        f"wrote {out / 'accepted.csv'}",
        f"wrote {out / 'rejects.csv'}",
    ]
    accepted = (out / "accepted.csv").read_bytes()
    assert accepted.startswith(b"\xef\xbb\xbf")
    assert accepted.decode("utf-8-sig").splitlines() == [
        "id,received,province_code,district_code,tambon_code,category,status,urgency",
        "M1,2025-11-09,35,3501,350101,elderly,open,normal",
        "M2,2025-10-01,35,3501,350101,roads,resolved,normal",
    ]
    rejects = (out / "rejects.csv").read_bytes()
    assert rejects.startswith(b"\xef\xbb\xbf")
    assert rejects.decode("utf-8-sig").splitlines() == [
        "line,field,reason,เลขที่เรื่อง,วันที่รับเรื่อง,อำเภอ,ตำบล,ละติจูด,ลองจิจูด,ประเภทเรื่อง,สถานะ",
        "4,วันที่รับเรื่อง,not a date: '32/1/2568' (month 1 of 2025 has no day 32),M3,32/1/2568,"
        "ทรายมูล,,,,roads,open",
        "5,ตำบล,\"tambon name 'ในเมือง' is in 2 districts (3501 เมืองยโสธร, 6501 เมืองพิษณุโลก); "
        'give the district or province",M4,2025-10-02,,ในเมือง,,,water,open',
        '6,เลขที่เรื่อง,"duplicate id, first seen on line 2",M1,2025-10-03,3502,,,,water,open',
        "7,อำเภอ,outside the three provinces: district 'เขตบางรัก' is in Bangkok,M5,2025-10-04,"
        "เขตบางรัก,,,,water,open",
    ]


def test_header_only_file_checks_to_empty_outputs(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text(MIXED.splitlines()[0] + "\n", encoding="utf-8")
    res = run_cli("complaints", "check", str(src), "--out", str(tmp_path / "o"))
    assert res.returncode == 0
    assert res.stdout.splitlines()[0] == (
        f"read 0 rows from {src} (UTF-8, comma-separated, header on line 1): 0 accepted, 0 rejected"
    )
    assert (tmp_path / "o" / "rejects.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "line,field,reason,เลขที่เรื่อง,วันที่รับเรื่อง,อำเภอ,ตำบล,ละติจูด,ลองจิจูด,ประเภทเรื่อง,สถานะ"
    ]


def test_binary_file_as_csv_is_one_clean_error(tmp_path):
    src = tmp_path / "photo.csv"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    out = tmp_path / "out"
    for args in (
        ("complaints", "check", str(src), "--out", str(out)),
        ("plan", "--complaints", str(src), "--out", str(out)),
    ):
        res = run_cli(*args)
        assert res.returncode == 1
        assert res.stderr.strip().splitlines() == [
            f"Error: {src}: not a text CSV file (binary content)"
        ]
    assert not list(out.glob("*.csv"))


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["--column", "id=ชื่อ-นามสกุล"],
            2,
            "Error: Invalid value for '--column': column 'ชื่อ-นามสกุล' holds personal data; "
            "caravan never reads it (not even as id)",
        ),
        (
            ["--encoding", "klingon"],
            2,
            "Error: Invalid value for '--encoding': unknown encoding 'klingon' (for example "
            "utf-8, cp874, tis-620)",
        ),
        (
            ["--sheet", "Sheet1"],
            2,
            "Error: Invalid value for '--sheet': is for Excel .xlsx files; {src} is not one",
        ),
        (
            ["--column", "id=เลขที่"],
            1,
            "Error: {src}:1: no column id=เลขที่ (the header has 'เลขที่เรื่อง', "
            "'วันที่รับเรื่อง', 'อำเภอ', 'ตำบล', 'ละติจูด', 'ลองจิจูด', 'ประเภทเรื่อง', "
            "'สถานะ', 'หมายเหตุ')",
        ),
    ],
)
def test_reading_option_errors(tmp_path, args, code, line):
    src = tmp_path / "export.csv"
    src.write_text(MIXED, encoding="utf-8")
    res = run_cli("complaints", "check", str(src), "--out", str(tmp_path / "o"), *args)
    assert res.returncode == code
    assert res.stderr.strip().splitlines()[-1] == line.format(src=src)


def test_plan_uses_accepted_rows_and_strict_stops(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(MIXED, encoding="utf-8")
    out = tmp_path / "plan"
    res = run_cli("plan", "--complaints", str(src), "--province", "35", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (
        f"complaints: 6 rows read from {src}, 2 accepted, 4 rejected; 1 open in the planned "
        "provinces" in res.stdout.splitlines()
    )
    assert (
        "  rejected by reason: ambiguous place 1, duplicate id 1, not a date 1, outside the "
        "three provinces 1" in res.stdout.splitlines()
    )
    strict = run_cli(
        "plan", "--complaints", str(src), "--strict", "--out", str(tmp_path / "strict")
    )
    assert strict.returncode == 1
    assert strict.stderr.strip().splitlines()[-1] == (
        f"Error: {src}: 4 of 6 rows rejected and --strict is set; the first: line 4, field "
        "'วันที่รับเรื่อง': not a date: '32/1/2568' (month 1 of 2025 has no day 32)"
    )
    assert not (tmp_path / "strict" / "itinerary.csv").exists()


def test_plan_reads_mapped_columns_from_toml(tmp_path):
    src = tmp_path / "custom.csv"
    src.write_text(
        "เลขอ้างอิง,แจ้งเมื่อ,พื้นที่,หมวดปัญหา,ผลการติดตาม\nK1,1 พ.ย. 69,3702,ความรุนแรงในครอบครัว,รอรับเรื่อง\n",
        encoding="cp874",
    )
    cols = tmp_path / "cols.toml"
    cols.write_text(
        'id = "เลขอ้างอิง"\nreceived = "แจ้งเมื่อ"\ndistrict = "พื้นที่"\n'
        'category = "หมวดปัญหา"\nstatus = "ผลการติดตาม"\n',
        encoding="utf-8",
    )
    res = run_cli(
        "plan", "--complaints", str(src), "--columns", str(cols), "--province", "37",
        "--week", "2026-W46", "--out", str(tmp_path / "p"), "--no-map",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert f"complaints: 1 rows read from {src}, 1 accepted, 0 rejected; 1 open in the " in (
        res.stdout
    )


def test_long_reads_show_a_progress_bar_unless_quiet(tmp_path):
    src = tmp_path / "big.csv"
    src.write_text(
        "id,received,district_code,category,status\n"
        + "".join(f"B{i},2026-11-01,3501,roads,open\n" for i in range(40_000)),
        encoding="utf-8",
    )
    loud = run_cli("complaints", "check", str(src), "--out", str(tmp_path / "a"))
    assert "reading complaints" in loud.stderr
    quiet = run_cli("complaints", "check", str(src), "--out", str(tmp_path / "b"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


# ---------------------------------------------------------------- density


TINY = (
    "id,received,district_code,category,status,urgency\n"
    "T1,2026-09-28,3702,domestic_violence,open,critical\n"
    "T2,2026-09-28,3702,domestic_violence,in_progress,critical\n"
    "T3,2026-09-28,3706,elderly,open,high\n"
    "T5,2026-09-28,3703,roads,resolved,normal\n"
)
POPULATION = {"3701": 100_000, "3702": 40_000, "3703": 30_000, "3704": 20_000, "3705": 25_000,
              "3706": 50_000, "3707": 25_000}  # fmt: skip


def test_density_per_km2_or_per_10000_residents(tmp_path):
    src = tmp_path / "tiny.csv"
    src.write_text(TINY, encoding="utf-8")
    kw = dict(complaints=src, provinces=["37"], week="2026-W40", today=dt.date(2026, 9, 28))
    per_km2 = plan_week(**kw)
    per_people = plan_week(**kw, population=POPULATION)
    geo = load_geography()
    km2 = {d["code"]: d["density"] for d in density_layer_data(per_km2, "district")}
    people = {d["code"]: d["density"] for d in density_layer_data(per_people, "district")}
    assert km2["3702"] == pytest.approx(2 / geo.sites["3702"].area_km2)
    assert people["3702"] == pytest.approx(0.5)  # 2 open per 40,000 residents
    assert people["3706"] == pytest.approx(0.2)  # 1 per 50,000
    assert people["3703"] == 0.0  # resolved only
    from caravan.outputs.maps import plan_map

    assert UNIT_RESIDENTS in plan_map(per_people).get_root().render()
    assert UNIT_KM2 in plan_map(per_km2).get_root().render()


def test_population_file_errors(tmp_path):
    geo = load_geography()
    f = tmp_path / "pop.csv"
    f.write_text('code,name_en,population\n3701,x,100000\n3702,y,"40,000"\n', encoding="utf-8")
    assert read_population(f, geo) == {"3701": 100_000, "3702": 40_000}
    src = tmp_path / "tiny.csv"
    src.write_text(TINY, encoding="utf-8")
    with pytest.raises(InputError) as err:
        plan_week(complaints=src, provinces=["37"], week="2026-W40", population=f)
    assert str(err.value) == (
        f"{f}: no population for district 3703 (Pathum Ratchawongsa); every district of the "
        "planned provinces needs one"
    )
    f.write_text("code,population\n3701,many\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_population(f, geo)
    assert str(err.value) == f"{f}:2: field 'population': not a positive whole number: 'many'"
    f.write_text("code,population\n1001,5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_population(f, geo)
    assert str(err.value) == (
        f"{f}:2: field 'code': not a district or tambon code of the three provinces: '1001'"
    )


def test_complaints_check_escapes_a_formula_header_in_rejects_csv(tmp_path):
    """A header mapped with --column is a cell too: a spreadsheet must not run it."""
    src = tmp_path / "export.csv"
    src.write_text(
        "=1+1,received,district_code,category,status\nF1,2026-13-01,3501,roads,open\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    res = run_cli("complaints", "check", str(src), "--out", str(out), "--column", "id==1+1")
    assert res.returncode == 0, res.stderr
    rows = list(csv.reader(io.StringIO((out / "rejects.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["line", "field", "reason", "'=1+1", "received", "district_code",
                       "category", "status"]  # fmt: skip
    assert rows[1][:2] == ["2", "received"] and rows[1][3] == "F1"
