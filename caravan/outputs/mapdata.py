"""What a plan map shows, as plain data: shaded areas, routes, stops, bases, unvisited sites.

Both map renderers use it: :mod:`caravan.outputs.maps` (the interactive ``map.html``, folium) and
:mod:`caravan.outputs.staticmap` (the PNG, matplotlib), so they draw the same thing in the same
colours. Nothing here escapes text: each renderer escapes for its own output.

Shading: open complaints (open or in progress) per km² of each area, or per 10,000
residents when the plan has a population file (:mod:`caravan.geo.density`). The classes are
quantiles of the positive densities of the shown level (at most 6 classes, colours from
light yellow to dark red: ColorBrewer YlOrRd); areas without open complaints are light grey.

Display geometry is simplified as a coverage (shared borders stay shared, no gaps or
overlaps appear between neighbours) with a tolerance of about 200 m, and coordinates are
rounded to 5 decimals (about 1 m): enough for a map of a province, and it keeps
``map.html`` for all three provinces at tambon level well under 3 MB.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

from caravan.clock import hhmm
from caravan.geo.density import area_density, density_unit
from caravan.geo.geography import boundaries
from caravan.outputs.labels import date_label, reason_th
from caravan.outputs.tours import night_of, unit_tours
from caravan.types import Route, WeekPlan

#: route colours, in plan order (15 before one repeats)
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f00",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
)
#: sequential scale, light to dark (ColorBrewer YlOrRd, 6 classes)
SCALE = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
ZERO_COLOR = "#eeeeee"  # areas without open complaints
UNVISITED_COLOR = "#555555"
DISPLAY_TOLERANCE_DEG = 0.002
COORD_DECIMALS = 5
LEVEL_NAMES = {"district": ("อำเภอ", "districts"), "tambon": ("ตำบล", "tambons")}


def _round_coords(obj):
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(x) for x in obj]
    return obj


@cache
def _display_geometries(level: str) -> dict[str, dict]:
    import shapely
    from shapely.geometry import mapping, shape

    feats = boundaries(level)
    geoms = [shape(f["geometry"]) for f in feats]
    try:
        simple = shapely.coverage_simplify(geoms, DISPLAY_TOLERANCE_DEG)
    except AttributeError:  # shapely < 2.1: each area on its own
        simple = [g.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True) for g in geoms]
    out = {}
    for f, g in zip(feats, simple, strict=True):
        m = mapping(g)
        out[f["properties"]["code"]] = {
            "type": m["type"],
            "coordinates": _round_coords(m["coordinates"]),
        }
    return out


def display_geometry(level: str, code: str) -> dict:
    """The simplified GeoJSON geometry of a district, tambon or province, for drawing."""
    return _display_geometries(level)[code]


def class_breaks(values: Sequence[float], n: int = len(SCALE)) -> list[float]:
    """Quantile class edges over the positive values: ``[0, q1, ..., max]``, at most n
    classes, no empty class; no positive value gives ``[0, 1]``."""
    pos = sorted(v for v in values if v > 0)
    if not pos:
        return [0.0, 1.0]
    edges = [0.0]
    for i in range(1, n):
        q = pos[min(len(pos) - 1, round(i * len(pos) / n))]
        if q > edges[-1]:
            edges.append(q)
    if pos[-1] > edges[-1]:
        edges.append(pos[-1])
    return edges


def color_for(value: float, edges: Sequence[float]) -> str:
    """The class colour of a value: class i holds (edges[i-1], edges[i]]."""
    if value <= 0:
        return ZERO_COLOR
    last = max(1, len(edges) - 1)
    for i in range(1, last + 1):
        if value <= edges[i]:
            return SCALE[min(i - 1, len(SCALE) - 1)]
    return SCALE[min(last - 1, len(SCALE) - 1)]  # above the top edge: the top class


def _significant(v: float, digits: int) -> str:
    if v <= 0:
        return "0"
    return f"{v:.{max(0, digits - 1 - math.floor(math.log10(v)))}f}"


def format_density(v: float) -> str:
    """A density for people: two significant digits (``0.0031``, ``0.50``, ``3.5``, ``15``)."""
    return _significant(v, 2)


def edge_labels(edges: Sequence[float]) -> list[str]:
    """Labels of class edges: two significant digits, more where two edges would look equal."""
    for digits in range(2, 9):
        labels = [_significant(e, digits) for e in edges]
        if len(set(labels)) == len(set(edges)):
            break
    return labels


def legend_rows(edges: Sequence[float]) -> list[tuple[str, str]]:
    """(colour, label) per class, the empty class first: ``0``, ``> 0 – 0.052``, ..."""
    labels = edge_labels(edges)
    rows = [(ZERO_COLOR, "0")]
    for i in range(1, len(edges)):
        lo = "> 0" if i == 1 else labels[i - 1]
        rows.append((SCALE[min(i - 1, len(SCALE) - 1)], f"{lo} – {labels[i]}"))
    return rows


def _sum_counts(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for d in dicts:
        total.update(d)
    return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))


def density_layer_data(plan: WeekPlan, level: str) -> list[dict]:
    """One dict per area of ``level`` in the planned provinces: ``code``, ``name_th``,
    ``name_en``, ``open`` (open complaints), ``by_category`` (open complaints per category,
    most first), ``area_km2``, ``density`` (open per km², or per 10,000 residents with a
    population file), ``geometry`` (for display).

    At tambon level the districts add up their tambons."""
    out = []
    for feat in boundaries(level, plan.parameters.provinces):
        p = feat["properties"]
        code = p["code"]
        if level == plan.parameters.level:
            scores = [plan.scores[code]] if code in plan.scores else []
        else:  # districts of a tambon-level plan
            scores = [s for c, s in plan.scores.items() if c[:4] == code]
        n_open = sum(s.open for s in scores)
        area = float(p["area_km2"])
        out.append(
            {
                "code": code,
                "name_th": p["name_th"],
                "name_en": p["name_en"],
                "open": n_open,
                "by_category": _sum_counts(dict(s.by_category) for s in scores),
                "area_km2": area,
                "density": area_density(plan, code, n_open, area),
                "geometry": display_geometry(level, code),
            }
        )
    return out


def district_outlines(plan: WeekPlan) -> list[tuple[str, dict]]:
    """(code, display geometry) of every district of a tambon-level plan, drawn over the
    tambon shading; none at district level (the shading shows them already)."""
    if plan.parameters.level != "tambon":
        return []
    return [
        (code, display_geometry("district", code))
        for code in (
            f["properties"]["code"] for f in boundaries("district", plan.parameters.provinces)
        )
    ]


def density_unit_parts(plan: WeekPlan) -> tuple[str, str]:
    """The shading's unit in Thai and in English, for legends."""
    th, _, en = density_unit(plan).partition(" / ")
    return th, en


