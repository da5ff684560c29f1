"""Place a complaint in a district and tambon from codes, names or coordinates.

* **Codes**: DOPA codes, 2 digits for a province, 4 for a district, 6 for a tambon, with or
  without a ``TH`` prefix, in Thai or Arabic digits. The 8-digit DOPA forms are read too
  (``35010000`` district 3501, ``35010100`` tambon 350101, ``35010105`` village 5 of tambon
  350101).
* **Names**: Thai or English, with or without the level words and their short forms
  (จังหวัด/จ., อำเภอ/อ./กิ่งอำเภอ, ตำบล/ต., เขต, แขวง, Changwat, Amphoe, Tambon, "District",
  "Province"), and whatever spaces, dots, hyphens or apostrophes are in them. When a name is
  not found as written, a looser comparison is tried: without Thai tone marks, and for
  English names with the usual romanisation variants (Muang/Mueang, Pitsanulok/Phitsanulok,
  Nakorn/Nakhon). ``เมือง``/``Mueang`` alone is the Mueang district of the row's province.
* **Coordinates**: WGS84 latitude and longitude, placed in the tambon whose boundary covers
  the point; a point in the thin gaps the simplified boundaries leave (within
  :data:`GAP_TOLERANCE_DEG`, about 200 m, of a tambon) goes to the nearest tambon. A row with
  both names and a point is placed by its names, and the point must agree with them: it lies
  in the named tambon (or district), or within :data:`AGREE_TOLERANCE_DEG` (about 550 m) of
  it; otherwise the row is a ``place mismatch`` naming both places.

A tambon name that exists in more than one district (ในเมือง, นาเวียง) is resolved by the
district or province given in the same row, or the row is rejected as ambiguous. Names and
codes of places outside the three provinces are recognised (the official lists of the
``geothai`` package) so that such rows are rejected with that reason rather than as
unknown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

import numpy as np

from caravan.codes import code_digits
from caravan.complaints.privacy import described
from caravan.geo.geography import Geography
from caravan.text import clean
from caravan.types import PROVINCES

GAP_TOLERANCE_DEG = 0.002  # ~ 200 m
#: a point within this of the tambon (or district) its row names agrees with the names: the
#: platforms place points with boundaries of their own, which differ from the simplified ones
#: here by up to a few hundred metres
AGREE_TOLERANCE_DEG = 0.005  # ~ 550 m


@dataclass(frozen=True, slots=True)
class Bad:
    """Why a value cannot be used: ``kind`` groups the reasons in the counts."""

    kind: str
    field: str
    reason: str


OUTSIDE = "outside the three provinces"
UNKNOWN = "unknown place"
AMBIGUOUS = "ambiguous place"
MISMATCH = "place mismatch"
NO_LOCATION = "no location"
BAD_COORDINATES = "bad coordinates"

_LEVEL_WORDS = re.compile(
    r"^(?:จังหวัด|จ\s*\.|กิ่ง\s*อำเภอ|กิ่ง\s*อ\s*\.|อำเภอ|อ\s*\.|เขต|ตำบล|ต\s*\.|แขวง"
    r"|changwat|king\s+amphoe|amphoe|amphur|amphor|amphoe|khet|tambon|khwaeng"
    r"|province\s+of|district\s+of)\s*",
    re.IGNORECASE,
)
_LEVEL_SUFFIX = re.compile(r"\s*\b(?:province|sub-?district|district)$", re.IGNORECASE)
_NAME_MARKS = re.compile(r"[\s.,'’\-_/()]+")
_TONE_MARKS = re.compile("[\u0e47-\u0e4c]")  # maitaikhu, tone marks, thanthakhat
_ROMAN = (("ue", "u"), ("oe", "o"), ("ph", "p"), ("th", "t"), ("kh", "k"), ("ch", "c"))
_DOUBLE = re.compile(r"(.)\1+")
MUEANG_KEYS = frozenset({"เมือง", "mueang", "muang"})


def name_key(text: str) -> str:
    """The form in which place names are compared: no level word, no spaces, dots,
    hyphens or apostrophes, lower case."""
    t = clean(text).casefold()
    previous = None
    while t != previous:
        previous = t
        t = _LEVEL_WORDS.sub("", t)
    t = _LEVEL_SUFFIX.sub("", t)
    return _NAME_MARKS.sub("", t)


def loose_key(key: str) -> str:
    """A looser form of :func:`name_key`: Thai without tone marks; English with common
    romanisation variants folded (ue/u, ph/p, th/t, kh/k, ch/c, orn/on, double letters)."""
    if key.isascii():
        for a, b in _ROMAN:
            key = key.replace(a, b)
        key = key.replace("orn", "on")
        return _DOUBLE.sub(r"\1", key)
    return _TONE_MARKS.sub("", key)


def _dopa(digits: str) -> str:
    """8-digit DOPA forms to 2, 4 or 6 digits; other lengths unchanged."""
    if len(digits) == 8:
        if digits[2:] == "000000":
            return digits[:2]
        if digits[4:] == "0000":
            return digits[:4]
        return digits[:6]
    return digits


class _NameIndex:
    def __init__(self) -> None:
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.loose: dict[str, list[str]] = defaultdict(list)

    def add(self, name: str, code: str) -> None:
        key = name_key(name)
        if not key:
            return
        if code not in self.exact[key]:
            self.exact[key].append(code)
        lk = loose_key(key)
        if code not in self.loose[lk]:
            self.loose[lk].append(code)

    def find(self, text: str) -> list[str]:
        key = name_key(text)
        if not key:
            return []
        found = self.exact.get(key)
        if found is None:
            found = self.loose.get(loose_key(key), [])
        return sorted(found)


@cache
def _national() -> tuple[_NameIndex, _NameIndex, _NameIndex, dict[str, str]]:
    """Every province, district and subdistrict of Thailand (geothai), by name; and the
    English name of every province by code."""
    import geothai

    provinces, districts, tambons = _NameIndex(), _NameIndex(), _NameIndex()
    names = {}
    for p in geothai.provinces():
        names[p.code] = p.name_en
        for n in (p.name_th, p.name_en):
            provinces.add(n, p.code)
        for d in geothai.districts(p.code):
            for n in (d.name_th, d.name_en):
                districts.add(n, d.code)
            for s in geothai.subdistricts(d.code):
                for n in (s.name_th, s.name_en):
                    tambons.add(n, s.code)
    for alias in ("กทม", "กรุงเทพ", "กรุงเทพฯ", "bangkok", "krung thep"):
        provinces.add(alias, "10")
    return provinces, districts, tambons, names


def province_name_en(code: str) -> str:
    if code in PROVINCES:
        return PROVINCES[code][1]
    return _national()[3].get(code, "")


def _in_provinces(codes: Sequence[str]) -> str:
    names = sorted({province_name_en(c[:2]) or c[:2] for c in codes})
    more = f" and {len(names) - 3} more provinces" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


class Placer:
    """Resolve the province, district and tambon columns of a row (cache the results per
    distinct triple: this class does not)."""

    LEVELS: ClassVar[dict[str, int]] = {"province": 2, "district": 4, "tambon": 6}

    def __init__(self, geography: Geography) -> None:
        self.geo = geography
        self.names = {lvl: _NameIndex() for lvl in self.LEVELS}
        self.label: dict[str, str] = {}
        for code, (th, en) in PROVINCES.items():
            for n in (th, en, code):
                self.names["province"].add(n, code)
            self.label[code] = f"{code} {th}"
        for s in geography.sites.values():
            if s.is_base:
                continue
            for n in (s.name_th, s.name_en):
                self.names[s.level].add(n, s.code)
            self.label[s.code] = f"{s.code} {s.name_th}"
            if s.level == "district" and s.name_th.startswith("เมือง"):
                for k in MUEANG_KEYS:
                    self.names["district"].add(k, s.code)
        self._tree = None
        self._near: dict[str, list] = {}  # code prefix -> its tambons' shapes (near())

    # ----------------------------------------------------------------- one field
    def candidates(
        self, level: str, value: str, provinces: Sequence[str] | None
    ) -> list[str] | Bad:
        """Codes of ``level`` that ``value`` (a code or a name) can mean, in the three
        provinces, or why none. ``provinces`` narrows the outside-or-unknown decision."""
        digits = code_digits(value)
        if digits is not None:
            return self._by_code(level, _dopa(digits), value)
        found = self.names[level].find(value)
        if found:
            return found
        shown_value = _quoted(value)
        prov_i, dist_i, tam_i, _ = _national()
        elsewhere = {"province": prov_i, "district": dist_i, "tambon": tam_i}[level].find(value)
        if provinces:
            where = ", ".join(PROVINCES[p][1] for p in provinces)
            if not elsewhere:  # no place of that name anywhere: perhaps not a place at all
                return Bad(
                    UNKNOWN, level, f"no {level} of that name in {where} ({described(value)})"
                )
            return Bad(UNKNOWN, level, f"no {level} named {shown_value} in {where}")
        if elsewhere and level == "province":
            return Bad(OUTSIDE, level, f"{OUTSIDE}: province {shown_value}")
        if elsewhere:
            return Bad(
                OUTSIDE, level, f"{OUTSIDE}: {level} {shown_value} is in {_in_provinces(elsewhere)}"
            )
        return Bad(UNKNOWN, level, f"unknown {level} name ({described(value)})")

    def known(self, level: str, value: str) -> bool:
        """True when ``value`` is written like a code or names a ``level`` place anywhere in
        Thailand: what ``rejects.csv`` may show of a place column."""
        if not value.strip() or code_digits(value) is not None:
            return True
        index = dict(zip(self.LEVELS, _national()[:3], strict=True))[level]
        return bool(self.names[level].find(value) or index.find(value))

    def _by_code(self, level: str, code: str, value: str) -> list[str] | Bad:
        want = self.LEVELS[level]
        if len(code) != want:
            return Bad(UNKNOWN, level, f"not a {want}-digit {level} code: {_quoted(value)}")
        if code[:2] not in PROVINCES:
            where = province_name_en(code[:2])
            if where and level == "province":
                where = f" ({where})"
            elif where:
                where = f" is in {where}"
            return Bad(OUTSIDE, level, f"{OUTSIDE}: {level} code '{code}'{where}")
        if level == "province":
            return [code]
        site = self.geo.sites.get(code)
        if site is None or site.level != level:
            return Bad(UNKNOWN, level, f"unknown {level} code '{code}'")
        return [code]

    # ----------------------------------------------------------------- a row
    def place(self, province: str, district: str, tambon: str) -> tuple[str, str, str] | Bad | None:
        """(province, district, tambon) codes, a :class:`Bad`, or ``None`` when the row
        names neither a district nor a tambon (then its coordinates are used)."""
        pcodes: list[str] | None = None
        if province:
            p = self.candidates("province", province, None)
            if isinstance(p, Bad):
                return p
            pcodes = p
        if not tambon and not district:
            return None
        dcodes: list[str] | None = None
        if district:
            d = self.candidates("district", district, pcodes)
            if isinstance(d, Bad):
                return d
            dcodes = d
        if tambon:
            t = self.candidates("tambon", tambon, pcodes)
            if isinstance(t, Bad):
                return t
            fits = [
                c
                for c in t
                if (dcodes is None or c[:4] in dcodes) and (pcodes is None or c[:2] in pcodes)
            ]
            if len(fits) == 1:
                return fits[0][:2], fits[0][:4], fits[0]
            what = self._what("tambon", tambon, t)
            if not fits:
                if dcodes is not None and not any(c[:4] in dcodes for c in t):
                    return Bad(
                        MISMATCH, "district", f"{what} is not in district {_quoted(district)}"
                    )
                return Bad(MISMATCH, "province", f"{what} is not in province {_quoted(province)}")
            return self._ambiguous("tambon", tambon, fits, "district or province")
        assert dcodes is not None
        fits = [c for c in dcodes if pcodes is None or c[:2] in pcodes]
        if len(fits) == 1:
            return fits[0][:2], fits[0], ""
        if not fits:
            what = self._what("district", district, dcodes)
            return Bad(MISMATCH, "province", f"{what} is not in province {_quoted(province)}")
        return self._ambiguous("district", district, fits, "province")

    def _what(self, level: str, value: str, codes: Sequence[str]) -> str:
        if code_digits(value) is not None:
            return f"{level} {codes[0]}"
        return f"{level} {_quoted(value)}"

    def _ambiguous(self, level: str, value: str, codes: Sequence[str], give: str) -> Bad:
        parent = "district" if level == "tambon" else "province"
        places = ", ".join(
            self.label.get(c[:4] if level == "tambon" else c[:2], c) for c in codes[:4]
        )
        return Bad(
            AMBIGUOUS,
            level,
            f"{level} name {_quoted(value)} is in {len(codes)} {parent}s ({places}); "
            f"give the {give}",
        )

    # ----------------------------------------------------------------- points
    def place_points(self, lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
        """The tambon code covering each point (lon/lat), or ``None`` outside the provinces.
        Where boundaries overlap, the lowest tambon code wins."""
        import shapely

        self._index()
        n = len(lons)
        out: list[str | None] = [None] * n
        if n == 0:
            return out
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        best = np.full(n, -1, dtype=np.int64)
        pts_idx, tree_idx = self._tree.query(points, predicate="covered_by")
        if len(pts_idx):
            order = np.lexsort((tree_idx, pts_idx))
            pts_sorted, tree_sorted = pts_idx[order], tree_idx[order]
            first = np.ones(len(pts_sorted), dtype=bool)
            first[1:] = pts_sorted[1:] != pts_sorted[:-1]
            best[pts_sorted[first]] = tree_sorted[first]
        missing = np.flatnonzero(best < 0)
        if len(missing):
            near_pts, near_tree = self._tree.query_nearest(
                points[missing], max_distance=GAP_TOLERANCE_DEG, all_matches=False
            )
            best[missing[near_pts]] = near_tree
        for i in np.flatnonzero(best >= 0):
            out[i] = self._codes[best[i]]
        return out

    def _index(self) -> None:
        """The tambon boundaries (lowest code first) and their spatial index, made once."""
        from shapely import STRtree
        from shapely.geometry import shape

        from caravan.geo.geography import boundaries

        if self._tree is None:
            feats = sorted(boundaries("tambon"), key=lambda f: f["properties"]["code"])
            self._codes = [f["properties"]["code"] for f in feats]
            self._tree = STRtree([shape(f["geometry"]) for f in feats])

    def in_tambons(
        self, tambons: Sequence[str], which: np.ndarray, lons: np.ndarray, lats: np.ndarray
    ) -> np.ndarray:
        """Whether each point lies in (or on the edge of) the tambon ``tambons[which[i]]``
        (``which`` -1, an empty or an unknown code: False). Such a point agrees with a row
        that names that tambon whatever :meth:`place_points` says (see :meth:`near`): one
        polygon test per point, the points of each tambon together."""
        import shapely

        self._index()
        out = np.zeros(len(which), dtype=bool)
        shapes = dict(zip(self._codes, self._tree.geometries, strict=True))
        order = np.argsort(which, kind="stable")
        grouped = which[order]
        starts = np.flatnonzero(np.diff(grouped, prepend=-2))
        for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
            k = int(grouped[start])
            shape = shapes.get(tambons[k]) if k >= 0 else None
            if shape is not None:
                rows = order[start:end]
                shapely.prepare(shape)
                out[rows] = shapely.intersects_xy(shape, lons[rows], lats[rows])
        return out

    # ----------------------------------------------------------------- names and points
    def near(self, place: tuple[str, str, str], lon: float, lat: float) -> bool:
        """Whether a point lies within :data:`AGREE_TOLERANCE_DEG` of the tambon (or, with
        no tambon, the district) of ``place`` (after :meth:`place_points`)."""
        import shapely

        prefix = place[2] or place[1]
        shapes = self._near.get(prefix)
        if shapes is None:
            shapes = self._near[prefix] = [
                g for c, g in zip(self._codes, self._tree.geometries, strict=True)
                if c.startswith(prefix)
            ]  # fmt: skip
        point = shapely.Point(lon, lat)
        return any(shapely.distance(point, g) <= AGREE_TOLERANCE_DEG for g in shapes)

    def point_label(self, code: str | None) -> str:
        """Where :meth:`place_points` put a point, in words."""
        if code is None:
            return OUTSIDE
        return f"in tambon {self.label.get(code, code)} ({self.label.get(code[:4], code[:4])})"

    def place_label(self, place: tuple[str, str, str]) -> str:
        if place[2]:
            return f"tambon {self.label.get(place[2], place[2])} ({self.label.get(place[1], '')})"
        return f"district {self.label.get(place[1], place[1])}"


def _quoted(value: str) -> str:
    from caravan.complaints.privacy import shown

    return shown(value)
