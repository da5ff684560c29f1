"""The plan map (``map.html``), built with folium. The only module that imports folium.

What a planner sees, bottom to top:

* the areas shaded by open complaints per km², or per 10,000 residents with a population
  file (radio buttons in the layer control: tambons,
  districts or no shading; the legend follows the choice and states the unit), district and
  province borders on top;
* each unit-day's route: a line in its own colour (white casing, so it reads on any shade)
  along the roads the travel model drove (``plan.legs``, :mod:`caravan.plan.legs`; straight
  with ``--travel straight``), with an arrow halfway along every leg pointing the way the
  unit drives; numbered stop markers in the route's colour, whose popups give the Thai and
  English names, the day, unit, arrival and departure, the drive from the previous stop,
  the open complaints by category and why the site was chosen (:mod:`caravan.plan.why`);
* a bed marker at the lodging of each night away, with the night's date (its popup: the
  unit, the arrival, how far from the base); the days of a tour share one colour, so a tour
  reads as one line from the base through its nights back to the base;
* the bases (black house markers);
* the sites left out that still have open complaints: white circles with a dashed border,
  whose popups say why they were left out (Thai and English);
* the layer control (top right: the shading; the borders; each day and each unit on or off,
  a unit-day's route shows when both its day and its unit are on; the bases; the sites left
  out), the schedule panel (top left, collapsible: the plan in one line, buttons to zoom to
  a province and to show one day or one unit, each day's stops with times, a tour with
  nights away as one block at its first day; a click on a stop opens its popup) and the
  legend (bottom right, collapsible). On a phone-sized window the panels start closed and
  the layer control is a button.

The page opens fitted to the planned provinces. It needs only Leaflet and jQuery (folium's
popups use it), inside the page by default (``assets="inline"``) or from their CDNs
(``assets="cdn"``): :mod:`caravan.outputs.mapassets`. The background tiles come from
OpenStreetMap when there is a network; without one the background is plain.

Safety: every text that comes from an input (names, categories, codes, reasons) goes
through :func:`esc` before it reaches HTML, a tooltip, a layer name or a JavaScript template
string; data handed to scripts is JSON with ``<``, ``>`` and ``&`` escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence

import folium
from branca.element import Element, MacroElement, Template

from caravan.clock import hhmm
from caravan.outputs.labels import category_text, date_label, date_label_long, esc
from caravan.outputs.mapassets import assets_html
from caravan.outputs.mapdata import (
    LEVEL_NAMES,
    PALETTE,
    SCALE,
    UNVISITED_COLOR,
    ZERO_COLOR,
    along,
    class_breaks,
    color_for,
    density_layer_data,
    density_unit_parts,
    display_geometry,
    district_outlines,
    format_density,
    legend_rows,
    map_bounds,
    province_bounds,
    route_layer_data,
    shading_levels,
    unvisited_layer_data,
)
from caravan.plan.why import VisitReason, priority_ranks, visit_reasons
from caravan.travel.matrix import format_km, travel_label
from caravan.types import PROVINCES, Route, WeekPlan

__all__ = [
    "PALETTE",
    "SCALE",
    "ZERO_COLOR",
    "area_features",
    "class_breaks",
    "color_for",
    "date_label",
    "density_layer_data",
    "esc",
    "plan_map",
    "route_layer_data",
    "schedule_panel_html",
    "unvisited_popup_html",
    "visit_popup_html",
]

FONT_STACK = (
    '"Sarabun", "TH Sarabun New", "Noto Sans Thai", "Leelawadee UI", "Tahoma", "Loma", '
    '"Garuda", "Helvetica Neue", Arial, sans-serif'
)


def _script_json(value: object) -> str:
    """JSON that can sit inside a <script> element whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _province_text(code: str) -> str:
    th, en = PROVINCES.get(code, (code, code))
    return f"จังหวัด{th} / {en} province"


def _categories_html(by_category: dict[str, int]) -> str:
    if not by_category:
        return ""
    items = "".join(f"<li>{esc(category_text(c))}: <b>{n}</b></li>" for c, n in by_category.items())
    return f'<ul class="cp-cats">{items}</ul>'


_LEVEL_TH = {"district": "อำเภอ", "tambon": "ตำบล", "base": "ฐาน"}


def _site_header(plan: WeekPlan, code: str, badge: str = "") -> str:
    site = plan.sites[code]
    return (
        f'<div class="cp-title">{badge}<b>{esc(site.name_th)}</b> '
        f'<span class="cp-en">{esc(site.name_en)}</span></div>'
        f'<div class="cp-sub">{esc(_LEVEL_TH.get(site.level, ""))} / {esc(site.level)} '
        f"{esc(code)} · {esc(_province_text(site.province_code))}</div>"
    )


