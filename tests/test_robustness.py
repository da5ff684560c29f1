"""The standing robustness suite (issue 17): generated complaint files and plan files, valid
and corrupted, through the library and the command, asserting what must always hold:

* rows read = accepted + rejected;
* no planted personal-data marker in any output, reason or message;
* the command exits 0, 1 or 2 with at most one error line, never with a traceback (an
  exception that is not click's own would be exit 3, "internal error", in ``caravan``).

Examples are few and fast (``max_examples``) so that ``make test`` runs them every time.
"""

from __future__ import annotations

import csv
import io
import json
import string

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.cli import cli
from caravan.complaints import read_complaints
from caravan.complaints.report import accepted_csv, rejects_csv
from caravan.errors import InputError
from caravan.outputs.planfile import plan_json, read_plan

from .conftest import TEST_TODAY
from .plans import tiny_plan

#: personal data as exports hold it; each must never leave caravan (the planted markers)
MARKERS = [
    "นายสมชาย ใจดีมาก",
    "Mrs. Malee Srisuk",
    "1-1037-00123-45-6",
    "081-234-5678",
    "0898765432",
    "malee.s@example.com",
    "99/1 หมู่ 4 บ้านนาผือ",
    "ถูกเพื่อนบ้านข่มขู่ทุกคืน ขอให้เจ้าหน้าที่มาช่วยด่วนที่สุดค่ะ",
]
HEADER = ["id", "received", "province", "district", "tambon", "lat", "lon", "category",
          "status", "urgency", "ชื่อ-นามสกุล", "เบอร์โทรศัพท์", "รายละเอียด"]  # fmt: skip
RECOGNISED = 10  # the first ten columns are read; the last three never are

VALUES = {
    "id": st.sampled_from(["C1", "C2", "T-0001", "12/2569", "", "C1 "]),
    "received": st.sampled_from(
        [
            "2026-11-01",
            "1/11/2569",
            "9 พ.ย. 69",
            "32/1/2568",
            "2031-01-01",
            "1999-12-31",
            "",
            "45962",
            "not a date",
        ]
    ),
    "province": st.sampled_from(["", "ยโสธร", "35", "กรุงเทพมหานคร", "พิษณุโลก"]),
    "district": st.sampled_from(["", "3501", "เมืองยโสธร", "1001", "ทรายมูล", "3599"]),
    "tambon": st.sampled_from(["", "350101", "ในเมือง", "TH500101"]),
    "lat": st.sampled_from(["", "15.79", "abc", "104.1", "nan", "1e309"]),
    "lon": st.sampled_from(["", "104.14", "15.79", "-inf"]),
    "category": st.sampled_from(["roads", "ผู้สูงอายุ", "", "=1+1", "<b>x</b>", "other"]),
    "status": st.sampled_from(["open", "เสร็จสิ้น", "", "maybe", "ด่วน"]),
    "urgency": st.sampled_from(["", "ด่วน", "low", "whenever"]),
}
NOISE = st.text(alphabet=string.printable + "กขคงจ\x00\x1b\u202e\ufeff", max_size=12)


@st.composite
def complaint_rows(draw) -> list[list[str]]:
    """Rows with a marker in each personal column and, now and then, in a recognised one
    (a shifted export), plus noise: stray quotes, bare CRs, control characters."""
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(VALUES[h]) for h in HEADER[:RECOGNISED]]
        row += [draw(st.sampled_from(MARKERS)) for _ in HEADER[RECOGNISED:]]
        if draw(st.booleans()):
            row[draw(st.integers(0, RECOGNISED - 1))] = draw(st.sampled_from(MARKERS))
        if draw(st.integers(0, 4)) == 0:
            row[draw(st.integers(0, len(row) - 1))] = draw(NOISE)
        rows.append(row)
    return rows


