"""Choose the best set of routes with OR-Tools CP-SAT (a set packing problem).

Given candidate routes per vehicle class, pick at most ``len(class)`` routes of each class so
that no site is in two chosen routes and every required site is in exactly one, maximising
the sum of the route values. With every useful route enumerated (``enumerate.py``) the answer
is the proven optimum of the whole problem; with a pool of routes found by heuristics it is
the best recombination of that pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from caravan.problem import Problem


@dataclass(frozen=True)
class Packing:
    chosen: tuple[tuple[int, tuple[int, ...]], ...]  # (class index, site order)
    value: int  # scaled objective
    bound: int  # scaled upper bound (over the routes given)
    optimal: bool
    feasible: bool


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback, start: float) -> None:
        super().__init__()
        self._callback = callback
        self._start = start

    def on_solution_callback(self) -> None:
        self._callback(
            time.monotonic() - self._start, self.ObjectiveValue(), self.BestObjectiveBound()
        )


def pack(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    routes: Sequence[tuple[Sequence[tuple[int, ...]], np.ndarray]],
    *,
    time_limit: float,
    seed: int,
    workers: int = 2,
    hint: Sequence[tuple[int, tuple[int, ...]]] = (),
    progress: Callable[[float, float, float], None] | None = None,
) -> Packing:
    """``routes[c]`` = (site orders, scaled values) for class ``c``."""
    model = cp_model.CpModel()
    by_site: dict[int, list[cp_model.IntVar]] = {}
    variables: list[tuple[int, tuple[int, ...], cp_model.IntVar, int]] = []
    hinted = {(c, tuple(o)) for c, o in hint}
    objective = []
    for c, (orders, values) in enumerate(routes):
        class_vars = []
        for r, order in enumerate(orders):
            x = model.NewBoolVar(f"r{c}_{r}")
            value = int(values[r])
            variables.append((c, tuple(order), x, value))
            class_vars.append(x)
            objective.append(value * x)
            for s in order:
                by_site.setdefault(s, []).append(x)
            if hinted:
                model.AddHint(x, (c, tuple(order)) in hinted)
        if class_vars:
            model.Add(sum(class_vars) <= len(classes[c]))
    for s in problem.candidates:
        xs = by_site.get(s, [])
        if s in problem.required:
            if not xs:
                return Packing(chosen=(), value=0, bound=0, optimal=False, feasible=False)
            model.AddExactlyOne(xs)
        elif len(xs) > 1:
            model.AddAtMostOne(xs)
    model.Maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # deterministic multi-threaded search: the same inputs give the same plan
    solver.parameters.interleave_search = workers > 1
    start = time.monotonic()
    status = solver.Solve(model, _Progress(progress, start) if progress else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Packing(
            chosen=(), value=0, bound=0, optimal=status == cp_model.INFEASIBLE, feasible=False
        )
    chosen = tuple((c, order) for c, order, x, _ in variables if solver.Value(x))
    return Packing(
        chosen=chosen,
        value=round(solver.ObjectiveValue()),
        bound=round(solver.BestObjectiveBound()),
        optimal=status == cp_model.OPTIMAL,
        feasible=True,
    )
