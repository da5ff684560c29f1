"""Sets of files all or none, also under kill -9 (caravan.atomic), and what a new plan does
to the files of the earlier one in its folder (issue 12.7, issue 17.3 and 17.4)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from caravan.atomic import JOURNAL, MANIFEST, OutputDir, OutputError, recover, write_file
from caravan.outputs.write import write_plan

from .conftest import run_cli
from .plans import TINY_COMPLAINTS


def visible(folder: Path) -> dict[str, bytes]:
    """The files a user sees in ``folder`` (not caravan's hidden ones), by name; plan.json's
    creation time and solver seconds masked (all that two runs of one command change)."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".caravan-"):
            continue
        data = p.read_bytes()
        if p.name == "plan.json":
            data = re.sub(rb'"created": "[^"]*"', b'"created": ""', data)
            data = re.sub(rb'"seconds": [0-9.e+-]+', b'"seconds": 0', data)
        out[p.name] = data
    return out


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".caravan-"))


# ---------------------------------------------------------------------------- in-process


def test_a_new_plan_removes_what_caravan_wrote_for_the_earlier_one_and_nothing_else(tiny, tmp_path):
    out = tmp_path / "out"
    first = write_plan(tiny, out, with_map=True)
    assert first.removed == ()
    write_file(out / "itinerary.ics", b"BEGIN:VCALENDAR\r\n", join="plan")  # an export
    write_file(out / "plan.geojson", b"{}", join="plan")
    write_file(out / "report.html", b"<p>", join="")  # caravan report --html: not the plan's
    (out / "plan.geojson").write_text('{"edited": "by the planner"}', encoding="utf-8")
    (out / "notes.txt").write_text("the planner's own file", encoding="utf-8")
    second = write_plan(tiny, out, with_map=False)
    assert [p.name for p in second.removed] == ["itinerary.ics", "map.html"]
    assert sorted(visible(out)) == [
        "itinerary.csv",
        "notes.txt",
        "outcome_template.csv",
        "plan.geojson",  # changed since caravan wrote it: kept
        "plan.json",
        "rejects.csv",
        "report.html",
    ]
    assert hidden(out) == [MANIFEST]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["sets"]["plan"]) == [
        "itinerary.csv",
        "outcome_template.csv",
        "plan.json",
        "rejects.csv",
    ]


def test_a_folder_without_a_manifest_loses_nothing(tiny, tmp_path):
    """A folder written by an older caravan (no manifest): caravan cannot know what it
    wrote there, so it removes nothing."""
    out = tmp_path / "old"
    out.mkdir()
    (out / "map.png").write_bytes(b"\x89PNG old")
    assert write_plan(tiny, out, with_map=False).removed == ()
    assert (out / "map.png").read_bytes() == b"\x89PNG old"


def test_a_complaints_check_and_a_plan_in_one_folder_keep_their_own_sets(tiny, tmp_path):
    out = tmp_path / "both"
    with OutputDir(out, group="check") as od:
        od.path("accepted.csv").write_text("a", encoding="utf-8")
    write_plan(tiny, out, with_map=False)
    assert (out / "accepted.csv").read_text(encoding="utf-8") == "a"
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["sets"]["check"] == {
        "accepted.csv": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    }


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "plan.json"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/null")
    with pytest.raises(OutputError) as err, OutputDir(out) as od:
        od.path("plan.json").write_text("{}", encoding="utf-8")
    what = {"folder": "a folder", "fifo": "a FIFO (named pipe)", "device": "a device"}[kind]
    assert str(err.value) == f"cannot write '{target}': it is {what}, not a regular file"
    with pytest.raises(OutputError) as err:
        write_file(target, b"x")
    assert str(err.value) == f"cannot write '{target}': it is {what}, not a regular file"
    assert hidden(out) == []  # the staging folder is gone, nothing was switched


