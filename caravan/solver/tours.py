"""The engines for tours (problems whose days may end at lodgings).

``"exact"``
    Every useful day route from each possible start (the tours' starts, their ends and the
    lodgings) to each possible end (:func:`caravan.solver.tourpack.enumerate_day_routes`),
    then the best tours made of them (:func:`caravan.solver.tourpack.pack`). Proven
    optimal when the program finishes in time; raises :class:`EngineUnsuitable` when the
    routes are too many.
``"pyvrp"`` (the heuristic)
    When every tour starts and ends at the same site (a caravan unit's base), the days as
    day trips first (:func:`with_ends`: the vehicle engines of :mod:`caravan.solver.solve`
    on the same days without nights; the exact engine when it is quick). With one tour,
    every night sequence of the tour is screened (:mod:`caravan.solver.tourseq`) and the
    best six are tried (the local search with their nights fixed, a share of a second
    each); with more tours, good day routes between every start and end of a day are
    recombined instead (:func:`_pair_routes`). Then the iterated local search of
    :mod:`caravan.solver.tourls` (compiled, :mod:`caravan.solver.tourjit`) with nights
    away from the best plan so far, one run per core with different seeds, restarting from
    the next night sequences tried or screened; with several tours, then PyVRP on the days
    of the best plan found with its nights fixed (each day a vehicle from where it starts to
    where it ends); then the best recombination of the day routes of every good solution
    met (``tourpack.pack``). The solution's engine reads
    ``"search"``. No bound of its own.
``"auto"``
    The exact engine when its routes can be enumerated within a share of the time and the
    program is solved in time; else the heuristic, lent the exact engine's bound when there
    is one.

``"routing"`` plans day trips only: asking it for a problem with lodgings is an error.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from caravan.errors import NoPlanError, ParameterError
from caravan.solver import _worker, tourls, tourseq
from caravan.solver.enumeration import TooManyRoutes
from caravan.solver.portfolio import EngineUnsuitable, exact_then_heuristic
from caravan.solver.problem import Problem, Solution, evaluate, is_night_away, make_problem
from caravan.solver.scaling import Scaled
from caravan.solver.tourpack import (
    day_route,
    enumerate_day_routes,
    pack,
    routes_of,
    site_prices,
)

#: above this many day routes or labels (the enumeration's work), "auto" prefers the
#: heuristic: a MIP over more routes than that rarely finishes within a planner's wait
#: (a tambon-level week: about 170,000 day routes between 7 lodgings and the base)
AUTO_MAX_ROUTES = 50_000
#: above this many variables in the program (a route per day it may drive), "auto" prefers
#: the heuristic too: the largest OPHS program auto proves optimal has 47,040 (3 s), and a
#: two-unit tambon week's 317,000 were unsolved after 20 s, when CBC, busy with the first
#: relaxation, overran its time limit by five seconds
AUTO_MAX_COLUMNS = 60_000
#: the share of the time the heuristic gives the day trips it starts from
DAY_TRIP_SHARE = 0.25
#: the share of the time kept for the recombination of the heuristic's pool
PACK_SHARE = 0.1
#: the share of the time for the vehicle engines on the days of the best nights found
FIXED_SHARE = 0.3
#: the share of the time for good day routes between every start and end of a day
PAIR_SHARE = 0.15
#: one tour: the share of the time left for screening its night sequences
SCREEN_SHARE = 0.3
#: the night sequences tried (searched briefly, nights fixed) after the screening
TRIALS = 6
#: the share of the search's time for these trials
TRIAL_SHARE = 0.25
#: the screened plans kept for the recombination
SCREENED_KEPT = 50

#: a tour plan: per day (``problem.vehicles`` order) its visits, and where each day ends
Plan = tuple[list[list[int]], list[int]]


def routes_of_pairs(problem: Problem, sc: Scaled, trips) -> list:
    """The day routes of :func:`caravan.solver.tourls.pair_trips`."""
    return [day_route(problem, sc, a, b, sites) for a, b, sites in trips]


def _plan_value(problem: Problem, sc: Scaled, plan: Plan) -> int:
    return sum(r.value for r in routes_of(problem, sc, [plan])) - sum(
        sc.nights[e] for k, e in enumerate(plan[1]) if is_night_away(problem, *problem.day_of[k], e)
    )


def tours_early(
    problem: Problem, sequences: Sequence[Sequence[int]], ends: Sequence[int]
) -> tuple[list[list[int]], list[int]]:
    """The same plan with each tour's nights away as early in the week as the days allow:
    a stretch of days away moves before a day at home (a day trip, or no trip) when the
    windows are the same and every night of the stretch may still be spent away. The plan is
    as good, and planners get the Monday departure they expect."""
    seqs = [list(x) for x in sequences]
    ends = list(ends)
    first = 0
    for tour in problem.tours:
        n = len(tour.days)
        home = tour.end
        moved = True
        while moved:
            moved = False
            for d in range(1, n):
                k = first + d
                start = tour.start if d == 1 else ends[k - 2]
                if not (start == ends[k - 1] == home and ends[k] != home):
                    continue
                e = next(i for i in range(d, n) if ends[first + i] == home)
                same = {(x.earliest, x.latest) for x in tour.days[d - 1 : e + 1]}
                if len(same) > 1 or not all(x.away for x in tour.days[d - 1 : e - 1]):
                    continue
                trip = seqs[k - 1]
                seqs[k - 1 : first + e] = seqs[k : first + e + 1]
                ends[k - 1 : first + e] = ends[k : first + e + 1]
                seqs[first + e], ends[first + e] = trip, home
                moved = True
                break
        first += n
    return seqs, ends


def day_trips_first(
    problem: Problem, sc: Scaled, sequences: Sequence[Sequence[int]], ends: Sequence[int]
) -> list[list[int]]:
    """The same plan with its day trips (days that leave home and come back home) reordered
    as the vehicle engines order unit-days: among day trips with the same home and window,
    the most valuable goes to the earliest day (then the first tour). Nights away stay."""
    slots: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
    for k, (t, d) in enumerate(problem.day_of):
        tour = problem.tours[t]
        start = tour.start if d == 0 else ends[k - 1]
        if start == ends[k] == tour.end:
            v = problem.vehicles[k]
            slots.setdefault((tour.end, v.earliest, v.latest), []).append((d, t, k))
    out = [list(x) for x in sequences]
    for (home, _a, _b), group in slots.items():
        orders = sorted(
            (tuple(sequences[k]) for _d, _t, k in group),
            key=lambda o, home=home: (-day_route(problem, sc, home, home, o).value, o),
        )
        for (_d, _t, k), order in zip(sorted(group), orders, strict=True):
            out[k] = list(order)
    return out


def _required_names(problem: Problem) -> str:
    return ", ".join(problem.names[r] for r in sorted(problem.required))


def solve_exact(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    start: float,
    enumeration_share: float,
    max_routes: int | None,
    max_columns: int | None = None,
) -> Solution:
    """Enumerate every useful day route, then pack (module docstring). The time to build the
    program counts: a program not built in time raises
    :class:`~caravan.solver.enumeration.TooManyRoutes`, as too many routes or columns do."""
    deadline = start + max(0.2, time_limit * enumeration_share)
    routes, labels = enumerate_day_routes(
        problem, sc, deadline=deadline, max_labels=max_routes or 20_000_000
    )
    if max_routes is not None and len(routes) > max_routes:
        raise TooManyRoutes(f"{len(routes)} day routes")
    left = time_limit - (time.monotonic() - start)
    plan = pack(
        problem, sc, routes, time_limit=max(0.5, left), with_build=True, max_columns=max_columns
    )
    if plan.infeasible:
        raise NoPlanError(
            f"the required sites ({_required_names(problem)}) cannot all be served: there "
            "are not enough days to reach them within the day windows and the nights away "
            "allowed"
            if problem.required
            else "the tours cannot end where they must within the day windows and the nights "
            "away allowed"
        )
    if not plan.feasible:
        raise TooManyRoutes("no packing found within the time limit")
    seqs, ends = tours_early(problem, plan.sequences, plan.ends)
    return evaluate(
        problem,
        day_trips_first(problem, sc, seqs, ends),
        ends=ends,
        engine="exact",
        status="optimal" if plan.optimal else "feasible",
        bound=None if plan.bound is None else sc.objective_bound(plan.bound),
        seconds=time.monotonic() - start,
        detail={"routes_enumerated": len(routes), "labels": labels},
    )


#: solve(problem, time_limit=...) for a problem without lodgings (the vehicle engines)
DayTripSolver = Callable[..., Solution]


def with_ends(
    problem: Problem,
    solve: DayTripSolver,
    ends: Sequence[int],
    *,
    time_limit: float,
    seed: int,
    workers: int,
    engine: str = "auto",
) -> Plan | None:
    """The best visits for days whose ends are fixed: each day is then a vehicle from where
    it starts to where it ends, solved by the vehicle engines (``solve``). None when the
    required sites cannot all be served that way."""
    starts = [
        problem.tours[t].start if d == 0 else ends[k - 1] for k, (t, d) in enumerate(problem.day_of)
    ]
    used = set(starts) | set(ends)
    keep = [i for i in range(problem.n) if i not in problem.depots or i in used]
    where = {i: j for j, i in enumerate(keep)}
    fixed = make_problem(
        durations=problem.durations[np.ix_(keep, keep)],
        prizes=[problem.prizes[i] for i in keep],
        service=[problem.service[i] for i in keep],
        vehicles=[
            dataclasses.replace(v, start=where[a], end=where[b])
            for v, a, b in zip(problem.vehicles, starts, ends, strict=True)
        ],
        required=[where[r] for r in problem.required],
        travel_weight=problem.travel_weight,
        names=[problem.names[i] for i in keep],
    )
    try:
        sol = solve(fixed, time_limit=time_limit, seed=seed, workers=workers, engine=engine)
    except (NoPlanError, ParameterError):  # required sites out of reach with these ends
        return None
    return [[keep[s] for s in r.sites] for r in sol.routes], list(ends)


def _pair_routes(
    problem: Problem, sc: Scaled, first: Plan | None, *, seed: int, seconds: float
) -> tuple[list, Plan | None]:
    """Day routes between every start and end (:func:`caravan.solver.tourls.pair_trips`),
    then rounds of routes priced by the site duals of the relaxation over all of them, and
    the best tours they make (None when they make none)."""
    deadline = time.monotonic() + seconds
    known = routes_of(problem, sc, [first] if first else [])
    pairs = routes_of_pairs(
        problem,
        sc,
        tourls.pair_trips(problem, sc, seed=seed, deadline=time.monotonic() + seconds / 2),
    )
    for round_ in range(1, 4):
        if time.monotonic() > deadline:
            break
        prices = site_prices(problem, sc, pairs + known)
        pairs += routes_of_pairs(
            problem,
            sc,
            tourls.pair_trips(
                problem, sc, seed=seed + round_, deadline=deadline, repeats=1, prices=prices
            ),
        )
    if not pairs:
        return pairs, None
    plan = pack(problem, sc, pairs + known, time_limit=max(0.2, seconds * 0.25))
    if not plan.feasible:
        return pairs, None
    return pairs, ([list(x) for x in plan.sequences], list(plan.ends))


def _serves_required(problem: Problem, plan: Plan) -> bool:
    return problem.required <= {v for day in plan[0] for v in day}


def _best_plan(problem: Problem, sc: Scaled, plans: Sequence[Plan | None]) -> Plan | None:
    """The most valuable of ``plans`` that serves every required site (None if none)."""
    ok = [p for p in plans if p is not None and _serves_required(problem, p)]
    return max(ok, key=lambda p: _plan_value(problem, sc, p), default=None)


def _screened(problem: Problem, sc: Scaled, first: Plan | None, *, seed: int, seconds: float):
    """For a one-tour problem: the plans of its night sequences screened
    (:mod:`caravan.solver.tourseq`), best first, one per sequence; [] for more tours."""
    if len(problem.tours) != 1:
        return []
    ranked = tourseq.screen(
        problem,
        sc,
        seed=seed,
        deadline=time.monotonic() + seconds,
        first=None if first is None else tuple(first[1]),
    )
    return [plan for _value, plan in ranked if _serves_required(problem, plan)]


def _trials(
    problem: Problem, sc: Scaled, plans: list[Plan], *, seed: int, seconds: float
) -> tuple[list[Plan], list[Plan]]:
    """The first :data:`TRIALS` of ``plans`` (for example the best night sequences screened)
    each searched in turn for a share of ``seconds``, their nights fixed. Returns the best
    plan of each trial, best first, and the pool of good plans met."""
    plans = plans[:TRIALS]
    if len(plans) < 2 or seconds < 0.1 * len(plans):
        return [], []
    tried, pool = [], []
    for i, plan in enumerate(plans):
        best, found = tourls.search(
            problem,
            sc,
            time_limit=seconds / len(plans),
            seed=seed + 100 + i,
            start=plan,
            fixed_nights=True,
            pool_size=30,
        )
        pool += found
        if best is not None and _serves_required(problem, best):
            tried.append(best)
    tried.sort(key=lambda p: -_plan_value(problem, sc, p))
    return tried, pool


def solve_heuristic(
    problem: Problem,
    sc: Scaled,
    day_trips: DayTripSolver,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
) -> Solution:
    """Day trips, the local search from them, then the recombination (module docstring).
    The compiled search is made ready first (:func:`caravan.solver.tourls.warm_up`: compiled
    once after installing, else loaded), outside the time limit."""
    began = time.monotonic()
    tourls.warm_up()
    start += time.monotonic() - began
    left = time_limit - (time.monotonic() - start)
    first = None
    if all(t.start == t.end for t in problem.tours):  # day trips first: every day ends home
        first = with_ends(
            problem,
            day_trips,
            [v.end for v in problem.vehicles],
            time_limit=max(0.3, left * DAY_TRIP_SHARE),
            seed=seed,
            workers=workers,
        )
    # more tours: good day routes between every start and end a day may have, priced again
    # against the recombination's relaxation while time allows (column generation); the
    # search starts from the best tours made of them when that beats the day trips. (One
    # tour: its night sequences are screened instead, which does better on the OPHS
    # benchmark than these routes, benchmarks/RESULTS.md.)
    left = time_limit - (time.monotonic() - start)
    pairs, plan = [], None
    if len(problem.tours) > 1:
        pairs, plan = _pair_routes(problem, sc, first, seed=seed, seconds=left * PAIR_SHARE)
    trips = first  # the day trips, already searched by the vehicle engines
    first = _best_plan(problem, sc, [first, plan]) or first
    # one tour: its night sequences screened; the searches start from the best of them and
    # restart from the next ones
    left = time_limit - (time.monotonic() - start)
    screened = _screened(problem, sc, first, seed=seed, seconds=left * SCREEN_SHARE)
    first = _best_plan(problem, sc, [first, *screened[:1]])
    starts = [first, *screened[1:]] if first is not None else screened
    left = time_limit - (time.monotonic() - start)
    # one tour: no PyVRP step on its best nights (the compiled search does better with the
    # time, benchmarks/RESULTS.md "OPHS")
    fixed_share = FIXED_SHARE if len(problem.tours) > 1 else 0.0
    search = max(0.2, left * (1 - PACK_SHARE - fixed_share))
    search_end = time.monotonic() + search
    # a second search with another seed on the other core (a process needs about a second
    # and a half to start and load the compiled search: not worth it for short searches),
    # from the best start; meanwhile
    # the best screened sequences are tried on this core, and the search goes on from the
    # best trial
    others = []
    if workers > 1 and search > 3.0:
        others = [
            _worker.start(
                "tours",
                problem,
                sc,
                time_limit=search - 2.0,
                seed=seed + 1 + i,
                start=first,
                restarts=starts[i + 1 :: workers],
            )
            for i in range(workers - 1)
        ]
    tried, pool = _trials(problem, sc, starts, seed=seed, seconds=search * TRIAL_SHARE)
    if tried:
        first = _best_plan(problem, sc, [first, tried[0]])
        starts = [*tried[1:], *starts[len(tried) :]]
    best, found = tourls.search(
        problem,
        sc,
        time_limit=max(0.1, search_end - time.monotonic()),
        seed=seed,
        start=first,
        restarts=starts[workers - 1 :: workers] if others else starts,
    )
    pool += found
    finds = [best, *tried]
    for proc in others:
        found = None if proc is None else _worker.collect(proc, timeout=1.0)
        if found is not None:
            finds.append(found[0])
            pool += found[1]
    pool += [x for x in (trips, first, *screened[:SCREENED_KEPT]) if x is not None]
    # the visits of the best nights found, searched again by the vehicle engines (PyVRP)
    best_found = _best_plan(problem, sc, finds)
    left = time_limit - (time.monotonic() - start)
    if (
        best_found is not None
        and not (trips is not None and best_found[1] == trips[1])
        and fixed_share
        and left * fixed_share / (fixed_share + PACK_SHARE) > 0.5
    ):
        again = with_ends(
            problem,
            day_trips,
            best_found[1],
            time_limit=left * fixed_share / (fixed_share + PACK_SHARE),
            seed=seed,
            workers=workers,
            engine="pyvrp",
        )
        if again is not None:
            finds.append(again)
            pool.append(again)
    left = time_limit - (time.monotonic() - start)
    # one tour (measured on the OPHS benchmark): the time to build the program counts, so
    # the time limit holds; with several tours the program keeps its full time, as before
    plan = pack(
        problem,
        sc,
        routes_of(problem, sc, pool) + pairs,
        time_limit=max(0.3, left),
        with_build=len(problem.tours) == 1,
    )
    detail = {"pool_solutions": len(pool), "recombined": plan.feasible}
    candidates = []
    if plan.feasible:
        candidates.append((list(plan.sequences), list(plan.ends)))
    candidates += [f for f in finds if f is not None and _serves_required(problem, f)]
    if not candidates:
        raise NoPlanError(
            f"no plan serving every required site ({_required_names(problem)}) was found"
        )
    candidates = [tours_early(problem, seqs, ends) for seqs, ends in candidates]
    sols = [
        evaluate(
            problem,
            day_trips_first(problem, sc, seqs, ends),
            ends=ends,
            engine="search",
            status="feasible",
            seconds=time.monotonic() - start,
            detail=detail,
        )
        for seqs, ends in candidates
    ]
    return max(sols, key=lambda s: s.objective)


def solve_tours(
    problem: Problem,
    sc: Scaled,
    day_trips: DayTripSolver,
    *,
    engine: str,
    time_limit: float,
    seed: int,
    workers: int,
    start: float,
) -> Solution:
    """A problem with lodgings, by ``engine`` (module docstring)."""
    if engine == "routing":
        raise EngineUnsuitable(
            "the routing engine plans day trips only; use auto, exact or pyvrp for tours",
            param="engine",
        )
    return exact_then_heuristic(
        engine,
        lambda asked: solve_exact(
            problem,
            sc,
            time_limit=time_limit if asked else time_limit * 0.5,
            start=start,
            enumeration_share=0.9 if asked else 0.3,
            max_routes=None if asked else AUTO_MAX_ROUTES,
            max_columns=None if asked else AUTO_MAX_COLUMNS,
        ),
        lambda: solve_heuristic(
            problem, sc, day_trips, time_limit=time_limit, seed=seed, workers=workers, start=start
        ),
        start=start,
    )
