"""Realistic caravan weeks: caravan's optimizer against PyVRP (best of 3 seeds) on the same
problems, with the exact optimum or bound where caravan proves one.

    python benchmarks/caravan_week.py --time-limit 10
    python benchmarks/caravan_week.py --time-limit 60 --levels tambon --units 3
    python benchmarks/caravan_week.py --service-minutes 60 --levels tambon   # harder

Complaints come from ``caravan sample complaints`` with several seeds; every province of a
week is one problem (as in ``caravan plan``). Each province problem gets ``--time-limit``
seconds of wall time for caravan (both cores) and, unless ``--pyvrp-time`` says otherwise,
the same for each PyVRP seed (one core, one seed after the other): the three seeds together
then use 1.5 times caravan's processor time. ``--pyvrp-time 6.67`` with ``--time-limit 10``
gives the three seeds exactly caravan's processor time (10 s on 2 cores). Objectives are in
priority points (higher is better).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from common import add_travel_option, status_text, travel_model

from caravan.complaints.sample import generate, to_csv
from caravan.plan.week import plan_week
from caravan.solver import pyvrp_engine, solve
from caravan.solver.enumeration import vehicle_classes
from caravan.solver.problem import evaluate
from caravan.solver.scaling import scale

TODAY = dt.date(2026, 11, 27)


def pyvrp_objective(problem, time_limit: float, seed: int) -> float | None:
    classes = vehicle_classes(problem)
    sc = scale(problem)
    found, _pool = pyvrp_engine.run(
        problem, classes, sc.prizes, sc.W, time_limit=time_limit, seed=seed
    )
    if found is None:
        return None
    seqs: list[list[int]] = [[] for _ in problem.vehicles]
    for c, order in found:
        k = next(k for k in classes[c] if not seqs[k])
        seqs[k] = list(order)
    return evaluate(problem, seqs).objective  # checks every rule


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_travel_option(ap)
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per province problem")
    ap.add_argument("--seeds", default="1,2,3", help="complaint sample seeds")
    ap.add_argument("--levels", default="district,tambon")
    ap.add_argument("--units", default="1,2,3")
    ap.add_argument(
        "--service-minutes",
        type=int,
        default=None,
        help="visit length (default: caravan's, 240 min at district level, 120 at tambon level)",
    )
    ap.add_argument("--count", type=int, default=1500, help="complaints per sample")
    ap.add_argument("--pyvrp-seeds", type=int, default=3, help="0 to skip PyVRP")
    ap.add_argument(
        "--pyvrp-time",
        type=float,
        default=None,
        help="seconds per PyVRP seed (default: --time-limit)",
    )
    args = ap.parse_args(argv)
    travel = travel_model(args)
    pyvrp_time = args.pyvrp_time if args.pyvrp_time is not None else args.time_limit

    print(
        f"# caravan week benchmark  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()} "
        f"{platform.machine()} cpus={os.cpu_count()} python {platform.python_version()}"
    )
    print(f"# command: python benchmarks/{Path(__file__).name} {' '.join(argv or sys.argv[1:])}")
    print(
        f"{'level':8} {'units':>5} {'seed':>4} {'prov':>4} {'sites':>5} {'veh':>4} "
        f"{'caravan':>9} {'status':>12} {'engine':>6} {'secs':>5} {'pyvrp_best':>10} "
        f"{'diff':>8}  pyvrp seeds"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in [int(s) for s in args.seeds.split(",")]:
            path = Path(tmp) / f"complaints-{seed}.csv"
            path.write_text(
                to_csv(generate(seed=seed, count=args.count, as_of=TODAY)), encoding="utf-8"
            )
            for level in args.levels.split(","):
                for units in [int(u) for u in args.units.split(",")]:

                    def run(
                        problem,
                        *,
                        time_limit,
                        seed,
                        engine,
                        progress,
                        _lvl=level,
                        _units=units,
                        _cs=seed,
                    ):
                        t0 = time.monotonic()
                        sol = solve(problem, time_limit=args.time_limit, seed=seed)
                        secs = time.monotonic() - t0
                        py = [
                            pyvrp_objective(problem, pyvrp_time, s) for s in range(args.pyvrp_seeds)
                        ]
                        py_ok = [p for p in py if p is not None]
                        best = max(py_ok) if py_ok else None
                        prov = problem.names[0][4:6]
                        status = status_text(sol)
                        diff = (
                            "" if best is None else f"{round(sol.objective - best, 2) + 0.0:8.2f}"
                        )
                        print(
                            f"{_lvl:8} {_units:5d} {_cs:4d} {prov:>4} "
                            f"{len(problem.candidates):5d} {len(problem.vehicles):4d} "
                            f"{sol.objective:9.2f} {status:>12} {sol.engine:>6} {secs:5.1f} "
                            f"{best if best is not None else float('nan'):10.2f} {diff:>8}  "
                            + " ".join(f"{p:.2f}" if p is not None else "-" for p in py),
                            flush=True,
                        )
                        rows.append((sol.objective, best, sol.status))
                        return sol

                    plan_week(
                        travel=travel,
                        complaints=path,
                        level=level,
                        units=units,
                        week="2026-W49",
                        service_minutes=args.service_minutes,
                        today=TODAY,
                        time_limit=args.time_limit,
                        seed=0,
                        solve_fn=run,
                        overnight=False,  # the day-trip engines; tours: ophs.py, rolling_season.py
                    )
    compared = [(o, b) for o, b, _ in rows if b is not None]
    worse = [(o, b) for o, b in compared if o < b - 1e-6]
    print()
    print(
        f"problems: {len(rows)}, proven optimal: {sum(1 for r in rows if r[2] == 'optimal')}, "
        f"compared with PyVRP: {len(compared)}, caravan below PyVRP's best: {len(worse)}"
    )
    if compared:
        rel = [round((o - b) / b * 100, 3) + 0.0 for o, b in compared if b > 0]
        print(
            f"caravan against PyVRP's best: mean {sum(rel) / len(rel):+.3f} %, "
            f"lowest {min(rel):+.3f} %, highest {max(rel):+.3f} %"
        )
    if worse:
        print("caravan below PyVRP: " + ", ".join(f"{o:.2f} < {b:.2f}" for o, b in worse))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