def test_export_refuses_to_replace_dev_null(tiny, tmp_path):
    from caravan.outputs.planfile import plan_json

    plan = tmp_path / "plan.json"
    plan.write_text(plan_json(tiny), encoding="utf-8")
    res = run_cli("export", str(plan), "--format", "csv", "--out", "/dev/null")
    assert res.returncode == 1
    assert res.stderr.strip() == (
        "Error: cannot write '/dev/null': it is a device, not a regular file"
    )
    assert Path("/dev/null").is_char_device()


def test_a_damaged_journal_is_one_line_error(tmp_path):
    (tmp_path / JOURNAL).write_text('{"staging": "../../etc", "move": [], "remove": []}')
    with pytest.raises(OutputError) as err:
        recover(tmp_path)
    assert str(err.value) == (
        f"'{tmp_path / JOURNAL}' is damaged: the folder's last write cannot be completed; "
        "remove that file and write the folder again"
    )


def test_stale_staging_folders_are_removed_live_ones_kept(tmp_path):
    stale = tmp_path / ".caravan-staging-dead"
    stale.mkdir()
    (stale / "plan.json").write_text("{}", encoding="utf-8")
    with OutputDir(tmp_path) as od:
        od.path("a.csv").write_text("a", encoding="utf-8")
        assert not stale.exists()  # removed when the folder was opened
        recover(tmp_path)  # another command while this one writes: its staging stays
        assert od.staging is not None and od.staging.is_dir()
    assert hidden(tmp_path) == [MANIFEST]


# ---------------------------------------------------------------------------- kill -9


def _exe() -> str:
    return shutil.which("caravan", path=str(Path(sys.executable).parent)) or "caravan"


