"""The web page's routes and refusals, without a browser (Starlette's TestClient drives the
real app on a temporary working folder and history database). The whole week in a real
browser: tests/test_web_browser.py."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from caravan.complaints import ACCEPTED_COLUMNS
from caravan.geo.geography import load_geography
from caravan.plan.request import HistoryRules, PlanRequest
from caravan.web import ServeConfig, create_app
from caravan.web.forms import HIDDEN, MAIN, NESTED, FormField, more_fields, request_from_form

from .conftest import ROOT, run_cli

SAMPLE = ROOT / "data" / "sample" / "complaints.csv"


class Clock:
    """The sessions' clock, moved by the test."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def make_client(tmp_path: Path, **options) -> TestClient:
    config = ServeConfig(workdir=tmp_path / "work", db=tmp_path / "h.sqlite", **options)
    return TestClient(create_app(config), base_url="http://127.0.0.1:8765")


def csrf_of(client: TestClient, path: str = "/complaints") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def upload(client: TestClient, name: str, data: bytes, **kw):
    return client.post(
        "/complaints",
        data={"csrf": csrf_of(client)},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
        **kw,
    )


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as c:
        yield c


def test_thai_first_english_with_one_click(client):
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="th">' in page.text
    assert "วางแผนหน่วยบริการเคลื่อนที่" in page.text
    english = client.get("/lang/en?next=/complaints")
    assert english.url.path == "/complaints"
    assert '<html lang="en">' in english.text and "Upload" in english.text
    # a "next" that leaves the site goes home instead
    assert client.get("/lang/th?next=//example.invalid/").url.path == "/"


def test_an_upload_is_read_and_checked(client):
    res = upload(client, "export.csv", SAMPLE.read_bytes())
    assert res.status_code == 303
    page = client.get(res.headers["location"])
    counts = " ".join(
        re.sub("<[^>]+>", " ", re.search(r'id="counts">(.*?)</p>', page.text).group(1)).split()
    )
    assert counts == "1500 แถวที่อ่าน · 1500 ใช้ได้ · 0 ใช้ไม่ได้"
    data = client.get(res.headers["location"] + "/accepted.csv").content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == ACCEPTED_COLUMNS and len(rows) == 1501


def test_the_rejected_rows_are_shown_by_reason_with_their_lines(client):
    text = (
        "id,received,district_code,category,status,phone\n"
        "R1,2026-11-02,3701,health,open,081-234-5678\n"
        "R2,2026-11-02,9999,health,open,\n"
        "R3,2099-01-01,3701,health,open,\n"
        "R1,2026-11-03,3702,health,open,\n"
    )
    page = client.get(upload(client, "mixed.csv", text.encode()).headers["location"])
    reasons = [" ".join(li.split()) for li in re.findall(r"<li>(.*?)</li>", page.text)]
    assert reasons == ["1 duplicate id", "1 in the future", "1 outside the three provinces"]
    lines = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>", page.text)
    assert lines == [("3", "district_code"), ("4", "received"), ("5", "id")]
    assert "081-234-5678" not in page.text and "phone" not in page.text


