"""Overnight tours in caravan plans (issue 13): the demo unchanged with --no-overnight, Chat
Trakan reached on tour, holidays and night limits kept, every output with its nights, plan
files with tours read back by export, replan and report; --lodging files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from caravan.errors import InputError, ParameterError
from caravan.geo.geography import load_geography
from caravan.geo.lodging import default_lodgings, lodgings_by_province, read_lodgings
from caravan.outputs.planfile import read_plan
from caravan.plan.replan import replan_week

from .conftest import ROOT, run_cli

GOLDEN_DEMO = ROOT / "tests" / "golden" / "demo_2026-W49_itinerary.csv"
#: the first 13 columns of itinerary.csv, as before tours
OLD_COLUMNS = 13


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def plan_cli(tmp_path: Path, name: str, *args: str) -> tuple[Path, dict, str]:
    out = tmp_path / name
    res = run_cli("plan", *args, "--no-map", "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out, json.loads((out / "plan.json").read_text(encoding="utf-8")), res.stdout


def by_kind(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    header = rows[0]
    out: dict[str, list[list[str]]] = {}
    for r in rows[1:]:
        out.setdefault(r[header.index("kind")], []).append(r)
    return out


def test_no_overnight_is_todays_plan_on_the_demo(tmp_path):
    """``caravan plan --week 2026-W49`` (today fixed): with --no-overnight the same itinerary
    rows as before tours existed (the golden file was written by the code before them) and
    the same objective. With the defaults too: no night pays that week."""
    golden = rows_of(GOLDEN_DEMO)
    for name, extra in (("trips", ["--no-overnight"]), ("default", [])):
        out, plan, _ = plan_cli(tmp_path, name, "--week", "2026-W49", *extra)
        rows = rows_of(out / "itinerary.csv")
        assert [r[:OLD_COLUMNS] for r in rows] == golden, name
        assert rows[0][OLD_COLUMNS:] == ["lat", "lon", "kind"]
        assert plan["objective"]["value"] == 1602.97
        assert plan["objective"]["nights"] == 0 and plan["tours"] == []
        assert plan["solver"]["status"] == "optimal"
    assert plan["parameters"]["max_nights"] == 2 and plan["parameters"]["night_cost"] == 26.0


@pytest.fixture(scope="module")
def chat_trakan(tmp_path_factory):
    """Phitsanulok, week 2026-W49, Chat Trakan required: it fits in no day trip."""
    tmp = tmp_path_factory.mktemp("tour")
    return plan_cli(tmp, "out", "--province", "65", "--week", "2026-W49", "--must-visit", "6503")


def test_chat_trakan_is_reached_on_tour(chat_trakan):
    out, plan, stdout = chat_trakan
    rows = rows_of(out / "itinerary.csv")
    header = rows[0]
    col = {c: header.index(c) for c in header}
    kinds = by_kind(rows)
    assert [r[col["code"]] for r in kinds["visit"]].count("6503") == 1
    (night,) = kinds["overnight"]
    assert night[col["name_th"]].startswith("พักค้างคืน ")
    assert night[col["name_en"]].startswith("overnight at ")
    # the next day's stop 0 departs from the lodging, at the start of the day
    after = rows[rows.index(night) + 1]
    assert after[col["kind"]] == "depart" and after[col["stop"]] == "0"
    assert after[col["code"]] == night[col["code"]]
    assert (
        after[col["date"]]
        == (dt.date.fromisoformat(night[col["date"]]) + dt.timedelta(days=1)).isoformat()
    )
    assert after[col["depart"]] == "08:30"
    # the night is the district office of a district of the province, not the base
    lodging = load_geography().sites[night[col["code"]]]
    assert lodging.level == "district" and lodging.province_code == "65"
    assert (after[col["lat"]], after[col["lon"]]) == (f"{lodging.lat:.6f}", f"{lodging.lon:.6f}")
    # the objective as documented: priority - drive minutes / 10 - nights x 26
    o = plan["objective"]
    assert o["nights"] == 1 and o["night_points"] == 26.0
    assert o["value"] == pytest.approx(o["priority"] - o["drive_minutes"] / 10 - 26, abs=0.01)
    (tour,) = plan["tours"]
    assert tour["unit"] == "65-1" and len(tour["dates"]) == 2
    assert tour["nights"][0]["code"] == lodging.code and tour["nights"][0]["from_base_km"] > 20
    assert f"night away: unit 65-1, {night[col['date']]} at {lodging.code}" in stdout
    assert "- 1 night(s) x 26" in stdout
    assert plan["solver"]["status"] == "optimal"


def test_without_nights_chat_trakan_cannot_be_required(tmp_path):
    res = run_cli(
        "plan", "--province", "65", "--week", "2026-W49", "--must-visit", "6503",
        "--no-overnight", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: must-visit site 6503 (Chat Trakan) cannot be reached, served and left within "
        "a day: the round trip from the base and the visit take 8 h 34 min, the day has "
        "8 h 00 min"
    )
    assert not list((tmp_path / "out").glob("*"))  # nothing written


def test_a_holiday_in_mid_week_forces_the_return(tmp_path):
    """Week 2026-W50: Monday 7 and Thursday 10 December are holidays, so Wednesday and
    Friday end at the base; Chat Trakan is reached by the Tuesday-Wednesday tour."""
    out, plan, _ = plan_cli(
        tmp_path, "w50", "--province", "65", "--week", "2026-W50", "--must-visit", "6503"
    )
    kinds = by_kind(rows_of(out / "itinerary.csv"))
    nights = [r[0] for r in kinds["overnight"]]
    assert nights == ["2026-12-08"]
    assert plan["parameters"]["dates"] == ["2026-12-08", "2026-12-09", "2026-12-11"]
    returns = {r[0] for r in kinds["return"]}
    assert {"2026-12-09", "2026-12-11"} <= returns


def test_a_night_that_does_not_pay_is_not_taken(tmp_path):
    """Without Chat Trakan required, nights at 26 points do not pay in week 2026-W49 (the
    plan is the day-trip plan); free nights do: they save driving."""
    _, paid, _ = plan_cli(tmp_path, "paid", "--province", "65", "--week", "2026-W49")
    _, free, _ = plan_cli(
        tmp_path, "free", "--province", "65", "--week", "2026-W49", "--night-cost", "0"
    )
    assert paid["objective"]["nights"] == 0
    assert free["objective"]["nights"] > 0
    assert free["objective"]["value"] > paid["objective"]["value"]
    assert free["objective"]["drive_minutes"] < paid["objective"]["drive_minutes"]


@pytest.mark.parametrize("limit", [0, 1, 2])
def test_max_nights_per_unit_and_week(tmp_path, limit):
    _, plan, _ = plan_cli(
        tmp_path, f"n{limit}", "--province", "65", "--week", "2026-W49",
        "--night-cost", "0", "--max-nights", str(limit),
    )  # fmt: skip
    assert plan["objective"]["nights"] == limit  # free nights: every one allowed is used
    assert sum(len(t["nights"]) for t in plan["tours"]) == limit


def test_export_and_replan_read_a_plan_with_tours(chat_trakan, tmp_path):
    out, plan, _ = chat_trakan
    res = run_cli(
        "export", str(out / "plan.json"), "--format", "csv", "--out", str(tmp_path / "x.csv")
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "x.csv").read_bytes() == (out / "itinerary.csv").read_bytes()
    (tour,) = plan["tours"]
    first = tour["dates"][0]
    replanned = tmp_path / "replan"
    res = run_cli(
        "replan", str(out / "plan.json"), "--done-through", first, "--out", str(replanned),
        "--no-map",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = rows_of(replanned / "itinerary.csv")
    header = rows[0]
    assert header[-4:] == ["changed", "lat", "lon", "kind"]
    second = [r for r in rows[1:] if r[0] == tour["dates"][1]]
    # the tour has begun: the replanned day starts at the lodging where the unit slept
    assert second[0][header.index("kind")] == "depart"
    assert second[0][header.index("code")] == tour["nights"][0]["code"]
    back = json.loads((replanned / "plan.json").read_text(encoding="utf-8"))
    assert back["objective"]["nights"] >= 1
    assert back["tours"][0]["nights"][0] == tour["nights"][0]


def test_ics_printable_and_map_show_the_night(chat_trakan, tmp_path):
    import icalendar

    out, plan, _ = chat_trakan
    night = plan["tours"][0]["nights"][0]
    for fmt, name in (("ics", "x.ics"), ("html", "x.html"), ("map", "map.html")):
        res = run_cli(
            "export", str(out / "plan.json"), "--format", fmt, "--out", str(tmp_path / name)
        )
        assert res.returncode == 0, res.stderr
    cal = icalendar.Calendar.from_ical((tmp_path / "x.ics").read_bytes())
    (event,) = [e for e in cal.walk("VEVENT") if "-night-" in str(e["UID"])]
    assert str(event["UID"]) == f"caravan-2026-W49-night-65-1-{night['date']}"
    assert str(event["SUMMARY"]).endswith(f"overnight at {night['name_en']}")
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert start.date().isoformat() == night["date"] and end.date() == start.date() + dt.timedelta(
        days=1
    )
    assert end.strftime("%H:%M") == "08:30"
    assert (event["GEO"].latitude, event["GEO"].longitude) == pytest.approx(
        (night["lat"], night["lon"])
    )
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert f"พักค้างคืน / sleeps at</dt><dd><b>{night['name_th']}</b>" in page
    assert f"{night['from_base_km']:.1f} km" in page and "ออกจากที่พัก / leaves from" in page
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "caravan-night" in html and "ทริปค้างคืน / tour" in html


def test_report_counts_nights_per_unit_and_season(tmp_path):
    db = tmp_path / "h.sqlite"
    for week, extra in (("2026-W49", ["--must-visit", "6503"]), ("2026-W50", [])):
        res = run_cli(
            "plan", "--province", "65", "--week", week, *extra, "--db", str(db), "--commit",
            "--no-map", "--out", str(tmp_path / week),
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
    res = run_cli("report", "--from", "2026-W49", "--to", "2026-W50", "--db", str(db))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert next(x for x in lines if x.startswith("2026-W49")).split()[-1] == "1"
    assert next(x for x in lines if x.startswith("2026-W50")).split()[-1] == "0"
    assert any(x.startswith("total:") and x.endswith("1 night(s) away") for x in lines)
    unit = next(x for x in lines if x.startswith("65-1"))
    assert unit.split()[1:3] == ["1", "2026-W49"]


# ---------------------------------------------------------------------------- lodging files


def test_default_lodgings_are_the_district_offices_but_the_base():
    geo = load_geography()
    codes = [s.code for s in default_lodgings(geo, "65")]
    assert "6503" in codes and "6501" not in codes  # 6501's office is the base
    assert len(codes) == 8


def test_a_lodging_file_replaces_the_defaults_of_its_provinces(tmp_path):
    f = tmp_path / "lodging.csv"
    f.write_text(
        "code,name_th,name_en,lon,lat\n"
        "GH1,บ้านพักชาติตระการ,Chat Trakan guesthouse,100.61,17.28\n"
        "6502,,,,\n",
        encoding="utf-8",
    )
    geo = load_geography()
    sites = read_lodgings(f, geo)
    assert [(s.code, s.level, s.province_code) for s in sites] == [
        ("GH1", "lodging", "65"),
        ("6502", "district", "65"),
    ]
    assert sites[0].district_code == "6503"
    by_prov = lodgings_by_province(geo, ["65", "35"], sites)
    assert [s.code for s in by_prov["65"]] == ["GH1", "6502"]
    assert [s.code for s in by_prov["35"]] == [s.code for s in default_lodgings(geo, "35")]


def test_a_plan_sleeps_only_where_the_file_says(tmp_path):
    f = tmp_path / "lodging.csv"
    f.write_text(
        "code,name_th,name_en,lon,lat,province_code\n"
        "GH1,บ้านพักชาติตระการ,Chat Trakan guesthouse,100.61,17.28,65\n",
        encoding="utf-8",
    )
    out, plan, _ = plan_cli(
        tmp_path, "gh", "--province", "65", "--week", "2026-W49", "--must-visit", "6503",
        "--lodging", str(f),
    )  # fmt: skip
    assert [n["code"] for t in plan["tours"] for n in t["nights"]] == ["GH1"]
    assert plan["parameters"]["lodging"] == str(f)
    assert {s["code"]: s["level"] for s in plan["sites"]}["GH1"] == "lodging"
    row = next(r for r in rows_of(out / "itinerary.csv") if r[-1] == "overnight")
    assert row[3:6] == ["GH1", "พักค้างคืน บ้านพักชาติตระการ", "overnight at Chat Trakan guesthouse"]
    assert plan["parameters"]["lodgings"] == {"65": ["GH1"]}
    # the plan holds its lodgings: a replan needs no lodging file
    f.unlink()
    res = run_cli(
        "replan", str(out / "plan.json"), "--done-through", row[0], "--no-map",
        "--out", str(tmp_path / "replan"),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    back = json.loads((tmp_path / "replan" / "plan.json").read_text(encoding="utf-8"))
    assert back["parameters"]["lodgings"] == {"65": ["GH1"]}
    assert back["tours"][0]["nights"][0]["code"] == "GH1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name_th,lon,lat\n", "missing column 'name_en'"),
        ("code,name_th,name_en,lon,lat\nG1,ก,g,abc,17\n", ":2: field 'lon': not a number: 'abc'"),
        (
            "code,name_th,name_en,lon,lat\n6503,x,y,100.6,17.3\n",
            ":2: field 'name_th': 6503 is a district: leave name_th, name_en, lon and lat empty",
        ),
        (
            "code,name_th,name_en,lon,lat\n650301,x,y,100.6,17.3\n",
            ":2: field 'code': '650301' is the code of a tambon site: give a lodging its own code",
        ),
        (
            "code,name_th,name_en,lon,lat\nG1,ก,g,98.0,13.7\n",
            ":2: field 'lon': point 98.000000,13.700000 lies in none of the provinces caravan "
            "knows: give its province_code",
        ),
        (
            "code,name_th,name_en,lon,lat\nG1,ก,g,100.6,17.3\nG1,ข,h,100.5,17.2\n",
            ":3: field 'code': code 'G1' appears twice",
        ),
        ("code,name_th,name_en,lon,lat\nG1,,g,100.6,17.3\n", ":2: field 'name_th': empty"),
    ],
)
def test_bad_lodging_files_name_the_line_and_field(tmp_path, text, message):
    f = tmp_path / "lodging.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_lodgings(f, load_geography())
    assert str(err.value).startswith(str(f)) and message in str(err.value)


def test_a_bad_lodging_file_stops_the_plan_with_one_line(tmp_path):
    f = tmp_path / "lodging.csv"
    f.write_text("code,name_th,name_en,lon,lat\nG1,ก,g,abc,17\n", encoding="utf-8")
    res = run_cli("plan", "--province", "65", "--lodging", str(f), "--out", str(tmp_path / "o"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == f"Error: {f}:2: field 'lon': not a number: 'abc'"
    assert not list((tmp_path / "o").glob("*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-nights", "7"], "'--max-nights': must be between 0 and 6, got 7"),
        (["--night-cost", "-1"], "'--night-cost': must be a number >= 0, got -1.0"),
        (
            ["--engine", "routing"],
            "'--engine': the routing engine plans day trips only: add --no-overnight",
        ),
    ],
)
def test_bad_tour_options(tmp_path, args, message):
    res = run_cli("plan", *args, "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == f"Error: Invalid value for {message}"


def test_a_day_of_a_tour_cannot_be_pinned(chat_trakan):
    """Pinning keeps a unit-day as it is while the others are planned again (the web page's
    replan); a day that starts or ends at a lodging would leave its neighbours starting or
    ending there, so it is refused with what can be pinned instead."""
    out, _, _ = chat_trakan
    orig = read_plan(out / "plan.json")
    after = next(r for r in orig.routes if r.from_lodging)  # the day after the night away
    monday = orig.parameters.dates[0]
    assert after.unit_day.date > monday  # not kept anyway by --done-through
    with pytest.raises(ParameterError) as err:
        replan_week(
            plan=orig, done_through=monday, pinned=[(after.unit_day.date, after.unit_day.unit)]
        )
    assert err.value.param == "--pin"
    assert err.value.reason == (
        f"unit {after.unit_day.unit} on {after.unit_day.date.isoformat()} is on a tour with "
        "nights away: only day trips can be pinned (the tour is planned again as a whole)"
    )
