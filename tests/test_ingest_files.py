"""Complaint files as they come out of real systems: encodings, Excel, Thai headers, title
rows, column mapping, statuses, duplicates. Every fixture is made here (no real person)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from caravan.complaints import parse_column_options, read_columns_file, read_complaints
from caravan.errors import InputError, ParameterError

TODAY = dt.date(2026, 11, 27)
TH_HEADER = "เลขที่เรื่อง,วันที่รับเรื่อง,ชื่อ-นามสกุล,จังหวัด,อำเภอ,ตำบล,ประเภทเรื่อง,สถานะ,ความเร่งด่วน"
TH_ROWS = [
    "T1,9/11/2569,นายสมชาย ใจดี,ยโสธร,อ.เมืองยโสธร,ต.ในเมือง,ผู้สูงอายุ,รอดำเนินการ,ด่วน",
    "T2,10 พฤศจิกายน 2563,นางสาวมาลี ศรีสุข,,ทรายมูล,,ถนน,กำลังดำเนินการ,",
    "T3,๑ ต.ค. ๖๙,ด.ช.ก้อง มีสุข,พิษณุโลก,,ในเมือง,ความรุนแรงในครอบครัว,เสร็จสิ้น,ด่วนมาก",
]


def summary(res):
    return [
        (c.id, c.received.isoformat(), c.district_code, c.tambon_code, c.category, c.status,
         c.urgency)
        for c in res.accepted
    ]  # fmt: skip


EXPECTED = [
    ("T1", "2026-11-09", "3501", "350101", "elderly", "open", "high"),
    ("T2", "2020-11-10", "3502", "", "roads", "in_progress", "normal"),
    ("T3", "2026-10-01", "6501", "650101", "domestic_violence", "resolved", "critical"),
]


@pytest.mark.parametrize(
    ("encoding", "prefix", "label"),
    [
        ("utf-8", b"", "UTF-8"),
        ("utf-8", b"\xef\xbb\xbf", "UTF-8 with BOM"),
        ("cp874", b"", "TIS-620 (cp874)"),
    ],
)
def test_thai_headers_in_each_encoding(tmp_path, encoding, prefix, label):
    f = tmp_path / "export.csv"
    f.write_bytes(prefix + "\r\n".join([TH_HEADER, *TH_ROWS]).encode(encoding))
    res = read_complaints(f, today=TODAY)
    assert summary(res) == EXPECTED
    assert res.format == f"{label}, comma-separated, header on line 1"
    assert res.columns == (
        ("id", "เลขที่เรื่อง"),
        ("received", "วันที่รับเรื่อง"),
        ("province", "จังหวัด"),
        ("district", "อำเภอ"),
        ("tambon", "ตำบล"),
        ("category", "ประเภทเรื่อง"),
        ("status", "สถานะ"),
        ("urgency", "ความเร่งด่วน"),
    )


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path):
    f = tmp_path / "export.txt"
    text = "\r\n".join(line.replace(",", "\t") for line in [TH_HEADER, *TH_ROWS])
    f.write_bytes(text.encode("utf-16"))
    res = read_complaints(f, today=TODAY)
    assert summary(res) == EXPECTED
    assert res.format == "UTF-16, tab-separated, header on line 1"


def test_encoding_override(tmp_path):
    f = tmp_path / "export.csv"
    f.write_bytes("\n".join([TH_HEADER, *TH_ROWS]).encode("cp874"))
    assert summary(read_complaints(f, today=TODAY, encoding="tis-620")) == EXPECTED
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY, encoding="utf-8")
    assert str(err.value) == f"{f}:1: not UTF-8 text (name the encoding with --encoding)"
    with pytest.raises(ParameterError) as perr:
        read_complaints(f, today=TODAY, encoding="klingon")
    assert str(perr.value) == (
        "--encoding: unknown encoding 'klingon' (for example utf-8, cp874, tis-620)"
    )


def test_tis620_after_a_long_ascii_start_is_still_detected(tmp_path):
    """The encoding is guessed from the first MiB; a Thai byte later makes caravan read the
    file again as TIS-620 rather than fail."""
    head = "id,received,district_code,category,status\n"
    ascii_rows = "".join(f"A{i},2026-11-01,3501,roads,open\n" for i in range(40_000))
    f = tmp_path / "late.csv"
    f.write_bytes((head + ascii_rows + "Z1,2026-11-01,3502,ถนน,เสร็จสิ้น\n").encode("cp874"))
    assert f.stat().st_size > 1 << 20
    res = read_complaints(f, today=TODAY)
    assert res.rows == 40_001 and not res.rejects
    assert res.format.startswith("TIS-620 (cp874)")
    assert res.accepted[-1].category == "roads" and res.accepted[-1].status == "resolved"


def test_title_rows_and_semicolons(tmp_path):
    f = tmp_path / "report.csv"
    f.write_text(
        "รายงานเรื่องร้องเรียน ประจำเดือนพฤศจิกายน 2569\n"
        "\n"
        + TH_HEADER.replace(",", ";")
        + "\n"
        + "\n".join(r.replace(",", ";") for r in TH_ROWS)
        + "\n",
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert summary(res) == EXPECTED
    assert [c.line for c in res.accepted] == [4, 5, 6]
    assert res.format == "UTF-8, semicolon-separated, header on line 3"
    assert res.notes == (
        "header found on line 3; the lines above it were skipped",
        "two-digit years were read as Buddhist era years (25xx)",
    )


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "สรุป"
    ws.append(["รายงานเรื่องร้องเรียน"])  # a title row
    ws.append(["เลขที่เรื่อง", "วันที่รับเรื่อง", "รหัสตำบล", "ประเภทเรื่อง", "สถานะ", "เบอร์โทร"])
    ws.append([1001, dt.datetime(2026, 11, 9, 14, 30), 350101, "water", "open", "0812345678"])
    ws.append([])  # an empty row keeps the numbering of the sheet
    ws.append([1002, "9 พ.ย. 69", 370504.0, "ที่ดิน", "ปิดเรื่อง", "0899999999"])
    ws.append([1003, dt.date(2031, 1, 1), 650101, "land", "open", ""])
    other = wb.create_sheet("ปี 2568")
    other.append(["id", "received", "district_code", "category", "status"])
    other.append(["X1", "2025-06-01", "6502", "health", "done"])
    f = tmp_path / "export.xlsx"
    wb.save(f)
    res = read_complaints(f, today=TODAY)
    assert [(c.id, c.received.isoformat(), c.tambon_code, c.category, c.status, c.line)
            for c in res.accepted] == [
        ("1001", "2026-11-09", "350101", "water", "open", 3),
        ("1002", "2026-11-09", "370504", "land", "resolved", 5),
    ]  # fmt: skip
    assert [r.message() for r in res.rejects] == [
        f"{f}:6: field 'วันที่รับเรื่อง': in the future: 2031-01-01"
    ]
    assert res.format == "Excel sheet 'สรุป', header on line 2"
    other_sheet = read_complaints(f, today=TODAY, sheet="ปี 2568")
    assert [(c.id, c.district_code, c.status) for c in other_sheet.accepted] == [
        ("X1", "6502", "resolved")
    ]
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY, sheet="2567")
    assert str(err.value) == f"{f}: field '--sheet': no sheet '2567' (sheets: สรุป, ปี 2568)"
    # an .xlsx saved under a .csv name is still read as a workbook
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(f.read_bytes())
    assert len(read_complaints(renamed, today=TODAY).accepted) == 2


def test_header_only_file_has_no_rows(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text(TH_HEADER + "\n", encoding="utf-8")
    res = read_complaints(f, today=TODAY)
    assert (res.rows, len(res.accepted), len(res.rejects)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "{f}: not a text CSV file (binary content)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "{f}: not a text CSV file (binary content)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "{f}: an old Excel .xls (or other Office) file: save it as .xlsx or CSV",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "{f}: not an Excel .xlsx workbook (a damaged or other zip file)",
        ),
        (b"\n\n  \n", "{f}:1: empty file (no header line)"),
    ],
)
def test_files_that_are_not_complaint_tables(tmp_path, content, message):
    f = tmp_path / "export.csv"
    f.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == message.format(f=f)


CUSTOM = "\n".join(
    [
        "เลขอ้างอิง,วันที่แจ้งเหตุ,พื้นที่,หมวดปัญหา,ผลการติดตาม,ชื่อผู้แจ้ง",
        "K1,2026-11-01,350101,water,open,นายสมชาย ใจดี",
        "",
    ]
)


def test_column_mapping_by_option_and_toml(tmp_path):
    f = tmp_path / "custom.csv"
    f.write_text(CUSTOM, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == (
        f"{f}:1: missing column 'id' (a header such as id, เลขที่เรื่อง, or --column id=HEADER)"
    )
    options = parse_column_options(
        ["id=เลขอ้างอิง", "received=วันที่แจ้งเหตุ", "tambon_code=พื้นที่", "category=หมวดปัญหา",
         "status=ผลการติดตาม"]
    )  # fmt: skip
    res = read_complaints(f, today=TODAY, columns=options)
    assert [(c.id, c.tambon_code) for c in res.accepted] == [("K1", "350101")]
    toml = tmp_path / "columns.toml"
    toml.write_text(
        '[columns]\nid = "เลขอ้างอิง"\nreceived = ["วันที่รับ", "วันที่แจ้งเหตุ"]\ntambon = "พื้นที่"\n'
        'category = "หมวดปัญหา"\nstatus = "ผลการติดตาม"\n',
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY, columns=read_columns_file(toml))
    assert [(c.id, c.tambon_code) for c in res.accepted] == [("K1", "350101")]
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY, columns={"id": "เลขที่"})
    assert str(err.value) == (
        f"{f}:1: no column id=เลขที่ (the header has 'เลขอ้างอิง', 'วันที่แจ้งเหตุ', 'พื้นที่', "
        "'หมวดปัญหา', 'ผลการติดตาม', 'ชื่อผู้แจ้ง')"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("id=ชื่อผู้แจ้ง", "--column: column 'ชื่อผู้แจ้ง' holds personal data; caravan never "
         "reads it (not even as id)"),
        ("category=รายละเอียด", "--column: column 'รายละเอียด' holds personal data; caravan "
         "never reads it (not even as category)"),
        ("name=ชื่อ", "--column: unknown field 'name' (fields: id, received, province, "
         "district, tambon, lat, lon, coordinates, category, status, urgency)"),
        ("id", "--column: 'id' is not FIELD=HEADER (for example id=เลขที่เรื่อง)"),
    ],
)  # fmt: skip
def test_column_options_that_are_refused(option, message):
    with pytest.raises(ParameterError) as err:
        parse_column_options([option])
    assert str(err.value) == message


def test_columns_toml_errors(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('[columns]\nphone = "เบอร์"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_columns_file(toml)
    assert str(err.value) == (
        f"{toml}: field 'phone': unknown field (fields: id, received, province, district, "
        "tambon, lat, lon, coordinates, category, status, urgency)"
    )
    toml.write_text('id = "เลขประจำตัวประชาชน"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_columns_file(toml)
    assert str(err.value) == (
        f"{toml}: field 'id': column 'เลขประจำตัวประชาชน' holds personal data; caravan never "
        "reads it (not even as id)"
    )


def test_statuses_and_urgencies_in_thai_and_english(tmp_path):
    statuses = {
        "รอรับเรื่อง": "open", "ส่งต่อ(ใหม่)": "open", "New": "open", "pending": "open",
        "กำลังดำเนินการ": "in_progress", "อยู่ระหว่างดำเนินการ": "in_progress",
        "ของบประมาณ": "in_progress", "In Progress": "in_progress", "IN_PROGRESS": "in_progress",
        "เสร็จสิ้น": "resolved", "ยุติเรื่อง": "resolved", "Closed": "resolved",
        "ยกเลิก": "resolved",
    }  # fmt: skip
    urgencies = ["ต่ำ", "ปกติ", "", "ด่วน", "ด่วนมาก", "Critical", "urgent", "ด่วนที่สุด"]
    lines = ["id,received,district_code,category,status,urgency"]
    for i, s in enumerate(statuses):
        lines.append(f"S{i},2026-11-01,3501,roads,{s},{urgencies[i % len(urgencies)]}")
    f = tmp_path / "s.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = read_complaints(f, today=TODAY)
    assert [c.status for c in res.accepted] == list(statuses.values())
    expected_urgency = ["low", "normal", "normal", "high", "critical", "critical", "high",
                        "critical"]  # fmt: skip
    assert [c.urgency for c in res.accepted] == [
        expected_urgency[i % len(urgencies)] for i in range(len(statuses))
    ]


def test_repeated_ids_first_usable_row_wins(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text(
        "id,received,district_code,tambon_code,lat,lon,category,status\n"
        "D1,2026-11-01,3501,,,,roads,open\n"  # 2: wins
        "D1,2026-11-02,3502,,,,water,open\n"  # 3: duplicate of line 2
        "D2,2026-13-01,3501,,,,roads,open\n"  # 4: not a date: does not claim D2
        "D2,2026-11-03,3503,,,,roads,open\n"  # 5: wins
        "D3,2026-11-01,,,13.75,100.5,roads,open\n"  # 6: a point in Bangkok
        "D3,2026-11-04,,350101,,,roads,open\n"  # 7: wins
        "D3,2026-11-05,,,15.794667,104.140617,roads,open\n"  # 8: duplicate of line 7
        "D1,2026-11-06,,350101,,,roads,open\n",  # 9: duplicate of line 2
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert [(c.id, c.line) for c in res.accepted] == [("D1", 2), ("D2", 5), ("D3", 7)]
    assert [r.message() for r in res.rejects] == [
        f"{f}:3: field 'id': duplicate id, first seen on line 2",
        f"{f}:4: field 'received': not a date: '2026-13-01' (month 13 does not exist; dates "
        "are read day/month/year)",
        f"{f}:6: field 'lat': point near 13.75,100.50 (lat,lon) is outside the three provinces",
        f"{f}:8: field 'id': duplicate id, first seen on line 7",
        f"{f}:9: field 'id': duplicate id, first seen on line 2",
    ]
    assert res.rows == len(res.accepted) + len(res.rejects) == 8


def test_coordinates_in_one_column_and_swapped_columns(tmp_path):
    f = tmp_path / "pts.csv"
    f.write_text(
        "เลขที่เรื่อง,วันที่รับเรื่อง,พิกัด,ประเภทเรื่อง,สถานะ\n"
        'P1,2026-11-01,"15.794667, 104.140617",roads,open\n'
        'P2,2026-11-01,"104.140617,15.794667",roads,open\n'  # lon first: the values tell
        "P3,2026-11-01,15.79,roads,open\n",
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert [(c.id, c.tambon_code) for c in res.accepted] == [("P1", "350101"), ("P2", "350101")]
    assert [r.message() for r in res.rejects] == [
        f"{f}:4: field 'พิกัด': not two numbers (lat, lon): '15.79'"
    ]
    g = tmp_path / "swapped.csv"
    g.write_text(
        "id,received,lat,lon,category,status\nQ1,2026-11-01,104.14,15.79,roads,open\n",
        encoding="utf-8",
    )
    assert [r.message() for r in read_complaints(g, today=TODAY).rejects] == [
        f"{g}:2: field 'lat': lat and lon look swapped: lat 104.14, lon 15.79 (in Thailand a "
        "latitude is 5-21 and a longitude 97-106)"
    ]


def test_rows_outside_the_provinces_in_every_form(tmp_path):
    f = tmp_path / "out.csv"
    f.write_text(
        "id,received,province,district,tambon,lat,lon,category,status\n"
        "O1,2026-11-01,,1001,,,,roads,open\n"
        "O2,2026-11-01,,,TH500101,,,roads,open\n"
        "O3,2026-11-01,,เขตบางรัก,,,,roads,open\n"
        "O4,2026-11-01,กรุงเทพมหานคร,,,,,roads,open\n"
        "O5,2026-11-01,,,,18.79,98.98,roads,open\n"
        "O6,2026-11-01,พิษณุโลก,,,15.794667,104.140617,roads,open\n",
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert not res.accepted
    assert [(r.line, r.field, r.kind, r.reason) for r in res.rejects] == [
        (2, "district", "outside the three provinces",
         "outside the three provinces: district code '1001' is in Bangkok"),
        (3, "tambon", "outside the three provinces",
         "outside the three provinces: tambon code '500101' is in Chiang Mai"),
        (4, "district", "outside the three provinces",
         "outside the three provinces: district 'เขตบางรัก' is in Bangkok"),
        (5, "province", "outside the three provinces",
         "outside the three provinces: province 'กรุงเทพมหานคร'"),
        (6, "lat", "outside the three provinces",
         "point near 18.79,98.98 (lat,lon) is outside the three provinces"),
        (7, "province", "place mismatch",
         "point near 15.79,104.14 (lat,lon) is in province 35, not 'พิษณุโลก'"),
    ]  # fmt: skip


def test_a_stray_quote_is_an_error_not_lost_rows(tmp_path):
    f = tmp_path / "quote.csv"
    f.write_text(
        "id,received,district_code,category,status\n"
        'A1,2026-11-01,3501,"roads,open\n'
        "A2,2026-11-01,3501,roads,open\n"
        "A3,2026-11-01,3501,roads,open\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == (
        f"{f}:2: not a readable CSV: a quoted field starting on line 2 holds whole rows (a "
        'stray " in the file?)'
    )


def test_long_and_multiline_free_text_is_fine(tmp_path):
    f = tmp_path / "text.csv"
    long_text = "ข้อความยาว " * 30_000  # 330,000 characters, over csv's default limit
    f.write_text(
        "id,received,district_code,category,status,รายละเอียด\n"
        f'L1,2026-11-01,3501,roads,open,"{long_text}"\n'
        'L2,2026-11-01,3501,roads,open,"บรรทัดแรก, มีจุลภาค\nบรรทัดที่สอง"\n'
        "L3,2026-11-01,3599,roads,open,\n",
        encoding="utf-8",
    )
    res = read_complaints(f, today=TODAY)
    assert [c.id for c in res.accepted] == ["L1", "L2"]
    assert [r.line for r in res.rejects] == [5]


def _workbook(path, rows, title="complaints"):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _patch_xml(path, member, old_pattern, new):
    """Rewrite one XML member of a workbook (a regular expression substitution)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = parts[member].decode("utf-8")
    patched = re.sub(old_pattern, new, text)
    assert patched != text, f"{old_pattern} not in {member}"
    parts[member] = patched.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _xlsx_rows(n):
    rows = [["id", "received", "tambon_code", "category", "status"]]
    rows += [[f"X{i}", "2026-11-01", 350101, "roads", "open"] for i in range(n)]
    return rows


