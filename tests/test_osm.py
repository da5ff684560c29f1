"""caravan.travel.osm: OpenStreetMap extracts to a routing graph, on files the tests write.

Every segment lies on the equator or on a meridian, so its great-circle length is the
Earth's radius times the angle: a step of 0.001 degree is D = 111.195 m. Every way is
shorter than the 1 km after which a long way gets an extra graph node."""

from __future__ import annotations

import math
import os
import random
import sys
from pathlib import Path

import numpy as np
import osmium
import pytest
from osmium.osm.mutable import Node, Way

from caravan.atomic import OutputError
from caravan.travel import osm
from caravan.travel.osm import OsmError, build_road_graph, parse_maxspeed, read_osm, way_rule
from caravan.travel.roadgraph import EARTH_RADIUS_M, load_graph, save_graph
from caravan.types import Site

D = EARTH_RADIUS_M * math.radians(0.001)  # metres in 0.001 degree on the equator/a meridian
BBOX = (-0.005, -0.05, 0.05, 0.05)
STAMP = "2025-11-20T21:14:02Z"
GET = "thailand-latest.osm.pbf from download.geofabrik.de"


def s(metres: float, kmh: float) -> float:
    return metres / (kmh / 3.6)


# id: (lon, lat)
NODES = {
    1: (0.00, 0.00),
    2: (0.001, 0.00),
    3: (0.002, 0.00),
    4: (0.001, 0.001),
    5: (0.001, 0.002),
    6: (0.003, 0.00),
    7: (0.003, 0.001),
    9: (0.002, -0.001),
    10: (0.00, -0.001),
    11: (1.00, 0.00),
    12: (1.01, 0.00),
    13: (0.003, 0.002),
}
# (id, nodes, tags)
WAYS = [
    (1, [1, 2, 3], {"highway": "primary"}),  # two-way, 70 km/h
    (2, [2, 4, 5], {"highway": "residential", "oneway": "yes"}),  # 4 is no junction
    (3, [3, 6], {"highway": "tertiary", "maxspeed": "30"}),  # min(50, 0.8 * 30) = 24
    (4, [6, 7], {"highway": "tertiary", "junction": "roundabout"}),  # one-way 6 -> 7
    (5, [3, 9], {"highway": "footway"}),  # not for a van
    (6, [1, 10], {"highway": "residential", "access": "private"}),  # closed
    (7, [11, 12], {"highway": "primary"}),  # outside the box
    (8, [7, 13], {"highway": "unclassified", "oneway": "-1"}),  # 13 -> 7 only, 40 km/h
]
# Graph node numbers follow the OSM ids: 1, 2, 3, 5, 6, 7, 13 -> 0 .. 6.
EXPECTED_EDGES = [
    (0, 1, D, s(D, 70)),  # 1 -> 2
    (1, 0, D, s(D, 70)),
    (1, 2, D, s(D, 70)),  # 2 -> 3
    (1, 3, 2 * D, s(2 * D, 30)),  # 2 -> 5 through 4, one-way
    (2, 1, D, s(D, 70)),
    (2, 4, D, s(D, 24)),  # 3 -> 6, maxspeed 30
    (4, 2, D, s(D, 24)),
    (4, 5, D, s(D, 50)),  # 6 -> 7, roundabout
    (6, 5, D, s(D, 40)),  # 13 -> 7, oneway=-1
]


def xml_text(nodes, ways, *, extra_nodes: str = "") -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in sorted(nodes.items()):
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    lines.append(extra_nodes)
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_xml(path: Path, nodes, ways) -> Path:
    path.write_text(xml_text(nodes, ways), encoding="utf-8")
    return path


def write_pbf(path: Path, nodes, ways, *, stamp: str | None = STAMP) -> Path:
    header = osmium.io.Header()
    if stamp:
        header.set("osmosis_replication_timestamp", stamp)
    with osmium.SimpleWriter(str(path), header=header, overwrite=True) as w:
        for nid, loc in sorted(nodes.items()):
            w.add_node(Node(id=nid, location=loc))
        for wid, refs, tags in ways:
            w.add_way(Way(id=wid, nodes=refs, tags=tags))
    return path


def edges(graph) -> list[tuple[int, int, float, float]]:
    return [
        (int(a), int(b), float(m), float(t))
        for a, b, m, t in zip(graph.src, graph.dst, graph.metres, graph.seconds, strict=True)
    ]


