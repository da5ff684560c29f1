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
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from caravan.complaints.columns import FIELD_ALIASES, FIELDS, ColumnMap
from caravan.complaints.dates import BANGKOK, DateError, date_of_cell, parse_date
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
from caravan.complaints.text import clean
from caravan.complaints.values import category_of, status_of, urgency_of
from caravan.errors import InputError
from caravan.geography import Geography, load_geography
from caravan.priority import CATEGORY_LABELS
from caravan.types import STATUSES, Complaint, Reject

URGENCIES = ("low", "normal", "high", "critical")
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


def today_bangkok() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


@dataclass(frozen=True)
class ComplaintFile:
    """The result of reading a file: rows read = accepted + rejected, always."""

    source: str
    rows: int
    accepted: tuple[Complaint, ...]
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
class _Repeat:
    """A usable row whose id an earlier usable row has: a duplicate unless that row fails."""

    item: Any  # Complaint or _Pending
    raw: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _Pending:
    """A row placed by its coordinates, waiting for the bulk point-in-polygon query."""

    line: int
    id: str
    received: dt.date
    category: str
    status: str
    urgency: str
    provinces: tuple[str, ...] | None
    cells: Sequence[Any]
    index: int


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

    # ------------------------------------------------------------ per distinct value
    def _date(self, value: Any) -> dt.date | Bad:
        if isinstance(value, dt.date):
            day, note = date_of_cell(value), ""
        else:
            try:
                day, note = parse_date(value)
            except DateError as exc:
                why = str(exc)
                detail = "" if why == "not a date" else f" ({why})"
                return Bad(NOT_A_DATE, "received", f"not a date: {shown(value)}{detail}")
        if day > self.today:
            return Bad(FUTURE, "received", f"in the future: {day.isoformat()}")
        if day < EARLIEST:
            extra = f" ({note})" if note else ""
            return Bad(TOO_OLD, "received", f"before 2000: {day.isoformat()}{extra}")
        if note.startswith("two-digit"):
            self.notes["two-digit years were read as Buddhist era years (25xx)"] = None
        elif note:
            self.notes["5-digit numbers in the date column were read as Excel day numbers"] = None
        return day

    def _category(self, value: str) -> str | Bad:
        code = category_of(value)
        if code not in CATEGORY_LABELS and looks_personal(code):
            return Bad(
                BAD_CATEGORY,
                "category",
                "not a category: long text or personal data (hidden); map the category "
                "column with --column category=HEADER",
            )
        return code

    def _status(self, value: str) -> str | Bad:
        status = status_of(value)
        if status is None:
            return Bad(
                BAD_STATUS,
                "status",
                f"unknown status {shown(value)} (expected {', '.join(STATUSES)} "
                "or a Thai status such as รอดำเนินการ, กำลังดำเนินการ, เสร็จสิ้น)",
            )
        return status

    def _urgency(self, value: str) -> str | Bad:
        urgency = urgency_of(value)
        if urgency is None:
            return Bad(
                BAD_URGENCY,
                "urgency",
                f"unknown urgency {shown(value)} (expected {', '.join(URGENCIES)} "
                "or ต่ำ, ปกติ, ด่วน, ด่วนมาก)",
            )
        return urgency

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
                    values.append(float(clean(text)))
                except ValueError:
                    return Bad(BAD_COORDINATES, name, f"not a number: {shown(text)}")
            lat, lon = values
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
            return Bad(BAD_COORDINATES, "lat", f"not a latitude and longitude: {lat:.2f},{lon:.2f}")
        if not both and _TH_LON[0] <= lat <= _TH_LON[1] and _TH_LAT[0] <= lon <= _TH_LAT[1]:
            return Bad(
                BAD_COORDINATES,
                "lat",
                f"lat and lon look swapped: lat {lat:.2f}, lon {lon:.2f} (in Thailand a "
                "latitude is 5-21 and a longitude 97-106)",
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
    def run(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, list, list]:
        idx = self.columns.index
        i_id = idx.get("id", 10**9)
        i_rec = idx.get("received", 10**9)
        i_cat = idx.get("category", 10**9)
        i_st = idx.get("status", 10**9)
        i_urg = idx.get("urgency", 10**9)
        i_p = idx.get("province", 10**9)
        i_d = idx.get("district", 10**9)
        i_t = idx.get("tambon", 10**9)
        i_lat = idx.get("lat", 10**9)
        i_lon = idx.get("lon", 10**9)
        i_co = idx.get("coordinates", 10**9)
        source = self.source
        dates: dict[Any, dt.date | Bad] = {}
        cats: dict[str, str | Bad] = {}
        stats: dict[str, str | Bad] = {}
        urgs: dict[str, str | Bad] = {}
        places: dict[tuple[str, str, str], tuple[str, str, str] | Bad | None] = {}
        provs: dict[str, tuple[str, ...] | Bad] = {}
        records: list[Any] = []
        ids: set[str] = set()
        lons: list[float] = []
        lats: list[float] = []
        n = 0

        headers = self.columns.headers

        def reject(line: int, bad: Bad, cells: Sequence[Any]) -> Reject:
            return Reject(
                line=line,
                field=headers.get(bad.field, bad.field),
                reason=bad.reason,
                source=source,
                raw=self.raw(cells),
                kind=bad.kind,
            )

        for line, cells in rows:
            n += 1
            k = len(cells)
            cid = cells[i_id].strip() if i_id < k else ""
            rec = cells[i_rec] if i_rec < k else ""
            cat = cells[i_cat].strip() if i_cat < k else ""
            st = cells[i_st].strip() if i_st < k else ""
            if not cid or not cat or not st or (rec.__class__ is str and not rec.strip()):
                name = (
                    "id"
                    if not cid
                    else "received"
                    if rec.__class__ is str and not rec.strip()
                    else "category"
                    if not cat
                    else "status"
                )
                records.append(reject(line, Bad(f"{MISSING} {name}", name, "empty"), cells))
                continue
            day = dates.get(rec)
            if day is None:
                day = dates[rec] = self._date(rec)
            if day.__class__ is Bad:
                records.append(reject(line, day, cells))  # type: ignore[arg-type]
                continue
            category = cats.get(cat)
            if category is None:
                category = cats[cat] = self._category(cat)
            if category.__class__ is Bad:
                records.append(reject(line, category, cells))  # type: ignore[arg-type]
                continue
            status = stats.get(st)
            if status is None:
                status = stats[st] = self._status(st)
            if status.__class__ is Bad:
                records.append(reject(line, status, cells))  # type: ignore[arg-type]
                continue
            urg = cells[i_urg].strip() if i_urg < k else ""
            urgency = urgs.get(urg)
            if urgency is None:
                urgency = urgs[urg] = self._urgency(urg)
            if urgency.__class__ is Bad:
                records.append(reject(line, urgency, cells))  # type: ignore[arg-type]
                continue
            key = (
                cells[i_p].strip() if i_p < k else "",
                cells[i_d].strip() if i_d < k else "",
                cells[i_t].strip() if i_t < k else "",
            )
            if key in places:
                placed = places[key]
            else:
                placed = places[key] = self.placer.place(*key)
            if placed is None:
                lat = cells[i_lat].strip() if i_lat < k else ""
                lon = cells[i_lon].strip() if i_lon < k else ""
                both = cells[i_co].strip() if i_co < k else ""
                if not (lat or lon or both):
                    where = "only the province" if key[0] else "no district, tambon or lat/lon"
                    bad = Bad(
                        NO_LOCATION,
                        "district" if "district" in idx or "tambon" not in idx else "tambon",
                        f"no location ({where})",
                    )
                    records.append(reject(line, bad, cells))
                    continue
                point = self._point(lat, lon, both)
                if point.__class__ is Bad:
                    records.append(reject(line, point, cells))  # type: ignore[arg-type]
                    continue
                pcodes: tuple[str, ...] | None = None
                if key[0]:
                    p = provs.get(key[0])
                    if p is None:
                        p = provs[key[0]] = self._provinces(key[0])
                    if p.__class__ is Bad:
                        records.append(reject(line, p, cells))  # type: ignore[arg-type]
                        continue
                    pcodes = p  # type: ignore[assignment]
                item: Any = _Pending(
                    line, cid, day, category, status, urgency, pcodes, cells, len(lons)
                )
                lons.append(point[0])  # type: ignore[index]
                lats.append(point[1])  # type: ignore[index]
                if cid in ids:
                    item = _Repeat(item, self.raw(cells))
                ids.add(cid)
                records.append(item)
                continue
            if placed.__class__ is Bad:
                records.append(reject(line, placed, cells))  # type: ignore[arg-type]
                continue
            item = Complaint(
                cid,
                day,
                placed[0],
                placed[1],
                placed[2],
                category,
                status,
                urgency,
                line,  # type: ignore[index]
            )
            if cid in ids:
                item = _Repeat(item, self.raw(cells))
            ids.add(cid)
            records.append(item)

        tambons = self.placer.place_points(np.array(lons), np.array(lats)) if lons else []
        accepted: list[Complaint] = []
        rejects: list[Reject] = []
        seen: dict[str, int] = {}
        for r in records:
            raw: tuple[tuple[str, str], ...] = ()
            if r.__class__ is _Repeat:
                r, raw = r.item, r.raw
            if r.__class__ is _Pending:
                code = tambons[r.index]
                lon, lat = lons[r.index], lats[r.index]
                if code is None:
                    bad = Bad(
                        OUTSIDE,
                        "lat" if "coordinates" not in idx else "coordinates",
                        f"point near {lat:.2f},{lon:.2f} (lat,lon) is {OUTSIDE}",
                    )
                    rejects.append(reject(r.line, bad, r.cells))
                    continue
                if r.provinces is not None and code[:2] not in r.provinces:
                    bad = Bad(
                        MISMATCH,
                        "province",
                        f"point near {lat:.2f},{lon:.2f} (lat,lon) is in province {code[:2]}, "
                        f"not {shown(r.cells[i_p])}",
                    )
                    rejects.append(reject(r.line, bad, r.cells))
                    continue
                r = Complaint(
                    r.id,
                    r.received,
                    code[:2],
                    code[:4],
                    code,
                    r.category,
                    r.status,
                    r.urgency,
                    r.line,
                )
            if r.__class__ is Reject:
                rejects.append(r)
                continue
            first = seen.get(r.id)
            if first is not None:
                rejects.append(
                    Reject(
                        line=r.line,
                        field=headers.get("id", "id"),
                        reason=f"duplicate id, first seen on line {first}",
                        source=source,
                        raw=raw,
                        kind=DUPLICATE,
                    )
                )
                continue
            seen[r.id] = r.line
            accepted.append(r)
        return n, accepted, rejects


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
        accepted=tuple(accepted),
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
    try:
        table = open_table(path, encoding=encoding, sheet=sheet, chosen=chosen, progress=progress)
        return _read_table(table, today=today, geography=geography)
    except WrongGuess as guess:
        table = open_table(
            path, encoding=guess.encoding, sheet=sheet, chosen=chosen, progress=progress
        )
        return _read_table(table, today=today, geography=geography)


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
        today=today or today_bangkok(),
        geography=geography or load_geography(),
        columns=cols,
    )
    n, accepted, rejects = checker.run(rows)
    notes = [*cols.notes, *checker.notes]
    if table.header_line > 1:
        notes.append(f"header found on line {table.header_line}; the lines above it were skipped")
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