def test_a_binary_upload_is_one_clear_line(client):
    res = upload(client, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page = client.get(res.headers["location"])
    error = re.search(r'id="upload-error">(.*?)</p>', page.text).group(1)
    assert error == "photo.csv: not a text CSV file (binary content)"


def test_an_upload_over_the_limit_is_refused_before_it_is_kept(tmp_path):
    with make_client(tmp_path, max_upload_bytes=1024 * 1024) as c:
        res = upload(c, "big.csv", b"id,received\n" + b"x" * (2 * 1024 * 1024))
        assert res.status_code == 413
        assert "the file is 2.0 MB; the limit is 1 MB" in res.text
        assert not list((tmp_path / "work").glob("sessions/*/uploads/*"))


def test_state_changing_posts_need_the_token_and_this_origin(client):
    assert client.post("/complaints", data={}, files={"file": ("a.csv", b"x")}).status_code == 403
    token = csrf_of(client)
    assert client.post("/plan", data={"csrf": "wrong"}).status_code == 403
    cross = client.post("/plan", data={"csrf": token}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert "403" in cross.text
    assert not list(Path(client.app.state.web.config.workdir).glob("sessions/*/plans/*"))


def test_a_password_guards_every_page(tmp_path):
    with make_client(tmp_path, host="127.0.0.2", password="ขอเข้า-2569") as c:
        res = c.get("/history", follow_redirects=False)
        assert res.status_code == 303 and res.headers["location"] == "/login"
        token = csrf_of(c, "/login")
        wrong = c.post("/login", data={"csrf": token, "password": "guess"})
        assert wrong.status_code == 403 and "รหัสผ่านไม่ถูกต้อง" in wrong.text
        assert c.get("/history", follow_redirects=False).status_code == 303
        ok = c.post("/login", data={"csrf": token, "password": "ขอเข้า-2569"})
        assert ok.status_code == 200 and ok.url.path == "/"
        assert c.get("/history").status_code == 200


def test_sessions_expire_and_their_files_go(tmp_path):
    clock = Clock()
    with make_client(tmp_path, now=clock, session_seconds=3600) as c:
        upload(c, "export.csv", SAMPLE.read_bytes())
        folders = list((tmp_path / "work" / "sessions").glob("*"))
        assert len(folders) == 1 and list(folders[0].glob("uploads/*/complaints.csv"))
        clock.t += 1800
        assert "export.csv" in c.get("/").text  # still the same session
        clock.t += 3601
        assert "export.csv" not in c.get("/").text  # a new one
        assert not folders[0].exists()


@pytest.mark.parametrize(
    "path",
    [
        "/plans/..%2F..%2Fetc/files/plan.json",
        "/plans/000000000000/files/plan.json",
        "/complaints/000000000000/..%2Fsession.json",
        "/plans/abc/files/../../session.json",
    ],
)
def test_downloads_cannot_name_other_paths(client, path):
    client.get("/")
    assert client.get(path).status_code == 404


def test_an_unrecognised_header_is_mapped_once_and_remembered(client):
    text = "no.,opened,where,what,how\nA1,2026-11-02,3501,health,open\n"
    first = client.get(upload(client, "ours.csv", text.encode()).headers["location"])
    assert "missing column 'id'" in html.unescape(first.text)
    uid = first.url.path.split("/")[-1]
    mapping = {"col_id": "no.", "col_received": "opened", "col_district": "where",
               "col_category": "what", "col_status": "how"}  # fmt: skip
    page = client.post(f"/complaints/{uid}/columns", data={"csrf": csrf_of(client), **mapping})
    assert "<b>1</b> ใช้ได้" in page.text
    again = client.get(upload(client, "ours-next-week.csv", text.encode()).headers["location"])
    assert "<b>1</b> ใช้ได้" in again.text


def _remember_many(workdir: str, who: str, n: int) -> None:
    from caravan.web.workspace import ColumnMemory

    memory = ColumnMemory(Path(workdir))
    for i in range(n):
        memory.remember([f"{who} {i}", "opened"], {"id": f"{who} {i}"})


def test_two_planners_saving_column_mappings_at_once_keep_both(tmp_path):
    """Two server processes (or two requests) adding mappings at the same time: none is lost,
    and the file stays one JSON object."""
    import multiprocessing

    from caravan.web.workspace import ColumnMemory

    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_remember_many, args=(str(tmp_path), w, 40)) for w in "AB"]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    memory = ColumnMemory(tmp_path)
    for who in "AB":
        for i in range(40):
            assert memory.get([f"{who} {i}", "opened"]) == {"id": f"{who} {i}"}


