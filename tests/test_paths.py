"""Routes drawn along the roads: the path each leg drove, simplified, stored, drawn.

A tiny hand-made road graph whose fastest path bends; the built-in road model's paths on
real sites; the lines in plan.json, in the map data, map.html, map.png and the GeoJSON;
straight lines with --travel straight and for plan files without lines.
"""

from __future__ import annotations

import dataclasses
import json

import folium
import numpy as np
import pytest

from caravan.errors import InputError
from caravan.geo.geography import load_geography
from caravan.outputs.geojson import plan_geojson
from caravan.outputs.mapdata import along, route_layer_data
from caravan.outputs.maps import plan_map
from caravan.outputs.planfile import plan_dict, plan_from_dict, plan_json, read_plan
from caravan.outputs.staticmap import render_png
from caravan.plan.legs import route_legs, with_leg_lines
from caravan.travel.matrix import TravelModel
from caravan.travel.paths import leg_lines, simplify_line
from caravan.travel.roadgraph import (
    AccessModel,
    RoadGraph,
    great_circle_m,
    save_graph,
    site_matrix,
    site_paths,
)
from caravan.travel.roadnet import road_matrix, road_paths
from caravan.types import Site

from .test_osrm import osrm  # noqa: F401  (the local OSRM test server)

# Two sites 0.2 degrees apart on a parallel; the road between them: a slow straight one
# (n0 - n2, 10 km/h) and a fast one through a bend 0.1 degrees north (n0 - n1 - n2, 100 km/h;
# n3 halfway between n1 and n2, on that straight piece).
A = Site("S0", "district", "ก", "A", "65", "6501", 100.0, 16.0)
B = Site("S1", "district", "ข", "B", "65", "6502", 100.2, 16.0)
NODES = [(100.0, 16.001), (100.1, 16.1), (100.2, 16.001), (100.15, 16.0505)]
BEND = NODES[1]


def _graph() -> RoadGraph:
    lon = np.array([p[0] for p in NODES])
    lat = np.array([p[1] for p in NODES])
    edges = [(0, 1, 100), (1, 3, 100), (3, 2, 100), (0, 2, 10)]
    src, dst, kmh = [], [], []
    for a, b, v in edges:
        src += [a, b]
        dst += [b, a]
        kmh += [v, v]
    src_a, dst_a = np.array(src), np.array(dst)
    metres = great_circle_m(lon[src_a], lat[src_a], lon[dst_a], lat[dst_a])
    return RoadGraph(lon, lat, src_a, dst_a, metres / (np.array(kmh) / 3.6), metres, "test")


def _metres(points) -> float:
    p = np.asarray(points)
    return float(great_circle_m(p[:-1, 0], p[:-1, 1], p[1:, 0], p[1:, 1]).sum())


def test_the_fastest_path_takes_the_bend():
    graph = _graph()
    paths = site_paths(graph, [A, B], AccessModel(), [(0, 1), (1, 0)])
    there = [tuple(p) for p in paths[0, 1]]
    assert there == [(A.lon, A.lat), NODES[0], BEND, NODES[3], NODES[2], (B.lon, B.lat)]
    assert [tuple(p) for p in paths[1, 0]] == there[::-1]
    # it is the path the matrix drove: its length is the matrix's distance (access links
    # x 1.3, the roads as they are)
    matrix = site_matrix(graph, [A, B], AccessModel(), model="test")
    access = 2 * great_circle_m(A.lon, A.lat, *NODES[0]) * 1.3
    assert matrix.drive_metres("S0", "S1") == round(access + _metres(there[1:-1]))


def test_leg_lines_of_a_graph_file_are_simplified(tmp_path):
    path = tmp_path / "roads.npz"
    save_graph(_graph(), path)
    model = TravelModel(mode="osm", roads=str(path))
    found = leg_lines([A, B], model, [("S0", "S1"), ("S0", "S0")])
    assert found.note == ""
    # n3 lies on the straight piece n1 - n2 and goes; the bend (11 km off) stays
    assert found.lines == {("S0", "S1"): ((A.lon, A.lat), NODES[0], BEND, NODES[2], (B.lon, B.lat))}
    gone = TravelModel(mode="osm", roads=str(tmp_path / "gone.npz"))
    missing = leg_lines([A, B], gone, [("S0", "S1"), ("S1", "S0")])
    assert missing.lines == {}
    assert missing.note == (
        f"2 of 2 legs are drawn as straight lines on the maps: no road graph at "
        f"'{tmp_path / 'gone.npz'}': build one with 'caravan roads build --osm FILE.osm.pbf' "
        "(or choose --travel road)"
    )


