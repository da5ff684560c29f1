"""Tours in the general optimizer: nights at lodgings, hand-checked, and against brute force."""

from __future__ import annotations

import itertools
import random

import pytest
from ortools.linear_solver import pywraplp

from caravan.errors import NoPlanError, ParameterError
from caravan.solver import EngineUnsuitable, cbc, solve, tours
from caravan.solver.enumeration import TooManyRoutes
from caravan.solver.problem import (
    Day,
    InfeasibleRoute,
    Problem,
    Solution,
    Tour,
    day_ends,
    evaluate,
    is_night_away,
    make_problem,
)
from caravan.solver.scaling import scale
from caravan.solver.tourpack import enumerate_day_routes, pack


def assert_valid_tours(problem: Problem, sol: Solution) -> None:
    """Every rule of a tour, from scratch: each day starts where the previous ended, keeps
    its window, ends where it may; nights within the limit; objective recomputed."""
    d = problem.durations
    visited: list[int] = []
    travel = 0
    nights = 0
    cost = 0.0
    for t, tour in enumerate(problem.tours):
        here = tour.start
        away = 0
        days = [r for r in sol.routes if problem.day_of[r.vehicle][0] == t]
        assert len(days) == len(tour.days)
        for dd, (r, day) in enumerate(zip(days, tour.days, strict=True)):
            assert r.start == here
            assert r.end in day_ends(problem, t, dd)
            clock = day.earliest
            prev = here
            for v in r.visits:
                clock += d[prev, v.site]
                assert v.arrival == clock
                assert v.departure == v.arrival + problem.service[v.site]
                clock = v.departure
                prev = v.site
                visited.append(v.site)
            clock += d[prev, r.end] if (r.visits or r.start != r.end) else 0
            assert r.end_time == clock <= day.latest
            path = [r.start, *r.sites, r.end]
            assert r.travel == sum(int(d[a, b]) for a, b in itertools.pairwise(path))
            travel += r.travel
            if is_night_away(problem, t, dd, r.end):
                away += 1
                cost += problem.lodgings[r.end]
            here = r.end
        assert here == tour.end
        assert tour.max_nights is None or away <= tour.max_nights
        nights += away
    assert len(visited) == len(set(visited))
    assert sorted(visited + list(sol.dropped)) == sorted(problem.candidates)
    assert problem.required <= set(visited)
    assert sol.nights == nights
    prize = sum(problem.prizes[s] for s in visited)
    assert sol.objective == pytest.approx(prize - problem.travel_weight * travel - cost)
    if sol.bound is not None:
        assert sol.bound >= sol.objective - 1e-6


def far_site_problem(
    *,
    night_cost: float,
    max_nights: int | None = 1,
    days: int = 2,
    away=None,
    required=(),
):
    """A base (0), a near site (1, 30 away), a far site (2, 150 away) and a lodging at the far
    site (3). Visits take 240, a day has 480: the far site needs 150 + 240 + 150 = 540 from
    the base, so only a night at the lodging reaches it. Prizes 10 and 40, weight 0.1;
    ``required``: the sites every plan must visit."""
    xs = [0, 30, 150, 150]
    away = away or [True] * days
    return make_problem(
        durations=[[abs(a - b) for b in xs] for a in xs],
        prizes=[0, 10, 40, 0],
        service=[0, 240, 240, 0],
        tours=[
            Tour(
                0,
                0,
                tuple(Day(0, 480, away=a) for a in away),
                max_nights=max_nights,
                name="unit 1",
            )
        ],
        lodgings={3: night_cost},
        travel_weight=0.1,
        required=list(required),
        names=["base", "near", "far", "lodging"],
    )


@pytest.mark.parametrize("engine", ["exact", "auto", "pyvrp"])
def test_a_site_reachable_only_overnight(engine):
    """Cost 5: day 1 base -> far -> lodging (150 travel), day 2 lodging -> near -> base
    (120 + 30 = 150), or the near site first and the far one on day 2 (the same travel):
    40 + 10 - 0.1 x 300 - 5 = 15."""
    p = far_site_problem(night_cost=5)
    sol = solve(p, time_limit=3, engine=engine)
    assert_valid_tours(p, sol)
    assert [(r.start, r.end) for r in sol.routes] == [(0, 3), (3, 0)]
    assert sorted(s for r in sol.routes for s in r.sites) == [1, 2]
    assert sol.objective == pytest.approx(15.0)
    assert (sol.nights, sol.lodging_cost) == (1, 5.0)
    if engine != "pyvrp":
        assert sol.status == "optimal"