def assert_edges(graph, expected, *, rel: float = 1e-9) -> None:
    got = edges(graph)
    assert [(a, b) for a, b, _, _ in got] == [(a, b) for a, b, _, _ in expected]
    for (_, _, m, t), (_, _, em, et) in zip(got, expected, strict=True):
        assert m == pytest.approx(em, rel=rel)
        assert t == pytest.approx(et, rel=rel)


def same_graph(g1, g2) -> None:
    for name in ("lon", "lat", "src", "dst", "seconds", "metres"):
        np.testing.assert_array_equal(getattr(g1, name), getattr(g2, name), err_msg=name)


# ------------------------------------------------------------------ tags


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("80", 80.0),
        ("80 km/h", 80.0),
        ("60kmh", 60.0),
        ("45 kph", 45.0),
        ("50 mph", 50 * 1.609344),
        ("TH:urban", 80.0),
        ("TH:rural", 90.0),
        ("TH:motorway", 120.0),
        (" 70 ", 70.0),
        ("none", None),
        ("signals", None),
        ("60;80", None),
        ("TH:zone30", None),
        ("0", None),
        ("300", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_maxspeed(value, kmh):
    assert parse_maxspeed(value) == kmh


@pytest.mark.parametrize(
    ("tags", "rule"),
    [
        ({"highway": "primary"}, (70.0, 0)),
        ({"highway": "motorway"}, (90.0, 1)),  # implied one-way
        ({"highway": "motorway", "oneway": "no"}, (90.0, 0)),
        ({"highway": "motorway_link"}, (50.0, 0)),
        ({"highway": "tertiary", "junction": "circular"}, (50.0, 1)),
        ({"highway": "tertiary", "junction": "roundabout", "oneway": "no"}, (50.0, 0)),
        ({"highway": "residential", "oneway": "true"}, (30.0, 1)),
        ({"highway": "residential", "oneway": "1"}, (30.0, 1)),
        ({"highway": "residential", "oneway": "reverse"}, (30.0, -1)),
        ({"highway": "residential", "oneway": "reversible"}, (30.0, 0)),
        ({"highway": "trunk", "maxspeed": "TH:rural"}, (72.0, 0)),  # 0.8 * 90
        ({"highway": "trunk", "maxspeed": "120"}, (80.0, 0)),  # never above the default
        ({"highway": "primary", "maxspeed": "TH:urban"}, (64.0, 0)),
        ({"highway": "secondary", "maxspeed": "walk"}, (60.0, 0)),  # not understood
        ({"highway": "track"}, (15.0, 0)),
        ({"highway": "track", "tracktype": "grade2"}, (15.0, 0)),
        ({"highway": "track", "tracktype": "grade5"}, None),
        ({"highway": "service", "access": "no"}, None),
        ({"highway": "service", "access": "private"}, None),
        ({"highway": "service", "motor_vehicle": "no"}, None),
        ({"highway": "service", "motorcar": "no"}, None),
        ({"highway": "service", "vehicle": "private"}, None),
        ({"highway": "service", "access": "no", "motorcar": "yes"}, (15.0, 0)),
        ({"highway": "service", "access": "destination"}, (15.0, 0)),
        ({"highway": "pedestrian", "area": "yes"}, None),
        ({"highway": "residential", "area": "yes"}, None),
        ({"highway": "footway"}, None),
        ({"highway": "construction"}, None),
        ({"highway": "proposed"}, None),
        ({"building": "yes"}, None),
    ],
)
def test_way_rule(tags, rule):
    assert way_rule(tags) == rule


# ------------------------------------------------------------------ read_osm


def test_tiny_network_exact_edges(tmp_path):
    g = read_osm(write_xml(tmp_path / "tiny.osm", NODES, WAYS), bbox=BBOX)
    ids = [1, 2, 3, 5, 6, 7, 13]
    assert g.lon.tolist() == [NODES[i][0] for i in ids]
    assert g.lat.tolist() == [NODES[i][1] for i in ids]
    assert_edges(g, EXPECTED_EDGES)
    assert g.src.dtype == np.int64
    assert g.seconds.dtype == np.float64


def test_pbf_and_xml_give_the_same_graph(tmp_path):
    from_xml = read_osm(write_xml(tmp_path / "tiny.osm", NODES, WAYS), bbox=BBOX)
    from_pbf = read_osm(write_pbf(tmp_path / "tiny.osm.pbf", NODES, WAYS), bbox=BBOX)
    same_graph(from_xml, from_pbf)


def test_compressed_xml_reads_too(tmp_path):
    import bz2
    import gzip

    text = xml_text(NODES, WAYS).encode()
    (tmp_path / "t.osm.bz2").write_bytes(bz2.compress(text))
    (tmp_path / "t.osm.gz").write_bytes(gzip.compress(text))
    plain = read_osm(write_xml(tmp_path / "t.osm", NODES, WAYS), bbox=BBOX)
    same_graph(plain, read_osm(tmp_path / "t.osm.bz2", bbox=BBOX))
    same_graph(plain, read_osm(tmp_path / "t.osm.gz", bbox=BBOX))


def test_a_way_without_junctions_becomes_one_edge(tmp_path):
    nodes = {1: (0.0, 0.0), 2: (0.0, 0.001), 3: (0.0, 0.003)}
    g = read_osm(
        write_xml(tmp_path / "x.osm", nodes, [(1, [1, 2, 3], {"highway": "road"})]), bbox=BBOX
    )
    assert g.lat.tolist() == [0.0, 0.003]
    assert_edges(g, [(0, 1, 3 * D, s(3 * D, 30)), (1, 0, 3 * D, s(3 * D, 30))])


def test_a_long_way_keeps_a_node_past_every_kilometre(tmp_path):
    step = 4 * D  # 444.8 m: the nodes are at 0, 445, 890, 1334, 1779 and 2224 m
    nodes = {i: (0.0, 0.004 * i) for i in range(6)}
    ways = [(1, list(range(6)), {"highway": "secondary", "oneway": "yes"})]
    g = read_osm(write_xml(tmp_path / "x.osm", nodes, ways), bbox=BBOX)
    assert g.lat.tolist() == [0.0, 0.012, 0.02]  # the start, past 1 km, the end
    assert_edges(g, [(0, 1, 3 * step, s(3 * step, 60)), (1, 2, 2 * step, s(2 * step, 60))])


def test_a_way_crossing_the_box_with_no_node_inside_is_kept(tmp_path):
    nodes = {1: (-1.0, 0.0), 2: (1.0, 0.0)}
    g = read_osm(
        write_xml(tmp_path / "x.osm", nodes, [(1, [1, 2], {"highway": "trunk"})]), bbox=BBOX
    )
    assert g.n_nodes == 2
    assert g.n_edges == 2


def test_parallel_ways_keep_the_fastest_and_loops_go(tmp_path):
    nodes = {1: (0.0, 0.0), 2: (0.001, 0.0), 3: (0.0, 0.001), 4: (0.001, 0.001)}
    ways = [
        (1, [1, 2], {"highway": "residential"}),
        (2, [1, 2], {"highway": "primary"}),
        (3, [2, 4, 2], {"highway": "service"}),  # a loop back to 2: no edge 2 -> 2
        (4, [1, 1, 3], {"highway": "track"}),  # a node repeated in a row is one node
    ]
    g = read_osm(write_xml(tmp_path / "x.osm", nodes, ways), bbox=BBOX)
    # nodes 1, 2, 3 -> 0, 1, 2; 4 is only inside the loop
    assert g.n_nodes == 3
    assert_edges(
        g,
        [(0, 1, D, s(D, 70)), (0, 2, D, s(D, 15)), (1, 0, D, s(D, 70)), (2, 0, D, s(D, 15))],
    )


def test_a_missing_node_location_splits_the_way(tmp_path):
    nodes = {1: (0.0, 0.0), 2: (0.0, 0.001), 3: (0.0, 0.002), 4: (0.0, 0.003)}
    ways = [(1, [1, 2, 99, 3, 4], {"highway": "secondary"})]  # node 99 is not in the file
    for name in ("x.osm", "x.osm.pbf"):
        path = tmp_path / name
        (write_xml if name.endswith(".osm") else write_pbf)(path, nodes, ways)
        g = read_osm(path, bbox=BBOX)
        assert_edges(
            g,
            [
                (0, 1, D, s(D, 60)),
                (1, 0, D, s(D, 60)),
                (2, 3, D, s(D, 60)),
                (3, 2, D, s(D, 60)),
            ],
        )


def test_the_file_backed_location_index_gives_the_same_graph(tmp_path, monkeypatch):
    """Where libosmium has no sparse_mmap_array (macOS, Windows) a temporary file holds
    the node locations."""
    path = write_pbf(tmp_path / "tiny.osm.pbf", NODES, WAYS)
    in_memory = read_osm(path, bbox=BBOX)
    if "sparse_mmap_array" in osmium.index.map_types():  # Linux
        assert osm._location_index(str(tmp_path)) == "sparse_mmap_array"
    monkeypatch.setattr(osmium.index, "map_types", lambda: ["flex_mem", "sparse_file_array"])
    assert osm._location_index("/t").startswith("sparse_file_array,")
    same_graph(in_memory, read_osm(path, bbox=BBOX))


def test_progress_messages(tmp_path):
    lines: list[str] = []
    read_osm(write_xml(tmp_path / "tiny.osm", NODES, WAYS), bbox=BBOX, progress=lines.append)
    assert lines[0].startswith(f"reading node locations and roads from '{tmp_path / 'tiny.osm'}'")
    assert lines[-1] == "7 roads read, 5 kept"  # the footway stays in C++; private, outside


def test_no_drivable_road_in_the_box(tmp_path):
    path = write_xml(tmp_path / "far.osm", NODES, [w for w in WAYS if w[0] in (5, 6, 7)])
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == (
        f"'{path}' has no drivable roads around the three provinces (lon -0.01 to 0.05, "
        f"lat -0.05 to 0.05): use an extract that covers Thailand, e.g. {GET}"
    )


# ------------------------------------------------------------------ unreadable files


def test_missing_file(tmp_path):
    path = tmp_path / "thailand-latest.osm.pbf"
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == f"no OpenStreetMap file at '{path}': download an extract, e.g. {GET}"


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(OsmError) as err:
        read_osm(tmp_path, bbox=BBOX)
    assert str(err.value) == (
        f"'{tmp_path}' is a folder, not an OpenStreetMap file: name the extract itself, e.g. {GET}"
    )


def test_empty_file(tmp_path):
    path = tmp_path / "x.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == f"'{path}' is empty (0 bytes): download the extract again, e.g. {GET}"


def unreadable(path, reason: str) -> str:
    return (
        f"'{path}' is not a readable OpenStreetMap file ({reason}): download a fresh extract, "
        f"e.g. {GET}"
    )


def test_corrupt_pbf(tmp_path):
    path = tmp_path / "x.osm.pbf"
    path.write_bytes(random.Random(7).randbytes(4096))
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(
        path, "PBF error: invalid BlobHeader size (> max_blob_header_size)"
    )


def test_an_invalid_node_location_is_one_line(tmp_path):
    path = write_xml(tmp_path / "x.osm", {1: (0.0, 0.0), 2: (500.0, 95.0)},
                     [(1, [1, 2], {"highway": "secondary"})])  # fmt: skip
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(path, "wrong format for coordinate: '500.0'")


def test_truncated_pbf(tmp_path):
    nodes = {i: (0.0, i / 1000) for i in range(1, 2001)}
    good = write_pbf(tmp_path / "good.osm.pbf", nodes, [(1, list(nodes), {"highway": "road"})])
    path = tmp_path / "x.osm.pbf"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(path, "PBF error: unexpected EOF")


def test_broken_xml(tmp_path):
    path = tmp_path / "x.osm"
    path.write_text(xml_text(NODES, WAYS)[:-40], encoding="utf-8")
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(
        path, "XML parsing error at line 61, column 4: unclosed token"
    )


def test_not_xml_at_all(tmp_path):
    path = tmp_path / "x.osm"
    path.write_text("<osm><node id=", encoding="utf-8")
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(
        path, "Can not read file without version (missing version attribute on osm element)"
    )


def test_unknown_file_type(tmp_path):
    path = write_xml(tmp_path / "roads.dat", NODES, WAYS)
    with pytest.raises(OsmError) as err:
        read_osm(path, bbox=BBOX)
    assert str(err.value) == unreadable(
        path, "unknown file type: the name should end in .osm.pbf, .osm, .osm.bz2 or .osm.gz"
    )


# ------------------------------------------------------------------ build_road_graph


def site(code: str, lon: float, lat: float, province: str = "65", name: str = "") -> Site:
    return Site(
        code=code,
        level="tambon",
        name_th="ทดสอบ",
        name_en=name or f"Site {code}",
        province_code=province,
        district_code=code[:4],
        lon=lon,
        lat=lat,
    )


# A main network (a T of two-way roads, nodes 1-4) and an island (5-6) 0.2 degree east.
MAIN_NODES = {
    1: (0.00, 0.00),
    2: (0.001, 0.00),
    3: (0.002, 0.00),
    4: (0.001, 0.001),
    5: (0.20, 0.00),
    6: (0.21, 0.00),
}
MAIN_WAYS = [
    (1, [1, 2, 3], {"highway": "secondary"}),
    (2, [2, 4], {"highway": "residential"}),
    (3, [5, 6], {"highway": "primary"}),
]
SITES = [site("650101", 0.0, 0.0, name="Nai Mueang"), site("650102", 0.0011, 0.0011)]


def test_build_drops_the_island_and_reads_back_identically(tmp_path):
    src = write_pbf(tmp_path / "thailand-latest.osm.pbf", MAIN_NODES, MAIN_WAYS)
    out = tmp_path / "data" / "roads.npz"
    g = build_road_graph(src, out, sites=SITES, margin_km=30.0)
    # nodes 1-4 -> 0-3; the island 5-6 is gone
    assert g.lon.tolist() == [0.0, 0.001, 0.002, 0.001]
    assert g.lat.tolist() == [0.0, 0.0, 0.0, 0.001]
    assert_edges(
        g,
        [
            (0, 1, D, s(D, 60)),
            (1, 0, D, s(D, 60)),
            (1, 2, D, s(D, 60)),
            (1, 3, D, s(D, 30)),
            (2, 1, D, s(D, 60)),
            (3, 1, D, s(D, 30)),
        ],
        rel=1e-7,
    )
    # stored as float32: the graph returned is the graph stored
    assert g.seconds[0] == float(np.float32(s(D, 60)))
    assert g.metres[0] == float(np.float32(D))
    assert g.source == (
        f"OpenStreetMap extract thailand-latest.osm.pbf (data of {STAMP}), 4 nodes, 6 edges"
    )
    back = load_graph(out)
    same_graph(g, back)
    assert back.source == g.source


def test_build_source_falls_back_on_the_file_date(tmp_path):
    src = write_xml(tmp_path / "extract.osm", MAIN_NODES, MAIN_WAYS)
    os.utime(src, (1_760_000_000, 1_760_000_000))
    g = build_road_graph(src, tmp_path / "roads.npz", sites=SITES)
    assert g.source == (
        "OpenStreetMap extract extract.osm (file of 2025-10-09T08:53:20Z), 4 nodes, 6 edges"
    )


def test_build_reports_progress(tmp_path):
    src = write_pbf(tmp_path / "t.osm.pbf", MAIN_NODES, MAIN_WAYS)
    lines: list[str] = []
    build_road_graph(src, tmp_path / "roads.npz", sites=SITES, margin_km=30, progress=lines.append)
    assert lines[-2:] == [
        "keeping the largest connected part of 6 nodes",
        f"writing '{tmp_path / 'roads.npz'}': 4 nodes, 6 edges",
    ]


def coverage_error(tmp_path, sites) -> str:
    src = write_pbf(tmp_path / "t.osm.pbf", MAIN_NODES, MAIN_WAYS)
    out = tmp_path / "roads.npz"
    with pytest.raises(OsmError) as err:
        build_road_graph(src, out, sites=sites)
    assert not out.exists()  # no half-written graph
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.osm.pbf"]
    return str(err.value)


def test_coverage_one_site(tmp_path):
    sites = [*SITES, site("650103", 0.1, 0.1, name="Wat Chan")]  # 14 km from node 4
    assert coverage_error(tmp_path, sites) == (
        f"'{tmp_path / 't.osm.pbf'}' does not cover every site: no road within 5 km of site "
        f"650103 (Wat Chan): use an extract that covers Thailand, e.g. {GET}"
    )


def test_coverage_more_sites_in_two_provinces(tmp_path):
    sites = [
        *SITES,
        site("650103", 0.1, 0.1, name="Wat Chan"),
        site("650104", 0.0, -0.1),
        site("350101", 0.1, 0.0, "35"),  # no road within 5 km: the island is dropped
        site("350102", 0.0, 0.005, "35"),  # covered
    ]
    assert coverage_error(tmp_path, sites) == (
        f"'{tmp_path / 't.osm.pbf'}' does not cover every site: no road within 5 km of site "
        f"650103 (Wat Chan) and 2 more sites in Phitsanulok and Yasothon: use an extract that "
        f"covers Thailand, e.g. {GET}"
    )


def test_coverage_a_whole_province(tmp_path):
    sites = [*SITES, site("350101", 0.5, 0.5, "35"), site("350102", 0.6, 0.5, "35")]
    assert coverage_error(tmp_path, sites) == (
        f"'{tmp_path / 't.osm.pbf'}' does not cover Yasothon: no road within 5 km of any of "
        f"its 2 sites: use an extract that covers Thailand, e.g. {GET}"
    )


def test_coverage_two_whole_provinces_and_a_site(tmp_path):
    sites = [
        *SITES,
        site("650103", 0.1, 0.1, name="Wat Chan"),
        site("350101", 0.5, 0.5, "35"),
        site("370101", 0.6, 0.5, "37"),
        site("370102", 0.6, 0.6, "37"),
    ]
    assert coverage_error(tmp_path, sites) == (
        f"'{tmp_path / 't.osm.pbf'}' does not cover Yasothon and Amnat Charoen: no road "
        f"within 5 km of any of their 3 sites, nor of 1 more site in Phitsanulok: use an "
        f"extract that covers Thailand, e.g. {GET}"
    )


def test_a_failed_build_leaves_an_existing_graph_alone(tmp_path):
    out = tmp_path / "roads.npz"
    src = write_pbf(tmp_path / "t.osm.pbf", MAIN_NODES, MAIN_WAYS)
    build_road_graph(src, out, sites=SITES)
    before = out.read_bytes()
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(random.Random(7).randbytes(4096))
    with pytest.raises(OsmError):
        build_road_graph(bad, out, sites=SITES)
    with pytest.raises(OsmError):
        build_road_graph(src, out, sites=[*SITES, site("650103", 0.1, 0.1)])
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.osm.pbf", "roads.npz", "t.osm.pbf"]


def test_a_graph_path_that_cannot_be_written(tmp_path):
    src = write_pbf(tmp_path / "t.osm.pbf", MAIN_NODES, MAIN_WAYS)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError) as err:
        build_road_graph(src, tmp_path / "file" / "roads.npz", sites=SITES)
    assert str(err.value).startswith(f"cannot write the road graph to '{tmp_path}/file/roads.npz'")


