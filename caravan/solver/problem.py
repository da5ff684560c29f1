"""The general optimizer API: a prize-collecting team orienteering problem, no caravan types.

A :class:`Problem` has ``n`` sites with an integer duration matrix (any time unit; caravan
uses seconds), a prize and a service duration per site, and vehicles. Each vehicle starts at
its ``start`` site no earlier than ``earliest``, visits sites, and reaches its ``end`` site no
later than ``latest`` (start and end may differ). Sites used as a start or an end are depots:
they are never visited as stops. Every other site is a candidate, visited at most once by at
most one vehicle; ``required`` candidates must be visited. The objective is::

    maximise  sum of the prizes of visited sites  -  travel_weight x total travel duration

(travel only; service time costs nothing beyond the time it takes; a vehicle with no visits
is unused and travels nothing). Build a problem with
:func:`make_problem`, which checks everything and names the site or vehicle at fault; solve it
with :func:`caravan.solver.solve`; check any answer with :func:`evaluate`.

**Tours** (multi-day trips with nights away). Instead of vehicles, a problem may have
:class:`Tour` s: a tour has a ``start`` and an ``end`` site and a sequence of :class:`Day` s,
each with its own window. Day 1 leaves ``start``; every day ends either at the tour's
``end`` (a night *at home*: free) or at one of the problem's ``lodgings`` (a night *away*,
which costs the lodging's price in the objective and counts against the tour's
``max_nights``); the next day leaves from where the previous one ended; the last day ends at
``end``, and so does a day whose ``away`` is False (for caravan: the day before a day off).
Lodgings are depots too: never visited as stops. The objective becomes::

    maximise  prizes  -  travel_weight x travel  -  sum of the prices of the nights away

A day-trip problem is a tour problem without lodgings: every day is then a vehicle from
home to home (``problem.vehicles`` lists the days of all tours, tour by tour), and a
problem made with ``vehicles=`` is one single-day tour per vehicle. The solution has one
:class:`VehicleRoute` per day, which says where the day starts and ends.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from caravan.errors import ParameterError


@dataclass(frozen=True)
class Vehicle:
    start: int
    end: int
    earliest: int
    latest: int
    name: str = ""


@dataclass(frozen=True)
class Day:
    """One day of a :class:`Tour`: it leaves at ``earliest`` and arrives by ``latest``.
    ``away`` False: the day must end at the tour's ``end`` (no night away after it)."""

    earliest: int
    latest: int
    away: bool = True


@dataclass(frozen=True)
class Tour:
    """A multi-day trip from ``start`` to ``end`` (module docstring). ``max_nights``: at most
    this many nights away (at lodgings); ``None`` for no limit."""

    start: int
    end: int
    days: tuple[Day, ...]
    max_nights: int | None = None
    name: str = ""


@dataclass(frozen=True, eq=False)
class Problem:
    durations: np.ndarray  # (n, n) int64, read-only
    prizes: tuple[float, ...]
    service: tuple[int, ...]
    #: one per day of every tour, tour by tour (for a vehicle problem: the vehicles)
    vehicles: tuple[Vehicle, ...]
    required: frozenset[int]
    travel_weight: float
    names: tuple[str, ...]
    #: the tours (for a vehicle problem: one single-day tour per vehicle)
    tours: tuple[Tour, ...] = ()
    #: lodging site -> price of a night there (objective units); read-only
    lodgings: Mapping[int, float] = field(default_factory=dict)
    #: made with ``tours=`` (True) or with ``vehicles=``
    with_tours: bool = False

    @property
    def n(self) -> int:
        return len(self.prizes)

    @property
    def depots(self) -> frozenset[int]:
        ends = {v.start for v in self.vehicles} | {v.end for v in self.vehicles}
        return frozenset(ends | {t.start for t in self.tours} | set(self.lodgings))

    @property
    def is_tour(self) -> bool:
        """True when the tour engines solve it: some day may end at a lodging, or some tour
        starts away from its end. Otherwise every day runs home to home and the vehicle
        engines solve ``vehicles``."""
        if not self.with_tours:
            return False
        return any(t.start != t.end for t in self.tours) or (
            bool(self.lodgings)
            and any(t.max_nights != 0 and any(day.away for day in t.days[:-1]) for t in self.tours)
        )

    @cached_property
    def day_of(self) -> tuple[tuple[int, int], ...]:
        """(tour, day) of each entry of ``vehicles``."""
        return tuple((t, d) for t, tour in enumerate(self.tours) for d in range(len(tour.days)))

    @property
    def candidates(self) -> tuple[int, ...]:
        depots = self.depots
        return tuple(i for i in range(self.n) if i not in depots)

    def vehicle_label(self, k: int) -> str:
        return self.vehicles[k].name or f"vehicle {k}"