def test_auto_leaves_a_program_too_big_for_cbc_to_the_heuristic(monkeypatch):
    """Past ``AUTO_MAX_COLUMNS`` variables "auto" does not build the exact program (CBC would
    overrun the time limit on a big one) and the heuristic plans; "exact", asked for,
    still proves the optimum."""
    monkeypatch.setattr(tours, "AUTO_MAX_COLUMNS", 1)
    p = far_site_problem(night_cost=5)
    auto = solve(p, time_limit=3, engine="auto")
    assert_valid_tours(p, auto)
    assert auto.engine == "search" and auto.objective == pytest.approx(15.0)
    exact = solve(p, time_limit=3, engine="exact")
    assert (exact.engine, exact.status) == ("exact", "optimal")
    assert exact.objective == pytest.approx(15.0)


def test_a_packing_cut_short_is_unsolved_not_infeasible():
    """The far site required: packing every day route proves the tour through it; a packing
    whose time ran out before its program was built claims nothing, and one over too many
    columns is refused."""
    p = far_site_problem(night_cost=5, required=[2])
    sc = scale(p)
    routes, _labels = enumerate_day_routes(p, sc)
    whole = pack(p, sc, routes, time_limit=3)
    assert (whole.feasible, whole.optimal, whole.infeasible) == (True, True, False)
    assert sorted(s for day in whole.sequences for s in day) == [1, 2]
    late = pack(p, sc, routes, time_limit=-1.0, with_build=True)
    assert (late.feasible, late.optimal, late.infeasible) == (False, False, False)
    with pytest.raises(TooManyRoutes, match="columns"):
        pack(p, sc, routes, time_limit=3, max_columns=1)


def test_cbc_infeasible_at_its_time_limit_is_read_as_not_solved():
    """CBC can call a program infeasible when its time limit interrupts it: only a claim
    made well before the limit is a proof."""
    assert cbc.read_status(pywraplp.Solver.INFEASIBLE, 0.2, 5.0) == pywraplp.Solver.INFEASIBLE
    assert cbc.read_status(pywraplp.Solver.INFEASIBLE, 4.9, 5.0) == pywraplp.Solver.NOT_SOLVED
    assert cbc.read_status(pywraplp.Solver.FEASIBLE, 5.0, 5.0) == pywraplp.Solver.FEASIBLE
    solver = pywraplp.Solver.CreateSolver("CBC")
    x = solver.BoolVar("x")
    solver.Add(x >= 2)
    assert cbc.solve(solver, 5.0) == pywraplp.Solver.INFEASIBLE


def test_a_night_that_does_not_pay_is_not_taken():
    """Cost 50: the tour gives 50 - 30 - 50 = -30; a day trip to the near site 10 - 6 = 4."""
    p = far_site_problem(night_cost=50)
    sol = solve(p, time_limit=3)
    assert_valid_tours(p, sol)
    assert sol.status == "optimal"
    assert sol.nights == 0
    assert sorted(s for r in sol.routes for s in r.sites) == [1]
    assert sol.objective == pytest.approx(4.0)


def test_a_day_off_after_day_one_forces_the_return():
    """Day 1 may not end away (a holiday follows): the far site is out of reach."""
    p = far_site_problem(night_cost=5, away=[False, True])
    sol = solve(p, time_limit=3)
    assert_valid_tours(p, sol)
    assert sol.nights == 0 and 2 in sol.dropped
    assert sol.objective == pytest.approx(4.0)


def test_no_nights_allowed_means_day_trips():
    p = far_site_problem(night_cost=5, max_nights=0)
    assert not p.is_tour
    sol = solve(p, time_limit=3)
    assert_valid_tours(p, sol)
    assert sol.nights == 0 and sol.objective == pytest.approx(4.0)


