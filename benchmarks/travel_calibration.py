"""How the built-in travel estimate compares with published road distances.

    python benchmarks/travel_calibration.py [--shared ../shared]

``../shared/geo/road_km_yasothon.csv`` lists road distances from Mueang Yasothon to the other
district seats, as printed by the province and a university tourism page ("about X km").
For each pair this prints the great-circle distance between the built-in visit sites (the
GISTDA district office points), the ratio road / great-circle, and the estimate's road km
and minutes with the default detour factor and speed.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

from caravan.geography import load_geography
from caravan.travel import TravelModel, estimate_matrix, great_circle_m

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = ap.parse_args(argv)
    geo = load_geography()
    model = TravelModel()
    with open(args.shared / "geo" / "road_km_yasothon.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    seen = set()
    ratios = []
    print(
        f"{'from':>5} {'to':>5} {'published km':>12} {'great-circle km':>15} {'ratio':>6} "
        f"{'estimate km':>11} {'estimate min':>12}"
    )
    for r in rows:
        key = (r["from_code"], r["to_code"])
        if key in seen:  # the preferred source comes first
            continue
        seen.add(key)
        a, b = geo.sites[key[0]], geo.sites[key[1]]
        gc_km = float(great_circle_m(a.lon, a.lat, b.lon, b.lat)) / 1000
        m = estimate_matrix([a, b], model)
        ratio = float(r["km"]) / gc_km
        ratios.append(ratio)
        print(
            f"{key[0]:>5} {key[1]:>5} {float(r['km']):12.0f} {gc_km:15.1f} {ratio:6.2f} "
            f"{m.metres[0][1] / 1000:11.1f} {m.seconds[0][1] // 60:12d}"
        )
    print(
        f"ratio road / great-circle: min {min(ratios):.2f}, median "
        f"{statistics.median(ratios):.2f}, max {max(ratios):.2f}; the estimate uses "
        f"{model.detour_factor:g} and {model.speed_kmh:g} km/h"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
