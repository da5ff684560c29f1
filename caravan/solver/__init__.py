"""Solve a :class:`caravan.problem.Problem`. The only place that imports OR-Tools or PyVRP.

Engines (``engine=``):

``"exact"``
    Enumerate every useful route of each vehicle class (``enumerate.py``), then pick the best
    combination with OR-Tools CP-SAT (``setpack.py``). Proven optimal when CP-SAT finishes
    within the time limit; otherwise the best plan found with its bound and gap. Fails with
    :class:`EngineUnsuitable` when the routes are too many to enumerate.
``"pyvrp"``
    PyVRP's iterated local search, then CP-SAT recombines the routes it found.
``"auto"`` (default)
    ``"exact"`` when the routes can be enumerated in a fraction of the time limit, else
    ``"pyvrp"``. The :class:`~caravan.problem.Solution` says which engine produced it.

Determinism: the same problem, seed and time limit give the same solution whenever the
engines finish before the time limit (CP-SAT runs its multi-threaded search in
deterministic "interleaved" mode). When a time limit stops a search, how far it got depends
on the machine's speed, so the plan can differ.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence

import numpy as np

from caravan.errors import NoPlanError, ParameterError
from caravan.problem import Problem, Solution, evaluate
from caravan.solver.enumerate import TooManyRoutes, enumerate_routes, vehicle_classes
from caravan.solver.scaling import Scaled, scale

ENGINES = ("auto", "exact", "pyvrp")

#: progress(elapsed seconds, best objective so far, bound or None)
Progress = Callable[[float, float, "float | None"], None]


class EngineUnsuitable(ParameterError):
    """The chosen engine cannot handle this problem (for example too many routes)."""


def _assign(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    chosen: Sequence[tuple[int, tuple[int, ...]]],
    sc: Scaled,
) -> list[list[int]]:
    """Give the chosen routes to vehicles: within a class, the most valuable route goes to the
    class's first vehicle (for caravan: the earliest day), and so on."""
    d = problem.durations
    sequences: list[list[int]] = [[] for _ in problem.vehicles]
    by_class: dict[int, list[tuple[int, ...]]] = {}
    for c, order in chosen:
        by_class.setdefault(c, []).append(tuple(order))
    for c, orders in by_class.items():
        v = problem.vehicles[classes[c][0]]

        def value(order, v=v):
            path = [v.start, *order, v.end]
            travel = sum(int(d[a, b]) for a, b in itertools.pairwise(path))
            return int(sum(sc.prizes[s] for s in order)) - sc.W * travel

        orders.sort(key=lambda o: (-value(o), o))
        if len(orders) > len(classes[c]):
            raise AssertionError("more routes than vehicles in a class")
        for k, order in zip(classes[c], orders, strict=False):
            sequences[k] = list(order)
    return sequences


def _required_names(problem: Problem) -> str:
    return ", ".join(problem.names[r] for r in sorted(problem.required))


def _solve_exact(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
    enumeration_share: float,
    progress: Progress | None,
) -> Solution:
    from caravan.solver import setpack

    classes = vehicle_classes(problem)
    deadline = start + max(0.2, time_limit * enumeration_share)
    route_sets = [
        enumerate_routes(problem, ks, sc.prizes, sc.W, deadline=deadline) for ks in classes
    ]
    n_routes = sum(len(rs.orders) for rs in route_sets)
    remaining = time_limit - (time.monotonic() - start)

    def report(elapsed, obj, bound):
        if progress:
            progress(time.monotonic() - start, obj / sc.K, bound / sc.K)

    packing = setpack.pack(
        problem,
        classes,
        [(rs.orders, rs.values) for rs in route_sets],
        time_limit=max(0.5, remaining),
        seed=seed,
        workers=workers,
        progress=report if progress else None,
    )
    if not packing.feasible:
        if packing.optimal:
            raise NoPlanError(
                f"the required sites ({_required_names(problem)}) cannot all be served: "
                "there are not enough unit-days to reach them within the day windows"
            )
        raise NoPlanError("no plan serving every required site was found within the time limit")
    sequences = _assign(problem, classes, packing.chosen, sc)
    status = "optimal" if packing.optimal else "feasible"
    bound = packing.bound / sc.K
    return evaluate(
        problem,
        sequences,
        engine="exact",
        status=status,
        bound=bound,
        seconds=time.monotonic() - start,
        detail={
            "routes_enumerated": n_routes,
            "labels": sum(rs.labels for rs in route_sets),
            "scaled_objective": packing.value,
            "scale": sc.K,
        },
    )