def test_max_nights_limits_a_long_tour():
    """Site A 150 away and B 250 away on a line, a lodging at each, visits of 240, days of
    480, three days. Two nights: day 1 to A, sleep there; day 2 on to B (100 + 240), sleep
    there; day 3 home (250): 80 - 0.1 x 500 - 2 = 28. One night: B is out of reach (from A's
    lodging, B and home take 100 + 240 + 250 = 590), so only A: 40 - 0.1 x 300 - 1 = 9."""
    xs = [0, 150, 250, 150, 250]
    d = [[abs(a - b) for b in xs] for a in xs]

    def problem(limit):
        return make_problem(
            durations=d,
            prizes=[0, 40, 40, 0, 0],
            service=[0, 240, 240, 0, 0],
            tours=[Tour(0, 0, (Day(0, 480),) * 3, max_nights=limit)],
            lodgings={3: 1.0, 4: 1.0},
            travel_weight=0.1,
        )

    two = solve(problem(2), time_limit=3)
    assert_valid_tours(problem(2), two)
    assert sorted(s for r in two.routes for s in r.sites) == [1, 2]
    assert two.nights == 2 and two.objective == pytest.approx(28.0)
    one = solve(problem(1), time_limit=3)
    assert_valid_tours(problem(1), one)
    assert one.nights == 1 and one.objective == pytest.approx(9.0)
    assert one.dropped == (2,)


def test_a_required_site_only_a_tour_serves():
    p = far_site_problem(night_cost=50)
    forced = far_site_problem(night_cost=50, required=[2])
    sol = solve(forced, time_limit=3)
    assert_valid_tours(forced, sol)
    assert 2 in [s for r in sol.routes for s in r.sites]
    assert sol.objective == pytest.approx(50 - 30 - 50)
    with pytest.raises(ParameterError) as err:  # a day off after day 1: no night away
        make_problem(
            durations=p.durations,
            prizes=p.prizes,
            service=p.service,
            tours=[Tour(0, 0, (Day(0, 480, away=False), Day(0, 480)))],
            lodgings=p.lodgings,
            travel_weight=0.1,
            required=[2],
        )
    assert "within any vehicle's time window" in str(err.value)
    with pytest.raises(ParameterError, match="even with nights away"):  # a visit too long
        make_problem(
            durations=p.durations,
            prizes=p.prizes,
            service=[0, 240, 500, 0],
            tours=p.tours,
            lodgings=p.lodgings,
            travel_weight=0.1,
            required=[2],
        )


def test_a_tour_that_starts_at_a_lodging_drives_home_even_without_visits():
    """A replanned day after a night away: the day starts at the lodging and must end at
    the base, visits or not."""
    p = far_site_problem(night_cost=5)
    p1 = make_problem(
        durations=p.durations,
        prizes=[0, 0, 0, 0],
        service=p.service,
        tours=[Tour(3, 0, (Day(0, 480),))],
        lodgings=p.lodgings,
        travel_weight=0.1,
    )
    sol = solve(p1, time_limit=2)
    assert_valid_tours(p1, sol)
    assert (sol.routes[0].start, sol.routes[0].end, sol.travel) == (3, 0, 150)


def test_evaluate_names_the_broken_rule():
    p = far_site_problem(night_cost=5)
    with pytest.raises(InfeasibleRoute, match="ends at near, where it may not"):
        evaluate(p, [[2], []], ends=[1, 0])
    with pytest.raises(InfeasibleRoute, match="spends 2 nights away, more than 1"):
        evaluate(far_site_problem(night_cost=5, days=3), [[2], [], []], ends=[3, 3, 0])


def test_routing_engine_refuses_tours():
    with pytest.raises(EngineUnsuitable):
        solve(far_site_problem(night_cost=5), time_limit=1, engine="routing")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lodgings": {9: 1.0}}, "lodgings: lodging site 9 is not in 0..3"),
        ({"lodgings": {3: -1.0}}, "lodgings: the price of a night at site 3 must be a number >= 0"),
        ({"tours": [Tour(0, 0, ())]}, "tours: tour 0: a tour needs at least one day"),
    ],
)
def test_bad_tours_are_named(kwargs, message):
    base = {
        "durations": [[0, 1, 2, 2], [1, 0, 1, 1], [2, 1, 0, 0], [2, 1, 0, 0]],
        "prizes": [0, 1, 1, 0],
        "tours": [Tour(0, 0, (Day(0, 10), Day(0, 10)))],
        "lodgings": {3: 1.0},
    }
    base.update(kwargs)
    with pytest.raises(ParameterError) as err:
        make_problem(**base)
    assert str(err.value).startswith(message)