def shading_levels(plan: WeekPlan) -> list[str]:
    """The levels a plan can be shaded at: its own and every coarser one."""
    return ["district"] + (["tambon"] if plan.parameters.level == "tambon" else [])


def tour_index(plan: WeekPlan) -> list[int]:
    """Per route (plan order), the number of its tour (:func:`caravan.outputs.tours.unit_tours`)
    counted in the order the tours first appear: the days of one tour share it."""
    key = {
        (r.unit_day.unit, r.unit_day.date): (t.unit, t.first)
        for t in unit_tours(plan)
        for r in t.routes
    }
    order: dict[tuple, int] = {}
    out = []
    for r in plan.routes:
        k = key[(r.unit_day.unit, r.unit_day.date)]
        out.append(order.setdefault(k, len(order)))
    return out


def route_colors(plan: WeekPlan) -> list[str]:
    """One colour per tour, in plan order (day, province, unit): the unit-days of one day
    all differ, neighbouring provinces included, and the days of a tour with nights away
    share theirs, so a tour reads as one connected line; a colour comes back after 15."""
    return [PALETTE[i % len(PALETTE)] for i in tour_index(plan)]


def route_name(route: Route, calendar: str = "gregorian") -> str:
    return f"{date_label(route.unit_day.date, calendar)} · {route.unit_day.unit}"


def leg_line(plan: WeekPlan, a: str, b: str) -> list[tuple[float, float]]:
    """The lon/lat points of the leg from site ``a`` to site ``b``: the road the plan's
    travel model drove (``plan.legs``), else the straight line."""
    line = plan.legs.get((a, b))
    if line:
        return list(line)
    return [(plan.sites[c].lon, plan.sites[c].lat) for c in (a, b)]


def route_lines(plan: WeekPlan, route: Route) -> list[list[tuple[float, float]]]:
    """The lon/lat line of each leg of ``route``, in driving order."""
    return [leg_line(plan, a.code, b.code) for a, b in itertools.pairwise(route.stops)]


