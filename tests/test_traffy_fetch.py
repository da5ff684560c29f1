"""``caravan complaints fetch traffy`` against a real local HTTP server that answers like the
Traffy Fondue exchange API (``get-issues/v2``, documented in NECTEC's ``docs/query-apis.md``
and ``docs/error-codes.md``): a bearer token, ``duration`` and ``org_id`` in the query, a JSON
envelope ``{status, message, credit_balance, count, results}``, errors as ``status: fail``.
Each test tells the server how to misbehave."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from caravan.complaints import read_complaints
from caravan.complaints.fetch import FetchError
from caravan.complaints.traffy import COLUMNS, duration_for, fetch_traffy
from caravan.errors import ParameterError

from .conftest import run_cli

TODAY = dt.date(2026, 11, 27)
TOKEN = "eyJhbGciOiJIUzI1NiJ9.test.token"


def issue(tid, tambon, district, province, lat, lon, stamp, status="รอรับเรื่อง", kind="ถนน"):
    """One record of get-issues' results, personal fields included (never written)."""
    return {
        "ticket_id": tid, "type": kind, "organization": "อบต.ทดสอบ",
        "description": "นายสมชาย โทร 081-234-5678", "photo": "https://photo.invalid/a.jpeg",
        "latitude": lat, "longitude": lon, "address": "99/1 หมู่ 4",
        "subdistrict": tambon, "district": district, "province": province, "timestamp": stamp,
        "photo_after": None, "timestamp_inprogress": None, "timestamp_finished": None,
        "org_finished": None, "status": status, "confirmed": False, "star": None,
        "count_reopen": 0, "last_activity": stamp,
    }  # fmt: skip


ORG_151 = [
    issue("2026-T00001", "ในเมือง", "เมืองพิษณุโลก", "พิษณุโลก", 16.82472, 100.25944,
          "2026-11-20 09:00:00.123456"),
    issue("2026-T00002", "ในเมือง", "เมืองยโสธร", "ยโสธร", 15.794667, 104.140617,
          "2026-11-21 09:00:00"),  # another province than the one asked
    issue("2026-T00003", "นครไทย", "นครไทย", "พิษณุโลก", 17.10028, 100.83778,
          "2026-10-01 09:00:00", "กำลังดำเนินการ"),  # before --since
    issue("2026-T00004", "สีลม", "บางรัก", "กรุงเทพมหานคร", 13.73, 100.53,
          "2026-11-22 09:00:00"),  # Bangkok
    issue("2026-T00005", "วังน้ำคู้", "เมืองพิษณุโลก", "", 16.66456, 100.28628,
          "2026-11-23 09:00:00", "ไม่เกี่ยวข้อง", "{ทางเท้า,ถนน}"),  # no province: kept
]  # fmt: skip


@dataclass
class FakeTraffy:
    url: str = ""
    records: dict[str, list[dict]] = field(default_factory=lambda: {"151": ORG_151, "152": []})
    fail_first: int = 0  # answer HTTP 503 to this many requests first
    too_many_first: int = 0  # answer HTTP 429 (Retry-After: 0) to this many first
    status: str = "success"
    message: str = ""
    http_status: int = 200
    count_extra: int = 0  # claim this many more records than sent
    credit_balance: int | None = 820
    php_warning: bool = False
    rename: dict[str, str] = field(default_factory=dict)  # field -> new name
    hits: int = 0
    queries: list[dict] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, auth: str) -> tuple[int, dict, bytes]:
        with self.lock:
            self.hits += 1
            hits = self.hits
        if hits <= self.fail_first:
            return 503, {}, b"<html>busy</html>"
        if hits <= self.fail_first + self.too_many_first:
            return 429, {"Retry-After": "0"}, b"slow down"
        parts = urllib.parse.urlsplit(path)
        if parts.path != "/exchange-api/get-issues/v2":
            return 404, {}, b"Not Found"
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.queries.append(query)
        self.tokens.append(auth)
        if auth != f"Bearer {TOKEN}":
            return self.envelope(401, "fail", "ERR 1 - Invalid token", [])
        results = self.records.get(query.get("org_id", "151"), [])
        results = [{self.rename.get(k, k): v for k, v in r.items()} for r in results]
        body = self.envelope(self.http_status, self.status, self.message, results)
        if self.php_warning:
            warning = b'<br />\n<b>Warning</b>:  Undefined array key "org_id" on line <b>208</b>'
            return body[0], body[1], warning + b"<br />\n" + body[2]
        return body

    def envelope(self, http_status, status, message, results) -> tuple[int, dict, bytes]:
        data = {
            "status": status,
            "message": message,
            "exec_time": "0.012s",
            "source": "db",
            "credit_balance": self.credit_balance,
            "org_id": [151],
            "count": len(results) + self.count_extra,
            "results": results,
            "api_log_session_id": 2030246239,
        }
        return http_status, {}, json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture
