"""The engines that solve a :class:`caravan.solver.problem.Problem`.

With the other modules of :mod:`caravan.solver`, the only place that imports OR-Tools or PyVRP.

Engines (``engine=``):

``"exact"``
    Enumerate every useful route of each vehicle class (``enumeration.py``), then pick the best
    combination as a set-packing MIP solved by CBC through OR-Tools (``setpack.py``). Proven
    optimal when the MIP finishes within the time limit; otherwise the best plan found with
    its bound and gap. Raises :class:`EngineUnsuitable` when the routes are too many to
    enumerate.
``"pyvrp"``
    PyVRP's iterated local search (C++), one run per worker core with different seeds in
    parallel; the same set-packing MIP then recombines the routes the runs found into the
    best plan it can make of them. No bound is claimed. For up to ``CIRCUIT_MAX_SITES``
    candidate sites, ``"auto"`` follows it with OR-Tools CP-SAT's circuit model
    (``circuit.py``), which may improve the plan, prove it optimal or give a bound.
``"routing"``
    OR-Tools' vehicle routing model with guided local search (``routing.py``), one core. A
    baseline for the benchmarks: it stalls well below the other engines on hard instances.
``"auto"`` (default)
    ``"exact"`` when the routes can be enumerated within a share of the time limit and the
    packing is proven in time, else the heuristic path (``"pyvrp"``, then the circuit model
    for small problems), lent the exact bound when there is one. The
    :class:`~caravan.solver.problem.Solution` says which engine produced it.

Determinism: ``"exact"`` gives the same solution for the same problem and seed whenever it
finishes before the time limit (the enumeration is deterministic and the MIP runs on one
thread with a zero gap). PyVRP and OR-Tools routing always run until their time limit, so
how far they get depends on the machine's speed and load: their plans can differ between
runs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence

import numpy as np

from caravan.errors import NoPlanError, ParameterError
from caravan.solver import _worker
from caravan.solver.enumeration import TooManyRoutes, enumerate_routes, vehicle_classes
from caravan.solver.portfolio import exact_then_heuristic
from caravan.solver.problem import Problem, Solution, evaluate
from caravan.solver.scaling import Scaled, scale
from caravan.solver.tours import solve_tours
from caravan.types import ENGINES

#: progress(elapsed seconds, best objective so far, bound or None)
Progress = Callable[[float, float, "float | None"], None]

#: above this many enumerated routes, "auto" prefers the heuristic engine
AUTO_MAX_ROUTES = 400_000
#: up to this many candidates, "auto" follows the heuristic with the exact circuit model
CIRCUIT_MAX_SITES = 30
#: distinct routes of improving solutions each PyVRP run keeps for the recombination
POOL_SIZE = 5_000
#: beyond this many routes per class the recombination adds no "minus one visit" variants
MAX_RECOMBINE_ROUTES = 20_000


def _path_travel(problem: Problem, k: int, order: Sequence[int]) -> int:
    v = problem.vehicles[k]
    d = problem.durations
    path = [v.start, *order, v.end]
    return int(sum(int(d[a, b]) for a, b in itertools.pairwise(path)))


def _route_value(problem: Problem, sc: Scaled, k: int, order: Sequence[int]) -> int:
    return int(sum(int(sc.prizes[s]) for s in order)) - sc.W * _path_travel(problem, k, order)


def _assign(
    problem: Problem,
    classes: Sequence[tuple[int, ...]],
    chosen: Sequence[tuple[int, tuple[int, ...]]],
    sc: Scaled,
) -> list[list[int]]:
    """Give the chosen routes to vehicles: within a class, the most valuable route goes to the
    class's first vehicle (for caravan: the earliest day), and so on."""
    sequences: list[list[int]] = [[] for _ in problem.vehicles]
    by_class: dict[int, list[tuple[int, ...]]] = {}
    for c, order in chosen:
        by_class.setdefault(c, []).append(tuple(order))
    for c, orders in by_class.items():
        k0 = classes[c][0]
        orders.sort(key=lambda o, k0=k0: (-_route_value(problem, sc, k0, o), o))
        if len(orders) > len(classes[c]):
            raise AssertionError("more routes than vehicles in a class")
        for k, order in zip(classes[c], orders, strict=False):
            sequences[k] = list(order)
    return sequences


def _required_names(problem: Problem) -> str:
    return ", ".join(problem.names[r] for r in sorted(problem.required))


def _no_plan_found(problem: Problem) -> NoPlanError:
    """What a heuristic engine raises when it finds no plan serving every required site."""
    return NoPlanError(
        f"no plan serving every required site ({_required_names(problem)}) was found"
    )


