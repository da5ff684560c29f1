"""plan.json round trip: what is read back is the plan that was written, field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from caravan.errors import InputError, ParameterError
from caravan.geo.geography import load_geography
from caravan.outputs.itinerary import itinerary_csv
from caravan.outputs.planfile import plan_json, read_plan
from caravan.plan.request import HistoryRules, PlanRequest
from caravan.plan.week import plan_week
from caravan.travel.matrix import TravelModel
from caravan.travel.roadnet import RoadModel
from caravan.types import WeekPlan

#: WeekPlan fields plan.json does not hold, and why
NOT_STORED = {
    "complaints": "the rejected rows go to rejects.csv, plan.json keeps their count",
}


def tambons_35() -> list[str]:
    return [s.code for s in load_geography().candidates(level="tambon", provinces=["35"])]


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


def assert_same_plan(back: WeekPlan, plan: WeekPlan) -> None:
    """Every field of the plan read back equals the original's (NOT_STORED apart)."""
    for f in dataclasses.fields(WeekPlan):
        if f.name in NOT_STORED:
            continue
        assert getattr(back, f.name) == getattr(plan, f.name), f.name
    c, d = back.complaints, plan.complaints
    assert dataclasses.replace(c, rejects=d.rejects) == d
    assert len(c.rejects) == 0  # not stored: rejects.csv holds them


def test_round_trip(plan, tmp_path):
    f = tmp_path / "plan.json"
    f.write_text(plan_json(plan), encoding="utf-8")
    back = read_plan(f)
    assert_same_plan(back, plan)
    assert itinerary_csv(back) == itinerary_csv(plan)


@pytest.fixture(scope="module")
def every_option(tmp_path_factory):
    """A request with every option away from its default, and the plan it makes."""
    folder = tmp_path_factory.mktemp("every")
    src = folder / "export.csv"
    src.write_text(
        "เลขรับ,วันที่,ตำบล,หมวด,สถานะ\n"
        "A1,2026-11-20,350301,elderly,open\n"
        "A2,2026-11-21,350501,health,open\n"
        "A3,2026-11-22,350601,water,open\n",
        encoding="utf-8",
    )
    population = folder / "population.csv"
    population.write_text(
        "code,population\n" + "".join(f"{c},{4000 + i}\n" for i, c in enumerate(tambons_35())),
        encoding="utf-8",
    )
    sites = folder / "sites.csv"
    sites.write_text("code,lon,lat\n350501,104.405,15.817\n", encoding="utf-8")
    weights = folder / "weights.toml"
    weights.write_text("[category]\nhealth = 2.5\n", encoding="utf-8")
    lodging = folder / "lodging.csv"
    lodging.write_text("code,name_th,name_en,lon,lat\n3502,,,,\n", encoding="utf-8")
    request = PlanRequest(
        complaints=str(src),
        encoding="utf-8",
        columns={
            "id": ("เลขรับ",),
            "received": ("วันที่",),
            "tambon": ("ตำบล",),
            "category": ("หมวด",),
            "status": ("สถานะ",),
        },
        profile="generic",
        strict=True,
        population=str(population),
        provinces=("35",),
        level="tambon",
        week="2026-W49",
        days=4,
        units=2,
        day_start="08:00",
        day_end="17:00",
        service_minutes=200,
        minutes_per_point=12.5,
        must_visit=("350301",),
        skip=("350401",),
        bases={"35": "350201"},
        sites=str(sites),
        weights=str(weights),
        travel=TravelModel(mode="straight", detour_factor=1.3, speed_kmh=55),
        time_limit=5,
        seed=3,
        engine="exact",
        holidays=(dt.date(2026, 12, 2),),
        workdays=(dt.date(2026, 12, 5),),
        history=HistoryRules(use_history=False, recency_weeks=2, max_gap_weeks=6),
        overnight=False,
        lodging=str(lodging),
        max_nights=3,
        night_cost=12.5,
    )
    return request, plan_week(request, today=dt.date(2026, 11, 27))


def test_a_request_with_every_option_reads_back_field_by_field(every_option, tmp_path):
    request, plan = every_option
    defaults = PlanRequest(week="2026-W49")
    for f in dataclasses.fields(PlanRequest):
        if f.name not in ("week", "sheet"):  # the same week; a CSV has no sheet
            assert getattr(request, f.name) != getattr(defaults, f.name), f.name
    f = tmp_path / "plan.json"
    f.write_text(plan_json(plan), encoding="utf-8")
    back = read_plan(f)
    assert isinstance(back.request, PlanRequest)
    for field in dataclasses.fields(PlanRequest):
        assert getattr(back.request, field.name) == getattr(request, field.name), field.name
    assert back.request == request
    assert_same_plan(back, plan)
    # what the options did, as plan.json says it
    p = back.parameters
    assert p.dates == (
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 3),
        dt.date(2026, 12, 5),
    )
    assert p.population_source == str(request.population)
    assert back.population[tambons_35()[0]] == 4000
    assert back.population["3501"] > 4000  # a district: the sum of its tambons
    assert p.bases == {"35": "350201"}
    assert {s.code for r in back.routes for s in r.visits} >= {"350301"}
    assert "350401" not in {s.code for r in back.routes for s in r.visits}


def test_a_request_reads_back_from_json_with_a_sheet_and_road_parameters():
    request = PlanRequest(
        complaints="export.xlsx",
        sheet="พ.ย. 69",
        week="2026-W50",
        level="tambon",
        travel=TravelModel(mode="road", road=RoadModel(primary_kmh=85, access_kmh=45)),
        history=HistoryRules(),
    )
    assert request.service_minutes == 120  # the tambon default, made explicit
    assert PlanRequest.from_json(json.loads(json.dumps(request.to_json()))) == request


