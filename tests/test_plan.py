"""caravan plan end to end: an exact hand-checked week, feasibility of the demo plan against
``caravan matrix``, outputs, and the exact error line for each kind of bad input."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from caravan.atomic import OutputDir
from caravan.plan.week import plan_week

from .conftest import run_cli

# Amnat Charoen, district level. Drive minutes from the base (Mueang Amnat Charoen office):
# Chanuman 3702: 65, Hua Taphan 3706: 28, Lue Amnat 3707: 21; 3706 <-> 3707: 20.
# Priorities (received on the planned Monday, so the age factor is 1):
#   3702: two critical domestic-violence cases, 2 x 3 x 4 = 24
#   3706: one high elderly case, 1.5 x 2 = 3;  3707: one normal elderly case, 1.5
#   3703: one resolved case, priority 0
# One unit, two days, visits of 180 min in 08:30-16:30, 10 drive minutes per point:
#   Chanuman alone: 24 - 130/10 = 11.0; it leaves no room for a second visit that day.
#   Hua Taphan alone costs 56 min = 5.6 points > 3; Lue Amnat 42 min = 4.2 > 1.5; both
#   together 69 min = 6.9 > 4.5. So the optimum is Chanuman on Monday, nothing else.
TINY = (
    "id,received,district_code,category,status,urgency\n"
    "T1,2026-09-28,3702,domestic_violence,open,critical\n"
    "T2,2026-09-28,3702,domestic_violence,open,critical\n"
    "T3,2026-09-28,3706,elderly,open,high\n"
    "T4,2026-09-28,3707,elderly,open,normal\n"
    "T5,2026-09-28,3703,roads,resolved,normal\n"
)
BASE37 = (
    "BASE37,ฐาน อำนาจเจริญ (ที่ว่าการอำเภอเมืองอำนาจเจริญ),"
    "Amnat Charoen base (Mueang Amnat Charoen district office)"
)
#: where Chanuman's district site is, as itinerary.csv writes it (lat,lon)
CHANUMAN = "16.232505,104.950721"


def read_itinerary(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "itinerary.csv must start with a UTF-8 BOM"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def plan_tiny_week(tmp_path: Path, *extra: str):
    """``caravan plan`` on the tiny complaint file: Amnat Charoen, two days, 180-minute visits,
    with the straight-line estimate (drive minutes checked by hand)."""
    src = tmp_path / "tiny.csv"
    src.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    args = ("--province", "37", "--week", "2026-W40", "--days", "2", "--service-minutes", "180")
    args += ("--travel", "straight")
    res = run_cli("plan", "--complaints", str(src), *args, *extra, "--out", str(out))
    assert res.returncode == 0, res.stderr
    return res, out


def test_tiny_week_exact_plan(tmp_path):
    res, out = plan_tiny_week(tmp_path)
    text = (out / "itinerary.csv").read_bytes().decode("utf-8-sig")
    base = "15.858330,104.630000"
    assert text.splitlines() == [
        "date,unit,stop,code,name_th,name_en,arrive,depart,drive_minutes,drive_km,priority,"
        "province_code,open_complaints,lat,lon,kind",
        f"2026-09-28,37-1,0,{BASE37},,08:30,,,,37,,{base},depart",
        f"2026-09-28,37-1,1,3702,ชานุมาน,Chanuman,09:35,12:35,65,64.7,24.00,37,2,{CHANUMAN},visit",
        f"2026-09-28,37-1,2,{BASE37},13:40,,65,64.7,,37,,{base},return",
    ]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["objective"]["value"] == 11.0
    assert plan["objective"]["priority"] == 24.0
    assert plan["objective"]["drive_minutes"] == 130
    assert plan["solver"]["status"] == "optimal"
    reasons = {u["code"]: (u["reason_code"], u["reason"]) for u in plan["unvisited"]}
    assert reasons["3706"] == (
        "not_worth_detour",
        "its priority (3.00) is worth less than the detour (56 drive minutes = 5.60 points)",
    )
    assert reasons["3707"] == (
        "not_worth_detour",
        "its priority (1.50) is worth less than the detour (42 drive minutes = 4.20 points)",
    )
    assert reasons["3703"][0] == "no_open_complaints"
    assert set(reasons) == {"3701", "3703", "3704", "3705", "3706", "3707"}
    assert "objective: 11.00 = priority 24.00 - 130 drive min / 10" in res.stdout
    assert "solver: exact, optimal" in res.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's plan (built-in sample, all three provinces) and the matrix it must obey."""
    out = tmp_path_factory.mktemp("demo")
    res = run_cli("plan", "--week", "2026-W49", "--out", str(out))
    assert res.returncode == 0, res.stderr
    m = run_cli("matrix", "-o", str(out / "matrix.csv"))
    assert m.returncode == 0, m.stderr
    with open(out / "matrix.csv", encoding="utf-8") as fh:
        matrix = {
            (r["from_code"], r["to_code"]): (int(r["minutes"]), r["km"]) for r in csv.DictReader(fh)
        }
    return out, res, matrix


