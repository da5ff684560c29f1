"""Where a caravan unit may sleep away from its base: the lodgings of each province.

**Default**: every district site of the unit's province (district offices host government
teams), except the one at the unit's base (a night there is a night at home).

**``--lodging FILE``**: a CSV ``code,name_th,name_en,lon,lat`` with an optional
``province_code`` column (UTF-8, a BOM is fine). The rule, per province:

* a province the file has rows for uses **exactly the file's lodgings** (they replace its
  district offices); a province without rows keeps its district offices;
* a row whose ``code`` is a district's code, with ``name_th``, ``name_en``, ``lon`` and
  ``lat`` left empty, stands for that district's office: list the offices you still want
  beside your own lodgings;
* any other row is a new lodging (a guesthouse, a temple hall, a school): its code must not
  be a district, tambon or base code, and it needs both names and a position;
* a lodging belongs to ``province_code`` when given (so a lodging just across the border
  can serve a province), else to the province its point lies in.

Every bad line is an :class:`~caravan.errors.InputError` naming the file, the line and the
field. New lodgings are :class:`~caravan.types.Site` s of level ``lodging``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from caravan.codes import norm_code
from caravan.errors import InputError
from caravan.geo.geography import Geography, boundaries, read_small_csv
from caravan.types import PROVINCES, Site

COLUMNS = ("code", "name_th", "name_en", "lon", "lat")


def default_lodgings(geo: Geography, province: str) -> list[Site]:
    """The district sites of ``province``, except the one at its base's place."""
    base = geo.base(province)
    return [
        s
        for s in geo.candidates(level="district", provinces=[province])
        if (s.lon, s.lat) != (base.lon, base.lat)
    ]


def lodgings_by_province(
    geo: Geography, provinces: Iterable[str], given: Iterable[Site] = ()
) -> dict[str, tuple[Site, ...]]:
    """province -> its lodgings: the file's (``given``, from :func:`read_lodgings`) where it
    has some for the province, else :func:`default_lodgings`."""
    given = list(given)
    out = {}
    for prov in provinces:
        mine = tuple(s for s in given if s.province_code == prov)
        out[prov] = mine or tuple(default_lodgings(geo, prov))
    return out


def _province_at(lon: float, lat: float) -> str | None:
    from shapely.geometry import Point, shape

    point = Point(lon, lat)
    for feat in boundaries("province"):
        if shape(feat["geometry"]).covers(point):
            return feat["properties"]["code"]
    return None


def _district_at(lon: float, lat: float, province: str) -> str:
    from shapely.geometry import Point, shape

    point = Point(lon, lat)
    for feat in boundaries("district", [province]):
        if shape(feat["geometry"]).covers(point):
            return feat["properties"]["code"]
    return ""


def _number(text: str, name: str, low: float, high: float, src: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"not a number: '{text}'", source=src, line=line, field=name) from None
    if not low <= value <= high:
        raise InputError(f"out of range: {value}", source=src, line=line, field=name)
    return value


def _row_site(cells: Mapping[str, str], geo: Geography, src: str, line: int) -> Site:
    """One row as a lodging site (module docstring)."""
    raw = cells["code"]
    code = norm_code(raw)
    if not code:
        raise InputError("empty code", source=src, line=line, field="code")
    known = geo.sites.get(code) or geo.sites.get(code.upper())
    if known is not None and known.level == "district":
        given = cells.get("province_code", "")
        if given and given != known.province_code:
            raise InputError(
                f"{code} is a district of province {known.province_code}, not {given}",
                source=src,
                line=line,
                field="province_code",
            )
        for name in ("name_th", "name_en", "lon", "lat"):
            if cells[name]:
                raise InputError(
                    f"{code} is a district: leave name_th, name_en, lon and lat empty to lodge "
                    "at its office, or give your lodging its own code",
                    source=src,
                    line=line,
                    field=name,
                )
        return known
    if known is not None:
        raise InputError(
            f"'{raw}' is the code of a {known.level} site: give a lodging its own code",
            source=src,
            line=line,
            field="code",
        )
    for name in ("name_th", "name_en"):
        if not cells[name]:
            raise InputError(
                "empty: a new lodging needs its names", source=src, line=line, field=name
            )
    lon = _number(cells["lon"], "lon", -180, 180, src, line)
    lat = _number(cells["lat"], "lat", -90, 90, src, line)
    prov = cells.get("province_code", "")
    if prov:
        if prov not in PROVINCES:
            raise InputError(
                f"unknown province '{prov}' (choose from {', '.join(sorted(PROVINCES))})",
                source=src,
                line=line,
                field="province_code",
            )
    else:
        found = _province_at(lon, lat)
        if found is None:
            raise InputError(
                f"point {lon:.6f},{lat:.6f} lies in none of the provinces caravan knows: give "
                "its province_code",
                source=src,
                line=line,
                field="lon",
            )
        prov = found
    return Site(
        code=code,
        level="lodging",
        name_th=cells["name_th"],
        name_en=cells["name_en"],
        province_code=prov,
        district_code=_district_at(lon, lat, prov),
        lon=lon,
        lat=lat,
        site_source=f"lodging ({Path(src).name})",
    )


def read_lodgings(path: str | Path, geography: Geography) -> tuple[Site, ...]:
    """Read a ``--lodging`` file (module docstring)."""
    src, header, rows = read_small_csv(
        path, COLUMNS, expected=f"{','.join(COLUMNS)}[,province_code]"
    )
    out: dict[str, Site] = {}
    for line, row in rows:
        cells = {h: row[i].strip() for i, h in enumerate(header)}
        site = _row_site(cells, geography, src, line)
        if site.code in out:
            raise InputError(
                f"code '{site.code}' appears twice", source=src, line=line, field="code"
            )
        out[site.code] = site
    if not out:
        raise InputError("no lodging in the file", source=src, line=2)
    return tuple(out.values())
