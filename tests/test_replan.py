"""Working days (built-in Thai holidays, --holiday, --workday) and mid-week replanning."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from importlib.metadata import version
from pathlib import Path

import holidays
import pytest

from caravan.errors import NoPlanError, ParameterError
from caravan.plan.workdays import builtin_holidays, package_holidays, working_days

from .conftest import ROOT, run_cli

PLAN = ("plan", "--province", "35", "--time-limit", "2", "--no-map", "--quiet")
W50 = dt.date(2026, 12, 7)  # Monday of 2026-W50: a substitution day; Thursday 10 December too


def test_the_holiday_file_is_complete_and_consistent():
    days = builtin_holidays()
    assert {d.year for d in days} == {2026, 2027}
    for day, h in days.items():
        assert h.kind in ("holiday", "substitution", "special")
        assert h.status in ("official", "provisional") and h.name_th and h.name_en
        if h.kind == "holiday" and day.weekday() >= 5:  # a weekend holiday is made up
            nxt = day + dt.timedelta(days=7 - day.weekday())
            while nxt in days and days[nxt].kind != "substitution":
                nxt += dt.timedelta(days=1)
            assert days.get(nxt) and days[nxt].kind == "substitution", day
    assert days[dt.date(2026, 12, 7)].kind == "substitution"
    assert days[dt.date(2026, 4, 13)].name_en == "Songkran Festival"


def test_working_days_of_a_week_with_holidays():
    week = working_days(monday=W50, days=5)
    assert week.dates == (dt.date(2026, 12, 8), dt.date(2026, 12, 9), dt.date(2026, 12, 11))
    assert [(d.date.day, d.source) for d in week.days_off] == [(7, "built-in"), (10, "built-in")]
    both = working_days(monday=W50, days=5, workdays=["2026-12-10", "2026-12-12"])
    assert [d.day for d in both.dates] == [8, 9, 10, 11, 12]
    extra = working_days(monday=W50, days=5, holidays=["2026-12-09"])
    assert [d.day for d in extra.dates] == [8, 11]
    with pytest.raises(NoPlanError):
        working_days(monday=W50, days=1)
    with pytest.raises(ParameterError):
        working_days(monday=W50, days=5, holidays=["2026-12-14"])


def test_holidays_of_other_years_come_from_the_holidays_package():
    """2028 is not in the built-in table: Songkran (Thursday 13 and Friday 14 April) comes
    from the holidays package; Labour Day (Monday 1 May) is a working day for government
    offices. The note names the source and its version."""
    songkran = working_days(monday=dt.date(2028, 4, 10), days=5)
    assert [d.day for d in songkran.dates] == [10, 11, 12]
    assert [(d.date.day, d.name_th, d.name_en, d.source) for d in songkran.days_off] == [
        (13, "วันสงกรานต์", "Songkran Festival", "holidays package"),
        (14, "วันสงกรานต์", "Songkran Festival", "holidays package"),
    ]
    assert songkran.notes == (
        f"holidays of 2028 come from the holidays package {version('holidays')} (caravan's "
        "own table covers 2026-2027): check them against the Cabinet's calendar and add a day "
        "off with --holiday",
    )
    labour = working_days(monday=dt.date(2028, 5, 1), days=5)
    assert [d.day for d in labour.dates] == [1, 2, 3, 5]
    assert [(d.date.day, d.name_en, d.source) for d in labour.days_off] == [
        (4, "Coronation Day", "holidays package")
    ]
    assert not package_holidays(2028).keys() & {dt.date(2028, 1, 8), dt.date(2028, 5, 1)}


def test_the_built_in_table_overrides_the_holidays_package():
    """The package has 3 May 2027 off (Labour Day's substitute); the curated table does not;
    a week across the new year takes each day from its own year's calendar."""
    assert dt.date(2027, 5, 3) in holidays.Thailand(years=2027)
    may = working_days(monday=dt.date(2027, 5, 3), days=5)
    assert dt.date(2027, 5, 3) in may.dates and may.notes == ()
    new_year = working_days(monday=dt.date(2027, 12, 27), days=7)
    assert [(d.date.isoformat(), d.source) for d in new_year.days_off] == [
        ("2027-12-31", "built-in"),
        ("2028-01-01", "holidays package"),
    ]


def test_a_2028_plan_names_the_source_of_each_day_off(tmp_path):
    out = tmp_path / "out"
    res = run_cli(*PLAN[:-1], "--week", "2028-W15", "--holiday", "2028-04-12", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (
        "days off: 2028-04-12 holiday (--holiday) (--holiday); 2028-04-13 Songkran Festival "
        "(holidays package); 2028-04-14 Songkran Festival (holidays package)"
    ) in res.stdout.splitlines()
    assert "note: holidays of 2028 come from the holidays package" in res.stdout
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["parameters"]["dates"] == ["2028-04-10", "2028-04-11"]
    assert [(d["date"], d["name_th"], d["source"]) for d in plan["days_off"]] == [
        ("2028-04-12", "วันหยุด (กำหนดเพิ่ม)", "--holiday"),
        ("2028-04-13", "วันสงกรานต์", "holidays package"),
        ("2028-04-14", "วันสงกรานต์", "holidays package"),
    ]


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ("--week", "2026-W50", "--holiday", "2026-13-01"),
            2,
            "Error: Invalid value for '--holiday': '2026-13-01' is not a date like 2026-12-07",
        ),
        (
            ("--week", "2026-W50", "--holiday", "2026-12-20"),
            2,
            "Error: Invalid value for '--holiday': 2026-12-20 is not in week 2026-W50 "
            "(2026-12-07 to 2026-12-13)",
        ),
        (
            ("--week", "2026-W50", "--workday", "2026-12-08", "--holiday", "2026-12-08"),
            2,
            "Error: Invalid value for '--workday': 2026-12-08 is both a --holiday and a --workday",
        ),
        (
            ("--week", "2026-W50", "--days", "1"),
            1,
            "Error: week 2026-W50 has no working day left in its first 1 day(s) (2026-12-07 "
            "Substitution for National Day and National Father's Day): use --workday DATE to "
            "work on one of them",
        ),
        (
            ("--week", "2026-W50", "--recency-weeks", "-1"),
            2,
            "Error: Invalid value for '--recency-weeks': -1 is not in the range 0<=x<=104.",
        ),
    ],
)
def test_calendar_usage_errors(tmp_path, args, code, line):
    res = run_cli(*PLAN, *args, "--out", str(tmp_path / "out"))
    assert res.returncode == code
    assert res.stderr.strip().splitlines()[-1] == line
    assert not (tmp_path / "out" / "plan.json").exists()


