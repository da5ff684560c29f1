"""Travel models: the road graph, the built-in road model, the cache and the CLI options."""

from __future__ import annotations

import csv
import itertools
import json
import math

import numpy as np
import pytest

from caravan.geo.geography import load_geography
from caravan.outputs.planfile import read_plan
from caravan.travel.matrix import TravelModel, travel_matrix
from caravan.travel.roadgraph import (
    AccessModel,
    RoadGraph,
    RoadGraphError,
    load_graph,
    save_graph,
    site_matrix,
    site_times,
)
from caravan.travel.roadnet import RoadModel, build_graph, road_matrix
from caravan.types import Site, whole_minutes

from .conftest import haversine_m, run_cli
from .test_osrm import osrm  # noqa: F401  (the local OSRM test server)


def site(code: str, lon: float, lat: float) -> Site:
    return Site(code, "district", code, code, "37", code[:4], lon, lat)


def line_graph(oneway: bool = False) -> RoadGraph:
    """Three nodes on the parallel 16 N, 0.1 degree apart; each edge 10 min and 10 km.
    ``oneway``: only west to east, plus a slow way back (30 min per edge)."""
    src, dst, sec = [0, 1, 1, 2], [1, 0, 2, 1], [600.0, 600.0, 600.0, 600.0]
    if oneway:
        sec = [600.0, 1800.0, 600.0, 1800.0]
    return RoadGraph(
        lon=np.array([100.0, 100.1, 100.2]),
        lat=np.array([16.0, 16.0, 16.0]),
        src=np.array(src),
        dst=np.array(dst),
        seconds=np.array(sec),
        metres=np.array([10_000.0] * 4),
        source="test",
    )


def test_fastest_path_by_hand():
    """A and B sit 0.01 degree north of the line's ends: access links of the great-circle
    length x 1.3 at 30 km/h on both ends, 20 min and 20 km on the road."""
    a, b = site("A001", 100.0, 16.01), site("B001", 100.2, 16.01)
    m = site_matrix(line_graph(), [a, b], AccessModel(), model="test")
    access = haversine_m(100.0, 16.01, 100.0, 16.0) * 1.3
    seconds = 1200 + 2 * access / (30 / 3.6)
    assert m.seconds == ((0, math.ceil(seconds / 60) * 60), (math.ceil(seconds / 60) * 60, 0))
    assert m.metres[0][1] == round(20_000 + 2 * access)
    assert m.model == "test"


def test_one_way_roads_make_the_matrix_asymmetric():
    a, b = site("A001", 100.0, 16.0), site("B001", 100.2, 16.0)
    m = site_matrix(line_graph(oneway=True), [a, b], AccessModel(), model="test")
    assert m.drive_seconds("A001", "B001") == 20 * 60
    assert m.drive_seconds("B001", "A001") == 60 * 60


def test_a_path_never_runs_through_a_third_site():
    """Sites are ends only: a pair's time is the same whichever other sites are in the
    matrix (here C could be a shortcut between A and B if it were a node)."""
    a, b, c = site("A001", 100.0, 16.3), site("B001", 100.2, 16.3), site("C001", 100.1, 16.3)
    two = site_matrix(line_graph(), [a, b], AccessModel(max_km=50), model="t", direct_km=15)
    three = site_matrix(line_graph(), [a, b, c], AccessModel(max_km=50), model="t", direct_km=15)
    assert two.drive_seconds("A001", "B001") == three.drive_seconds("A001", "B001")
    assert two.drive_metres("A001", "B001") == three.drive_metres("A001", "B001")


def test_direct_links_only_up_to_direct_km():
    a, b = site("A001", 100.0, 16.3), site("B001", 100.1, 16.3)  # 10.7 km apart
    gc = haversine_m(100.0, 16.3, 100.1, 16.3)
    near = site_matrix(line_graph(), [a, b], AccessModel(max_km=50), model="t", direct_km=11)
    assert near.drive_metres("A001", "B001") == round(gc * 1.3)
    far = site_matrix(line_graph(), [a, b], AccessModel(max_km=50), model="t", direct_km=10)
    assert far.drive_metres("A001", "B001") > 2 * 33_000  # down to the road and back up


