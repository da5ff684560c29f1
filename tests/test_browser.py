"""map.html and itinerary.html in a real browser: Debian's chromium, headless, via Playwright.

The maps are opened offline, with every network request refused, tiles included
(tests/browser_support.py): map.html carries Leaflet and jQuery itself. The ``cdn`` page is
opened with its CDN files served from local npm copies. Every test asserts the page raised
no JavaScript error, opened no dialog and asked for nothing but tiles. Screenshots go to
tests/artifacts/ (not committed).
"""

from __future__ import annotations

import re

import pytest

from caravan.clock import hhmm
from caravan.outputs.labels import date_label, date_label_long
from caravan.outputs.mapassets import ASSETS
from caravan.outputs.mapdata import map_bounds, route_colors, route_layer_data
from caravan.outputs.maps import plan_map
from caravan.outputs.printable import itinerary_html

from .browser_support import PageLog, attach, chromium
from .conftest import ROOT
from .plans import (
    TEMPLATE_BREAK,
    TEMPLATE_EXPR,
    XSS,
    browser_plan,
    empty_plan,
    three_province_plan,
    tour_plan,
)

browser = pytest.fixture(scope="module", name="browser")(chromium)
pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
STOPS = ".leaflet-marker-pane .caravan-stop"
FIND_MAP = "Object.values(window).find((v) => v instanceof L.Map)"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    plan = browser_plan(folder)
    path = folder / "map.html"
    plan_map(plan).save(str(path))
    return plan, path


_PAGES: list = []


@pytest.fixture(autouse=True)
def _close_pages():
    yield
    while _PAGES:
        _PAGES.pop().close()


def new_page(browser, **kwargs):
    page = browser.new_page(**kwargs)
    _PAGES.append(page)
    return page


def open_page(browser, path, *, width=1280, height=800, wait_for=STOPS, offline=True):
    """Open a local file with every request logged, refused (``offline``) or served from
    local copies; wait for ``wait_for`` (a selector) to appear unless it is None."""
    page = new_page(browser, viewport={"width": width, "height": height})
    log = PageLog()
    attach(page, log, offline=offline)
    page.goto(path.as_uri())
    if wait_for is not None:
        page.wait_for_selector(wait_for)
        page.wait_for_timeout(200)  # the fit and the first tiles
    return page, log


def wait_for_popup(page, inner: str = ".caravan-popup") -> None:
    """Wait for the open popup to show ``inner`` and to be placed: the page moves a popup
    that opens under a panel (maps.py), and a click before it has moved could miss."""
    page.wait_for_selector(f".leaflet-popup[data-placed] .leaflet-popup-content {inner}")


def assert_clean(log: PageLog) -> None:
    assert log.errors == []
    assert log.dialogs == []
    assert log.refused == [], "requests no local copy could answer"


def text_of(page, selector: str) -> str:
    return " ".join(page.inner_text(selector).split())


def route_count(page) -> int:
    return page.locator("path.caravan-route").count()


