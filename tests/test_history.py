"""The history database for real: record, outcomes, list/show/report through the CLI, a
process killed inside its write transaction, readers during a write, migration from schema
version 1, a newer schema refused untouched, and the exact error line for each bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caravan.clock import today as today_bangkok
from caravan.history.store import APPLICATION_ID, SCHEMA_VERSION, open_history
from caravan.outputs.labels import THAI_MONTHS_SHORT
from caravan.outputs.report import season_report

from .conftest import TEST_TODAY as TODAY
from .conftest import run_cli

PLAN = ("plan", "--province", "35", "--time-limit", "2", "--no-map", "--quiet")


def _exe() -> str:
    return shutil.which("caravan", path=str(Path(sys.executable).parent)) or "caravan"


def _last(res: subprocess.CompletedProcess) -> str:
    return res.stderr.strip().splitlines()[-1]


def _template(out: Path) -> list[dict[str, str]]:
    raw = (out / "outcome_template.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the outcome template must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Week 2026-W47 (in the past) planned and recorded for Yasothon."""
    tmp = tmp_path_factory.mktemp("recorded")
    db = tmp / "history.sqlite"
    out = tmp / "w47"
    res = run_cli(*PLAN, "--week", "2026-W47", "--db", str(db), "--commit", "--out", str(out))
    assert res.returncode == 0, res.stderr
    return tmp, db, out


def test_commit_records_the_plan_and_its_template(recorded):
    _tmp, db, out = recorded
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    rows = _template(out)
    visits = [s for r in plan["routes"] for s in r["stops"] if s["kind"] == "visit"]
    assert [r["code"] for r in rows] == [s["code"] for s in visits]
    assert list(rows[0]) == [
        "date",
        "unit",
        "stop",
        "code",
        "name_th",
        "name_en",
        "open_complaints",
        "visited",
        "resolved",
        "escalated",
        "resolved_ids",
        "note",
    ]
    assert all(r["resolved"] == r["escalated"] == "" for r in rows)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == len(visits)
    con.close()
    listed = run_cli("history", "list", "--db", str(db))
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:6] == [
        "#1",
        "2026-W47",
        "district",
        "35",
        str(len(visits)),
        "plan",
    ]
    again = run_cli("history", "record", str(out / "plan.json"), "--db", str(db))
    assert again.returncode == 0
    assert again.stdout.strip() == f"already recorded as plan #1 in {db}"


def test_outcomes_are_recorded_and_shown(recorded, tmp_path):
    _tmp, db, out = recorded
    rows = _template(out)
    rows[0].update(resolved="3", escalated="1", note="ok")
    rows[1].update(visited="no")
    day = dt.date.fromisoformat(rows[2]["date"])
    rows[2].update(date=f"{day.day}/{day.month}/{day.year + 543}", resolved="2")  # Excel, Thai
    f = _write_csv(tmp_path / "outcome.csv", rows)
    res = run_cli("history", "outcome", str(f), "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == (
        f"recorded 3 outcome(s) (3 new, 0 replaced; {len(rows) - 3} row(s) left empty) from "
        f"{f} in {db}: 5 complaint(s) resolved, 1 escalated"
    )
    show = run_cli("history", "show", "2026-W47", "--db", str(db))
    assert show.returncode == 0
    line = next(x for x in show.stdout.splitlines() if f"  {rows[0]['code']}  " in x)
    assert line.split()[-4:] == ["yes", "3", "1", "ok"]
    line = next(x for x in show.stdout.splitlines() if f"  {rows[1]['code']}  " in x)
    assert line.split()[-3:] == ["no", "0", "0"]
    # recording the same file again replaces, never doubles
    res = run_cli("history", "outcome", str(f), "--db", str(db))
    assert "(0 new, 3 replaced;" in res.stdout
    with open_history(db) as hist:
        assert sum(v.resolved for v in hist.visits()) == 5