def brute_force_tours(problem: Problem) -> float:
    """Best objective over every end of every day, every assignment of sites to days and
    every visit order (-inf when nothing serves the required sites)."""
    from caravan.solver.problem import timed_route

    cands = problem.candidates
    k = len(problem.vehicles)
    choices = [day_ends(problem, *problem.day_of[i]) for i in range(k)]
    best = -float("inf")
    for ends in itertools.product(*choices):
        t_nights: dict[int, int] = {}
        cost = 0.0
        for i, e in enumerate(ends):
            t, dd = problem.day_of[i]
            if is_night_away(problem, t, dd, e):
                t_nights[t] = t_nights.get(t, 0) + 1
                cost += problem.lodgings[e]
        if any(
            problem.tours[t].max_nights is not None and n > problem.tours[t].max_nights
            for t, n in t_nights.items()
        ):
            continue
        for assign in itertools.product(range(-1, k), repeat=len(cands)):
            visited = {c for c, a in zip(cands, assign, strict=True) if a >= 0}
            if not problem.required <= visited:
                continue
            total = sum(problem.prizes[s] for s in visited) - cost
            for i in range(k):
                group = [c for c, a in zip(cands, assign, strict=True) if a == i]
                t, dd = problem.day_of[i]
                start = problem.tours[t].start if dd == 0 else ends[i - 1]
                travels = []
                for perm in itertools.permutations(group):
                    try:
                        route = timed_route(problem, i, perm, start=start, end=ends[i])
                    except InfeasibleRoute:
                        continue
                    travels.append(route.travel)
                if not travels:
                    total = -float("inf")
                    break
                total -= problem.travel_weight * min(travels)
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(10))
def test_exact_tours_match_brute_force(seed):
    rng = random.Random(seed)
    n_sites = rng.randint(2, 4)
    n_lodgings = rng.randint(1, 2)
    pts = [(rng.randint(0, 40), rng.randint(0, 40)) for _ in range(1 + n_sites + n_lodgings)]
    d = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    n = len(pts)
    lodgings = {1 + n_sites + j: float(rng.choice([0, 1, 3])) for j in range(n_lodgings)}
    days = tuple(
        Day(0, rng.randint(30, 70), away=rng.random() < 0.8) for _ in range(rng.randint(2, 3))
    )
    p = make_problem(
        durations=d,
        prizes=[0] + [rng.randint(1, 20) for _ in range(n_sites)] + [0] * n_lodgings,
        service=[0] + [rng.randint(0, 10) for _ in range(n_sites)] + [0] * n_lodgings,
        tours=[Tour(0, 0, days, max_nights=rng.choice([None, 1]))],
        lodgings=lodgings,
        travel_weight=rng.choice([0.0, 0.1, 0.25]),
    )
    assert n == p.n
    expected = brute_force_tours(p)
    for engine in ("exact", "pyvrp"):
        try:
            sol = solve(p, time_limit=3, seed=seed, engine=engine)
        except NoPlanError:
            assert expected == -float("inf")
            continue
        assert_valid_tours(p, sol)
        assert sol.objective == pytest.approx(expected)
        if engine == "exact":
            assert sol.status == "optimal"


@pytest.mark.parametrize(
    ("max_nights", "expected"),
    [
        (1, [(0, 0, 0), (0, 3, 0), (3, 0, 0)]),
        (None, [(0, 0, 0), (0, 3, 0), (3, 0, 0), (3, 3, 0)]),
        (0, [(0, 0, 0)]),
    ],
)
def test_night_sequences_of_a_tour(max_nights, expected):
    """Three days: days 1 and 2 may end at the lodging (150 from the base, within the 480
    of a day), day 3 ends at home; the nights limit prunes the sequences."""
    from caravan.solver.scaling import scale
    from caravan.solver.tourls import Search
    from caravan.solver.tourseq import neighbours, night_sequences

    p = far_site_problem(night_cost=5, max_nights=max_nights, days=3)
    ls = Search(p, scale(p), 0)
    assert sorted(night_sequences(ls, 0)) == expected
    assert night_sequences(ls, 0, cap=len(expected) - 1) is None  # more than the cap
    assert all(ls.random_nights(0) in expected for _ in range(10))
    assert sorted(neighbours(ls, 0, (0, 0, 0))) == [s for s in expected if s.count(3) == 1]


