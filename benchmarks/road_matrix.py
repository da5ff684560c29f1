"""The built-in road matrix of every site (256: districts, tambons and bases): how long the
fastest paths take, and the rounding to whole minutes on numpy scalars (as before) and on
plain lists (as now). Both roundings must give the same matrix; the script checks it.

    .venv/bin/python benchmarks/road_matrix.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

from caravan.geo.geography import load_geography
from caravan.travel.roadgraph import site_times
from caravan.travel.roadnet import RoadModel, build_graph, road_matrix
from caravan.types import whole_minutes


def best_of(repeat: int, fn):
    """The fastest of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each step (best is shown)")
    args = ap.parse_args()
    sites = list(load_geography().sites.values())
    model = RoadModel()
    graph, joined = build_graph(sites, model)

    def paths():
        return site_times(graph, sites, model.access(), direct_km=model.direct_km, joined=joined)

    t_paths, (sec, _) = best_of(args.repeat, paths)
    t_scalars, by_scalars = best_of(
        args.repeat, lambda: tuple(tuple(whole_minutes(x) for x in row) for row in sec)
    )
    t_lists, by_lists = best_of(
        args.repeat, lambda: tuple(tuple(whole_minutes(x) for x in row) for row in sec.tolist())
    )
    assert by_lists == by_scalars, "the two roundings differ"
    t_total, _ = best_of(args.repeat, lambda: road_matrix(sites, model))
    print(f"sites: {len(sites)} ({len(sites) ** 2:,} pairs), best of {args.repeat} runs")
    print(f"fastest paths (site_times):          {t_paths:7.3f} s")
    print(f"rounding on numpy scalars (before):  {t_scalars:7.3f} s")
    print(f"rounding on plain lists (now):       {t_lists:7.3f} s")
    print(f"road_matrix, graph built, in all:    {t_total:7.3f} s")
    print(f"  the same with the rounding before:   {t_total - t_lists + t_scalars:7.3f} s")
    print("identical: yes")


if __name__ == "__main__":
    main()