def _solve_exact(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
    enumeration_share: float,
    max_routes: int | None,
    progress: Progress | None,
    packing_share: float = 1.0,
) -> Solution:
    """Enumerate, then pack. The packing may use ``packing_share`` of the whole limit."""
    import caravan.solver.setpack as setpack

    classes = vehicle_classes(problem)
    deadline = start + max(0.2, time_limit * enumeration_share)
    route_sets = [
        enumerate_routes(problem, ks, sc.prizes, sc.W, deadline=deadline) for ks in classes
    ]
    n_routes = sum(len(rs.orders) for rs in route_sets)
    if max_routes is not None and n_routes > max_routes:
        raise TooManyRoutes(f"{n_routes} routes")
    remaining = time_limit - (time.monotonic() - start)

    def report(elapsed, obj, bound):
        if progress:
            progress(time.monotonic() - start, sc.objective(obj), sc.objective_bound(bound))

    packing = setpack.pack(
        problem,
        classes,
        [(rs.orders, rs.values) for rs in route_sets],
        time_limit=max(0.5, min(remaining, packing_share * time_limit)),
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
        raise TooManyRoutes("CP-SAT found no packing within the time limit")
    sequences = _assign(problem, classes, packing.chosen, sc)
    status = "optimal" if packing.optimal else "feasible"
    return evaluate(
        problem,
        sequences,
        engine="exact",
        status=status,
        bound=sc.objective_bound(packing.bound),
        seconds=time.monotonic() - start,
        detail={"routes_enumerated": n_routes, "labels": sum(rs.labels for rs in route_sets)},
    )


def _recombine(
    problem: Problem,
    sc: Scaled,
    classes,
    routes,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    hint,
):
    """Set packing over the routes found (best and improving solutions of every run) and,
    while the pool is small, each of them minus one visit."""
    import caravan.solver.setpack as setpack

    pool: dict[int, dict[tuple[int, ...], int]] = {}
    for found in routes:
        for c, order in found:
            k0 = classes[c][0]
            variants = [order]
            if len(pool.get(c, ())) < MAX_RECOMBINE_ROUTES:
                variants += [order[:i] + order[i + 1 :] for i in range(len(order))]
            for variant in variants:
                if variant and variant not in pool.setdefault(c, {}):
                    pool[c][variant] = _route_value(problem, sc, k0, variant)
    packed = []
    for c in range(len(classes)):
        orders = list(pool.get(c, {}))
        packed.append((orders, np.array([pool[c][o] for o in orders], dtype=np.int64)))
    return setpack.pack(
        problem, classes, packed, time_limit=time_limit, seed=seed, workers=workers, hint=hint
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
    """PyVRP on every worker core (different seeds), then recombination of all routes."""
    import caravan.solver.pyvrp_engine as pyvrp_engine

    classes = vehicle_classes(problem)
    remaining = time_limit - (time.monotonic() - start)
    polish = min(1.5, 0.1 * remaining)
    search = max(0.2, remaining - polish)
    search_end = time.monotonic() + search
    # a worker process needs about half a second to start (imports): not worth it below 2 s
    procs = []
    if workers > 1 and search > 2.0:
        for i in range(workers - 1):
            proc = _worker.start(
                "pyvrp",
                problem,
                classes,
                sc.prizes,
                sc.W,
                time_limit=search - 0.7,
                seed=seed + 1 + i,
                pool_size=POOL_SIZE,
            )
            if proc is not None:
                procs.append(proc)
    runs: list[list[tuple[int, tuple[int, ...]]]] = []
    pools: list[list[tuple[int, tuple[int, ...]]]] = []

    def on_best(scaled: int) -> None:
        if progress:
            progress(time.monotonic() - start, sc.objective(scaled), None)

    mine, pool = pyvrp_engine.run(
        problem,
        classes,
        sc.prizes,
        sc.W,
        time_limit=search,
        seed=seed,
        pool_size=POOL_SIZE,
        on_best=on_best if progress else None,
    )
    pools.append(pool)
    if mine is not None:
        runs.append(mine)
    for proc in procs:
        # the worker stops at its own time limit; wait a little for it, not past the budget
        result = _worker.collect(proc, timeout=max(0.3, search_end + 0.5 - time.monotonic()))
        if result is not None:
            found, pool = result
            pools.append(pool)
            if found is not None:
                runs.append(found)
    if not runs:
        if problem.required:
            raise _no_plan_found(problem)
        runs = [[]]

    def run_value(found):
        return sum(_route_value(problem, sc, classes[c][0], o) for c, o in found)

    best = max(runs, key=run_value)
    detail = {"pyvrp_runs": len(runs)}
    sol = evaluate(
        problem,
        _assign(problem, classes, best, sc),
        engine="pyvrp",
        status="feasible",
        bound=None,
        seconds=time.monotonic() - start,
        detail=detail,
    )
    if progress:
        progress(time.monotonic() - start, sol.objective, None)
    left = time_limit - (time.monotonic() - start)
    if left > 0.3 and any(runs):
        packing = _recombine(
            problem,
            sc,
            classes,
            [*runs, *pools],
            time_limit=left,
            seed=seed,
            workers=workers,
            hint=best,
        )
        if packing.feasible and packing.value > run_value(best):
            sol = evaluate(
                problem,
                _assign(problem, classes, packing.chosen, sc),
                engine="pyvrp",
                status="feasible",
                bound=None,
                seconds=time.monotonic() - start,
                detail={**detail, "recombined": True},
            )
            if progress:
                progress(time.monotonic() - start, sol.objective, None)
    return sol


def _solve_routing(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    start: float,
    progress: Progress | None,
) -> Solution:
    """OR-Tools' vehicle routing model with guided local search (``routing.py``)."""
    from caravan.solver.routing import solve_routing

    def on_best(scaled: int) -> None:
        if progress:
            # exact for a solution's scaled value too: with travel as a mere tie-break it
            # recovers the prize, the real objective
            progress(time.monotonic() - start, sc.objective_bound(scaled), None)

    sequences = solve_routing(
        problem,
        sc,
        time_limit=max(0.1, time_limit - (time.monotonic() - start)),
        on_best=on_best if progress else None,
    )
    if sequences is None:
        if problem.required:
            raise _no_plan_found(problem)
        sequences = [[] for _ in problem.vehicles]
    return evaluate(
        problem,
        sequences,
        engine="routing",
        status="feasible",
        bound=None,
        seconds=time.monotonic() - start,
    )


def _improve_circuit(
    problem: Problem,
    sc: Scaled,
    sol: Solution,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
    progress: Progress | None,
) -> Solution:
    """The exact circuit model, started from ``sol``: a better plan, a bound, maybe a proof."""
    from caravan.solver.circuit import solve_circuit

    classes = vehicle_classes(problem)
    cls_of = {k: c for c, ks in enumerate(classes) for k in ks}
    hint = [(cls_of[r.vehicle], r.sites) for r in sol.routes if r.visits]
    left = time_limit - (time.monotonic() - start)
    if left < 0.2:
        return sol

    def report(elapsed, obj, bound):
        if progress:
            progress(time.monotonic() - start, sc.objective(obj), sc.objective_bound(bound))

    res = solve_circuit(
        problem,
        sc,
        classes,
        time_limit=left,
        seed=seed,
        workers=workers,
        hint=hint,
        progress=report if progress else None,
    )
    if not res.feasible:
        return sol
    bound = sc.objective_bound(res.bound)
    current = sum(_route_value(problem, sc, classes[c][0], o) for c, o in hint)
    detail = {**sol.detail, "circuit_model": True}
    if res.value > current:
        return evaluate(
            problem,
            _assign(problem, classes, res.chosen, sc),
            engine="exact",
            status="optimal" if res.optimal else "feasible",
            bound=bound,
            seconds=time.monotonic() - start,
            detail=detail,
        )
    return evaluate(
        problem,
        [list(r.sites) for r in sol.routes],
        engine=sol.engine,
        status="optimal" if res.optimal and res.value == current else "feasible",
        bound=bound,
        seconds=time.monotonic() - start,
        detail=detail,
    )


def _solve_heuristic(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
    progress: Progress | None,
) -> Solution:
    """PyVRP runs and recombination; for small problems, then the exact circuit model."""
    if len(problem.candidates) <= CIRCUIT_MAX_SITES:
        half = time_limit - 0.5 * (time_limit - (time.monotonic() - start))
        sol = _solve_pyvrp(
            problem,
            sc,
            time_limit=half,
            seed=seed,
            workers=workers,
            start=start,
            progress=progress,
        )
        return _improve_circuit(
            problem,
            sc,
            sol,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            start=start,
            progress=progress,
        )
    return _solve_pyvrp(
        problem,
        sc,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        start=start,
        progress=progress,
    )


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
    if problem.is_tour:
        sol = solve_tours(
            problem,
            sc,
            lambda trips, **kw: solve(trips, progress=None, **{"engine": engine, **kw}),
            engine=engine,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            start=start,
        )
        if progress:
            progress(sol.seconds, sol.objective, sol.bound)
        return sol
    if engine == "routing":
        return _solve_routing(problem, sc, time_limit=time_limit, start=start, progress=progress)
    if engine == "pyvrp":
        return _solve_pyvrp(
            problem,
            sc,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            start=start,
            progress=progress,
        )
    return exact_then_heuristic(
        engine,
        lambda asked: _solve_exact(
            problem,
            sc,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            start=start,
            progress=progress,
            enumeration_share=0.9 if asked else 0.3,
            max_routes=None if asked else AUTO_MAX_ROUTES,
            # auto: when the packing is not proven optimal by half the time, the
            # heuristic gets the other half
            packing_share=1.0 if asked else 0.5,
        ),
        lambda: _solve_heuristic(
            problem,
            sc,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            start=start,
            progress=progress,
        ),
        start=start,
    )