def test_a_plan_skips_the_holidays_and_says_so(tmp_path):
    out = tmp_path / "out"
    res = run_cli(*PLAN[:-1], "--week", "2026-W50", "--workday", "2026-12-10", "--out", str(out))
    assert res.returncode == 0, res.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["parameters"]["dates"] == ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]
    assert [d["date"] for d in plan["days_off"]] == ["2026-12-07"]
    assert {r["date"] for r in plan["routes"]} <= set(plan["parameters"]["dates"])
    assert (
        "days off: 2026-12-07 Substitution for National Day and National Father's Day (built-in)"
        in res.stdout
    )


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def replanned(tmp_path_factory):
    """Week 2026-W49 planned and recorded; on Tuesday evening five critical cases arrive in
    Maha Chana Chai (3506), which the plan did not visit; the rest of the week is replanned."""
    tmp = tmp_path_factory.mktemp("replan")
    db = tmp / "h.sqlite"
    first = tmp / "w49"
    res = run_cli(*PLAN, "--week", "2026-W49", "--db", str(db), "--commit", "--out", str(first))
    assert res.returncode == 0, res.stderr
    sample = (ROOT / "data" / "sample" / "complaints.csv").read_text(encoding="utf-8")
    urgent = "".join(
        f"U{i},2026-11-26,35,3506,,,,domestic_violence,open,critical\n" for i in range(5)
    )
    new = tmp / "complaints.csv"
    new.write_text(sample + urgent, encoding="utf-8")
    second = tmp / "replan"
    res = run_cli(
        "replan",
        str(first / "plan.json"),
        "--done-through",
        "2026-12-01",
        "--complaints",
        str(new),
        "--db",
        str(db),
        "--commit",
        "--time-limit",
        "2",
        "--no-map",
        "--out",
        str(second),
    )
    assert res.returncode == 0, res.stderr
    return db, first, second, res