def test_season_report_table_and_html(recorded, tmp_path):
    _tmp, db, out = recorded
    html_file = tmp_path / "report.html"
    res = run_cli(
        "report",
        "--from",
        "2026-W46",
        "--to",
        "2026-W48",
        "--db",
        str(db),
        "--html",
        str(html_file),
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    w47 = next(x for x in lines if x.startswith("2026-W47"))
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    n = plan["objective"]["visits"]
    assert w47.split()[1] == str(n)
    assert next(x for x in lines if x.startswith("2026-W46")).split()[1:3] == ["0", "0"]
    page = html_file.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "http://" not in page.replace("http://www.w3.org", "")
    assert "เลิงนกทา" in page and "max gap 4 weeks" in page


def test_season_report_page_in_thai(recorded, tmp_path):
    """``--lang th``: Thai headings and columns, Buddhist-era dates; the numbers unchanged."""
    _tmp, db, _out = recorded
    pages = {}
    for lang in ("en", "th"):
        html_file = tmp_path / f"{lang}.html"
        res = run_cli(
            "report", "--from", "2026-W46", "--to", "2026-W48", "--db", str(db),
            "--html", str(html_file), "--lang", lang,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        pages[lang] = html_file.read_text(encoding="utf-8")
    th = pages["th"]
    assert '<html lang="th">' in th
    assert "<h1>รายงานผลคาราวาน สัปดาห์ 2026-W46 ถึง 2026-W48</h1>" in th
    assert "<th>ลงพื้นที่ตามแผน</th><th>ไปแล้ว</th><th>ยังไม่ถึงวัน</th>" in th
    assert "เว้นได้ไม่เกิน 4 สัปดาห์" in th and "max gap" not in th
    # the same table cells apart from the dates, which read in the Buddhist era
    cells = re.findall(r"<td>([^<]*)</td>", pages["en"])
    cells_th = re.findall(r"<td>([^<]*)</td>", th)
    assert len(cells) == len(cells_th)
    dates = [(a, b) for a, b in zip(cells, cells_th, strict=True) if a != b]
    assert dates and all(
        (a, b) == ("never", "ยังไม่เคย")
        or b.endswith(f"{THAI_MONTHS_SHORT[int(a[5:7]) - 1]} {int(a[:4]) + 543}")
        for a, b in dates
    )


def _make_v1(path: Path) -> None:
    """A database exactly as caravan's first schema version left it (frozen here on
    purpose: the migration must keep working on files written by that release)."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        PRAGMA application_id = 1129469524;
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY, week TEXT NOT NULL, week_monday TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('district', 'tambon')),
            provinces TEXT NOT NULL, created TEXT, recorded TEXT NOT NULL,
            source TEXT NOT NULL, replan_of INTEGER REFERENCES plans(id),
            sha256 TEXT NOT NULL, plan_json TEXT NOT NULL);
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL REFERENCES plans(id),
            week TEXT NOT NULL, date TEXT NOT NULL, unit TEXT NOT NULL, stop INTEGER NOT NULL,
            code TEXT NOT NULL, level TEXT NOT NULL, province_code TEXT NOT NULL,
            district_code TEXT NOT NULL, name_th TEXT NOT NULL, name_en TEXT NOT NULL,
            arrive TEXT NOT NULL, depart TEXT NOT NULL, priority REAL NOT NULL,
            open_complaints INTEGER NOT NULL, superseded_by INTEGER REFERENCES plans(id),
            UNIQUE (plan_id, date, unit, stop));
        CREATE INDEX visits_active ON visits (superseded_by, date);
        CREATE INDEX visits_code ON visits (code, date);
        INSERT INTO plans VALUES (1, '2026-W45', '2026-11-02', 'district', '37', NULL,
            '2026-10-30T10:00:00+07:00', 'v1', NULL, 'x', '{}');
        INSERT INTO visits VALUES (1, 1, '2026-W45', '2026-11-03', '37-1', 1, '3702', 'district',
            '37', '3702', 'ชานุมาน', 'Chanuman', '09:35', '12:35', 24.0, 2, NULL);
        INSERT INTO visits VALUES (2, 1, '2026-W45', '2026-11-04', '37-1', 1, '3706', 'district',
            '37', '3706', 'หัวตะพาน', 'Hua Taphan', '08:58', '11:58', 3.0, 1, NULL);
        PRAGMA user_version = 1;
        """
    )
    con.commit()
    con.close()


def test_migration_from_the_first_schema_version(tmp_path):
    db = tmp_path / "v1.sqlite"
    _make_v1(db)
    with open_history(db) as hist:
        visits = hist.visits()
        assert [(v.code, v.open_complaints, v.visited) for v in visits] == [
            ("3702", 2, None),
            ("3706", 1, None),
        ]
        snap = hist.snapshot(before=dt.date(2026, 11, 9))
        assert snap.first_monday == {"37": dt.date(2026, 11, 2)}
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cols = [r[1] for r in con.execute("PRAGMA table_info(visits)")]
    assert cols[-1] == "change"
    con.close()
    f = tmp_path / "o.csv"
    f.write_text("date,unit,code,resolved,escalated\n2026-11-03,37-1,3702,1,0\n", encoding="utf-8")
    res = run_cli("history", "outcome", str(f), "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert "1 complaint(s) resolved" in res.stdout
    listed = run_cli("history", "list", "--db", str(db))
    assert "2026-W45" in listed.stdout


def test_a_newer_schema_is_refused_and_not_changed(tmp_path):
    db = tmp_path / "future.sqlite"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("CREATE TABLE from_the_future (x)")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    before = db.read_bytes()
    expected = (
        f"Error: {db}: history database schema version 3 is newer than this caravan supports "
        "(2): upgrade caravan (the database was not changed)"
    )
    for args in (
        ("history", "list"),
        ("history", "show", "2026-W47"),
        ("report", "--from", "2026-W40", "--to", "2026-W47"),
        (*PLAN, "--week", "2026-W47", "--commit", "--out", str(tmp_path / "out")),
        (*PLAN, "--week", "2026-W47", "--no-history", "--commit", "--out", str(tmp_path / "out")),
    ):
        res = run_cli(*args, "--db", str(db))
        assert res.returncode == 1, args
        assert _last(res) == expected, args
    assert db.read_bytes() == before
    assert not (tmp_path / "out" / "plan.json").exists()


def test_a_file_that_is_not_a_history_database(tmp_path):
    db = tmp_path / "notes.sqlite"
    db.write_text("not a database at all, just some notes\n" * 20, encoding="utf-8")
    res = run_cli("history", "list", "--db", str(db))
    assert res.returncode == 1
    assert _last(res) == f"Error: {db}: not a caravan history database (file is not a database)"


def _wait_for_pause(proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"the writer ended before pausing (exit {proc.wait()})")
        if "paused inside the write transaction" in line:
            return
    raise AssertionError("the writer never paused")


def test_a_commit_killed_mid_write_leaves_the_database_as_it_was(recorded, tmp_path):
    _tmp, db0, _ = recorded
    db = tmp_path / "h.sqlite"
    shutil.copy(db0, db)  # plan #1 recorded (and outcomes from the other tests maybe)
    con = sqlite3.connect(db)
    plans0 = con.execute("SELECT count(*) FROM plans").fetchone()[0]
    visits0 = con.execute("SELECT count(*) FROM visits").fetchone()[0]
    con.close()
    out = tmp_path / "w48"
    env = dict(os.environ, CARAVAN_TEST_PAUSE_IN_TRANSACTION="120")
    proc = subprocess.Popen(
        [_exe(), *PLAN, "--week", "2026-W48", "--commit", "--db", str(db), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait_for_pause(proc)
        # the writer holds its transaction: two readers read the last committed state
        readers = [
            subprocess.Popen(
                [_exe(), "history", "list", "--db", str(db)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for r in readers:
            stdout, stderr = r.communicate(timeout=60)
            assert r.returncode == 0, stderr
            assert "2026-W47" in stdout and "2026-W48" not in stdout
        assert proc.poll() is None, "the writer must still be inside its transaction"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM plans").fetchone()[0] == plans0
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == visits0
    assert con.execute("SELECT count(*) FROM visits WHERE week = '2026-W48'").fetchone()[0] == 0
    con.close()
    # the plan's files were written before the commit: recording them now works in full
    res = run_cli("history", "record", str(out / "plan.json"), "--db", str(db))
    assert res.returncode == 0, res.stderr
    n = json.loads((out / "plan.json").read_text(encoding="utf-8"))["objective"]["visits"]
    assert res.stdout.strip() == f"recorded plan #{plans0 + 1} ({n} visits) in {db}"


def test_a_plan_that_drops_reported_visits_is_refused(recorded, tmp_path):
    _tmp, db0, out = recorded
    db = tmp_path / "h.sqlite"
    shutil.copy(db0, db)
    first = _template(out)[0]
    f = _write_csv(tmp_path / "o.csv", [{**first, "resolved": "1", "escalated": "0"}])
    assert run_cli("history", "outcome", str(f), "--db", str(db)).returncode == 0
    res = run_cli(
        *PLAN,
        "--week",
        "2026-W47",
        "--skip",
        first["code"],
        "--commit",
        "--db",
        str(db),
        "--out",
        str(tmp_path / "again"),
    )
    assert res.returncode == 1
    assert _last(res) == (
        f"Error: {db}: week 2026-W47 already has an outcome for the visit of {first['code']} by "
        f"unit {first['unit']} on {first['date']}, which this plan drops: use 'caravan replan' "
        "to keep the visits already made"
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"date": "17 Nov"}, "date", "not a date: '17 Nov'"),
        ({"date": "32/1/2568"}, "date", "not a date: '32/1/2568' (month 1 of 2025 has no day 32)"),
        (
            {"date": "11/25/2026"},
            "date",
            "not a date: '11/25/2026' (month 25 does not exist; dates are read day/month/year)",
        ),
        ({"resolved": "two"}, "resolved", "not a whole number from 0 to 10,000: 'two'"),
        ({"escalated": "-1"}, "escalated", "not a whole number from 0 to 10,000: '-1'"),
        (
            {"resolved": "9" * 40},
            "resolved",
            "not a whole number from 0 to 10,000: a text of 40 characters",
        ),
        ({"escalated": "²"}, "escalated", "not a whole number from 0 to 10,000: '²'"),
        ({"visited": "maybe"}, "visited", "not yes or no: 'maybe'"),
        (
            {"visited": "no", "resolved": "2"},
            "visited",
            "a visit that did not take place cannot resolve or escalate complaints",
        ),
        (
            {"resolved": "1", "resolved_ids": "C1 C2"},
            "resolved_ids",
            "lists 2 complaint id(s) but resolved is 1",
        ),
        ({"unit": "35-9"}, "code", "{code} was visited on {date} by unit 35-1, not by 35-9"),
        (
            {"code": "3799"},
            "code",
            "no recorded plan visits 3799 on {date} (record the plan "
            "first: caravan history record PLAN.json)",
        ),
        ({"date": "2099-01-05"}, "date", "2099-01-05 has not come yet (today is {today})"),
        (
            {"note": "ลูกบ้านโทรมา 081-234-5678"},
            "note",
            "looks like personal data (a phone number): write notes without names, phone or ID "
            "numbers and addresses",
        ),
        (
            {"note": "นายสมชาย มาร่วมงาน"},
            "note",
            "looks like personal data (a name with a title): write notes without names, phone "
            "or ID numbers and addresses",
        ),
    ],
)
def test_bad_outcome_rows(recorded, tmp_path, change, field, reason):
    _tmp, db0, out = recorded
    db = tmp_path / "h.sqlite"
    shutil.copy(db0, db)
    rows = _template(out)
    good = {**rows[0], "resolved": "1", "escalated": "0"}
    bad = {**rows[1], "resolved": "1", "escalated": "0", **change}
    f = _write_csv(tmp_path / "o.csv", [good, bad])
    before = sqlite3.connect(db).execute("SELECT count(*) FROM outcomes").fetchone()[0]
    res = run_cli("history", "outcome", str(f), "--db", str(db))
    assert res.returncode == 1
    text = reason.format(code=rows[1]["code"], date=rows[1]["date"], today=today_bangkok())
    assert _last(res) == f"Error: {f}:3: field '{field}': {text}"
    # all rows or none: the good row was not recorded either
    assert sqlite3.connect(db).execute("SELECT count(*) FROM outcomes").fetchone()[0] == before


def _thai_forms(day: dt.date) -> list[str]:
    """The same day as Thai offices and Excel write it (the complaint reader's forms)."""
    be = day.year + 543
    month = THAI_MONTHS_SHORT[day.month - 1]  # as caravan writes them (outputs.labels)
    return [
        f"{day.day}/{day.month}/{str(be)[2:]}",  # 17/11/69: two-digit Buddhist-era year
        day.strftime("%d-%m-%Y"),  # 17-11-2026
        f"{day.day} {month} {str(be)[2:]}",  # 17 พ.ย. 69
        f"วันที่ {day.day} {month} พ.ศ. {be}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")),
        str((day - dt.date(1899, 12, 30)).days),  # an Excel day number
    ]


def test_outcome_dates_are_read_like_complaint_dates(recorded, tmp_path):
    _tmp, db0, out = recorded
    db = tmp_path / "h.sqlite"
    shutil.copy(db0, db)
    rows = _template(out)
    assert len(rows) == 5  # one district a day: each visit's date in another form
    filled = [
        {**r, "date": _thai_forms(dt.date.fromisoformat(r["date"]))[i], "resolved": str(i)}
        for i, r in enumerate(rows)
    ]
    res = run_cli(
        "history", "outcome", str(_write_csv(tmp_path / "o.csv", filled)), "--db", str(db)
    )
    assert res.returncode == 0, res.stderr
    with open_history(db) as hist:
        got = {(v.date.isoformat(), v.code): v.resolved for v in hist.visits(weeks=["2026-W47"])}
    assert got == {(r["date"], r["code"]): i for i, r in enumerate(rows)}


def test_a_duplicate_outcome_row(recorded, tmp_path):
    _tmp, db, out = recorded
    row = {**_template(out)[0], "resolved": "1", "escalated": "0"}
    f = _write_csv(tmp_path / "o.csv", [row, row])
    res = run_cli("history", "outcome", str(f), "--db", str(db))
    assert _last(res) == f"Error: {f}:3: field 'code': the same visit as line 2"


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ("history", "show", "2026-W40"),
            1,
            "Error: {db}: week 2026-W40 is not in the history (recorded weeks: 2026-W47 to "
            "2026-W47)",
        ),
        (
            ("history", "show", "2026-40"),
            2,
            "Error: Invalid value for 'WEEK': '2026-40' is not an ISO week like 2026-W49",
        ),
        (
            ("report", "--from", "2026-W48", "--to", "2026-W46"),
            2,
            "Error: Invalid value for '--to': 2026-W46 is before --from 2026-W48",
        ),
        (
            ("report", "--from", "2026-W01", "--to", "2026-W05"),
            1,
            "Error: {db}: no recorded week between 2026-W01 and 2026-W05 (recorded weeks: "
            "2026-W47 to 2026-W47)",
        ),
        (
            ("report", "--from", "2026-W1", "--to", "2026-W05"),
            2,
            "Error: Invalid value for '--from': '2026-W1' is not an ISO week like 2026-W49",
        ),
    ],
)
def test_history_usage_errors(recorded, args, code, line):
    _tmp, db, _ = recorded
    res = run_cli(*args, "--db", str(db))
    assert res.returncode == code
    assert _last(res) == line.format(db=db)


