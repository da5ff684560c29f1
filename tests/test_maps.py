"""What goes into map.html: exact layer data on a hand-checked plan, escaping, size.

The tiny plan (tests/plans.py): Amnat Charoen, district level; 3702 Chanuman is the only
visit, Monday 09:35-12:35, 65 drive minutes from and to the base; priorities 3702: 25,
3706: 3, 3707: 1.5, 3705: 1.06.
"""

from __future__ import annotations

import csv
import json
import math
import re

import folium
import pytest

from caravan.outputs.labels import date_label, date_label_long, esc
from caravan.outputs.mapdata import (
    PALETTE,
    SCALE,
    ZERO_COLOR,
    class_breaks,
    color_for,
    density_layer_data,
    legend_rows,
    map_bounds,
    route_colors,
    route_layer_data,
    unvisited_layer_data,
)
from caravan.outputs.maps import area_features, plan_map, unvisited_popup_html, visit_popup_html
from caravan.plan.why import visit_reasons

from .conftest import ROOT
from .plans import FORMULA, XSS, three_province_plan, tiny_plan

GEO = ROOT / "data" / "geo"


def _site_rows() -> dict[str, dict[str, str]]:
    with open(GEO / "sites.csv", encoding="utf-8", newline="") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def _areas(name: str) -> dict[str, float]:
    data = json.loads((GEO / name).read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f["properties"]["area_km2"] for f in data["features"]}


def test_class_breaks_and_colours_by_hand():
    # positive values 0.5, 1, 1, 4 in 3 quantile classes: edges at the values ranked
    # round(4/3) = 1 and round(8/3) = 3, i.e. 1 and 4: two classes (0, 1] and (1, 4]
    edges = class_breaks([0, 0.5, 1, 1, 4], n=3)
    assert edges == [0.0, 1, 4]
    assert [color_for(v, edges) for v in (0, 0.5, 1, 1.01, 4, 9)] == [
        ZERO_COLOR,
        SCALE[0],
        SCALE[0],
        SCALE[1],
        SCALE[1],
        SCALE[1],
    ]
    assert class_breaks([0, 0]) == [0.0, 1.0]
    assert legend_rows(edges) == [
        (ZERO_COLOR, "0"),
        (SCALE[0], "> 0 – 1.0"),
        (SCALE[1], "1.0 – 4.0"),
    ]
    # labels get more digits only where two edges would look the same
    assert [lab for _, lab in legend_rows([0, 0.0031, 0.00312])] == [
        "0",
        "> 0 – 0.00310",
        "0.00310 – 0.00312",
    ]