def _clock(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def test_demo_plan_is_feasible_against_caravan_matrix(demo):
    out, _res, matrix = demo
    rows = read_itinerary(out / "itinerary.csv")
    assert rows, "the demo plan visits nothing"
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    service = plan["parameters"]["service_minutes"]
    assert service == 240  # the district-level default
    seen = set()
    days: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        days.setdefault((r["date"], r["unit"]), []).append(r)
    for (_date, unit), stops in days.items():
        base = "BASE" + unit.split("-")[0]
        assert [int(s["stop"]) for s in stops] == list(range(len(stops)))
        assert stops[0]["code"] == base == stops[-1]["code"]
        assert stops[0]["arrive"] == "" and stops[-1]["depart"] == ""
        assert _clock(stops[0]["depart"]) >= _clock("08:30")
        assert _clock(stops[-1]["arrive"]) <= _clock("16:30")
        for prev, cur in itertools.pairwise(stops):
            minutes, km = (
                matrix[(prev["code"], cur["code"])] if prev["code"] != cur["code"] else (0, "0.0")
            )
            assert int(cur["drive_minutes"]) == minutes
            assert cur["drive_km"] == km
            assert _clock(cur["arrive"]) == _clock(prev["depart"]) + minutes
        for s in stops[1:-1]:
            assert _clock(s["depart"]) - _clock(s["arrive"]) == service
            assert s["code"] not in seen, f"{s['code']} visited twice"
            seen.add(s["code"])
            assert s["code"][:2] == unit[:2], "a unit left its province"


def test_demo_outputs_and_summary(demo):
    out, res, _ = demo
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    rows = read_itinerary(out / "itinerary.csv")
    visits = [r for r in rows if r["code"][:4] != "BASE"]
    assert plan["objective"]["visits"] == len(visits)
    drive = sum(int(r["drive_minutes"] or 0) for r in rows)
    prio = sum(float(r["priority"] or 0) for r in rows)
    assert plan["objective"]["drive_minutes"] == drive
    assert plan["objective"]["value"] == pytest.approx(prio - drive / 10, abs=1e-6)
    assert plan["solver"]["status"] == "optimal"
    # every candidate is either visited or listed with a reason
    listed = {u["code"] for u in plan["unvisited"]} | {r["code"] for r in visits}
    assert len(listed) == 25
    assert all(u["reason"] for u in plan["unvisited"])
    assert "not_selected" not in {u["reason_code"] for u in plan["unvisited"]}
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "ตารางการออกหน่วย / Schedule" in html and "open complaints per km²" in html
    for line in ("visits:", "complaints reached:", "drive:", "objective:", "solver: exact"):
        assert line in res.stdout
    assert f"wrote {out / 'itinerary.csv'}" in res.stdout


def test_tambon_level_plan_is_valid():
    """Day trips only: proven optimal. With nights away allowed (the default) the routes
    are too many to enumerate: the heuristic starts from the day trips, so it is never
    worse, and it says it has no bound."""
    kwargs = dict(
        provinces=["37"],
        level="tambon",
        units=2,
        week="2026-W49",
        time_limit=10,
        today=dt.date(2026, 11, 27),
    )
    trips = plan_week(**kwargs, overnight=False)
    tours = plan_week(**kwargs)
    for plan in (trips, tours):
        visited = [v.code for v in plan.visits]
        assert len(visited) == len(set(visited)) > 0
        assert all(len(c) == 6 and c.startswith("37") for c in visited)
        assert plan.solve.objective == pytest.approx(plan.objective, abs=1e-6)
        assert len(visited) + len(plan.unvisited) == 56
    assert trips.solve.status == "optimal"
    assert tours.solve.engine == "search" and tours.solve.bound is None
    assert tours.objective >= trips.objective - 1e-6


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["--province", "99"],
            2,
            "Error: Invalid value for '--province': unknown province '99' (choose from 35, 37, 65)",
        ),
        (
            ["--week", "2026-49"],
            2,
            "Error: Invalid value for '--week': '2026-49' is not an ISO week like 2026-W49",
        ),
        (
            ["--week", "2026-W54"],
            2,
            "Error: Invalid value for '--week': '2026-W54': year 2026 has no week 54",
        ),
        (
            ["--day-start", "08:00", "--day-end", "10:00"],
            2,
            "Error: Invalid value for '--day-end': the day window 08:00-10:00 (2 h 00 min) is "
            "shorter than one visit (4 h 00 min): no site can be visited",
        ),
        (
            ["--day-start", "8h30"],
            2,
            "Error: Invalid value for '--day-start': '8h30' is not a time like 08:30",
        ),
        (
            ["--complaints", "no-such-file.csv"],
            1,  # a data error, as for every input file (issue 17.7)
            "Error: no-such-file.csv: file not found",
        ),
        (
            ["--must-visit", "6501", "--province", "35"],
            2,
            "Error: Invalid value for '--must-visit': '6501' is not a district of the planned "
            "provinces (35)",
        ),
        (
            ["--must-visit", "3502", "--skip", "3502", "--province", "35"],
            2,
            "Error: Invalid value for '--skip': '3502' is both a must-visit and a skipped site",
        ),
    ],
)
def test_usage_errors(tmp_path, args, code, line):
    res = run_cli("plan", *args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert res.returncode == code
    assert res.stderr.strip().splitlines()[-1] == line
    assert not (tmp_path / "out" / "itinerary.csv").exists()


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    res = run_cli("plan", "--out", str(blocker / "out"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: cannot write to output folder '{blocker / 'out'}': Not a directory"
    )


def test_bad_complaint_file_is_a_data_error(tmp_path):
    src = tmp_path / "bin.csv"
    src.write_bytes(b"\x00\x01\x02binary")
    res = run_cli("plan", "--complaints", str(src), "--out", str(tmp_path / "out"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: {src}: not a text CSV file (binary content)"
    )


@pytest.mark.parametrize(
    ("extra", "end"),
    [
        (["--no-overnight"], "the day has 3 h 30 min"),
        # with nights away: one night to get there, one after the visit
        (
            ["--max-nights", "1"],
            "it would take 2 night(s) away (sleeping at Chat Trakan), and --max-nights allows 1",
        ),
        (
            ["--days", "2"],
            "it would take 3 working days in a row with 2 night(s) away (sleeping at Chat "
            "Trakan), and this week's longest run of working days is 2",
        ),
    ],
)
def test_unreachable_must_visit_is_a_data_error(tmp_path, extra, end):
    res = run_cli(
        "plan",
        "--province",
        "65",
        "--week",
        "2026-W49",
        "--must-visit",
        "6503",
        "--day-start",
        "08:00",
        "--day-end",
        "11:30",
        "--service-minutes",
        "180",
        *extra,
        "--out",
        str(tmp_path / "out"),
    )
    assert res.returncode == 1
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "Error: must-visit site 6503 (Chat Trakan) cannot be reached, "
        "served and left within a day: the round trip from the base and "
        "the visit take "
    )
    assert last.endswith(end)


def test_nothing_half_written_when_a_write_fails(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "itinerary.csv").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), OutputDir(out) as od:
        od.path("itinerary.csv").write_text("new", encoding="utf-8")
        raise RuntimeError("the map failed")
    assert (out / "itinerary.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in out.iterdir()) == ["itinerary.csv"]


def test_python_m_caravan_works():
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "caravan", "--version"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0 and res.stdout.startswith("caravan, version ")


def test_tiny_week_with_the_routing_engine(tmp_path):
    """``--engine routing`` (plain OR-Tools routing) makes the same plan on the tiny week and
    says which engine made it and that it claims no bound."""
    res, out = plan_tiny_week(
        tmp_path, "--engine", "routing", "--no-overnight", "--time-limit", "1"
    )
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["objective"]["value"] == 11.0
    assert plan["solver"]["engine"] == "routing"
    assert plan["solver"]["status"] == "feasible"
    assert plan["solver"]["bound"] is None
    assert "solver: routing, feasible (no bound)" in res.stdout
