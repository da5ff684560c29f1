"""All 25 districts as one problem: is the plan proven optimal within the time limit?

    python benchmarks/all_districts.py [--time-limit 10]

``caravan plan`` plans each province on its own (at most 9 districts each; see
``district_sweep.py``). This benchmark asks the general optimizer API the harder question:
the 25 districts of the three provinces in one problem, with the priorities of the built-in
sample complaints, served from one province's base by 1 to 3 units over 5 days, with
visits of 30 to 240 minutes, a working day from 08:30 to 16:30 and, harder, from 07:00 to
19:00 with travel almost free (every reachable district worth a detour, so very many useful
routes). Prints the engine, whether the plan is proven optimal (else its gap) and the
seconds, one line per problem, then the number proven optimal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from common import status_text

from caravan.geo.geography import load_geography
from caravan.plan.week import plan_week
from caravan.solver import solve
from caravan.solver.problem import Vehicle, make_problem
from caravan.travel.matrix import estimate_matrix

TODAY = dt.date(2026, 11, 27)
PROVINCES = ("65", "37", "35")
DAYS = {"08:30-16:30": (8 * 3600 + 1800, 16 * 3600 + 1800), "07:00-19:00": (7 * 3600, 19 * 3600)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per problem")
    args = ap.parse_args(argv)
    print(
        f"# all 25 districts  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()} "
        f"{platform.machine()} cpus={os.cpu_count()} python {platform.python_version()}"
    )
    print(f"# command: python benchmarks/{Path(__file__).name} {' '.join(argv or sys.argv[1:])}")
    scores = plan_week(level="district", week="2026-W49", today=TODAY, time_limit=1).scores
    geo = load_geography()
    districts = geo.candidates(level="district", provinces=PROVINCES)
    print(
        f"{'base':>4} {'day':>11} {'min/pt':>6} {'units':>5} {'visit':>5} {'sites':>5} "
        f"{'veh':>4} {'engine':>6} {'status':>10} {'objective':>10} {'secs':>6}"
    )
    rows = []
    for base, (day, window), units, visit in itertools.product(
        PROVINCES, DAYS.items(), (1, 2, 3), (240, 120, 60, 30)
    ):
        sites = [geo.base(base), *districts]
        seconds = np.array(estimate_matrix(sites).seconds, dtype=np.int64)
        # caravan's default weight (10 drive minutes per priority point); almost free travel
        # (1,000 minutes per point) on the long days
        minutes_per_point = 10 if day == "08:30-16:30" else 1000
        problem = make_problem(
            durations=seconds,
            prizes=[0.0]
            + [scores[s.code].priority if s.code in scores else 0.0 for s in districts],
            service=[0] + [visit * 60] * len(districts),
            vehicles=[Vehicle(0, 0, *window) for _ in range(units * 5)],
            travel_weight=1 / (60 * minutes_per_point),
        )
        t0 = time.monotonic()
        sol = solve(problem, time_limit=args.time_limit, seed=0)
        secs = time.monotonic() - t0
        status = status_text(sol, digits=3)
        print(
            f"{base:>4} {day:>11} {minutes_per_point:6d} {units:5d} {visit:5d} "
            f"{len(problem.candidates):5d} {len(problem.vehicles):4d} {sol.engine:>6} "
            f"{status:>10} {sol.objective:10.2f} {secs:6.2f}",
            flush=True,
        )
        rows.append((sol.status, secs))
    print()
    print(
        f"problems: {len(rows)}, proven optimal: {sum(1 for s, _ in rows if s == 'optimal')}, "
        f"slowest: {max(t for _, t in rows):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
