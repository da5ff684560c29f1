"""The plan as GeoJSON (RFC 7946), for QGIS, geopandas and any GIS.

One FeatureCollection, WGS84 lon/lat (RFC 7946 has no other CRS), coordinates to 6 decimals
(about 0.1 m), UTF-8. Every feature has a ``kind`` property, so a GIS can split the layers:

``route``      a LineString per unit-day, base -> visits -> base, along the roads the travel
               model drove (as on the maps; straight lines with ``--travel straight``
               and for plans without them, :mod:`caravan.plan.legs`): ``date``, ``unit``,
               ``province_code``, ``color`` (as on the map), ``depart``/``return`` (ISO 8601
               date-times with the +07:00 offset), ``depart_time``/``return_time`` (HH:MM),
               ``visits``, ``drive_minutes``, ``drive_km``, ``priority``, ``open_complaints``;
``depart``, ``visit``, ``return``
               a Point per stop of a route: ``date``, ``unit``, ``stop``, ``code``,
               ``name_th``, ``name_en``, ``arrive``/``depart`` (ISO 8601 date-times, null where
               they do not apply), ``arrive_time``/``depart_time`` (HH:MM), ``drive_minutes``,
               ``drive_km`` (from the previous stop), ``priority``, ``open_complaints``,
               ``categories`` (``category:count; ...``);
``unvisited``  a Point per site left out that still has open complaints: ``code``, names,
               ``priority``, ``open_complaints``, ``categories``, ``reason_code``, ``reason``.

Every property is a plain value (no nested objects), so shapefile-minded tools keep them all.
"""

from __future__ import annotations

import datetime as dt
import json

from caravan.clock import BANGKOK, hhmm
from caravan.outputs.mapdata import (
    route_colors,
    route_lines,
    route_path,
    unvisited_layer_data,
)
from caravan.types import WeekPlan


def _when(day: dt.date, seconds: int | None) -> str | None:
    if seconds is None:
        return None
    t = dt.datetime.combine(day, dt.time(), tzinfo=BANGKOK) + dt.timedelta(seconds=int(seconds))
    return t.isoformat()


def _categories(by_category) -> str:
    return "; ".join(f"{c}:{n}" for c, n in by_category.items())


def _pt(lon: float, lat: float) -> list[float]:
    return [round(lon, 6), round(lat, 6)]


def plan_geojson(plan: WeekPlan) -> dict:
    feats = []
    for route, color in zip(plan.routes, route_colors(plan), strict=True):
        ud = route.unit_day
        first, last = route.stops[0], route.stops[-1]
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        _pt(lon, lat) for lon, lat in route_path(route_lines(plan, route))
                    ],
                },
                "properties": {
                    "kind": "route",
                    "date": ud.date.isoformat(),
                    "unit": ud.unit,
                    "province_code": ud.province_code,
                    "color": color,
                    "depart": _when(ud.date, first.depart),
                    "return": _when(ud.date, last.arrive),
                    "depart_time": hhmm(first.depart),
                    "return_time": hhmm(last.arrive),
                    "visits": len(route.visits),
                    "drive_minutes": route.drive_seconds // 60,
                    "drive_km": round(route.drive_metres / 1000, 1),
                    "priority": round(sum(v.priority for v in route.visits), 2),
                    "open_complaints": sum(
                        plan.scores[v.code].open for v in route.visits if v.code in plan.scores
                    ),
                },
            }
        )
        for s in route.stops:
            site = plan.sites[s.code]
            score = plan.scores.get(s.code) if s.kind == "visit" else None
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _pt(site.lon, site.lat)},
                    "properties": {
                        "kind": s.kind,
                        "date": ud.date.isoformat(),
                        "unit": ud.unit,
                        "stop": s.stop,
                        "code": s.code,
                        "name_th": site.name_th,
                        "name_en": site.name_en,
                        "arrive": _when(ud.date, s.arrive),
                        "depart": _when(ud.date, s.depart),
                        "arrive_time": hhmm(s.arrive) if s.arrive is not None else None,
                        "depart_time": hhmm(s.depart) if s.depart is not None else None,
                        "drive_minutes": s.drive_seconds // 60,
                        "drive_km": round(s.drive_metres / 1000, 1),
                        "priority": round(s.priority, 2),
                        "open_complaints": score.open if score else 0,
                        "categories": _categories(score.by_category) if score else "",
                    },
                }
            )
    for u in unvisited_layer_data(plan):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _pt(u["lon"], u["lat"])},
                "properties": {
                    "kind": "unvisited",
                    "code": u["code"],
                    "name_th": u["name_th"],
                    "name_en": u["name_en"],
                    "priority": round(u["priority"], 2),
                    "open_complaints": u["open"],
                    "categories": _categories(u["by_category"]),
                    "reason_code": u["reason_code"],
                    "reason": u["reason_en"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def plan_geojson_text(plan: WeekPlan) -> str:
    return json.dumps(plan_geojson(plan), ensure_ascii=False, indent=1) + "\n"