def visit_popup_html(
    plan: WeekPlan,
    route: Route,
    stop_index: int,
    reason: VisitReason,
    *,
    color: str,
    calendar: str = "gregorian",
) -> str:
    """The popup of a numbered stop: names, day, unit, times, drive, complaints, why."""
    stop = route.stops[stop_index]
    ud = route.unit_day
    score = plan.scores.get(stop.code)
    badge = f'<span class="cp-num" style="background:{esc(color)}">{stop.stop}</span> '
    why = "".join(f"<li>{esc(th)}<br><i>{esc(en)}</i></li>" for th, en in reason.lines())
    n_open = score.open if score else 0
    return (
        '<div class="caravan-popup">'
        + _site_header(plan, stop.code, badge)
        + '<table class="cp-times">'
        f"<tr><th>วัน / day</th><td>{esc(date_label_long(ud.date, calendar))}</td></tr>"
        f"<tr><th>หน่วย / unit</th><td>{esc(ud.unit)} · จุดที่ / stop {stop.stop}</td></tr>"
        f"<tr><th>ถึง / arrive</th><td><b>{esc(hhmm(stop.arrive))}</b></td></tr>"
        f"<tr><th>ออก / depart</th><td><b>{esc(hhmm(stop.depart))}</b></td></tr>"
        f"<tr><th>ขับรถ / drive</th><td>{stop.drive_seconds // 60} นาที / min, "
        f"{esc(format_km(stop.drive_metres))} km จากจุดก่อนหน้า / from the previous stop"
        "</td></tr></table>"
        f'<div class="cp-h">เรื่องค้าง / open complaints: {n_open}</div>'
        + _categories_html(dict(score.by_category) if score else {})
        + '<div class="cp-h">ทำไมเลือกที่นี่ / why this site</div>'
        f'<ul class="cp-why">{why}</ul></div>'
    )


def unvisited_popup_html(plan: WeekPlan, item: dict, rank: tuple[int, int] | None) -> str:
    """The popup of a site left out: names, why it is left out, priority, complaints."""
    rank_text = ""
    if rank:
        rank_text = f"<br>อันดับ / rank {rank[0]} จาก / of {rank[1]} ในจังหวัด / in the province"
    reason_th = f"{esc(item['reason_th'])}<br>" if item["reason_th"] else ""
    return (
        '<div class="caravan-popup">'
        + _site_header(plan, item["code"])
        + '<div class="cp-h cp-out">ไม่ได้ไปสัปดาห์นี้ / not visited this week</div>'
        f'<div class="cp-reason">{reason_th}<i>{esc(item["reason_en"])}</i></div>'
        f"<div>ความสำคัญ / priority {item['priority']:.2f}{rank_text}</div>"
        f'<div class="cp-h">เรื่องค้าง / open complaints: {item["open"]}</div>'
        + _categories_html(item["by_category"])
        + "</div>"
    )


def _base_popup_html(plan: WeekPlan, code: str) -> str:
    units = sorted({r.unit_day.unit for r in plan.routes if r.unit_day.base == code})
    unit_text = ", ".join(esc(u) for u in units) if units else "-"
    return (
        '<div class="caravan-popup">'
        + _site_header(plan, code)
        + "<div>หน่วยออกเดินทางและกลับที่นี่ทุกวัน / units leave from and return here every "
        f"day</div><div>หน่วย / units: {unit_text}</div></div>"
    )


def schedule_panel_html(
    plan: WeekPlan, calendar: str = "gregorian", data: list[dict] | None = None
) -> str:
    """The schedule panel: the plan in one line, buttons to zoom to a province and to show
    one day or one unit, then every planned day with each unit's stops and times.
    ``data``: the plan's :func:`route_layer_data` in ``calendar``, when the caller has it."""
    p = plan.parameters
    if data is None:
        data = route_layer_data(plan, calendar)
    parts = [
        '<details id="caravan-schedule" class="caravan-box" open>',
        "<summary>ตารางการออกหน่วย / Schedule</summary>",
        '<div class="cs-body">',
        f'<div class="cs-summary">สัปดาห์ / week {esc(p.week)} · '
        f"ระดับ{esc(LEVEL_NAMES[p.level][0])} / {esc(p.level)} level · "
        f"ไป / visits {len(plan.visits)} · เรื่องค้างที่เข้าถึง / complaints reached "
        f"{plan.complaints_reached} · ขับรถ / drive {plan.drive_seconds / 3600:.1f} h · "
        f"{esc(plan.solve.describe())}</div>",
    ]
    if len(p.provinces) > 1:
        parts.append('<div class="cs-filter">ไปที่ / zoom to: ')
        parts.append('<button type="button" data-zoom="">ทั้งหมด / all</button>')
        parts += [
            f'<button type="button" data-zoom="{esc(prov)}">{esc(PROVINCES[prov][0])}</button>'
            for prov in p.provinces
        ]
        parts.append("</div>")
    if data:
        days = sorted({d["date"] for d in data})
        units = sorted({d["unit"] for d in data})
        day_of = {d["date"]: d["day"] for d in data}
        parts.append('<div class="cs-filter">แสดงวัน / show day: ')
        parts.append('<button type="button" data-day="">ทั้งหมด / all</button>')
        parts += [
            f'<button type="button" data-day="{esc(day)}">{esc(day_of[day])}</button>'
            for day in days
        ]
        parts.append('</div><div class="cs-filter">แสดงหน่วย / show unit: ')
        parts.append('<button type="button" data-unit="">ทั้งหมด / all</button>')
        parts += [f'<button type="button" data-unit="{esc(u)}">{esc(u)}</button>' for u in units]
        parts.append("</div>")
    # a tour with nights away is one block, at its first day; day trips stay under their day
    tours: dict[int, list[dict]] = {}
    for d in data:
        tours.setdefault(d["tour"], []).append(d)
    away = {k: v for k, v in tours.items() if any(x["night"] for x in v)}
    in_tour = {d["index"] for v in away.values() for d in v}
    for day in p.dates:
        iso = day.isoformat()
        for block in (v for v in away.values() if v[0]["date"] == iso):
            parts.append(_tour_block_html(block, calendar))
        todays = [d for d in data if d["date"] == iso and d["index"] not in in_tour]
        if not todays and any(d["date"] == iso for d in data):
            continue  # every unit is on tour that day: the tour blocks show it
        parts.append(
            f'<div class="cs-day" data-date="{esc(iso)}">'
            f"<h4>{esc(date_label_long(day, calendar))}</h4>"
        )
        if not todays:
            parts.append('<div class="cs-none">ไม่มีการออกหน่วย / no visits</div>')
        parts += [_route_entry_html(d) for d in todays]
        parts.append("</div>")
    parts.append("</div></details>")
    return "".join(parts)


