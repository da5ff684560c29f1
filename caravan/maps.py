"""The plan map (``map.html``), built with folium. The only module that imports folium.

What is drawn, bottom to top: district (and, at tambon level, tambon) areas shaded by open
complaints per km² with a legend; one line per unit-day in its own colour with arrows for
the direction; numbered stop markers; the bases; unvisited sites that still have open
complaints, in grey, with the reason. Every text that comes from an input file is escaped.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Sequence

import folium
from branca.element import MacroElement, Template

from caravan.density import area_density, density_short_unit, density_unit
from caravan.geography import boundaries
from caravan.model import hhmm
from caravan.priority import category_label
from caravan.types import WeekPlan

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
)
# sequential scale, light to dark (ColorBrewer YlOrRd, 6 classes)
SCALE = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
DISPLAY_TOLERANCE_DEG = 0.002  # ~200 m: geometry is simplified this much for display


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _simplify(geometry: dict, tolerance: float) -> dict:
    from shapely.geometry import mapping, shape

    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    data = mapping(geom)

    def rnd(obj):
        if isinstance(obj, float):
            return round(obj, 5)
        if isinstance(obj, list | tuple):
            return [rnd(x) for x in obj]
        return obj

    return {"type": data["type"], "coordinates": rnd(data["coordinates"])}


def class_breaks(values: Sequence[float], n: int = len(SCALE)) -> list[float]:
    """Quantile class breaks (n+1 edges) over the positive values; all-zero gives [0, 1]."""
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
    if value <= 0:
        return "#f7f7f7"
    for i in range(1, len(edges)):
        if value <= edges[i]:
            return SCALE[min(i - 1, len(SCALE) - 1)]
    return SCALE[-1]


def _fmt(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def date_label(d, calendar: str = "gregorian") -> str:
    if calendar == "buddhist":
        return f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + 543}"
    return d.isoformat()


def density_layer_data(plan: WeekPlan, level: str) -> list[dict]:
    """Per area: code, names, open complaints, km², density (open complaints per km², or per
    10,000 residents when the plan has populations: :mod:`caravan.density`), geometry."""
    out = []
    for feat in boundaries(level, plan.parameters.provinces):
        p = feat["properties"]
        code = p["code"]
        if level == plan.parameters.level:
            score = plan.scores.get(code)
            n_open = score.open if score else 0
        else:  # districts at tambon level: sum their tambons
            n_open = sum(s.open for c, s in plan.scores.items() if c[:4] == code)
        area = float(p["area_km2"])
        out.append(
            {
                "code": code,
                "name_th": p["name_th"],
                "name_en": p["name_en"],
                "open": n_open,
                "area_km2": area,
                "density": area_density(plan, code, n_open, area),
                "geometry": _simplify(feat["geometry"], DISPLAY_TOLERANCE_DEG),
            }
        )
    return out


def route_layer_data(plan: WeekPlan, calendar: str = "gregorian") -> list[dict]:
    """Per unit-day: name, colour, the [lat, lon] path and the numbered visits."""
    out = []
    for i, r in enumerate(plan.routes):
        ud = r.unit_day
        path = [[plan.sites[s.code].lat, plan.sites[s.code].lon] for s in r.stops]
        visits = []
        for s in r.visits:
            site = plan.sites[s.code]
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
                    "priority": s.priority,
                }
            )
        out.append(
            {
                "name": f"{date_label(ud.date, calendar)} · unit {ud.unit}",
                "date": ud.date.isoformat(),
                "unit": ud.unit,
                "color": PALETTE[i % len(PALETTE)],
                "path": path,
                "visits": visits,
            }
        )
    return out


def _popup_html(plan: WeekPlan, code: str, lines: Sequence[str]) -> str:
    site = plan.sites[code]
    score = plan.scores.get(code)
    cats = ""
    if score and score.by_category:
        items = "".join(
            f"<li>{esc(category_label(c)[0])} / {esc(category_label(c)[1])}: {n}</li>"
            for c, n in score.by_category.items()
        )
        cats = f"<div>เรื่องร้องเรียนที่ค้างอยู่ / open complaints: {score.open}</div><ul>{items}</ul>"
    body = "".join(f"<div>{line}</div>" for line in lines)
    return (
        f'<div class="caravan-popup" style="min-width:220px">'
        f"<b>{esc(site.name_th)}</b><br><i>{esc(site.name_en)}</i> ({esc(code)})"
        f"{body}{cats}</div>"
    )


class _Legend(MacroElement):
    def __init__(self, title: str, edges: Sequence[float], schedule_html: str) -> None:
        super().__init__()
        self._name = "CaravanLegend"
        rows = []
        for i in range(1, len(edges)):
            rows.append(
                f'<div><span style="background:{SCALE[min(i - 1, len(SCALE) - 1)]};'
                f"display:inline-block;width:18px;height:12px;margin-right:6px;"
                f'border:1px solid #999"></span>{_fmt(edges[i - 1])} – '
                f"{_fmt(edges[i])}</div>"
            )
        rows.insert(
            0,
            '<div><span style="background:#f7f7f7;display:inline-block;width:18px;'
            'height:12px;margin-right:6px;border:1px solid #999"></span>0</div>',
        )
        legend = (
            f'<div id="caravan-legend" style="position:fixed;bottom:24px;left:12px;'
            f"z-index:9999;background:white;padding:8px 10px;border:1px solid #888;"
            f'border-radius:4px;font:12px sans-serif">'
            f"<b>{esc(title)}</b>{''.join(rows)}</div>"
        )
        panel = (
            f'<div id="caravan-schedule" style="position:fixed;top:80px;right:12px;'
            f"z-index:9998;background:white;padding:8px 10px;border:1px solid #888;"
            f"border-radius:4px;font:12px sans-serif;max-height:60vh;overflow:auto;"
            f'max-width:320px">{schedule_html}</div>'
        )
        # readable UTF-8 in the page; "</" escaped so no text can close the <script>
        content = json.dumps(legend + panel, ensure_ascii=False).replace("</", "<\\/")
        self._template = Template(
            "{% macro html(this, kwargs) %}"
            '<div id="caravan-overlays"></div>'
            "<script>document.getElementById('caravan-overlays').innerHTML = "
            + content
            + ";</script>{% endmacro %}"
        )


def schedule_panel_html(plan: WeekPlan, calendar: str = "gregorian") -> str:
    parts = ["<b>ตารางการออกหน่วย / Schedule</b>"]
    for r in plan.routes:
        ud = r.unit_day
        items = "".join(
            f"<li>{esc(hhmm(s.arrive))}–{esc(hhmm(s.depart))} "
            f"{esc(plan.sites[s.code].name_th)} ({esc(plan.sites[s.code].name_en)})</li>"
            for s in r.visits
        )
        parts.append(
            f"<div style='margin-top:6px'><b>{esc(date_label(ud.date, calendar))}"
            f"</b> · unit {esc(ud.unit)}<ol style='margin:2px 0 0 18px;padding:0'>"
            f"{items}</ol></div>"
        )
    if not plan.routes:
        parts.append("<div>No visits planned.</div>")
    return "".join(parts)


def plan_map(plan: WeekPlan, *, calendar: str = "gregorian") -> folium.Map:
    p = plan.parameters
    lats = [s.lat for s in plan.sites.values()]
    lons = [s.lon for s in plan.sites.values()]
    fmap = folium.Map(
        location=[sum(lats) / len(lats), sum(lons) / len(lons)],
        zoom_start=9,
        tiles="OpenStreetMap",
        control_scale=True,
    )

    levels = ["district"] + (["tambon"] if p.level == "tambon" else [])
    all_density = []
    layers = {}
    for level in levels:
        data = density_layer_data(plan, level)
        layers[level] = data
        if level == p.level:
            all_density = [d["density"] for d in data]
    edges = class_breaks(all_density)
    unit = density_unit(plan)
    for level in levels:
        data = layers[level]
        group = folium.FeatureGroup(
            name=f"{'อำเภอ / districts' if level == 'district' else 'ตำบล / tambons'}: {unit}",
            show=(level == p.level),
        )
        fc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": d["geometry"],
                    "properties": {
                        "code": d["code"],
                        "name": f"{esc(d['name_th'])} / {esc(d['name_en'])}",
                        "open": d["open"],
                        "density": round(d["density"], 3),
                        "fill": color_for(d["density"], edges) if level == p.level else "#ffffff",
                    },
                }
                for d in data
            ],
        }
        folium.GeoJson(
            fc,
            name=level,
            style_function=lambda f, lvl=level: {
                "fillColor": f["properties"]["fill"],
                "fillOpacity": 0.6 if lvl == p.level else 0.0,
                "color": "#555" if lvl == "district" else "#999",
                "weight": 1.5 if lvl == "district" else 0.6,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "open", "density"],
                aliases=["", "open complaints", density_short_unit(plan)],
                labels=True,
            ),
        ).add_to(group)
        group.add_to(fmap)

    for prov in p.provinces:
        base = plan.sites["BASE" + prov]
        folium.Marker(
            [base.lat, base.lon],
            tooltip=esc(base.name_en),
            popup=folium.Popup(f"<b>{esc(base.name_th)}</b><br>{esc(base.name_en)}", max_width=300),
            icon=folium.Icon(color="black", icon="home", prefix="fa"),
        ).add_to(fmap)

    for r, data in zip(plan.routes, route_layer_data(plan, calendar), strict=True):
        group = folium.FeatureGroup(name=esc(data["name"]), show=True)
        line = folium.PolyLine(
            data["path"], color=data["color"], weight=4, opacity=0.85, tooltip=esc(data["name"])
        )
        line.add_to(group)
        _add_direction_arrows(group, data["path"], data["color"])
        for s, v in zip(r.visits, data["visits"], strict=True):
            popup = _popup_html(
                plan,
                s.code,
                [
                    f"{esc(date_label(r.unit_day.date, calendar))} · unit {esc(r.unit_day.unit)}"
                    f" · stop {s.stop}",
                    f"ถึง / arrive {esc(v['arrive'])} · ออก / depart {esc(v['depart'])}",
                    f"priority {s.priority:.2f} · drive {s.drive_seconds // 60} min from the "
                    f"previous stop",
                    "เหตุผลที่เลือก / why: highest priority for the drive time "
                    f"({s.priority:.2f} points)",
                ],
            )
            folium.Marker(
                [v["lat"], v["lon"]],
                icon=folium.DivIcon(
                    html=(
                        f'<div class="caravan-stop" style="background:{data["color"]};'
                        f"color:white;border-radius:50%;width:24px;height:24px;"
                        f"line-height:24px;text-align:center;font:bold 12px sans-serif;"
                        f'border:2px solid white">{s.stop}</div>'
                    ),
                    icon_size=(24, 24),
                    icon_anchor=(12, 12),
                ),
                tooltip=f"{s.stop}. {esc(v['name_th'])}",
                popup=folium.Popup(popup, max_width=320),
            ).add_to(group)
        group.add_to(fmap)

    skipped = folium.FeatureGroup(name="ไม่ได้ไป / not visited (open complaints)", show=True)
    for u in plan.unvisited:
        score = plan.scores.get(u.code)
        if not score or score.open == 0:
            continue
        site = plan.sites[u.code]
        folium.CircleMarker(
            [site.lat, site.lon],
            radius=5,
            color="#666",
            fill=True,
            fill_color="#bbb",
            fill_opacity=0.9,
            weight=1,
            tooltip=f"{esc(site.name_th)} ({esc(u.reason_code)})",
            popup=folium.Popup(
                _popup_html(
                    plan,
                    u.code,
                    [f"ไม่ได้ไป / not visited: {esc(u.reason)}", f"priority {u.priority:.2f}"],
                ),
                max_width=320,
            ),
        ).add_to(skipped)
    skipped.add_to(fmap)

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().add_child(_Legend(unit, edges, schedule_panel_html(plan, calendar)))
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    return fmap


def _add_direction_arrows(
    group: folium.FeatureGroup, path: Sequence[Sequence[float]], color: str
) -> None:
    """A small arrow head at the middle of each leg, pointing the way the unit drives."""
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(path):
        if (lat1, lon1) == (lat2, lon2):
            continue
        mid = [(lat1 + lat2) / 2, (lon1 + lon2) / 2]
        # bearing on screen: east = 0 deg, counter-clockwise positive; CSS rotates clockwise
        angle = math.degrees(math.atan2(lat2 - lat1, (lon2 - lon1) * math.cos(math.radians(lat1))))
        folium.Marker(
            mid,
            icon=folium.DivIcon(
                html=(
                    f'<div class="caravan-arrow" style="transform:rotate({-angle:.0f}deg);'
                    f'color:{color};font:bold 16px sans-serif;line-height:16px">&#10148;</div>'
                ),
                icon_size=(16, 16),
                icon_anchor=(8, 8),
            ),
            interactive=False,
        ).add_to(group)
