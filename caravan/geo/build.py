"""Build ``data/geo/`` from the source files in ``../shared/geo`` (``caravan data build``).

The build is deterministic: the same source files give byte-identical output, so a test can
rebuild into a temporary folder and compare with what is committed. The rules for choosing
each visit site are written out in ``data/geo/README.md``; they are implemented here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from shapely.geometry import Point, shape

from caravan.atomic import atomic_write_text
from caravan.errors import InputError

SOURCE_FILES = (
    "districts_3prov.geojson",
    "tambons_3prov.geojson",
    "provinces_3prov.geojson",
    "district_seats.csv",
    "offices_yasothon_gistda.geojson",
    "roads_vmap0_3prov.geojson",
)

OUTPUT_FILES = (
    "districts.geojson",
    "tambons.geojson",
    "provinces.geojson",
    "roads.geojson",
    "sites.csv",
    "sources.json",
)

SITES_COLUMNS = (
    "level",
    "code",
    "name_th",
    "name_en",
    "province_code",
    "district_code",
    "lon",
    "lat",
    "site_source",
)


def _read_geojson(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", source=str(path), line=exc.lineno) from None
    return sorted(data["features"], key=lambda f: f["properties"].get("code", ""))


def _whole_arc_minutes(value: float) -> bool:
    minutes = value * 60
    return abs(minutes - round(minutes)) < 0.01


def _round6(x: float) -> float:
    return round(float(x), 6)


def _choose_district_sites(districts, tambons, seats, offices):
    """Return {district_code: (lon, lat, source)}."""
    tambon_shapes = [(t["properties"], shape(t["geometry"])) for t in tambons]
    office_by_district = {o["district_code"]: o for o in offices if o["kind"] == "district_office"}
    chosen = {}
    for feat in districts:
        p = feat["properties"]
        code = p["code"]
        poly = shape(feat["geometry"])
        if code in office_by_district:
            o = office_by_district[code]
            if not poly.covers(Point(o["lon"], o["lat"])):
                raise InputError(
                    f"district office of {code} lies outside the district",
                    source="offices_yasothon_gistda.geojson",
                )
            chosen[code] = (o["lon"], o["lat"], "gistda_district_office")
            continue
        seat = seats.get(code)
        if seat is not None:
            pt = Point(seat[0], seat[1])
            precise = not (_whole_arc_minutes(seat[0]) and _whole_arc_minutes(seat[1]))
            if poly.covers(pt) and precise:
                chosen[code] = (seat[0], seat[1], "wikipedia_seat")
                continue
            if poly.covers(pt):
                # Imprecise seat (whole arc-minutes, +-1 km): use the label point of the
                # tambon that holds it, which is inside the district by construction.
                for tp, tshape in tambon_shapes:
                    if tp["district_code"] == code and tshape.covers(pt):
                        chosen[code] = (tp["label_lon"], tp["label_lat"], "seat_tambon_label")
                        break
                if code in chosen:
                    continue
        chosen[code] = (p["label_lon"], p["label_lat"], "district_label")
    return chosen


def _choose_tambon_sites(tambons, district_sites, offices):
    sao: dict[str, list[dict]] = {}
    for o in offices:
        if o["kind"] == "tambon_sao_office":
            sao.setdefault(o["tambon_code"], []).append(o)
    chosen = {}
    for feat in tambons:
        p = feat["properties"]
        code = p["code"]
        poly = shape(feat["geometry"])
        if code in sao:
            # Several SAO points in one tambon: take the one nearest the tambon's label point.
            best = min(
                sao[code],
                key=lambda o: (
                    (o["lon"] - p["label_lon"]) ** 2 + (o["lat"] - p["label_lat"]) ** 2,
                    o["name_th"],
                ),
            )
            chosen[code] = (best["lon"], best["lat"], "gistda_sao_office")
            continue
        dlon, dlat, dsrc = district_sites[p["district_code"]]
        if poly.covers(Point(dlon, dlat)):
            chosen[code] = (dlon, dlat, dsrc)
            continue
        chosen[code] = (p["label_lon"], p["label_lat"], "tambon_label")
    return chosen


def _feature_line(props: dict, geometry: dict) -> str:
    feat = {"type": "Feature", "properties": props, "geometry": geometry}
    return json.dumps(feat, ensure_ascii=False, separators=(",", ":"))


def _feature_collection(lines: Iterable[str]) -> str:
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source: Path, out: Path) -> dict[str, int]:
    """Build ``out`` (normally ``data/geo``) from ``source`` (normally ``../shared/geo``).

    Returns the number of districts, tambons and bases written.
    """
    source = Path(source)
    out = Path(out)
    for name in SOURCE_FILES:
        if not (source / name).is_file():
            raise InputError("source file not found", source=str(source / name))
    districts = _read_geojson(source / "districts_3prov.geojson")
    tambons = _read_geojson(source / "tambons_3prov.geojson")
    provinces = _read_geojson(source / "provinces_3prov.geojson")
    offices = [f["properties"] for f in _read_geojson(source / "offices_yasothon_gistda.geojson")]
    seats: dict[str, tuple[float, float]] = {}
    with open(source / "district_seats.csv", newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                seats[row["code"]] = (float(row["lon"]), float(row["lat"]))
            except (KeyError, ValueError):
                raise InputError(
                    "lon/lat is not a number", source="district_seats.csv", line=line, field="lon"
                ) from None

    district_sites = _choose_district_sites(districts, tambons, seats, offices)
    tambon_sites = _choose_tambon_sites(tambons, district_sites, offices)

    d_lines, t_lines, p_lines = [], [], []
    site_rows = []
    for feat in districts:
        p = feat["properties"]
        lon, lat, src = district_sites[p["code"]]
        props = {
            "code": p["code"],
            "name_th": p["name_th"],
            "name_en": p["name_en"],
            "province_code": p["province_code"],
            "province_name_th": p["province_name_th"],
            "province_name_en": p["province_name_en"],
            "area_km2": p["area_km2"],
            "n_tambons": p["n_tambons"],
            "site_lon": _round6(lon),
            "site_lat": _round6(lat),
            "site_source": src,
        }
        d_lines.append(_feature_line(props, feat["geometry"]))
        site_rows.append(
            (
                "district",
                p["code"],
                p["name_th"],
                p["name_en"],
                p["province_code"],
                p["code"],
                _round6(lon),
                _round6(lat),
                src,
            )
        )
    for feat in tambons:
        p = feat["properties"]
        lon, lat, src = tambon_sites[p["code"]]
        props = {
            "code": p["code"],
            "name_th": p["name_th"],
            "name_en": p["name_en"],
            "district_code": p["district_code"],
            "district_name_th": p["district_name_th"],
            "district_name_en": p["district_name_en"],
            "province_code": p["province_code"],
            "province_name_th": p["province_name_th"],
            "province_name_en": p["province_name_en"],
            "area_km2": p["area_km2"],
            "site_lon": _round6(lon),
            "site_lat": _round6(lat),
            "site_source": src,
        }
        t_lines.append(_feature_line(props, feat["geometry"]))
        site_rows.append(
            (
                "tambon",
                p["code"],
                p["name_th"],
                p["name_en"],
                p["province_code"],
                p["district_code"],
                _round6(lon),
                _round6(lat),
                src,
            )
        )
    bases = 0
    for feat in provinces:
        p = feat["properties"]
        p_lines.append(
            _feature_line(
                {
                    "code": p["code"],
                    "name_th": p["name_th"],
                    "name_en": p["name_en"],
                    "area_km2": p["area_km2"],
                },
                feat["geometry"],
            )
        )
        mueang = next(d for d in districts if d["properties"]["code"] == p["code"] + "01")
        mp = mueang["properties"]
        lon, lat, src = district_sites[mp["code"]]
        site_rows.append(
            (
                "base",
                "BASE" + p["code"],
                f"ฐาน {p['name_th']} (ที่ว่าการอำเภอ{mp['name_th']})",
                f"{p['name_en']} base ({mp['name_en']} district office)",
                p["code"],
                mp["code"],
                _round6(lon),
                _round6(lat),
                src,
            )
        )
        bases += 1

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "districts.geojson", _feature_collection(d_lines))
    atomic_write_text(out / "tambons.geojson", _feature_collection(t_lines))
    atomic_write_text(out / "provinces.geojson", _feature_collection(p_lines))
    atomic_write_text(
        out / "roads.geojson",
        _feature_collection(_road_lines(_read_geojson(source / "roads_vmap0_3prov.geojson"))),
    )
    site_rows.sort(key=lambda r: ({"base": 0, "district": 1, "tambon": 2}[r[0]], r[1]))
    lines = [",".join(SITES_COLUMNS)]
    for r in site_rows:
        lines.append(",".join(_csv_cell(v) for v in r))
    atomic_write_text(out / "sites.csv", "\n".join(lines) + "\n")
    manifest = {
        "built_by": "caravan data build",
        "sources": {name: _sha256(source / name) for name in SOURCE_FILES},
    }
    atomic_write_text(
        out / "sources.json",
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
    )
    return {"districts": len(d_lines), "tambons": len(t_lines), "bases": bases}


#: The road layer's classes, as the built-in travel model names them (caravan.travel.roadnet).
ROAD_CLASSES = {
    ("Road", "Primary Route"): "primary",
    ("Road", "Secondary Route"): "secondary",
    ("Road", "Unknown"): "road",
    ("Trail", "Unknown"): "trail",
}


def _road_lines(features: list[dict]) -> list[str]:
    """The coarse main-road layer: one LineString per feature with its ``road_class``."""
    lines = []
    for f in features:
        p, g = f["properties"], f["geometry"]
        key = (p["feature"], p["route_class"])
        if g["type"] != "LineString" or key not in ROAD_CLASSES:
            raise InputError(
                f"unexpected road feature {key} ({g['type']})",
                source="roads_vmap0_3prov.geojson",
            )
        coords = [[_round6(x), _round6(y)] for x, y in g["coordinates"]]
        lines.append(
            _feature_line(
                {"road_class": ROAD_CLASSES[key]}, {"type": "LineString", "coordinates": coords}
            )
        )
    return lines


def _csv_cell(value: object) -> str:
    text = f"{value}"
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
