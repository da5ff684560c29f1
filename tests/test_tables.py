"""Terminal tables line up Thai names by the columns a terminal shows: vowels above and below
the line and tone marks (combining characters) take no column (caravan.text.text_table)."""

from __future__ import annotations

import unicodedata

import pytest

from caravan.text import display_width, text_table

from .conftest import run_cli

PLAN = ("plan", "--province", "35", "--time-limit", "2", "--no-map", "--quiet")


def on_screen(line: str) -> str:
    """``line`` as a terminal lays it out, one character per column: without the marks that
    combine with the letter before them (checked independently of caravan.text)."""
    return "".join(ch for ch in line if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def assert_aligned(lines: list[str], left: tuple[str, ...], right: tuple[str, ...] = ()) -> None:
    """On screen, every value of the text columns ``left`` starts where its header starts,
    and every value of the number columns ``right`` ends where its header ends."""
    header = lines[0]
    for line in lines[1:]:
        shown = on_screen(line).ljust(len(header))
        for name in left:
            p = header.index(f" {name}") + 1 if header.find(name) else 0
            assert shown[p - 2 : p].strip() == "" and shown[p] != " ", (line, name)
        for name in right:
            e = header.index(name) + len(name)
            assert shown[e - 1] != " " and shown[e : e + 1].strip() == "", (line, name)


def test_display_width_of_thai():
    assert display_width("เมืองยโสธร") == 9  # sara ue above the line: no column
    assert display_width("คำเขื่อนแก้ว") == 9  # sara ue, mai ek, mai tho
    assert display_width("กุดชุม") == 4  # two sara u below the line
    assert display_width("Kut Chum") == 8


def test_text_table_pads_by_display_width():
    lines = text_table(
        ("code", "name_th", "open"),
        [("3501", "เมืองยโสธร", 5), ("3503", "กุดชุม", 12), ("3504", "คำเขื่อนแก้ว", None)],
    )
    assert lines == [
        "code  name_th    open",
        "3501  เมืองยโสธร     5",
        "3503  กุดชุม         12",
        "3504  คำเขื่อนแก้ว",
    ]
    assert_aligned(lines[:3], left=("name_th",), right=("open",))


def test_padding_by_len_would_not_line_up():
    """The check above fails on a table padded by len() (so it can fail)."""
    names = ("เมืองยโสธร", "กุดชุม")
    width = max(map(len, names))
    lines = ["name_th     name_en", *(f"{n.ljust(width)}  x" for n in names)]
    with pytest.raises(AssertionError):
        assert_aligned(lines, left=("name_en",))
    lines = ["name_th     open", *(f"{n.ljust(width)}  {1:>4}" for n in names)]
    with pytest.raises(AssertionError):
        assert_aligned(lines, left=(), right=("open",))


@pytest.mark.parametrize("level", ["district", "tambon"])
def test_districts_table_lines_up(level):
    res = run_cli("districts", "--province", "35", "--level", level)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split()[:3] == ["code", "name_th", "name_en"]
    assert len(lines) == (1 + 9 if level == "district" else 1 + 79)
    assert_aligned(lines, left=("name_th", "name_en", "site_source"), right=("code", "area_km2"))


def test_history_and_report_tables_line_up(tmp_path):
    db = tmp_path / "h.sqlite"
    res = run_cli(*PLAN, "--week", "2026-W47", "--db", str(db), "--commit", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    show = run_cli("history", "show", "2026-W47", "--db", str(db)).stdout.splitlines()
    table = show[1 : show.index("plans recorded for this week:")]
    assert table[0].split()[4:6] == ["name_en", "name_th"] and len(table) == 6
    assert_aligned(table, left=("date", "name_en", "name_th", "note"), right=("open",))
    report = run_cli("report", "--from", "2026-W47", "--to", "2026-W47", "--db", str(db))
    lines = report.stdout.splitlines()
    district = next(i for i, x in enumerate(lines) if x.startswith("per district")) + 1
    rows = lines[district : district + 10]
    assert rows[0].split()[:4] == ["province", "code", "name_en", "name_th"]
    assert_aligned(rows, left=("name_en", "name_th", "last_visit"), right=("visits",))