def _route_entry_html(d: dict) -> str:
    """One unit-day of the schedule panel: the unit, times, drive, the numbered stops and,
    after a day that ends away, where the team sleeps."""
    items = "".join(
        f'<li data-route="{d["index"]}" data-stop="{v["stop"]}" title="แสดงบนแผนที่ / '
        f'show on the map"><span class="cs-num" style="background:{esc(d["color"])}">'
        f"{v['stop']}</span> {esc(v['arrive'])}–{esc(v['depart'])} "
        f'{esc(v["name_th"])} <span class="cp-en">{esc(v["name_en"])}</span></li>'
        for v in d["visits"]
    )
    night = d["night"]
    if night:
        back = f"ถึงที่พัก / at the lodging {esc(d['return'])}"
        items += (
            f'<li class="cs-night">{_BED_SVG} พักค้างคืน {esc(night["name_th"])} '
            f'<span class="cp-en">night at {esc(night["name_en"])}</span> · '
            f"{night['from_base_km']:.0f} km จากฐาน / from the base</li>"
        )
    else:
        back = f"กลับ / back {esc(d['return'])}"
    return (
        f'<div class="cs-route" data-route="{d["index"]}">'
        f'<div class="cs-unit"><span class="cs-swatch" '
        f'style="background:{esc(d["color"])}"></span> หน่วย / unit <b>{esc(d["unit"])}'
        f"</b> · ออก / leave {esc(d['depart'])} · {back} · "
        f"ขับ / drive {d['drive_minutes']} min</div><ol>{items}</ol></div>"
    )


def _tour_block_html(days: list[dict], calendar: str) -> str:
    """A tour with nights away in the schedule panel: its unit, dates and nights, then
    each of its days."""
    first, last = days[0], days[-1]
    nights = sum(1 for d in days if d["night"])
    parts = [
        f'<div class="cs-tour" data-unit="{esc(first["unit"])}">'
        f'<h4><span class="cs-swatch" style="background:{esc(first["color"])}"></span> '
        f"ทริปค้างคืน / tour · หน่วย / unit {esc(first['unit'])} · {esc(first['day'])} – "
        f"{esc(last['day'])} · {nights} คืน / night(s)</h4>"
    ]
    for d in days:
        day = dt.date.fromisoformat(d["date"])
        parts.append(
            f'<div class="cs-day" data-date="{esc(d["date"])}">'
            f'<div class="cs-date">{esc(date_label_long(day, calendar))}</div>'
            f"{_route_entry_html(d)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def _legend_html(
    level: str | None,
    edges: Sequence[float],
    n_unvisited: int,
    unit: tuple[str, str],
    travel: tuple[str, str] | None = None,
    nights: int = 0,
) -> str:
    rows = []
    if level is not None:
        th, en = LEVEL_NAMES[level]
        rows.append(
            f'<div class="cl-title">{esc(unit[0])} / {esc(unit[1])}'
            f'<br><span class="cp-en">แรเงาราย{esc(th)} / shaded by {esc(en)}</span></div>'
        )
        rows += [
            f'<div class="cl-row"><span class="cl-box" style="background:{color}"></span>'
            f"{esc(label)}</div>"
            for color, label in legend_rows(edges)
        ]
        rows.append('<div class="cl-note">ต่ำ / low → สูง / high</div>')
    rows.append(
        '<div class="cl-sym"><svg width="26" height="10"><line x1="1" y1="5" x2="25" y2="5" '
        'stroke="#fff" stroke-width="6"/><line x1="1" y1="5" x2="25" y2="5" stroke="#1f77b4" '
        'stroke-width="3"/><path d="M15 1 L23 5 L15 9 z" fill="#1f77b4"/></svg> '
        "เส้นทาง (ลูกศร = ทิศทาง) / route, arrows show the way</div>"
        '<div class="cl-sym"><span class="caravan-stop cl-stop" style="background:#1f77b4">1'
        "</span> จุดแวะตามลำดับ / numbered stop</div>"
        f'<div class="cl-sym">{_HOUSE_SVG} ฐาน / base</div>'
    )
    if nights:
        rows.append(f'<div class="cl-sym">{_BED_SVG} พักค้างคืน (วันที่) / night away (date)</div>')
    if n_unvisited:
        rows.append(
            '<div class="cl-sym"><svg width="16" height="16"><circle cx="8" cy="8" r="6" '
            f'fill="#fff" stroke="{UNVISITED_COLOR}" stroke-width="1.5" stroke-dasharray="3 2"/>'
            "</svg> ไม่ได้ไป มีเรื่องค้าง / not visited, open complaints</div>"
        )
    if travel:
        # short enough for a small screen; the whole description on hover and in plan.json
        label, full = travel
        rows.append(
            f'<div class="cl-note cl-travel" title="{esc(full)}">เวลาขับรถ / drive times: '
            f"{esc(label)}</div>"
        )
    return (
        '<details id="caravan-legend" class="caravan-box" open><summary>คำอธิบาย / Legend'
        f"</summary>{''.join(rows)}</details>"
    )


