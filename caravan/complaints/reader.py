"""Check every row of a complaint file: each one is accepted or rejected with a reason.

A row is checked field by field, and the first problem found is its reason: a missing id,
date, category or status; a date that is not a date, in the future (Asia/Bangkok) or before
2000; a category that looks like free text or personal data; an unknown status or urgency;
a place that is unknown, ambiguous, inconsistent or outside the three provinces; bad
coordinates. Then repeated ids: **the first usable row with an id wins**, and every later
usable row with the same id is rejected as a duplicate naming the line of the winner (a row
rejected for another reason does not claim its id).

Speed: every distinct date, place, status, urgency and category is worked out once and
cached; coordinates are placed all together with one spatial-index query at the end.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from caravan import clock
from caravan.complaints.categories import CATEGORY_LABELS
from caravan.complaints.columns import FIELD_ALIASES, FIELDS, ColumnMap
from caravan.complaints.dates import DateError, date_of_cell, not_a_date, parse_date
from caravan.complaints.places import (
    BAD_COORDINATES,
    MISMATCH,
    NO_LOCATION,
    OUTSIDE,
    Bad,
    Placer,
)
from caravan.complaints.privacy import (
    looks_personal,
    shown,
    shown_coordinate,
    shown_raw,
)
from caravan.complaints.source import Progress, Table, WrongGuess, open_table
from caravan.complaints.table import URGENCIES, ComplaintTable
from caravan.complaints.values import category_of, status_of, urgency_of
from caravan.errors import InputError
from caravan.geo.geography import Geography, load_geography
from caravan.text import clean
from caravan.types import STATUSES, Complaint, Reject

EARLIEST = dt.date(2000, 1, 1)

# reject kinds: the counts per reason group by these
MISSING = "missing"
NOT_A_DATE = "not a date"
FUTURE = "in the future"
TOO_OLD = "before 2000"
BAD_CATEGORY = "not a category"
BAD_STATUS = "unknown status"
BAD_URGENCY = "unknown urgency"
DUPLICATE = "duplicate id"

# Thailand lies within these; a latitude is never a longitude there and vice versa
_TH_LAT = (5.0, 21.0)
_TH_LON = (97.0, 106.0)


@dataclass(frozen=True)
class ComplaintFile:
    """The result of reading a file: rows read = accepted + rejected, always."""

    source: str
    rows: int
    #: a ComplaintTable when read from a file; any sequence of Complaint works
    accepted: Sequence[Complaint]
    rejects: tuple[Reject, ...]
    notes: tuple[str, ...] = field(default=())
    #: (field, header in the file) of every column read, in the file's order
    columns: tuple[tuple[str, str], ...] = field(default=())
    #: how the file was read, e.g. "UTF-8, comma-separated, header on line 1"
    format: str = ""

    def reject_counts(self) -> Counter[str]:
        """Rejected rows per kind of reason (``outside the three provinces``, ...)."""
        return Counter(r.kind or r.reason.split(":")[0] for r in self.rejects)


@dataclass(slots=True)
class _Pending:
    """A row placed by its coordinates, waiting for the bulk point-in-polygon query."""

    position: int  # in the columns
    line: int
    provinces: tuple[str, ...] | None
    cells: Sequence[Any]


class _Checker:
    def __init__(
        self, *, source: str, today: dt.date, geography: Geography, columns: ColumnMap
    ) -> None:
        self.source = source
        self.today = today
        self.placer = Placer(geography)
        self.columns = columns
        self.recognised = columns.recognised()
        self.notes: dict[str, None] = {}
        self._categories: dict[str, int] = {}  # category -> index in the table
        self._places: dict[tuple[str, str, str], int] = {}  # place -> index in the table

    # ------------------------------------------------------------ per distinct value
    def _date(self, value: Any) -> int | Bad:
        if isinstance(value, str) and not value.strip():
            return Bad(f"{MISSING} received", "received", "empty")
        if isinstance(value, dt.date):
            day, note = date_of_cell(value), ""
        else:
            try:
                day, note = parse_date(value)
            except DateError as exc:
                return Bad(NOT_A_DATE, "received", not_a_date(value, exc))
        if day > self.today:
            return Bad(FUTURE, "received", f"in the future: {day.isoformat()}")
        if day < EARLIEST:
            extra = f" ({note})" if note else ""
            return Bad(TOO_OLD, "received", f"before 2000: {day.isoformat()}{extra}")
        if note.startswith("two-digit"):
            self.notes["two-digit years were read as Buddhist era years (25xx)"] = None
        elif note:
            self.notes["5-digit numbers in the date column were read as Excel day numbers"] = None
        return day.toordinal()

    def _category(self, value: str) -> int | Bad:
        if not value.strip():
            return Bad(f"{MISSING} category", "category", "empty")
        code = category_of(value)
        if code not in CATEGORY_LABELS and looks_personal(code):
            return Bad(
                BAD_CATEGORY,
                "category",
                "not a category: long text or personal data (hidden); map the category "
                "column with --column category=HEADER",
            )
        return self._categories.setdefault(code, len(self._categories))

    def _status(self, value: str) -> int | Bad:
        if not value.strip():
            return Bad(f"{MISSING} status", "status", "empty")
        status = status_of(value)
        if status is None:
            return Bad(
                BAD_STATUS,
                "status",
                f"unknown status {shown(value)} (expected {', '.join(STATUSES)} "
                "or a Thai status such as รอดำเนินการ, กำลังดำเนินการ, เสร็จสิ้น)",
            )
        return STATUSES.index(status)  # type: ignore[arg-type]

    def _urgency(self, value: str) -> int | Bad:
        urgency = urgency_of(value)
        if urgency is None:
            return Bad(
                BAD_URGENCY,
                "urgency",
                f"unknown urgency {shown(value)} (expected {', '.join(URGENCIES)} "
                "or ต่ำ, ปกติ, ด่วน, ด่วนมาก)",
            )
        return URGENCIES.index(urgency)

    def _provinces(self, value: str) -> tuple[str, ...] | Bad:
        found = self.placer.candidates("province", value, None)
        return found if isinstance(found, Bad) else tuple(found)

    # ------------------------------------------------------------ coordinates
    def _point(self, lat_text: str, lon_text: str, both: str) -> tuple[float, float] | Bad:
        """(lon, lat) from the lat and lon columns or the one coordinates column."""
        if both:
            parts = [p for p in clean(both).replace(";", ",").replace(" ", ",").split(",") if p]
            nums = []
            for p in parts:
                try:
                    nums.append(float(p))
                except ValueError:
                    nums = []
                    break
            if len(nums) != 2:
                return Bad(
                    BAD_COORDINATES,
                    "coordinates",
                    f"not two numbers (lat, lon): {shown(both)}",
                )
            a, b = nums
            # in Thailand a latitude is below 21 and a longitude above 97: the order shows
            lat, lon = (a, b) if a < b else (b, a)
        else:
            if not lat_text or not lon_text:
                missing = "lon" if lat_text else "lat"
                return Bad(
                    BAD_COORDINATES, missing, f"empty ({'lat' if lat_text else 'lon'} given)"
                )
            values = []
            for name, text in (("lat", lat_text), ("lon", lon_text)):
                try:
                    values.append(float(text))
                except ValueError:
                    try:
                        values.append(float(clean(text)))
                    except ValueError:
                        return Bad(BAD_COORDINATES, name, f"not a number: {shown(text)}")
            lat, lon = values
        if not both and _TH_LON[0] <= lat <= _TH_LON[1] and _TH_LAT[0] <= lon <= _TH_LAT[1]:
            return Bad(
                BAD_COORDINATES,
                "lat",
                f"lat and lon look swapped: lat {lat:.2f}, lon {lon:.2f} (in Thailand a "
                "latitude is 5-21 and a longitude 97-106)",
            )
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
            # no value shown: a number this far off may be a phone or ID number
            return Bad(
                BAD_COORDINATES,
                "lat",
                "not a latitude and longitude (latitude -90 to 90, longitude -180 to 180)",
            )
        return lon, lat

    # ------------------------------------------------------------ raw values
    def raw(self, cells: Sequence[Any]) -> tuple[tuple[str, str], ...]:
        """The recognised columns of a row as in the file, minus anything that may be
        personal data (see :mod:`caravan.complaints.privacy`)."""
        out = []
        n = len(cells)
        for name, i, header in self.recognised:
            value = cells[i] if i < n else ""
            if isinstance(value, dt.datetime | dt.date):
                text = value.isoformat()
            elif name in ("lat", "lon") and value.strip():
                text = shown_coordinate(value)
            elif name == "coordinates" and value.strip():
                parts = [p for p in clean(value).replace(";", ",").split(",") if p.strip()]
                text = ", ".join(shown_coordinate(p) for p in parts[:2])
                if len(parts) != 2:
                    text = shown_raw(value)
            elif name == "id":
                text = value
            else:
                text = shown_raw(value)
            out.append((header, text))
        return tuple(out)

    # ------------------------------------------------------------ all rows
    def run(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, ComplaintTable, list]:
        """Check every row; returns (rows read, accepted rows, rejects)."""
        idx = self.columns.index
        none = 1 << 30  # the index of a column the file does not have
        i_id, i_rec, i_cat, i_st, i_urg, i_p, i_d, i_t, i_lat, i_lon, i_co = (
            idx.get(name, none)
            for name in (
                "id",
                "received",
                "category",
                "status",
                "urgency",
                "province",
                "district",
                "tambon",
                "lat",
                "lon",
                "coordinates",
            )
        )
        headers = self.columns.headers
        source = self.source
        # distinct value -> result (an int index, or a Bad)
        dates: dict[Any, int | Bad] = {}
        cats: dict[str, int | Bad] = {}
        stats: dict[str, int | Bad] = {}
        urgs: dict[str, int | Bad] = {}
        places: dict[tuple[str, str, str], int | Bad | None] = {}
        provs: dict[str, tuple[str, ...] | Bad] = {}
        # the columns of the rows that pass (positions = order in the file)
        c_id: list[str] = []
        c_line: list[int] = []
        c_day: list[int] = []
        c_place: list[int] = []
        c_cat: list[int] = []
        c_st: list[int] = []
        c_urg: list[int] = []
        first_at: dict[str, int] = {}  # id -> position of its first passing row
        repeats: dict[str, list[tuple[int, tuple]]] = {}  # id -> later (position, raw)
        pending: list[_Pending] = []
        lons: list[float] = []
        lats: list[float] = []
        rejects: list[Reject] = []
        n = 0

        def reject(line: int, bad: Bad, cells: Sequence[Any]) -> None:
            rejects.append(
                Reject(
                    line=line,
                    field=headers.get(bad.field, bad.field),
                    reason=bad.reason,
                    source=source,
                    raw=self.raw(cells),
                    kind=bad.kind,
                )
            )

        for line, cells in rows:
            n += 1
            k = len(cells)
            # cached results are keyed by the raw cell: no stripping on the hot path
            cid = cells[i_id].strip() if i_id < k else ""
            if not cid:
                reject(line, Bad(f"{MISSING} id", "id", "empty"), cells)
                continue
            rec = cells[i_rec] if i_rec < k else ""
            day = dates.get(rec)
            if day is None:
                day = dates[rec] = self._date(rec)
            if day.__class__ is Bad:
                reject(line, day, cells)  # type: ignore[arg-type]
                continue
            cat = cells[i_cat] if i_cat < k else ""
            category = cats.get(cat)
            if category is None:
                category = cats[cat] = self._category(cat)
            if category.__class__ is Bad:
                reject(line, category, cells)  # type: ignore[arg-type]
                continue
            st = cells[i_st] if i_st < k else ""
            status = stats.get(st)
            if status is None:
                status = stats[st] = self._status(st)
            if status.__class__ is Bad:
                reject(line, status, cells)  # type: ignore[arg-type]
                continue
            urg = cells[i_urg] if i_urg < k else ""
            urgency = urgs.get(urg)
            if urgency is None:
                urgency = urgs[urg] = self._urgency(urg)
            if urgency.__class__ is Bad:
                reject(line, urgency, cells)  # type: ignore[arg-type]
                continue
            key = (
                cells[i_p] if i_p < k else "",
                cells[i_d] if i_d < k else "",
                cells[i_t] if i_t < k else "",
            )
            placed = places.get(key, self)
            if placed is self:
                placed = places[key] = self._place(key)
            if placed is None:
                lat = cells[i_lat].strip() if i_lat < k else ""
                lon = cells[i_lon].strip() if i_lon < k else ""
                both = cells[i_co].strip() if i_co < k else ""
                if not (lat or lon or both):
                    where = (
                        "only the province" if key[0].strip() else "no district, tambon or lat/lon"
                    )
                    name = "district" if "district" in idx or "tambon" not in idx else "tambon"
                    reject(line, Bad(NO_LOCATION, name, f"no location ({where})"), cells)
                    continue
                point = self._point(lat, lon, both)
                if point.__class__ is Bad:
                    reject(line, point, cells)  # type: ignore[arg-type]
                    continue
                pcodes: tuple[str, ...] | None = None
                if key[0].strip():
                    p = provs.get(key[0])
                    if p is None:
                        p = provs[key[0]] = self._provinces(key[0].strip())
                    if p.__class__ is Bad:
                        reject(line, p, cells)  # type: ignore[arg-type]
                        continue
                    pcodes = p  # type: ignore[assignment]
                pending.append(_Pending(len(c_id), line, pcodes, cells))
                lons.append(point[0])  # type: ignore[index]
                lats.append(point[1])  # type: ignore[index]
                placed = -1
            elif placed.__class__ is Bad:
                reject(line, placed, cells)  # type: ignore[arg-type]
                continue
            position = len(c_id)
            if cid in first_at:
                repeats.setdefault(cid, []).append((position, self.raw(cells)))
            else:
                first_at[cid] = position
            c_id.append(cid)
            c_line.append(line)
            c_day.append(day)  # type: ignore[arg-type]
            c_place.append(placed)  # type: ignore[arg-type]
            c_cat.append(category)  # type: ignore[arg-type]
            c_st.append(status)  # type: ignore[arg-type]
            c_urg.append(urgency)  # type: ignore[arg-type]

        keep = np.ones(len(c_id), dtype=bool)
        # coordinates: one spatial query for all of them
        if pending:
            tambons = self.placer.place_points(np.array(lons), np.array(lats))
            for pend, code, lon, lat in zip(pending, tambons, lons, lats, strict=True):
                if code is None:
                    name = "lat" if "coordinates" not in idx else "coordinates"
                    why = f"point near {lat:.2f},{lon:.2f} (lat,lon) is {OUTSIDE}"
                    reject(pend.line, Bad(OUTSIDE, name, why), pend.cells)
                    keep[pend.position] = False
                elif pend.provinces is not None and code[:2] not in pend.provinces:
                    why = (
                        f"point near {lat:.2f},{lon:.2f} (lat,lon) is in province {code[:2]}, "
                        f"not {shown(pend.cells[i_p])}"
                    )
                    reject(pend.line, Bad(MISMATCH, "province", why), pend.cells)
                    keep[pend.position] = False
                else:
                    c_place[pend.position] = self._place_index((code[:2], code[:4], code))
        # repeated ids: the first row that passed every check wins
        for cid, later in repeats.items():
            winner = first_at[cid] if keep[first_at[cid]] else None
            for position, raw in later:
                if not keep[position]:
                    continue
                if winner is None:
                    winner = position
                    continue
                keep[position] = False
                rejects.append(
                    Reject(
                        line=c_line[position],
                        field=headers.get("id", "id"),
                        reason=f"duplicate id, first seen on line {c_line[winner]}",
                        source=source,
                        raw=raw,
                        kind=DUPLICATE,
                    )
                )
        table = ComplaintTable(
            ids=c_id,
            line=c_line,
            day=c_day,
            place=c_place,
            places=list(self._places),
            category=c_cat,
            categories=list(self._categories),
            status=c_st,
            urgency=c_urg,
        )
        if not keep.all():
            table = table.take(keep)
        return n, table, rejects

    def _place(self, key: tuple[str, str, str]) -> int | Bad | None:
        placed = self.placer.place(*(k.strip() for k in key))
        if placed is None or placed.__class__ is Bad:
            return placed  # type: ignore[return-value]
        return self._place_index(placed)  # type: ignore[arg-type]

    def _place_index(self, place: tuple[str, str, str]) -> int:
        return self._places.setdefault(place, len(self._places))


def _legacy_columns(row: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key, value in row.items():
        name = FIELD_ALIASES.get(key, key)
        if name in FIELDS:
            out[name] = value
    return out


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    source: str,
    today: dt.date,
    geography: Geography | None = None,
) -> ComplaintFile:
    """Check and place rows given as (line number, {field: value}); fields as in
    :data:`caravan.complaints.columns.FIELDS` (``district_code`` etc. accepted too)."""
    legacy = {v: k for k, v in FIELD_ALIASES.items() if k.endswith("_code")}
    columns = ColumnMap(
        index={f: i for i, f in enumerate(FIELDS)},
        headers={f: legacy.get(f, f) for f in FIELDS},
    )

    def as_lists() -> Iterator[tuple[int, list[str]]]:
        for line, row in rows:
            values = _legacy_columns(row)
            yield line, [values.get(f) or "" for f in FIELDS]

    checker = _Checker(
        source=source, today=today, geography=geography or load_geography(), columns=columns
    )
    n, accepted, rejects = checker.run(as_lists())
    return _result(source, n, accepted, rejects, [], columns, "")


def _result(source, n, accepted, rejects, notes, columns: ColumnMap, fmt: str) -> ComplaintFile:
    rejects.sort(key=lambda r: r.line)
    if n != len(accepted) + len(rejects):  # the promise of this module; never expected
        raise RuntimeError(f"{source}: {n} rows read but {len(accepted) + len(rejects)} counted")
    return ComplaintFile(
        source=source,
        rows=n,
        accepted=accepted,
        rejects=tuple(rejects),
        notes=tuple(notes),
        columns=tuple((f, h) for f, _, h in columns.recognised()),
        format=fmt,
    )


def read_complaints(
    path: str | Path,
    *,
    today: dt.date | None = None,
    geography: Geography | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | Sequence[str]] | None = None,
    progress: Progress | None = None,
) -> ComplaintFile:
    """Read a complaint CSV or .xlsx file (see the package docstring and README).

    ``encoding`` overrides the detected encoding of a CSV; ``sheet`` picks a sheet of a
    workbook (default: the first); ``columns`` maps fields to headers the way
    ``--column FIELD=HEADER`` does. ``today`` (default: today in Asia/Bangkok) is the latest
    date accepted. ``progress(done, total)`` is called while reading.

    Raises :class:`~caravan.errors.InputError` when the file cannot be read as a whole (not
    found, binary, no header, a required column missing); a bad row never raises: it is in
    ``rejects``.
    """
    path = Path(path)
    chosen = {k: (v if isinstance(v, str) else list(v)) for k, v in (columns or {}).items()}
    # Reading makes millions of small objects and no reference cycles: the cyclic garbage
    # collector would only scan them again and again (it tripled the time of a 1M-row read)
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            table = open_table(
                path, encoding=encoding, sheet=sheet, chosen=chosen, progress=progress
            )
            return _read_table(table, today=today, geography=geography)
        except WrongGuess as guess:
            table = open_table(
                path, encoding=guess.encoding, sheet=sheet, chosen=chosen, progress=progress
            )
            return _read_table(table, today=today, geography=geography)
    finally:
        if collecting:
            gc.enable()


def _read_table(table: Table, *, today, geography) -> ComplaintFile:
    src = table.source
    cols = table.columns
    missing = cols.missing_required()
    if missing:
        from caravan.complaints.columns import HEADERS

        examples = ", ".join([HEADERS[missing][0], *_thai(HEADERS[missing])[:1]])
        raise InputError(
            f"missing column '{missing}' (a header such as {examples}, or "
            f"--column {missing}=HEADER)",
            source=src,
            line=table.header_line,
        )
    if not cols.has_location():
        raise InputError(
            "missing location columns (district, tambon, or lat and lon; "
            "for example อำเภอ, ตำบล, ละติจูด, ลองจิจูด)",
            source=src,
            line=table.header_line,
        )
    rows: Iterable[tuple[int, Sequence[Any]]] = table.rows
    if table.kind == "xlsx":
        rows = _text_cells(table.rows, cols.index.get("received", -1))
    checker = _Checker(
        source=src,
        today=today or clock.today(),
        geography=geography or load_geography(),
        columns=cols,
    )
    n, accepted, rejects = checker.run(rows)
    notes = []
    if table.header_line > 1:
        notes.append(f"header found on line {table.header_line}; the lines above it were skipped")
    notes += [*cols.notes, *checker.notes]
    return _result(src, n, accepted, rejects, notes, cols, table.describe())


def _thai(names: Sequence[str]) -> list[str]:
    return [n for n in names if not n.isascii()]


def _text_cells(rows, keep: int) -> Iterator[tuple[int, list[Any]]]:
    """Spreadsheet cells as text, except dates in the date column."""
    for line, cells in rows:
        yield (
            line,
            [
                c if (i == keep or c.__class__ is str) else _date_text(c)
                for i, c in enumerate(cells)
            ],
        )


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
