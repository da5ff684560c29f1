"""The outcome file the field team fills in after its visits, and its template.

``outcome_template.csv`` (UTF-8 with BOM, for Excel) is written with every plan: one row per
visit, columns::

    date,unit,stop,code,name_th,name_en,open_complaints,visited,resolved,escalated,
    resolved_ids,note

The team fills in, per visit: ``resolved`` (complaints resolved on the spot) and
``escalated`` (complaints referred on to another agency on the spot), whole numbers; and
optionally ``visited`` (``yes`` or empty; ``no`` when the visit did not take place),
``resolved_ids`` (the ids of the resolved complaints, separated by spaces, commas or
semicolons) and a ``note``. Rows left empty (no visited, resolved, escalated or ids) are
skipped, so a half-filled file can be recorded and recorded again later: a visit's outcome
is replaced by the newest one.

``caravan history outcome FILE`` checks every row against the recorded plans first and
records all rows or none. Dates are read as the complaint reader reads them
(:mod:`caravan.complaints.dates`): ``2026-12-01``, as Excel in a Thai locale writes them
(``1/12/2569``, ``01-12-2026``, ``1/12/69``), with Thai or English month names
(``1 ธ.ค. 69``), or as an Excel day number, with the same one-line error for a bad one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from caravan.complaints.dates import DateError, not_a_date, parse_date
from caravan.errors import InputError
from caravan.history.store import OutcomeRow, VisitRecord

REQUIRED = ("date", "unit", "code", "resolved", "escalated")
YES = {"yes", "y", "1", "true", "ใช่", "ไป"}
NO = {"no", "n", "0", "false", "ไม่", "ไม่ใช่", "ไม่ได้ไป"}


def _count(text: str) -> int | None:
    text = text.strip()
    if text == "":
        return 0
    return int(text) if text.isdigit() else None


def read_outcomes(
    path: str | Path,
    *,
    visits: Sequence[VisitRecord],
    today: dt.date,
) -> tuple[list[OutcomeRow], int]:
    """Read and check an outcome file against the active ``visits``.

    Returns (the rows to record, the number of rows left empty). Raises :class:`InputError`
    naming the file, line and field of the first bad row.
    """
    from caravan.complaints import _read_text

    path = Path(path)
    src = str(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file (no header line)", source=src, line=1) from None
    names = [h.strip().lower() for h in header]
    for col in REQUIRED:
        if col not in names:
            raise InputError(f"missing column '{col}'", source=src, line=1)
    by_key: Mapping[tuple[str, str, str], VisitRecord] = {v.key: v for v in visits}
    by_code: dict[str, list[VisitRecord]] = {}
    for v in visits:
        by_code.setdefault(v.code, []).append(v)
    seen: dict[tuple[str, str, str], int] = {}
    out: list[OutcomeRow] = []
    empty = 0
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            row = {k: (v or "").strip() for k, v in zip(names, record, strict=False)}

            def bad(field: str, reason: str, line=line) -> InputError:
                return InputError(reason, source=src, line=line, field=field)

            ids = tuple(x for x in re.split(r"[\s,;]+", row.get("resolved_ids", "")) if x)
            if not (row.get("visited") or row.get("resolved") or row.get("escalated") or ids):
                empty += 1
                continue
            for col in ("date", "unit", "code"):
                if not row.get(col):
                    raise bad(col, "empty")
            try:
                day, _ = parse_date(row["date"])
            except DateError as exc:
                raise bad("date", not_a_date(row["date"], exc)) from None
            if day > today:
                raise bad(
                    "date",
                    f"{day.isoformat()} has not come yet (today is {today.isoformat()})",
                )
            visited_text = row.get("visited", "").lower()
            if visited_text and visited_text not in YES | NO:
                raise bad("visited", f"not yes or no: '{row['visited']}'")
            visited = visited_text not in NO
            resolved = _count(row["resolved"])
            if resolved is None:
                raise bad("resolved", f"not a whole number >= 0: '{row['resolved']}'")
            escalated = _count(row["escalated"])
            if escalated is None:
                raise bad("escalated", f"not a whole number >= 0: '{row['escalated']}'")
            if ids and not row["resolved"]:
                resolved = len(ids)
            if len(set(ids)) > resolved:
                raise bad(
                    "resolved_ids",
                    f"lists {len(set(ids))} complaint id(s) but resolved is {resolved}",
                )
            if not visited and (resolved or escalated):
                raise bad(
                    "visited",
                    "a visit that did not take place cannot resolve or escalate complaints",
                )
            code = row["code"].removeprefix("'")
            unit = row["unit"].removeprefix("'")
            key = (day.isoformat(), unit, code)
            if key in seen:
                raise bad("code", f"the same visit as line {seen[key]}")
            seen[key] = line
            if key not in by_key:
                raise bad("code", _not_a_visit(day, unit, code, by_code.get(code, [])))
            out.append(
                OutcomeRow(
                    line=line,
                    date=day,
                    unit=unit,
                    code=code,
                    visited=visited,
                    resolved=resolved,
                    escalated=escalated,
                    resolved_ids=tuple(dict.fromkeys(ids)),
                    note=row.get("note", ""),
                )
            )
    except csv.Error as exc:
        raise InputError(f"not a readable CSV: {exc}", source=src, line=reader.line_num) from None
    return out, empty


def _not_a_visit(day: dt.date, unit: str, code: str, same_site: list[VisitRecord]) -> str:
    on_day = [v for v in same_site if v.date == day]
    if on_day:
        return f"{code} was visited on {day.isoformat()} by unit {on_day[0].unit}, not by {unit}"
    near = [v for v in same_site if abs((v.date - day).days) <= 6]
    if near:
        v = min(near, key=lambda v: abs((v.date - day).days))
        return f"{code} was visited by unit {v.unit} on {v.date.isoformat()}, not {day.isoformat()}"
    return (
        f"no recorded plan visits {code} on {day.isoformat()} (record the plan first: "
        "caravan history record PLAN.json)"
    )
