"""The fast path of plain CSVs (caravan.complaints.columnar) gives exactly what the standard
reader gives: the same accepted rows, rejects (line, field, reason, shown cells), notes and
counts, on files with every kind of row; anything unusual goes to the standard reader."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest

import caravan.complaints.reader as reader
from caravan.complaints import read_complaints
from caravan.complaints.columnar import read_plain
from caravan.complaints.source import open_table
from caravan.errors import InputError

from .test_traffy import (
    BULK_HEADER,
    BULK_ROWS,
    IN_BANGKOK,
    IN_MUEANG_PLK,
    IN_MUEANG_YST,
    IN_NAKHON_THAI,
    _bulk_row,
)

TODAY = dt.date(2026, 11, 27)
PHONE = "081-234-5678"

GENERIC_HEADER = ["id", "received", "province", "district", "tambon", "category", "status",
                  "urgency", "lat", "lon", "comment", "phone"]  # fmt: skip
PLK = ("16.82472", "100.25944")  # in 650101 ในเมือง, เมืองพิษณุโลก
NAKHON_THAI = ("17.10028", "100.83778")  # in 650201
YASOTHON = ("15.794667", "104.140617")  # in 350101


def _row(cid, received="2026-11-01", where=("", "6501", "650101"), category="roads",
         status="open", urgency="normal", point=PLK, comment="", phone=""):  # fmt: skip
    return [cid, received, *where, category, status, urgency, *point, comment, phone]


#: every kind of row of a generic export: (row, what the standard reader makes of it)
GENERIC_ROWS = [
    _row("G01"),  # accepted, point agrees with the names
    _row("G02", "1/11/2569", status="รอดำเนินการ", urgency="ด่วน", point=("", "")),
    _row("G03", comment='ถนนพัง, รถล้ม\nโทร 081-234-5678\n"ด่วน"', phone=PHONE),  # 3 lines
    _row("  "),  # missing id
    _row("G05", received=""),  # missing date
    _row("G06", received="2026-02-30"),  # not a date
    _row("G07", received="2027-01-05"),  # in the future
    _row("G08", received="1999-12-31"),  # before 2000
    _row("G09", category=""),  # missing category
    _row("G10", category=f"นายสมชาย ใจดี {PHONE}"),  # personal data in the category
    _row("G11", status="maybe"),  # unknown status
    _row("G12", status=""),  # missing status
    _row("G13", urgency="soon"),  # unknown urgency
    _row("G14", where=("", "", "659999"), point=("", "")),  # unknown tambon
    _row("G15", where=("", "1001", ""), point=("", "")),  # a Bangkok district: outside
    _row("G16", where=("65", "", ""), point=("", "")),  # only the province: no location
    _row("G17", where=("", "", ""), point=("abc", "100.2")),  # not a number
    _row("G18", where=("", "", ""), point=("100.25944", "16.82472")),  # lat and lon swapped
    _row("G19", where=("", "", ""), point=("200", "100")),  # not a latitude
    _row("G20", where=("", "", ""), point=("13.7291", "100.5302")),  # Bangkok: outside
    _row("G21", where=("", "", ""), point=NAKHON_THAI),  # placed by its point
    _row("G22", point=NAKHON_THAI),  # names 650101, point in 650201: mismatch
    _row("G23", where=("ยโสธร", "", ""), point=PLK),  # province Yasothon, point in Phitsanulok
    _row("G01"),  # duplicate of line 2
    _row("G22", where=("", "6502", "650201"), point=NAKHON_THAI),  # G22 failed: this one wins
    _row("0812345678"),  # a phone number as id: a pseudonym
    _row("G27", received="2026-11-01T23:30:00+00:00"),  # 2026-11-02 in Bangkok
    _row("G28", received="2026-11-01 16:59:59Z"),  # 2026-11-01 in Bangkok
    _row("G29", received="2026-11-26 20:00:00-05"),  # 2026-11-27 in Bangkok: today
    _row("G30", received="2026-11-27 20:00:00-05"),  # 2026-11-28 in Bangkok: the future
    _row("G31", where=("", "", ""), point=("16.8", "")),  # a lat without a lon
    _row("G32", where=("", "", ""), point=(" 16.82472 ", "100.25944 ")),  # spaces
    _row("G33", where=("", "", ""), point=("", "")),  # nothing at all: no location
    _row("G34", where=("", "", "650101"), point=("16.8", "")),  # named; half a point: unchecked
    _row("G35", category="roads,elderly", status="resolved", urgency="critical"),
    _row("G36", category="ม้าลาย"),  # unknown category: other
    _row("G37", received="๑/๑๑/๒๕๖๙"),  # Thai digits
    _row("G38", where=("", "เมืองพิษณุโลก", "ในเมือง"), point=("", "")),  # Thai names
    _row("G39", where=("", "", ""), point=YASOTHON),
    _row("G40", received="45962"),  # an Excel day number
]


def _generic_text(rows=GENERIC_ROWS, newline="\n", blank_line_at=5) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(GENERIC_HEADER)
    for i, row in enumerate(rows):
        if i == blank_line_at:
            out.write(newline)  # an empty line: no record
        writer.writerow(row)
    return out.getvalue()


TRAFFY_ROWS = [
    *BULK_ROWS,
    _bulk_row("2026-BBB001", "{ถนน}", "abc", "", "", "", "2026-11-02 01:00:00+00", "finish"),
    _bulk_row("2026-BBB002", "{ถนน}", "16.82472,100.25944", "", "", "", "2026-11-02 01:00:00+00",
              "finish"),  # lat,lon where Traffy writes lon,lat: swapped
    _bulk_row("2026-BBB003", "{ถนน}", IN_NAKHON_THAI, "", "", "", "2026-11-02 01:00:00+07:00",
              "start"),  # placed by its point
    _bulk_row("2026-BBB004", "{}", IN_BANGKOK, "", "", "", "2026-11-02 01:00:00+00", "start"),
    _bulk_row("2026-BBB005", "{ถนน}", "", "ในเมือง", "เมืองยโสธร", "ยโสธร",
              "2026-11-02 01:00:00.25+0700", "forward"),  # no point: the names place it
    _bulk_row("2026-BBB006", "{ถนน}", IN_MUEANG_YST, "ในเมือง", "เมืองยโสธร", "ยโสธร",
              "2026-11-02", "follow", 'พูดว่า "ช่วยด้วย"\n\nสองบรรทัดว่าง'),
    _bulk_row("2026-AAA001", "{ถนน}", IN_MUEANG_PLK, "ในเมือง", "เมืองพิษณุโลก", "พิษณุโลก",
              "2026-11-02 01:00:00+00", "finish"),  # a repeated ticket
    _bulk_row("2026-BBB008", "{ถนน}", "100.25944;16.82472", "", "", "", "2026-11-02 01:00:00+00",
              "irrelevant"),  # not a plain pair: the per-row check reads it
]  # fmt: skip


def _traffy_text() -> str:
    out = io.StringIO()
    out.write(BULK_HEADER + "\n")
    csv.writer(out, lineterminator="\n").writerows(TRAFFY_ROWS)
    return out.getvalue()


def _both_ways(path, monkeypatch):
    """(fast, standard) readings of a file; the fast one must take the fast path."""
    table = open_table(path)
    assert read_plain(table, list(range(len(table.header)))) is not None, "not plain"
    table.rows.close()
    with monkeypatch.context() as m:

        def no_row_loop(*_):
            raise AssertionError("the fast path fell back to the row loop")

        m.setattr(reader._Checker, "run", no_row_loop)
        fast = read_complaints(path, today=TODAY)
    with monkeypatch.context() as m:
        m.setattr(reader, "read_plain", lambda *_: None)
        standard = read_complaints(path, today=TODAY)
    return fast, standard


def _same(fast, standard) -> None:
    assert list(fast.accepted) == list(standard.accepted)
    assert fast.rejects == standard.rejects
    for name in ("rows", "notes", "columns", "format", "profile", "outcomes"):
        assert getattr(fast, name) == getattr(standard, name), name
    assert fast.unknown_categories == standard.unknown_categories
    for table in (fast.accepted, standard.accepted):
        assert table.columns()["place"].min(initial=0) >= 0  # every row placed
    assert fast.accepted.columns()["places"] == standard.accepted.columns()["places"]


@pytest.mark.parametrize(
    ("newline", "encoding"),
    [("\n", "utf-8"), ("\r\n", "utf-8-sig")],
    ids=["lf", "crlf-bom"],
)
def test_a_generic_export_with_every_kind_of_row_reads_alike(
    tmp_path, monkeypatch, newline, encoding
):
    path = tmp_path / "export.csv"
    path.write_bytes(_generic_text(newline=newline).encode(encoding))
    fast, standard = _both_ways(path, monkeypatch)
    _same(fast, standard)
    # hand-checked: G03's comment spans lines 4-6, line 9 is blank: from the 6th row on, the
    # row of index i is on line i + 5
    assert fast.rows == len(GENERIC_ROWS)
    lines = {r.line: r for r in fast.rejects}
    assert lines[7].field == "id" and lines[7].reason == "empty"  # the 4th row, line 7
    assert lines[10].kind == "not a date"  # the 6th row, after the blank line
    by_id = {c.id: c for c in fast.accepted}
    assert by_id["G03"].line == 4 and by_id["G21"].line == 25
    assert by_id["G22"].line == 29 and by_id["G21"].tambon_code == "650201"
    assert {r.line: r.kind for r in fast.rejects}[28] == "duplicate id"
    kinds = fast.reject_counts()
    assert kinds["duplicate id"] == 1 and kinds["place mismatch"] == 2
    assert kinds["outside the three provinces"] == 2 and kinds["bad coordinates"] == 4
    shown = "".join(str(r.raw) for r in fast.rejects)
    assert PHONE not in shown and "0812345678" not in {c.id for c in fast.accepted}


def test_a_traffy_export_with_every_kind_of_row_reads_alike(tmp_path, monkeypatch):
    path = tmp_path / "traffy.csv"
    path.write_text(_traffy_text(), encoding="utf-8")
    fast, standard = _both_ways(path, monkeypatch)
    _same(fast, standard)
    assert fast.profile == "traffy" and fast.outcomes == {"irrelevant": 2}
    # the first row's comment takes lines 2-3, BBB006's lines 16-18: the repeat is on 19
    assert [c.line for c in fast.accepted][:2] == [2, 4]
    assert {r.line: r.kind for r in fast.rejects}[19] == "duplicate id"


def test_a_fast_read_of_many_rows_reads_alike(tmp_path, monkeypatch):
    """Many rows (several blocks of the columnar reader) with every kind in each."""
    rows = [
        [f"{r[0].strip()}-{i}" if r[0].strip() else r[0], *r[1:]]
        for i in range(300)
        for r in GENERIC_ROWS
    ]
    path = tmp_path / "many.csv"
    path.write_text(_generic_text(rows, blank_line_at=-1), encoding="utf-8")
    fast, standard = _both_ways(path, monkeypatch)
    _same(fast, standard)
    assert fast.rows == 300 * len(GENERIC_ROWS)


@pytest.mark.parametrize(
    "text",
    [
        "id,received,district,category,status\nA1,2026-11-01,6501,roads,open\nA2,2026-11-01\n",
        'id,received,district,category,status\nA1,2026-11-01,6501,roa"ds,open\n',
        "id,received,district,category,status\nA1,2026-11-01,6501,roads,open\n,,  ,,\n",
        "id;received;district;category;status\nA1;2026-11-01;6501;roads;open\n",
        "รายงาน\nid,received,district,category,status\nA1,2026-11-01,6501,roads,open\n",
        'id,received,district,category,status\nA1,2026-11-01,6501,"roads\rx",open\n',
    ],
    ids=["short-row", "quote-inside", "blank-record", "semicolon", "title-row", "lone-cr"],
)
def test_anything_unusual_is_read_by_the_standard_reader(tmp_path, monkeypatch, text):
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8", newline="")
    table = open_table(path)
    assert read_plain(table, list(range(len(table.header)))) is None
    table.rows.close()
    with monkeypatch.context() as m:
        m.setattr(reader, "read_plain", lambda *_: None)
        standard = read_complaints(path, today=TODAY)
    got = read_complaints(path, today=TODAY)
    assert [dataclasses.astuple(c) for c in got.accepted] == [
        dataclasses.astuple(c) for c in standard.accepted
    ]
    assert got.rejects == standard.rejects


def test_ids_kept_as_they_are_without_a_look_one_by_one():
    import pyarrow as pa

    from caravan.complaints.privacy import id_looks_personal, plain_ids

    ids = ["2026-AAA001", "R0000000", "12345678", " A1", "0812345678", "AAAA", "M123",
           "Dr1", "a@b1", "12/2569", "ก123", "x" * 40 + "1", "2026-00000A"]  # fmt: skip
    plain = plain_ids(pa.array(ids)).tolist()
    assert [i for i, p in zip(ids, plain, strict=True) if p] == [
        "2026-AAA001",
        "R0000000",
        "12345678",
        "2026-00000A",
    ]
    # never one that the one-by-one check would change
    assert not any(id_looks_personal(i) or i != i.strip() for i in ids if plain[ids.index(i)])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            'id,received,district,category,status\nA1,2026-11-01,6501,"roads\n'
            'A2,2026-11-01,6501,roads,open",open\n',
            ":2: not a readable CSV: a quoted field starting on line 2 holds whole rows "
            '(a stray " in the file?)',
        ),
        (
            'id,received,district,category,status\nA1,2026-11-01,6501,"roads'
            + "\nx" * 200
            + '",open\n',
            ":2: not a readable CSV: a quoted field starting on line 2 runs over 201 lines "
            '(a stray " in the file?)',
        ),
    ],
    ids=["holds-rows", "runs-over"],
)
def test_a_stray_quote_is_the_standard_readers_error(tmp_path, text, error):
    path = tmp_path / "stray.csv"
    path.write_text(text, encoding="utf-8")
    table = open_table(path)
    assert read_plain(table, [0, 1, 2, 3, 4]) is None
    table.rows.close()
    with pytest.raises(InputError) as err:
        read_complaints(path, today=TODAY)
    assert str(err.value) == f"{path}{error}"
