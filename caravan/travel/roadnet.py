"""The built-in road model (``--travel road``, the default): no server, no download.

It drives on the coarse main-road layer that ships with caravan (``data/geo/roads.geojson``,
built from VMap0 by ``caravan data build``: 124 lines, about 1,665 km of primary and
secondary roads and trails around the three provinces, 1990s vintage, with gaps) and
reaches everything else by **access links**. The model, with the defaults of
:class:`RoadModel`:

* **Roads.** Each line is a two-way road, as long as its great-circle length along the line
  times ``line_factor`` (1.0). Speeds per class are door-to-door averages for a small van,
  towns and villages included: primary 80 km/h, secondary 65, other roads 50, trails 50
  (the layer's "trails" are the minor roads of the 1990s, most of them paved since).
* **Access links** stand for the local roads the layer does not have: a straight line times
  ``access_detour`` (1.25), driven at ``access_kmh`` (55 km/h). Every site is joined to the
  nearest point of its ``join_roads`` (1) nearest road within ``join_km`` (30 km; a site
  further from every road still joins the nearest one); every dangling road end (a gap in
  the layer) is joined to the nearest point of the nearest other road within ``gap_km``
  (10 km), and any part of the layer still apart from the rest to the nearest other part;
  two sites at most ``direct_km`` (45 km) apart are also joined directly. So every pair of
  sites has a finite time, and beyond 45 km a trip follows the main roads, as people drive.
* **Paths.** The fastest path by time (Dijkstra); the distance reported is the length of
  that path. A path never passes through a third site, so a pair's time does not depend on
  which other sites are planned. Times are rounded up to whole minutes.

The parameters were chosen against published road distances from the provincial towns of
all three provinces (``benchmarks/travel_calibration.py``; numbers, and how far they are
from the goal, in ``benchmarks/RESULTS.md``). Where the layer has no road, a trip follows
the straight line: in the mountains of Phitsanulok that is too short. An OpenStreetMap
extract (``--travel osm``) or an OSRM server (``--travel osrm``) is better wherever a
planner has one.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from caravan.errors import ParameterError, check_between
from caravan.folders import data_path
from caravan.travel.roadgraph import (
    EARTH_RADIUS_M,
    AccessModel,
    RoadGraph,
    great_circle_m,
    local_xy,
    part_labels,
    site_matrix,
    site_paths,
)
from caravan.types import Site, TravelMatrix

LAT0 = 16.0  # latitude of the local projection used to find nearest points (degrees)


@dataclass(frozen=True)
class RoadModel:
    """Parameters of the built-in road model (module docstring). Speeds in km/h."""

    primary_kmh: float = 80.0
    secondary_kmh: float = 65.0
    road_kmh: float = 50.0
    trail_kmh: float = 50.0
    line_factor: float = 1.0
    access_detour: float = 1.25
    access_kmh: float = 55.0
    join_roads: int = 1
    join_km: float = 30.0
    gap_km: float = 10.0
    direct_km: float = 45.0

    def __post_init__(self) -> None:
        for name in ("primary_kmh", "secondary_kmh", "road_kmh", "trail_kmh", "access_kmh"):
            check_between(getattr(self, name), 5, 150, param=name, unit="km/h")
        for name in ("line_factor", "access_detour"):
            check_between(getattr(self, name), 1, 5, param=name)
        if self.join_roads < 1:
            raise ParameterError(f"must be at least 1, got {self.join_roads}", param="join_roads")

    def speed(self, road_class: str) -> float:
        return getattr(self, f"{road_class}_kmh")

    def describe(self) -> str:
        return (
            f"road (built-in main roads: primary {self.primary_kmh:g}, secondary "
            f"{self.secondary_kmh:g}, other {self.road_kmh:g}, trail {self.trail_kmh:g} km/h; "
            f"local roads: straight line x{self.access_detour:g} at {self.access_kmh:g} km/h, "
            f"direct up to {self.direct_km:g} km)"
        )

    def params(self) -> dict[str, float]:
        return asdict(self)

    def access(self) -> AccessModel:
        """The local roads between a site and the main roads (the access links)."""
        return AccessModel(
            detour_factor=self.access_detour, speed_kmh=self.access_kmh, max_km=self.join_km
        )


@functools.cache
def road_lines() -> tuple[tuple[str, np.ndarray], ...]:
    """The built-in road layer: (road class, array of lon/lat vertices) per line."""
    with open(data_path("geo", "roads.geojson"), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return tuple(
        (f["properties"]["road_class"], np.asarray(f["geometry"]["coordinates"], dtype=float))
        for f in features
    )


def _xy(lonlat: np.ndarray) -> np.ndarray:
    """Local metres (:func:`caravan.travel.roadgraph.local_xy` around ``LAT0``) of lon/lat rows."""
    return local_xy(lonlat[:, 0], lonlat[:, 1], LAT0)


def _lonlat(xy) -> tuple[float, float]:
    """The inverse of :func:`_xy` for one point."""
    k = np.pi / 180.0 * EARTH_RADIUS_M
    return float(xy[0] / (k * np.cos(np.radians(LAT0)))), float(xy[1] / k)


def build_graph(sites: Sequence[Site], model: RoadModel) -> tuple[RoadGraph, list[np.ndarray]]:
    """The road graph with the points where ``sites`` join it, and the nodes each site
    joins (for :func:`caravan.travel.roadgraph.site_matrix`)."""
    import shapely

    lines = road_lines()
    geoms = np.array([shapely.linestrings(_xy(c)) for _, c in lines], dtype=object)
    # Points to add on each line: (position along it in local metres, lon, lat).
    extra: list[list[tuple[float, float, float]]] = [[] for _ in lines]

    def add_on(li: int, pt) -> tuple[float, float]:
        s = float(shapely.line_locate_point(geoms[li], pt))
        p = shapely.get_coordinates(shapely.line_interpolate_point(geoms[li], s))[0]
        lon, lat = _lonlat(p)
        extra[li].append((s, lon, lat))
        return lon, lat

    # Gaps: a line end no other line touches joins the nearest other line.
    gap_pairs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    vertex_count: dict[tuple[float, float], int] = {}
    for _, c in lines:
        for p in {(float(x), float(y)) for x, y in c}:
            vertex_count[p] = vertex_count.get(p, 0) + 1
    for li, (_, c) in enumerate(lines):
        for end in (c[0], c[-1]):
            key = (float(end[0]), float(end[1]))
            if vertex_count[key] > 1:
                continue
            pt = shapely.points(_xy(end[None, :])[0])
            d = shapely.distance(pt, geoms)
            d[li] = np.inf
            other = int(np.argmin(d))
            if d[other] <= model.gap_km * 1000.0:
                gap_pairs.append((key, add_on(other, pt)))

    # Sites join the nearest point of each of their nearest roads.
    site_points: list[list[tuple[float, float]]] = []
    for s in sites:
        pt = shapely.points(_xy(np.array([[s.lon, s.lat]]))[0])
        d = shapely.distance(pt, geoms)
        near = [int(i) for i in np.argsort(d, kind="stable")[: model.join_roads]]
        within = [li for li in near if d[li] <= model.join_km * 1000.0]
        # a site far from every road still joins the nearest one (its access link is long)
        site_points.append([add_on(li, pt) for li in within or near[:1]])

    node_id: dict[tuple[float, float], int] = {}

    def node(lon: float, lat: float) -> int:
        key = (round(lon, 7), round(lat, 7))
        if key not in node_id:
            node_id[key] = len(node_id)
        return node_id[key]

    src, dst, metres, speeds = [], [], [], []
    for li, (cls, c) in enumerate(lines):
        xy = _xy(c)
        seg = np.hypot(*np.diff(xy, axis=0).T)
        pos = np.concatenate([[0.0], np.cumsum(seg)])
        pts = [(float(p), float(lon), float(lat)) for p, (lon, lat) in zip(pos, c, strict=True)]
        pts = sorted(pts + extra[li], key=lambda t: t[0])
        kmh = model.speed(cls)
        for (_, lon1, lat1), (_, lon2, lat2) in itertools.pairwise(pts):
            a, b = node(lon1, lat1), node(lon2, lat2)
            if a == b:
                continue
            m = float(great_circle_m(lon1, lat1, lon2, lat2)) * model.line_factor
            src += [a, b]
            dst += [b, a]
            metres += [m, m]
            speeds += [kmh, kmh]
    for (lon1, lat1), (lon2, lat2) in gap_pairs:
        a, b = node(lon1, lat1), node(lon2, lat2)
        m = float(great_circle_m(lon1, lat1, lon2, lat2)) * model.access_detour
        src += [a, b]
        dst += [b, a]
        metres += [m, m]
        speeds += [model.access_kmh, model.access_kmh]
    joined = [np.array([node(lon, lat) for lon, lat in pts], dtype=np.int64) for pts in site_points]
    lonlat = np.array(list(node_id), dtype=float).reshape(-1, 2)
    # Parts of the layer that no gap link reaches: join each to the nearest other part.
    for a, b in _bridges(lonlat, src, dst):
        m = float(great_circle_m(*lonlat[a], *lonlat[b])) * model.access_detour
        src += [a, b]
        dst += [b, a]
        metres += [m, m]
        speeds += [model.access_kmh, model.access_kmh]
    metres_a = np.array(metres, dtype=float)
    graph = RoadGraph(
        lon=lonlat[:, 0],
        lat=lonlat[:, 1],
        src=np.array(src, dtype=np.int64),
        dst=np.array(dst, dtype=np.int64),
        seconds=metres_a / (np.array(speeds, dtype=float) / 3.6),
        metres=metres_a,
        source="built-in main roads (VMap0)",
    )
    return graph, joined


def _bridges(lonlat: np.ndarray, src: list[int], dst: list[int]) -> list[tuple[int, int]]:
    """Links (pairs of nodes) that make the network one piece: the part that holds node 0
    is joined to the nearest other part by its two closest nodes, then again, until no part
    is left apart."""
    labels = part_labels(len(lonlat), np.asarray(src), np.asarray(dst))
    xy = _xy(lonlat)
    out = []
    while len(set(labels.tolist())) > 1:
        small = labels[0]
        inside = np.flatnonzero(labels == small)
        outside = np.flatnonzero(labels != small)
        d = np.hypot(*(xy[inside, None, :] - xy[None, outside, :]).transpose(2, 0, 1))
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        a, b = int(inside[i]), int(outside[j])
        out.append((a, b))
        labels[labels == labels[b]] = small
    return out


def road_matrix(sites: Sequence[Site], model: RoadModel | None = None) -> TravelMatrix:
    """Drive seconds (whole minutes) and metres between every pair of ``sites``."""
    model = model or RoadModel()
    graph, joined = build_graph(sites, model)
    return site_matrix(
        graph,
        sites,
        model.access(),
        model=model.describe(),
        direct_km=model.direct_km,
        joined=joined,
    )


def road_paths(
    sites: Sequence[Site], pairs: Sequence[tuple[int, int]], model: RoadModel | None = None
) -> dict[tuple[int, int], np.ndarray]:
    """The path :func:`road_matrix` drives for each pair ``(i, j)`` of ``sites`` (lon/lat
    rows, :func:`caravan.travel.roadgraph.site_paths`); give the same ``sites`` as to the
    matrix, so that the roads are split at the same points."""
    model = model or RoadModel()
    graph, joined = build_graph(sites, model)
    return site_paths(graph, sites, model.access(), pairs, direct_km=model.direct_km, joined=joined)