def test_straight_model_has_no_lines():
    assert leg_lines([A, B], TravelModel(mode="straight"), [("S0", "S1")]).lines == {}


def test_simplify_line_by_hand():
    # at 16 N: 0.0004 degrees of latitude are 44.5 m; the second point is 44.5 m off the
    # line from the first to the last, the third 29.6 m off the line from the second to
    # the last
    line = [(100.0, 16.0), (100.01, 16.0004), (100.02, 16.0), (100.04, 16.0)]
    assert simplify_line(line) == ((100.0, 16.0), (100.04, 16.0))  # 50 m
    assert simplify_line(line, tolerance_m=40) == ((100.0, 16.0), (100.01, 16.0004), (100.04, 16.0))
    assert simplify_line(line, tolerance_m=25) == tuple(line)
    # repeated points go, coordinates are rounded to 5 decimals (about 1 m)
    assert simplify_line([(100.000001, 16.0), (100.0, 16.0), (100.123456, 16.0)]) == (
        (100.0, 16.0),
        (100.12346, 16.0),
    )
    assert simplify_line([(100.0, 16.0), (100.0, 16.0)]) == ((100.0, 16.0), (100.0, 16.0))


def test_the_built_in_road_model_follows_its_roads():
    geo = load_geography()
    sites = geo.plan_sites(level="district", provinces=("65",))
    codes = [s.code for s in sites]
    base, far = codes.index("BASE65"), codes.index("6502")  # Nakhon Thai, about 90 km east
    (raw,) = road_paths(sites, [(base, far)]).values()
    assert tuple(raw[0]) == (sites[base].lon, sites[base].lat)
    assert tuple(raw[-1]) == (sites[far].lon, sites[far].lat)
    straight = great_circle_m(sites[base].lon, sites[base].lat, sites[far].lon, sites[far].lat)
    # more than 45 km apart: no direct link, the path runs over the roads' vertices
    assert straight > 45_000 and len(raw) > 10
    metres = road_matrix(sites).drive_metres("BASE65", "6502")
    assert straight < _metres(raw) <= metres


# ----------------------------------------------------------------------- plans and outputs


@pytest.fixture(scope="module")
def bent(tiny):
    """The tiny plan (straight model) with a line on its way out that bends north."""
    base, site = tiny.sites["BASE37"], tiny.sites["3702"]
    corner = (round(base.lon, 5), round(site.lat + 0.2, 5))
    line = ((base.lon, base.lat), corner, (site.lon, site.lat))
    return dataclasses.replace(tiny, legs={("BASE37", "3702"): line}), corner


def test_a_straight_plan_draws_straight_and_stores_no_lines(tiny):
    assert tiny.legs == {}
    assert "legs" not in plan_dict(tiny)
    assert route_legs(tiny.routes) == {("BASE37", "3702"), ("3702", "BASE37")}


def test_the_map_data_holds_the_line(bent):
    plan, (lon, lat) = bent
    (route,) = route_layer_data(plan)
    base, site = plan.sites["BASE37"], plan.sites["3702"]
    assert route["legs"] == [
        [[base.lat, base.lon], [lat, lon], [site.lat, site.lon]],
        [[site.lat, site.lon], [base.lat, base.lon]],
    ]
    out, back = route["legs"]
    assert route["path"] == [*out, back[1]]
    # map.html draws that path, with the arrow of the way out halfway along the bent line
    fmap = plan_map(plan)
    kids = list(_walk(fmap))
    lines = [k for k in kids if isinstance(k, folium.PolyLine)]
    drawn = [k.locations for k in lines if k.options.get("className") == "caravan-route"]
    assert drawn == [route["path"]]
    arrows = [
        k.location
        for k in kids
        if isinstance(k, folium.Marker) and "caravan-arrow" in str(getattr(k.icon, "options", ""))
    ]
    assert along(route["legs"][0], 0.5) in arrows
    # the GeoJSON route follows it too, and the PNG still renders
    (feature,) = [f for f in plan_geojson(plan)["features"] if f["properties"]["kind"] == "route"]
    assert feature["geometry"]["coordinates"][1] == [lon, lat]
    assert len(feature["geometry"]["coordinates"]) == 4
    png = render_png(plan, thai_font=None).data
    assert png.startswith(b"\x89PNG") and png != render_png(dataclasses.replace(plan, legs={})).data