def test_site_far_from_every_road():
    far = Site("370101", "tambon", "ก", "Far Away", "37", "3701", 100.0, 16.2)
    with pytest.raises(RoadGraphError) as exc:
        site_matrix(line_graph(), [site("A001", 100.0, 16.0), far], AccessModel(), model="t")
    assert str(exc.value) == (
        "site 370101 (Far Away) is 22.2 km from the nearest road of the road graph (at most "
        "5 km): move it with --sites or use --travel road"
    )


def test_no_path_between_two_sites():
    g = line_graph()
    cut = RoadGraph(g.lon, g.lat, g.src[:1], g.dst[:1], g.seconds[:1], g.metres[:1])
    with pytest.raises(RoadGraphError, match=r"^no road from B001 to A001 in the road graph"):
        site_matrix(
            cut, [site("A001", 100.0, 16.0), site("B001", 100.1, 16.0)], AccessModel(), model="t"
        )


def test_graph_file_round_trip_and_bad_files(tmp_path):
    path = tmp_path / "roads.npz"
    save_graph(line_graph(oneway=True), path)
    back = load_graph(path)
    assert back.source == "test"
    assert back.lon.tolist() == [100.0, 100.1, 100.2]
    assert back.seconds.tolist() == [600.0, 1800.0, 600.0, 1800.0]
    assert [p.name for p in tmp_path.iterdir()] == ["roads.npz"]  # no temporary file left
    with pytest.raises(RoadGraphError) as exc:
        load_graph(tmp_path / "none.npz")
    assert str(exc.value) == (
        f"no road graph at '{tmp_path / 'none.npz'}': build one with 'caravan roads build "
        "--osm FILE.osm.pbf' (or choose --travel road)"
    )
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a graph")
    with pytest.raises(RoadGraphError, match=r"is not a caravan road graph \(.*\): rebuild it"):
        load_graph(bad)


# ---------------------------------------------------------------- the built-in road model


@pytest.fixture(scope="module")
def district_matrix():
    geo = load_geography()
    sites = [s for s in geo.sites.values() if s.level in ("district", "base")]
    return sites, road_matrix(sites)


def test_road_model_every_pair_finite_and_never_shorter_than_the_straight_line(
    district_matrix,
):
    sites, m = district_matrix
    for i, a in enumerate(sites):
        for j, b in enumerate(sites):
            if i == j:
                assert m.seconds[i][j] == 0 and m.metres[i][j] == 0
                continue
            gc = haversine_m(a.lon, a.lat, b.lon, b.lat)
            assert m.metres[i][j] >= gc - 1, (a.code, b.code)
            assert m.seconds[i][j] % 60 == 0
            if a.province_code == b.province_code:
                assert m.seconds[i][j] < 4 * 3600, (a.code, b.code)
            if gc > 0:
                assert m.seconds[i][j] > 0
            # no faster than the fastest class (80 km/h) over the straight line
            assert m.seconds[i][j] >= gc / (80 / 3.6) - 60


def test_road_matrix_is_rounded_as_on_numpy_scalars():
    """The rounding to whole minutes runs on plain lists; the matrix of every built-in site
    (tambons, districts, bases) is the one rounded number by number on numpy scalars, as it
    was (benchmarks/road_matrix.py times both)."""
    sites = list(load_geography().sites.values())
    model = RoadModel()
    graph, joined = build_graph(sites, model)
    sec, met = site_times(graph, sites, model.access(), direct_km=model.direct_km, joined=joined)
    assert isinstance(sec[0, 1], np.float64) and isinstance(met[0, 1], np.int64)
    m = road_matrix(sites, model)
    assert m.seconds == tuple(tuple(whole_minutes(x) for x in row) for row in sec)
    assert m.metres == tuple(tuple(int(x) for x in row) for row in met)
    assert {type(x) for row in (*m.seconds, *m.metres) for x in row} == {int}
    assert len(m.codes) == 256


def test_road_model_follows_the_roads_around_the_mountains(district_matrix):
    """Mueang Phitsanulok to Chat Trakan: 62 km straight, 118 km by road (published); the
    straight-line estimate says 74 km. The road model drives the main roads (via Nakhon
    Thai), so its km are well above any straight-line factor (>= 1.6 x)."""
    _, m = district_matrix
    a, b = load_geography().sites["6501"], load_geography().sites["6503"]
    gc = haversine_m(a.lon, a.lat, b.lon, b.lat)
    assert m.drive_metres("6501", "6503") >= 1.6 * gc
    assert m.model.startswith("road (built-in main roads")