_BED_SVG = (
    '<svg class="caravan-bed" width="20" height="16" viewBox="0 0 20 16">'
    '<rect x="0.5" y="0.5" width="19" height="15" rx="3" fill="#5b3a8c" stroke="#fff"/>'
    '<path d="M3 12 V5 M3 9.5 H17 V12 M5.5 8.5 a1.3 1.3 0 1 0 0.01 0 M8 8.5 H16 V7 '
    'a1 1 0 0 0 -1 -1 H8 z" fill="#fff" stroke="#fff" stroke-width="1.2"/></svg>'
)

_HOUSE_SVG = (
    '<svg class="caravan-base" width="22" height="22" viewBox="0 0 22 22">'
    '<rect x="0.5" y="0.5" width="21" height="21" rx="4" fill="#222" stroke="#fff"/>'
    '<path d="M4 11 L11 4.5 L18 11 M6.5 9 V17 H15.5 V9" fill="none" stroke="#fff" '
    'stroke-width="2" stroke-linejoin="round"/></svg>'
)

_CSS = """
<style>
.leaflet-container, .caravan-box { font-family: %(fonts)s; }
.leaflet-control-layers { font-size: 12px; line-height: 1.35; }
.leaflet-control-layers label { margin: 1px 0; }
.caravan-box { background: #fff; padding: 6px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); font-size: 12px; line-height: 1.4; color: #222; }
.caravan-box summary { font-weight: bold; cursor: pointer; font-size: 13px; }
#caravan-schedule { width: 330px; max-width: calc(100vw - 80px); }
#caravan-schedule .cs-body { max-height: calc(100vh - 200px); min-height: 60px;
  overflow-y: auto; margin-top: 4px; }
.leaflet-control-layers-expanded .leaflet-control-layers-list { max-height: calc(100vh - 370px);
  min-height: 90px; overflow-y: auto; }
.cs-summary { color: #444; margin-bottom: 4px; }
.cs-filter { margin: 2px 0; }
.cs-filter button { font: inherit; font-size: 11px; margin: 1px; padding: 0 5px;
  border: 1px solid #999; border-radius: 3px; background: #f6f6f6; cursor: pointer; }
.cs-filter button[aria-pressed="true"] { background: #333; color: #fff; border-color: #333; }
.cs-day h4 { margin: 8px 0 2px; font-size: 12px; border-bottom: 1px solid #ddd; }
.cs-unit { margin-top: 3px; }
.cs-route ol { list-style: none; margin: 1px 0 0 4px; padding: 0; }
.cs-route li { cursor: pointer; padding: 1px 0; }
.cs-route li:hover { background: #eef; }
.cs-swatch { display: inline-block; width: 18px; height: 4px; vertical-align: middle; }
.cs-num, .caravan-stop { display: inline-block; border-radius: 50%%; color: #fff;
  text-align: center; font-weight: bold; font-family: Arial, sans-serif; }
.cs-num { width: 16px; height: 16px; line-height: 16px; font-size: 10px; }
.cs-none { color: #777; }
.cs-tour { margin: 8px 0 2px; border-left: 3px solid #5b3a8c; padding-left: 5px; }
.cs-tour h4 { margin: 0 0 2px; font-size: 12px; }
.cs-date { margin-top: 3px; color: #444; font-size: 11px; }
.cs-night { color: #5b3a8c; }
.caravan-night { display: inline-flex; align-items: center; gap: 3px; background: #fff;
  border: 2px solid #5b3a8c; border-radius: 4px; padding: 0 4px 0 1px; font-size: 11px;
  white-space: nowrap; box-shadow: 0 0 3px rgba(0,0,0,.5); width: max-content; }
.cs-night svg, .cl-sym .caravan-bed { vertical-align: middle; }
.cs-hidden { opacity: .45; }
.caravan-stop { width: 22px; height: 22px; line-height: 18px; font-size: 12px;
  border: 2px solid #fff; box-sizing: border-box; box-shadow: 0 0 3px rgba(0,0,0,.7); }
.cl-stop { width: 18px; height: 18px; line-height: 14px; font-size: 10px; }
#caravan-legend { width: 230px; }
.cl-title { margin: 4px 0 2px; font-weight: bold; }
.cl-row { white-space: nowrap; }
.cl-box { display: inline-block; width: 18px; height: 11px; margin-right: 6px;
  border: 1px solid #999; vertical-align: middle; }
.cl-note { color: #555; font-size: 11px; }
.cl-sym { margin-top: 3px; padding-left: 30px; text-indent: -30px; }
.cl-sym svg, .cl-sym .caravan-stop { vertical-align: middle; }
.caravan-popup { font-size: 12px; line-height: 1.4; min-width: 230px; }
.caravan-popup .cp-title { font-size: 14px; }
.caravan-popup .cp-sub, .cp-en { color: #555; }
.caravan-popup .cp-num { display: inline-block; min-width: 18px; height: 18px; color: #fff;
  border-radius: 9px; text-align: center; line-height: 18px; font: bold 11px/18px Arial; }
.caravan-popup table { border-collapse: collapse; margin: 4px 0; }
.caravan-popup th { text-align: left; font-weight: normal; color: #555; padding-right: 8px;
  vertical-align: top; white-space: nowrap; }
.caravan-popup ul { margin: 2px 0 4px 16px; padding: 0; }
.caravan-popup .cp-h { font-weight: bold; margin-top: 5px; }
.caravan-popup .cp-out { color: #a00; }
.caravan-area-tip table th { text-align: left; padding-right: 6px; color: #555; }
</style>
"""

