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
    pseudonym,
    quoted_if,
    screen_id,
    shown,
    shown_coordinate,
    shown_raw,
)
from caravan.complaints.profiles import GENERIC, Profile, detect_profile, load_profile
from caravan.complaints.source import Progress, Table, WrongGuess, open_table
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


@dataclass(slots=True)
class _Pending:
    """A row with coordinates, waiting for the bulk point-in-polygon query: placed by its
    point (``named`` -1), or placed by its names and the point checked against them
    (``named`` = the place index)."""

    position: int  # in the columns
    line: int
    provinces: tuple[str, ...] | None
    cells: tuple[Any, ...]  # the recognised cells only (_Checker.slim): a row's other
    named: int = -1  # columns (free text, photos) are not kept alive until the query


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

    def _provinces(self, value: str) -> tuple[str, ...] | Bad:
        found = self.placer.candidates("province", value, None)
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
        slim_province = next((j for j, r in enumerate(self.recognised) if r[0] == "province"), 0)
        # distinct value -> result (an int index, or a Bad)
        dates: dict[Any, int | Bad] = {}
        stamps: dict[tuple[str, int], int | Bad] = {}  # timestamps: (date, days Bangkok is ahead)
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
                pending.append(_Pending(len(c_id), line, pcodes, self.slim(cells)))
                lons.append(point[0])  # type: ignore[index]
                lats.append(point[1])  # type: ignore[index]
                placed = -1
            elif placed.__class__ is Bad:
                reject(line, placed, cells)  # type: ignore[arg-type]
                continue
            elif i_co < k or i_lat < k:  # names and a point: they must agree
                point = self._named_point(cells, i_lat, i_lon, i_co)
                if point is not None:
                    pending.append(_Pending(len(c_id), line, None, self.slim(cells), placed))  # type: ignore[arg-type]
                    lons.append(point[0])
                    lats.append(point[1])
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
                if pend.named >= 0:
                    bad = self._disagreement(pend.named, code, lon, lat)
                elif code is None:
                    name = "lat" if "coordinates" not in idx else "coordinates"
                    why = f"point near {lat:.2f},{lon:.2f} (lat,lon) is {OUTSIDE}"
                    bad = Bad(OUTSIDE, name, why)
                elif pend.provinces is not None and code[:2] not in pend.provinces:
                    why = (
                        f"point near {lat:.2f},{lon:.2f} (lat,lon) is in province {code[:2]}, "
                        f"not {shown(pend.cells[slim_province])}"
                    )
                    bad = Bad(MISMATCH, "province", why)
                else:
                    c_place[pend.position] = self._place_index((code[:2], code[:4], code))
                    continue
                if bad is not None:
                    reject(pend.line, bad, pend.cells, slim=True)
                    keep[pend.position] = False
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
        cells_of_category = np.asarray(c_cat, dtype=np.int64)
        status = np.asarray(c_st, dtype=np.int8)
        self._count_outcomes(cells_of_category[keep], status[keep])
        status[status == _IRRELEVANT] = STATUSES.index("resolved")
        to_code = np.array([code for code, _ in self._category_cells] or [0], dtype=np.int32)
        table = ComplaintTable(
            ids=c_id,
            line=c_line,
            day=c_day,
            place=c_place,
            places=list(self._places),
            category=to_code[cells_of_category],
            categories=list(self._categories),
            status=status,
            urgency=c_urg,
        )
        if not keep.all():
            table = table.take(keep)
        return n, table, rejects

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
    reading = {"today": today, "geography": geography, "weight": category_weight}
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


def _read_table(table: Table, given, user, *, today, geography, weight) -> ComplaintFile:
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
    n, accepted, rejects = checker.run(rows)
    notes = []
    if table.header_line > 1:
        notes.append(f"header found on line {table.header_line}; the lines above it were skipped")
    notes += [*cols.notes, *checker.notes]
    return _result(checker, n, accepted, rejects, notes, table.describe(), why)


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