def test_an_empty_history(tmp_path):
    db = tmp_path / "none.sqlite"
    res = run_cli("history", "list", "--db", str(db))
    assert res.returncode == 0 and res.stdout.strip() == f"no plans recorded in {db}"
    assert not db.exists(), "reading must not create the database"
    res = run_cli("history", "show", "2026-W47", "--db", str(db))
    assert res.returncode == 1
    assert _last(res) == (
        f"Error: {db}: the history is empty: record a plan first (caravan plan --commit, or "
        "caravan history record PLAN.json)"
    )


@pytest.fixture(scope="module")
def under_way(tmp_path_factory):
    """Yasothon, one district a day: 2026-W48 (Monday 23 to Friday 27 November; today is
    Friday 27) and 2026-W49 (next week) recorded, no outcome yet."""
    tmp = tmp_path_factory.mktemp("under_way")
    db = tmp / "history.sqlite"
    for week in ("2026-W48", "2026-W49"):
        res = run_cli(*PLAN, "--week", week, "--db", str(db), "--commit", "--out", str(tmp / week))
        assert res.returncode == 0, res.stderr
    with open_history(db) as hist:
        days = sorted({v.date for v in hist.visits()})
    return tmp, db, days


def _report(db: Path, *args: str) -> dict[str, list[str]]:
    res = run_cli("report", "--from", "2026-W48", "--to", "2026-W49", "--db", str(db), *args)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    header = lines[lines.index("per week:") + 1].split()
    assert header[:4] == ["week", "visits", "made", "to_come"]
    rows = {x.split()[0]: x.split()[1:4] for x in lines if x.startswith("2026-W4")}
    assert (
        "a visit counts as made once its day has passed (before 2026-11-27) or an outcome says "
        "so; to_come: planned visits still ahead"
    ) in lines
    return rows