def line_of_lodgings(windows, away=(True, True, True)):
    """A base (0), lodgings 1 and 2 at 100 and 300 from it on a line, a site (3) at 50;
    three days of the ``windows`` given."""
    xs = [0, 100, 300, 50]
    return make_problem(
        durations=[[abs(a - b) for b in xs] for a in xs],
        prizes=[0, 0, 0, 10],
        service=[0, 0, 0, 0],
        tours=[Tour(0, 0, tuple(Day(0, w, away=a) for w, a in zip(windows, away, strict=True)))],
        lodgings={1: 1.0, 2: 1.0},
        travel_weight=0.1,
    )


def test_a_night_sequence_driven_the_other_way_round():
    """The nights (1, 2, home) mirrored are (2, 1, home): day 1 drives to where day 3
    started. None when a day is too short for the drive the mirror gives it, when a day
    may not end away, or when a sequence is its own mirror. A restart of the search takes
    the mirror of the best's nights once, then nights drawn at random."""
    from caravan.solver.tourls import Search, _restart
    from caravan.solver.tourseq import night_sequences

    p = line_of_lodgings((300, 300, 300))
    ls = Search(p, scale(p), 0)
    assert ls.mirrored_nights(0, (1, 2, 0)) == (2, 1, 0)
    assert ls.mirrored_nights(0, [2, 1, 0]) == (1, 2, 0)
    assert ls.mirrored_nights(0, (0, 0, 0)) is None
    assert ls.mirrored_nights(0, (1, 1, 0)) is None
    short = line_of_lodgings((250, 300, 300))
    assert Search(short, scale(short), 0).mirrored_nights(0, (1, 2, 0)) is None  # drives 300
    home = line_of_lodgings((300, 300, 300), away=(True, False, True))
    # (0, 2, 0): day 2 must end at home
    assert Search(home, scale(home), 0).mirrored_nights(0, (2, 0, 0)) is None
    tried: set = set()
    plan = ([[3], [], []], [1, 2, 0])
    assert _restart(ls, plan, tried) == ([[], [], []], [2, 1, 0])
    assert tried == {(0, (2, 1, 0))}
    every = set(night_sequences(ls, 0))
    for _ in range(5):  # the mirror was tried: random nights
        days, ends = _restart(ls, plan, tried)
        assert days == [[], [], []] and tuple(ends) in every
    assert tried == {(0, (2, 1, 0))}


def test_screening_values_every_night_sequence():
    """Two days, one night allowed at the lodging (cost 5): ending day 1 at the lodging
    serves both sites (day 1 base -> far -> lodging, day 2 lodging -> near -> base: prizes
    50, travel 300 x 0.1, the night 5: 15); both days at home serve only the near site
    (10 - 60 x 0.1 = 4). Both sequences are screened, the better first."""
    from caravan.solver.scaling import scale
    from caravan.solver.tourseq import screen

    p = far_site_problem(night_cost=5, max_nights=1)
    ranked = screen(p, scale(p), seed=0, deadline=float("inf"))
    assert [plan[1] for _value, plan in ranked] == [[3, 0], [0, 0]]
    sols = [evaluate(p, plan[0], ends=plan[1]) for _value, plan in ranked]
    assert [s.objective for s in sols] == pytest.approx([15.0, 4.0])
    for s in sols:
        assert_valid_tours(p, s)


@pytest.mark.parametrize(
    ("fixed", "ends", "objective"), [(True, [0, 0], 4.0), (False, [3, 0], 15.0)]
)
def test_search_with_fixed_nights_keeps_them(fixed, ends, objective):
    """From two days at home: with the nights fixed the far site stays out of reach (only
    the near one, 4); free, the search moves the first night to the lodging (15)."""
    from caravan.solver.scaling import scale
    from caravan.solver.tourls import search

    p = far_site_problem(night_cost=5, max_nights=1)
    best, pool = search(
        p, scale(p), time_limit=0.3, seed=0, start=([[], []], [0, 0]), fixed_nights=fixed
    )
    assert best[1] == ends
    sol = evaluate(p, best[0], ends=best[1])
    assert_valid_tours(p, sol)
    assert sol.objective == pytest.approx(objective)
    assert all(plan[1] == [0, 0] for plan in pool) == fixed