def test_a_personal_data_column_is_neither_offered_nor_read(client):
    text = "no.,opened,where,what,how,ชื่อผู้ร้อง\nA1,2026-11-02,3501,health,open,สมชาย\n"
    page = client.get(upload(client, "ours.csv", text.encode()).headers["location"])
    assert '<option value="no." >no.</option>' in page.text and "ชื่อผู้ร้อง" not in page.text
    uid = page.url.path.split("/")[-1]
    forged = client.post(
        f"/complaints/{uid}/columns", data={"csrf": csrf_of(client), "col_id": "ชื่อผู้ร้อง"}
    )
    assert forged.status_code == 400
    assert html.unescape(re.search(r'role="alert">(.*?)</p>', forged.text).group(1)) == (
        "--column: column 'ชื่อผู้ร้อง' holds personal data; caravan never reads it (not even as id)"
    )


def test_every_request_field_is_on_the_form():
    """The main fields, the hidden ones and the generated "more" section together cover
    every field of PlanRequest and of the requests it holds."""

    def names(cls, prefix=""):
        out = set()
        for f in dataclasses.fields(cls):
            name = prefix + f.name
            out |= names(NESTED[name], name + ".") if name in NESTED else {name}
        return out

    shown = {f.name for f in more_fields()}
    assert names(PlanRequest) == (shown | MAIN | HIDDEN) & names(PlanRequest)
    assert not shown & (MAIN | HIDDEN)


def test_a_new_request_field_appears_on_the_form_by_itself():
    @dataclasses.dataclass(frozen=True)
    class Later(PlanRequest):
        max_nights: int = 0
        night_cost: float = 0.0
        no_overnight: bool = False
        lodging: str = ""

    more = {f.name: f for f in more_fields(Later)}
    assert more["max_nights"] == FormField("max_nights", "int", False)
    assert more["night_cost"].kind == "float" and more["no_overnight"].kind == "bool"
    assert more["lodging"].kind == "text" and more["lodging"].label("en") == "lodging"


def test_the_form_makes_the_same_request_as_the_command_line():
    form = {
        "level": "tambon", "week": "2026-W50", "units": "2", "days": "4",
        "service_minutes": "", "day_start": "08:00", "day_end": "16:00",
        "travel.mode": "straight", "travel.speed_kmh": "50", "travel.detour_factor": "1.3",
        "minutes_per_point": "12", "bases": "3502", "time_limit": "3", "seed": "7",
        "engine": "auto", "holidays": "2026-12-09", "workdays": "",
        "history.use_history": "1", "history.recency_weeks": "", "history.max_gap_weeks": "6",
        "overnight": "1",  # ticked by default, as PlanRequest's default: a browser posts it
    }  # fmt: skip
    lists = {"provinces": ["35"], "must_visit": ["350201"], "skip": ["350101"]}
    made = request_from_form(form, lists, complaints="uploads/x/complaints.csv", files={})
    assert made == PlanRequest(
        complaints="uploads/x/complaints.csv", provinces=("35",), level="tambon",
        week="2026-W50", units=2, days=4, day_start="08:00", day_end="16:00",
        travel=dataclasses.replace(PlanRequest().travel, mode="straight", speed_kmh=50,
                                   detour_factor=1.3),
        minutes_per_point=12, bases=["3502"], time_limit=3, seed=7, holidays=["2026-12-09"],
        must_visit=("350201",), skip=("350101",),
        history=HistoryRules(use_history=True, max_gap_weeks=6),
    )  # fmt: skip


def test_a_bad_form_value_is_shown_with_its_option(client):
    token = csrf_of(client, "/plan")
    page = client.post(
        "/plan",
        data={"csrf": token, "provinces": "35", "units": "30", "week": "2026-W50"},
    )
    assert page.status_code == 400
    error = re.search(r'id="form-error">(.*?)</p>', page.text).group(1)
    assert error == "--units: must be between 1 and 20, got 30"
    # what was typed is still there, to be corrected
    assert re.search(r'name="units"[^>]*value="30"', page.text)
    ticked = re.findall(r'name="provinces" value="(\d+)" checked', page.text)
    assert ticked == ["35"]


