"""Tours as a packing of day routes: every useful day route, then the best week of them.

A *day route* goes from a start site (a tour's start, its end or a lodging) through some
candidates to an end site (the tour's end or a lodging) within a day's window. Given day
routes, the best tours are a mixed-integer program (solved by CBC through OR-Tools):

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
the day routes of heuristic solutions it is their best recombination. CBC runs with a
relative gap of 0 on one thread (:mod:`caravan.solver.cbc`): the result is exact and the same
on every run.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.solver import cbc
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


@dataclass(frozen=True)
class _Column:
    """A variable of the program: day ``k`` drives route ``route`` (``kind`` "x"), or route
    ``route`` is one of tour ``tour``'s day trips in window class ``cls`` (``kind`` "y"),
    or day ``k`` is a day at home, with or without a day trip (``kind`` "h")."""

    kind: str
    k: int = -1
    route: int = -1
    tour: int = -1
    cls: tuple[int, int] = (0, 0)
    value: int = 0


class _OutOfTime(Exception):
    """The program could not be built by its deadline."""


def _on_time(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise _OutOfTime


def _columns(
    problem: Problem,
    sc: Scaled,
    routes: Sequence[DayRoute],
    *,
    deadline: float | None = None,
    max_columns: int | None = None,
) -> list[_Column]:
    """The variables. Day trips (home to home) are not tied to a day: any day at home with
    a long enough window takes them, so a plan's day trips have one column each instead of
    one per day (no symmetry between interchangeable days). Every other route gets a column
    per day it may drive, given where that day can start and still get home in time.
    Raises :class:`_OutOfTime` past ``deadline`` and
    :class:`~caravan.solver.enumeration.TooManyRoutes` past ``max_columns`` (both checked
    once per day and start)."""
    cols: list[_Column] = []
    by_start: dict[int, list[int]] = {}
    for i, r in enumerate(routes):
        by_start.setdefault(r.start, []).append(i)
    k = 0
    for t, tour in enumerate(problem.tours):
        home = tour.end
        before, after = night_tables(problem, t)
        limit = len(tour.days) if tour.max_nights is None else tour.max_nights
        classes = {}
        for d, day in enumerate(tour.days):
            later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
            allowed = set(day_ends(problem, t, d))
            window = day.latest - day.earliest
            if home in before[d]:
                cols.append(_Column("h", k=k, tour=t, cls=(day.earliest, day.latest)))
                classes[(day.earliest, day.latest)] = window
            for a, spent in before[d].items():
                _on_time(deadline)
                if max_columns is not None and len(cols) > max_columns:
                    raise TooManyRoutes(f"more than {max_columns} columns")
                for i in by_start.get(a, ()):
                    r = routes[i]
                    if r.start == r.end == home:
                        continue  # a day trip: a "y" column below
                    if r.end not in allowed or r.end not in later or r.duration > window:
                        continue
                    night = is_night_away(problem, t, d, r.end)
                    if spent + night + later[r.end] > limit:
                        continue
                    cols.append(
                        _Column(
                            "x", k=k, route=i, value=r.value - (sc.nights[r.end] if night else 0)
                        )
                    )
            k += 1
        for cls, window in classes.items():
            cols += [
                _Column("y", route=i, tour=t, cls=cls, value=routes[i].value)
                for i in by_start.get(home, ())
                if routes[i].end == home and routes[i].sites and routes[i].duration <= window
            ]
    if max_columns is not None and len(cols) > max_columns:
        raise TooManyRoutes(f"{len(cols)} columns")
    return cols


def pack(
    problem: Problem,
    sc: Scaled,
    routes: Sequence[DayRoute],
    *,
    time_limit: float,
    with_build: bool = False,
    max_columns: int | None = None,
) -> TourPlan:
    """The best tours made of ``routes`` (module docstring): ``time_limit`` seconds for the
    solver, or for building the program and solving it (``with_build``: a program that
    cannot be built in time comes back unsolved; the solver still gets at least 50 ms).
    Raises :class:`~caravan.solver.enumeration.TooManyRoutes` when the program would have
    more than ``max_columns`` variables: CBC does not stop at its time limit while it
    solves the first relaxation of a program too big for it."""
    from ortools.linear_solver import pywraplp

    begun = time.monotonic()
    deadline = begun + time_limit if with_build else None
    routes = list(dict.fromkeys(routes))
    try:
        cols = _columns(problem, sc, routes, deadline=deadline, max_columns=max_columns)
        if not cols:
            return TourPlan((), (), 0, None, False, False, infeasible=True)
        solver = _program(problem, routes, cols, "CBC", deadline=deadline)
    except _OutOfTime:
        return TourPlan((), (), 0, None, False, False)
    built = time.monotonic() - begun if with_build else 0.0
    status = cbc.solve(solver, time_limit - built)
    if status == pywraplp.Solver.INFEASIBLE:
        return TourPlan((), (), 0, None, True, False, infeasible=True)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return TourPlan((), (), 0, None, False, False)
    taken = np.flatnonzero(np.asarray(_response(solver).variable_value) > 0.5)
    chosen = [cols[j] for j in taken]
    sequences, ends = _decode(problem, routes, chosen)
    value = sum(c.value for c in chosen)
    optimal = status == pywraplp.Solver.OPTIMAL
    return TourPlan(
        sequences=tuple(sequences),
        ends=tuple(ends),
        value=value,
        bound=value if optimal else math.floor(solver.Objective().BestBound() + 1e-6),
        optimal=optimal,
        feasible=True,
    )


def _program(
    problem: Problem,
    routes: Sequence[DayRoute],
    cols: Sequence[_Column],
    kind: str,
    *,
    deadline: float | None = None,
):
    """The program of the module docstring in an OR-Tools solver: ``"CBC"`` (binary
    variables) or ``"GLOP"`` (its linear relaxation), one variable per column in order and
    the rows of :func:`_rows`. Handed to the solver as one model message: adding a
    quarter of a million columns one coefficient at a time took ten seconds, the message
    takes one. Raises :class:`_OutOfTime` past ``deadline``."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    a, lower, upper = _rows(problem, routes, cols, deadline=deadline)
    model = linear_solver_pb2.MPModelProto(maximize=True)
    add = model.variable.add
    integer = kind == "CBC"
    for c in cols:
        add(lower_bound=0.0, upper_bound=1.0, is_integer=integer, objective_coefficient=c.value)
    _on_time(deadline)
    for r in range(a.shape[0]):
        row = model.constraint.add(lower_bound=lower[r], upper_bound=upper[r])
        entries = slice(a.indptr[r], a.indptr[r + 1])
        row.var_index.extend(a.indices[entries].tolist())
        row.coefficient.extend(a.data[entries].tolist())
    _on_time(deadline)
    solver = pywraplp.Solver.CreateSolver(kind)
    if solver is None:  # pragma: no cover - CBC and GLOP ship with every OR-Tools wheel
        raise RuntimeError(f"OR-Tools was built without the {kind} solver")
    error = solver.LoadModelFromProto(model)
    if error:  # pragma: no cover - the model is built above from finite numbers
        raise RuntimeError(f"OR-Tools refused the packing program: {error}")
    return solver


