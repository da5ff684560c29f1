"""District level, every shape of week: is the plan proven optimal, and how fast?

    python benchmarks/district_sweep.py [--time-limit 10] [--tours] [--units 1,2,3]

Plans the built-in sample complaints at district level for every combination of units per
province (1 to 5), working days (1, 3, 5, 7) and visit length (30, 60, 120, 240 minutes),
all three provinces, and prints for each province problem the engine, whether the plan is
proven optimal (else its gap) and the seconds the optimizer took. The summary gives the
number proven optimal and the slowest solve. Day trips only, unless ``--tours`` (nights
away with the defaults of docs/tours.md, at free nights to make them as many as possible:
``--night-cost``).
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

from common import add_travel_option, status_text, travel_model

from caravan.plan.week import plan_week
from caravan.solver import solve

TODAY = dt.date(2026, 11, 27)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_travel_option(ap)
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per province")
    ap.add_argument("--tours", action="store_true", help="nights away allowed")
    ap.add_argument("--night-cost", type=float, default=26.0, help="points (with --tours)")
    ap.add_argument("--units", default="1,2,3,4,5", help="units per province to try")
    args = ap.parse_args(argv)
    travel = travel_model(args)
    print(
        f"# district sweep  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()} "
        f"{platform.machine()} cpus={os.cpu_count()} python {platform.python_version()}"
    )
    print(f"# command: python benchmarks/{Path(__file__).name} {' '.join(argv or sys.argv[1:])}")
    print(
        f"{'units':>5} {'days':>4} {'visit':>5} {'prov':>4} {'sites':>5} {'veh':>4} "
        f"{'engine':>6} {'status':>10} {'secs':>6}"
    )
    rows = []
    for units, days, service in itertools.product(
        (int(u) for u in args.units.split(",")), (1, 3, 5, 7), (30, 60, 120, 240)
    ):

        def run(problem, *, time_limit, seed, engine, progress, _u=units, _d=days, _s=service):
            t0 = time.monotonic()
            sol = solve(problem, time_limit=args.time_limit, seed=seed)
            secs = time.monotonic() - t0
            status = status_text(sol)
            print(
                f"{_u:5d} {_d:4d} {_s:5d} {problem.names[0][4:6]:>4} "
                f"{len(problem.candidates):5d} {len(problem.vehicles):4d} {sol.engine:>6} "
                f"{status:>10} {secs:6.2f}",
                flush=True,
            )
            rows.append((sol.status, secs))
            return sol

        plan_week(
            travel=travel,
            level="district",
            units=units,
            days=days,
            service_minutes=service,
            week="2026-W49",
            today=TODAY,
            time_limit=args.time_limit,
            seed=0,
            solve_fn=run,
            overnight=args.tours,
            night_cost=args.night_cost,
            rolling=None,
        )
    n_opt = sum(1 for s, _ in rows if s == "optimal")
    print()
    print(
        f"province problems: {len(rows)}, proven optimal: {n_opt}, slowest: "
        f"{max(t for _, t in rows):.2f} s, mean: {sum(t for _, t in rows) / len(rows):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