def _killed_at(step: int, args: list[str], env: dict | None = None) -> bool:
    """Run ``caravan ARGS`` with the pause hook at ``switch:STEP``; kill -9 it there.
    Returns False when the command finished without reaching that step."""
    env = dict(os.environ, **(env or {}), CARAVAN_TEST_PAUSE_AT=f"switch:{step}")
    proc = subprocess.Popen(
        [_exe(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith(f"caravan: paused at switch:{step}"):
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                return True
        assert proc.wait(timeout=60) == 0
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _kill_everywhere(make_old, args, recover_folder) -> tuple[dict, dict, list[str]]:
    """Kill ``caravan ARGS`` at every step of its switch, each time on a fresh copy of the
    old folder; after each kill, ``recover_folder(folder)`` (the next command) runs. Returns
    (old files, new files, what each kill left: 'old' or 'new')."""
    old_dir = make_old()
    old = visible(old_dir)
    ref = old_dir.with_name("reference")
    shutil.copytree(old_dir, ref)
    assert subprocess.run([_exe(), *args(ref)], capture_output=True).returncode == 0
    new = visible(ref)
    assert new != old
    seen = []
    step = 0
    while True:
        work = old_dir.with_name(f"kill{step}")
        shutil.copytree(old_dir, work)
        if not _killed_at(step, args(work)):
            assert visible(work) == new  # no more steps: the run completed
            break
        recover_folder(work)
        state = visible(work)
        assert state in (old, new), f"killed at switch:{step}: a mixed folder"
        assert not [h for h in hidden(work) if h != MANIFEST], f"left over at switch:{step}"
        seen.append("old" if state == old else "new")
        step += 1
    return old, new, seen


def _tiny_csv(tmp_path: Path) -> Path:
    src = tmp_path / "tiny.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    return src


PLAN = ["plan", "--province", "37", "--week", "2026-W40", "--units", "1", "--travel",
        "straight", "--service-minutes", "180", "--no-map", "--quiet"]  # fmt: skip


@pytest.mark.slow
def test_plan_killed_at_every_file_switch_leaves_the_old_or_the_new_folder(tmp_path):
    src = _tiny_csv(tmp_path)
    db = tmp_path / "h.sqlite"

    def make_old():
        out = tmp_path / "old"
        res = run_cli(*PLAN, "--complaints", str(src), "--days", "1", "--out", str(out))
        assert res.returncode == 0, res.stderr
        res = run_cli("export", str(out / "plan.json"), "--format", "ics")
        assert res.returncode == 0, res.stderr
        return out

    def args(out):
        return [*PLAN, "--complaints", str(src), "--days", "2", "--out", str(out)]

    def next_command(out):  # history record reads the folder: it completes the switch first
        res = run_cli("history", "record", str(out / "plan.json"), "--db", str(db))
        assert res.returncode == 0, res.stderr

    old, new, seen = _kill_everywhere(make_old, args, next_command)
    assert "itinerary.ics" in old and "itinerary.ics" not in new  # removed in the switch
    # before the commit point: old; after it: new (rolled forward), at every later step
    assert seen == ["old"] + ["new"] * (len(seen) - 1) and len(seen) == 8


@pytest.mark.slow
def test_complaints_check_killed_at_every_file_switch(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("id,received,district_code,category,status\nA1,2026-11-01,3501,roads,open\n")
    b = tmp_path / "b.csv"
    b.write_text(
        "id,received,district_code,category,status\nB1,2026-11-01,3501,roads,open\n"
        "B2,2026-13-01,3501,roads,open\n"
    )

    def make_old():
        out = tmp_path / "old"
        assert run_cli("complaints", "check", str(a), "--out", str(out)).returncode == 0
        return out

    def args(out):
        return ["complaints", "check", str(b), "--out", str(out), "--quiet"]

    _old, new, seen = _kill_everywhere(make_old, args, recover)
    assert seen == ["old", "new", "new", "new", "new"]
    accepted = new["accepted.csv"].decode("utf-8-sig").splitlines()
    rejects = new["rejects.csv"].decode("utf-8-sig").splitlines()
    assert len(accepted) - 1 + len(rejects) - 1 == 2  # rows read = accepted + rejected


@pytest.mark.slow
def test_export_killed_at_every_file_switch(tiny, tmp_path):
    src = _tiny_csv(tmp_path)

    def make_old():
        out = tmp_path / "old"
        res = run_cli(*PLAN, "--complaints", str(src), "--days", "2", "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert run_cli("export", str(out / "plan.json"), "--format", "html").returncode == 0
        return out

    def args(out):
        return ["export", str(out / "plan.json"), "--format", "html", "--calendar", "buddhist"]

    def next_command(out):  # another export reads the folder first
        other = out.with_name(out.name + "-geojson.geojson")
        res = run_cli("export", str(out / "plan.json"), "--out", str(other))
        assert res.returncode == 0, res.stderr

    old, new, seen = _kill_everywhere(make_old, args, next_command)
    assert seen == ["old", "new", "new", "new"]
    assert old["itinerary.html"] != new["itinerary.html"]


@pytest.mark.slow
def test_history_record_killed_in_its_transaction_and_after_a_killed_plan(tmp_path):
    """The database is wholly old after a kill inside the commit; and a plan killed after
    its commit point is completed by history record, which records the new plan."""
    src = _tiny_csv(tmp_path)
    db = tmp_path / "h.sqlite"
    out = tmp_path / "plan"
    assert (
        run_cli(*PLAN, "--complaints", str(src), "--days", "1", "--out", str(out)).returncode == 0
    )
    assert _killed_at(2, [*PLAN, "--complaints", str(src), "--days", "2", "--out", str(out)])
    env = dict(os.environ, CARAVAN_TEST_PAUSE_IN_TRANSACTION="120")
    proc = subprocess.Popen(
        [_exe(), "history", "record", str(out / "plan.json"), "--db", str(db)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "paused inside the write transaction" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert hidden(out) == [MANIFEST]  # the folder was completed before the kill
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM plans").fetchone()[0] == 0  # wholly old
    con.close()
    res = run_cli("history", "record", str(out / "plan.json"), "--db", str(db))
    assert res.returncode == 0, res.stderr
    con = sqlite3.connect(db)
    (recorded,) = con.execute("SELECT plan_json FROM plans").fetchone()
    con.close()
    in_folder = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    # the new plan (two days), in the folder and in the database
    assert json.loads(recorded)["parameters"]["dates"] == ["2026-09-28", "2026-09-29"]
    assert in_folder["parameters"]["dates"] == ["2026-09-28", "2026-09-29"]
