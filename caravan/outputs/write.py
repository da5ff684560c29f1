"""Write a plan's files into a folder, all of them or none.

``itinerary.csv``, ``plan.json``, ``rejects.csv``, ``outcome_template.csv``
(:mod:`caravan.outputs.itinerary`, :mod:`caravan.outputs.planfile`), ``map.html``
(:mod:`caravan.outputs.maps`) and ``map.png`` (:mod:`caravan.outputs.staticmap`); other
formats of one plan: :mod:`caravan.outputs.formats`.
"""

from __future__ import annotations

from pathlib import Path

from caravan.atomic import OutputDir, WrittenSet, atomic_write_bytes, atomic_write_text
from caravan.outputs.itinerary import itinerary_csv, outcome_template_csv, rejects_csv
from caravan.outputs.labels import check_calendar
from caravan.outputs.mapassets import check_map_assets
from caravan.outputs.planfile import plan_json
from caravan.types import WeekPlan


def write_plan(
    plan: WeekPlan,
    out: str | Path,
    *,
    with_map: bool = True,
    calendar: str = "gregorian",
    png: bool = False,
    map_assets: str = "inline",
) -> WrittenSet:
    """Write ``itinerary.csv``, ``plan.json``, ``rejects.csv`` (the complaint rows that could
    not be used; only the header when there are none), ``outcome_template.csv`` (for the
    field team, read back by :mod:`caravan.history.outcomes`), ``map.html`` (unless
    ``with_map`` is false) and ``map.png`` (if ``png``) into ``out``: all of them, or none
    if anything fails. ``calendar`` ("gregorian" or "buddhist") is the calendar of the
    dates on the maps; ``map_assets`` ("inline" or "cdn"): Leaflet and jQuery inside
    ``map.html`` or from their CDNs (:mod:`caravan.outputs.mapassets`).

    The files that caravan wrote into ``out`` for an earlier plan and that this plan does not
    write again (``map.png``, an exported ``itinerary.html``...) are removed in the same
    all-or-nothing step, if nobody changed them since (:mod:`caravan.atomic`); the result
    lists them in ``.removed``."""
    calendar = check_calendar(calendar)
    map_assets = check_map_assets(map_assets)
    with OutputDir(out, group="plan") as od:
        atomic_write_text(od.path("itinerary.csv"), itinerary_csv(plan), bom=True)
        atomic_write_text(od.path("plan.json"), plan_json(plan))
        atomic_write_text(od.path("rejects.csv"), rejects_csv(plan), bom=True)
        atomic_write_text(od.path("outcome_template.csv"), outcome_template_csv(plan), bom=True)
        if with_map:
            from caravan.outputs.maps import plan_map

            plan_map(plan, calendar=calendar, assets=map_assets).save(str(od.path("map.html")))
        if png:
            from caravan.outputs.staticmap import render_png

            atomic_write_bytes(od.path("map.png"), render_png(plan, calendar=calendar).data)
    return od.final_paths()
