"""Choose the best set of routes (a set packing problem), solved as a MIP with OR-Tools.

Given candidate routes per vehicle class, pick at most ``len(class)`` routes of each class so
that no site is in two chosen routes and every required site is in exactly one, maximising
the sum of the route values. With every useful route enumerated (``enumeration.py``) the
answer is the proven optimum of the whole problem; with a pool of routes found by heuristics
it is the best recombination of that pool.

The packing is solved with the CBC branch-and-cut solver through OR-Tools' linear solver
wrapper: its linear relaxation is strong for set packing, and on our benchmarks it proves
optimality many times faster than CP-SAT does on the same model. It runs on one thread with
a relative gap of 0, so the result is exact and the same on every run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.solver import cbc
from caravan.solver.problem import Problem


@dataclass(frozen=True)
class Packing:
    chosen: tuple[tuple[int, tuple[int, ...]], ...]  # (class index, site order)
    value: int  # scaled objective
    bound: int  # scaled upper bound (over the routes given)
    optimal: bool
    feasible: bool


def greedy(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    routes: Sequence[tuple[Sequence[tuple[int, ...]], np.ndarray]],
) -> list[tuple[int, tuple[int, ...]]]:
    """Most valuable routes first, skipping those that share a site: a quick first packing."""
    items = [
        (int(values[r]), c, tuple(order))
        for c, (orders, values) in enumerate(routes)
        for r, order in enumerate(orders)
        if values[r] > 0
    ]
    items.sort(key=lambda t: (-t[0], t[1], t[2]))
    used: set[int] = set()
    left = [len(ks) for ks in classes]
    chosen = []
    for _value, c, order in items:
        if left[c] and not used.intersection(order):
            chosen.append((c, order))
            used.update(order)
            left[c] -= 1
    return chosen


def pack(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    routes: Sequence[tuple[Sequence[tuple[int, ...]], np.ndarray]],
    *,
    time_limit: float,
    seed: int,
    workers: int = 1,
    hint: Sequence[tuple[int, tuple[int, ...]]] = (),
    progress: Callable[[float, float, float], None] | None = None,
) -> Packing:
    """``routes[c]`` = (site orders, scaled values) for class ``c``.

    ``seed`` and ``workers`` are accepted for a uniform engine interface; the MIP solve is
    single-threaded and deterministic. ``hint`` is kept as a fallback answer: when the time
    limit ends before the solver finds anything better, the hinted packing comes back.
    """
    from ortools.linear_solver import pywraplp

    start = time.monotonic()
    solver = pywraplp.Solver.CreateSolver("CBC")
    if solver is None:  # pragma: no cover - CBC ships with every OR-Tools wheel
        raise RuntimeError("OR-Tools was built without the CBC solver")
    objective = solver.Objective()
    site_rows: dict[int, object] = {}
    variables: list[tuple[int, tuple[int, ...], object, int]] = []
    for s in problem.candidates:
        lo = 1 if s in problem.required else 0
        site_rows[s] = solver.Constraint(lo, 1, f"site{s}")
    for c, (orders, values) in enumerate(routes):
        row = solver.Constraint(0, len(classes[c]), f"class{c}")
        for r, order in enumerate(orders):
            x = solver.BoolVar(f"r{c}_{r}")
            value = int(values[r])
            variables.append((c, tuple(order), x, value))
            row.SetCoefficient(x, 1)
            objective.SetCoefficient(x, float(value))
            for s in order:
                site_rows[s].SetCoefficient(x, 1)
    for s in problem.required:
        if not any(s in order for _, order, _, _ in variables):
            return Packing(chosen=(), value=0, bound=0, optimal=True, feasible=False)
    objective.SetMaximization()
    status = cbc.solve(solver, time_limit - (time.monotonic() - start))
    fallback = None
    if hint:
        hint_value = 0
        for c, order in hint:
            match = [v for cc, o, _, v in variables if cc == c and o == tuple(order)]
            hint_value += match[0] if match else 0
        fallback = Packing(
            chosen=tuple((c, tuple(o)) for c, o in hint),
            value=hint_value,
            bound=0,
            optimal=False,
            feasible=True,
        )
    if status == pywraplp.Solver.INFEASIBLE and fallback is None:
        return Packing(chosen=(), value=0, bound=0, optimal=True, feasible=False)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return fallback or Packing(chosen=(), value=0, bound=0, optimal=False, feasible=False)
    chosen = [(c, order) for c, order, x, _ in variables if x.solution_value() > 0.5]
    value = sum(v for _, _, x, v in variables if x.solution_value() > 0.5)
    optimal = status == pywraplp.Solver.OPTIMAL
    bound = value if optimal else math.floor(objective.BestBound() + 1e-6)
    if fallback is not None and fallback.value > value:
        return Packing(
            chosen=fallback.chosen, value=fallback.value, bound=bound, optimal=False, feasible=True
        )
    if progress:
        progress(time.monotonic() - start, value, bound)
    return Packing(chosen=tuple(chosen), value=value, bound=bound, optimal=optimal, feasible=True)
