"""``caravan districts``: the districts or tambons with their codes, names and visit sites.

As a table (:func:`site_rows`, for the terminal or CSV) or as GeoJSON with the areas'
boundaries (:func:`sites_geojson`).
"""

from __future__ import annotations

from collections.abc import Sequence

from caravan.geo.geography import Geography, boundaries

SITE_COLUMNS = (
    "code",
    "name_th",
    "name_en",
    "province_code",
    "district_code",
    "area_km2",
    "site_lon",
    "site_lat",
    "site_source",
)


def site_rows(geo: Geography, *, level: str, provinces: Sequence[str]) -> list[tuple[str, ...]]:
    """One row per district or tambon, the columns :data:`SITE_COLUMNS`, as text."""
    return [
        (
            s.code,
            s.name_th,
            s.name_en,
            s.province_code,
            s.district_code,
            f"{s.area_km2:.2f}",
            f"{s.lon:.6f}",
            f"{s.lat:.6f}",
            s.site_source,
        )
        for s in geo.candidates(level=level, provinces=provinces)
    ]


def sites_geojson(geo: Geography, *, level: str, provinces: Sequence[str]) -> dict:
    """A FeatureCollection: each area's boundary with its site's properties."""
    by_code = {s.code: s for s in geo.candidates(level=level, provinces=provinces)}
    feats = []
    for f in boundaries(level, provinces):
        s = by_code[f["properties"]["code"]]
        feats.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "code": s.code,
                    "name_th": s.name_th,
                    "name_en": s.name_en,
                    "province_code": s.province_code,
                    "district_code": s.district_code,
                    "area_km2": s.area_km2,
                    "site_lon": s.lon,
                    "site_lat": s.lat,
                    "site_source": s.site_source,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}