@pytest.mark.parametrize(
    "change, message",
    [
        ({"units": 0}, "field 'request.units': must be between 1 and 20, got 0"),
        ({"day_end": "99:99"}, "field 'request.day_end': '99:99' is not a time like 08:30"),
        (
            {"format": 2},
            "malformed plan file (ValueError: request.format 2 is newer than this caravan's)",
        ),
    ],
)
def test_a_bad_request_in_a_plan_file_names_its_field(plan, tmp_path, change, message):
    data = json.loads(plan_json(plan))
    data["request"].update(change)
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == f"{f}: {message}"


def test_request_checks_its_values():
    with pytest.raises(ParameterError) as err:
        PlanRequest(bases=["3502", "3503"])
    assert str(err.value) == "--base: two bases for province 35: '3502' and '3503'"
    with pytest.raises(ParameterError) as err:
        PlanRequest(time_limit=float("nan"))
    assert str(err.value) == "--time-limit: must be positive, got nan"
    with pytest.raises(ParameterError) as err:
        PlanRequest(minutes_per_point=float("inf"))
    assert str(err.value) == "--minutes-per-point: must be positive, got inf"


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


# ---------------------------------------------------------------------------- edited files


def _set(path: str, value):
    """An edit of plan.json: set the value at a JSON path like ``routes[0].stops[1].arrive``."""

    def edit(data):
        parts = [
            int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")
        ]
        target = data
        for p in parts[:-1]:
            target = target[p]
        target[parts[-1]] = value
        return data

    return edit


EDITS = [
    (_set("routes[0].stops[1].depart", "08:00"),
     "routes[0].stops[1].depart", "08:00 is before routes[0].stops[1].arrive (09:35)"),
    (_set("routes[0].stops[1].arrive", "99:99"),
     "routes[0].stops[1].arrive", "must be a time HH:MM (00:00 to 23:59)"),
    (_set("routes[0].date", "2030-12-02"), "routes[0].date", "2030-12-02 is not in week 2026-W40"),
    (_set("routes[0].stops[1].code", "9999"),
     "routes[0].stops[1].code", "'9999' is not a site of the plan"),
    (_set("sites[1].code", "3799"), "sites[1].code", "unknown district code '3799'"),
    (_set("routes[0].stops[1].drive_km", float("inf")),
     "routes[0].stops[1].drive_km", "must be a finite number of at most 1e+12, got inf"),
    (_set("sites[1].lat", float("nan")),
     "sites[1].lat", "must be a finite number of at most 1e+12, got nan"),
    (_set("routes[0].drive_minutes", 10**30),
     "routes[0].drive_minutes", f"must be a finite number of at most 1e+12, got {10**30}"),
    (_set("parameters", []), "parameters", "must be an object, not a list"),
    (_set("routes[0].stops", {}), "routes[0].stops", "must be a list, not an object"),
    (_set("format_version", "1"), "format_version", "not a version number: a text"),
    (_set("format_version", 2), "format_version",
     "written by a newer caravan (format version 2; this caravan reads up to 1): upgrade caravan"),
    (_set("parameters.dates[0]", "2026-10-05"),
     "parameters.dates[0]", "2026-10-05 is not in week 2026-W40"),
    (_set("request.units", 0), "request.units", "must be between 1 and 20, got 0"),
    (lambda d: {k: v for k, v in d.items() if k != "routes"}, "routes", "missing"),
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_json(tmp_path_factory):
    from .plans import tiny_plan

    plan = tiny_plan(tmp_path_factory.mktemp("tinyjson"))
    return json.loads(plan_json(plan))


@pytest.mark.parametrize(("edit", "field", "message"), EDITS)
def test_an_edited_plan_file_is_refused_naming_its_field(tmp_path, tiny_json, edit, field, message):
    data = edit(json.loads(json.dumps(tiny_json)))
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == f"{f}: field '{field}': {message}"


def test_deep_nesting_is_refused_in_one_line(tmp_path, tiny_json):
    f = tmp_path / "plan.json"
    f.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == f"{f}: nested more than 16 levels deep: not a caravan plan file"
    data = json.loads(json.dumps(tiny_json))
    data["solver"]["extra"] = json.loads("[" * 50 + "]" * 50)
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == f"{f}: nested more than 16 levels deep: not a caravan plan file"


def test_an_old_file_without_request_blames_its_parameters_not_options(tmp_path, tiny_json):
    data = json.loads(json.dumps(tiny_json))
    del data["request"]
    data["parameters"]["units_per_province"] = 0
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(f)
    assert str(err.value) == (
        f"{f}: field 'parameters.units_per_province': must be between 1 and 20, got 0"
    )


def test_export_replan_and_history_record_refuse_an_edited_plan(tmp_path, tiny_json):
    from .conftest import run_cli

    data = _set("routes[0].stops[1].arrive", "99:99")(json.loads(json.dumps(tiny_json)))
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    line = f"Error: {f}: field 'routes[0].stops[1].arrive': must be a time HH:MM (00:00 to 23:59)"
    db = tmp_path / "h.sqlite"
    for args in (
        ["export", str(f), "--format", "ics"],
        ["replan", str(f), "--done-through", "2026-09-28", "--out", str(tmp_path / "r")],
        ["history", "record", str(f), "--db", str(db)],
    ):
        res = run_cli(*args)
        assert (res.returncode, res.stderr.strip()) == (1, line)
    assert not db.exists()  # nothing entered the history