def test_map_draws_the_plan(browser, small):
    plan, path = small
    page, log = open_page(browser, path)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert_clean(log)
    # offline: Leaflet and jQuery come with the page; the tiles were asked for, refused,
    # and left a plain background
    assert log.served == [] and log.tiles
    assert page.evaluate("[L.version, jQuery.fn.jquery]") == ["1.9.3", "3.7.1"]
    assert page.locator(".leaflet-tile-loaded").count() == 0
    assert page.evaluate("document.characterSet") == "UTF-8"
    # one line per unit-day, each in its own colour
    assert route_count(page) == len(plan.routes) == 3
    strokes = page.eval_on_selector_all(
        "path.caravan-route", "els => els.map(e => e.getAttribute('stroke'))"
    )
    assert sorted(strokes) == sorted(route_colors(plan)) and len(set(strokes)) == 3
    # the lines follow the roads the road model drove, not straight spokes between the stops
    points = page.evaluate(
        f"""(() => {{ const n = [];
        ({FIND_MAP}).eachLayer((l) => {{
            if (l.options.className === 'caravan-route') {{ n.push(l.getLatLngs().length); }} }});
        return n; }})()"""
    )
    assert sorted(points) == sorted(len(d["path"]) for d in route_layer_data(plan))
    assert sum(points) > sum(len(r.stops) for r in plan.routes)
    # one numbered marker per visit, numbered in visiting order
    assert page.locator(STOPS).count() == len(plan.visits) == 9
    for i, route in enumerate(plan.routes):
        numbers = page.eval_on_selector_all(
            f'{STOPS}[data-route="{i}"]', "els => els.map(e => e.textContent)"
        )
        assert numbers == [str(v.stop) for v in route.visits]
    # direction arrows: one per leg
    legs = sum(len(r.stops) - 1 for r in plan.routes)
    assert page.locator(".leaflet-marker-pane svg.caravan-arrow").count() == legs
    assert page.locator(".leaflet-marker-pane .caravan-base").count() == 1
    open_left_out = [u for u in plan.unvisited if plan.scores.get(u.code, None)]
    open_left_out = [u for u in open_left_out if plan.scores[u.code].open > 0]
    assert page.locator("path.caravan-unvisited").count() == len(open_left_out) == 1
    # the tambons are shaded: at least three different fills
    fills = page.eval_on_selector_all(
        ".caravan-areas-pane path, .leaflet-caravan-areas-pane path",
        "els => els.map(e => e.getAttribute('fill'))",
    )
    assert len(fills) == 56 and len(set(fills)) >= 3
    # Thai text reaches the page as text
    schedule = text_of(page, "#caravan-schedule")
    for v in plan.visits:
        assert plan.sites[v.code].name_th in schedule