def traffy():
    fake = FakeTraffy()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = fake.answer(self.path, self.headers.get("Authorization", ""))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/exchange-api"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def fetch(traffy, out, **kwargs):
    kwargs.setdefault("provinces", ["65"])
    kwargs.setdefault("since", dt.date(2026, 11, 1))
    kwargs.setdefault("orgs", ["151", "152"])
    kwargs.setdefault("token", TOKEN)
    return fetch_traffy(out, base_url=traffy.url, today=TODAY, backoff_seconds=0, **kwargs)


def test_fetch_writes_the_complaints_of_the_province_since_the_date(traffy, tmp_path):
    out = tmp_path / "traffy.csv"
    got = fetch(traffy, out)
    # one answer per organisation, the second one empty; the token sent, never written
    assert traffy.queries == [
        {"duration": "all", "org_id": "151"},
        {"duration": "all", "org_id": "152"},
    ]
    assert traffy.tokens == [f"Bearer {TOKEN}"] * 2
    assert (got.received, got.written, got.other_provinces, got.before_since) == (5, 2, 2, 1)
    assert got.lines() == [
        "Traffy Fondue: 5 complaint(s) in 2 answer(s) (duration=all); 2 written, 2 in other "
        "provinces and 1 received before --since left out",
        "API calls left this month (credit_balance): 820",
    ]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == [
        ",".join(COLUMNS),
        "2026-T00001,ถนน,อบต.ทดสอบ,16.82472,100.25944,ในเมือง,เมืองพิษณุโลก,พิษณุโลก,"
        "2026-11-20 09:00:00.123456,,,,รอรับเรื่อง,false,,0,2026-11-20 09:00:00.123456",
        '2026-T00005,"{ทางเท้า,ถนน}",อบต.ทดสอบ,16.66456,100.28628,วังน้ำคู้,เมืองพิษณุโลก,,'
        "2026-11-23 09:00:00,,,,ไม่เกี่ยวข้อง,false,,0,2026-11-23 09:00:00",
    ]
    for private in ("สมชาย", "081-234-5678", "photo.invalid", "99/1", TOKEN):
        assert private not in text
    # and caravan reads what it wrote, recognising the platform
    res = read_complaints(out, today=TODAY)
    assert res.profile == "traffy" and not res.rejects
    assert [(c.id, c.tambon_code, c.category, c.status) for c in res.accepted] == [
        ("2026-T00001", "650101", "roads", "open"),
        ("2026-T00005", "650102", "roads", "resolved"),
    ]
    assert res.outcomes == {"irrelevant": 1}


def test_the_shortest_duration_that_covers_since():
    assert duration_for(TODAY, TODAY) == "today"
    assert duration_for(TODAY - dt.timedelta(days=1), TODAY) == "3days"
    assert duration_for(TODAY - dt.timedelta(days=2), TODAY) == "3days"
    assert duration_for(TODAY - dt.timedelta(days=3), TODAY) == "all"


def test_a_php_warning_before_the_json_and_busy_servers_are_survived(traffy, tmp_path):
    traffy.php_warning = True
    traffy.fail_first, traffy.too_many_first = 1, 1
    got = fetch(traffy, tmp_path / "a.csv", orgs=["151"])
    assert got.written == 2 and traffy.hits == 3


def _refused(traffy, tmp_path, **kwargs) -> str:
    out = tmp_path / "kept.csv"
    out.write_text("the file of last week\n", encoding="utf-8")
    with pytest.raises(FetchError) as err:
        fetch(traffy, out, **kwargs)
    assert out.read_text(encoding="utf-8") == "the file of last week\n"  # nothing written
    assert len(str(err.value).splitlines()) == 1
    return str(err.value)


def test_quota_used_up(traffy, tmp_path):
    traffy.status, traffy.message = "fail", "Running out of API usage quota"
    assert _refused(traffy, tmp_path) == (
        f"Traffy Fondue ({traffy.url}, org_id 151): the API usage quota is used up (Running "
        "out of API usage quota): it is renewed on the 1st of the month, or ask NECTEC for "
        "more (LINE @fonduehelp); nothing written"
    )


