"""How the travel models compare with published road distances, in all three provinces.

    python benchmarks/travel_calibration.py [--shared ../shared] [--set NAME=VALUE ...]

Published figures ("about X km" from the provincial town to each district):

* Yasothon: ``../shared/geo/road_km_yasothon.csv`` (the province's site, a university
  tourism page, Wikipedia);
* Phitsanulok and Amnat Charoen: ``benchmarks/road_km_published.csv`` (district agriculture
  and community-development offices, municipalities, hospitals, Wikipedia, a travel site;
  each row names its source).

Where sources differ the first row (the preferred source) is used; a second reading takes
the error to the nearest published figure of the pair. A figure shorter than the
straight line between the two district offices cannot be a road distance between them (it
was measured between other points, such as the edges of the towns): it is listed and left
out of the errors, and a second line gives the errors with it counted.

For each pair this prints the published km, the great-circle km between the built-in visit
sites, and the km and minutes of the built-in road model (``--travel road``) and of the
plain estimate (``--travel straight``), then the median and worst relative error of each
model per province and over all. ``--set`` changes a road-model parameter
(``caravan.travel.roadnet.RoadModel``) to see how much it matters.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

from caravan.geo.geography import load_geography
from caravan.travel.matrix import TravelModel, estimate_matrix
from caravan.travel.roadgraph import great_circle_m
from caravan.travel.roadnet import RoadModel, road_matrix

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[1] / "shared"
PROVINCE_NAMES = {"35": "Yasothon", "65": "Phitsanulok", "37": "Amnat Charoen"}


def published(shared: Path) -> tuple[list[tuple[str, str, float, str]], dict]:
    """(from, to, km, source) per pair, the preferred source of each pair; and every
    figure published for each pair."""
    out, every = [], {}
    for path in (shared / "geo" / "road_km_yasothon.csv", HERE / "road_km_published.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                key = (r["from_code"], r["to_code"])
                if key not in every:
                    out.append((*key, float(r["km"]), r["source_url"]))
                every.setdefault(key, []).append(float(r["km"]))
    return out, every


def _value(text: str):
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.isdigit() else float(text)


def errors_line(label: str, errs: dict[str, list[float]]) -> str:
    parts = []
    every = [e for v in errs.values() for e in v]
    for prov, v in errs.items():
        a = [abs(x) for x in v]
        parts.append(f"{PROVINCE_NAMES[prov]} median {statistics.median(a):.1%} worst {max(a):.1%}")
    a = [abs(x) for x in every]
    return (
        f"{label}: all {len(a)} pairs median {statistics.median(a):.1%} worst {max(a):.1%}"
        f" | " + "; ".join(parts)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    road_model = RoadModel(**{k: _value(v) for k, v in (s.split("=", 1) for s in args.set)})
    straight_model = TravelModel(mode="straight")
    geo = load_geography()
    rows, every = published(args.shared)
    sites = sorted({geo.sites[c] for r in rows for c in r[:2]}, key=lambda s: s.code)
    road = road_matrix(sites, road_model)
    straight = estimate_matrix(sites, straight_model)
    print(f"road model:     {road.model}")
    print(f"straight model: {straight.model}")
    print(
        f"{'from':>5} {'to':>5} {'published':>9} {'straight-line':>13} "
        f"{'road km':>8} {'err':>5} {'min':>4} {'straight km':>11} {'err':>5} {'min':>4}"
    )
    errs: dict[str, dict[str, list[float]]] = {"road": {}, "straight": {}}
    errs_all: dict[str, dict[str, list[float]]] = {"road": {}, "straight": {}}
    errs_range: dict[str, dict[str, list[float]]] = {"road": {}, "straight": {}}
    left_out = []
    for a, b, km, _src in rows:
        sa, sb = geo.sites[a], geo.sites[b]
        gc = float(great_circle_m(sa.lon, sa.lat, sb.lon, sb.lat)) / 1000
        r_km, s_km = road.drive_metres(a, b) / 1000, straight.drive_metres(a, b) / 1000
        r_err, s_err = (r_km - km) / km, (s_km - km) / km
        note = ""
        lo, hi = min(every[a, b]), max(every[a, b])
        for name, e, model_km in (("road", r_err, r_km), ("straight", s_err, s_km)):
            errs_all[name].setdefault(a[:2], []).append(e)
            if km >= gc:  # the error to the nearest published figure
                near = lo if model_km < lo else hi if model_km > hi else model_km
                errs_range[name].setdefault(a[:2], []).append((model_km - near) / near)
        if km < gc:
            left_out.append((a, b, km, gc))
            note = "  (left out: shorter than the straight line)"
        else:
            errs["road"].setdefault(a[:2], []).append(r_err)
            errs["straight"].setdefault(a[:2], []).append(s_err)
        print(
            f"{a:>5} {b:>5} {km:9.0f} {gc:13.1f} {r_km:8.1f} {r_err:+5.0%} "
            f"{road.drive_seconds(a, b) // 60:4d} {s_km:11.1f} {s_err:+5.0%} "
            f"{straight.drive_seconds(a, b) // 60:4d}{note}"
        )
    print()
    print(errors_line("road    ", errs["road"]))
    print(errors_line("straight", errs["straight"]))
    n_differ = sum(1 for a, b, *_ in rows if len(set(every[a, b])) > 1)
    print(f"against the nearest published figure ({n_differ} pairs have differing sources):")
    print(errors_line("road    ", errs_range["road"]))
    print(errors_line("straight", errs_range["straight"]))
    print(f"with the {len(left_out)} figure(s) shorter than the straight line counted:")
    print(errors_line("road    ", errs_all["road"]))
    print(errors_line("straight", errs_all["straight"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