def test_replan_keeps_the_days_done_and_adds_the_urgent_site(replanned):
    _db, first, second, _res = replanned
    before, after = _rows(first / "itinerary.csv"), _rows(second / "itinerary.csv")
    assert "3506" not in {r["code"] for r in before}, "the test needs a site the plan left out"
    kept = [r for r in before if r["date"] <= "2026-12-01"]
    assert [{k: v for k, v in r.items() if k != "changed"} for r in after[: len(kept)]] == kept
    assert {r["changed"] for r in after[: len(kept)] if r["code"][:4] != "BASE"} == {"done"}
    done = {r["code"] for r in kept if r["code"][:4] != "BASE"}
    later = [r for r in after if r["date"] > "2026-12-01" and r["code"][:4] != "BASE"]
    assert not done & {r["code"] for r in later}, "a site visited this week came back"
    assert any(r["code"] == "3506" and r["changed"] == "added" for r in later)
    assert all(r["changed"] == "" for r in after if r["code"][:4] == "BASE")
    assert all(
        r["date"] in {"2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"}
        for r in after
    )


def test_replan_lists_every_change(replanned):
    _db, first, second, res = replanned
    old = json.loads((first / "plan.json").read_text(encoding="utf-8"))
    new = json.loads((second / "plan.json").read_text(encoding="utf-8"))

    def places(plan, after):
        return {
            s["code"]: (r["date"], r["unit"], s["arrive"])
            for r in plan["routes"]
            if r["date"] > after
            for s in r["stops"]
            if s["kind"] == "visit"
        }

    a, b = places(old, "2026-12-01"), places(new, "2026-12-01")
    expected = set()
    for code in a.keys() | b.keys():
        if code not in b:
            expected.add((code, "removed"))
        elif code not in a:
            expected.add((code, "added"))
        elif a[code][:2] != b[code][:2]:
            expected.add((code, "moved"))
        elif a[code][2] != b[code][2]:
            expected.add((code, "retimed"))
    got = {(c["code"], c["change"]) for c in new["replan"]["changes"]}
    assert got == expected and ("3506", "added") in got
    assert new["replan"]["done_through"] == "2026-12-01"
    assert new["parameters"]["dates"] == old["parameters"]["dates"]
    assert "changes against" in res.stdout and "added    3506" in res.stdout


def test_replan_is_recorded_in_place_of_the_plan(replanned):
    db, _first, _second, _res = replanned
    listed = run_cli("history", "list", "--db", str(db))
    lines = listed.stdout.splitlines()
    assert lines[1].split()[:2] == ["#1", "2026-W49"] and "replaced by #2" in lines[1]
    assert lines[2].split()[:2] == ["#2", "2026-W49"] and "replan of #1" in lines[2]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--done-through", "2026-12-32"),
            "Error: Invalid value for '--done-through': '2026-12-32' is not a date like 2026-12-07",
        ),
        (
            ("--done-through", "2026-12-20"),
            "Error: Invalid value for '--done-through': 2026-12-20 is not in the plan's week "
            "2026-W49 (2026-11-30 to 2026-12-06)",
        ),
        (
            ("--done-through", "2026-12-04"),
            "Error: Invalid value for '--done-through': no working day of 2026-W49 is left after "
            "2026-12-04 (the plan's days: 2026-11-30, 2026-12-01, 2026-12-02, 2026-12-03, "
            "2026-12-04)",
        ),
        (
            ("--done-through", "2026-12-01", "--holiday", "2026-11-30"),
            "Error: Invalid value for '--holiday': 2026-11-30 is not one of the days left to "
            "replan (2026-W49 after 2026-12-01)",
        ),
    ],
)
def test_replan_usage_errors(replanned, tmp_path, args, line):
    _db, first, _second, _res = replanned
    res = run_cli(
        "replan", str(first / "plan.json"), *args, "--no-history", "--out", str(tmp_path / "o")
    )
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == line