@pytest.mark.parametrize("dimension", ["A1:E10", "A1:B300", "A1"])
def test_xlsx_with_a_stale_or_narrow_dimension_loses_no_row(tmp_path, dimension):
    """Many programs leave the sheet's <dimension> wrong; the reader trusts the cells."""
    f = _workbook(tmp_path / "stale.xlsx", _xlsx_rows(299))
    _patch_xml(
        f, "xl/worksheets/sheet1.xml", r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'
    )
    res = read_complaints(f, today=TODAY)
    assert (res.rows, len(res.accepted), len(res.rejects)) == (299, 299, 0)
    assert res.accepted[-1].id == "X298" and res.accepted[-1].line == 300


def test_xlsx_and_csv_of_the_same_rows_read_the_same(tmp_path):
    """Dates, numbers and text read from cells as the CSV of the same rows reads them."""
    from caravan.complaints.sample import generate, to_csv

    text = to_csv(generate(seed=3, count=400, as_of=TODAY))
    rows = list(csv.reader(io.StringIO(text)))
    rows[5][1] = "31/02/2569"  # a rejected date, as text in both
    csv_file = tmp_path / "same.csv"
    csv_file.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    cells = [rows[0]] + [
        [dt.date.fromisoformat(c) if j == 1 and c[:4].isdigit() else c for j, c in enumerate(r)]
        for r in rows[1:]
    ]
    for r in cells[1:]:
        r[4] = float(r[4]) if r[4] else None  # tambon codes as numbers: 350101.0 -> 350101
    xlsx = _workbook(tmp_path / "same.xlsx", cells)
    a, b = read_complaints(csv_file, today=TODAY), read_complaints(xlsx, today=TODAY)
    assert a.rows == b.rows == 400
    assert list(a.accepted.records()) == list(b.accepted.records())
    assert [(r.line, r.field, r.reason) for r in a.rejects] == [
        (r.line, r.field, r.reason) for r in b.rejects
    ]
    assert a.rejects


def test_a_workbook_without_sheets_and_a_damaged_sheet_are_one_line_errors(tmp_path):
    f = _workbook(tmp_path / "nosheet.xlsx", _xlsx_rows(3))
    _patch_xml(f, "xl/workbook.xml", r"<sheets>.*</sheets>", "<sheets/>")
    with pytest.raises(InputError) as err:
        read_complaints(f, today=TODAY)
    assert str(err.value) == f"{f}: the workbook has no sheet"
    g = _workbook(tmp_path / "damaged.xlsx", _xlsx_rows(3))
    _patch_xml(g, "xl/worksheets/sheet1.xml", r"</sheetData>.*", "<row r=")
    with pytest.raises(InputError) as err:
        read_complaints(g, today=TODAY)
    assert str(err.value) == f"{g}: cannot read the sheet 'complaints' (damaged: XmlError)"
