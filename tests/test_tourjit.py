"""The compiled tour search (caravan.solver.tourjit): hand-checked moves, and its bookkeeping
against recomputation from scratch after thousands of rounds."""

from __future__ import annotations

import random

import numpy as np
import pytest

from caravan.solver import tourjit
from caravan.solver.problem import Day, Tour, evaluate, make_problem
from caravan.solver.scaling import scale
from caravan.solver.tourls import TUNING, Search, search

from .test_solver_tours import assert_valid_tours

#: base 0, lodging 1, sites 2, 3, 4 along a road (4, 8 and 12 from the base); the lodging is
#: 2 beyond site 4 and 16 from the base
LINE = [
    [0, 16, 4, 8, 12],
    [16, 0, 11, 7, 2],
    [4, 11, 0, 4, 8],
    [8, 7, 4, 0, 4],
    [12, 2, 8, 4, 0],
]


def line_problem():
    return make_problem(
        durations=LINE,
        prizes=[0, 0, 5, 5, 5],
        service=[0] * 5,
        tours=[Tour(0, 0, (Day(0, 20, away=True), Day(0, 20)))],
        lodgings={1: 0.0},
        travel_weight=0.1,
    )


def arrays(problem):
    ls = Search(problem, scale(problem), 0)
    return ls, tourjit.Arrays(ls)


def test_resplit_finds_the_cut_and_the_night_with_least_travel():
    """Visits 2, 3, 4 in that order over two days of 20. Every split that fits spends the
    night at the lodging: all three on day 1 (4 + 4 + 4 + 2 = 14, then 16 home: 30) or
    sites 2 and 3 on day 1 (4 + 4 + 7 = 15) and site 4 on day 2 (2 + 12 = 14): 29, the least.
    Splits that end day 1 at home need a day of 24."""
    p = line_problem()
    _ls, ka = arrays(p)
    st = ka.state(([[2, 3, 4], []], [1, 0]))
    assert list(st[3]) == [14, 16]
    assert tourjit.resplit(ka.inst, st, ka.w, False)
    assert ka.plan(st) == ([[2, 3], [4]], [1, 0])
    assert list(st[3]) == [15, 14]
    assert not tourjit.resplit(ka.inst, st, ka.w, False)  # nothing better left


def test_resplit_with_fixed_nights_keeps_the_ends():
    """With day 1 fixed to end at home no split of 2, 3, 4 fits: the tour stays as it is."""
    p = line_problem()
    _ls, ka = arrays(p)
    st = ka.state(([[2], [3, 4]], [0, 0]))
    assert not tourjit.resplit(ka.inst, st, ka.w, True)
    assert ka.plan(st) == ([[2], [3, 4]], [0, 0])


def test_search_serves_all_three_sites_with_a_night():
    """From day trips serving sites 2 and 3: no single move gains (ending day 1 at the
    lodging costs travel before site 4 fits), but the iterated search moves the night and
    serves all three (prizes 15, travel 29 x 0.1)."""
    p = line_problem()
    best, _pool = search(p, scale(p), time_limit=0.2, seed=0, start=([[2, 3], []], [0, 0]))
    sol = evaluate(p, best[0], ends=best[1])
    assert_valid_tours(p, sol)
    assert sorted(v for day in best[0] for v in day) == [2, 3, 4]
    assert sol.objective == pytest.approx(15 - 0.1 * 29)


def random_problem(seed: int):
    """Two units of three days, sites with service times and prizes, three lodgings with
    prices, at most one night away for the first unit, one required site."""
    rng = random.Random(seed)
    n_sites, n_lodgings = 25, 3
    pts = [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(2 + n_sites + n_lodgings)]
    d = [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]
    lodgings = {2 + n_sites + j: float(rng.choice([0, 2, 5])) for j in range(n_lodgings)}
    days = (Day(0, 240, away=True), Day(0, 240, away=True), Day(0, 200))
    return make_problem(
        durations=d,
        prizes=[0, 0] + [rng.randint(1, 20) for _ in range(n_sites)] + [0] * n_lodgings,
        service=[0, 0] + [rng.randint(5, 30) for _ in range(n_sites)] + [0] * n_lodgings,
        tours=[Tour(0, 0, days, max_nights=1), Tour(1, 1, days)],
        lodgings=lodgings,
        required=[2],
        travel_weight=0.05,
    )