def test_a_refused_token(traffy, tmp_path):
    assert _refused(traffy, tmp_path, token="expired") == (
        f"Traffy Fondue ({traffy.url}, org_id 151): the token was refused (ERR 1 - Invalid "
        "token): set $CARAVAN_TRAFFY_TOKEN to a valid token from get-auth"
    )
    with pytest.raises(ParameterError, match="no Traffy Fondue token"):
        fetch(traffy, tmp_path / "x.csv", token=" ")


def test_a_changed_column_set(traffy, tmp_path):
    traffy.rename = {"timestamp": "created_at", "type": "category_name"}
    message = _refused(traffy, tmp_path)
    assert message.startswith(
        f"Traffy Fondue ({traffy.url}, org_id 151) answered records without 'type', "
        "'timestamp' (fields: address, category_name, confirmed, count_reopen, created_at, "
    )
    assert message.endswith("): the API has changed; nothing written")


def test_a_cut_answer_is_refused(traffy, tmp_path):
    traffy.count_extra = 7000
    assert _refused(traffy, tmp_path, orgs=["151"]) == (
        f"Traffy Fondue ({traffy.url}, org_id 151) sent 5 of 7005 complaints (an answer holds "
        "at most 5,000): fetch a shorter period (--since) or one organisation at a time "
        "(--org); nothing written"
    )
    traffy.count_extra = 0
    traffy.records["151"] = [dict(ORG_151[0], ticket_id=f"2026-X{i:05d}") for i in range(5000)]
    assert "sent 5000 of 5000 complaints" in _refused(traffy, tmp_path, orgs=["151"])


def test_errors_after_retries_and_control_characters(traffy, tmp_path):
    traffy.fail_first = 10
    assert _refused(traffy, tmp_path) == (
        f"cannot get an answer from Traffy Fondue at {traffy.url} after 3 tries (HTTP 503 "
        "Service Unavailable)"
    )
    traffy.fail_first, traffy.hits = 0, 0
    traffy.status, traffy.message = "fail", "ระบบขัดข้อง\x1b]0;pwned\x07\nline two"
    assert _refused(traffy, tmp_path).endswith("the request failed (ระบบขัดข้อง ]0;pwned line two)")


def test_an_unreachable_server(tmp_path):
    with pytest.raises(FetchError) as err:
        fetch_traffy(tmp_path / "x.csv", token=TOKEN, provinces=["65"],
                     since=dt.date(2026, 11, 1), base_url="http://127.0.0.1:9/exchange-api",
                     today=TODAY, backoff_seconds=0, retries=2)  # fmt: skip
    assert str(err.value).startswith(
        "cannot get an answer from Traffy Fondue at http://127.0.0.1:9/exchange-api after 2 tries"
    )
    assert not (tmp_path / "x.csv").exists()


def test_the_command(traffy, tmp_path, monkeypatch):
    monkeypatch.setenv("CARAVAN_TRAFFY_URL", traffy.url)
    monkeypatch.delenv("CARAVAN_TRAFFY_TOKEN", raising=False)
    out = tmp_path / "fetched.csv"
    args = ("complaints", "fetch", "traffy", "--province", "65", "--since", "2026-11-26",
            "--org", "151", "--out", str(out))  # fmt: skip
    res = run_cli(*args)
    assert res.returncode == 2
    assert "Invalid value for 'CARAVAN_TRAFFY_TOKEN': no Traffy Fondue token" in res.stderr
    monkeypatch.setenv("CARAVAN_TRAFFY_TOKEN", TOKEN)
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    assert traffy.queries[-1] == {"duration": "3days", "org_id": "151"}
    assert res.stdout.splitlines() == [
        "Traffy Fondue: 5 complaint(s) in 1 answer(s) (duration=3days); 0 written, 2 in other "
        "provinces and 3 received before --since left out",
        "API calls left this month (credit_balance): 820",
        f"wrote {out}",
    ]
    assert TOKEN not in res.stdout + res.stderr
    traffy.status, traffy.message = "fail", "This token has expired | Token นี้หมดอายุแล้ว"
    res = run_cli(*args)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        f"Error: Traffy Fondue ({traffy.url}, org_id 151): the token was refused (This token "
        "has expired | Token นี้หมดอายุแล้ว): set $CARAVAN_TRAFFY_TOKEN to a valid token from "
        "get-auth"
    ]
