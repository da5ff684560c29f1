"""An exact CP-SAT model for small problems whose routes are too many to enumerate.

Vehicles with the same start, end and window form a class; a class needs no vehicle labels:
its routes are the circuits through a shared depot node in one ``AddMultipleCircuit``
constraint (at most ``len(class)`` arcs leave the depot), so identical unit-days create no
symmetry. A candidate not on any route of the class takes its self-loop. Arrival times
follow the arcs (``t_j >= t_i + service_i + d_ij``), which forbids subtours through time too,
and every route ends by the class's ``latest``. Each candidate is visited by at most one
class (exactly one when required). The objective is the scaled one of ``scaling.py``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from caravan.solver.problem import Problem
from caravan.solver.scaling import Scaled


@dataclass(frozen=True)
class CircuitResult:
    chosen: tuple[tuple[int, tuple[int, ...]], ...]  # (class index, site order)
    value: int
    bound: int
    optimal: bool
    feasible: bool
    infeasible: bool  # proven to have no solution


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback, start: float) -> None:
        super().__init__()
        self._callback = callback
        self._start = start

    def on_solution_callback(self) -> None:
        self._callback(
            time.monotonic() - self._start, self.ObjectiveValue(), self.BestObjectiveBound()
        )


def solve_circuit(
    problem: Problem,
    sc: Scaled,
    classes: Sequence[tuple[int, ...]],
    *,
    time_limit: float,
    seed: int,
    workers: int,
    hint: Sequence[tuple[int, tuple[int, ...]]] = (),
    progress: Callable[[float, float, float], None] | None = None,
) -> CircuitResult:
    d = problem.durations
    cands = list(problem.candidates)
    m = len(cands)
    model = cp_model.CpModel()
    visit_by_site: dict[int, list[cp_model.IntVar]] = {s: [] for s in cands}
    objective = []
    arcs_of_class = []
    hinted_arcs: set[tuple[int, int, int]] = set()
    hinted_visits: set[tuple[int, int]] = set()
    for c, order in hint:
        path = [0, *(cands.index(s) + 1 for s in order), 0]
        for a, b in itertools.pairwise(path):
            hinted_arcs.add((c, a, b))
        for s in order:
            hinted_visits.add((c, s))
    for c, ks in enumerate(classes):
        v = problem.vehicles[ks[0]]
        arcs = []
        out_of_depot = []
        times = [model.NewIntVar(v.earliest, v.latest, f"t{c}_{i}") for i in range(m)]
        visit = []
        for i, s in enumerate(cands):
            node = i + 1
            # must get there, serve, and reach the end in time: otherwise never visited
            reachable = v.earliest + d[v.start, s] + problem.service[s] + d[s, v.end] <= v.latest
            x = model.NewBoolVar(f"v{c}_{s}")
            if not reachable:
                model.Add(x == 0)
            visit.append(x)
            visit_by_site[s].append(x)
            arcs.append((node, node, x.Not()))
            # from the start
            a0 = model.NewBoolVar(f"a{c}_0_{s}")
            arcs.append((0, node, a0))
            out_of_depot.append(a0)
            model.Add(times[i] >= v.earliest + int(d[v.start, s])).OnlyEnforceIf(a0)
            objective.append(-sc.W * int(d[v.start, s]) * a0)
            # to the end
            b0 = model.NewBoolVar(f"a{c}_{s}_0")
            arcs.append((node, 0, b0))
            model.Add(times[i] + problem.service[s] + int(d[s, v.end]) <= v.latest).OnlyEnforceIf(
                b0
            )
            objective.append(-sc.W * int(d[s, v.end]) * b0)
            objective.append(int(sc.prizes[s]) * x)
            if hinted_arcs:
                model.AddHint(x, (c, s) in hinted_visits)
                model.AddHint(a0, (c, 0, node) in hinted_arcs)
                model.AddHint(b0, (c, node, 0) in hinted_arcs)
        for i, si in enumerate(cands):
            for j, sj in enumerate(cands):
                if i == j:
                    continue
                lit = model.NewBoolVar(f"a{c}_{si}_{sj}")
                arcs.append((i + 1, j + 1, lit))
                model.Add(
                    times[j] >= times[i] + problem.service[si] + int(d[si, sj])
                ).OnlyEnforceIf(lit)
                objective.append(-sc.W * int(d[si, sj]) * lit)
                if hinted_arcs:
                    model.AddHint(lit, (c, i + 1, j + 1) in hinted_arcs)
        model.AddMultipleCircuit(arcs)
        model.Add(sum(out_of_depot) <= len(ks))
        arcs_of_class.append((arcs, visit))
    for s, xs in visit_by_site.items():
        if s in problem.required:
            model.AddExactlyOne(xs)
        elif len(xs) > 1:
            model.AddAtMostOne(xs)
    model.Maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # CP-SAT's default parallel portfolio, not its interleaved search: on 25-site caravan
    # problems the interleaved search often stopped without a proof well before the time
    # limit, where the portfolio proved the optimum in half the time. The circuit model runs
    # after PyVRP, whose plans depend on timing anyway, so interleaving bought no determinism.
    start = time.monotonic()
    status = solver.Solve(model, _Progress(progress, start) if progress else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CircuitResult((), 0, 0, False, False, status == cp_model.INFEASIBLE)
    chosen = []
    for c, (arcs, _visit) in enumerate(arcs_of_class):
        succ: dict[int, list[int]] = {}
        for a, b, lit in arcs:
            if a != b and solver.BooleanValue(lit):
                succ.setdefault(a, []).append(b)
        for first in sorted(succ.get(0, [])):
            order = []
            node = first
            while node != 0:
                order.append(cands[node - 1])
                node = succ[node][0]
            chosen.append((c, tuple(order)))
    return CircuitResult(
        chosen=tuple(chosen),
        value=round(solver.ObjectiveValue()),
        bound=round(solver.BestObjectiveBound()),
        optimal=status == cp_model.OPTIMAL,
        feasible=True,
        infeasible=False,
    )
