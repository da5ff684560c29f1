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
records all rows or none (:class:`OutcomeChecker` holds the checks, which the web page's
outcome form shares). A note must not hold personal data (a phone or ID number, a name with
a title, an address). Dates are read as the complaint reader reads them
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
from caravan.complaints.privacy import personal_data_kind, screen_id
from caravan.complaints.source import read_text
from caravan.errors import InputError
from caravan.history.store import OutcomeRow, VisitRecord
from caravan.text import THAI_DIGITS

REQUIRED = ("date", "unit", "code", "resolved", "escalated")
YES = {"yes", "y", "1", "true", "ใช่", "ไป"}
NO = {"no", "n", "0", "false", "ไม่", "ไม่ใช่", "ไม่ได้ไป"}


#: more complaints than this resolved or escalated at one visit is a typo, not a count
MAX_COUNT = 10_000


def _count(text: str) -> int | None:
    """A whole number from 0 to :data:`MAX_COUNT` (Thai digits too), 0 when empty, else None."""
    text = text.strip().translate(THAI_DIGITS)
    if text == "":
        return 0
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        return None
    value = int(text)
    return value if value <= MAX_COUNT else None


def _shown(value: str) -> str:
    """A count as typed, quoted when short, else its length (it may be anything)."""
    return f"'{value}'" if len(value) <= 12 else f"a text of {len(value)} characters"


class OutcomeChecker:
    """The checks of one outcome, whoever gives it: a row of an outcome file
    (:func:`read_outcomes`, ``caravan history outcome``) or the web page's outcome form.

    ``check(values, line)`` takes the row's cells by column name (``date``, ``unit``,
    ``code``, ``visited``, ``resolved``, ``escalated``, ``resolved_ids``, ``note``, as text)
    and returns the :class:`OutcomeRow` to record, or None for a row left empty; a bad value
    raises :class:`InputError` naming ``source``, the line and the field. A note that looks
    like personal data (a phone or ID number, a name with a title, an address, an e-mail
    address: :func:`caravan.complaints.privacy.personal_data_kind`) is refused: the history
    is read by everyone who plans.
    """

    def __init__(self, *, visits: Sequence[VisitRecord], today: dt.date, source: str) -> None:
        self.today = today
        self.source = source
        self.by_key: Mapping[tuple[str, str, str], VisitRecord] = {v.key: v for v in visits}
        self.by_code: dict[str, list[VisitRecord]] = {}
        for v in visits:
            self.by_code.setdefault(v.code, []).append(v)
        self.seen: dict[tuple[str, str, str], int] = {}

    def check(self, values: Mapping[str, str], line: int) -> OutcomeRow | None:
        row = {k: (v or "").strip() for k, v in values.items()}

        def bad(field: str, reason: str) -> InputError:
            return InputError(reason, source=self.source, line=line, field=field)

        # an id that is personal data is kept as its pseudonym, as the complaint reader does
        ids = tuple(screen_id(x) for x in re.split(r"[\s,;]+", row.get("resolved_ids", "")) if x)
        if not (row.get("visited") or row.get("resolved") or row.get("escalated") or ids):
            return None
        for col in ("date", "unit", "code"):
            if not row.get(col):
                raise bad(col, "empty")
        try:
            day, _ = parse_date(row["date"])
        except DateError as exc:
            raise bad("date", not_a_date(row["date"], exc)) from None
        if day > self.today:
            raise bad(
                "date", f"{day.isoformat()} has not come yet (today is {self.today.isoformat()})"
            )
        visited_text = row.get("visited", "").lower()
        if visited_text and visited_text not in YES | NO:
            raise bad("visited", f"not yes or no: '{row['visited']}'")
        visited = visited_text not in NO
        counts = {}
        for col in ("resolved", "escalated"):
            counts[col] = _count(row.get(col, ""))
            if counts[col] is None:
                raise bad(col, f"not a whole number from 0 to {MAX_COUNT:,}: {_shown(row[col])}")
        resolved = len(ids) if ids and not row.get("resolved") else counts["resolved"]
        if len(set(ids)) > resolved:
            raise bad(
                "resolved_ids", f"lists {len(set(ids))} complaint id(s) but resolved is {resolved}"
            )
        if not visited and (resolved or counts["escalated"]):
            raise bad(
                "visited", "a visit that did not take place cannot resolve or escalate complaints"
            )
        kind = personal_data_kind(row.get("note", ""))
        if kind:
            raise bad(
                "note",
                f"looks like personal data ({kind}): write notes without names, phone or ID "
                "numbers and addresses",
            )
        code = row["code"].removeprefix("'")
        unit = row["unit"].removeprefix("'")
        key = (day.isoformat(), unit, code)
        if key in self.seen:
            raise bad("code", f"the same visit as line {self.seen[key]}")
        self.seen[key] = line
        if key not in self.by_key:
            raise bad("code", _not_a_visit(day, unit, code, self.by_code.get(code, [])))
        return OutcomeRow(
            line=line,
            date=day,
            unit=unit,
            code=code,
            visited=visited,
            resolved=resolved,
            escalated=counts["escalated"],
            resolved_ids=tuple(dict.fromkeys(ids)),
            note=row.get("note", ""),
        )


def read_outcomes(
    path: str | Path,
    *,
    visits: Sequence[VisitRecord],
    today: dt.date,
) -> tuple[list[OutcomeRow], int]:
    """Read and check an outcome file against the active ``visits``.

    Returns (the rows to record, the number of rows left empty). Raises :class:`InputError`
    naming the file, line and field of the first bad row (:class:`OutcomeChecker`).
    """
    path = Path(path)
    src = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file (no header line)", source=src, line=1) from None
    names = [h.strip().lower() for h in header]
    for col in REQUIRED:
        if col not in names:
            raise InputError(f"missing column '{col}'", source=src, line=1)
    checker = OutcomeChecker(visits=visits, today=today, source=src)
    out: list[OutcomeRow] = []
    empty = 0
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            row = checker.check(dict(zip(names, record, strict=False)), reader.line_num)
            if row is None:
                empty += 1
            else:
                out.append(row)
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