def test_density_layer_data(tiny):
    areas = _areas("districts.geojson")
    data = {d["code"]: d for d in density_layer_data(tiny, "district")}
    assert sorted(data) == ["3701", "3702", "3703", "3704", "3705", "3706", "3707"]
    d = data["3702"]
    assert (d["name_th"], d["name_en"], d["open"]) == ("ชานุมาน", "Chanuman", 3)
    assert d["by_category"] == {"domestic_violence": 2, FORMULA: 1}
    assert d["area_km2"] == areas["3702"]
    assert d["density"] == pytest.approx(3 / areas["3702"])
    assert data["3705"]["by_category"] == {XSS: 1}
    assert data["3703"]["open"] == 0  # only a resolved complaint
    assert data["3703"]["density"] == 0.0
    assert d["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_area_features_put_into_the_map_are_escaped(tiny):
    data = density_layer_data(tiny, "district")
    edges = class_breaks([d["density"] for d in data])
    fc = area_features(tiny, "district", edges)
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    assert props["3705"]["top"] == "&lt;img src=x onerror=alert(1)&gt;: 1"
    assert props["3702"]["top"] == (
        "ความรุนแรงในครอบครัว / Domestic violence: 2<br>"
        "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;): 1"
    )
    assert props["3702"]["name"] == "ชานุมาน / Chanuman"
    assert props["3702"]["open"] == 3
    assert props["3703"]["fill"] == ZERO_COLOR
    # four districts with open complaints, in 6 quantile classes: the edges are the values
    # ranked round(4/6) = 1, round(12/6) = 2 and round(16/6) = 3 (0-based), so the two
    # lowest densities share the first class and the others get the next two
    areas = _areas("districts.geojson")
    n_open = {"3702": 3, "3705": 1, "3706": 1, "3707": 1}
    ranked = sorted(n_open, key=lambda c: n_open[c] / areas[c])
    assert [props[c]["fill"] for c in ranked] == [SCALE[0], SCALE[0], SCALE[1], SCALE[2]]
    # and these are exactly the features the map holds
    fmap = plan_map(tiny)
    held = [
        el.data
        for el in _walk(fmap)
        if isinstance(el, folium.GeoJson) and "fill" in el.data["features"][0]["properties"]
    ]
    assert held == [fc]  # a district-level plan has one shading layer


def _walk(element):
    for child in element._children.values():
        yield child
        yield from _walk(child)


def test_route_layer_data(tiny):
    sites = _site_rows()

    def at(code):
        return [float(sites[code]["lat"]), float(sites[code]["lon"])]

    (route,) = route_layer_data(tiny)
    assert route == {
        "index": 0,
        "name": "Mon 2026-09-28 · 37-1",
        "date": "2026-09-28",
        "day": "Mon 2026-09-28",
        "unit": "37-1",
        "province_code": "37",
        "color": PALETTE[0],
        # --travel straight: each leg a straight line
        "legs": [[at("BASE37"), at("3702")], [at("3702"), at("BASE37")]],
        "path": [at("BASE37"), at("3702"), at("BASE37")],
        "depart": "08:30",
        "return": "13:40",
        "drive_minutes": 130,
        "visits": [
            {
                "stop": 1,
                "code": "3702",
                "name_th": "ชานุมาน",
                "name_en": "Chanuman",
                "lat": at("3702")[0],
                "lon": at("3702")[1],
                "arrive": "09:35",
                "depart": "12:35",
                "drive_minutes": 65,
                "priority": 25.0,
                "open": 3,
            }
        ],
        "tour": 0,
        "night": None,  # a day trip: back at the base
    }
    assert route_layer_data(tiny, "buddhist")[0]["day"] == "จ. 28 ก.ย. 2569"
    # the map draws that path, and one numbered stop per visit
    fmap = plan_map(tiny)
    lines = [el for el in _walk(fmap) if isinstance(el, folium.PolyLine)]
    assert [ln.locations for ln in lines if ln.options.get("className") == "caravan-route"] == [
        route["path"]
    ]
    stops = [
        el
        for el in _walk(fmap)
        if isinstance(el, folium.DivIcon) and "caravan-stop" in el.options.get("html", "")
    ]
    assert len(stops) == 1 and 'data-code="3702"' in stops[0].options["html"]


def test_unvisited_layer_data(tiny):
    data = unvisited_layer_data(tiny)
    assert [(u["code"], u["priority"], u["open"], u["reason_code"]) for u in data] == [
        ("3706", 3.0, 1, "not_worth_detour"),
        ("3707", 1.5, 1, "not_worth_detour"),
        ("3705", 1.06, 1, "not_worth_detour"),
    ]
    assert data[0]["reason_th"] == "ความสำคัญน้อยกว่าเวลาขับรถที่ต้องอ้อมไป"
    assert data[0]["reason_en"] == (
        "its priority (3.00) is worth less than the detour (56 drive minutes = 5.60 points)"
    )


def test_visit_reasons_by_hand(tiny, tmp_path):
    why = visit_reasons(tiny)["3702"]
    assert (why.priority, why.rank, why.ranked, why.open_complaints) == (25.0, 1, 4, 3)
    assert why.detour_minutes == 130  # 65 out, 65 back, nothing else on the route
    assert why.net_points == pytest.approx(25 - 13)
    assert why.per_drive_hour == pytest.approx(3 * 60 / 130)
    assert [en for _, en in why.lines()] == [
        "priority 25.00 points, rank 1 of 4 sites with open complaints in the province",
        "adds 130 drive minutes (13.00 points): net gain 12.00 points",
        "3 open complaints: 1.38 per extra drive hour",
    ]
    # 3707 as a must-visit: alone it would cost 42 minutes (4.2 points) for 1.5, so the
    # plan adds 3706 to its day (base 28 min, 3707 21 min, 20 min between them: 27 more
    # minutes, 2.7 points, for 3 points) and 3707 then adds 21 + 20 - 28 = 13 minutes
    forced = tiny_plan(tmp_path, must_visit=["3707"])
    (tuesday,) = [r for r in forced.routes if r.unit_day.date.isoformat() == "2026-09-29"]
    assert {v.code for v in tuesday.visits} == {"3706", "3707"}
    why = visit_reasons(forced)["3707"]
    assert why.must_visit and why.detour_minutes == 13
    assert why.net_points == pytest.approx(1.5 - 1.3)
    assert why.lines()[0] == ("ต้องไป (ผู้วางแผนกำหนด)", "must-visit (set by the planner)")
    assert not visit_reasons(forced)["3706"].must_visit


def test_popups_escape_input_text(tiny):
    route = tiny.routes[0]
    html = visit_popup_html(tiny, route, 1, visit_reasons(tiny)["3702"], color=PALETTE[0])
    assert "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;): <b>1</b>" in html
    assert "ชานุมาน" in html and "Chanuman" in html
    assert "ถึง / arrive</th><td><b>09:35</b>" in html
    item = next(u for u in unvisited_layer_data(tiny) if u["code"] == "3705")
    html = unvisited_popup_html(tiny, item, (4, 4))
    assert "&lt;img src=x onerror=alert(1)&gt;: <b>1</b>" in html
    assert "<img" not in html


def test_esc_covers_html_and_javascript_template_strings():
    assert esc("<b a='1'>&\"`${x}\\") == ("&lt;b a=&#x27;1&#x27;&gt;&amp;&quot;&#96;&#36;{x}&#92;")
    assert esc(None) == ""


def test_saved_map_holds_no_raw_input_markup(tiny, tmp_path):
    path = tmp_path / "map.html"
    plan_map(tiny).save(str(path))
    html = path.read_text(encoding="utf-8")
    assert XSS not in html and FORMULA not in html
    assert 'content="text/html; charset=utf-8"' in html.lower()
    # only Leaflet and jQuery are loaded, nothing else from outside (cdn: from their CDNs;
    # inline: tests/test_mapassets.py)
    plan_map(tiny, assets="cdn").save(str(path))
    urls = re.findall(r'(?:src|href)="(https?://[^"]+)"', path.read_text(encoding="utf-8"))
    assert sorted(urls) == sorted(
        [
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
            "https://code.jquery.com/jquery-3.7.1.min.js",
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        ]
    )


def test_calendar_in_the_map(tiny):
    html = plan_map(tiny, calendar="buddhist").get_root().render()
    assert date_label(tiny.routes[0].unit_day.date, "buddhist") == "จ. 28 ก.ย. 2569"
    assert "จ. 28 ก.ย. 2569" in html
    assert date_label_long(tiny.routes[0].unit_day.date, "buddhist") in html
    assert "วันจันทร์ที่ 28 กันยายน พ.ศ. 2569 / Monday" in html


def test_colours_differ_within_a_day_and_bounds_cover_the_provinces():
    plan = three_province_plan()
    colors = route_colors(plan)
    for day in plan.parameters.dates:
        todays = [c for r, c in zip(plan.routes, colors, strict=True) if r.unit_day.date == day]
        assert len(todays) == len(set(todays))
    (s, w), (n, e) = map_bounds(plan)
    for site in plan.sites.values():
        assert s <= site.lat <= n and w <= site.lon <= e
    assert (e - w) > 5 and math.isclose(w, 99.85, abs_tol=0.1)  # Phitsanulok to Amnat


def test_map_of_three_provinces_at_tambon_level_is_at_most_3_mb(tmp_path):
    plan = three_province_plan()
    assert len(plan.routes) >= 20
    path = tmp_path / "map.html"
    plan_map(plan).save(str(path))
    size = path.stat().st_size
    assert size <= 3_000_000, f"map.html is {size:,} bytes"


def test_a_visit_the_fairness_rule_made_due_says_so(tiny):
    from dataclasses import replace

    from caravan.types import DueSite, HistoryInfo

    reason = "due: 5 week(s) without a visit (no visit since the history began; --max-gap-weeks 4)"
    history = HistoryInfo(
        source="history.sqlite",
        recency_weeks=3,
        max_gap_weeks=4,
        weeks_recorded=5,
        due=(DueSite("3702", 5, None, "required", reason),),
    )
    why = visit_reasons(replace(tiny, history=history))["3702"]
    assert why.due_weeks == 5
    assert why.lines()[0] == (
        "ถึงรอบต้องไป: ไม่ได้ไปมา 5 สัปดาห์ (กติกาความเป็นธรรม)",
        reason,
    )
    assert visit_reasons(tiny)["3702"].due_weeks == 0


def test_shading_per_10000_residents_with_a_population_file(tiny, tmp_path):
    from dataclasses import replace

    from caravan.outputs.planfile import plan_json, read_plan

    population = {f"370{i}": 10_000 * i for i in range(1, 8)}  # 3701: 10,000 ... 3707: 70,000
    plan = replace(tiny, population=population)
    data = {d["code"]: d["density"] for d in density_layer_data(plan, "district")}
    assert data["3702"] == pytest.approx(3 * 10_000 / 20_000)  # 3 open complaints
    assert data["3705"] == pytest.approx(1 * 10_000 / 50_000)
    assert data["3703"] == 0.0
    html = plan_map(plan).get_root().render()
    assert "open complaints per 10,000 residents" in html
    assert "open complaints per km²" not in html
    # plan.json keeps the populations, so an export redraws the same map
    path = tmp_path / "plan.json"
    path.write_text(plan_json(plan), encoding="utf-8")
    assert read_plan(path).population == population
