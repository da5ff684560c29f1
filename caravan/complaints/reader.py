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
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from caravan import clock
from caravan.complaints.categories import OTHER, UNSPECIFIED, best_category
from caravan.complaints.columnar import Columns, read_plain
from caravan.complaints.columns import FIELD_ALIASES, FIELDS, ColumnMap, match_columns
from caravan.complaints.dates import DateError, date_like, date_of_cell, not_a_date, parse_date
from caravan.complaints.jsonfile import open_json_table
from caravan.complaints.places import (
    BAD_COORDINATES,
    MISMATCH,
    NO_LOCATION,
    OUTSIDE,
    Bad,
    Placer,
)
from caravan.complaints.privacy import (
    HIDDEN,
    id_looks_personal,
    looks_personal,
    plain_ids,
    pseudonym,
    quoted_if,
    screen_id,
    shown,
    shown_coordinate,
    shown_raw,
)
from caravan.complaints.profiles import GENERIC, Profile, detect_profile, load_profile
from caravan.complaints.source import PROGRESS_EVERY, Progress, Table, WrongGuess, open_table
from caravan.complaints.table import URGENCIES, ComplaintTable
from caravan.complaints.values import (
    IRRELEVANT,
    category_labels,
    known_word,
)
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

_NUMBER_LIKE = re.compile(r"^[\s\d.,;°'\"NSEWnsew+-]{1,40}$")


def _shown_word(value: str) -> str:
    """A status or urgency for a reason: quoted when it is a word of caravan's vocabulary
    (of another field, say), else what kind of value it is, in brackets."""
    what = quoted_if(value, known_word(value))
    return what if what.startswith("'") else f"({what})"


def number_like(value: str) -> bool:
    """True when ``value`` is written like a number or a coordinate (a reason may quote it)."""
    return bool(_NUMBER_LIKE.match(clean(value)))


# Thailand lies within these; a latitude is never a longitude there and vice versa
_TH_LAT = (5.0, 21.0)
_TH_LON = (97.0, 106.0)
#: the status index of the outcome "irrelevant" while reading (stored as resolved)
_IRRELEVANT = len(STATUSES)
_BANGKOK_MINUTES = 7 * 60
#: an ISO timestamp, as databases write them: its Bangkok date depends only on the date, the
#: hour and the offset (minutes too when the offset has some), so it is cached by those
_STAMP = re.compile(
    r"(\d{4}-\d\d-\d\d)[ T]([01]\d|2[0-3]):([0-5]\d):(?:[0-5]\d|60)(?:\.\d{1,9})?"
    r"(Z|z|[+-]\d\d(?::?\d\d)?)?"
)


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
    #: the profile the file was read with (:mod:`caravan.complaints.profiles`) and why
    profile: str = "generic"
    profile_reason: str = ""
    #: accepted complaints per outcome that is not a status: {"irrelevant": n}
    outcomes: Mapping[str, int] = field(default_factory=dict)
    #: category values neither the category table nor the profile knows, as the planner may
    #: see them (screened by :func:`caravan.complaints.privacy.shown`), with the number of
    #: accepted complaints that carry each; such a complaint counts as "other" unless it has a
    #: known label too. For the planner's eyes only (the terminal): never written to a file.
    unknown_categories: tuple[tuple[str, int], ...] = ()

    def reject_counts(self) -> Counter[str]:
        """Rejected rows per kind of reason (``outside the three provinces``, ...)."""
        return Counter(r.kind or r.reason.split(":")[0] for r in self.rejects)


class _Waiting:
    """Rows with coordinates, waiting to be placed all together (:meth:`_Checker._settle`):
    placed by their point (``named`` -1), or placed by their names and the point checked
    against them (``named`` = the place index). ``ref`` finds the row's cells again for a
    reject (its recognised cells only: free text and photos are not kept alive)."""

    __slots__ = ("lat", "line", "lon", "named", "position", "provinces", "ref")

    def __init__(self) -> None:
        self.position: list[int] = []  # in the columns
        self.line: list[int] = []
        self.provinces: list[tuple[str, ...] | None] = []  # the row's named provinces
        self.ref: list[Any] = []
        self.named: list[int] = []
        self.lon: list[float] = []
        self.lat: list[float] = []

    def add(self, position, line, provinces, ref, named, point: tuple[float, float]) -> None:
        self.position.append(position)
        self.line.append(line)
        self.provinces.append(provinces)
        self.ref.append(ref)
        self.named.append(named)
        self.lon.append(point[0])
        self.lat.append(point[1])


class _Ids:
    """The first position of every id among the rows that passed the row checks, and the
    later positions of repeated ids, each with a reference to its row."""

    __slots__ = ("first_at", "repeats")

    def __init__(self) -> None:
        self.first_at: dict[str, int] = {}
        self.repeats: dict[str, list[tuple[int, Any]]] = {}

    def note(self, cid: str, position: int, ref: Any) -> None:
        if cid in self.first_at:
            self.repeats.setdefault(cid, []).append((position, ref))
        else:
            self.first_at[cid] = position


