"""`caravan roads build` and `--travel osm`, end to end on an extract the test writes."""

from __future__ import annotations

import csv
import itertools
import json
import math

import pytest

from caravan.geo.geography import load_geography

from .conftest import haversine_m, run_cli
from .test_osm import write_pbf


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """A road to every built-in site: each tambon office and each district office is a node;
    a primary road joins the district offices of a province in code order, then the
    provinces (35, 37, 65); an unclassified road joins each tambon office to its district's
    office (roads everywhere two-way)."""
    geo = load_geography()
    nodes, ways, ids = {}, [], {}
    for code, s in sorted(geo.sites.items()):
        if s.is_base:
            continue
        ids[code] = len(ids) + 1
        nodes[ids[code]] = (s.lon, s.lat)
    wid = 1
    trunk = [s.code for s in geo.candidates(level="district", provinces=["35", "37", "65"])]
    for a, b in itertools.pairwise(trunk):
        ways.append((wid, [ids[a], ids[b]], {"highway": "primary"}))
        wid += 1
    for prov in ("35", "37", "65"):
        for t in geo.candidates(level="tambon", provinces=[prov]):
            ways.append((wid, [ids[t.code], ids[t.district_code]], {"highway": "unclassified"}))
            wid += 1
    path = tmp_path_factory.mktemp("osm") / "three.osm.pbf"
    return write_pbf(path, nodes, ways)


def test_build_then_plan_with_the_graph(extract, tmp_path):
    graph = tmp_path / "roads.npz"
    res = run_cli("roads", "build", "--osm", str(extract), "--out", str(graph))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0].startswith(f"wrote {graph}: ")
    assert graph.exists()
    info = run_cli("roads", "info", "--roads", str(graph))
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    assert lines[0] == f"road graph: {graph}"
    assert lines[1].startswith("built from: OpenStreetMap extract three.osm.pbf (")

    out = tmp_path / "m.csv"
    res = run_cli(
        "matrix", "--province", "37", "--travel", "osm", "--roads", str(graph), "-o", str(out)
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == f"travel: osm (OpenStreetMap road graph {graph})"
    rows = {(r["from_code"], r["to_code"]): r for r in csv.DictReader(out.open())}
    # 3701 -> 3702: one primary road (70 km/h) between the two offices, both graph nodes
    geo = load_geography()
    a, b = geo.sites["3701"], geo.sites["3702"]
    metres = haversine_m(a.lon, a.lat, b.lon, b.lat)
    assert int(rows["3701", "3702"]["minutes"]) == math.ceil(metres / (70 / 3.6) / 60)
    assert float(rows["3701", "3702"]["km"]) == pytest.approx(metres / 1000, abs=0.051)
    # 3702 -> 3703: the next leg of the primary road
    c = geo.sites["3703"]
    metres = haversine_m(b.lon, b.lat, c.lon, c.lat)
    assert float(rows["3702", "3703"]["km"]) == pytest.approx(metres / 1000, abs=0.051)

    plan_dir = tmp_path / "plan"
    res = run_cli(
        "plan",
        "--province",
        "37",
        "--days",
        "1",
        "--travel",
        "osm",
        "--roads",
        str(graph),
        "--out",
        str(plan_dir),
    )
    assert res.returncode == 0, res.stderr
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    assert plan["parameters"]["travel"] == {"mode": "osm", "roads": str(graph)}
    assert "travel_matrix" in plan
    # the plan is exported without the graph
    graph.unlink()
    res = run_cli(
        "export",
        str(plan_dir / "plan.json"),
        "--format",
        "csv",
        "--out",
        str(tmp_path / "again.csv"),
    )
    assert res.returncode == 0, res.stderr


def test_build_errors_write_nothing(tmp_path):
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    graph = tmp_path / "roads.npz"
    res = run_cli("roads", "build", "--osm", str(empty), "--out", str(graph))
    assert res.returncode == 1
    assert (
        res.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: '{empty}' is empty (0 bytes): download the extract again")
    )
    assert not graph.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.osm.pbf"]
    res = run_cli("roads", "info", "--roads", str(graph))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: no road graph at '{graph}': build one with 'caravan roads build --osm "
        "FILE.osm.pbf' (or choose --travel road)"
    )


def test_an_extract_that_misses_a_province(tmp_path):
    """Roads in Yasothon only: the build names the provinces it does not cover."""
    geo = load_geography()
    tambons = geo.candidates(level="tambon", provinces=["35"])
    nodes = {i + 1: (t.lon, t.lat) for i, t in enumerate(tambons)}
    ways = [(1, list(nodes), {"highway": "secondary"})]
    path = write_pbf(tmp_path / "yasothon.osm.pbf", nodes, ways)
    graph = tmp_path / "roads.npz"
    res = run_cli("roads", "build", "--osm", str(path), "--out", str(graph))
    assert res.returncode == 1
    line = res.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: '{path}' does not cover ")
    assert "Phitsanulok" in line and "Amnat Charoen" in line
    assert not graph.exists()