def test_replan_of_a_missing_plan(tmp_path):
    res = run_cli(
        "replan",
        str(tmp_path / "nope.json"),
        "--done-through",
        "2026-12-01",
        "--out",
        str(tmp_path / "o"),
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == f"Error: {tmp_path / 'nope.json'}: file not found"


def test_replan_reads_new_complaints_with_the_reading_options(replanned, tmp_path):
    """``replan --complaints`` takes the same reading options as ``plan``: a file whose place
    column has an unknown header is refused, and read once --column names it."""
    _db, first, _second, _res = replanned
    new = tmp_path / "new.csv"
    rows = "".join(f"U{i},2026-11-26,3506,domestic_violence,open,critical\n" for i in range(5))
    new.write_text("id,received,where,category,status,urgency\n" + rows, encoding="utf-8")
    args = ("replan", str(first / "plan.json"), "--done-through", "2026-12-01")
    args += ("--complaints", str(new), "--no-history", "--no-map", "--time-limit", "2")
    res = run_cli(*args, "--out", str(tmp_path / "refused"))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: {new}:1: missing location columns (district, tambon, or lat and lon; "
        "for example อำเภอ, ตำบล, ละติจูด, ลองจิจูด)"
    )
    assert not (tmp_path / "refused" / "itinerary.csv").exists()
    res = run_cli(*args, "--column", "district=where", "--out", str(tmp_path / "read"))
    assert res.returncode == 0, res.stderr
    after = _rows(tmp_path / "read" / "itinerary.csv")
    assert "3506" in {r["code"] for r in after if r["date"] > "2026-12-01"}
    assert "complaints: 5 rows read" in res.stdout


def test_replan_keeps_the_population_and_the_request(tmp_path):
    """A replanned map shades per 10,000 residents like the plan it replaces (the
    population is carried in plan.json, not read again), and the replan's request is the
    original one with the replan's changes."""
    pop = tmp_path / "population.csv"
    pop.write_text(
        "code,population\n3701,100000\n3702,40000\n3703,30000\n3704,20000\n3705,25000\n"
        "3706,50000\n3707,25000\n",
        encoding="utf-8",
    )
    first, second = tmp_path / "w49", tmp_path / "w49b"
    res = run_cli(
        "plan", "--province", "37", "--week", "2026-W49", "--population", str(pop),
        "--no-history", "--time-limit", "2", "--quiet", "--out", str(first),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    pop.unlink()  # the replan must not need the file again
    res = run_cli(
        "replan", str(first / "plan.json"), "--done-through", "2026-11-30", "--skip", "3703",
        "--no-history", "--quiet", "--out", str(second),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    before = json.loads((first / "plan.json").read_text(encoding="utf-8"))
    after = json.loads((second / "plan.json").read_text(encoding="utf-8"))
    assert after["population"] == before["population"]
    assert len(after["population"]) == 7
    assert after["request"] == {**before["request"], "skip": ["3703"]}
    assert "per 10,000 residents" in (second / "map.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def two_units(tmp_path_factory):
    """Amnat Charoen at tambon level, two units, two days (tests/plans.py: three routes)."""
    from .plans import browser_plan

    return browser_plan(tmp_path_factory.mktemp("pins"))


def _feasible(plan) -> None:
    """Every route starts and ends in its day window, and no site is visited twice."""
    seen = [s.code for r in plan.routes for s in r.visits]
    assert len(seen) == len(set(seen))
    p = plan.parameters
    for r in plan.routes:
        times = [t for s in r.stops for t in (s.arrive, s.depart) if t is not None]
        assert p.day_start <= min(times) and max(times) <= p.day_end
        assert times == sorted(times)


def test_a_pinned_unit_day_keeps_its_route_and_the_others_are_planned_again(two_units):
    from caravan.plan.replan import replan_week

    plan = two_units
    pinned = plan.routes[0]
    other = next(r for r in plan.routes if r is not pinned)
    dropped = other.visits[0].code
    day, unit = pinned.unit_day.date, pinned.unit_day.unit
    new = replan_week(plan=plan, pinned=[(day.isoformat(), unit)], skip=[dropped])
    kept = next(r for r in new.routes if (r.unit_day.date, r.unit_day.unit) == (day, unit))
    assert kept.stops == pinned.stops
    assert dropped not in {s.code for r in new.routes for s in r.visits}
    assert {new.replan.change_of(day, unit, s.code) for s in pinned.visits} == {"pinned"}
    assert [c.change for c in new.replan.changes if c.code == dropped] == ["removed"]
    assert new.replan.done_through == dt.date(2026, 9, 27)  # nothing of the week worked yet
    assert new.notes[0] == (
        f"replan of (in memory): the {len(pinned.visits)} visit(s) of the pinned unit-day(s) "
        f"{unit} {day.isoformat()} are kept; 2026-09-28, 2026-09-29 planned again"
    )
    _feasible(new)


@pytest.mark.parametrize(
    ("kwargs", "param", "reason"),
    [
        (
            {"pinned": [("2026-09-28", "37-9")]},
            "--pin",
            "the plan has no unit 37-9 on 2026-09-28 to pin",
        ),
        (
            {"pinned": [(d, u) for d in ("2026-09-28", "2026-09-29") for u in ("37-1", "37-2")]},
            "--pin",
            "every unit-day left to plan is pinned: nothing to replan",
        ),
        ({"done_through": "2026-10-05"}, "--done-through", None),
    ],
)
def test_pins_that_cannot_be(two_units, kwargs, param, reason):
    from caravan.plan.replan import replan_week

    with pytest.raises(ParameterError) as err:
        replan_week(plan=two_units, **kwargs)
    assert err.value.param == param
    if reason:
        assert err.value.reason == reason


def test_replan_pins_from_the_command_line(two_units, tmp_path):
    """``caravan replan --pin UNIT:DATE`` = ``replan_week(pinned=...)``; without
    --done-through nothing before the pins is kept."""
    from caravan.outputs.planfile import read_plan
    from caravan.outputs.write import write_plan

    write_plan(two_units, tmp_path / "a", with_map=False)
    pinned = two_units.routes[0]
    day, unit = pinned.unit_day.date.isoformat(), pinned.unit_day.unit
    res = run_cli(
        "replan", str(tmp_path / "a" / "plan.json"), "--pin", f"{unit}:{day}",
        "--no-history", "--no-map", "--quiet", "--out", str(tmp_path / "b"),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    new = read_plan(tmp_path / "b" / "plan.json")
    (kept,) = [
        r for r in new.routes if (r.unit_day.date.isoformat(), r.unit_day.unit) == (day, unit)
    ]
    assert kept.stops == pinned.stops
    rows = _rows(tmp_path / "b" / "itinerary.csv")
    mine = [r for r in rows if (r["date"], r["unit"]) == (day, unit) and r["kind"] == "visit"]
    assert len(mine) == len(pinned.visits) and {r["changed"] for r in mine} == {"pinned"}
    _feasible(new)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--pin", "37-1"),
            "Error: Invalid value for '--pin': '37-1' is not UNIT:DATE (for example "
            "35-1:2026-12-02)",
        ),
        (
            ("--pin", "37-1:28/09/2026"),
            "Error: Invalid value for '--pin': '28/09/2026' is not a date like 2026-12-07",
        ),
        (
            ("--pin", "37-9:2026-09-28"),
            "Error: Invalid value for '--pin': the plan has no unit 37-9 on 2026-09-28 to pin",
        ),
        ((), "Error: Missing option '--done-through' (or --pin)."),
    ],
)
def test_replan_pin_errors(two_units, tmp_path, args, line):
    from caravan.outputs.write import write_plan

    write_plan(two_units, tmp_path / "a", with_map=False)
    res = run_cli(
        "replan", str(tmp_path / "a" / "plan.json"), *args, "--no-history", "--out",
        str(tmp_path / "b"),
    )  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == line
    assert not (tmp_path / "b" / "plan.json").exists()


def test_a_pinned_visit_cannot_be_dropped(two_units):
    from caravan.plan.replan import replan_week

    route = two_units.routes[0]
    code = route.visits[0].code
    with pytest.raises(ParameterError) as err:
        replan_week(
            plan=two_units,
            pinned=[(route.unit_day.date, route.unit_day.unit)],
            skip=[code],
        )
    assert str(err.value) == (
        f"--skip: '{code}' is visited on a pinned unit-day: unpin the day to drop it"
    )


def test_replanned_routes_keep_their_units(two_units):
    """Two units that trade their days are renamed back: the change list shows real moves."""
    from caravan.plan.replan import _same_units

    day = two_units.routes[0].unit_day.date
    same_day = [r for r in two_units.routes if r.unit_day.date == day]
    assert sorted(r.unit_day.unit for r in same_day) == ["37-1", "37-2"]
    traded = [
        dataclasses.replace(
            r, unit_day=dataclasses.replace(r.unit_day, unit={"37-1": "37-2", "37-2": "37-1"}[
                r.unit_day.unit])
        )
        for r in same_day
    ]  # fmt: skip
    assert _same_units(traded, two_units.routes, ["37-1", "37-2"], frozenset()) == tuple(same_day)
    # a pinned unit is not given away
    pinned = frozenset({(day, "37-1")})
    only = [r for r in traded if r.unit_day.unit == "37-1"]
    assert [
        r.unit_day.unit for r in _same_units(only, two_units.routes, ["37-1", "37-2"], pinned)
    ] == ["37-2"]