def _response(solver):
    """The solver's solution as one message (variable values and row duals in order)."""
    from ortools.linear_solver import linear_solver_pb2

    response = linear_solver_pb2.MPSolutionResponse()
    solver.FillSolutionResponseProto(response)
    return response


def site_prices(problem: Problem, sc: Scaled, routes: Sequence[DayRoute]) -> np.ndarray:
    """Per site, the dual price of visiting it in the linear relaxation of the program over
    ``routes`` (scaled units, 0 for sites no route needs): what a new day route must beat
    to improve the relaxation (column generation's reduced cost)."""
    prices = np.zeros(problem.n)
    routes = list(dict.fromkeys(routes))
    cols = _columns(problem, sc, routes)
    if not cols:
        return prices
    solver = _program(problem, routes, cols, "GLOP")
    if solver.Solve() == 0:  # OPTIMAL
        duals = _response(solver).dual_value
        first_site = len(problem.vehicles)  # _rows: one row a day, then one per candidate
        for i, s in enumerate(problem.candidates):
            prices[s] = max(0.0, duals[first_site + i])
    return prices


def _rows(
    problem: Problem,
    routes: Sequence[DayRoute],
    cols: Sequence[_Column],
    *,
    deadline: float | None = None,
):
    """The constraints of the module docstring over ``cols``, as a sparse matrix with its
    lower and upper bounds. Raises :class:`_OutOfTime` past ``deadline``."""
    from scipy.sparse import coo_matrix

    entries: list[tuple[int, int, float]] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(lo: float, hi: float) -> int:
        lower.append(lo)
        upper.append(hi)
        return len(lower) - 1

    day_row = [row(1, 1) for _ in problem.vehicles]
    flow: dict[tuple[int, int], int] = {}

    def flow_row(k: int, node: int) -> int:
        if (k, node) not in flow:
            flow[(k, node)] = row(0, 0)
        return flow[(k, node)]

    site_row = {s: row(1 if s in problem.required else 0, 1) for s in problem.candidates}
    night_row = {
        t: row(0, tour.max_nights)
        for t, tour in enumerate(problem.tours)
        if tour.max_nights is not None
    }
    class_row: dict[tuple[int, tuple[int, int]], int] = {}
    for c in cols:
        if c.kind in "hy" and (c.tour, c.cls) not in class_row:
            class_row[(c.tour, c.cls)] = row(-np.inf, 0)  # day trips <= days at home
    for j, c in enumerate(cols):
        if j % 4096 == 0:
            _on_time(deadline)
        if c.kind == "y":
            entries.append((class_row[(c.tour, c.cls)], j, 1))
            entries += [(site_row[s], j, 1) for s in routes[c.route].sites]
            continue
        t, d = problem.day_of[c.k]
        last = d == len(problem.tours[t].days) - 1
        home = problem.tours[t].end
        start, end = (home, home) if c.kind == "h" else (routes[c.route].start, routes[c.route].end)
        entries.append((day_row[c.k], j, 1))
        if d > 0:
            entries.append((flow_row(c.k, start), j, -1))
        if not last:
            entries.append((flow_row(c.k + 1, end), j, 1))
        if c.kind == "h":
            entries.append((class_row[(t, c.cls)], j, -1))
            continue
        entries += [(site_row[s], j, 1) for s in routes[c.route].sites]
        if t in night_row and is_night_away(problem, t, d, end):
            entries.append((night_row[t], j, 1))
    rows_, cols_, vals = zip(*entries, strict=True)
    a = coo_matrix((vals, (rows_, cols_)), shape=(len(lower), len(cols))).tocsr()
    return a, np.array(lower), np.array(upper)


def _decode(problem: Problem, routes: Sequence[DayRoute], chosen: Sequence[_Column]):
    """Per day, its sites and end: the "x" routes on their days, the day trips ("y") on the
    days at home ("h") of their tour and window, most valuable first."""
    sequences: list[tuple[int, ...]] = [() for _ in problem.vehicles]
    ends = [v.end for v in problem.vehicles]
    trips: dict[tuple[int, tuple[int, int]], list[DayRoute]] = {}
    home_days: dict[tuple[int, tuple[int, int]], list[int]] = {}
    for c in chosen:
        if c.kind == "x":
            sequences[c.k] = routes[c.route].sites
            ends[c.k] = routes[c.route].end
        elif c.kind == "y":
            trips.setdefault((c.tour, c.cls), []).append(routes[c.route])
        else:
            home_days.setdefault((c.tour, c.cls), []).append(c.k)
            ends[c.k] = problem.tours[c.tour].end
    for key, found in trips.items():
        found.sort(key=lambda r: (-r.value, r.sites))
        for k, r in zip(sorted(home_days[key]), found, strict=False):
            sequences[k] = r.sites
    return sequences, ends


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
