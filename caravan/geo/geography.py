"""The built-in geography: 3 provinces, 25 districts, 228 tambons, their visit sites and bases.

Everything is read from ``data/geo/`` (built by ``caravan data build``, see its README).
Visit sites can be moved with a small CSV (``code,lon,lat``), for a district, a tambon or a
base (``BASE65``); :func:`read_site_overrides` reads it and every bad line is an error that
names the file, the line and the field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from caravan.codes import norm_code
from caravan.errors import InputError, ParameterError
from caravan.folders import data_path
from caravan.types import LEVELS, PROVINCES, Level, Site


@dataclass(frozen=True)
class Geography:
    """All sites, keyed by code, plus boundaries on demand."""

    sites: Mapping[str, Site]

    def site(self, code: str) -> Site:
        try:
            return self.sites[code]
        except KeyError:
            raise ParameterError(f"unknown site code '{code}'") from None

    def candidates(self, *, level: Level, provinces: Iterable[str]) -> list[Site]:
        wanted = set(provinces)
        return sorted(
            (s for s in self.sites.values() if s.level == level and s.province_code in wanted),
            key=lambda s: s.code,
        )

    def base(self, province_code: str) -> Site:
        return self.sites["BASE" + province_code]

    def plan_sites(self, *, level: Level, provinces: Iterable[str]) -> list[Site]:
        """The sites of a plan, in the order of its travel matrix: the provinces' bases (in
        the order given), then the candidates by code. ``caravan matrix`` writes the same."""
        provinces = list(provinces)
        return [self.base(p) for p in provinces] + self.candidates(level=level, provinces=provinces)

    def with_overrides(
        self, overrides: Mapping[str, tuple[float, float]], source: str = "override"
    ) -> Geography:
        sites = dict(self.sites)
        for code, (lon, lat) in overrides.items():
            sites[code] = replace(sites[code], lon=lon, lat=lat, site_source=source)
        return Geography(sites=sites)

    def with_base_at(self, province_code: str, code: str) -> Geography:
        """Move a province's base to the visit site of ``code`` (a district or tambon)."""
        target = self.site(code)
        if target.is_base or target.province_code != province_code:
            raise ParameterError(
                f"'{code}' is not a district or tambon of province {province_code}",
                param="--base",
            )
        sites = dict(self.sites)
        key = "BASE" + province_code
        pname_th, pname_en = PROVINCES[province_code]
        sites[key] = replace(
            sites[key],
            name_th=f"ฐาน {pname_th} ({target.name_th})",
            name_en=f"{pname_en} base ({target.name_en})",
            district_code=target.district_code,
            lon=target.lon,
            lat=target.lat,
            site_source=f"base at {code}",
        )
        return Geography(sites=sites)


@cache
def _area_by_code() -> dict[str, float]:
    areas = {}
    for name in ("districts.geojson", "tambons.geojson"):
        for feat in boundaries_raw(name):
            areas[feat["properties"]["code"]] = float(feat["properties"]["area_km2"])
    return areas


@cache
def boundaries_raw(name: str) -> tuple[dict, ...]:
    """The features of ``districts.geojson``, ``tambons.geojson`` or ``provinces.geojson``."""
    text = data_path("geo", name).read_text(encoding="utf-8")
    return tuple(json.loads(text)["features"])


def boundaries(level: Level | str, provinces: Iterable[str] | None = None) -> list[dict]:
    name = {
        "district": "districts.geojson",
        "tambon": "tambons.geojson",
        "province": "provinces.geojson",
    }[level]
    wanted = set(provinces) if provinces is not None else set(PROVINCES)
    out = []
    for feat in boundaries_raw(name):
        p = feat["properties"]
        pcode = p.get("province_code", p["code"])
        if pcode in wanted:
            out.append(feat)
    return out


@cache
def load_geography() -> Geography:
    """The built-in geography (cached; the objects are immutable)."""
    areas = _area_by_code()
    sites: dict[str, Site] = {}
    with open(data_path("geo", "sites.csv"), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sites[row["code"]] = Site(
                code=row["code"],
                level=row["level"],  # type: ignore[arg-type]
                name_th=row["name_th"],
                name_en=row["name_en"],
                province_code=row["province_code"],
                district_code=row["district_code"],
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                area_km2=areas.get(row["code"], 0.0),
                site_source=row["site_source"],
            )
    return Geography(sites=sites)


def check_province(code: str) -> str:
    code = code.strip()
    if code not in PROVINCES:
        known = ", ".join(sorted(PROVINCES))
        raise ParameterError(f"unknown province '{code}' (choose from {known})", param="--province")
    return code


def check_level(level: str) -> Level:
    if level not in LEVELS:
        raise ParameterError(
            f"unknown level '{level}' (choose from district, tambon)", param="--level"
        )
    return level  # type: ignore[return-value]


def read_small_csv(
    path: str | Path, columns: Sequence[str], *, expected: str
) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """A small UTF-8 CSV (a BOM is fine) with the header ``columns`` (in any order, more
    allowed): (the file's name, the header in lower case, (line, cells) of each non-empty
    row). Every problem is an :class:`InputError` naming the file and the line; ``expected``
    is the header the messages show."""
    path = Path(path)
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=src) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=src) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"empty file (expected the header {expected})", source=src, line=1)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(f"missing column '{missing[0]}' (expected {expected})", source=src, line=1)
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise InputError(
                f"expected {len(header)} fields, found {len(row)}", source=src, line=line
            )
        out.append((line, row))
    return src, header, out


def read_site_overrides(
    path: str | Path, geography: Geography | None = None
) -> dict[str, tuple[float, float]]:
    """Read a ``code,lon,lat`` CSV. A moved site must stay inside its own district or tambon
    (bases may go anywhere in their province)."""
    from shapely.geometry import Point, shape

    geography = geography or load_geography()
    src, header, rows = read_small_csv(path, ("code", "lon", "lat"), expected="code,lon,lat")
    ci, xi, yi = (header.index(c) for c in ("code", "lon", "lat"))
    shapes = {}
    for name in ("districts.geojson", "tambons.geojson", "provinces.geojson"):
        for feat in boundaries_raw(name):
            shapes[feat["properties"]["code"]] = feat["geometry"]
    out: dict[str, tuple[float, float]] = {}
    for lineno, row in rows:
        code = norm_code(row[ci])
        if code.upper().startswith("BASE"):
            code = code.upper()
        if code not in geography.sites:
            raise InputError(
                f"unknown code '{row[ci].strip()}'", source=src, line=lineno, field="code"
            )
        values = []
        for idx, name, lo, hi in ((xi, "lon", -180, 180), (yi, "lat", -90, 90)):
            try:
                v = float(row[idx])
            except ValueError:
                raise InputError(
                    f"not a number: '{row[idx].strip()}'", source=src, line=lineno, field=name
                ) from None
            if not lo <= v <= hi:
                raise InputError(f"out of range: {v}", source=src, line=lineno, field=name)
            values.append(v)
        lon, lat = values
        site = geography.sites[code]
        area = site.province_code if site.is_base else site.code
        if not shape(shapes[area]).buffer(0.001).covers(Point(lon, lat)):
            what = "province" if site.is_base else site.level
            raise InputError(
                f"point {lon:.6f},{lat:.6f} lies outside {what} {area} ({site.name_en})",
                source=src,
                line=lineno,
                field="lon",
            )
        if code in out:
            raise InputError(f"code '{code}' appears twice", source=src, line=lineno, field="code")
        out[code] = (lon, lat)
    return out
