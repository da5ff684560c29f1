"""Choose the best set of routes with OR-Tools CP-SAT (a set packing problem).

Given candidate routes per vehicle class, pick at most ``len(class)`` routes of each class so
that no site is in two chosen routes and every required site is in exactly one, maximising
the sum of the route values. With every useful route enumerated (``enumeration.py``) the answer
is the proven optimum of the whole problem; with a pool of routes found by heuristics it is
the best recombination of that pool.

Determinism: with one worker CP-SAT is deterministic. With more workers the optimum *value*
is the same on every run but which of several equally good packings comes back is not, so
after a proven optimum a second, single-worker solve fixes the value and picks the packing
whose routes come first in a fixed order (by class, then site order).
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
    workers: int = 2,
    hint: Sequence[tuple[int, tuple[int, ...]]] = (),
    progress: Callable[[float, float, float], None] | None = None,
) -> Packing:
    """``routes[c]`` = (site orders, scaled values) for class ``c``."""
    start = time.monotonic()
    model = cp_model.CpModel()
    by_site: dict[int, list[cp_model.IntVar]] = {}
    variables: list[tuple[int, tuple[int, ...], cp_model.IntVar]] = []
    objective = []
    for c, (orders, values) in enumerate(routes):
        class_vars = []
        for r, order in enumerate(orders):
            x = model.NewBoolVar(f"r{c}_{r}")
            variables.append((c, tuple(order), x))
            class_vars.append(x)
            objective.append(int(values[r]) * x)
            for s in order:
                by_site.setdefault(s, []).append(x)
        if class_vars:
            model.Add(sum(class_vars) <= len(classes[c]))
    for s in problem.candidates:
        xs = by_site.get(s, [])
        if s in problem.required:
            if not xs:
                return Packing(chosen=(), value=0, bound=0, optimal=True, feasible=False)
            model.AddExactlyOne(xs)
        elif len(xs) > 1:
            model.AddAtMostOne(xs)
    total = sum(objective)
    model.Maximize(total)
    hinted = {
        (c, tuple(o))
        for c, o in (hint or ([] if problem.required else greedy(problem, classes, routes)))
    }
    for c, order, x in variables:
        model.AddHint(x, (c, order) in hinted)
    solver = cp_model.CpSolver()
    # the time limit covers building the model too
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.monotonic() - start))
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = 2
    status = solver.Solve(model, _Progress(progress, start) if progress else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Packing(
            chosen=(), value=0, bound=0, optimal=status == cp_model.INFEASIBLE, feasible=False
        )
    value = round(solver.ObjectiveValue())
    optimal = status == cp_model.OPTIMAL
    chosen = [(c, order) for c, order, x in variables if solver.BooleanValue(x)]
    left = time_limit - (time.monotonic() - start)
    if optimal and workers > 1 and left > 0.05:
        chosen = _canonical(model, total, value, variables, seed, left) or chosen
    return Packing(
        chosen=tuple(chosen),
        value=value,
        bound=round(solver.BestObjectiveBound()),
        optimal=optimal,
        feasible=True,
    )


def _canonical(model: cp_model.CpModel, total, value: int, variables, seed: int, time_limit: float):
    """Among the packings worth ``value``, the one whose routes come first in a fixed order."""
    # no hint from the first solve (it may differ between runs): one worker, same model,
    # same seed, so the answer is the same on every run
    ranked = sorted(variables, key=lambda t: (t[0], t[1]))
    model.ClearHints()
    model.ClearObjective()
    model.Add(total == value)
    model.Minimize(sum(i * x for i, (_, _, x) in enumerate(ranked)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.Solve(model) != cp_model.OPTIMAL:
        return None
    return [(c, order) for c, order, x in variables if solver.BooleanValue(x)]