def test_map_opens_on_the_planned_area(browser, small):
    plan, path = small
    page, log = open_page(browser, path)
    (s, w), (n, e) = map_bounds(plan)
    view = page.evaluate(
        f"(() => {{ const b = ({FIND_MAP}).getBounds(); "
        "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })()"
    )
    assert view[0] <= s and view[1] <= w and view[2] >= n and view[3] >= e
    # not zoomed out further than needed: the province fills a good part of the view
    assert (n - s) * (e - w) >= 0.15 * (view[2] - view[0]) * (view[3] - view[1])
    # every stop marker is on screen and not hidden under a panel
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-marker-pane .caravan-stop')]
          .filter((el) => {
            const r = el.getBoundingClientRect();
            const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return !(top && top.closest('.caravan-stop-icon'));
        }).map((el) => el.dataset.code)"""
    )
    assert hidden == []
    assert_clean(log)


def test_clicking_a_stop_opens_its_popup(browser, small):
    plan, path = small
    route = plan.routes[0]
    i, stop = next((i, s) for i, s in enumerate(route.stops) if s.code == "370201")
    site = plan.sites["370201"]
    page, log = open_page(browser, path)
    page.click('.caravan-stop[data-code="370201"]')
    wait_for_popup(page)
    page.screenshot(path=str(ARTIFACTS / "map-popup.png"))
    text = text_of(page, ".leaflet-popup-content")
    assert f"{stop.stop} {site.name_th} {site.name_en}" in text
    assert date_label_long(route.unit_day.date) == "วันจันทร์ / Monday 2026-09-28"
    assert f"วัน / day {date_label_long(route.unit_day.date)}" in text
    assert f"หน่วย / unit {route.unit_day.unit} · จุดที่ / stop {stop.stop}" in text
    assert f"ถึง / arrive {hhmm(stop.arrive)}" in text
    assert f"ออก / depart {hhmm(stop.depart)}" in text
    assert "เรื่องค้าง / open complaints: 2" in text
    assert "ความรุนแรงในครอบครัว / Domestic violence: 2" in text
    # why: 2 critical domestic-violence cases = 24 points, the highest of the 10 tambons
    # with open complaints (370205 is skipped but still ranked)
    assert "priority 24.00 points, rank 1 of 10 sites with open complaints" in text
    prev, nxt = route.stops[i - 1], route.stops[i + 1]
    detour = (
        stop.drive_seconds
        + nxt.drive_seconds
        - (0 if prev.code == nxt.code else plan.matrix.drive_seconds(prev.code, nxt.code))
    ) // 60
    assert f"adds {detour} drive minutes ({detour / 10:.2f} points)" in text
    assert f"2 open complaints: {2 * 60 / detour:.2f} per extra drive hour" in text
    # the popup is not hidden under the layer control or a panel
    covered = page.evaluate(
        """() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
          return [...document.querySelectorAll('.leaflet-control-layers, .caravan-control')]
            .some((c) => { const r = c.getBoundingClientRect();
              return !(r.right <= p.left || r.left >= p.right || r.bottom <= p.top
                       || r.top >= p.bottom); }); }"""
    )
    assert not covered
    assert_clean(log)


def test_hostile_categories_show_as_text_and_run_nothing(browser, small):
    _, path = small
    page, log = open_page(browser, path)
    page.click('.caravan-stop[data-code="370501"]')
    wait_for_popup(page)
    text = page.inner_text(".leaflet-popup-content")
    for hostile in (XSS, TEMPLATE_BREAK, TEMPLATE_EXPR):
        assert f"{hostile}: 1" in text
    page.click(".leaflet-popup-close-button")
    page.wait_for_selector(".leaflet-popup", state="detached")
    # the skipped tambon, drawn as a site left out, has the same category
    page.click("path.caravan-unvisited")
    wait_for_popup(page, ".cp-reason")
    text = text_of(page, ".leaflet-popup-content")
    assert "ผู้วางแผนสั่งให้ข้าม skipped by the user (--skip)" in text
    assert f"{XSS}: 1" in text
    # the area tooltip (folium's GeoJsonTooltip writes its values as HTML): hover the tambon
    page.click(".leaflet-popup-close-button")
    point = page.evaluate(
        f"""(() => {{ let el = null;
        ({FIND_MAP}).eachLayer((l) => {{
            if (l.feature && l.feature.properties.code === '370501') {{ el = l.getElement(); }} }});
        const r = el.getBoundingClientRect();
        for (let y = r.top + 2; y < r.bottom; y += 4) {{
            for (let x = r.left + 2; x < r.right; x += 4) {{
                if (document.elementFromPoint(x, y) === el) {{ return [x, y]; }} }} }}
        return null; }})()"""
    )
    assert point is not None
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip.caravan-area-tip")
    tip = page.inner_text(".leaflet-tooltip.caravan-area-tip")
    assert "เสนางคนิคม / Senangkhanikhom" in tip
    for hostile in (XSS, TEMPLATE_BREAK, TEMPLATE_EXPR):
        assert hostile in tip
    assert page.locator('img[src="x"]').count() == 0
    page.wait_for_timeout(300)
    assert_clean(log)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1024, 640)])
def test_panels_do_not_overlap_and_collapse(browser, small, width, height):
    _, path = small
    page, log = open_page(browser, path, width=width, height=height)
    boxes = page.evaluate(
        """() => ['.leaflet-control-layers', '#caravan-schedule', '#caravan-legend',
                  '.leaflet-control-zoom'].map((s) => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [s, r.left, r.top, r.right, r.bottom]; })"""
    )
    for a in boxes:
        assert a[1] >= 0 and a[3] <= width and a[2] >= 0 and a[4] <= height, a
        for b in boxes:
            if a[0] < b[0]:
                apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
                assert apart, f"{a[0]} overlaps {b[0]}"
    assert page.is_visible("#caravan-schedule .cs-body")
    page.click("#caravan-schedule > summary")
    assert not page.is_visible("#caravan-schedule .cs-body")
    page.click("#caravan-schedule > summary")
    assert page.is_visible("#caravan-schedule .cs-body")
    page.click("#caravan-legend > summary")
    assert not page.is_visible("#caravan-legend .cl-row")
    assert_clean(log)


def test_on_a_phone_the_panels_start_closed(browser, small):
    plan, path = small
    page, log = open_page(browser, path, width=390, height=760)
    assert not page.is_visible("#caravan-schedule .cs-body")
    assert not page.is_visible("#caravan-legend .cl-row")
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    box = page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # it opens
    assert page.is_visible(".leaflet-control-layers-list")
    page.locator(".leaflet-control-layers label", has_text="Monday 2026-09-28").click()
    assert route_count(page) == len(plan.routes) - 2
    assert_clean(log)


def test_days_and_units_switch_on_and_off(browser, small):
    plan, path = small
    page, log = open_page(browser, path)
    on_tuesday = [r for r in plan.routes if r.unit_day.date.isoformat() == "2026-09-29"]
    of_unit_2 = [r for r in plan.routes if r.unit_day.unit == "37-2"]
    assert len(on_tuesday) == 1 and len(of_unit_2) == 1
    # the layer control: untick Monday
    page.locator(".leaflet-control-layers label", has_text="Monday 2026-09-28").click()
    assert route_count(page) == len(on_tuesday)
    page.locator(".leaflet-control-layers label", has_text="Monday 2026-09-28").click()
    assert route_count(page) == len(plan.routes)
    # the schedule panel's buttons
    page.click('button[data-unit="37-2"]')
    assert route_count(page) == len(of_unit_2)
    assert (
        not page.locator(".leaflet-control-layers label", has_text="unit 37-1")
        .locator("input")
        .is_checked()
    )
    assert page.get_attribute('button[data-unit="37-2"]', "aria-pressed") == "true"
    page.click('button[data-unit=""]')
    page.click('button[data-day="2026-09-29"]')
    assert route_count(page) == len(on_tuesday)
    # a stop of a hidden route, clicked in the schedule, comes back with its popup
    page.click('li[data-route="0"][data-stop="1"]')
    wait_for_popup(page)
    first = plan.sites[plan.routes[0].visits[0].code]
    assert first.name_th in page.inner_text(".leaflet-popup-content")
    assert route_count(page) >= 2
    assert_clean(log)


def test_a_tour_with_a_night_away(browser, tmp_path):
    """One tour per unit as connected day lines (one colour), a bed marker with the date at
    the lodging whose popup says where and how far, the schedule's tour block."""
    plan = tour_plan()
    path = tmp_path / "map.html"
    plan_map(plan).save(str(path))
    page, log = open_page(browser, path)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-tour.png"))
    (night,) = [r for r in plan.routes if r.overnight is not None]
    after = next(r for r in plan.routes if r.unit_day.date > night.unit_day.date)
    strokes = page.eval_on_selector_all(
        "path.caravan-route", "els => els.map(e => e.getAttribute('stroke'))"
    )
    assert len(strokes) == len(plan.routes)
    colors = dict(zip((r.unit_day.date for r in plan.routes), route_colors(plan), strict=True))
    assert colors[night.unit_day.date] == colors[after.unit_day.date]  # one tour, one colour
    assert len(set(strokes)) == len(plan.routes) - 1
    bed = page.locator(".leaflet-marker-pane .caravan-night")
    assert bed.count() == 1
    assert bed.inner_text().strip() == date_label(night.unit_day.date)
    bed.click()
    wait_for_popup(page)
    lodging = plan.sites[night.overnight.code]
    popup = page.inner_text(".leaflet-popup-content")
    assert f"พักค้างคืน {lodging.name_th}" in popup and f"night at {lodging.name_en}" in popup
    km = plan.matrix.drive_metres(night.unit_day.base, lodging.code) / 1000
    assert f"{km:.0f} km" in popup
    schedule = text_of(page, "#caravan-schedule")
    days = f"{date_label(night.unit_day.date)} – {date_label(after.unit_day.date)}"
    assert f"ทริปค้างคืน / tour · หน่วย / unit 65-1 · {days}" in schedule
    assert f"พักค้างคืน {lodging.name_th}" in schedule
    assert "night away (date)" in page.inner_text("#caravan-legend")
    # unticking the day of the night hides its line and its bed, the others stay
    day = date_label_long(night.unit_day.date)
    page.locator(".leaflet-control-layers label", has_text=day.split(" / ")[-1]).click()
    assert page.locator(".leaflet-marker-pane .caravan-night").count() == 0
    assert route_count(page) == len(plan.routes) - 1
    assert_clean(log)