def make_problem(
    *,
    durations,
    prizes: Sequence[float],
    service: Sequence[int] | None = None,
    vehicles: Sequence[Vehicle] = (),
    tours: Sequence[Tour] = (),
    lodgings: Mapping[int, float] | None = None,
    required: Sequence[int] = (),
    travel_weight: float = 1.0,
    names: Sequence[str] | None = None,
) -> Problem:
    """Check the inputs and build an immutable :class:`Problem`, with ``vehicles`` or with
    ``tours`` (and ``lodgings``: site -> price of a night), not both.

    Raises :class:`~caravan.errors.ParameterError` naming the site, vehicle or tour at fault:
    a matrix that is not square or has negative or non-integer entries, a time window that
    ends before it starts, a lodging that is not a site or has a negative price, a required
    site that is a depot or that no vehicle or tour can reach, serve and leave.
    """
    d = np.asarray(durations)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ParameterError(
            f"the duration matrix must be square, got shape {d.shape}", param="durations"
        )
    n = d.shape[0]
    if n == 0:
        raise ParameterError("the problem has no sites", param="durations")
    if not np.issubdtype(d.dtype, np.integer) and (
        not np.all(np.isfinite(d)) or not np.all(d == np.round(d))
    ):
        raise ParameterError("durations must be integers", param="durations")
    d = d.astype(np.int64)
    names = tuple(names) if names is not None else tuple(f"site {i}" for i in range(n))
    if len(names) != n:
        raise ParameterError(f"{len(names)} names for {n} sites", param="names")
    neg = np.argwhere(d < 0)
    if len(neg):
        i, j = (int(x) for x in neg[0])
        raise ParameterError(
            f"negative duration {int(d[i, j])} from {names[i]} to {names[j]}", param="durations"
        )
    if len(prizes) != n:
        raise ParameterError(f"{len(prizes)} prizes for {n} sites", param="prizes")
    for i, p in enumerate(prizes):
        if not math.isfinite(p) or p < 0:
            raise ParameterError(
                f"prize of {names[i]} must be a number >= 0, got {p}", param="prizes"
            )
    service = tuple(int(s) for s in (service if service is not None else [0] * n))
    if len(service) != n:
        raise ParameterError(f"{len(service)} service durations for {n} sites", param="service")
    for i, s in enumerate(service):
        if s < 0:
            raise ParameterError(f"service duration of {names[i]} is negative", param="service")
    if not math.isfinite(travel_weight) or travel_weight < 0:
        raise ParameterError(f"must be a number >= 0, got {travel_weight}", param="travel_weight")
    if vehicles and tours:
        raise ParameterError("give vehicles or tours, not both", param="tours")
    lodgings = dict(lodgings or {})
    if tours:
        _check_tours(tours, lodgings, n)
        vehicles = _days_as_vehicles(tours)
    elif lodgings:
        raise ParameterError("lodgings need tours", param="lodgings")
    if not vehicles:
        raise ParameterError("at least one vehicle is needed", param="vehicles")
    for k, v in enumerate(vehicles):
        label = v.name or f"vehicle {k}"
        for attr in ("start", "end"):
            idx = getattr(v, attr)
            if not (0 <= idx < n):
                raise ParameterError(
                    f"{label}: {attr} site {idx} is not in 0..{n - 1}", param="vehicles"
                )
        if v.latest < v.earliest:
            raise ParameterError(
                f"{label}: the time window ends ({v.latest}) before it starts ({v.earliest})",
                param="vehicles",
            )
    d.setflags(write=False)
    problem = Problem(
        durations=d,
        prizes=tuple(float(p) for p in prizes),
        service=service,
        vehicles=tuple(vehicles),
        required=frozenset(int(r) for r in required),
        travel_weight=float(travel_weight),
        names=names,
        tours=tuple(tours)
        or tuple(
            Tour(v.start, v.end, (Day(v.earliest, v.latest, away=False),), 0, v.name)
            for v in vehicles
        ),
        lodgings=lodgings,
        with_tours=bool(tours),
    )
    for r in sorted(problem.required):
        if not (0 <= r < n):
            raise ParameterError(f"required site {r} is not in 0..{n - 1}", param="required")
        if r in problem.depots:
            raise ParameterError(
                f"required site {names[r]} is a start or end site", param="required"
            )
        if not any(_can_serve_alone(problem, k, r) for k in range(len(problem.vehicles))) and (
            not problem.is_tour or not servable_on_tour(problem, r)
        ):
            raise ParameterError(
                f"required site {names[r]} cannot be reached, served and left within any "
                "vehicle's time window" + (" even with nights away" if problem.is_tour else ""),
                param="required",
            )
    return problem