class _Checker:
    def __init__(
        self,
        *,
        source: str,
        today: dt.date,
        geography: Geography,
        columns: ColumnMap,
        profile: Profile = GENERIC,
        category_weight: Callable[[str], float] | None = None,
    ) -> None:
        self.source = source
        self.today = today
        self.placer = Placer(geography)
        self.columns = columns
        self.profile = profile
        self.category_weight = category_weight
        self.recognised = columns.recognised()
        self.notes: dict[str, None] = {}
        self._categories: dict[str, int] = {}  # category -> index in the table
        # distinct category cell -> (category index, labels nobody knows)
        self._category_cells: list[tuple[int, tuple[str, ...]]] = []
        self._places: dict[tuple[str, str, str], int] = {}  # place -> index in the table
        self._place_list: list[tuple[str, str, str]] = []  # index -> place
        # counted over the accepted rows by run() (see ComplaintFile)
        self.outcomes: dict[str, int] = {}
        self.unknown_categories: tuple[tuple[str, int], ...] = ()
        self._shown: dict[tuple[str, Any], str] = {}  # (field, cell) -> as rejects.csv shows it

    # ------------------------------------------------------------ per distinct value
    def _date(self, value: Any) -> int | Bad:
        if isinstance(value, str) and not value.strip():
            return Bad(f"{MISSING} received", "received", "empty")
        if isinstance(value, dt.date):
            day, note = date_of_cell(value), ""
        else:
            try:
                day, note = parse_date(value, era=self.profile.era, order=self.profile.day_order)
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
        """The index of a distinct category cell (see :meth:`_category_cells`): its labels
        are each mapped by the profile, then the category table; the complaint counts under
        the known label of highest weight, or as "other" when none is known."""
        profile = self.profile
        if not value.strip():
            code = profile.categories.get("")
            if code is None:
                return Bad(f"{MISSING} category", "category", "empty")
            return self._category_cell(code, ())
        labels = category_labels(value)
        codes = [profile.category(label) for label in labels]
        known = [c for c in codes if c is not None]
        unknown = tuple(lab for lab, c in zip(labels, codes, strict=True) if c is None)
        if not labels:
            known = [profile.category(value.strip()) or UNSPECIFIED]  # {}: no label at all
        elif not known and looks_personal(value):
            return Bad(
                BAD_CATEGORY,
                "category",
                "not a category: long text or personal data (hidden); map the category "
                "column with --column category=HEADER",
            )
        code = best_category(known, self.category_weight) if known else OTHER
        return self._category_cell(code, unknown)

    def _category_cell(self, code: str, unknown: tuple[str, ...]) -> int:
        index = self._categories.setdefault(code, len(self._categories))
        self._category_cells.append((index, unknown))
        return len(self._category_cells) - 1

    def _status(self, value: str) -> int | Bad:
        if not value.strip():
            return Bad(f"{MISSING} status", "status", "empty")
        status = self.profile.status(value)
        if status == IRRELEVANT:
            return _IRRELEVANT
        if status is None:
            return Bad(
                BAD_STATUS,
                "status",
                f"unknown status {_shown_word(value)} (expected "
                f"{', '.join(STATUSES)} "
                "or a Thai status such as รอดำเนินการ, กำลังดำเนินการ, เสร็จสิ้น)",
            )
        return STATUSES.index(status)  # type: ignore[arg-type]

    def _urgency(self, value: str) -> int | Bad:
        urgency = self.profile.urgency(value)
        if urgency is None:
            return Bad(
                BAD_URGENCY,
                "urgency",
                f"unknown urgency {_shown_word(value)} (expected "
                f"{', '.join(URGENCIES)} "
                "or ต่ำ, ปกติ, ด่วน, ด่วนมาก)",
            )
        return URGENCIES.index(urgency)

    def _provinces(self, value: str) -> tuple[str, ...] | Bad | None:
        """The provinces a province cell may mean; None for an empty cell."""
        if not value.strip():
            return None
        found = self.placer.candidates("province", value.strip(), None)
        return found if isinstance(found, Bad) else tuple(found)

    # ------------------------------------------------------------ coordinates
    def _point(self, lat_text: str, lon_text: str, both: str) -> tuple[float, float] | Bad:
        """(lon, lat) from the lat and lon columns or the one coordinates column."""
        if both:
            nums = _two_numbers(both)
            order = self.profile.coordinate_order
            if len(nums) != 2:
                pair = "(lon, lat)" if order == "lon,lat" else "(lat, lon)"
                return Bad(
                    BAD_COORDINATES,
                    "coordinates",
                    f"not two numbers {pair}: {quoted_if(both, number_like(both))}",
                )
            a, b = nums
            if order == "auto":
                # in Thailand a latitude is below 21 and a longitude above 97: the order shows
                lat, lon = (a, b) if a < b else (b, a)
            else:
                lat, lon = (b, a) if order == "lon,lat" else (a, b)
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
                        what = quoted_if(text, number_like(text))
                        return Bad(BAD_COORDINATES, name, f"not a number: {what}")
            lat, lon = values
        declared = not both or self.profile.coordinate_order != "auto"
        if declared and _TH_LON[0] <= lat <= _TH_LON[1] and _TH_LAT[0] <= lon <= _TH_LAT[1]:
            return Bad(
                BAD_COORDINATES,
                "coordinates" if both else "lat",
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
    def slim(self, cells: Sequence[Any]) -> tuple[Any, ...]:
        """The recognised cells of a row, in the order of :attr:`recognised`."""
        n = len(cells)
        return tuple(cells[i] if i < n else "" for _, i, _ in self.recognised)

    def raw(self, cells: Sequence[Any], *, slim: bool = False) -> tuple[tuple[str, str], ...]:
        """The recognised columns of a row (or of its :meth:`slim` cells) as in the file,
        minus anything that may be personal data (see :mod:`caravan.complaints.privacy`)."""
        values = cells if slim else self.slim(cells)
        return tuple(
            (header, self.shown_cell(name, value))
            for (name, _, header), value in zip(self.recognised, values, strict=True)
        )

    def shown_cell(self, name: str, value: Any) -> str:
        """A cell of the field ``name`` as rejects.csv shows it (see :meth:`raw`), worked out
        once per distinct value of the field (ids, all different, are not cached)."""
        if name == "id" and value.__class__ is str:
            return screen_id(value.strip())
        key = (name, value)
        text = self._shown.get(key)
        if text is None:
            text = self._shown[key] = self._shown_cell(name, value)
        return text

    def _shown_cell(self, name: str, value: Any) -> str:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if name == "id":
            return screen_id(value.strip())
        if not value.strip():
            return value
        if name == "received" and _STAMP.fullmatch(value):
            return value  # a platform's timestamp is not personal: shown as it is
        if name == "received":
            return shown_raw(value) if date_like(value) else HIDDEN
        if name in ("status", "urgency", "category"):
            return shown_raw(value) if known_word(value) else HIDDEN
        if name in ("province", "district", "tambon"):
            return shown_raw(value) if self.placer.known(name, value.strip()) else HIDDEN
        if name in ("lat", "lon"):
            return shown_coordinate(value)
        if name == "coordinates":
            nums = _two_numbers(value)
            if nums:
                return ", ".join(_rounded(x) for x in nums)
            return shown_raw(value) if number_like(value) else HIDDEN
        return shown_raw(value)

    # ------------------------------------------------------------ all rows
    def run(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, ComplaintTable, list]:
        """Check every row; returns (rows read, accepted rows, rejects)."""
        idx = self.columns.index
        none = 1 << 30  # the index of a column the file does not have
        i_id, i_rec, i_p, i_d, i_t, i_lat, i_lon, i_co, i_cat, i_st, i_urg = (
            idx.get(name, none) for name in FIELDS
        )
        headers = self.columns.headers
        source = self.source
        slim_province = next((j for j, r in enumerate(self.recognised) if r[0] == "province"), 0)
        # distinct value -> result (an int index, or a Bad)
        dates: dict[Any, int | Bad] = {}
        stamps: dict[tuple[str, int], int | Bad] = {}  # timestamps: (date, days Bangkok is ahead)
        cats: dict[str, int | Bad] = {}
        stats: dict[str, int | Bad] = {}
        urgs: dict[str, int | Bad] = {}
        places: dict[tuple[str, str, str], int | Bad | None] = {}
        provs: dict[str, tuple[str, ...] | Bad | None] = {}
        # the columns of the rows that pass (positions = order in the file)
        c_id: list[str] = []
        c_line: list[int] = []
        c_day: list[int] = []
        c_place: list[int] = []
        c_cat: list[int] = []
        c_st: list[int] = []
        c_urg: list[int] = []
        ids = _Ids()
        waiting = _Waiting()
        rejects: list[Reject] = []
        n = 0

        def reject(line: int, bad: Bad, cells: Sequence[Any], slim: bool = False) -> None:
            rejects.append(
                Reject(
                    line=line,
                    field=headers.get(bad.field, bad.field),
                    reason=bad.reason,
                    source=source,
                    raw=self.raw(cells, slim=slim),
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
            if id_looks_personal(cid):
                cid = pseudonym(cid)
            rec = cells[i_rec] if i_rec < k else ""
            day = dates.get(rec)
            if day is None:
                day = self._date_cached(rec, dates, stamps)
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
                point = self._unnamed_point(lat, lon, both, key[0])
                if point.__class__ is Bad:
                    reject(line, point, cells)  # type: ignore[arg-type]
                    continue
                p = provs.get(key[0], self)
                if p is self:
                    p = provs[key[0]] = self._provinces(key[0])
                if p.__class__ is Bad:
                    reject(line, p, cells)  # type: ignore[arg-type]
                    continue
                waiting.add(len(c_id), line, p, self.slim(cells), -1, point)  # type: ignore[arg-type]
                placed = -1
            elif placed.__class__ is Bad:
                reject(line, placed, cells)  # type: ignore[arg-type]
                continue
            elif i_co < k or i_lat < k:  # names and a point: they must agree
                point = self._named_point(cells, i_lat, i_lon, i_co)
                if point is not None:
                    waiting.add(len(c_id), line, None, self.slim(cells), placed, point)  # type: ignore[arg-type]
            ids.note(cid, len(c_id), cells)
            c_id.append(cid)
            c_line.append(line)
            c_day.append(day)  # type: ignore[arg-type]
            c_place.append(placed)  # type: ignore[arg-type]
            c_cat.append(category)  # type: ignore[arg-type]
            c_st.append(status)  # type: ignore[arg-type]
            c_urg.append(urgency)  # type: ignore[arg-type]

        keep = np.ones(len(c_id), dtype=bool)
        place = np.asarray(c_place, dtype=np.int64)

        def reject_waiting(cells: Sequence[Any], line: int, bad: Bad) -> None:
            reject(line, bad, cells, slim=True)

        self._settle(waiting, place, keep, reject_waiting, lambda cells: cells[slim_province])
        self._drop_repeats(ids, keep, c_line, lambda cells, line, bad: reject(line, bad, cells))
        table = self._table(c_id, c_line, c_day, place, c_cat, c_st, c_urg, keep)
        return n, table, rejects

    # ------------------------------------------------------------ all rows, by column
    def run_columns(self, cols: Columns) -> tuple[int, ComplaintTable, list]:
        """:meth:`run` of the columns of a plain CSV (:mod:`caravan.complaints.columnar`),
        with the same results: each check is worked out once per distinct value, in the
        order in which the rows first have it (as the row loop does), and applied to all the
        rows with numpy; only the rows that need it are looked at one by one."""
        idx = self.columns.index
        n = cols.rows
        column = {name: cols.column(idx.get(name)) for name in FIELDS}
        rejected: list[tuple[int, Bad]] = []  # (row, why), in no particular order
        raw_ids = column["id"].to_pylist()
        rows = np.flatnonzero(np.fromiter((bool(c.strip()) for c in raw_ids), bool, count=n))
        missing = Bad(f"{MISSING} id", "id", "empty")
        rejected += [(r, missing) for r in np.flatnonzero(~_mask(n, rows)).tolist()]
        day = np.zeros(n, dtype=np.int64)
        rows = _each_distinct(rows, *self._date_keys(column["received"]), day, rejected)
        out = {}
        for name, work in (
            ("category", self._category),
            ("status", self._status),
            ("urgency", self._urgency),
        ):
            codes, values = _codes(column[name])
            out[name] = np.zeros(n, dtype=np.int64)
            rows = _each_distinct(
                rows, codes, lambda code, _, w=work, v=values: w(v[code]), out[name], rejected
            )
        place = np.full(n, -1, dtype=np.int64)
        names = [_codes(column[name]) for name in ("province", "district", "tambon")]
        key = _combined([c for c, _ in names], [len(v) for _, v in names])
        rows = _each_distinct(rows, key, self._place_of(names), place, rejected)
        waiting, rows = self._points(rows, place, column, names[0], cols.line, rejected)
        cid_of = self._screened_ids(raw_ids, column["id"], rows)
        ids = _repeated_ids(cid_of, rows)
        keep = _mask(n, rows)
        later = rejected.append
        line = cols.line.tolist()
        province = column["province"]
        self._settle(waiting, place, keep, lambda r, _, bad: later((r, bad)), _cell_of(province))
        self._drop_repeats(ids, keep, line, lambda r, _, bad: later((r, bad)))
        table = self._table(
            cid_of, cols.line, day, place, out["category"], out["status"], out["urgency"], keep
        )
        return n, table, self._rejects(rejected, cols)

    @staticmethod
    def _screened_ids(raw_ids: list[str], cells, rows: np.ndarray) -> list[str]:
        """The ids of the rows as caravan keeps them (stripped, a pseudonym for a personal
        one; see :func:`caravan.complaints.privacy.plain_ids`), in ``raw_ids`` itself."""
        plain = plain_ids(cells)
        for r in rows[~plain[rows]].tolist():
            cid = raw_ids[r].strip()
            raw_ids[r] = pseudonym(cid) if id_looks_personal(cid) else cid
        return raw_ids

    def _points(self, rows, place, column, provinces, line, rejected):
        """The waiting rows (:class:`_Waiting`) of the rows that passed the place check, and
        the rows that pass: a row placed by no name needs a point (else it is rejected, as
        is a point in no province its province cell may mean); a row placed by its names
        and with a point waits to be checked against it."""
        idx = self.columns.index
        placed = place[rows]
        unnamed = placed == _NONE
        wanted = unnamed | ((placed >= 0) & ("coordinates" in idx or "lat" in idx))
        target = rows[wanted]
        kind, lon, lat = self._fast_points(target, column)
        unnamed = unnamed[wanted]
        ok = kind == 1
        slow = np.flatnonzero(kind == 2)
        texts = [
            [c.strip() for c in column[name].take(target[slow]).to_pylist()]
            for name in ("lat", "lon", "coordinates")
        ]
        drop: list[int] = []
        p_codes, p_values = provinces
        for j, lat_text, lon_text, both in zip(slow.tolist(), *texts, strict=True):
            r = int(target[j])
            if unnamed[j]:
                point = self._unnamed_point(lat_text, lon_text, both, p_values[p_codes[r]])
            else:
                point = self._named_point([lat_text, lon_text, both], 0, 1, 2)
            if point.__class__ is Bad:
                rejected.append((r, point))  # type: ignore[arg-type]
                drop.append(r)
            elif point is not None:
                ok[j] = True
                lon[j], lat[j] = point  # type: ignore[misc]
        for j in np.flatnonzero(unnamed & (kind == 0)).tolist():
            r = int(target[j])
            rejected.append((r, self._unnamed_point("", "", "", p_values[p_codes[r]])))
            drop.append(r)
        # a point in no province the province cell may mean is rejected
        named_provinces: list[tuple[str, ...] | None] = []
        per_row = np.full(len(place), _NONE, dtype=np.int64)

        def provinces_of(code: int, _: int) -> int | Bad | None:
            found = self._provinces(p_values[code])
            if found is None or found.__class__ is Bad:
                return found  # type: ignore[return-value]
            named_provinces.append(found)  # type: ignore[arg-type]
            return len(named_provinces) - 1

        pointed = target[ok & unnamed]
        passed = _each_distinct(pointed, p_codes, provinces_of, per_row, rejected)
        drop += np.setdiff1d(pointed, passed).tolist()
        waits = ok & (~unnamed | _mask(len(place), passed)[target])
        waiting = _Waiting()
        for r, x, y in zip(
            target[waits].tolist(), lon[waits].tolist(), lat[waits].tolist(), strict=True
        ):
            kept, named = per_row[r], max(int(place[r]), -1)  # -1: placed by its point
            waiting.add(r, line[r], None if kept < 0 else named_provinces[kept], r, named, (x, y))
        return waiting, np.setdiff1d(rows, np.array(drop, dtype=np.int64), assume_unique=True)

    def _fast_points(self, target, column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kind, lon, lat) of the rows' coordinates: kind 0 when the lat, lon and
        coordinates cells are all empty, 1 when the numbers are plain and :meth:`_point`
        accepts them (lon and lat given), 2 when :meth:`_point` has to look at them."""
        import pyarrow as pa
        import pyarrow.compute as pc

        def numbers(cells):
            return pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)

        def empty(cells):
            return pc.equal(pc.utf8_length(cells), 0).to_numpy(zero_copy_only=False)

        both, lat_cells, lon_cells = (
            column[name].take(target) for name in ("coordinates", "lat", "lon")
        )
        pair = pc.extract_regex(both, _PAIR_RE2)
        paired = pair.is_valid().to_numpy(zero_copy_only=False)
        a, b = (numbers(pc.if_else(pair.is_valid(), pair.field(x), None)) for x in "ab")
        order = self.profile.coordinate_order
        if order == "auto":
            lat, lon = np.where(a < b, a, b), np.where(a < b, b, a)
        else:
            lat, lon = (b, a) if order == "lon,lat" else (a, b)
        declared = np.full(len(target), order != "auto")
        alone = empty(both)
        single = []
        for cells in (lat_cells, lon_cells):
            number = pc.extract_regex(cells, _NUMBER_RE2)
            alone &= number.is_valid().to_numpy(zero_copy_only=False)
            single.append(number)
        alone &= ~paired
        lat, lon = (
            np.where(alone, numbers(pc.if_else(alone, number.field("x"), None)), old)
            for number, old in zip(single, (lat, lon), strict=True)
        )
        declared |= alone
        swapped = declared & (lat >= _TH_LON[0]) & (lat <= _TH_LON[1])
        swapped &= (lon >= _TH_LAT[0]) & (lon <= _TH_LAT[1])
        inside = (lat >= -90) & (lat <= 90) & (lon >= -180) & (lon <= 180)
        kind = np.full(len(target), 2, dtype=np.int8)
        kind[empty(both) & empty(lat_cells) & empty(lon_cells)] = 0
        kind[(paired | alone) & inside & ~swapped] = 1
        return kind, lon.copy(), lat.copy()

    def _rejects(self, rejected: list[tuple[int, Bad]], cols: Columns) -> list[Reject]:
        """The rejects of :meth:`run_columns`, their shown cells worked out per distinct
        value of each column (ids one by one; a platform's timestamps, shown as they are,
        picked out with one pattern match)."""
        import pyarrow.compute as pc

        if not rejected:
            return []
        rows = np.array([r for r, _ in rejected], dtype=np.int64)
        shown = self.shown_cell
        shown_columns = []
        for name, i, header in self.recognised:
            cells = cols.column(i).take(rows)
            if name == "id":
                plain = plain_ids(cells).tolist()
                shown_columns.append(
                    [
                        (header, v if is_plain else shown(name, v))
                        for v, is_plain in zip(cells.to_pylist(), plain, strict=True)
                    ]
                )
                continue
            if name == "received":
                stamp = pc.match_substring_regex(cells, _STAMP_RE2).to_pylist()
                shown_columns.append(
                    [
                        (header, v if is_stamp else shown(name, v))
                        for v, is_stamp in zip(cells.to_pylist(), stamp, strict=True)
                    ]
                )
                continue
            codes, values = _codes(cells)
            pairs = [(header, shown(name, v)) for v in values]
            shown_columns.append([pairs[c] for c in codes.tolist()])
        headers = self.columns.headers
        line = cols.line.tolist()
        return [
            Reject(
                line=line[r],
                field=headers.get(bad.field, bad.field),
                reason=bad.reason,
                source=self.source,
                raw=raw,
                kind=bad.kind,
            )
            for (r, bad), raw in zip(rejected, zip(*shown_columns, strict=True), strict=True)
        ]

    def _date_keys(self, received) -> tuple[np.ndarray, Callable[[int, int], int | Bad]]:
        """A key per row for :meth:`_date_cached` (a platform's timestamp by the date and
        the days Bangkok is ahead of it, any other cell by its value) and the work per key."""
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = pc.extract_regex(received, _STAMP_RE2)
        stamp = parts.is_valid().to_numpy(zero_copy_only=False)
        day_codes, days = _codes(pc.fill_null(parts.field("d"), ""))
        valid = parts.is_valid()
        hours, minutes = (
            pc.cast(pc.if_else(valid, parts.field(name), "0"), pa.int64()) for name in "hm"
        )
        zone_codes, zones = _codes(pc.fill_null(parts.field("z"), ""))
        offset = np.array([_offset_minutes(z or None) for z in zones], dtype=np.int64)
        ahead = (
            hours.to_numpy() * 60 + minutes.to_numpy() - offset[zone_codes] + _BANGKOK_MINUTES
        ) // 1440
        low = int(ahead[stamp].min()) if stamp.any() else 0
        spread = int(ahead[stamp].max()) - low + 1 if stamp.any() else 1
        key = day_codes * spread + (ahead - low)
        other = np.flatnonzero(~stamp)
        other_codes, others = _codes(received.take(other))
        first_other = len(days) * spread
        key[other] = first_other + other_codes
        dates: dict[Any, int | Bad] = {}
        stamps: dict[tuple[str, int], int | Bad] = {}

        def work(k: int, row: int) -> int | Bad:
            if k >= first_other:
                return self._date_cached(others[k - first_other], dates, stamps)
            stamp_key = (days[k // spread], k % spread + low)
            found = stamps.get(stamp_key)
            if found is None:
                found = stamps[stamp_key] = self._date(received[row].as_py())
            return found

        return key, work

    def _place_of(self, names) -> Callable[[int, int], int | Bad | None]:
        """The work per distinct (province, district, tambon) key of :func:`_combined`."""
        (_, provinces), (_, districts), (_, tambons) = names
        nd, nt = len(districts), len(tambons)

        def work(k: int, _: int) -> int | Bad | None:
            p, rest = divmod(k, nd * nt)
            d, t = divmod(rest, nt)
            return self._place((provinces[p], districts[d], tambons[t]))

        return work

    def _unnamed_point(self, lat: str, lon: str, both: str, province: str) -> tuple | Bad:
        """The point of a row that names no district or tambon (stripped cells), or why not."""
        if not (lat or lon or both):
            where = "only the province" if province.strip() else "no district, tambon or lat/lon"
            idx = self.columns.index
            name = "district" if "district" in idx or "tambon" not in idx else "tambon"
            return Bad(NO_LOCATION, name, f"no location ({where})")
        return self._point(lat, lon, both)

    def _settle(self, waiting: _Waiting, place, keep, reject, province_of) -> None:
        """Place the waiting rows' points with one spatial query: a row placed by its point
        gets the tambon; a row placed by its names is checked against its point (a point in
        the tambon named agrees at once: one polygon test). A row that fails is rejected
        (``reject(ref, line, bad)``) and no longer kept."""
        if not waiting.position:
            return
        w = waiting
        lons, lats = np.array(w.lon), np.array(w.lat)
        tambons_named = [p[2] for p in self._place_list]
        named = np.array(w.named, dtype=np.int64)
        rest = np.flatnonzero(~self.placer.in_tambons(tambons_named, named, lons, lats))
        tambons = self.placer.place_points(lons[rest], lats[rest])
        coords = "coordinates" in self.columns.index
        for j, code in zip(rest.tolist(), tambons, strict=True):
            named, lon, lat = w.named[j], w.lon[j], w.lat[j]
            if named >= 0:
                bad = self._disagreement(named, code, lon, lat)
            elif code is None:
                why = f"point near {lat:.2f},{lon:.2f} (lat,lon) is {OUTSIDE}"
                bad = Bad(OUTSIDE, "coordinates" if coords else "lat", why)
            elif w.provinces[j] is not None and code[:2] not in w.provinces[j]:  # type: ignore[operator]
                why = (
                    f"point near {lat:.2f},{lon:.2f} (lat,lon) is in province {code[:2]}, "
                    f"not {shown(province_of(w.ref[j]))}"
                )
                bad = Bad(MISMATCH, "province", why)
            else:
                place[w.position[j]] = self._place_index((code[:2], code[:4], code))
                continue
            if bad is not None:
                reject(w.ref[j], w.line[j], bad)
                keep[w.position[j]] = False

    @staticmethod
    def _drop_repeats(ids: _Ids, keep: np.ndarray, line: Sequence[int], reject) -> None:
        """Repeated ids: the first row that passed every check wins; the later ones are
        rejected (``reject(ref, line, bad)``)."""
        for cid, later in ids.repeats.items():
            first = ids.first_at[cid]
            winner = first if keep[first] else None
            for position, ref in later:
                if not keep[position]:
                    continue
                if winner is None:
                    winner = position
                    continue
                keep[position] = False
                why = f"duplicate id, first seen on line {line[winner]}"
                reject(ref, line[position], Bad(DUPLICATE, "id", why))

    def _table(self, c_id, line, day, place, category, status, urgency, keep) -> ComplaintTable:
        """The accepted rows: the kept positions of the columns."""
        cells_of_category = np.asarray(category, dtype=np.int64)
        status = np.asarray(status, dtype=np.int8)
        self._count_outcomes(cells_of_category[keep], status[keep])
        status[status == _IRRELEVANT] = STATUSES.index("resolved")
        to_code = np.array([code for code, _ in self._category_cells] or [0], dtype=np.int32)
        table = ComplaintTable(
            ids=c_id,
            line=line,
            day=day,
            place=place,
            places=list(self._places),
            category=to_code[cells_of_category],
            categories=list(self._categories),
            status=status,
            urgency=urgency,
        )
        return table if keep.all() else table.take(keep)

    # ------------------------------------------------------------ helpers of run
    def _date_cached(self, value: Any, dates: dict, stamps: dict) -> int | Bad:
        """:meth:`_date` of a cell, cached by the cell, or for a timestamp (every one
        differs) by what its Bangkok date depends on."""
        m = _STAMP.fullmatch(value) if value.__class__ is str else None
        if m is None:
            day = dates[value] = self._date(value)
            return day
        # days the Bangkok date is after the date written: -1, 0 or 1
        minutes = int(m[2]) * 60 + int(m[3]) - _offset_minutes(m[4]) + _BANGKOK_MINUTES
        key = (m[1], minutes // 1440)
        day = stamps.get(key)
        if day is None:
            day = stamps[key] = self._date(value)
        return day

    def _named_point(self, cells, i_lat: int, i_lon: int, i_co: int) -> tuple[float, float] | None:
        """The point of a row placed by its names (to check them), or None when it has no
        usable point: then the names alone place it."""
        k = len(cells)
        lat = cells[i_lat].strip() if i_lat < k else ""
        lon = cells[i_lon].strip() if i_lon < k else ""
        both = cells[i_co].strip() if i_co < k else ""
        if not (both or (lat and lon)):
            return None
        point = self._point(lat, lon, both)
        return None if point.__class__ is Bad else point  # type: ignore[return-value]

    def _disagreement(self, named: int, code: str | None, lon: float, lat: float) -> Bad | None:
        """Why a point does not fit the place its row names, or None when it does."""
        place = self._place_list[named]
        if code is not None and (code == place[2] or (not place[2] and code[:4] == place[1])):
            return None
        if self.placer.near(place, lon, lat):
            return None
        where = self.placer.point_label(code)
        named_text = self.placer.place_label(place)
        field = "tambon" if place[2] else "district"
        return Bad(
            MISMATCH,
            field,
            f"point near {lat:.2f},{lon:.2f} (lat,lon) is {where}, not in {named_text} named "
            "in the row",
        )

    def _count_outcomes(self, categories: np.ndarray, statuses: np.ndarray) -> None:
        """Counts over the accepted rows: the outcome "irrelevant", and the complaints per
        category label that nobody knows (screened for the planner's eyes)."""
        self.outcomes = {}
        irrelevant = int(np.count_nonzero(statuses == _IRRELEVANT))
        if irrelevant:
            self.outcomes[IRRELEVANT] = irrelevant
        per_cell = np.bincount(categories, minlength=len(self._category_cells))
        unknown: Counter[str] = Counter()
        for (_, labels), n in zip(self._category_cells, per_cell.tolist(), strict=False):
            for label in labels:
                if n:
                    unknown[shown(label)] += n
        self.unknown_categories = tuple(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0])))

    def _place(self, key: tuple[str, str, str]) -> int | Bad | None:
        placed = self.placer.place(*(k.strip() for k in key))
        if placed is None or placed.__class__ is Bad:
            return placed  # type: ignore[return-value]
        return self._place_index(placed)  # type: ignore[arg-type]

    def _place_index(self, place: tuple[str, str, str]) -> int:
        index = self._places.get(place)
        if index is None:
            index = self._places[place] = len(self._place_list)
            self._place_list.append(place)
        return index


#: :data:`_STAMP` for pyarrow (RE2: ``\d`` is 0-9 only; a stamp in other digits is
#: left to :data:`_STAMP` itself)
_STAMP_RE2 = (
    r"^(?P<d>\d{4}-\d\d-\d\d)[ T](?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d):(?:[0-5]\d|60)"
    r"(?:\.\d{1,9})?(?P<z>Z|z|[+-]\d\d(?::?\d\d)?)?$"
)
#: plain numbers, as float() reads them: a coordinates cell and a lat or lon cell
_PAIR_RE2 = r"^\s*(?P<a>-?\d+(?:\.\d+)?)\s*,\s*(?P<b>-?\d+(?:\.\d+)?)\s*$"
_NUMBER_RE2 = r"^\s*(?P<x>-?\d+(?:\.\d+)?)\s*$"
#: results of the work per distinct value in :func:`_each_distinct`: a Bad, None
_BAD, _NONE = -1, -2


def _each_distinct(rows, key, work, out, rejected) -> np.ndarray:
    """``work(key, first row)`` once per distinct ``key`` of the ``rows``, in the order in
    which they first appear (the order of the row loop, whose caches and tables fill in that
    order); each row's result goes to ``out`` (a Bad as :data:`_BAD`, None as
    :data:`_NONE`). Rows whose result is a Bad are added to ``rejected``; returns the rows
    that pass."""
    if not len(rows):
        return rows
    distinct, first, inverse = np.unique(key[rows], return_index=True, return_inverse=True)
    results = np.empty(len(distinct), dtype=np.int64)
    bads: dict[int, Bad] = {}
    for j in np.argsort(first, kind="stable").tolist():
        got = work(int(distinct[j]), int(rows[first[j]]))
        if got is None:
            results[j] = _NONE
        elif got.__class__ is Bad:
            results[j] = _BAD
            bads[j] = got
        else:
            results[j] = got
    per_row = results[inverse.reshape(-1)]
    out[rows] = per_row
    bad = per_row == _BAD
    if bads:
        why = [bads[j] for j in inverse.reshape(-1)[bad].tolist()]
        rejected += zip(rows[bad].tolist(), why, strict=True)
    return rows[~bad]


def _codes(cells) -> tuple[np.ndarray, list]:
    """The index of each cell among the distinct cells, and the distinct cells."""
    encoded = cells.dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), (
        encoded.dictionary.to_pylist()
    )


