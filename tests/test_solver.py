"""The general optimizer: exact answers on hand-made instances, invariants, bad input."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from caravan.errors import NoPlanError, ParameterError
from caravan.solver import EngineUnsuitable, solve
from caravan.solver.problem import (
    InfeasibleRoute,
    Problem,
    Solution,
    Vehicle,
    make_problem,
    timed_route,
)


def assert_valid(problem: Problem, sol: Solution) -> None:
    """Every rule, checked from scratch: windows, service, start and end, no site twice,
    dropped + visited = all candidates, objective recomputed, bound >= objective."""
    d = problem.durations
    visited = []
    travel_total = 0
    for r in sol.routes:
        v = problem.vehicles[r.vehicle]
        if not r.visits:
            assert r.travel == 0
            continue
        t = v.earliest
        prev = v.start
        assert r.start_time >= v.earliest
        for visit in r.visits:
            t += d[prev, visit.site]
            assert visit.arrival == t
            assert visit.departure == visit.arrival + problem.service[visit.site]
            t = visit.departure
            prev = visit.site
            visited.append(visit.site)
        t += d[prev, v.end]
        assert r.end_time == t <= v.latest
        path = [v.start, *r.sites, v.end]
        assert r.travel == sum(d[a, b] for a, b in itertools.pairwise(path))
        travel_total += r.travel
    assert len(visited) == len(set(visited)), "a site is visited twice"
    assert not set(visited) & problem.depots
    assert sorted(visited + list(sol.dropped)) == sorted(problem.candidates)
    assert problem.required <= set(visited)
    prize = sum(problem.prizes[s] for s in visited)
    assert sol.objective == pytest.approx(prize - problem.travel_weight * travel_total)
    if sol.bound is not None:
        assert sol.bound >= sol.objective - 1e-6


def brute_force(problem: Problem) -> float:
    """Best objective by trying every assignment of sites to vehicles and every order
    (-inf when no assignment serves every required site)."""
    cands = problem.candidates
    best = -float("inf")
    k = len(problem.vehicles)
    for assign in itertools.product(range(-1, k), repeat=len(cands)):
        visited = {c for c, a in zip(cands, assign, strict=True) if a >= 0}
        if not problem.required <= visited:
            continue
        total = sum(problem.prizes[s] for s in visited)
        for v in range(k):
            group = [c for c, a in zip(cands, assign, strict=True) if a == v]
            travels = []
            for perm in itertools.permutations(group):
                try:
                    travels.append(timed_route(problem, v, perm).travel)
                except InfeasibleRoute:
                    continue
            if not travels:
                total = -float("inf")
                break
            total -= problem.travel_weight * min(travels)
        best = max(best, total)
    return best


def test_line_problem_exact_plan(line_problem):
    sol = solve(line_problem, time_limit=5, seed=0)
    assert_valid(line_problem, sol)
    assert sol.status == "optimal"
    assert sol.engine == "exact"
    assert [r.sites for r in sol.routes] == [(1, 2)]
    r = sol.routes[0]
    assert [(v.arrival, v.departure) for v in r.visits] == [(110, 115), (125, 130)]
    assert r.end_time == 140
    assert r.travel == 30
    assert sol.objective == pytest.approx(15.0)
    assert sol.dropped == (3,)
    assert sol.gap == 0.0


def test_two_vehicles_one_spoke_each(two_vehicle_problem):
    sol = solve(two_vehicle_problem, time_limit=5, seed=0)
    assert_valid(two_vehicle_problem, sol)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(12.0)
    spokes = sorted(tuple(sorted(r.sites)) for r in sol.routes)
    assert spokes == [(1, 2), (3, 4)]


def test_unused_vehicle_costs_nothing(line_problem):
    """A second vehicle with start != end does not add the start->end trip when unused."""
    p = make_problem(
        durations=line_problem.durations,
        prizes=line_problem.prizes,
        service=line_problem.service,
        vehicles=[*line_problem.vehicles, Vehicle(0, 4, 100, 160, "v1")],
        travel_weight=0.1,
    )
    sol = solve(p, time_limit=5)
    assert sol.objective == pytest.approx(15.0)
    assert [len(r.visits) for r in sol.routes] == [2, 0]


def test_required_site_is_visited_even_at_a_loss(line_problem):
    p = make_problem(
        durations=line_problem.durations,
        prizes=[0, 10, 8, 30, 0],
        service=line_problem.service,
        vehicles=line_problem.vehicles,
        travel_weight=1.0,
        required=[2],
    )
    sol = solve(p, time_limit=5)
    assert_valid(p, sol)
    # with weight 1 the trip costs more than it brings, but site 2 is required; site 1 lies
    # on the way (0 -> 1 -> 2 -> end travels 30, like 0 -> 2 -> end), so it comes for free
    assert [r.sites for r in sol.routes] == [(1, 2)]
    assert sol.objective == pytest.approx(10 + 8 - 30)


def test_required_sites_that_cannot_all_fit_raise_no_plan(two_vehicle_problem):
    p = two_vehicle_problem
    one = make_problem(
        durations=p.durations,
        prizes=p.prizes,
        service=p.service,
        vehicles=[Vehicle(0, 0, 0, 95, "mon")],
        travel_weight=0.1,
        required=[2, 4],
        names=["depot", "e10", "e20", "w10", "w20"],
    )
    with pytest.raises(NoPlanError) as err:
        solve(one, time_limit=5)
    assert str(err.value) == (
        "the required sites (e20, w20) cannot all be served: there are "
        "not enough unit-days to reach them within the day windows"
    )


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force_on_random_instances(seed):
    rng = random.Random(seed)
    n = rng.randint(3, 6)
    pts = [(rng.randint(0, 30), rng.randint(0, 30)) for _ in range(n + 1)]
    d = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    k = rng.randint(1, 2)
    p = make_problem(
        durations=d,
        prizes=[0] + [rng.randint(0, 20) for _ in range(n)],
        service=[0] + [rng.randint(0, 10) for _ in range(n)],
        vehicles=[Vehicle(0, 0, 0, rng.randint(30, 90)) for _ in range(k)],
        travel_weight=rng.choice([0.0, 0.1, 0.25]),
    )
    sol = solve(p, time_limit=5, seed=seed)
    assert_valid(p, sol)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(brute_force(p))


def test_same_seed_same_plan(two_vehicle_problem):
    a = solve(two_vehicle_problem, time_limit=5, seed=3)
    b = solve(two_vehicle_problem, time_limit=5, seed=3)
    assert [r.sites for r in a.routes] == [r.sites for r in b.routes]


def test_pyvrp_engine_is_valid_and_as_good_on_small_instance(two_vehicle_problem):
    sol = solve(two_vehicle_problem, time_limit=1.0, seed=1, engine="pyvrp")
    assert_valid(two_vehicle_problem, sol)
    assert sol.engine == "pyvrp"
    assert sol.objective == pytest.approx(12.0)


def test_routing_engine_is_valid_and_as_good_on_small_instance(two_vehicle_problem):
    sol = solve(two_vehicle_problem, time_limit=1.0, seed=1, engine="routing")
    assert_valid(two_vehicle_problem, sol)
    assert sol.engine == "routing"
    assert sol.bound is None and sol.status == "feasible"
    assert sol.objective == pytest.approx(12.0)


def test_routing_engine_serves_a_required_site_at_a_loss():
    """Site 3 is far and worth little: dropped when optional, served when required."""
    xs = [0, 10, 20, 45]
    d = [[abs(a - b) for b in xs] for a in xs]
    kwargs = dict(
        durations=d,
        prizes=[0, 5, 5, 1],
        service=[0, 5, 5, 5],
        vehicles=[Vehicle(0, 0, 0, 200)],
        travel_weight=0.1,
    )
    free = solve(make_problem(**kwargs), time_limit=0.5, engine="routing")
    assert [r.sites for r in free.routes] == [(1, 2)]
    assert free.objective == pytest.approx(10 - 4.0)
    forced = solve(make_problem(**kwargs, required=[3]), time_limit=0.5, engine="routing")
    assert [r.sites for r in forced.routes] == [(1, 2, 3)]
    assert forced.objective == pytest.approx(11 - 9.0)


def test_routing_engine_leaves_an_unused_vehicle_where_it_is():
    """Vehicle 1 ends at site 1, too far to reach in its window: unused, it costs nothing and
    must not make the whole model infeasible. Vehicle 0 serves site 2: 10 - 0.1 x 10 = 9."""
    d = [[0, 100, 5], [100, 0, 100], [5, 100, 0]]
    p = make_problem(
        durations=d,
        prizes=[0, 0, 10],
        service=[0, 0, 5],
        vehicles=[Vehicle(0, 0, 0, 50), Vehicle(0, 1, 0, 50)],
        travel_weight=0.1,
    )
    sol = solve(p, time_limit=0.5, engine="routing")
    assert_valid(p, sol)
    assert [r.sites for r in sol.routes] == [(2,), ()]
    assert sol.objective == pytest.approx(9.0)


def test_exact_engine_refuses_when_routes_explode():
    rng = np.random.default_rng(0)
    n = 60
    pts = rng.integers(0, 100, size=(n, 2))
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2)
    p = make_problem(
        durations=d,
        prizes=[0] + [5] * (n - 1),
        service=[0] * n,
        vehicles=[Vehicle(0, 0, 0, 400)],
        travel_weight=0.0,
    )
    with pytest.raises(EngineUnsuitable):
        solve(p, time_limit=1.0, engine="exact")
    sol = solve(p, time_limit=2.0, engine="auto")
    assert_valid(p, sol)
    assert sol.engine == "pyvrp"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"durations": [[0, 1, 2], [1, 0, 1]]},
            "durations: the duration matrix must be square, got shape (2, 3)",
        ),
        (
            {"durations": [[0, -1], [1, 0]], "prizes": [0, 1]},
            "durations: negative duration -1 from site 0 to site 1",
        ),
        (
            {"vehicles": [Vehicle(0, 0, 50, 10, "monday")]},
            "vehicles: monday: the time window ends (10) before it starts (50)",
        ),
        (
            {"required": [2], "vehicles": [Vehicle(0, 0, 0, 5, "short")]},
            "required: required site site 2 cannot be reached, served and left within any "
            "vehicle's time window",
        ),
        ({"prizes": [0, -1, 1]}, "prizes: prize of site 1 must be a number >= 0, got -1"),
    ],
)
def test_bad_problems_name_the_site_or_vehicle(kwargs, message):
    base = {
        "durations": [[0, 2, 4], [2, 0, 2], [4, 2, 0]],
        "prizes": [0, 1, 1],
        "vehicles": [Vehicle(0, 0, 0, 100)],
    }
    base.update(kwargs)
    with pytest.raises(ParameterError) as err:
        make_problem(**base)
    assert str(err.value) == message
