"""plan.json round trip: what is read back writes the same files again."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from caravan.errors import InputError
from caravan.export import itinerary_csv, plan_json
from caravan.planfile import read_plan
from caravan.planner import plan_week


@pytest.fixture(scope="module")
def plan():
    return plan_week(
        provinces=["35", "37"],
        level="district",
        units=2,
        week="2026-W49",
        today=dt.date(2026, 11, 27),
        time_limit=5,
    )


def test_round_trip(plan, tmp_path):
    f = tmp_path / "plan.json"
    f.write_text(plan_json(plan), encoding="utf-8")
    back = read_plan(f)
    assert plan_json(back) == plan_json(plan)
    assert itinerary_csv(back) == itinerary_csv(plan)
    assert back.matrix == plan.matrix


def test_newer_format_is_refused(plan, tmp_path):
    data = json.loads(plan_json(plan))
    data["format_version"] = 99
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == (
        f"{f}: field 'format_version': written by a newer caravan (format version 99; this "
        "caravan reads up to 1): upgrade caravan"
    )


def test_not_a_plan(tmp_path):
    f = tmp_path / "x.json"
    f.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == f"{f}:1: not valid JSON (Expecting ',' delimiter)"