def _combined(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One key per row of several columns' codes (see :func:`_codes`)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code, size in zip(codes, sizes, strict=True):
        key = key * size + code
    return key


def _repeated_ids(ids: list[str], rows: np.ndarray) -> _Ids:
    """:class:`_Ids` of the ids that the ``rows`` repeat (refs: the rows)."""
    import pyarrow as pa

    found = _Ids()
    if not len(rows):
        return found
    chosen = pa.array([ids[r] for r in rows.tolist()], type=pa.string())
    codes = chosen.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    counts = np.bincount(codes)
    for r in rows[counts[codes] > 1].tolist():
        found.note(ids[r], r, r)
    return found


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _cell_of(cells) -> Callable[[int], str]:
    return lambda row: cells[row].as_py()


@lru_cache(maxsize=256)
def _offset_minutes(tz: str | None) -> int:
    """Minutes east of UTC of an offset as :data:`_STAMP` matches it; none is Bangkok."""
    if tz is None:
        return _BANGKOK_MINUTES
    if tz in ("Z", "z"):
        return 0
    digits = tz[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return -minutes if tz[0] == "-" else minutes


def _two_numbers(text: str) -> list[float]:
    """The two numbers of a coordinates cell (comma, semicolon or space between them), or
    []: the common ``100.25,16.82`` first, without cleaning."""
    a, sep, b = text.partition(",")
    if sep:
        try:
            return [float(a), float(b)]
        except ValueError:
            pass
    parts = [p for p in clean(text).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return []
    return nums if len(nums) == 2 else []


def _rounded(number: float) -> str:
    """A coordinate as rejects.csv shows it (see privacy.shown_coordinate)."""
    return f"{number:.2f}" if -180 <= number <= 180 else HIDDEN


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
    return _result(checker, n, accepted, rejects, [], "", "")


def _result(checker: _Checker, n, accepted, rejects, notes, fmt: str, why: str) -> ComplaintFile:
    source = checker.source
    rejects.sort(key=lambda r: r.line)
    if n != len(accepted) + len(rejects):  # the promise of this module; never expected
        raise RuntimeError(f"{source}: {n} rows read but {len(accepted) + len(rejects)} counted")
    return ComplaintFile(
        source=source,
        rows=n,
        accepted=accepted,
        rejects=tuple(rejects),
        notes=tuple(notes),
        columns=tuple((f, h) for f, _, h in checker.recognised),
        format=fmt,
        profile=checker.profile.describe(),
        profile_reason=why,
        outcomes=checker.outcomes,
        unknown_categories=checker.unknown_categories,
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
    profile: Profile | str | None = None,
    category_weight: Callable[[str], float] | None = None,
) -> ComplaintFile:
    """Read a complaint CSV or .xlsx file, or a platform's JSON or GeoJSON answer saved to a
    file (see the package docstring, docs/complaints.md and docs/platforms.md).

    ``encoding`` overrides the detected encoding of a CSV; ``sheet`` picks a sheet of a
    workbook (default: the first); ``columns`` maps fields to headers the way
    ``--column FIELD=HEADER`` does (and wins over the profile's columns). ``profile`` (a
    :class:`~caravan.complaints.profiles.Profile`, a built-in name or a profile file; default:
    the built-in profile recognised from the header, else ``generic``) says how to read the
    source. ``category_weight(code)`` ranks the labels of a complaint with several (its
    highest-weighted label counts; default: the category table's order). ``today`` (default:
    today in Asia/Bangkok) is the latest date accepted. ``progress(done, total)`` is called
    while reading.

    Raises :class:`~caravan.errors.InputError` when the file cannot be read as a whole (not
    found, binary, no header, a required column missing); a bad row never raises: it is in
    ``rejects``.
    """
    path = Path(path)
    given = None if not profile else profile if isinstance(profile, Profile) else None
    if profile and given is None:
        given = load_profile(profile)  # type: ignore[arg-type]
    user = {k: (v if isinstance(v, str) else list(v)) for k, v in (columns or {}).items()}
    chosen = {**(given.chosen() if given else {}), **user}
    reading = {
        "today": today,
        "geography": geography,
        "weight": category_weight,
        "progress": progress,
    }
    # Reading makes millions of small objects and no reference cycles: the cyclic garbage
    # collector would only scan them again and again (it tripled the time of a 1M-row read)
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            table = open_json_table(path, chosen) or open_table(
                path, encoding=encoding, sheet=sheet, chosen=chosen, progress=progress
            )
            return _read_table(table, given, user, **reading)
        except WrongGuess as guess:
            table = open_table(
                path, encoding=guess.encoding, sheet=sheet, chosen=chosen, progress=progress
            )
            return _read_table(table, given, user, **reading)
    finally:
        if collecting:
            gc.enable()


def _profile_of(table: Table, given: Profile | None, user: Mapping) -> tuple[Profile, str]:
    """The profile to read ``table`` with and why; the table's columns are matched again
    with the columns of a profile recognised from its header."""
    if given is not None:
        return given, "given (--profile)"
    profile, why = detect_profile(table.header)
    if profile.columns:
        table.columns = match_columns(table.header, {**profile.chosen(), **user})
    return profile, why


def _read_table(table: Table, given, user, *, today, geography, weight, progress) -> ComplaintFile:
    src = table.source
    profile, why = _profile_of(table, given, user)
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
        profile=profile,
        category_weight=weight,
    )
    plain = read_plain(table, [i for _, i, _ in checker.recognised])
    if plain is not None:
        table.rows.close()
        n, accepted, rejects = _run_plain(checker, plain, Path(table.source), progress)
    else:
        n, accepted, rejects = checker.run(rows)
    notes = []
    if table.header_line > 1:
        notes.append(f"header found on line {table.header_line}; the lines above it were skipped")
    notes += [*cols.notes, *checker.notes]
    return _result(checker, n, accepted, rejects, notes, table.describe(), why)


def _run_plain(checker: _Checker, plain: Columns, path: Path, progress: Progress | None):
    """:meth:`_Checker.run_columns`, with progress (in bytes, as the standard reader's) for
    a file as long as those for which that reader shows some: half when read, all when
    checked."""
    total = path.stat().st_size
    if progress is not None and plain.rows >= PROGRESS_EVERY:
        progress(total // 2, total)
    result = checker.run_columns(plain)
    if progress is not None:
        progress(total, total)
    return result


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