def _start_plan(client: TestClient, **fields) -> str:
    data = {"csrf": csrf_of(client, "/plan"), "provinces": "37", "week": "2026-W49",
            "units": "1", "days": "2", "time_limit": "2", "history.use_history": "1",
            **fields}  # fmt: skip
    res = client.post("/plan", data=data, follow_redirects=False)
    assert res.status_code == 303, res.text
    return res.headers["location"]


def _wait(client: TestClient, plan: str, seconds: float = 120) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state = client.get(plan + "/status").json()
        if state["state"] != "running":
            return state
        time.sleep(0.2)
    raise AssertionError("the plan did not finish")


def test_a_plan_runs_in_a_worker_and_can_be_cancelled(client):
    long = _start_plan(client, level="tambon", provinces="65", time_limit="120", units="3")
    assert client.get(long + "/status").json()["state"] == "running"
    page = client.get(long)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.post(long + "/cancel", data={"csrf": token})
    assert client.get(long + "/status").json()["state"] == "cancelled"
    folder = client.app.state.web.config.workdir
    assert not list(Path(folder).glob("sessions/*/plans/*/plan.json"))
    short = _start_plan(client)
    state = _wait(client, short)
    assert state["state"] == "done" and state["progress"]["provinces"]["37"]["best"] > 0
    page = client.get(short)
    assert 'id="objective"' in page.text and "ดีที่สุดแล้ว" in page.text


def test_the_schedule_shows_where_a_tour_sleeps_and_pins_only_day_trips(client):
    plan = _start_plan(
        client,
        provinces="65",
        days="5",
        must_visit="6503",
        overnight="1",
        history="",
        time_limit="5",
    )
    assert _wait(client, plan)["state"] == "done"
    page = client.get(plan).text
    days = re.findall(
        r'<div class="route" data-unit="65-1" data-date="([^"]+)">(.*?)</div>', page, re.S
    )
    assert len(days) == 5
    tour = [d for d, body in days if 'class="overnight"' in body or 'class="from-lodging"' in body]
    pins = re.findall(r'name="pin" value="([^ "]+) 65-1"', page)
    assert tour and sorted(pins + tour) == [d for d, _ in days]  # tour days have no pin box
    night = next(body for _, body in days if 'class="overnight"' in body)
    lodging = re.search(r'<tr class="overnight" data-code="(\d+)">', night).group(1)
    name = load_geography().sites[lodging].name_th
    assert f"พักค้างคืน {name}" in night
    after = next(body for _, body in days if 'class="from-lodging"' in body)
    assert f"ออกจากที่พักค้างคืน {name}" in after


def test_serve_refuses_another_host_without_a_password():
    res = run_cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--host': listening on 0.0.0.0 lets other computers in: "
        "set a password first ($CARAVAN_WEB_PASSWORD or --password-file FILE)"
    )


def test_a_failed_plan_says_why_naming_the_upload(client):
    text = (
        "id,received,district_code,category,status\n"
        "A1,2026-11-02,3701,health,open\n"
        "A2,2026-11-02,9999,health,open\n"
    )
    page = client.get(upload(client, "เรื่องจากอำเภอ.csv", text.encode()).headers["location"])
    uid = page.url.path.split("/")[-1]
    plan = _start_plan(client, complaints=uid, strict="1")
    state = _wait(client, plan)
    assert state["state"] == "failed"
    assert state["error"].startswith(
        "เรื่องจากอำเภอ.csv: 1 of 2 rows rejected and --strict is set; the first: line 3, field "
    )
    shown = re.search(r'id="job-error">(.*?)</p>', client.get(plan).text).group(1)
    assert html.unescape(shown) == f"วางแผนไม่สำเร็จ: {state['error']}"


def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        res = run_cli("serve", "--port", str(port), "--workdir", str(tmp_path / "w"))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--port': cannot listen on 127.0.0.1:{port}: "
        "Address already in use"
    )
