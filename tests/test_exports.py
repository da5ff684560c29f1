"""caravan export and caravan plan --png: every format, golden files, round trips, safety.

Golden files (tests/golden/) hold the exports of the tiny plan of tests/plans.py; after an
intended change, rewrite them with CARAVAN_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from caravan.csvcells import safe_cell
from caravan.outputs.formats import render
from caravan.outputs.ics import fold, plan_ics
from caravan.outputs.itinerary import itinerary_csv, rejects_csv
from caravan.outputs.mapdata import PALETTE, SCALE
from caravan.outputs.planfile import plan_json, read_plan
from caravan.outputs.staticmap import (
    NO_THAI_FONT_NOTE,
    THAI_FONT_CANDIDATES,
    find_thai_font,
    fontconfig_thai_fonts,
    render_png,
)
from caravan.plan.week import plan_week

from .browser_support import REQUIRED
from .conftest import ROOT, run_cli
from .plans import CREATED, FORMULA, PRIVATE, XSS, empty_plan

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("CARAVAN_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def plan_file(tiny, tmp_path_factory):
    path = tmp_path_factory.mktemp("planfile") / "plan.json"
    path.write_text(plan_json(tiny), encoding="utf-8")
    return path


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path} (CARAVAN_UPDATE_GOLDEN=1 writes it)"
    assert data == path.read_bytes(), f"{name} differs from {path}"


# ----------------------------------------------------------------------------- golden files


def test_golden_itinerary_csv(tiny):
    data = render(tiny, "csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    check_golden("itinerary.csv", data)


def test_golden_itinerary_html(tiny):
    check_golden("itinerary.html", render(tiny, "html").data)


def test_golden_itinerary_ics(tiny):
    check_golden("itinerary.ics", render(tiny, "ics").data)


# ----------------------------------------------------------------------------- the command


@pytest.mark.parametrize(
    ("fmt", "name", "start"),
    [
        ("csv", "itinerary.csv", b"\xef\xbb\xbfdate,unit,stop,code,"),
        ("ics", "itinerary.ics", b"BEGIN:VCALENDAR\r\n"),
        ("geojson", "plan.geojson", b'{\n "type": "FeatureCollection"'),
        ("html", "itinerary.html", b"<!DOCTYPE html>"),
        ("png", "map.png", b"\x89PNG\r\n\x1a\n"),
        ("map", "map.html", b"<!DOCTYPE html>"),
    ],
)
def test_export_writes_each_format(plan_file, tmp_path, fmt, name, start):
    out = tmp_path / f"out-{name}"
    res = run_cli("export", str(plan_file), "--format", fmt, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == f"wrote {out}"
    assert out.read_bytes().startswith(start)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_export_defaults_beside_the_plan_and_from_the_file_name(tiny, tmp_path):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan_json(tiny), encoding="utf-8")
    res = run_cli("export", str(plan_path), "--format", "ics")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "itinerary.ics").read_bytes() == render(tiny, "ics").data
    res = run_cli("export", str(plan_path), "--out", str(tmp_path / "week.geojson"))
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "week.geojson").read_text(encoding="utf-8"))["type"] == (
        "FeatureCollection"
    )


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["--out", "itinerary.txt"],
            2,
            "Error: Invalid value for '--format': give the format (csv, ics, geojson, html, "
            "png or map); it cannot be told from the file name",
        ),
        (
            ["--format", "pdf"],
            2,
            "Error: Invalid value for '--format': 'pdf' is not one of 'csv', 'ics', "
            "'geojson', 'html', 'png', 'map'.",
        ),
        (
            ["--format", "html", "--calendar", "thai"],
            2,
            "Error: Invalid value for '--calendar': 'thai' is not one of 'gregorian', 'buddhist'.",
        ),
    ],
)
def test_export_usage_errors(plan_file, tmp_path, args, code, line):
    res = run_cli("export", str(plan_file), *args, cwd=tmp_path)
    assert res.returncode == code
    assert res.stderr.strip().splitlines()[-1] == line
    assert list(tmp_path.iterdir()) == []


def test_export_data_errors(tmp_path, plan_file):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = run_cli("export", str(bad), "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: {bad}:1: not valid JSON (Expecting property name enclosed in double quotes)"
    )
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    res = run_cli("export", str(plan_file), "--out", str(blocker / "x.csv"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: cannot write '{blocker / 'x.csv'}': '{blocker}' is not a folder"
    )
    assert not (tmp_path / "x.csv").exists()


def test_plan_png_and_calendar_options(tmp_path):
    from .plans import TINY_COMPLAINTS

    src = tmp_path / "complaints.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli(
        "plan",
        "--complaints",
        str(src),
        "--province",
        "37",
        "--week",
        "2026-W40",
        "--days",
        "2",
        "--png",
        "--calendar",
        "buddhist",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert f"wrote {out / 'map.png'}" in res.stdout
    assert (out / "map.png").read_bytes().startswith(b"\x89PNG")
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "จ. 28 ก.ย. 2569" in html and "Mon 2026-09-28" not in html
    # the machine-facing files keep ISO dates
    assert "2026-09-28,37-1,1,3702," in (out / "itinerary.csv").read_text(encoding="utf-8-sig")


# ----------------------------------------------------------------------------- ICS


def test_ics_is_valid_rfc5545_and_parses(tiny):
    import icalendar

    text = plan_ics(tiny)
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never cuts a character
    cal = icalendar.Calendar.from_ical(text)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Asia/Bangkok"
    events = cal.walk("VEVENT")
    assert len(events) == len(tiny.visits) == 1
    ev = events[0]
    bangkok = dt.timezone(dt.timedelta(hours=7))
    assert ev["UID"] == "caravan-2026-W40-3702"
    assert ev.decoded("DTSTART") == dt.datetime(2026, 9, 28, 9, 35, tzinfo=bangkok)
    assert ev.decoded("DTEND") == dt.datetime(2026, 9, 28, 12, 35, tzinfo=bangkok)
    assert str(ev.decoded("DTSTART").tzinfo) in ("Asia/Bangkok", "+07")
    assert ev.decoded("DTSTAMP") == CREATED.astimezone(dt.UTC)
    assert str(ev["SUMMARY"]) == "คาราวาน 37-1 #1: ชานุมาน / Chanuman"
    assert str(ev["LOCATION"]) == (
        "ชานุมาน (Chanuman), อำเภอ / district 3702, จังหวัดอำนาจเจริญ / Amnat Charoen"
    )
    description = str(ev["DESCRIPTION"])
    assert "ถึง / arrive 09:35 · ออก / depart 12:35" in description
    assert f"- {FORMULA}: 1" in description  # commas and quotes come back intact
    assert "- ความรุนแรงในครอบครัว / Domestic violence: 2" in description
    assert ev["GEO"].latitude == pytest.approx(16.232505)


def test_ics_folding_counts_octets_not_characters():
    line = "SUMMARY:" + "ก" * 40  # 8 + 120 octets
    folded = fold(line).encode("utf-8").split(b"\r\n")
    assert [len(x) for x in folded] == [74, 55]  # 8 + 22 x 3; then " " + 18 x 3
    assert b"".join(x[1:] if i else x for i, x in enumerate(folded)).decode() == line


# ----------------------------------------------------------------------------- GeoJSON


def test_geojson_reads_back_in_geopandas(tiny, tmp_path):
    import geopandas

    path = tmp_path / "plan.geojson"
    path.write_bytes(render(tiny, "geojson").data)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in data  # RFC 7946: WGS84 lon/lat only
    gdf = geopandas.read_file(path)
    assert gdf.crs.to_epsg() == 4326
    kinds = list(gdf["kind"])
    assert kinds == ["route", "depart", "visit", "return", "unvisited", "unvisited", "unvisited"]
    route = gdf[gdf["kind"] == "route"].iloc[0]
    base, chanuman = tiny.sites["BASE37"], tiny.sites["3702"]
    assert route.geometry.geom_type == "LineString"
    assert list(route.geometry.coords) == [
        (round(base.lon, 6), round(base.lat, 6)),
        (chanuman.lon, chanuman.lat),
        (round(base.lon, 6), round(base.lat, 6)),
    ]
    assert (route["unit"], route["drive_minutes"], route["visits"]) == ("37-1", 130, 1)
    assert route["color"] == PALETTE[0]
    visit = gdf[gdf["kind"] == "visit"].iloc[0]
    assert visit.geometry.geom_type == "Point"
    assert (visit["code"], visit["name_th"], visit["stop"]) == ("3702", "ชานุมาน", 1)
    assert str(visit["arrive_time"]).startswith("09:35")
    arrive = visit["arrive"]
    if isinstance(arrive, str):
        arrive = dt.datetime.fromisoformat(arrive)
    assert arrive.isoformat().startswith("2026-09-28T09:35:00")
    assert arrive.utcoffset() in (None, dt.timedelta(hours=7))
    assert visit["categories"] == f"domestic_violence:2; {FORMULA}:1"
    left = gdf[gdf["kind"] == "unvisited"]
    assert list(left["code"]) == ["3706", "3707", "3705"]
    assert set(left["reason_code"]) == {"not_worth_detour"}


# ----------------------------------------------------------------------------- PNG


def _png_pixels(data: bytes):
    from matplotlib import image

    return image.imread(io.BytesIO(data), format="png")


def _has_color(pixels, hex_color: str) -> bool:
    import numpy as np

    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return bool((np.abs(pixels[:, :, :3] - rgb).max(axis=2) < 0.01).any())


def test_png_shows_routes_and_shading(tiny):
    result = render_png(tiny, calendar="buddhist")
    assert result.data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", result.data[16:24])
    assert width >= 700 and height >= 800
    pixels = _png_pixels(result.data)
    assert _has_color(pixels, PALETTE[0])  # the route
    assert _has_color(pixels, SCALE[0]) and _has_color(pixels, SCALE[2])  # the shading
    if REQUIRED:  # CI installs fonts-thai-tlwg with the browser
        assert find_thai_font() is not None
    if find_thai_font() is not None:
        assert result.font == find_thai_font() and result.note == ""


_CACHE_FILE = (
    "import matplotlib, matplotlib.font_manager as fm; "
    "print(matplotlib.get_cachedir() + f'/fontlist-v{fm.FontManager.__version__}.json')"
)
_FIND = "from caravan.outputs.staticmap import find_thai_font; print(find_thai_font())"


def _python(code: str, env: dict[str, str]) -> str:
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def _stale_font_cache(folder: Path) -> dict[str, str]:
    """A matplotlib configuration folder whose font cache was built before the Thai fonts
    were installed (the cache, less every font fontconfig lists for Thai); its environment."""
    env = dict(os.environ, MPLCONFIGDIR=str(folder))
    cache = Path(_python(_CACHE_FILE, env))  # matplotlib builds the cache here
    data = json.loads(cache.read_text(encoding="utf-8"))
    thai = set(fontconfig_thai_fonts())
    data["ttflist"] = [f for f in data["ttflist"] if f["fname"] not in thai]
    cache.write_text(json.dumps(data), encoding="utf-8")
    return env


@pytest.mark.skipif(
    not fontconfig_thai_fonts(), reason="fontconfig knows no Thai font (Debian: fonts-thai-tlwg)"
)
def test_a_thai_font_installed_after_matplotlib_built_its_cache_is_found(tmp_path):
    env = _stale_font_cache(tmp_path / "mpl")
    no_fontconfig = dict(env, PATH=str(tmp_path / "empty"))
    assert _python(_FIND, no_fontconfig) == "None"  # the stale cache alone knows none
    font = _python(_FIND, env)
    assert font in THAI_FONT_CANDIDATES or font in fontconfig_thai_fonts().values()
    # the cache was stored again: the next run finds the font without asking fontconfig
    assert _python(_FIND, no_fontconfig) == font


def test_the_font_note_only_when_there_is_really_no_thai_font(tmp_path):
    env = dict(_stale_font_cache(tmp_path / "mpl"), PATH=str(tmp_path / "empty"))
    out = tmp_path / "out"
    args = ("plan", "--province", "35", "--week", "2026-W49", "--time-limit", "1", "--no-map")
    exe = Path(sys.executable).parent / "caravan"
    res = subprocess.run(
        [str(exe), *args, "--png", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == [f"note: {NO_THAI_FONT_NOTE}"]
    assert (out / "map.png").read_bytes().startswith(b"\x89PNG")


def test_png_falls_back_to_english_without_a_thai_font(tiny):
    assert find_thai_font(("No Such Font",)) is None
    result = render_png(tiny, thai_font=None)
    assert result.font is None and result.note == NO_THAI_FONT_NOTE
    assert result.data.startswith(b"\x89PNG")


# ----------------------------------------------------------------------------- calendars


def test_buddhist_calendar_only_in_human_facing_outputs(tiny):
    html = render(tiny, "html", calendar="buddhist").data.decode("utf-8")
    assert "วันจันทร์ที่ 28 กันยายน พ.ศ. 2569 / Monday" in html
    assert "สร้างเมื่อ / created 25 ก.ย. 2569 10:00 น." in html
    assert "2026-09-28" not in html
    for fmt in ("csv", "ics", "geojson"):
        assert render(tiny, fmt, calendar="buddhist").data == render(tiny, fmt).data
    assert "2026-09-28" in render(tiny, "csv").data.decode("utf-8-sig")
    assert "DTSTART;TZID=Asia/Bangkok:20260928T093500" in plan_ics(tiny)


# ----------------------------------------------------------------------------- safety


def test_no_personal_data_in_any_output(tiny, tmp_path):
    texts = {
        "plan.json": plan_json(tiny),
        "itinerary.csv": itinerary_csv(tiny),
        "rejects.csv": rejects_csv(tiny),
    }
    for fmt in ("ics", "geojson", "html", "map"):
        texts[fmt] = render(tiny, fmt).data.decode("utf-8")
    texts["png"] = render(tiny, "png").data.decode("latin-1")
    for name, text in texts.items():
        for value in PRIVATE:
            assert value not in text, f"{value!r} in {name}"


def test_hostile_text_is_escaped_in_html_outputs(tiny):
    html = render(tiny, "html").data.decode("utf-8")
    assert FORMULA not in html
    assert "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;)" in html
    page = render(tiny, "map").data.decode("utf-8")
    assert XSS not in page and FORMULA not in page


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+66 81", "'+66 81"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=b", "a=b"),
        ("ชานุมาน", "ชานุมาน"),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def test_csv_exports_neutralise_formulas(tiny, tmp_path):
    # site names from an input that begin like formulas
    sites = dict(tiny.sites)
    sites["3702"] = replace(sites["3702"], name_th="=cmd|' /C calc'!A0", name_en="@SUM(1)")
    sites["BASE37"] = replace(sites["BASE37"], name_th="+base", name_en="-base")
    hostile = replace(tiny, sites=sites)
    # complaint rows whose values reach rejects.csv
    src = tmp_path / "bad.csv"
    src.write_text(
        "id,received,district_code,category,status,urgency\n"
        "=X1,2026-09-28,3702,roads,=2+3,normal\n"
        "@X2,2026-09-28,3702,roads,open,-5\n"
        "+X3,not-a-date,3702,roads,open,normal\n",
        encoding="utf-8",
    )
    rejected = plan_week(
        complaints=src, provinces=["37"], week="2026-W40", days=1, today=dt.date(2026, 9, 28)
    )
    assert rejected.complaints.rejected == 3
    for text in (
        itinerary_csv(hostile),
        render(hostile, "csv").data.decode("utf-8"),
        rejects_csv(rejected),
    ):
        for cell in _cells(text):
            assert not cell.startswith(("=", "+", "-", "@")), cell
    cells = _cells(itinerary_csv(hostile))
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1)" in cells and "'-base" in cells


def test_plan_file_round_trip_gives_the_same_exports(tiny, plan_file):
    back = read_plan(plan_file)
    for fmt in ("csv", "ics", "geojson", "html"):
        assert render(back, fmt).data == render(tiny, fmt).data, fmt


def test_written_files_match_render(tiny, tmp_path):
    from caravan.outputs.formats import export_plan

    for fmt, name in (("html", "a.html"), ("ics", "a.ics")):
        out = tmp_path / name
        export_plan(tiny, fmt=fmt, out=out)
        assert out.read_bytes() == render(tiny, fmt).data
    assert Path(tmp_path / "a.html").read_text(encoding="utf-8").count('class="sheet"') == 1


def test_a_week_without_visits_still_exports(tmp_path):
    empty = empty_plan(tmp_path)
    assert empty.routes == ()
    assert "no visits planned" in render(empty, "html").data.decode("utf-8")
    assert "BEGIN:VEVENT" not in render(empty, "ics").data.decode("utf-8")
    assert json.loads(render(empty, "geojson").data)["features"] == []
    assert render(empty, "png").data.startswith(b"\x89PNG")
    assert "ไม่มีการออกหน่วย / no visits" in render(empty, "map").data.decode("utf-8")
