"""Tours as a packing of day routes: every useful day route, then the best week of them.

A *day route* goes from a start site (a tour's start, its end or a lodging) through some
candidates to an end site (the tour's end or a lodging) within a day's window. Given day
routes, the best tours are a mixed-integer program (solved by HiGHS through SciPy):

* ``x[t, d, r] = 1`` when day ``d`` of tour ``t`` drives route ``r``; exactly one route a
  day (a route may have no visits: driving on, or staying put);
* day 1 of a tour starts at the tour's start, the last day ends at its end, and a day that
  may not end away ends at the end; **flow**: each later day starts where the day before
  ended (for every site ``v``: routes of day ``d - 1`` ending at ``v`` = routes of day
  ``d`` starting at ``v``);
* each candidate in at most one chosen route (exactly one when required); at most
  ``max_nights`` nights away per tour;
* maximise the routes' scaled values minus the scaled price of each night away.

With every useful day route (:func:`enumerate_day_routes`: a route is dropped only when the
same start and end with one optional visit less is worth as much and takes no longer) the
answer is the proven optimum of the whole problem: that is the exact engine for tours. With
the day routes of heuristic solutions it is their best recombination. HiGHS runs with a
relative gap of 0 on one thread: the result is exact and the same on every run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.solver.enumeration import TooManyRoutes, grow_labels
from caravan.solver.problem import Problem, day_ends, is_night_away, night_tables
from caravan.solver.scaling import Scaled


@dataclass(frozen=True)
class DayRoute:
    start: int
    end: int
    sites: tuple[int, ...]
    duration: int  # from leaving ``start`` to reaching ``end``, service included
    value: int  # scaled: prizes - travel (scaling.Scaled.tie_travel)


def day_route(problem: Problem, sc: Scaled, start: int, end: int, sites: Sequence[int]) -> DayRoute:
    """A day route with its duration and scaled value, computed from scratch."""
    d = problem.durations
    path = [start, *sites, end]
    travel = sum(int(d[a, b]) for a, b in itertools.pairwise(path))
    service = sum(problem.service[s] for s in sites)
    value = sum(int(sc.prizes[s]) for s in sites) - sc.tie_travel(travel)
    return DayRoute(start, end, tuple(sites), travel + service, value)


@dataclass(frozen=True)
class TourPlan:
    """A packing: per day of every tour (``problem.vehicles`` order) its sites and end."""

    sequences: tuple[tuple[int, ...], ...]
    ends: tuple[int, ...]
    value: int  # scaled objective
    bound: int | None  # scaled upper bound over the routes given
    optimal: bool
    feasible: bool
    infeasible: bool = False  # proven: no packing of these routes serves every required site


def _starts_and_ends(problem: Problem) -> dict[int, tuple[int, set[int]]]:
    """start site -> (the longest window of a day that may leave it, where such days end)."""
    out: dict[int, tuple[int, set[int]]] = {}
    for t, tour in enumerate(problem.tours):
        before, _after = night_tables(problem, t)
        for d, day in enumerate(tour.days):
            for a in before[d]:
                budget, ends = out.get(a, (0, set()))
                out[a] = (
                    max(budget, day.latest - day.earliest),
                    ends | set(day_ends(problem, t, d)),
                )
    return out


def enumerate_day_routes(
    problem: Problem,
    sc: Scaled,
    *,
    deadline: float | None = None,
    max_labels: int = 1_000_000,
) -> tuple[list[DayRoute], int]:
    """Every useful day route of the problem's tours, and the labels generated (the work).

    Raises :class:`~caravan.solver.enumeration.TooManyRoutes` past ``max_labels`` labels in
    all or past the deadline."""
    routes: list[DayRoute] = []
    total = 0
    d = problem.durations
    for start, (budget, ends) in sorted(_starts_and_ends(problem).items()):
        labels = grow_labels(
            problem,
            start,
            sorted(ends),
            budget,
            max_labels=max(1, max_labels - total),
            deadline=deadline,
        )
        total += labels.total
        for end in sorted(ends):
            if d[start, end] <= budget:
                routes.append(day_route(problem, sc, start, end, ()))
            orders, values, durations = labels.close(
                end,
                sc.prizes,
                sc.W,
                q=sc.q,
                deadline=deadline,
                check_duration=True,
                empty_value=-sc.tie_travel(int(d[start, end])),
            )
            routes += [
                DayRoute(start, end, o, int(t), int(v))
                for o, v, t in zip(orders, values, durations, strict=True)
            ]
        if total > max_labels:
            raise TooManyRoutes(f"more than {max_labels} labels")
    return routes, total


def _columns(problem: Problem, sc: Scaled, routes: Sequence[DayRoute]):
    """The variables: (flattened day k, route index, objective coefficient) of every route
    that day may drive, given where it can start and still get home in time."""
    cols: list[tuple[int, int, int]] = []
    by_start: dict[int, list[int]] = {}
    for i, r in enumerate(routes):
        by_start.setdefault(r.start, []).append(i)
    k = 0
    for t, tour in enumerate(problem.tours):
        before, after = night_tables(problem, t)
        limit = len(tour.days) if tour.max_nights is None else tour.max_nights
        for d, day in enumerate(tour.days):
            later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
            allowed = set(day_ends(problem, t, d))
            window = day.latest - day.earliest
            for a, spent in before[d].items():
                for i in by_start.get(a, ()):
                    r = routes[i]
                    if r.end not in allowed or r.end not in later or r.duration > window:
                        continue
                    night = is_night_away(problem, t, d, r.end)
                    if spent + night + later[r.end] > limit:
                        continue
                    cols.append((k, i, r.value - (sc.nights[r.end] if night else 0)))
            k += 1
    return cols


def pack(
    problem: Problem,
    sc: Scaled,
    routes: Sequence[DayRoute],
    *,
    time_limit: float,
) -> TourPlan:
    """The best tours made of ``routes`` (module docstring)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    routes = list(dict.fromkeys(routes))
    cols = _columns(problem, sc, routes)
    n_days = len(problem.vehicles)
    if not cols:
        return TourPlan((), (), 0, None, False, False, infeasible=True)
    entries: list[tuple[int, int, float]] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(lo: float, hi: float) -> int:
        lower.append(lo)
        upper.append(hi)
        return len(lower) - 1

    day_row = [row(1, 1) for _ in range(n_days)]
    flow: dict[tuple[int, int], int] = {}
    site_row = {s: row(1 if s in problem.required else 0, 1) for s in problem.candidates}
    night_row: dict[int, int] = {}
    for t, tour in enumerate(problem.tours):
        if tour.max_nights is not None:
            night_row[t] = row(0, tour.max_nights)
    first_of = [k for k, (_t, d) in enumerate(problem.day_of) if d == 0]
    for j, (k, i, _c) in enumerate(cols):
        r = routes[i]
        t, d = problem.day_of[k]
        entries.append((day_row[k], j, 1))
        if k not in first_of:
            key = (k, r.start)
            if key not in flow:
                flow[key] = row(0, 0)
            entries.append((flow[key], j, -1))
        if d + 1 < len(problem.tours[t].days):
            key = (k + 1, r.end)
            if key not in flow:
                flow[key] = row(0, 0)
            entries.append((flow[key], j, 1))
        entries += [(site_row[s], j, 1) for s in r.sites]
        if t in night_row and is_night_away(problem, t, d, r.end):
            entries.append((night_row[t], j, 1))
    rows_, cols_, vals = zip(*entries, strict=True)
    a = coo_matrix((vals, (rows_, cols_)), shape=(len(lower), len(cols))).tocsr()
    cost = np.array([-c for _k, _i, c in cols], dtype=float)
    res = milp(
        cost,
        constraints=LinearConstraint(a, np.array(lower), np.array(upper)),
        integrality=np.ones(len(cols)),
        bounds=Bounds(0, 1),
        options={"time_limit": max(0.05, time_limit), "mip_rel_gap": 0.0, "presolve": False},
    )
    if res.status == 2:  # infeasible
        return TourPlan((), (), 0, None, True, False, infeasible=True)
    bound = getattr(res, "mip_dual_bound", None)
    scaled_bound = None if bound is None or not np.isfinite(bound) else int(np.floor(-bound + 1e-6))
    if res.x is None:
        return TourPlan((), (), 0, scaled_bound, False, False)
    chosen = [j for j in range(len(cols)) if res.x[j] > 0.5]
    sequences: list[tuple[int, ...]] = [() for _ in range(n_days)]
    ends = [v.end for v in problem.vehicles]
    value = 0
    for j in chosen:
        k, i, c = cols[j]
        sequences[k] = routes[i].sites
        ends[k] = routes[i].end
        value += c
    optimal = res.status == 0
    return TourPlan(
        sequences=tuple(sequences),
        ends=tuple(ends),
        value=value,
        bound=value if optimal else scaled_bound,
        optimal=optimal,
        feasible=True,
    )


def routes_of(
    problem: Problem, sc: Scaled, plans: Iterable[tuple[Sequence[Sequence[int]], Sequence[int]]]
) -> list[DayRoute]:
    """The day routes of solutions given as (sequences, ends) per day, for a recombination."""
    out = []
    for sequences, ends in plans:
        for k, (sites, end) in enumerate(zip(sequences, ends, strict=True)):
            t, d = problem.day_of[k]
            start = problem.tours[t].start if d == 0 else ends[k - 1]
            out.append(day_route(problem, sc, start, end, sites))
    return out