def test_road_model_parameters_change_the_times(district_matrix):
    sites, m = district_matrix
    slow = road_matrix(sites, RoadModel(primary_kmh=40, secondary_kmh=30, access_kmh=30))
    assert all(
        slow.seconds[i][j] >= m.seconds[i][j] for i in range(len(sites)) for j in range(len(sites))
    )
    assert slow.seconds != m.seconds


def test_road_model_parameter_errors():
    with pytest.raises(ValueError, match=r"^access_kmh: must be between 5 and 150 km/h, got 0"):
        RoadModel(access_kmh=0)


# ---------------------------------------------------------------- cache


def test_cache_is_reused_until_refresh(tmp_path):
    geo = load_geography()
    sites = [geo.base("37"), *geo.candidates(level="district", provinces=["37"])]
    first = travel_matrix(sites, cache_dir=tmp_path, cache_after_seconds=0.0)
    (stored,) = (tmp_path / "matrices").iterdir()
    data = json.loads(stored.read_text())
    assert data["codes"] == [s.code for s in sites]
    assert data["minutes"][0][1] == first.seconds[0][1] // 60
    # the stored matrix is what the next call returns: change one value to see it
    data["minutes"][1][2] += 100
    stored.write_text(json.dumps(data))
    again = travel_matrix(sites, cache_dir=tmp_path, cache_after_seconds=0.0)
    assert again.seconds[1][2] == first.seconds[1][2] + 6000
    fresh = travel_matrix(sites, cache_dir=tmp_path, refresh=True, cache_after_seconds=0.0)
    assert fresh.seconds == first.seconds
    assert json.loads(stored.read_text())["minutes"] == [
        [x // 60 for x in row] for row in first.seconds
    ]


def test_cache_key_follows_sites_and_parameters(tmp_path):
    geo = load_geography()
    sites = [geo.base("37"), *geo.candidates(level="district", provinces=["37"])]
    travel_matrix(sites, cache_dir=tmp_path, cache_after_seconds=0.0)
    moved = [sites[0], *sites[1:-1], Site(**{**sites[-1].__dict__, "lon": sites[-1].lon + 0.01})]
    travel_matrix(moved, cache_dir=tmp_path, cache_after_seconds=0.0)
    travel_matrix(
        sites,
        TravelModel(road=RoadModel(access_kmh=40)),
        cache_dir=tmp_path,
        cache_after_seconds=0.0,
    )
    assert len(list((tmp_path / "matrices").iterdir())) == 3


def test_a_fast_matrix_is_not_cached_and_a_broken_cache_is_recomputed(tmp_path):
    geo = load_geography()
    sites = [geo.base("35"), *geo.candidates(level="district", provinces=["35"])]
    travel_matrix(sites, cache_dir=tmp_path)  # well under a second
    assert not (tmp_path / "matrices").exists()
    first = travel_matrix(sites, cache_dir=tmp_path, cache_after_seconds=0.0)
    (stored,) = (tmp_path / "matrices").iterdir()
    stored.write_text('{"codes": [')  # cut short
    assert travel_matrix(sites, cache_dir=tmp_path, cache_after_seconds=0.0) == first
    assert json.loads(stored.read_text())["codes"][0] == "BASE35"


def test_matrix_refresh_on_the_command_line(tmp_path, osrm):  # noqa: F811
    """osrm matrices are always cached: the second call asks the server nothing, --refresh
    asks again."""
    out = tmp_path / "m.csv"
    args = ("matrix", "--province", "37", "--travel", "osrm", "--osrm-url", osrm.url)
    res = run_cli(*args, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == f"travel: osrm ({osrm.url}, profile driving)"
    asked = osrm.hits
    assert asked == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert run_cli(*args, "-o", str(out)).returncode == 0
    assert osrm.hits == asked
    assert list(csv.DictReader(out.open(encoding="utf-8"))) == rows
    assert run_cli(*args, "--refresh", "-o", str(out)).returncode == 0
    assert osrm.hits == asked + 1


# ---------------------------------------------------------------- command line and plans


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--speed-kmh", "50"),
            "Error: Invalid value for '--speed-kmh': applies to --travel straight only",
        ),
        (
            ("--travel", "osm", "--detour-factor", "1.3"),
            "Error: Invalid value for '--detour-factor': applies to --travel straight only",
        ),
        (("--roads", "x.npz"), "Error: Invalid value for '--roads': applies to --travel osm only"),
        (
            ("--osrm-url", "http://localhost:5000"),
            "Error: Invalid value for '--osrm-url': applies to --travel osrm only",
        ),
        (
            ("--travel", "osrm"),
            "Error: Invalid value for '--osrm-url': --travel osrm needs the server's address, "
            "e.g. --osrm-url http://localhost:5000",
        ),
        (
            ("--travel", "osrm", "--osrm-url", "localhost:5000"),
            "Error: Invalid value for '--osrm-url': must start with http:// or https://, got "
            "'localhost:5000'",
        ),
    ],
)
def test_travel_option_errors(tmp_path, args, line):
    res = run_cli("matrix", "--province", "37", *args, "-o", str(tmp_path / "m.csv"))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == line
    assert not (tmp_path / "m.csv").exists()


