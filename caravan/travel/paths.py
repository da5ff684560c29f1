"""The line each leg of a plan drives along, for the maps: :func:`leg_lines`.

A leg is a drive from one site to the next (codes ``(from, to)``). Its line is the path the
travel model drove, so that the maps follow the roads:

* ``road`` and ``osm``: the fastest path over the road graph that gave the drive time
  (:func:`caravan.travel.roadgraph.site_paths`): the road nodes it passes (the built-in
  layer's vertices; for OpenStreetMap, junctions and a node about every kilometre) and
  the access links that stand for local roads, drawn straight;
* ``osrm``: the road the server's route service drives (:func:`caravan.travel.osrm.osrm_routes`),
  with the sites themselves at both ends (the server starts on the nearest road);
* ``straight``: no line; the maps draw the straight line between the sites.

Each line is simplified (Douglas-Peucker, :data:`LINE_TOLERANCE_M` metres: no point of the
path is further than that from the line drawn) and its coordinates rounded to 5 decimals
(about 1 m), so that ``map.html`` stays small. A leg that gets no line (the OSRM server found no
route, or could not be reached; the road graph file is gone) is drawn straight, and
:attr:`LegLines.note` says so: a plan never fails for a drawing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from caravan.travel.matrix import TravelModel
from caravan.travel.roadgraph import RoadGraphError, local_xy
from caravan.types import Site

LINE_TOLERANCE_M = 50.0
LINE_DECIMALS = 5

#: lon/lat points from one site to the next
Line = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class LegLines:
    """The line of each leg that has one, and a note on the legs that have none."""

    lines: Mapping[tuple[str, str], Line] = field(default_factory=dict)
    note: str = ""


def simplify_line(points, tolerance_m: float = LINE_TOLERANCE_M) -> Line:
    """``points`` (lon/lat rows) without the points that lie within ``tolerance_m`` of the
    line through the others (Douglas-Peucker; both ends are kept), without repeated
    points, rounded to :data:`LINE_DECIMALS` decimals."""
    pts = np.array(
        [(round(float(x), LINE_DECIMALS), round(float(y), LINE_DECIMALS)) for x, y in points]
    )
    if len(pts) > 1:
        moved = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[np.concatenate([[True], moved])]
    if len(pts) == 1:  # two sites at the same place
        pts = np.vstack([pts, pts])
    if len(pts) > 2:
        pts = pts[_douglas_peucker(local_xy(pts[:, 0], pts[:, 1], float(pts[0, 1])), tolerance_m)]
    return tuple((float(x), float(y)) for x, y in pts)


def _douglas_peucker(xy: np.ndarray, tolerance: float) -> np.ndarray:
    """Which points of the polyline ``xy`` (metres) Douglas-Peucker keeps (a mask)."""
    keep = np.zeros(len(xy), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, ab, inner = xy[i], xy[j] - xy[i], xy[i + 1 : j]
        length2 = float(ab @ ab)
        t = np.clip((inner - a) @ ab / length2, 0.0, 1.0) if length2 > 0 else np.zeros(len(inner))
        d = np.hypot(*(inner - (a + t[:, None] * ab)).T)
        m = int(np.argmax(d))
        if d[m] > tolerance:
            keep[i + 1 + m] = True
            stack += [(i, i + 1 + m), (i + 1 + m, j)]
    return keep


def leg_lines(
    sites: Sequence[Site],
    model: TravelModel,
    legs: Iterable[tuple[str, str]],
    *,
    tolerance_m: float = LINE_TOLERANCE_M,
) -> LegLines:
    """The simplified line of each leg ``(from code, to code)`` under ``model`` (module
    docstring). ``sites``: every site of the plan, in the order of its travel matrix (the
    built-in road model splits its roads where the sites join them)."""
    wanted = sorted({(a, b) for a, b in legs if a != b})
    if model.mode == "straight" or not wanted:
        return LegLines()
    index = {s.code: i for i, s in enumerate(sites)}
    pairs = [(index[a], index[b]) for a, b in wanted]
    if model.mode == "osrm":
        raw, why = _osrm_lines(sites, pairs, model)
    else:
        try:
            raw, why = _graph_lines(sites, pairs, model), ""
        except RoadGraphError as exc:
            raw, why = {}, str(exc)
    lines = {
        leg: simplify_line(raw[pair], tolerance_m)
        for leg, pair in zip(wanted, pairs, strict=True)
        if pair in raw
    }
    note = ""
    if len(lines) < len(wanted):
        note = (
            f"{len(wanted) - len(lines)} of {len(wanted)} legs are drawn as straight lines on "
            f"the maps: {why}"
        )
    return LegLines(lines=lines, note=note)


def _graph_lines(
    sites: Sequence[Site], pairs: list[tuple[int, int]], model: TravelModel
) -> dict[tuple[int, int], np.ndarray]:
    if model.mode == "road":
        from caravan.travel.roadnet import road_paths

        return road_paths(sites, pairs, model.road)
    from caravan.travel.roadgraph import AccessModel, load_graph, site_paths

    return site_paths(load_graph(model.graph_path()), sites, AccessModel(), pairs)


def _osrm_lines(
    sites: Sequence[Site], pairs: list[tuple[int, int]], model: TravelModel
) -> tuple[dict[tuple[int, int], np.ndarray], str]:
    """The server's roads, from site to site (its route starts on the nearest road)."""
    from caravan.travel.osrm import osrm_routes

    routes, why = osrm_routes(
        [(sites[i], sites[j]) for i, j in pairs], model.osrm_url, profile=model.osrm_profile
    )
    out = {}
    for (i, j), route in zip(pairs, routes, strict=True):
        if route is not None:
            a, b = sites[i], sites[j]
            out[i, j] = np.array([(a.lon, a.lat), *route, (b.lon, b.lat)])
    return out, why