def _check_tours(tours: Sequence[Tour], lodgings: Mapping[int, float], n: int) -> None:
    for i, cost in lodgings.items():
        if not (isinstance(i, int | np.integer) and 0 <= i < n):
            raise ParameterError(f"lodging site {i} is not in 0..{n - 1}", param="lodgings")
        if not math.isfinite(cost) or cost < 0:
            raise ParameterError(
                f"the price of a night at site {i} must be a number >= 0, got {cost}",
                param="lodgings",
            )
    for t, tour in enumerate(tours):
        label = tour.name or f"tour {t}"
        if not tour.days:
            raise ParameterError(f"{label}: a tour needs at least one day", param="tours")
        if tour.max_nights is not None and tour.max_nights < 0:
            raise ParameterError(f"{label}: max_nights must be >= 0", param="tours")


def _days_as_vehicles(tours: Sequence[Tour]) -> list[Vehicle]:
    """One vehicle per day, tour by tour: day 1 from the start, the others from the end
    (where a day without a night away ends)."""
    return [
        Vehicle(
            start=tour.start if d == 0 else tour.end,
            end=tour.end,
            earliest=day.earliest,
            latest=day.latest,
            name=f"{tour.name or f'tour {t}'} day {d + 1}",
        )
        for t, tour in enumerate(tours)
        for d, day in enumerate(tour.days)
    ]


def _can_serve_alone(problem: Problem, k: int, site: int) -> bool:
    v = problem.vehicles[k]
    d = problem.durations
    return (v.earliest + d[v.start, site] + problem.service[site] + d[site, v.end]) <= v.latest


def day_ends(problem: Problem, t: int, d: int) -> tuple[int, ...]:
    """Where day ``d`` of tour ``t`` may end: the tour's end, and the lodgings when the day
    may end away (not the last day, ``away``, and the tour may spend nights away)."""
    tour = problem.tours[t]
    if d == len(tour.days) - 1 or not tour.days[d].away or tour.max_nights == 0:
        return (tour.end,)
    return (tour.end, *sorted(i for i in problem.lodgings if i != tour.end))


def is_night_away(problem: Problem, t: int, d: int, end: int) -> bool:
    """Whether ending day ``d`` of tour ``t`` at ``end`` is a night away (not the last day,
    not at the tour's end)."""
    return end != problem.tours[t].end and d < len(problem.tours[t].days) - 1