def _solve_pyvrp(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
    progress: Progress | None,
) -> Solution:
    from caravan.solver import pyvrp_engine, setpack

    classes = vehicle_classes(problem)
    remaining = time_limit - (time.monotonic() - start)
    polish = min(2.0, 0.15 * remaining)
    found = pyvrp_engine.run(
        problem, classes, sc.prizes, sc.W, time_limit=max(0.1, remaining - polish), seed=seed
    )
    if found is None:
        if problem.required:
            raise NoPlanError(
                f"no plan serving every required site ({_required_names(problem)}) was found"
            )
        found = []
    sequences = _assign(problem, classes, found, sc)
    sol = evaluate(
        problem,
        sequences,
        engine="pyvrp",
        status="feasible",
        bound=None,
        seconds=time.monotonic() - start,
    )
    if progress:
        progress(time.monotonic() - start, sol.objective, None)
    # Recombine: the routes found plus every route obtained by dropping one site.
    pool: dict[int, dict[tuple[int, ...], int]] = {}
    d = problem.durations
    for c, order in found:
        v = problem.vehicles[classes[c][0]]
        for variant in [order, *(order[:i] + order[i + 1 :] for i in range(len(order)))]:
            if not variant:
                continue
            path = [v.start, *variant, v.end]
            travel = sum(int(d[a, b]) for a, b in itertools.pairwise(path))
            pool.setdefault(c, {})[variant] = (
                int(sum(sc.prizes[s] for s in variant)) - sc.W * travel
            )
    routes = []
    for c in range(len(classes)):
        orders = list(pool.get(c, {}))
        routes.append((orders, np.array([pool[c][o] for o in orders], dtype=np.int64)))
    left = time_limit - (time.monotonic() - start)
    if left > 0.1 and found:
        packing = setpack.pack(
            problem, classes, routes, time_limit=left, seed=seed, workers=workers, hint=found
        )
        if packing.feasible and packing.value > round(sol.objective * sc.K):
            sequences = _assign(problem, classes, packing.chosen, sc)
            sol = evaluate(
                problem,
                sequences,
                engine="pyvrp",
                status="feasible",
                bound=None,
                seconds=time.monotonic() - start,
            )
    return sol


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    engine: str = "auto",
    workers: int = 2,
    progress: Progress | None = None,
) -> Solution:
    """Solve ``problem`` within about ``time_limit`` seconds of wall time on ``workers`` cores.

    Raises :class:`~caravan.errors.NoPlanError` when the required sites cannot all be served,
    and :class:`EngineUnsuitable` when ``engine="exact"`` is asked for a problem too large to
    enumerate.
    """
    if engine not in ENGINES:
        raise ParameterError(
            f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})", param="engine"
        )
    if time_limit <= 0:
        raise ParameterError(f"must be positive, got {time_limit}", param="time_limit")
    start = time.monotonic()
    sc = scale(problem)
    if not problem.candidates:
        return evaluate(
            problem,
            [[] for _ in problem.vehicles],
            engine="exact",
            status="optimal",
            bound=0.0,
            seconds=0.0,
        )
    if engine in ("auto", "exact"):
        try:
            return _solve_exact(
                problem,
                sc,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                start=start,
                progress=progress,
                enumeration_share=0.9 if engine == "exact" else 0.3,
            )
        except TooManyRoutes as exc:
            if engine == "exact":
                raise EngineUnsuitable(
                    f"too many routes to enumerate ({exc}); use engine 'auto' or 'pyvrp'",
                    param="engine",
                ) from None
    return _solve_pyvrp(
        problem,
        sc,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        start=start,
        progress=progress,
    )