_JS = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var days = { {% for k, v in this.days %}{{ k }}: {{ v }}, {% endfor %} };
  var units = { {% for k, v in this.units %}{{ k }}: {{ v }}, {% endfor %} };
  var routes = [{% for r in this.routes %}
    {layer: {{ r[0] }}, date: {{ r[1] }}, unit: {{ r[2] }},
     stops: { {% for s in r[3] %}{{ s[0] }}: {{ s[1] }}, {% endfor %} }},{% endfor %}
  ];
  var shading = [{% for s in this.shading %}{layer: {{ s[0] }}, legend: {{ s[1] }}}, {% endfor %}];
  var bounds = {{ this.bounds }};
  function box(position, html) {
    var ctl = L.control({position: position});
    ctl.onAdd = function () {
      var div = L.DomUtil.create('div', 'caravan-control');
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    ctl.addTo(map);
    return ctl.getContainer();
  }
  var panel = box('topleft', {{ this.panel }});
  var legend = box('bottomright', {{ this.legend }});
  if (window.innerWidth < 700) {  // a phone: panels closed, the layer control a button
    panel.querySelector('details').open = false;
    legend.querySelector('details').open = false;
    var layers = {{ this.layer_control }};
    layers.options.collapsed = true;
    layers.remove();
    layers.addTo(map);
  }
  map.on('baselayerchange', function (e) {
    var html = {{ this.legend_plain }};
    shading.forEach(function (s) { if (s.layer === e.layer) { html = s.legend; } });
    var open = legend.querySelector('details').open;
    legend.innerHTML = html;
    legend.querySelector('details').open = open;
  });

  // a route is shown when both its day and its unit are ticked in the layer control
  function apply() {
    routes.forEach(function (r) {
      var on = map.hasLayer(days[r.date]) && map.hasLayer(units[r.unit]);
      if (on && !map.hasLayer(r.layer)) { map.addLayer(r.layer); }
      if (!on && map.hasLayer(r.layer)) { map.removeLayer(r.layer); }
    });
    panel.querySelectorAll('.cs-route').forEach(function (el) {
      var r = routes[+el.getAttribute('data-route')];
      el.classList.toggle('cs-hidden', !map.hasLayer(r.layer));
    });
    [['data-day', days], ['data-unit', units]].forEach(function (pair) {
      var keys = Object.keys(pair[1]);
      var on = keys.filter(function (k) { return map.hasLayer(pair[1][k]); });
      panel.querySelectorAll('button[' + pair[0] + ']').forEach(function (b) {
        var k = b.getAttribute(pair[0]);
        var pressed = k ? (on.length === 1 && on[0] === k) : on.length === keys.length;
        b.setAttribute('aria-pressed', String(pressed));
      });
    });
  }
  function only(group, key) {
    Object.keys(group).forEach(function (k) {
      if (!key || k === key) { map.addLayer(group[k]); } else { map.removeLayer(group[k]); }
    });
    apply();
  }
  map.on('overlayadd overlayremove', apply);
  panel.querySelectorAll('button[data-day]').forEach(function (b) {
    b.addEventListener('click', function () { only(days, b.getAttribute('data-day')); });
  });
  panel.querySelectorAll('button[data-unit]').forEach(function (b) {
    b.addEventListener('click', function () { only(units, b.getAttribute('data-unit')); });
  });
  panel.querySelectorAll('li[data-stop]').forEach(function (li) {
    li.addEventListener('click', function () {
      var r = routes[+li.getAttribute('data-route')];
      var m = r.stops[+li.getAttribute('data-stop')];
      map.addLayer(days[r.date]);
      map.addLayer(units[r.unit]);
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 11));
      m.openPopup();
    });
  });
  apply();

  // open on the planned area, in the part of the map the panels leave free
  function fit(b) {
    var c = map.getContainer().getBoundingClientRect();
    var left = panel.getBoundingClientRect().right - c.left + 10;
    var right = 10;
    map.getContainer().querySelectorAll('.leaflet-right .leaflet-control').forEach(function (el) {
      right = Math.max(right, c.right - el.getBoundingClientRect().left + 10);
    });
    var free = c.width - left - right;
    if (free > 320) {
      map.fitBounds(b, {paddingTopLeft: [left, 10], paddingBottomRight: [right, 10]});
    } else {
      map.fitBounds(b, {padding: [10, 10]});
    }
  }
  fit(bounds.all);
  panel.querySelectorAll('button[data-zoom]').forEach(function (b) {
    b.addEventListener('click', function () { fit(bounds[b.getAttribute('data-zoom') || 'all']); });
  });

  // a popup that opens under a panel or the layer control is moved into view
  function overlaps(a, b) {
    return !(a.right <= b.left || a.left >= b.right || a.bottom <= b.top || a.top >= b.bottom);
  }
  map.on('popupopen', function (e) {
    var el = e.popup.getElement();
    setTimeout(function () {
      if (!el || !map.hasLayer(e.popup)) { return; }
      var p = el.getBoundingClientRect();
      var m = map.getContainer().getBoundingClientRect();
      var boxes = [];
      map.getContainer().querySelectorAll('.leaflet-control-layers, .caravan-control')
        .forEach(function (c) { boxes.push(c.getBoundingClientRect()); });
      var best = null;
      boxes.forEach(function (r) {
        if (!overlaps(p, r)) { return; }
        [[0, r.bottom + 8 - p.top], [0, r.top - 8 - p.bottom],
         [r.left - 8 - p.right, 0], [r.right + 8 - p.left, 0]].forEach(function (mv) {
          var q = {left: p.left + mv[0], right: p.right + mv[0],
                   top: p.top + mv[1], bottom: p.bottom + mv[1]};
          if (q.left < m.left || q.right > m.right || q.top < m.top || q.bottom > m.bottom) {
            return;
          }
          if (boxes.some(function (b) { return overlaps(q, b); })) { return; }
          var cost = Math.abs(mv[0]) + Math.abs(mv[1]);
          if (!best || cost < best.cost) { best = {cost: cost, mv: mv}; }
        });
      });
      // data-placed: the popup is where it stays (what a test waits for before a click)
      var placed = function () { el.setAttribute('data-placed', ''); };
      if (best) {
        map.once('moveend', placed);
        map.panBy([-best.mv[0], -best.mv[1]]);
      } else {
        placed();
      }
    }, 350);
  });
})();
{% endmacro %}
"""


class _Verbatim(Element):
    """HTML put into the page as it is (an Element's text is a Jinja template otherwise:
    Leaflet's and jQuery's code must not be read as one)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html

    def render(self, **kwargs) -> str:
        return self.html


