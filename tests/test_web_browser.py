"""The planner's web page in a real browser: Debian's chromium (headless, Playwright) against a
real ``caravan serve`` started by the test on a free port, with a temporary working folder
and history database.

The whole week: upload the sample export, plan next week for two units, open a popup on
the map, pin a unit's day, drop a visit and replan, download the itinerary CSV (BOM,
columns, rows as in plan.json), commit, then (the server started again a week later, the
session kept) record outcomes, see them in the history and the report. The bad paths: a
binary and an oversized upload, a wrong password, a cross-site POST, two planners at once.
Screenshots of each page at 1366x768 go to tests/artifacts/web-*.png.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from caravan.outputs.itinerary import ITINERARY_COLUMNS

from .browser_support import PageLog, attach, chromium
from .conftest import ROOT

browser = pytest.fixture(scope="module", name="browser")(chromium)
pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "tests" / "artifacts"
SAMPLE = ROOT / "data" / "sample" / "complaints.csv"
VIEW = {"width": 1366, "height": 768}
PASSWORD = "คาราวาน-2569"


@contextlib.contextmanager
def server(tmp: Path, *args: str, today: str | None = None, env: dict | None = None):
    """``caravan serve --port 0`` in a process of its own; yields its address."""
    exe = Path(sys.executable).parent / "caravan"
    environ = dict(os.environ, **(env or {}))
    if today:
        environ["CARAVAN_TODAY"] = today
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--port",
            "0",
            "--workdir",
            str(tmp / "work"),
            "--db",
            str(tmp / "h.sqlite"),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )
    try:
        line = proc.stdout.readline()
        found = re.search(r"serving (http://\S+/)", line)
        assert found, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield found.group(1).rstrip("/")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def new_page(context, base: str):
    """A page that reaches the server, answers the map's CDN and tile requests locally and
    records every error."""
    page = context.new_page()
    log = PageLog()
    attach(page, log)

    def ours(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.fallback()

    page.route("**/*", ours)
    page.set_default_timeout(60_000)
    return page, log


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"))


def assert_clean(log: PageLog, *statuses: int) -> None:
    """No script error, dialog or unanswered request; the pages refused on purpose (an
    outcome form with a bad note: 400, an oversized upload: 413, a wrong password: 403)
    are logged by chromium as failed loads, and only those are allowed."""
    expected = {f"responded with a status of {n} " for n in statuses}
    errors = [e for e in log.errors if not any(x in e for x in expected)]
    assert errors == [] and log.dialogs == [] and log.refused == []


def text(page, selector: str) -> str:
    return " ".join(page.inner_text(selector).split())


def plan_json(page, base: str) -> dict:
    res = page.request.get(page.url + "/files/plan.json")
    assert res.ok
    return json.loads(res.text())


def upload(page, base: str, path: Path) -> None:
    page.goto(base + "/complaints")
    page.set_input_files("input[name=file]", str(path))
    page.click("form[action='/complaints'] button[type=submit]")


def start_plan(page, base: str, provinces: set[str], *, units: int, limit: str) -> None:
    for box in page.locator("input[name=provinces]").all():
        if (box.get_attribute("value") in provinces) != box.is_checked():
            box.click()
    page.fill("input[name=units]", str(units))
    page.click("#more summary")
    page.fill("input[name=time_limit]", limit)


def wait_for_plan(page) -> None:
    page.wait_for_selector("#summary", timeout=180_000)


def test_the_whole_week(browser, tmp_path):
    with server(tmp_path, "--max-upload-mb", "1") as base:
        context = browser.new_context(viewport=VIEW, accept_downloads=True)
        page, log = new_page(context, base)
        page.goto(base + "/")
        shot(page, "home")
        assert page.get_attribute("html", "lang") == "th"

        # 1 the complaints
        upload(page, base, SAMPLE)
        page.wait_for_selector("#counts")
        assert text(page, "#counts") == "1500 แถวที่อ่าน · 1500 ใช้ได้ · 0 ใช้ไม่ได้"
        shot(page, "complaints")

        # 2 plan next week (2026-W49: today is 2026-11-27) for two units in Yasothon
        page.click("text=วางแผนด้วยไฟล์นี้")
        page.wait_for_selector("#plan-form")
        assert page.input_value("input[name=week]") == "2026-W49"
        start_plan(page, base, {"35"}, units=2, limit="5")
        page.fill("#site-search", "ป่าติ้ว")
        assert page.locator("#site-list .site:visible").count() == 1
        shot(page, "plan-form")
        page.click("#start")
        wait_for_plan(page)
        shot(page, "plan")
        first = plan_json(page, base)
        assert (
            first["parameters"]["units_per_province"] == 2
            and first["parameters"]["week"] == "2026-W49"
        )
        units = {r["unit"] for r in first["routes"]}
        assert units == {"35-1", "35-2"}

        # 3 a popup on the map; the clicked stop is marked in the schedule
        code = first["routes"][0]["stops"][1]["code"]
        frame = page.frame_locator("#map")
        frame.locator(f'.caravan-stop[data-code="{code}"]').click()
        placed = ".leaflet-popup[data-placed] .leaflet-popup-content .caravan-popup"
        frame.locator(placed).wait_for()  # opened and moved clear of the panels
        shot(page, "map-popup")
        assert page.locator(f'tr.visit.selected[data-code="{code}"]').count() == 1

        # pin the first unit-day, drop a visit of another one, replan
        kept = first["routes"][0]
        other = next(r for r in first["routes"][1:] if len(r["stops"]) > 2)
        dropped = other["stops"][1]["code"]
        page.check(f'input[name=pin][value="{kept["date"]} {kept["unit"]}"]')
        page.check(f'tr.visit[data-code="{dropped}"] input[name=drop]')
        page.click("#replan")
        page.wait_for_selector("#changes", timeout=180_000)
        shot(page, "replan")
        second = plan_json(page, base)
        again = next(
            r for r in second["routes"] if (r["date"], r["unit"]) == (kept["date"], kept["unit"])
        )
        assert again["stops"] == kept["stops"]
        assert dropped not in {s["code"] for r in second["routes"] for s in r["stops"]}
        assert f"removed {dropped}" in text(page, "#changes")

        # 4 the itinerary for Excel: BOM, columns, the rows of plan.json
        with page.expect_download() as got:
            page.click("#dl-csv")
        data = Path(got.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert tuple(rows[0])[: len(ITINERARY_COLUMNS)] == ITINERARY_COLUMNS
        visits = [
            (r["date"], r["unit"], s["code"])
            for r in second["routes"]
            for s in r["stops"]
            if s["kind"] == "visit"
        ]
        got_rows = [(r["date"], r["unit"], r["code"]) for r in rows if r["code"][:4] != "BASE"]
        assert got_rows == visits

        page.click("#commit")
        page.wait_for_selector("#committed")
        assert "recorded plan #1" in text(page, "#committed")
        plan_path = page.url.removeprefix(base)
        assert_clean(log)
        context.storage_state(path=str(tmp_path / "state.json"))
        context.close()

    # 5 a week later: the same working folder and session, outcomes and the report
    with server(tmp_path, today="2026-12-05") as base:
        context = browser.new_context(viewport=VIEW, storage_state=str(tmp_path / "state.json"))
        page, log = new_page(context, base)
        page.goto(base + "/history")
        assert "2026-W49" in text(page, "#weeks")
        shot(page, "history")
        page.click("#weeks a")
        page.wait_for_selector("#outcomes")
        page.select_option("select[name=visited_1]", "yes")
        page.fill("input[name=resolved_1]", "2")
        page.fill("input[name=escalated_1]", "1")
        page.fill("input[name=note_1]", "ชาวบ้านมาร่วมงานมาก")
        page.fill("input[name=resolved_2]", "1")
        page.fill("input[name=note_2]", "ผู้ใหญ่บ้านโทร 081-234-5678")
        page.click("#save-outcomes")
        assert text(page, "#message") == (
            "outcome form:2: field 'note': looks like personal data (a phone number): write "
            "notes without names, phone or ID numbers and addresses"
        )
        db = sqlite3.connect(tmp_path / "h.sqlite")
        assert db.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 0  # all or none
        page.fill("input[name=note_2]", "")
        page.click("#save-outcomes")
        page.wait_for_selector("#message.ok")
        shot(page, "outcomes")
        got = db.execute("SELECT code, visited, resolved, escalated, note FROM outcomes").fetchall()
        first_visit = visits[0][2]
        assert (first_visit, 1, 2, 1, "ชาวบ้านมาร่วมงานมาก") in got and len(got) == 2
        assert page.input_value("input[name=resolved_1]") == "2"

        page.goto(base + "/report")
        report = page.frame_locator("#season")
        report.locator("table").first.wait_for()
        cells = report.locator("table").first.locator("tbody tr").first.inner_text()
        # week, visits, made, to come (none: the week is over), districts, complaints
        # reached, resolved, escalated, outcomes reported
        row = cells.split("\t")
        assert row[:9] == ["2026-W49", str(len(visits)), str(len(visits)), "0", row[4], row[5],
                           "3", "1", f"2/{len(visits)}"]  # fmt: skip
        # Thai first, like every page; the database by its name, never its path on the server
        assert report.locator("h1").inner_text() == "รายงานผลคาราวาน สัปดาห์ 2026-W49 ถึง 2026-W49"
        assert "ไปแล้ว" in report.locator("table").first.locator("thead").inner_text()
        assert str(tmp_path) not in report.locator("body").inner_text()
        shot(page, "report")
        page.goto(base + plan_path)  # the plan is still there, committed
        page.wait_for_selector("#committed")
        assert_clean(log, 400)
        context.close()


def test_bad_uploads_are_one_clear_line(browser, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(SAMPLE.read_bytes() * 20)  # over 1 MB
    picture = tmp_path / "export.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    with server(tmp_path, "--max-upload-mb", "1") as base:
        context = browser.new_context(viewport=VIEW)
        page, log = new_page(context, base)
        upload(page, base, picture)
        page.wait_for_selector("#upload-error")
        assert text(page, "#upload-error") == "export.csv: not a text CSV file (binary content)"
        shot(page, "binary-upload")
        upload(page, base, big)
        page.wait_for_selector("p.error")
        size = big.stat().st_size / 2**20
        assert text(page, "p.error").endswith(f"the file is {size:.1f} MB; the limit is 1 MB")
        shot(page, "oversized-upload")
        assert not list((tmp_path / "work").glob("sessions/*/uploads/*/big*"))
        assert_clean(log, 413)
        context.close()


def test_another_host_needs_the_password(browser, tmp_path):
    env = {"CARAVAN_WEB_PASSWORD": PASSWORD}
    with server(tmp_path, "--host", "127.0.0.2", env=env) as base:
        assert base.startswith("http://127.0.0.2:")
        context = browser.new_context(viewport=VIEW)
        page, log = new_page(context, base)
        page.goto(base + "/plan")
        assert page.url == base + "/login"
        page.fill("input[name=password]", "คาราวาน")
        page.click("button[type=submit]")
        assert text(page, "p.error") == "รหัสผ่านไม่ถูกต้อง"
        shot(page, "wrong-password")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        assert page.locator("a[href='/plan']").count() >= 1
        assert_clean(log, 403)
        context.close()


def test_a_cross_site_post_is_refused(browser, tmp_path):
    with server(tmp_path) as base:
        context = browser.new_context(viewport=VIEW)
        page, _ = new_page(context, base)
        page.goto(base + "/")  # a session of this planner
        evil = (
            f'<form id="f" method="post" action="{base}/plan">'
            '<input name="provinces" value="35"></form>'
            "<script>document.getElementById('f').submit()</script>"
        )
        page.route(
            "http://evil.invalid/**",
            lambda route: route.fulfill(body=evil, content_type="text/html"),
        )
        with page.expect_response(f"{base}/plan") as answer:
            page.goto("http://evil.invalid/")
        assert answer.value.status == 403
        assert not list((tmp_path / "work").glob("sessions/*/plans/*"))
        context.close()


def test_two_planners_at_once(browser, tmp_path):
    with server(tmp_path) as base:
        pages = []
        for provinces in ({"37"}, {"65"}):
            context = browser.new_context(viewport=VIEW)
            page, log = new_page(context, base)
            page.goto(base + "/plan")
            start_plan(page, base, provinces, units=1, limit="4")
            pages.append((page, log))
        for page, _ in pages:
            page.click("#start")  # both plans run at the same time
        pages[0][0].wait_for_selector("#job")
        shot(pages[0][0], "job")
        plans = []
        for page, log in pages:
            wait_for_plan(page)
            plans.append(plan_json(page, base))
            page.click("#commit")
            page.wait_for_selector("#committed")
            assert_clean(log)
        db = sqlite3.connect(tmp_path / "h.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT provinces, count(v.id) FROM plans p JOIN visits v "
                          "ON v.plan_id = p.id GROUP BY p.id ORDER BY p.id").fetchall()  # fmt: skip
        want = {
            " ".join(p["parameters"]["provinces"]): sum(
                s["kind"] == "visit" for r in p["routes"] for s in r["stops"]
            )
            for p in plans
        }
        assert dict(rows) == want and set(want) == {"37", "65"}
        assert db.execute("SELECT count(*) FROM visits WHERE superseded_by IS NULL").fetchone()[
            0
        ] == sum(want.values())
