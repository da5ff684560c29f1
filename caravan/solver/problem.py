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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True, eq=False)
class Problem:
    durations: np.ndarray  # (n, n) int64, read-only
    prizes: tuple[float, ...]
    service: tuple[int, ...]
    vehicles: tuple[Vehicle, ...]
    required: frozenset[int]
    travel_weight: float
    names: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.prizes)

    @property
    def depots(self) -> frozenset[int]:
        return frozenset({v.start for v in self.vehicles} | {v.end for v in self.vehicles})

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
    vehicles: Sequence[Vehicle],
    required: Sequence[int] = (),
    travel_weight: float = 1.0,
    names: Sequence[str] | None = None,
) -> Problem:
    """Check the inputs and build an immutable :class:`Problem`.

    Raises :class:`~caravan.errors.ParameterError` naming the site or vehicle at fault: a
    matrix that is not square or has negative or non-integer entries, a time window that
    ends before it starts, a required site that is a depot or that no vehicle can reach,
    serve and leave within its window.
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
    )
    for r in sorted(problem.required):
        if not (0 <= r < n):
            raise ParameterError(f"required site {r} is not in 0..{n - 1}", param="required")
        if r in problem.depots:
            raise ParameterError(
                f"required site {names[r]} is a start or end site", param="required"
            )
        if not any(_can_serve_alone(problem, k, r) for k in range(len(problem.vehicles))):
            raise ParameterError(
                f"required site {names[r]} cannot be reached, served and left within any "
                "vehicle's time window",
                param="required",
            )
    return problem


def _can_serve_alone(problem: Problem, k: int, site: int) -> bool:
    v = problem.vehicles[k]
    d = problem.durations
    return (v.earliest + d[v.start, site] + problem.service[site] + d[site, v.end]) <= v.latest


@dataclass(frozen=True)
class Visit:
    site: int
    arrival: int
    departure: int


@dataclass(frozen=True)
class VehicleRoute:
    vehicle: int
    visits: tuple[Visit, ...]
    start_time: int  # leaves its start site
    end_time: int  # reaches its end site
    travel: int  # total travel duration, start to end

    @property
    def sites(self) -> tuple[int, ...]:
        return tuple(v.site for v in self.visits)


@dataclass(frozen=True)
class Solution:
    """One route per vehicle (maybe empty), the dropped candidates, and how good it is.

    ``bound`` is an upper bound on the objective when the method proves one; ``status`` is
    ``"optimal"`` when the objective equals the best possible.
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

    @property
    def gap(self) -> float | None:
        if self.status == "optimal":
            return 0.0
        if self.bound is None:
            return None
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-9))


class InfeasibleRoute(ValueError):
    """A route breaks a rule of the problem (see :func:`evaluate`)."""


def timed_route(problem: Problem, k: int, sites: Sequence[int]) -> VehicleRoute:
    """Schedule ``sites`` on vehicle ``k``, leaving at ``earliest``, with no waiting.

    A vehicle with no visits is not used: it travels nothing, even when its start and end
    differ.

    Raises :class:`InfeasibleRoute` when the route ends after ``latest``.
    """
    v = problem.vehicles[k]
    if not sites:  # an unused vehicle stays where it is and costs nothing
        return VehicleRoute(
            vehicle=k, visits=(), start_time=v.earliest, end_time=v.earliest, travel=0
        )
    d = problem.durations
    t = v.earliest
    prev = v.start
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
    leg = int(d[prev, v.end])
    travel += leg
    t += leg
    if t > v.latest:
        raise InfeasibleRoute(
            f"{problem.vehicle_label(k)} reaches its end at {t}, after its latest {v.latest}"
        )
    return VehicleRoute(
        vehicle=k, visits=tuple(visits), start_time=v.earliest, end_time=t, travel=travel
    )


def evaluate(
    problem: Problem,
    sequences: Sequence[Sequence[int]],
    *,
    engine: str = "",
    status: Literal["optimal", "feasible"] = "feasible",
    bound: float | None = None,
    seconds: float = 0.0,
    detail: dict | None = None,
) -> Solution:
    """Check one site sequence per vehicle against every rule and build the :class:`Solution`.

    Raises :class:`InfeasibleRoute` naming the rule broken: a depot or unknown site in a
    route, a site visited twice, a route that ends late, a required site left out.
    """
    if len(sequences) != len(problem.vehicles):
        raise InfeasibleRoute(f"{len(sequences)} routes for {len(problem.vehicles)} vehicles")
    depots = problem.depots
    seen: dict[int, int] = {}
    routes = []
    for k, seq in enumerate(sequences):
        for s in seq:
            if not (0 <= s < problem.n) or s in depots:
                raise InfeasibleRoute(f"{problem.vehicle_label(k)} visits {s}, not a candidate")
            if s in seen:
                raise InfeasibleRoute(f"{problem.names[s]} is visited twice")
            seen[s] = k
        routes.append(timed_route(problem, k, seq))
    missing = sorted(problem.required - set(seen))
    if missing:
        raise InfeasibleRoute(f"required site {problem.names[missing[0]]} is not visited")
    prize = sum(problem.prizes[s] for s in seen)
    travel = sum(r.travel for r in routes)
    objective = prize - problem.travel_weight * travel
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
    )
