"""What "today" is (caravan.clock.today and its hook $CARAVAN_TODAY), next week, and weeks already
begun: the tests hold on any day because they fix the day through the hook."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from caravan import clock
from caravan.errors import ParameterError
from caravan.plan.workdays import builtin_holidays, started_week_warning, working_days

from .conftest import TEST_TODAY, run_cli

#: every Friday of 2026-2027 whose next Monday is a built-in holiday
FRIDAYS_BEFORE_A_MONDAY_OFF = [
    day - dt.timedelta(days=3) for day in sorted(builtin_holidays()) if day.weekday() == 0
]


def test_the_tests_run_on_the_fixed_day():
    assert clock.today() == TEST_TODAY


def test_caravan_today_fixes_the_day(monkeypatch):
    monkeypatch.setenv("CARAVAN_TODAY", " 2027-02-19 ")
    assert clock.today() == dt.date(2027, 2, 19)
    assert clock.parse_week(None) == ("2027-W08", dt.date(2027, 2, 22))


@pytest.mark.parametrize("value", [None, ""])
def test_without_caravan_today_today_is_the_date_in_bangkok(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CARAVAN_TODAY")
    else:
        monkeypatch.setenv("CARAVAN_TODAY", value)
    before = dt.datetime.now(clock.BANGKOK).date()
    got = clock.today()
    assert got in {before, dt.datetime.now(clock.BANGKOK).date()}


@pytest.mark.parametrize("value", ["27/11/2026", "2026-02-30", "tomorrow"])
def test_a_bad_caravan_today_is_a_one_line_usage_error(monkeypatch, tmp_path, value):
    monkeypatch.setenv("CARAVAN_TODAY", value)
    with pytest.raises(ParameterError) as err:
        clock.today()
    assert str(err.value) == f"$CARAVAN_TODAY: '{value}' is not a date like 2026-11-27"
    res = run_cli("plan", "--province", "35", "--no-map", "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '$CARAVAN_TODAY': '{value}' is not a date like 2026-11-27"
    )
    assert not (tmp_path / "out").exists()


def test_there_are_nine_fridays_before_a_monday_off():
    """The dates tests/any_day.sh runs the suite on (with 2026-12-31 and 2027-12-31)."""
    assert len(FRIDAYS_BEFORE_A_MONDAY_OFF) == 9
    assert dt.date(2026, 12, 4) in FRIDAYS_BEFORE_A_MONDAY_OFF
    assert all(d.weekday() == 4 for d in FRIDAYS_BEFORE_A_MONDAY_OFF)


@pytest.mark.parametrize("friday", FRIDAYS_BEFORE_A_MONDAY_OFF, ids=str)
def test_next_week_after_a_friday_before_a_monday_off(monkeypatch, friday):
    monkeypatch.setenv("CARAVAN_TODAY", friday.isoformat())
    label, monday = clock.parse_week(None)
    assert monday == friday + dt.timedelta(days=3)
    week = working_days(monday=monday, days=5, week_label=label)
    assert monday not in week.dates
    assert monday in [d.date for d in week.days_off]
    assert week.dates and all(monday < d <= monday + dt.timedelta(days=4) for d in week.dates)


def test_plan_without_week_on_a_friday_before_a_monday_off(monkeypatch, tmp_path):
    """Friday 2026-12-04: next week (2026-W50) loses Monday 7 (substitution for National
    Day) and Thursday 10 (Constitution Day); the plan covers the three days left."""
    monkeypatch.setenv("CARAVAN_TODAY", "2026-12-04")
    out = tmp_path / "out"
    res = run_cli("plan", "--province", "35", "--time-limit", "2", "--no-map", "--out", str(out))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("week 2026-W50 (2026-12-08 to 2026-12-11), district level")
    assert (
        "days off: 2026-12-07 Substitution for National Day and National Father's Day "
        "(built-in); 2026-12-10 Constitution Day (built-in)"
    ) in lines
    assert "warning" not in res.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["parameters"]["week"] == "2026-W50"
    assert plan["parameters"]["dates"] == ["2026-12-08", "2026-12-09", "2026-12-11"]
    assert [(d["date"], d["source"]) for d in plan["days_off"]] == [
        ("2026-12-07", "built-in"),
        ("2026-12-10", "built-in"),
    ]
    assert {r["date"] for r in plan["routes"]} == set(plan["parameters"]["dates"])


# ---------------------------------------------------------------- a week already begun


def test_a_week_still_to_come_gives_no_warning():
    assert started_week_warning(dt.date(2026, 11, 30), today=TEST_TODAY) == ""


def test_a_week_under_way_points_to_replan():
    assert started_week_warning(dt.date(2026, 11, 23), today=TEST_TODAY) == (
        "week 2026-W48 began on 2026-11-23 (today is 2026-11-27): this plan schedules it "
        "from Monday on; to keep the visits already made and plan only the days left, "
        "replan the week's plan instead: caravan replan PLAN.json --done-through 2026-11-26"
    )
    monday = started_week_warning(dt.date(2026, 11, 23), today=dt.date(2026, 11, 23))
    assert monday.endswith("--done-through 2026-11-23")


def test_a_past_week_says_it_is_over():
    assert started_week_warning(dt.date(2026, 11, 16), today=TEST_TODAY) == (
        "week 2026-W47 is over (2026-11-16 to 2026-11-22; today is 2026-11-27): this is a "
        "plan for a past week"
    )


@pytest.mark.parametrize("quiet", [(), ("--quiet",)])
def test_planning_the_current_week_warns_and_still_writes_the_plan(tmp_path, quiet):
    out = tmp_path / "out"
    res = run_cli(
        "plan", "--province", "35", "--week", "2026-W48", "--time-limit", "2", "--no-map",
        *quiet, "--out", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    warning = "warning: " + started_week_warning(dt.date(2026, 11, 23), today=TEST_TODAY)
    lines = res.stderr.splitlines()
    # The warning comes last, after the files are written, so that it is what the planner
    # sees when the run ends (and a failed run's error stays its only line).
    assert lines[-1] == warning
    assert lines.count(warning) == 1
    if quiet:
        assert lines == [warning]
    assert "warning" not in res.stdout
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["parameters"]["week"] == (
        "2026-W48"
    )
