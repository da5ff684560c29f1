"""Hostile and careless command lines (issue 17.6 and 17.7): every input-driven failure is one
line and exit 1 (data) or 2 (usage); a bug is one line and exit 3, its traceback only with
--debug or CARAVAN_DEBUG=1."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from .conftest import run_cli
from .plans import TINY_COMPLAINTS

PLAN = ["plan", "--province", "37", "--week", "2026-W40", "--units", "1", "--days", "1",
        "--travel", "straight", "--no-map", "--quiet"]  # fmt: skip


@pytest.fixture
def tiny_csv(tmp_path):
    src = tmp_path / "tiny.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    return src


def one_line(res, code: int) -> str:
    """The error line of a run that exited with ``code``: the only line on stderr (a usage
    error also has click's two usage lines above it)."""
    lines = [line for line in res.stderr.strip().splitlines() if line]
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    if code == 2:
        assert lines[0].startswith("Usage: caravan ") and len(lines) == 3, res.stderr
    else:
        assert len(lines) == 1, res.stderr
    return lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time-limit", "nan"], "Invalid value for '--time-limit': must be positive, got nan"),
        (["--time-limit", "inf"], "Invalid value for '--time-limit': must be positive, got inf"),
        (["--minutes-per-point", "inf"],
         "Invalid value for '--minutes-per-point': must be positive, got inf"),
        (["--minutes-per-point", "nan"],
         "Invalid value for '--minutes-per-point': must be positive, got nan"),
        (["--base", "3701", "--base", "3702"],
         "Invalid value for '--base': two bases for province 37: '3701' and '3702'"),
    ],
)  # fmt: skip
def test_values_the_plan_request_refuses(tmp_path, tiny_csv, args, message):
    res = run_cli(*PLAN, "--complaints", str(tiny_csv), "--out", str(tmp_path / "o"), *args)
    assert one_line(res, 2) == f"Error: {message}"
    assert not (tmp_path / "o" / "plan.json").exists()


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("9999-W52", "'9999-W52': caravan plans weeks of the years 2000 to 2100"),
        ("1999-W10", "'1999-W10': caravan plans weeks of the years 2000 to 2100"),
    ],
)
def test_a_week_far_away_is_a_usage_error(tmp_path, tiny_csv, week, message):
    res = run_cli(*PLAN, "--complaints", str(tiny_csv), "--out", str(tmp_path / "o"),
                  "--week", week)  # fmt: skip
    assert one_line(res, 2) == f"Error: Invalid value for '--week': {message}"
    res = run_cli("history", "show", week)
    assert one_line(res, 2) == f"Error: Invalid value for 'WEEK': {message}"


@pytest.mark.parametrize("option", ["--weights", "--columns"])
def test_binary_toml_files_are_one_line(tmp_path, tiny_csv, option):
    binary = tmp_path / "w.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    res = run_cli(*PLAN, "--complaints", str(tiny_csv), "--out", str(tmp_path / "o"),
                  option, str(binary))  # fmt: skip
    assert one_line(res, 1) == f"Error: {binary}: not a TOML text file (not UTF-8: binary content?)"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_weights_that_are_not_finite_are_refused(tmp_path, tiny_csv, value):
    weights = tmp_path / "w.toml"
    weights.write_text(f"[category]\nroads = {value}\n", encoding="utf-8")
    res = run_cli(*PLAN, "--complaints", str(tiny_csv), "--out", str(tmp_path / "o"),
                  "--weights", str(weights))  # fmt: skip
    shown = {"1e400": "inf"}.get(value, value)
    assert one_line(res, 1) == (
        f"Error: {weights}: field 'category.roads': must be a finite number >= 0, got {shown}"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["complaints", "check", "{missing}", "--out", "{tmp}/o"],
        [*PLAN, "--complaints", "{missing}", "--out", "{tmp}/o"],
        [*PLAN, "--weights", "{missing}", "--out", "{tmp}/o"],
        [*PLAN, "--columns", "{missing}", "--out", "{tmp}/o"],
        [*PLAN, "--sites", "{missing}", "--out", "{tmp}/o"],
        [*PLAN, "--population", "{missing}", "--out", "{tmp}/o"],
        ["export", "{missing}", "--format", "csv"],
        ["replan", "{missing}", "--done-through", "2026-09-28", "--out", "{tmp}/o"],
        ["history", "record", "{missing}"],
        ["history", "outcome", "{missing}"],
    ],
)
def test_a_missing_input_file_is_a_data_error(tmp_path, args):
    """The README: a file that cannot be read is one error line and exit 1."""
    missing = tmp_path / "nowhere.csv"
    if args[:2] == ["history", "outcome"]:  # needs a database first
        db_plan = run_cli(*PLAN, "--out", str(tmp_path / "p"), "--commit")
        assert db_plan.returncode == 0, db_plan.stderr
    res = run_cli(*(a.format(missing=missing, tmp=tmp_path) for a in args))
    assert one_line(res, 1) == f"Error: {missing}: file not found"


def _damage(db):
    """Overwrite every page but the first (the header and the schema) with garbage, once
    everything is in the main file (no WAL left)."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    data[page:] = b"\xff" * (len(data) - page)
    db.write_bytes(bytes(data))


def test_a_damaged_history_database_is_one_line(tmp_path, tiny_csv):
    db = tmp_path / "h.sqlite"
    res = run_cli(*PLAN, "--complaints", str(tiny_csv), "--out", str(tmp_path / "o"),
                  "--commit", "--db", str(db))  # fmt: skip
    assert res.returncode == 0, res.stderr
    _damage(db)
    before = db.read_bytes()
    for args in (["history", "list"], ["history", "show", "2026-W40"],
                 ["report", "--from", "2026-W39", "--to", "2026-W41"]):  # fmt: skip
        res = run_cli(*args, "--db", str(db))
        assert one_line(res, 1) == (
            f"Error: {db}: the history database is damaged (database disk image is "
            "malformed); restore it from a backup"
        )
    assert db.read_bytes()[100:] == before[100:]  # only SQLite's header may change


def test_a_bug_is_one_line_and_exit_3_its_traceback_with_debug(monkeypatch, capsys):
    """A genuine bug (here: the geography listing breaks) is not dressed up as bad input."""
    import caravan.cli.geo as geo
    from caravan.cli import main

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(geo, "site_rows", broken)
    monkeypatch.delenv("CARAVAN_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["caravan", "districts"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 3
    assert capsys.readouterr().err == (
        "caravan: internal error (ZeroDivisionError); run again with --debug and report it "
        "to the caravan maintainers\n"
    )
    monkeypatch.setattr(sys, "argv", ["caravan", "--debug", "districts"])
    with pytest.raises(ZeroDivisionError):
        main()
    monkeypatch.setenv("CARAVAN_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["caravan", "districts"])
    with pytest.raises(ZeroDivisionError):
        main()
