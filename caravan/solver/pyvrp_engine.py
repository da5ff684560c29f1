"""PyVRP (iterated local search, C++) as a heuristic engine for problems too large to enumerate.

The problem maps directly: candidates are optional clients (``required=False``) with the
scaled prize, the depots are the start and end sites, each vehicle class is a vehicle type
with its window, and travel costs ``W`` per duration unit (``unit_distance_cost``; the
"distance" given to PyVRP is the travel duration). PyVRP minimises travel cost plus the
prizes left uncollected, which is the same as maximising our objective.

Parameters: PyVRP's defaults except ``max_perturbations`` = 50 (default 25). Stronger
perturbation helps prize-collecting problems, where a local optimum often needs several
visits swapped at once: on the TOP instances p4.2.j and p4.4.q it raised the score by 5 %
and 0.5 % on average over seeds at 8 s, and changed nothing measurable elsewhere
(``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from caravan.solver.problem import Problem


def build_data(problem: Problem, classes: Sequence[tuple[int, ...]], prizes: np.ndarray, W: int):
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    depots = sorted(problem.depots)
    cands = list(problem.candidates)
    order = depots + cands
    locations = [Location(x=0, y=0, name=str(i)) for i in order]
    depot_pos = {s: i for i, s in enumerate(depots)}
    clients = [
        Client(
            location=len(depots) + j,
            service_duration=int(problem.service[s]),
            prize=int(prizes[s]),
            required=s in problem.required,
        )
        for j, s in enumerate(cands)
    ]
    vtypes = []
    for ks in classes:
        v = problem.vehicles[ks[0]]
        vtypes.append(
            VehicleType(
                num_available=len(ks),
                start_depot=depot_pos[v.start],
                end_depot=depot_pos[v.end],
                tw_early=int(v.earliest),
                tw_late=int(v.latest),
                shift_duration=int(v.latest - v.earliest),
                unit_distance_cost=max(int(W), 0),
                unit_duration_cost=0,
            )
        )
    idx = np.array(order)
    dur = np.ascontiguousarray(problem.durations[np.ix_(idx, idx)], dtype=np.int64)
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=[Depot(location=i) for i in range(len(depots))],
        vehicle_types=vtypes,
        distance_matrices=[dur],
        duration_matrices=[dur],
    )
    return data, cands


def run(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    prizes: np.ndarray,
    W: int,
    *,
    time_limit: float,
    seed: int,
    pool_size: int = 0,
    on_best: Callable[[int], None] | None = None,
) -> tuple[list[tuple[int, tuple[int, ...]]] | None, list[tuple[int, tuple[int, ...]]]]:
    """Solve with PyVRP.

    Returns (best, pool): ``best`` is (class index, site order) per non-empty route of the
    best solution, or None when it is not feasible; ``pool`` holds up to ``pool_size``
    distinct routes of the solutions that were the best so far at some point of the search
    and of the solutions it restarted from (good, diverse routes for the recombination, at
    almost no cost to the search). ``on_best(scaled objective)`` is called for every new
    feasible best solution.
    """
    from pyvrp import SolveParams
    from pyvrp import solve as pyvrp_solve
    from pyvrp.IteratedLocalSearch import (
        IteratedLocalSearchCallbacks,
        IteratedLocalSearchParams,
    )
    from pyvrp.search import PerturbationParams
    from pyvrp.stop import MaxRuntime

    data, cands = build_data(problem, classes, prizes, W)
    total_prize = int(sum(int(prizes[s]) for s in cands))
    pool: dict[tuple[int, tuple[int, ...]], None] = {}

    class Collect(IteratedLocalSearchCallbacks):
        def _keep(self, solution) -> None:
            if len(pool) >= pool_size:
                return
            for route in solution.routes():
                key = (
                    int(route.vehicle_type()),
                    tuple(cands[a.idx] for a in route if a.is_client()),
                )
                if key[1]:
                    pool[key] = None

        def on_best(self, best) -> None:
            if not best.is_feasible():
                return
            self._keep(best)
            if on_best is not None:
                # PyVRP minimises travel cost + uncollected prizes = total prize - objective
                cost = best.distance_cost() + best.uncollected_prizes()
                on_best(total_prize - int(cost))

        def on_restart(self, best) -> None:
            if best.is_feasible():
                self._keep(best)

    params = SolveParams(
        ils=IteratedLocalSearchParams(callbacks=Collect()),
        perturbation=PerturbationParams(min_perturbations=1, max_perturbations=50),
    )
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their cap on hard-to-satisfy instances; the
        # answer is checked either way (an infeasible best solution is not used)
        warnings.simplefilter("ignore")
        result = pyvrp_solve(
            data,
            MaxRuntime(max(0.05, time_limit)),
            seed=seed,
            collect_stats=False,
            display=False,
            params=params,
        )
    if not result.is_feasible():
        return None, list(pool)
    best = []
    for route in result.best.routes():
        sites = tuple(cands[a.idx] for a in route.schedule() if a.is_client())
        if sites:
            best.append((int(route.vehicle_type()), sites))
    return best, list(pool)
