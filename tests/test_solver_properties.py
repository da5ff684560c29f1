"""Route invariants on random small problems (hypothesis): every engine's answer is feasible,
covers each candidate once (visited or dropped), reports the objective its routes give, and
never claims more than its bound; proven optima match brute force."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.errors import NoPlanError, ParameterError
from caravan.solver import solve
from caravan.solver.problem import Vehicle, make_problem

from .test_solver import assert_valid, brute_force


@st.composite
def problems(draw, max_sites: int = 6):
    n_cand = draw(st.integers(1, max_sites))
    two_depots = draw(st.booleans())
    n = n_cand + (2 if two_depots else 1)
    pts = [(draw(st.integers(0, 40)), draw(st.integers(0, 40))) for _ in range(n)]
    d = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    depots = [0, 1] if two_depots else [0]
    vehicles = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.sampled_from(depots))
        end = draw(st.sampled_from(depots))
        earliest = draw(st.integers(0, 20))
        width = draw(st.integers(d[start][end], 150))
        vehicles.append(Vehicle(start, end, earliest, earliest + width))
    prizes = [0.0] * len(depots) + [draw(st.integers(0, 3000)) / 100 for _ in range(n_cand)]
    service = [0] * len(depots) + [draw(st.integers(0, 20)) for _ in range(n_cand)]
    weight = draw(st.sampled_from([0.0, 0.05, 0.1, 1 / 6]))
    cands = list(range(len(depots), n))
    required = draw(st.lists(st.sampled_from(cands), max_size=2, unique=True))
    try:
        return make_problem(
            durations=d,
            prizes=prizes,
            service=service,
            vehicles=vehicles,
            travel_weight=weight,
            required=required,
        )
    except ParameterError:
        # a required site no vehicle can serve alone: the same problem without it
        return make_problem(
            durations=d, prizes=prizes, service=service, vehicles=vehicles, travel_weight=weight
        )


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_exact_engine_invariants_and_optimality(problem):
    try:
        sol = solve(problem, time_limit=5, seed=0)
    except NoPlanError:
        assert problem.required, "only required sites can make a problem unsolvable"
        assert brute_force(problem) == -float("inf")
        return
    assert_valid(problem, sol)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(brute_force(problem), abs=1e-6)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_sites=8))
def test_pyvrp_engine_invariants(problem):
    try:
        sol = solve(problem, time_limit=0.5, seed=1, engine="pyvrp", workers=1)
    except NoPlanError:
        assert problem.required
        return
    assert_valid(problem, sol)
    assert sol.engine == "pyvrp"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_sites=8))
def test_routing_engine_invariants(problem):
    """Plain OR-Tools routing: every plan valid and never above the optimum."""
    try:
        sol = solve(problem, time_limit=0.3, seed=1, engine="routing", workers=1)
    except NoPlanError:
        assert problem.required
        return
    assert_valid(problem, sol)
    assert sol.engine == "routing"
    assert sol.objective <= brute_force(problem) + 1e-6