def route_path(lines: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The legs' lines (lon/lat) joined into one line from the base back to the base."""
    path = list(lines[0][:1]) if lines else []
    for line in lines:
        path += line[1:]
    return path


def along(leg: Sequence[Sequence[float]], fraction: float) -> list[float]:
    """The point ``fraction`` (0 to 1) of the way along a leg's points (lengths measured in
    degrees: good enough over a leg to place a direction arrow)."""
    pts = np.asarray(leg, dtype=float)
    steps = np.hypot(*np.diff(pts, axis=0).T)
    if len(pts) < 2 or steps.sum() == 0:
        return [float(v) for v in pts[0]]
    ends = np.cumsum(steps)
    at = fraction * ends[-1]
    i = min(int(np.searchsorted(ends, at)), len(steps) - 1)
    t = (at - (ends[i] - steps[i])) / steps[i] if steps[i] else 0.0
    return [float(v) for v in pts[i] + t * (pts[i + 1] - pts[i])]


def night_data(plan: WeekPlan, route: Route, calendar: str = "gregorian") -> dict | None:
    """The night after a route's day, for the map: ``code``, names, ``lat``, ``lon``,
    ``date`` (ISO), ``day`` (label), ``unit``, ``arrive`` (HH:MM), ``from_base_km``,
    ``from_base_minutes``; None when the unit sleeps at its base."""
    night = night_of(plan, route)
    if night is None:
        return None
    return {
        "code": night.code,
        "name_th": night.name_th,
        "name_en": night.name_en,
        "lat": night.lat,
        "lon": night.lon,
        "date": night.date.isoformat(),
        "day": date_label(night.date, calendar),
        "unit": night.unit,
        "arrive": hhmm(route.stops[-1].arrive),
        "from_base_km": round(night.from_base_metres / 1000, 1),
        "from_base_minutes": night.from_base_seconds // 60,
    }


def route_layer_data(plan: WeekPlan, calendar: str = "gregorian") -> list[dict]:
    """One dict per unit-day: ``index``, ``name``, ``date`` (ISO), ``day`` (label in the
    calendar), ``unit``, ``province_code``, ``color``, ``tour`` (the number of its tour,
    shared by the days of a tour with nights away), ``legs`` (per leg, the [lat, lon]
    points of the road it drives along: :func:`leg_line`), ``path`` (the legs joined, from
    where the day starts, the base or a lodging, through the visits to where it ends),
    ``depart``/``return`` (HH:MM: the return is the arrival at the lodging on a night
    away), ``drive_minutes``, ``visits`` (``stop``, ``code``, names, ``lat``, ``lon``,
    ``arrive``, ``depart``, ``drive_minutes`` from the previous stop, ``priority``,
    ``open``) and ``night`` (:func:`night_data`, or None)."""
    out = []
    tours = tour_index(plan)
    for i, (r, color) in enumerate(zip(plan.routes, route_colors(plan), strict=True)):
        ud = r.unit_day
        lines = route_lines(plan, r)
        visits = []
        for s in r.visits:
            site = plan.sites[s.code]
            score = plan.scores.get(s.code)
            visits.append(
                {
                    "stop": s.stop,
                    "code": s.code,
                    "name_th": site.name_th,
                    "name_en": site.name_en,
                    "lat": site.lat,
                    "lon": site.lon,
                    "arrive": hhmm(s.arrive),
                    "depart": hhmm(s.depart),
                    "drive_minutes": s.drive_seconds // 60,
                    "priority": s.priority,
                    "open": score.open if score else 0,
                }
            )
        out.append(
            {
                "index": i,
                "name": route_name(r, calendar),
                "date": ud.date.isoformat(),
                "day": date_label(ud.date, calendar),
                "unit": ud.unit,
                "province_code": ud.province_code,
                "color": color,
                "legs": [[[lat, lon] for lon, lat in line] for line in lines],
                "path": [[lat, lon] for lon, lat in route_path(lines)],
                "depart": hhmm(r.stops[0].depart),
                "return": hhmm(r.stops[-1].arrive),
                "drive_minutes": r.drive_seconds // 60,
                "visits": visits,
                "tour": tours[i],
                "night": night_data(plan, r, calendar),
            }
        )
    return out


def unvisited_layer_data(plan: WeekPlan) -> list[dict]:
    """The sites left out that still have open complaints: ``code``, names, ``lat``,
    ``lon``, ``priority``, ``open``, ``by_category``, ``reason_code``, ``reason_th``,
    ``reason_en``. Sites without open complaints are not drawn (nothing waits there)."""
    out = []
    for u in plan.unvisited:
        score = plan.scores.get(u.code)
        if not score or score.open == 0:
            continue
        site = plan.sites[u.code]
        out.append(
            {
                "code": u.code,
                "name_th": site.name_th,
                "name_en": site.name_en,
                "lat": site.lat,
                "lon": site.lon,
                "priority": u.priority,
                "open": score.open,
                "by_category": dict(score.by_category),
                "reason_code": u.reason_code,
                "reason_th": reason_th(u.reason_code),
                "reason_en": u.reason,
            }
        )
    return out


def geometry_bounds(geometry: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a GeoJSON geometry."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords) -> None:
        if isinstance(coords[0], int | float):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _bounds_of(features: Iterable[dict]) -> list[list[float]]:
    """Leaflet bounds, ``[[south, west], [north, east]]``, of some features."""
    boxes = [geometry_bounds(feat["geometry"]) for feat in features]
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def province_bounds(plan: WeekPlan) -> dict[str, list[list[float]]]:
    """province code -> ``[[south, west], [north, east]]`` of its outline."""
    return {
        f["properties"]["code"]: _bounds_of([f])
        for f in boundaries("province", plan.parameters.provinces)
    }


def map_bounds(plan: WeekPlan) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the planned provinces: the map opens on it."""
    boxes = list(province_bounds(plan).values())
    return [
        [min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
        [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)],
    ]
