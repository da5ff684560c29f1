"""``caravan export``: one plan, many file formats, each written atomically.

======== ================== ==========================================================
format   default file name  what
======== ================== ==========================================================
csv      itinerary.csv      the itinerary, as ``caravan plan`` writes it (UTF-8 + BOM)
ics      itinerary.ics      one calendar event per visit (:mod:`caravan.outputs.ics`)
geojson  plan.geojson       routes and stops for a GIS (:mod:`caravan.outputs.geojson`)
html     itinerary.html     printable itinerary, one A4 page per unit-day
                            (:mod:`caravan.outputs.printable`)
png      map.png            the plan map as a picture (:mod:`caravan.outputs.staticmap`)
map      map.html           the interactive map (:mod:`caravan.outputs.maps`)
======== ================== ==========================================================

``calendar="buddhist"`` changes the dates people read (html, png, map); csv, ics and geojson
keep ISO dates so that programs read them right. ``map_assets`` ("inline", the default, or
"cdn") says where ``map.html`` takes Leaflet and jQuery from (:mod:`caravan.outputs.mapassets`);
the other formats need neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caravan.atomic import OutputError, utf8, write_file
from caravan.errors import ParameterError
from caravan.outputs.labels import check_calendar
from caravan.outputs.mapassets import check_map_assets
from caravan.types import WeekPlan

FORMATS: dict[str, str] = {
    "csv": "itinerary.csv",
    "ics": "itinerary.ics",
    "geojson": "plan.geojson",
    "html": "itinerary.html",
    "png": "map.png",
    "map": "map.html",
}
_BY_SUFFIX = {".csv": "csv", ".ics": "ics", ".geojson": "geojson", ".png": "png"}


@dataclass(frozen=True)
class Rendered:
    data: bytes
    note: str = ""  # something the user should know (e.g. no Thai font for the PNG)


def format_for_path(path: str | Path) -> str | None:
    """The format a file name asks for (``.html`` is ambiguous: None)."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def render(
    plan: WeekPlan, fmt: str, *, calendar: str = "gregorian", map_assets: str = "inline"
) -> Rendered:
    """The bytes of ``plan`` in ``fmt``."""
    calendar = check_calendar(calendar)
    map_assets = check_map_assets(map_assets)
    if fmt == "csv":
        from caravan.outputs.itinerary import itinerary_csv

        return Rendered(utf8(itinerary_csv(plan), bom=True))
    if fmt == "ics":
        from caravan.outputs.ics import plan_ics

        return Rendered(plan_ics(plan).encode("utf-8"))
    if fmt == "geojson":
        from caravan.outputs.geojson import plan_geojson_text

        return Rendered(plan_geojson_text(plan).encode("utf-8"))
    if fmt == "html":
        from caravan.outputs.printable import itinerary_html

        return Rendered(itinerary_html(plan, calendar=calendar).encode("utf-8"))
    if fmt == "png":
        from caravan.outputs.staticmap import render_png

        result = render_png(plan, calendar=calendar)
        return Rendered(result.data, result.note)
    if fmt == "map":
        from caravan.outputs.maps import plan_map

        fmap = plan_map(plan, calendar=calendar, assets=map_assets)
        return Rendered(fmap.get_root().render().encode("utf-8"))
    raise ParameterError(
        f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})", param="--format"
    )


def export_plan(
    plan: WeekPlan,
    *,
    fmt: str,
    out: str | Path,
    calendar: str = "gregorian",
    map_assets: str = "inline",
) -> Rendered:
    """Write ``plan`` as ``fmt`` to the file ``out`` (atomically: all or nothing). In a
    folder that holds a plan's files, the file joins them (:mod:`caravan.atomic`)."""
    out = Path(out)
    result = render(plan, fmt, calendar=calendar, map_assets=map_assets)
    folder = out.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write '{out}': '{folder}' is not a folder")
    if out.is_dir():
        raise OutputError(f"cannot write '{out}': it is a folder")
    write_file(out, result.data, join="plan")  # beside a plan: the next plan replaces it
    return result
