"""Team Orienteering Problem benchmark (Chao, Golden and Wasil 1996) through caravan's
general optimizer API, with PyVRP run side by side on the same instances.

    python benchmarks/top.py --sets 4,5,6,7 --time-limit 10
    python benchmarks/top.py --instances p4.2.j,p4.3.h,p7.3.t --time-limit 10 --pyvrp-seeds 3
    python benchmarks/top.py --every 5 --engine routing --pyvrp-seeds 0   # OR-Tools routing alone

Instances and reference scores come from ``../shared/bench/top`` (see its SOURCES.md). A
``chao1996_reported`` reference is a lower bound on the best known score, so a higher score
is fine (the gap is then negative). Distances are real-valued Euclidean: they are scaled by
``--scale`` and rounded **up**, the limit rounded **down**, so every route that is feasible in
integers is feasible in reals; every route is then checked again with real distances.

Prints one line per instance and, per set, the average and worst gap to the reference and
to PyVRP's best over its seeds. Wall time per instance: ``--time-limit`` for caravan (which
uses both cores) and for each PyVRP seed (one core each, run one after the other).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from caravan.solver import ENGINES, pyvrp_engine, solve
from caravan.solver.enumeration import vehicle_classes
from caravan.solver.problem import Vehicle, make_problem
from caravan.solver.scaling import scale

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"


@dataclass(frozen=True)
class Instance:
    name: str
    xy: np.ndarray
    scores: np.ndarray
    m: int
    tmax: float
    reference: float
    kind: str


def read_instance(path: Path, reference: dict[str, tuple[float, str]]) -> Instance:
    lines = path.read_text().split("\n")
    n = int(lines[0].split()[1])
    m = int(lines[1].split()[1])
    tmax = float(lines[2].split()[1])
    rows = [list(map(float, ln.split())) for ln in lines[3 : 3 + n]]
    arr = np.array(rows)
    name = path.name.removesuffix(".txt")
    ref, kind = reference.get(name, (float("nan"), ""))
    return Instance(name, arr[:, :2], arr[:, 2], m, tmax, ref, kind)


def real_distances(inst: Instance) -> np.ndarray:
    diff = inst.xy[:, None, :] - inst.xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def build(inst: Instance, scale_factor: int):
    dist = real_distances(inst)
    dur = np.ceil(dist * scale_factor - 1e-9).astype(np.int64)
    np.fill_diagonal(dur, 0)
    n = len(inst.scores)
    limit = math.floor(inst.tmax * scale_factor + 1e-9)
    vehicles = [Vehicle(start=0, end=n - 1, earliest=0, latest=limit) for _ in range(inst.m)]
    return make_problem(
        durations=dur,
        prizes=inst.scores.tolist(),
        service=[0] * n,
        vehicles=vehicles,
        travel_weight=0.0,
    )


def check_real(inst: Instance, routes: list[tuple[int, ...]]) -> float:
    """Score of the routes, after checking each with real distances; raise if infeasible."""
    dist = real_distances(inst)
    n = len(inst.scores)
    seen: set[int] = set()
    for r in routes:
        if not r:
            continue
        path = [0, *r, n - 1]
        length = sum(dist[a, b] for a, b in itertools.pairwise(path))
        if length > inst.tmax + 1e-7:
            raise AssertionError(f"{inst.name}: route of length {length:.4f} > {inst.tmax}")
        if seen & set(r):
            raise AssertionError(f"{inst.name}: a point is visited twice")
        seen |= set(r)
    return float(sum(inst.scores[i] for i in seen))


def run_pyvrp(problem, time_limit: float, seed: int) -> list[tuple[int, ...]]:
    classes = vehicle_classes(problem)
    sc = scale(problem)
    found, _pool = pyvrp_engine.run(
        problem, classes, sc.prizes, sc.W, time_limit=time_limit, seed=seed
    )
    return [order for _, order in (found or [])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sets", default="4,5,6,7", help="sets to run, e.g. 4,5,6,7 (default)")
    ap.add_argument("--instances", default="", help="instance names, e.g. p4.2.j,p7.3.t")
    ap.add_argument("--every", type=int, default=1, help="take every k-th instance of a set")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--engine",
        default="auto",
        choices=ENGINES,
        help="caravan's engine (routing: plain OR-Tools routing with guided local search)",
    )
    ap.add_argument("--pyvrp-seeds", type=int, default=1, help="0 to skip PyVRP")
    ap.add_argument("--scale", type=int, default=10_000)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = ap.parse_args(argv)

    top = args.shared / "bench" / "top"
    with open(top / "best_known.csv", newline="") as fh:
        reference = {
            r["instance"]: (float(r["best_known_score"]), r["value_kind"])
            for r in csv.DictReader(fh)
        }
    if args.instances:
        names = [x.strip() for x in args.instances.split(",") if x.strip()]
    else:
        sets = {s.strip() for s in args.sets.split(",")}
        names = sorted(
            (
                p.name.removesuffix(".txt")
                for p in (top / "instances").glob("p*.txt")
                if p.name.split(".")[0][1:] in sets
            ),
            key=lambda s: (int(s.split(".")[0][1:]), int(s.split(".")[1]), s.split(".")[2]),
        )
        names = names[:: max(1, args.every)]
    print(
        f"# caravan TOP benchmark  {time.strftime('%Y-%m-%d %H:%M')}  "
        f"{platform.node()} {platform.machine()} cpus={os.cpu_count()} python "
        f"{platform.python_version()}"
    )
    print(f"# command: python benchmarks/{Path(__file__).name} {' '.join(argv or sys.argv[1:])}")
    print(
        f"{'instance':10} {'ref':>6} {'kind':>6} {'caravan':>8} {'engine':>7} {'opt':>3} "
        f"{'gap%':>6} {'pyvrp':>8} {'vs_pyvrp%':>9} {'secs':>5}"
    )
    by_set: dict[str, list[tuple[float, float | None]]] = {}
    infeasible = 0
    below_ref: list[str] = []
    for name in names:
        inst = read_instance(top / "instances" / f"{name}.txt", reference)
        problem = build(inst, args.scale)
        t0 = time.monotonic()
        sol = solve(problem, time_limit=args.time_limit, seed=args.seed, engine=args.engine)
        secs = time.monotonic() - t0
        try:
            ours = check_real(inst, [r.sites for r in sol.routes])
        except AssertionError as exc:
            print(f"INFEASIBLE {exc}")
            infeasible += 1
            continue
        best_py = None
        for s in range(args.pyvrp_seeds):
            try:
                score = check_real(inst, run_pyvrp(problem, args.time_limit, s))
            except AssertionError as exc:
                print(f"PyVRP INFEASIBLE {exc}")
                continue
            best_py = score if best_py is None else max(best_py, score)
        ref = inst.reference
        gap = 0.0 if ref == 0 else (ref - ours) / ref * 100
        vs = None if best_py in (None, 0) else (best_py - ours) / best_py * 100
        by_set.setdefault(name.split(".")[0], []).append((gap, vs))
        py_txt = f"{best_py:8.0f}" if best_py is not None else f"{'-':>8}"
        vs_txt = f"{vs:9.2f}" if vs is not None else f"{'-':>9}"
        proven = sol.status == "optimal"
        if proven and ours < ref:
            below_ref.append(name)
        print(
            f"{name:10} {ref:6.0f} {inst.kind[:6]:>6} {ours:8.0f} {sol.engine:>7} "
            f"{'yes' if proven else '':>3} {gap:6.2f} {py_txt} {vs_txt} {secs:5.1f}",
            flush=True,
        )
    print()
    print(
        f"{'set':5} {'n':>4} {'avg gap%':>9} {'worst%':>7} {'avg vs pyvrp%':>14} "
        f"{'worst vs pyvrp%':>16}"
    )
    all_gaps = []
    for s, vals in by_set.items():
        gaps = [g for g, _ in vals]
        all_gaps += gaps
        vs = [v for _, v in vals if v is not None]
        vs_avg = f"{sum(vs) / len(vs):14.3f}" if vs else f"{'-':>14}"
        vs_worst = f"{max(vs):16.3f}" if vs else f"{'-':>16}"
        print(
            f"{s:5} {len(vals):4d} {sum(gaps) / len(gaps):9.3f} {max(gaps):7.2f} "
            f"{vs_avg} {vs_worst}"
        )
    if all_gaps:
        print(
            f"{'all':5} {len(all_gaps):4d} {sum(all_gaps) / len(all_gaps):9.3f} "
            f"{max(all_gaps):7.2f}"
        )
    if below_ref:
        print(
            "proven optimal below the reference (the reference cannot be reached with the "
            f"instance file's tmax): {', '.join(below_ref)}"
        )
    print(f"infeasible routes: {infeasible}")
    return 1 if infeasible else 0


if __name__ == "__main__":
    raise SystemExit(main())