@pytest.mark.parametrize("seed", range(4))
def test_bookkeeping_matches_a_recomputation(seed):
    """After rounds of ruin, recreate and descent, the best and current states keep their
    durations, travel and visited flags equal to a recomputation from their visits; the
    best is feasible, serves the required site, and its value is the objective of the plan
    evaluated from scratch, in the scaled units of the search."""
    p = random_problem(seed)
    ls, ka = arrays(p)
    cur = ka.state(([[] for _ in p.vehicles], [0, 0, 0, 1, 1, 1]))
    ka.descend(cur, False)
    best = tuple(x.copy() for x in cur)
    trial = tuple(x.copy() for x in cur)
    pool = ka.pool(8)
    for call in range(20):
        tourjit.ils(
            ka.inst,
            cur,
            best,
            trial,
            ka.w,
            False,
            50,
            seed * 100 + call,
            4,
            0.05,
            30,
            0,
            *pool,
            0.02,
            TUNING,
        )
    for st in (best, cur):
        again = tuple(x.copy() for x in st)
        tourjit.refresh(ka.inst, again)
        for a, b in zip(st, again, strict=True):
            assert np.array_equal(a, b)
    assert ka.feasible(best)
    plan = ka.plan(best)
    sol = evaluate(p, plan[0], ends=plan[1])
    assert_valid_tours(p, sol)
    assert 2 in {v for day in plan[0] for v in day}
    assert ka.value(best) == pytest.approx(ls.value(ls.from_plan(plan)))
    # the pool holds plans as good as the best within the share asked, all feasible
    for i in range(8):
        if pool[1][i].sum() == 0:
            continue
        st = ka.state(ka.plan((pool[0][i], pool[1][i], pool[2][i])))
        assert ka.feasible(st)
        assert ka.value(st) == pytest.approx(pool[3][i])


@pytest.mark.parametrize("seed", range(4))
def test_the_descent_from_a_local_optimum_ends_in_one(seed):
    """The descent after a perturbation looks only at the days the perturbation changed
    and the sites it took out; its result is still a local optimum: a descent that looks
    at every day and site changes nothing. Chained, each result the next one's start, as
    in the search."""
    p = random_problem(seed)
    _ls, ka = arrays(p)
    ref = ka.state(([[] for _ in p.vehicles], [0, 0, 0, 1, 1, 1]))
    ka.descend(ref, False)
    np.random.seed(seed)
    tabu, none = np.zeros(ka.n, dtype=np.bool_), np.zeros(ka.n, dtype=np.bool_)
    every_day, every_site = np.ones(ka.K, dtype=np.bool_), np.ones(ka.n, dtype=np.bool_)
    dirty, freed = np.zeros(ka.K, dtype=np.bool_), np.zeros(ka.n, dtype=np.bool_)
    changed = 0
    for _ in range(300):
        trial = tuple(x.copy() for x in ref)
        tourjit.perturb(ka.inst, trial, ka.w, 4, False, tabu, 0.3, TUNING[3], every_day, every_site)
        tourjit.descend_from(ka.inst, trial, ref, ka.w, False, False, dirty, freed, none)
        again = tuple(x.copy() for x in trial)
        ka.descend(again, False)
        assert ka.plan(again) == ka.plan(trial)
        changed += ka.plan(trial) != ka.plan(ref)
        if ka.feasible(trial):
            ref = trial
    assert changed > 100  # the perturbations did lead elsewhere


@pytest.mark.parametrize("seed", range(4))
def test_the_neighbourhood_ruin_removes_the_visits_nearest_to_one(seed):
    """In the rounds that ruin a neighbourhood, the visits removed (whatever their day) are
    one visit and the visits nearest to it, both ways: every visit kept is at least as far
    from it as every visit removed; one to ``strength`` of them."""
    p = random_problem(seed)
    _ls, ka = arrays(p)
    ref = ka.state(([[] for _ in p.vehicles], [0, 0, 0, 1, 1, 1]))
    ka.descend(ref, False)
    visited = [v for day in ka.plan(ref)[0] for v in day]
    assert len(visited) > 8
    d = np.array(p.durations) + np.array(p.durations).T
    np.random.seed(seed)
    tabu = np.zeros(ka.n, dtype=np.bool_)
    every_day, every_site = np.ones(ka.K, dtype=np.bool_), np.ones(ka.n, dtype=np.bool_)
    sizes = set()
    for _ in range(100):
        trial = tuple(x.copy() for x in ref)
        tourjit.perturb(ka.inst, trial, ka.w, 4, False, tabu, 0.0, 1.0, every_day, every_site)
        removed = [int(v) for v in np.flatnonzero(tabu)]
        kept = [v for v in visited if not tabu[v]]
        assert set(removed) <= set(visited) and 1 <= len(removed) <= 4
        assert any(max(d[v, removed]) <= min(d[v, kept]) for v in removed), (
            f"{removed} are not the visits nearest to one of them"
        )
        sizes.add(len(removed))
    assert sizes == {1, 2, 3, 4}