def test_the_osrm_environment_variable_does_not_bind_other_models(tmp_path, monkeypatch):
    """$CARAVAN_OSRM_URL can stay set while planning with the road model; a typed --osrm-url
    with another model is still an error."""
    monkeypatch.setenv("CARAVAN_OSRM_URL", "http://localhost:5000")
    out = tmp_path / "m.csv"
    res = run_cli("matrix", "--province", "37", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1].startswith("travel: road (built-in main roads")
    res = run_cli("matrix", "--province", "37", "--osrm-url", "http://x:5000", "-o", str(out))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--osrm-url': applies to --travel osrm only"
    )


def test_osm_without_a_graph(tmp_path):
    res = run_cli(
        "matrix",
        "--province",
        "37",
        "--travel",
        "osm",
        "--roads",
        str(tmp_path / "r.npz"),
        "-o",
        str(tmp_path / "m.csv"),
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: no road graph at '{tmp_path / 'r.npz'}': build one with 'caravan roads "
        "build --osm FILE.osm.pbf' (or choose --travel road)"
    )
    assert not (tmp_path / "m.csv").exists()


def test_plan_says_which_travel_model(tmp_path):
    out = tmp_path / "out"
    res = run_cli("plan", "--province", "35", "--days", "1", "--out", str(out))
    assert res.returncode == 0, res.stderr
    travel_line = next(x for x in res.stdout.splitlines() if x.startswith("travel: "))
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert travel_line == f"travel: {plan['parameters']['travel_model']}"
    assert plan["parameters"]["travel"]["mode"] == "road"
    assert plan["parameters"]["travel"]["road"] == RoadModel().params()
    assert "travel_matrix" not in plan  # rebuilt from the parameters when read
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "drive times: built-in road network" in html  # the legend
    assert plan["parameters"]["travel_model"] in html  # on hover
    back = read_plan(out / "plan.json")
    assert back.matrix.model == plan["parameters"]["travel_model"]


def test_plans_written_before_travel_modes_read_as_straight(tiny, tmp_path):
    from caravan.outputs.planfile import plan_json

    data = json.loads(plan_json(tiny))
    assert data["parameters"]["travel"] == {
        "mode": "straight",
        "detour_factor": 1.2,
        "speed_kmh": 60.0,
    }
    data["parameters"]["travel"] = {"detour_factor": 1.2, "speed_kmh": 60.0}  # as before
    old = tmp_path / "plan.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    back = read_plan(old)
    assert back.parameters.travel["mode"] == "straight"
    assert back.matrix.seconds == tiny.matrix.seconds


def test_an_osrm_plan_keeps_its_drive_times_when_the_server_is_gone(tmp_path, osrm):  # noqa: F811
    out = tmp_path / "out"
    res = run_cli(
        "plan",
        "--province",
        "37",
        "--days",
        "2",
        "--travel",
        "osrm",
        "--osrm-url",
        osrm.url,
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["parameters"]["travel"] == {
        "mode": "osrm",
        "osrm_url": osrm.url,
        "osrm_profile": "driving",
    }
    stored = plan["travel_matrix"]
    assert stored["codes"][0] == "BASE37"
    # every leg of the itinerary is a stored drive time
    idx = {c: i for i, c in enumerate(stored["codes"])}
    for r in plan["routes"]:
        for prev, stop in itertools.pairwise(r["stops"]):
            leg = stored["minutes"][idx[prev["code"]]][idx[stop["code"]]]
            assert stop["drive_minutes"] == leg
    osrm.fail_first = 10**6  # the server answers nothing any more
    hits = osrm.hits
    res = run_cli("export", str(out / "plan.json"), "--format", "geojson")
    assert res.returncode == 0, res.stderr
    assert osrm.hits == hits