def test_shading_switch_changes_the_legend(browser, small):
    _, path = small
    page, log = open_page(browser, path)
    assert "shaded by tambons" in page.inner_text("#caravan-legend")
    page.locator(".leaflet-control-layers label", has_text="shade districts").click()
    assert "shaded by districts" in page.inner_text("#caravan-legend")
    page.locator(".leaflet-control-layers label", has_text="no shading").click()
    legend = page.inner_text("#caravan-legend")
    assert "per km²" not in legend and "numbered stop" in legend
    assert_clean(log)


def test_three_provinces_at_tambon_level(browser, tmp_path):
    plan = three_province_plan()
    path = tmp_path / "map.html"
    plan_map(plan, calendar="buddhist").save(str(path))
    page, log = open_page(browser, path)
    page.screenshot(path=str(ARTIFACTS / "map-three-provinces.png"))
    assert route_count(page) == len(plan.routes)
    assert page.locator(STOPS).count() == len(plan.visits)
    assert "จ. 30 พ.ย. 2569" in page.inner_text("#caravan-schedule")
    page.click('button[data-zoom="35"]')
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / "map-yasothon.png"))
    assert_clean(log)


def test_cdn_page_loads_leaflet_and_jquery_from_their_cdns(browser, small, tmp_path):
    plan, _ = small
    path = tmp_path / "map.html"
    plan_map(plan, assets="cdn").save(str(path))
    page, log = open_page(browser, path, offline=False)
    page.screenshot(path=str(ARTIFACTS / "map-cdn.png"))
    assert sorted(log.served) == sorted(a.cdn_url for a in ASSETS)
    assert route_count(page) == len(plan.routes)
    assert page.locator(STOPS).count() == len(plan.visits)
    page.click('li[data-route="0"][data-stop="1"]')
    wait_for_popup(page)
    assert plan.sites[plan.routes[0].visits[0].code].name_th in page.inner_text(
        ".leaflet-popup-content"
    )
    assert_clean(log)


def test_printable_itinerary_prints_one_page_per_unit_day(browser, small, tmp_path):
    plan, _ = small
    path = tmp_path / "itinerary.html"
    path.write_text(itinerary_html(plan, calendar="buddhist"), encoding="utf-8")
    page, log = open_page(browser, path, width=900, height=1200, wait_for=None)
    page.screenshot(path=str(ARTIFACTS / "itinerary.png"), full_page=True)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(plan.routes) == 3
    assert "วันจันทร์ที่ 28 กันยายน พ.ศ. 2569" in page.inner_text("body")
    assert log.served == [] and log.refused == []  # self-contained
    assert_clean(log)


def test_a_week_without_visits_opens_cleanly(browser, tmp_path):
    empty = empty_plan(tmp_path)
    path = tmp_path / "map.html"
    plan_map(empty).save(str(path))
    page, log = open_page(browser, path, wait_for="#caravan-schedule")
    assert "ไม่มีการออกหน่วย / no visits" in page.inner_text("#caravan-schedule")
    assert route_count(page) == 0
    assert_clean(log)