def _csv_bytes(rows, draw_quirk: int) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([HEADER, *rows])
    text = buf.getvalue()
    if draw_quirk == 1 and len(text) > 40:  # a stray quote
        text = text[:40] + '"' + text[40:]
    elif draw_quirk == 2 and len(text) > 60:  # a bare CR inside a row
        text = text[:60] + "\r" + text[60:]
    return text.encode("utf-8")


def _no_marker(*texts: str) -> None:
    joined = "\n".join(texts)
    for marker in MARKERS:
        assert marker not in joined, marker


FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(rows=complaint_rows(), quirk=st.integers(0, 2))
def test_generated_complaint_files_lose_no_row_and_leak_nothing(tmp_path_factory, rows, quirk):
    f = tmp_path_factory.mktemp("gen") / "export.csv"
    f.write_bytes(_csv_bytes(rows, quirk))
    try:
        cf = read_complaints(f, today=TEST_TODAY)
    except InputError as exc:  # a file that cannot be read as a whole: one line
        assert "\n" not in str(exc)
        _no_marker(str(exc))
        return
    assert cf.rows == len(cf.accepted) + len(cf.rejects)
    _no_marker(accepted_csv(cf), rejects_csv(cf), *(r.message() for r in cf.rejects), *cf.notes)


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(rows=complaint_rows(), quirk=st.integers(0, 2))
def test_complaints_check_exits_cleanly_on_generated_files(tmp_path_factory, rows, quirk):
    tmp = tmp_path_factory.mktemp("cli")
    f = tmp / "export.csv"
    f.write_bytes(_csv_bytes(rows, quirk))
    res = CliRunner().invoke(cli, ["complaints", "check", str(f), "--out", str(tmp / "o")])
    assert res.exit_code in (0, 1, 2), res.exception
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    outputs = [p.read_text("utf-8-sig") for p in (tmp / "o").glob("*.csv")]
    _no_marker(res.output, *outputs)
    if res.exit_code:
        assert len([x for x in res.output.splitlines() if x.startswith("Error")]) == 1


# ---------------------------------------------------------------------------- plan files


@pytest.fixture(scope="module")
def tiny_plan_data(tmp_path_factory):
    return json.loads(plan_json(tiny_plan(tmp_path_factory.mktemp("robust"))))


def _paths(data, prefix=()):
    """Every (path) of ``data``'s tree: keys and list indexes."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data[:3]):
            yield from _paths(v, (*prefix, i))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "99:99", "2030-01-01", "BASE37", "3702", "x" * 50, "1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def corrupted(draw, data):
    """``data`` with one value replaced, or one key removed, somewhere in its tree."""
    data = json.loads(json.dumps(data))
    paths = [p for p in _paths(data) if p]
    path = draw(st.sampled_from(paths))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON_VALUES)
    return data


@FAST
@given(st.data())
def test_corrupted_plan_files_are_read_or_refused_in_one_line(
    tmp_path_factory, tiny_plan_data, data
):
    edited = data.draw(corrupted(tiny_plan_data))
    f = tmp_path_factory.mktemp("plan") / "plan.json"
    f.write_text(json.dumps(edited), encoding="utf-8")
    try:
        read_plan(f)
    except InputError as exc:
        assert "\n" not in str(exc)


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(st.data())
def test_export_of_corrupted_plan_files_exits_cleanly(tmp_path_factory, tiny_plan_data, data):
    edited = data.draw(corrupted(tiny_plan_data))
    tmp = tmp_path_factory.mktemp("export")
    f = tmp / "plan.json"
    f.write_text(json.dumps(edited), encoding="utf-8")
    fmt = data.draw(st.sampled_from(["csv", "ics", "geojson", "html"]))
    res = CliRunner().invoke(cli, ["export", str(f), "--format", fmt])
    assert res.exit_code in (0, 1, 2), res.exception
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)


def test_the_unchanged_plan_file_reads_back(tmp_path, tiny_plan_data):
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(tiny_plan_data), encoding="utf-8")
    assert read_plan(f).parameters.week == "2026-W40"