def test_the_graph_is_stored_atomically(tmp_path, monkeypatch):
    """save_graph is what build_road_graph writes with: a failure half-way keeps the old."""
    out = tmp_path / "roads.npz"
    src = write_pbf(tmp_path / "t.osm.pbf", MAIN_NODES, MAIN_WAYS)
    g = build_road_graph(src, out, sites=SITES)
    before = out.read_bytes()

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError) as err:
        build_road_graph(src, out, sites=SITES)
    assert str(err.value) == f"cannot write the road graph to '{out}': No space left on device"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roads.npz", "t.osm.pbf"]
    monkeypatch.undo()
    save_graph(g, out)
    same_graph(load_graph(out), g)


def test_default_graph_path(monkeypatch, tmp_path):
    monkeypatch.setenv("CARAVAN_ROADS", str(tmp_path / "r.npz"))
    assert osm.default_graph_path() == tmp_path / "r.npz"
    monkeypatch.delenv("CARAVAN_ROADS")
    monkeypatch.setenv("CARAVAN_DB", str(tmp_path / "elsewhere" / "h.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert osm.default_graph_path() == tmp_path / "xdg" / "caravan" / "roads.npz"


def test_the_real_sites_bbox_covers_the_three_provinces():
    from caravan.geo.geography import load_geography

    sites = list(load_geography().sites.values())
    min_lon, min_lat, max_lon, max_lat = osm.sites_bbox(sites, 20.0)
    assert min(s.lon for s in sites) - min_lon == pytest.approx(20 / (111.32 * 0.95), rel=0.05)
    assert max_lat - max(s.lat for s in sites) == pytest.approx(20 / 111.32)
    assert 99 < min_lon < 100.5 < 104.5 < max_lon < 106
    assert 14.5 < min_lat < 16 < 17 < max_lat < 18.5