def night_tables(problem: Problem, t: int) -> tuple[list[dict[int, int]], list[dict[int, int]]]:
    """For tour ``t``, per day: the sites the day can start from with the fewest nights away
    spent to get there (``before``), and with the fewest nights away still needed from there
    to the tour's end (``after``), driving empty days within the windows. A site missing from
    a table cannot be a start that day."""
    tour = problem.tours[t]
    dur = problem.durations
    last = len(tour.days) - 1

    def fits(d: int, a: int, b: int) -> bool:
        return tour.days[d].earliest + dur[a, b] <= tour.days[d].latest

    before: list[dict[int, int]] = [{tour.start: 0}]
    for d in range(last):
        nxt: dict[int, int] = {}
        for a, nights in before[d].items():
            for b in day_ends(problem, t, d):
                if fits(d, a, b):
                    used = nights + is_night_away(problem, t, d, b)
                    nxt[b] = min(nxt.get(b, used), used)
        before.append(nxt)
    after: list[dict[int, int]] = [{} for _ in tour.days]
    after[last] = {a: 0 for a in before[last] if fits(last, a, tour.end)}
    for d in range(last - 1, -1, -1):
        for a in before[d]:
            need = [
                is_night_away(problem, t, d, b) + after[d + 1][b]
                for b in day_ends(problem, t, d)
                if b in after[d + 1] and fits(d, a, b)
            ]
            if need:
                after[d][a] = min(need)
    return before, after


def servable_on_tour(problem: Problem, site: int) -> bool:
    """Whether some day of some tour can reach ``site``, serve it and go on to a place from
    which its tour gets back to its end, within the nights the tour may spend away."""
    dur = problem.durations
    svc = problem.service[site]
    for t, tour in enumerate(problem.tours):
        before, after = night_tables(problem, t)
        limit = len(tour.days) if tour.max_nights is None else tour.max_nights
        for d, day in enumerate(tour.days):
            later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
            for a, spent in before[d].items():
                for b in day_ends(problem, t, d):
                    if b not in later:
                        continue
                    if spent + is_night_away(problem, t, d, b) + later[b] > limit:
                        continue
                    if day.earliest + dur[a, site] + svc + dur[site, b] <= day.latest:
                        return True
    return False


@dataclass(frozen=True)
class Visit:
    site: int
    arrival: int
    departure: int


@dataclass(frozen=True)
class VehicleRoute:
    """The route of one vehicle (of one day of a tour): from ``start`` to ``end``."""

    vehicle: int
    visits: tuple[Visit, ...]
    start_time: int  # leaves its start site
    end_time: int  # reaches its end site
    travel: int  # total travel duration, start to end
    start: int  # the site it leaves (a tour's day: where the previous day ended)
    end: int  # the site it reaches (a tour's day: the tour's end or a lodging)

    @property
    def sites(self) -> tuple[int, ...]:
        return tuple(v.site for v in self.visits)


@dataclass(frozen=True)
class Solution:
    """One route per vehicle (maybe empty), the dropped candidates, and how good it is.

    ``bound`` is an upper bound on the objective when the method proves one; ``status`` is
    ``"optimal"`` when the objective equals the best possible. ``nights`` counts the nights
    away of all tours and ``lodging_cost`` their price (``objective`` = ``prize`` -
    travel_weight x ``travel`` - ``lodging_cost``).
    """

    routes: tuple[VehicleRoute, ...]
    dropped: tuple[int, ...]
    objective: float
    prize: float
    travel: int
    status: Literal["optimal", "feasible"]
    bound: float | None
    engine: str
    seconds: float
    detail: dict[str, object] = field(default_factory=dict)
    nights: int = 0
    lodging_cost: float = 0.0

    @property
    def gap(self) -> float | None:
        if self.status == "optimal":
            return 0.0
        if self.bound is None:
            return None
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-9))


class InfeasibleRoute(ValueError):
    """A route breaks a rule of the problem (see :func:`evaluate`)."""


