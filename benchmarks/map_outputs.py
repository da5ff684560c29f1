"""Size and time of every map and export for the biggest plan a planner makes.

All three provinces at tambon level, two units, five days, on the built-in sample. Prints
how long finding the roads of the plan's legs took (:mod:`caravan.plan.legs`) and how many
points they hold, then, per output, its size in bytes and the seconds it took to render
(one run each, after a warm-up of the geometry cache): ``map`` is map.html as caravan
writes it (Leaflet and jQuery inside), ``map-cdn`` with ``--map-assets cdn``. The size of
map.html is the number issue 5 bounds (3 MB).

    python benchmarks/map_outputs.py [--units N] [--level district|tambon]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import time

from common import add_travel_option, travel_model

from caravan.outputs.formats import render
from caravan.outputs.mapdata import density_layer_data
from caravan.plan.legs import with_leg_lines
from caravan.plan.week import plan_week


def main() -> None:
    ap = argparse.ArgumentParser()
    add_travel_option(ap)
    ap.add_argument("--units", type=int, default=2)
    ap.add_argument("--level", default="tambon")
    ap.add_argument("--time-limit", type=float, default=10)
    args = ap.parse_args()
    travel = travel_model(args)
    plan = plan_week(
        travel=travel,
        level=args.level,
        units=args.units,
        week="2026-W49",
        today=dt.date(2026, 11, 27),
        time_limit=args.time_limit,
    )
    print(
        f"plan: 3 provinces, {args.level} level, {args.units} unit(s) x 5 days: "
        f"{len(plan.routes)} unit-days, {len(plan.visits)} visits "
        f"({platform.python_version()}, {platform.machine()})"
    )
    start = time.perf_counter()
    with_leg_lines(dataclasses.replace(plan, legs={}))
    took = time.perf_counter() - start
    points = sum(len(line) for line in plan.legs.values())
    print(f"leg lines: {len(plan.legs)} legs, {points} points, found in {took:.2f} s")
    density_layer_data(plan, args.level)  # simplify the geometry once (cached)
    print(f"{'output':<10}{'bytes':>12}{'seconds':>10}")
    for fmt in ("map", "map-cdn", "png", "html", "ics", "geojson", "csv"):
        start = time.perf_counter()
        if fmt == "map-cdn":
            data = render(plan, "map", map_assets="cdn").data
        else:
            data = render(plan, fmt).data
        took = time.perf_counter() - start
        print(f"{fmt:<10}{len(data):>12,}{took:>10.2f}")


if __name__ == "__main__":
    main()