class _Overlays(MacroElement):
    """The schedule panel, the legend and the script that ties them to the layers."""

    def __init__(
        self,
        *,
        panel: str,
        legend: str,
        legend_plain: str,
        days: dict[str, str],
        units: dict[str, str],
        routes: list[tuple[str, str, str, list[tuple[int, str]]]],
        shading: list[tuple[str, str]],
        bounds: dict[str, list[list[float]]],
        layer_control: str,
    ) -> None:
        super().__init__()
        self._name = "CaravanOverlays"
        self.layer_control = layer_control
        self._template = Template(_JS)
        self.panel = _script_json(panel)
        self.legend = _script_json(legend)
        self.legend_plain = _script_json(legend_plain)
        self.days = [(_script_json(k), v) for k, v in days.items()]
        self.units = [(_script_json(k), v) for k, v in units.items()]
        self.routes = [
            (layer, _script_json(date), _script_json(unit), [(int(n), m) for n, m in stops])
            for layer, date, unit, stops in routes
        ]
        self.shading = [(layer, _script_json(html_)) for layer, html_ in shading]
        self.bounds = _script_json(bounds)


def _arrow_angle(a: Sequence[float], b: Sequence[float]) -> float:
    """Screen angle (degrees, clockwise from east, as CSS rotate) from [lat, lon] a to b."""

    def merc_y(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    dx = b[1] - a[1]
    dy = merc_y(b[0]) - merc_y(a[0])
    return math.degrees(math.atan2(-dy, dx))


def _add_arrows(
    group: folium.FeatureGroup, legs: Sequence[Sequence[Sequence[float]]], color: str
) -> None:
    """An arrow head halfway along each leg ([lat, lon] points), pointing the way the unit
    drives."""
    for leg in legs:
        a, b = along(leg, 0.45), along(leg, 0.55)
        if a == b:
            continue
        folium.Marker(
            along(leg, 0.5),
            icon=folium.DivIcon(
                html=(
                    f'<svg class="caravan-arrow" width="20" height="20" viewBox="0 0 20 20" '
                    f'style="transform:rotate({_arrow_angle(a, b):.0f}deg)">'
                    f'<path d="M3 3 L18 10 L3 17 L7 10 z" fill="{color}" stroke="#fff" '
                    f'stroke-width="1.2"/></svg>'
                ),
                icon_size=(20, 20),
                icon_anchor=(10, 10),
                class_name="caravan-arrow-icon",
            ),
            interactive=False,
        ).add_to(group)


def _area_tooltip_properties(d: dict) -> dict:
    top = list(d["by_category"].items())[:3]
    return {
        "code": esc(d["code"]),
        "name": f"{esc(d['name_th'])} / {esc(d['name_en'])}",
        "open": d["open"],
        "density": format_density(d["density"]),
        "top": "<br>".join(f"{esc(category_text(c))}: {n}" for c, n in top) or "-",
    }


def area_features(
    plan: WeekPlan, level: str, edges: Sequence[float], data: list[dict] | None = None
) -> dict:
    """The GeoJSON put into the map for one shading level: geometry for display, escaped
    tooltip properties and the fill colour of the area's class. ``data``: the level's
    :func:`density_layer_data`, when the caller has it already."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": d["geometry"],
                "properties": {
                    **_area_tooltip_properties(d),
                    "fill": color_for(d["density"], edges),
                },
            }
            for d in (data if data is not None else density_layer_data(plan, level))
        ],
    }


def _borders(plan: WeekPlan) -> dict:
    feats = [
        {"type": "Feature", "geometry": geometry, "properties": {"kind": "district"}}
        for _code, geometry in district_outlines(plan)
    ]
    for prov in plan.parameters.provinces:
        feats.append(
            {
                "type": "Feature",
                "geometry": display_geometry("province", prov),
                "properties": {"kind": "province"},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def plan_map(plan: WeekPlan, *, calendar: str = "gregorian", assets: str = "inline") -> folium.Map:
    """The interactive map of a plan (save it with ``.save("map.html")``). ``assets``:
    Leaflet and jQuery inside the page (``inline``) or from their CDNs (``cdn``)."""
    p = plan.parameters
    bounds = map_bounds(plan)
    fmap = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
    )
    fmap.default_js = []  # folium's CDN links: the page gets only what it needs, below
    fmap.default_css = []
    root = fmap.get_root()
    root.header.add_child(
        Element(f"<title>แผนคาราวาน / caravan plan {esc(p.week)}</title>"), name="caravan_title"
    )
    root.header.add_child(_Verbatim(assets_html(assets)), name="caravan_assets")
    root.header.add_child(Element(_CSS % {"fonts": FONT_STACK}), name="caravan_css")
    folium.TileLayer("OpenStreetMap", control=False, overlay=True).add_to(fmap)
    folium.map.CustomPane("caravan-areas", z_index=350, pointer_events=True).add_to(fmap)
    folium.map.CustomPane("caravan-borders", z_index=360, pointer_events=False).add_to(fmap)

    # shading: one base layer (radio button) per level, and none
    shading: list[tuple[str, str]] = []
    default_legend = ""
    travel = (travel_label(p.travel), p.travel_model)
    unvisited = unvisited_layer_data(plan)
    n_unvisited = len(unvisited)
    unit = density_unit_parts(plan)
    for level in reversed(shading_levels(plan)):
        data = density_layer_data(plan, level)
        edges = class_breaks([d["density"] for d in data])
        th, en = LEVEL_NAMES[level]
        group = folium.FeatureGroup(
            name=esc(f"แรเงาราย{th} / shade {en}"), overlay=False, show=(level == p.level)
        )
        folium.GeoJson(
            area_features(plan, level, edges, data),
            pane="caravan-areas",
            style_function=lambda f, lvl=level: {
                "fillColor": f["properties"]["fill"],
                "fillOpacity": 0.65,
                "color": "#666" if lvl == "district" else "#999",
                "weight": 1.0 if lvl == "district" else 0.5,
            },
            highlight_function=lambda f: {"weight": 3, "color": "#222"},
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "code", "open", "density", "top"],
                aliases=[
                    esc(f"{th} / {level}"),
                    "รหัส / code",
                    "เรื่องค้าง / open complaints",
                    esc(f"{unit[0]} / {unit[1]}"),
                    "ประเภทหลัก / main categories",
                ],
                class_name="caravan-area-tip",
            ),
        ).add_to(group)
        group.add_to(fmap)
        legend = _legend_html(level, edges, n_unvisited, unit, travel, plan.nights)
        shading.append((group.get_name(), legend))
        if level == p.level:
            default_legend = legend
    folium.FeatureGroup(name="ไม่แรเงา / no shading", overlay=False, show=False).add_to(fmap)

    borders = folium.FeatureGroup(name="เขตอำเภอ จังหวัด / borders", show=True)
    folium.GeoJson(
        _borders(plan),
        pane="caravan-borders",
        interactive=False,
        style_function=lambda f: {
            "fill": False,
            "color": "#333" if f["properties"]["kind"] == "province" else "#555",
            "weight": 2.5 if f["properties"]["kind"] == "province" else 1.2,
        },
    ).add_to(borders)
    borders.add_to(fmap)

    # routes: one layer per unit-day, shown when its day and its unit are ticked
    ranks = priority_ranks(plan)
    reasons = visit_reasons(plan, ranks=ranks)
    route_data = route_layer_data(plan, calendar)
    day_groups: dict[str, str] = {}
    for d in sorted({d["date"] for d in route_data}):
        group = folium.FeatureGroup(
            name=esc(date_label_long(dt.date.fromisoformat(d), calendar)), show=True
        )
        group.add_to(fmap)
        day_groups[d] = group.get_name()
    unit_groups: dict[str, str] = {}
    for u in sorted({d["unit"] for d in route_data}):
        group = folium.FeatureGroup(name=esc(f"หน่วย / unit {u}"), show=True)
        group.add_to(fmap)
        unit_groups[u] = group.get_name()
    route_refs = []
    for r, data in zip(plan.routes, route_data, strict=True):
        group = folium.FeatureGroup(name=esc(data["name"]), control=False, show=True)
        route_refs.append(
            (
                group.get_name(),
                data["date"],
                data["unit"],
                _draw_route(plan, r, data, reasons, group, calendar),
            )
        )
        group.add_to(fmap)

    bases = folium.FeatureGroup(name="ฐาน / bases", show=True)
    for prov in p.provinces:
        code = "BASE" + prov
        base = plan.sites[code]
        folium.Marker(
            [base.lat, base.lon],
            icon=folium.DivIcon(
                html=_HOUSE_SVG, icon_size=(22, 22), icon_anchor=(11, 11), class_name="caravan-b"
            ),
            tooltip=esc(f"ฐาน / base: {base.name_th} / {base.name_en}"),
            popup=folium.Popup(_base_popup_html(plan, code), max_width=320),
        ).add_to(bases)
    bases.add_to(fmap)

    left_out = folium.FeatureGroup(name="ไม่ได้ไป มีเรื่องค้าง / not visited, open complaints", show=True)
    for item in unvisited:
        folium.CircleMarker(
            [item["lat"], item["lon"]],
            radius=6,
            color=UNVISITED_COLOR,
            weight=1.5,
            dash_array="3 2",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.9,
            class_name="caravan-unvisited",
            tooltip=esc(
                f"ไม่ได้ไป / not visited: {item['name_th']} / {item['name_en']} "
                f"({item['reason_code']})"
            ),
            popup=folium.Popup(
                unvisited_popup_html(plan, item, ranks.get(item["code"])), max_width=360
            ),
        ).add_to(left_out)
    left_out.add_to(fmap)

    layer_control = folium.LayerControl(position="topright", collapsed=False)
    layer_control.add_to(fmap)
    fmap.add_child(
        _Overlays(
            panel=schedule_panel_html(plan, calendar, route_data),
            legend=default_legend,
            legend_plain=_legend_html(None, [], n_unvisited, unit, travel, plan.nights),
            days=day_groups,
            units=unit_groups,
            routes=route_refs,
            shading=shading,
            bounds={"all": bounds, **province_bounds(plan)},
            layer_control=layer_control.get_name(),
        )
    )
    return fmap


def _draw_route(
    plan: WeekPlan,
    route: Route,
    data: dict,
    reasons: dict[str, VisitReason],
    group: folium.FeatureGroup,
    calendar: str,
) -> list[tuple[int, str]]:
    """Draw one unit-day into ``group``; return (stop number, marker variable) per visit."""
    color = data["color"]
    folium.PolyLine(
        data["path"], color="#ffffff", weight=7, opacity=0.9, class_name="caravan-casing"
    ).add_to(group)
    folium.PolyLine(
        data["path"],
        color=color,
        weight=4,
        opacity=0.95,
        class_name="caravan-route",
        tooltip=esc(f"{data['name']} · {data['depart']}–{data['return']}"),
    ).add_to(group)
    _add_arrows(group, data["legs"], color)
    stops = []
    for i, s in enumerate(route.stops):
        if s.kind != "visit":
            continue
        site = plan.sites[s.code]
        marker = folium.Marker(
            [site.lat, site.lon],
            icon=folium.DivIcon(
                html=(
                    f'<div class="caravan-stop" data-route="{data["index"]}" '
                    f'data-stop="{s.stop}" data-code="{esc(s.code)}" '
                    f'style="background:{color}">{s.stop}</div>'
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="caravan-stop-icon",
            ),
            tooltip=esc(
                f"{s.stop}. {site.name_th} / {site.name_en} · {hhmm(s.arrive)}–{hhmm(s.depart)}"
            ),
            popup=folium.Popup(
                visit_popup_html(plan, route, i, reasons[s.code], color=color, calendar=calendar),
                max_width=360,
            ),
        )
        marker.add_to(group)
        stops.append((s.stop, marker.get_name()))
    if data["night"]:
        _add_bed(group, data["night"], color)
    return stops


def _add_bed(group: folium.FeatureGroup, night: dict, color: str) -> None:
    """A bed marker at the lodging of a night away, with the night's date on it."""
    label = f"{night['day']} · {night['unit']}"
    folium.Marker(
        [night["lat"], night["lon"]],
        icon=folium.DivIcon(
            html=(
                f'<div class="caravan-night" style="border-color:{esc(color)}">{_BED_SVG}'
                f"<span>{esc(night['day'])}</span></div>"
            ),
            icon_size=(110, 22),
            icon_anchor=(10, 28),
            class_name="caravan-night-icon",
        ),
        tooltip=esc(f"พักค้างคืน / night away: {label} · {night['name_th']} / {night['name_en']}"),
        popup=folium.Popup(
            '<div class="caravan-popup">'
            f'<div class="cp-title">{_BED_SVG} <b>พักค้างคืน {esc(night["name_th"])}</b> '
            f'<span class="cp-en">night at {esc(night["name_en"])}</span></div>'
            f"<div>คืนวันที่ / the night of {esc(night['day'])} · หน่วย / unit "
            f"{esc(night['unit'])}</div>"
            f"<div>ถึงที่พัก / arrives {esc(night['arrive'])} · "
            f"{night['from_base_km']:.0f} km, {night['from_base_minutes']} นาที / min "
            "จากฐาน / from the base</div></div>",
            max_width=320,
        ),
    ).add_to(group)