def timed_route(
    problem: Problem,
    k: int,
    sites: Sequence[int],
    *,
    start: int | None = None,
    end: int | None = None,
) -> VehicleRoute:
    """Schedule ``sites`` on vehicle (or tour day) ``k``, leaving at ``earliest``, with no
    waiting, from ``start`` to ``end`` (default: the vehicle's).

    A vehicle with no visits is not used: it travels nothing, even when its start and end
    differ. A tour's day with no visits drives straight from its start to its end (nothing
    when they are the same site).

    Raises :class:`InfeasibleRoute` when the route ends after ``latest``.
    """
    v = problem.vehicles[k]
    start = v.start if start is None else start
    end = v.end if end is None else end
    if not sites and (start == end or not problem.with_tours):
        # an unused vehicle stays where it is and costs nothing
        return VehicleRoute(
            vehicle=k,
            visits=(),
            start_time=v.earliest,
            end_time=v.earliest,
            travel=0,
            start=start,
            end=end,
        )
    d = problem.durations
    t = v.earliest
    prev = start
    travel = 0
    visits = []
    for s in sites:
        leg = int(d[prev, s])
        travel += leg
        t += leg
        dep = t + problem.service[s]
        visits.append(Visit(site=int(s), arrival=t, departure=dep))
        t = dep
        prev = s
    leg = int(d[prev, end])
    travel += leg
    t += leg
    if t > v.latest:
        raise InfeasibleRoute(
            f"{problem.vehicle_label(k)} reaches its end at {t}, after its latest {v.latest}"
        )
    return VehicleRoute(
        vehicle=k,
        visits=tuple(visits),
        start_time=v.earliest,
        end_time=t,
        travel=travel,
        start=start,
        end=end,
    )


def evaluate(
    problem: Problem,
    sequences: Sequence[Sequence[int]],
    *,
    ends: Sequence[int] | None = None,
    engine: str = "",
    status: Literal["optimal", "feasible"] = "feasible",
    bound: float | None = None,
    seconds: float = 0.0,
    detail: dict | None = None,
) -> Solution:
    """Check one site sequence per vehicle (per day of every tour) against every rule and
    build the :class:`Solution`. ``ends``: where each day ends (default: the vehicle's end).

    Raises :class:`InfeasibleRoute` naming the rule broken: a depot or unknown site in a
    route, a site visited twice, a route that ends late, a required site left out, a day
    that ends where it may not, a tour with more nights away than it may spend.
    """
    if len(sequences) != len(problem.vehicles):
        raise InfeasibleRoute(f"{len(sequences)} routes for {len(problem.vehicles)} vehicles")
    ends = [v.end for v in problem.vehicles] if ends is None else list(ends)
    depots = problem.depots
    seen: dict[int, int] = {}
    routes = []
    nights = 0
    lodging_cost = 0.0
    tour_nights: dict[int, int] = {}
    for k, seq in enumerate(sequences):
        for s in seq:
            if not (0 <= s < problem.n) or s in depots:
                raise InfeasibleRoute(f"{problem.vehicle_label(k)} visits {s}, not a candidate")
            if s in seen:
                raise InfeasibleRoute(f"{problem.names[s]} is visited twice")
            seen[s] = k
        t, d = problem.day_of[k]
        start = problem.vehicles[k].start if d == 0 else ends[k - 1]
        if ends[k] not in day_ends(problem, t, d):
            raise InfeasibleRoute(
                f"{problem.vehicle_label(k)} ends at {problem.names[ends[k]]}, where it may not"
            )
        if is_night_away(problem, t, d, ends[k]):
            nights += 1
            lodging_cost += problem.lodgings[ends[k]]
            tour_nights[t] = tour_nights.get(t, 0) + 1
        routes.append(timed_route(problem, k, seq, start=start, end=ends[k]))
    for t, count in tour_nights.items():
        limit = problem.tours[t].max_nights
        if limit is not None and count > limit:
            name = problem.tours[t].name or f"tour {t}"
            raise InfeasibleRoute(f"{name} spends {count} nights away, more than {limit}")
    missing = sorted(problem.required - set(seen))
    if missing:
        raise InfeasibleRoute(f"required site {problem.names[missing[0]]} is not visited")
    prize = sum(problem.prizes[s] for s in seen)
    travel = sum(r.travel for r in routes)
    objective = prize - problem.travel_weight * travel - lodging_cost
    dropped = tuple(i for i in problem.candidates if i not in seen)
    return Solution(
        routes=tuple(routes),
        dropped=dropped,
        objective=objective,
        prize=prize,
        travel=travel,
        status=status,
        bound=bound,
        engine=engine,
        seconds=seconds,
        detail=dict(detail or {}),
        nights=nights,
        lodging_cost=lodging_cost,
    )