def _walk(el):
    for child in el._children.values():
        yield child
        yield from _walk(child)


def test_plan_json_round_trip_of_the_lines(bent, tmp_path):
    plan, corner = bent
    data = plan_dict(plan)
    base, site = plan.sites["BASE37"], plan.sites["3702"]
    assert data["legs"] == {
        "BASE37>3702": [[base.lon, base.lat], list(corner), [site.lon, site.lat]]
    }
    path = tmp_path / "plan.json"
    path.write_text(plan_json(plan), encoding="utf-8")
    assert read_plan(path).legs == plan.legs
    # a plan file without lines (written before caravan drew roads) draws straight lines
    del data["legs"]
    assert plan_from_dict(data).legs == {}
    for bad, message in (
        ({"BASE37-3702": [[1, 2], [3, 4]]}, "malformed plan file (ValueError: legs key "),
        ({"A>B": [[1, 2]]}, "malformed plan file (ValueError: legs "),
        ({"A>B": [["x", 2], [3, 4]]}, "field 'legs.A>B[0][0]': must be a number, not a text"),
    ):
        data["legs"] = bad
        with pytest.raises(InputError) as err:
            plan_from_dict(json.loads(json.dumps(data)), source="p.json")
        assert str(err.value).startswith(f"p.json: {message}")


def test_a_road_plan_carries_a_line_for_every_leg(tmp_path):
    from .plans import browser_plan

    plan = browser_plan(tmp_path)
    assert set(plan.legs) == route_legs(plan.routes) and plan.notes == ()
    for (a, b), line in plan.legs.items():
        assert line[0] == (round(plan.sites[a].lon, 5), round(plan.sites[a].lat, 5))
        assert line[-1] == (round(plan.sites[b].lon, 5), round(plan.sites[b].lat, 5))
    assert any(len(line) > 2 for line in plan.legs.values())
    # lines given are kept, the others found again, equal
    (leg, line), *_ = sorted(plan.legs.items())
    given = {leg: ((0.0, 0.0), (1.0, 1.0))}
    again = with_leg_lines(dataclasses.replace(plan, legs={}), known=given)
    assert again.legs == {**plan.legs, **given}


def test_an_osrm_plan_exports_and_replans_without_the_server(osrm, tmp_path):  # noqa: F811
    from caravan.outputs.formats import render
    from caravan.outputs.write import write_plan
    from caravan.plan.replan import replan_week

    from .plans import tiny_plan

    plan = tiny_plan(tmp_path, travel=TravelModel(mode="osrm", osrm_url=osrm.url))
    assert set(plan.legs) == route_legs(plan.routes) == {("BASE37", "3702"), ("3702", "BASE37")}
    assert plan.notes == () and len(osrm.routes) == 2
    base, site = plan.sites["BASE37"], plan.sites["3702"]
    corner = (round(base.lon + 0.001, 5), round(site.lat, 5))  # the fake server's road
    assert corner in plan.legs["BASE37", "3702"]
    write_plan(plan, tmp_path / "out")
    asked = osrm.hits
    osrm.fail_first = 10**6  # the server is gone: every request fails
    again = read_plan(tmp_path / "out" / "plan.json")
    assert again.legs == plan.legs
    assert f"[{corner[1]}, {corner[0]}]" in render(again, "map").data.decode("utf-8")
    new = replan_week(plan=again, done_through="2026-09-28")
    assert new.legs == plan.legs and osrm.hits == asked


def test_the_plan_command_says_which_legs_are_drawn_straight(osrm, tmp_path):  # noqa: F811
    from .conftest import run_cli
    from .plans import TINY_COMPLAINTS

    src = tmp_path / "complaints.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    osrm.no_geometry = True  # the route service answers without roads
    out = tmp_path / "out"
    args = ["--province", "37", "--week", "2026-W40", "--days", "2", "--out", str(out)]
    res = run_cli(
        "plan", "--complaints", str(src), "--travel", "osrm", "--osrm-url", osrm.url, *args
    )
    assert res.returncode == 0, res.stderr
    note = (
        f"note: 2 of 2 legs are drawn as straight lines on the maps: 3702 -> BASE37: the "
        f"server at {osrm.url} did not answer like OSRM (no route geometry of lon/lat points "
        "(geometries=geojson)): check --osrm-url"
    )
    assert note in res.stdout.splitlines()
    saved = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert "legs" not in saved and note[len("note: ") :] in saved["notes"]
