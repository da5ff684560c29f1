"""How many rounds a second the compiled tour search runs (:mod:`caravan.solver.tourjit`).

A round is what the iterated local search repeats: copy the current solution, perturb it
(ruin and recreate), descend to a local optimum, and now and then re-split the tour. For
each OPHS instance named (``../shared/bench/ophs``, built as in ``benchmarks/ophs.py``),
the search first runs ``--warm`` seconds from empty days (one core, seed 1) to reach the
kind of solution it spends its time on, then ``--rounds`` rounds are timed from that
solution with the settings of :mod:`caravan.solver.tourls`. The same command on two
checkouts compares their inner loops (the rounds take different paths, so compare over
several instances, not one).

Usage::

    .venv/bin/python benchmarks/tour_rounds.py                       # the default instances
    .venv/bin/python benchmarks/tour_rounds.py SET_9-7_TSP/rd100-H11-T7-S3 --rounds 8000
"""

from __future__ import annotations

import argparse
import time

from ophs import ROOT, build, read_instance

from caravan.solver import tourjit, tourls
from caravan.solver.scaling import scale

DEFAULT = [
    "SET_9-7_TSP/krod100-H11-T7-S3",
    "SET_8-4_TSP/rd100-H10-T4-S4",
    "SET_4-4_TSP/pr76-H6-T4-S3",
    "SET_2-3_TSP/eil76-H4-T3-S3",
    "SET_6-4/64-80-6-4",
    "SET_1-2/102-60-1-2",
]


def rounds_per_second(name: str, warm: float, rounds: int) -> tuple[float, int, int]:
    """Rounds a second on ``name`` (``SET/instance``), the tour's days and vertices."""
    problem, _dist = build(read_instance(ROOT / "instances" / f"{name}.ophs"))
    sc = scale(problem)
    start, _pool = tourls.search(problem, sc, time_limit=warm, seed=1)
    ka = tourjit.Arrays(tourls.Search(problem, sc, 1))
    cur = ka.state(start)
    ka.descend(cur, False)
    best = tuple(x.copy() for x in cur)
    trial = tuple(x.copy() for x in cur)
    pool = ka.pool(tourls.POOL_BATCH)
    began = time.perf_counter()
    tourjit.ils(
        ka.inst,
        cur,
        best,
        trial,
        ka.w,
        False,
        rounds,
        5,
        max(2, int(best[1].sum()) // tourls.STRENGTH),
        tourls.ACCEPT[0],
        tourls.STALL,
        0,
        *pool,
        tourls.POOL_KEEP,
        tourls.TUNING,
    )
    return rounds / (time.perf_counter() - began), ka.K, ka.n - len(problem.lodgings)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", default=DEFAULT, help="SET/instance names")
    ap.add_argument("--warm", type=float, default=2.0, help="seconds of search first")
    ap.add_argument("--rounds", type=int, default=4000)
    args = ap.parse_args(argv)
    tourls.warm_up()
    print(f"{'instance':34} {'days':>4} {'vertices':>8} {'rounds/s':>9}")
    for name in args.instances:
        rate, days, vertices = rounds_per_second(name, args.warm, args.rounds)
        print(f"{name:34} {days:4d} {vertices:8d} {rate:9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