def test_report_counts_only_the_visits_whose_day_has_passed(under_way, tmp_path):
    _tmp, db, days = under_way
    w48 = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(5)]
    assert days[:5] == w48 and days[5:] and all(d >= dt.date(2026, 11, 30) for d in days[5:])
    n49 = str(len(days) - 5)  # fewer: the districts visited in 2026-W48 rest
    html_file = tmp_path / "report.html"
    # Monday to Thursday have passed; Friday (today) and next week are still to come
    assert _report(db, "--html", str(html_file)) == {
        "2026-W48": ["5", "4", "1"],
        "2026-W49": [n49, "0", n49],
    }
    page = html_file.read_text(encoding="utf-8")
    assert "<th>to come</th>" in page
    assert f"<tr><td>2026-W49</td><td>{n49}</td><td>0</td><td>{n49}</td>" in page
    with open_history(db) as hist:
        rep = season_report(hist, first="2026-W48", last="2026-W49")
        next_week = {v.district_code for v in hist.visits(weeks=["2026-W49"])}
        this_week = {v.district_code for v in hist.visits(weeks=["2026-W48"]) if v.date < TODAY}
    assert rep.today == TODAY
    for d in rep.districts:  # a visit still to come is no district's last visit
        assert d.last_visit is None or d.last_visit < TODAY
        assert d.visits == (d.code in this_week)
    assert next_week - this_week  # so that the line above could fail


def test_outcomes_decide_whether_a_visit_was_made(under_way, tmp_path):
    tmp, db, _days = under_way
    rows = _template(tmp / "2026-W48")
    assert [r["date"] for r in rows] == [f"2026-11-{d}" for d in (23, 24, 25, 26, 27)]
    rows[0].update(visited="no")  # Monday's visit did not take place
    rows[4].update(visited="yes", resolved="1")  # today's visit is done
    res = run_cli("history", "outcome", str(_write_csv(tmp_path / "o.csv", rows)), "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert _report(db)["2026-W48"] == ["5", "4", "0"]
