"""caravan districts, matrix, sample complaints and data build, through the real command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter

import pytest

from caravan.geo.geography import load_geography

from .conftest import SHARED_GEO, haversine_m, run_cli


def test_districts_table_csv_geojson():
    res = run_cli("districts", "--province", "37")
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    assert lines[0].split()[:3] == ["code", "name_th", "name_en"]
    assert len(lines) == 1 + 7
    assert lines[1].startswith("3701  เมืองอำนาจเจริญ  Mueang Amnat Charoen")

    res = run_cli("districts", "--province", "35", "--level", "tambon", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 79 and {r["district_code"][:2] for r in rows} == {"35"}

    res = run_cli("districts", "--format", "geojson")
    fc = json.loads(res.stdout)
    assert len(fc["features"]) == 25
    props = fc["features"][0]["properties"]
    assert {"code", "name_th", "name_en", "site_lon", "site_lat", "area_km2"} <= set(props)


def test_districts_unknown_province():
    res = run_cli("districts", "--province", "10")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--province': unknown province '10' (choose from 35, 37, 65)"
    )


def test_matrix_file(tmp_path):
    out = tmp_path / "m.csv"
    res = run_cli("matrix", "--province", "37", "--travel", "straight", "-o", str(out))
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["from_code", "to_code", "minutes", "km"]
    codes = {r["from_code"] for r in rows}
    assert codes == {"BASE37", "3701", "3702", "3703", "3704", "3705", "3706", "3707"}
    assert len(rows) == 8 * 7
    geo = load_geography()
    for r in rows:
        a, b = geo.sites[r["from_code"]], geo.sites[r["to_code"]]
        km = haversine_m(a.lon, a.lat, b.lon, b.lat) / 1000 * 1.2
        assert float(r["km"]) == pytest.approx(km, abs=0.051)
        assert int(r["minutes"]) == math.ceil(round(km * 1000) / 1000 - 1e-9)  # 60 km/h
    # the Mueang district is at the base: 0 km apart
    pair = next(r for r in rows if (r["from_code"], r["to_code"]) == ("BASE37", "3701"))
    assert (pair["minutes"], pair["km"]) == ("0", "0.0")


def test_matrix_speed_changes_minutes(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    straight = ("matrix", "--province", "35", "--travel", "straight")
    assert run_cli(*straight, "-o", str(a)).returncode == 0
    assert run_cli(*straight, "--speed-kmh", "30", "-o", str(b)).returncode == 0
    ra = {(r["from_code"], r["to_code"]): int(r["minutes"]) for r in csv.DictReader(a.open())}
    rb = {(r["from_code"], r["to_code"]): int(r["minutes"]) for r in csv.DictReader(b.open())}
    assert all(rb[k] >= 2 * ra[k] - 1 for k in ra)


def test_sample_complaints_is_deterministic_and_realistic(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for f in (a, b):
        res = run_cli(
            "sample",
            "complaints",
            "--seed",
            "3",
            "--count",
            "2000",
            "--as-of",
            "2026-11-20",
            "-o",
            str(f),
        )
        assert res.returncode == 0 and res.stdout.strip() == f"wrote 2000 complaints to {f}"
    assert a.read_bytes() == b.read_bytes()
    rows = list(csv.DictReader(a.open(encoding="utf-8")))
    assert len(rows) == 2000 and len({r["id"] for r in rows}) == 2000
    assert all("2026-05-24" <= r["received"] <= "2026-11-20" for r in rows)
    status = Counter(r["status"] for r in rows)
    assert 0.2 < status["resolved"] / 2000 < 0.5
    cats = Counter(r["category"] for r in rows)
    assert {"domestic_violence", "elderly", "poverty_debt", "land", "water", "roads"} <= set(cats)
    by_district = Counter(r["district_code"] for r in rows if r["district_code"])
    assert max(by_district.values()) > 3 * min(by_district.values()), "not uneven enough"
    assert sum(1 for r in rows if r["lat"] and not r["district_code"]) > 50
    assert sum(1 for r in rows if r["district_code"] and not r["tambon_code"]) > 50


def test_sample_thai_export_holds_the_plain_rows_and_its_mistakes(tmp_path):
    """--style thai-export writes the rows of the plain style in a provincial export's
    shape: read with the column mapping, every row comes back the same but the faulty ones
    (every 50th row in turn: a place that is no place, the id of the row before, a date
    that does not exist), rejected on their own lines (header on line 2, so row n is line
    n + 2); the made-up personal columns never reach accepted.csv or rejects.csv."""
    from caravan.complaints import read_complaints

    plain, thai = tmp_path / "plain.csv", tmp_path / "thai.csv"
    common = ("sample", "complaints", "--province", "35", "--count", "160", "--seed", "4")
    common += ("--as-of", "2026-11-13")
    assert run_cli(*common, "-o", str(plain)).returncode == 0
    assert run_cli(*common, "--style", "thai-export", "-o", str(thai)).returncode == 0
    raw = thai.read_bytes()
    assert raw.startswith("\ufeffรายงานเรื่องร้องเรียน ณ วันที่ 13/11/2569".encode())

    res = run_cli("complaints", "check", str(thai), "--out", str(tmp_path / "no"))
    assert res.returncode == 1
    assert res.stderr.strip() == (
        f"Error: {thai}:2: missing column 'id' (a header such as id, เลขที่เรื่อง, or "
        "--column id=HEADER)"
    )

    mapping = {"id": "เลขทะเบียนรับ", "received": "ลงวันที่"}
    cf = read_complaints(thai, columns=mapping, today=dt.date(2026, 11, 13))
    rows = list(csv.DictReader(plain.open(encoding="utf-8")))
    assert cf.rows == 160
    assert [(r.line, r.field, r.reason) for r in cf.rejects] == [
        (52, "ตำบล", "no tambon of that name in Yasothon (a text of 13 characters)"),
        (102, "เลขทะเบียนรับ", "duplicate id, first seen on line 101"),
        (152, "ลงวันที่", "not a date: '31/11/2569' (month 11 of 2026 has no day 31)"),
    ]
    faulty = {50, 100, 150}
    by_point = {r["id"] for r in rows if r["lat"]}  # placed by the reader: compared apart

    def comparable(row: dict) -> dict:
        if row["id"] in by_point:
            row.update(district_code=None, tambon_code=None)
        return row

    keep = ("id", "received", "district_code", "tambon_code", "category", "status", "urgency")
    expected = [
        comparable({k: r[k] for k in keep}) for n, r in enumerate(rows, start=1) if n not in faulty
    ]
    got = [
        comparable({k: getattr(c, k) for k in keep} | {"received": c.received.isoformat()})
        for c in cf.accepted
    ]
    assert got == expected
    assert len(by_point) > 5

    res = run_cli(
        *("complaints", "check", str(thai), "--out", str(tmp_path / "checked")),
        *("--column", "id=เลขทะเบียนรับ", "--column", "received=ลงวันที่"),
    )
    assert res.returncode == 0, res.stderr
    written = "".join(f.read_text(encoding="utf-8-sig") for f in (tmp_path / "checked").iterdir())
    assert "ผู้ร้องสมมติ" not in written and "080-000-" not in written


@pytest.mark.skipif(not SHARED_GEO.is_dir(), reason="../shared/geo is not beside the checkout")
def test_data_build_command(tmp_path):
    res = run_cli("data", "build", "--source", str(SHARED_GEO), "--out", str(tmp_path / "geo"))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == (
        f"wrote 25 districts, 228 tambons and 3 bases to {tmp_path / 'geo'}"
    )


def test_data_build_missing_source(tmp_path):
    (tmp_path / "src").mkdir()
    res = run_cli(
        "data", "build", "--source", str(tmp_path / "src"), "--out", str(tmp_path / "geo")
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'src' / 'districts_3prov.geojson'}: source file not found"
    )
