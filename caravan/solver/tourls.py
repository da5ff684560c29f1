"""Iterated local search for tours (problems with lodgings), for when day routes are too many
to enumerate.

:class:`Search` holds what the search needs to know of a problem (per tour and day, where the
day may end, its window, the nights limit, the tables of nights still needed; prizes and
travel scaled as in ``scaling.py``, required sites worth more than all others together) and
draws night sequences (:meth:`Search.random_nights`). :func:`search` runs the iterated local
search itself, compiled (:mod:`caravan.solver.tourjit`, which lists the moves):

* **insert** the unvisited site with the best gain per extra time; **swap** an unvisited
  site in for a visited one; **drop** a visit that costs more travel than it brings (never
  a required one);
* **2-opt**, **or-opt**, **relocate** and **exchange** visits between days, to drive less
  and free time;
* **move a night**: end a day at another lodging (or at home) when that pays;
* **re-split** a tour: keep its visits in order and choose again where each day ends
  (dynamic programming over the cut points and lodgings, least travel first), which gives
  the days the slack that the next insertions use.

Each local optimum is perturbed (ruin and recreate: a visit and the visits nearest to it
whatever their days, a stretch of a day, random visits or a whole day removed, sometimes a
night moved) and searched again. The search returns to the best solution after a series of
perturbations that found nothing better, and restarts after twice as many: alternately from
elsewhere (the next night sequence given, the best tour's lodgings driven the other way
round, random nights) and from the best plan so far. Each start is an episode of its own:
its best, not the best of all, is what the rounds compare with and return to, so that a
start elsewhere has time to improve. The good local optima are kept in a pool, from
which :func:`caravan.solver.tourpack.pack` makes the best combination. Deterministic for a
seed, apart from how many rounds fit in the time. :func:`pair_trips` builds good day routes
between every start and end of a day (for problems with several tours) with the NumPy
2-opt of :meth:`Search.two_opt`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np

from caravan.solver import tourjit
from caravan.solver.problem import (
    Day,
    Problem,
    day_ends,
    is_night_away,
    make_problem,
    night_tables,
)
from caravan.solver.problem import (
    Tour as TourSpec,
)
from caravan.solver.scaling import Scaled, scale

#: the iterated search accepts a loss within a share of the best that shrinks from
#: ``ACCEPT[0] + ACCEPT[1]`` at the start to ``ACCEPT[0]`` at the end
ACCEPT = (0.005, 0.045)
#: back to the best after this many perturbations without progress; a restart after twice
STALL = 400
#: a perturbation removes up to the visits of the best divided by this
STRENGTH = 6
#: the good solutions met that the compiled search hands back per batch, and how good
#: (within this share of the best)
POOL_BATCH = 16
POOL_KEEP = 0.02
#: the compiled rounds' settings (:func:`caravan.solver.tourjit.ils`): the share of rounds
#: that move a night; the re-split on trials within this share of the best, and on this
#: share of the others (on the OPHS benchmark's hardest instances, other settings did no
#: better than the noise between runs: benchmarks/RESULTS.md); the share of rounds that
#: ruin the neighbourhood of a visit (0.3: on the benchmark's TSP-based instances that the
#: search missed, 13 of 44 runs matched instead of 8, four seeds; 0.5: 5 of 22, two seeds)
TUNING = np.array([0.3, 0.002, 0.05, 0.3])

#: a solution as the engines exchange it: per day (``problem.vehicles`` order) its visits,
#: and where each day ends
Plan = tuple[list[list[int]], list[int]]


@dataclass
class Tour:
    """One tour being searched: its path and where each day ends in it."""

    path: np.ndarray  # start, visits, day ends ... end
    cuts: np.ndarray  # index in ``path`` of each day's end (the last is len(path) - 1)
    durations: np.ndarray | None = None  # per day, cached (None: to compute)

    def copy(self) -> Tour:
        return Tour(self.path.copy(), self.cuts.copy(), self.durations)

    def changed(self) -> None:
        self.durations = None


class Search:
    """The search over one problem (module docstring)."""

    def __init__(self, problem: Problem, sc: Scaled, seed: int) -> None:
        self.p = problem
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.d = problem.durations.astype(np.int64)
        self.svc = np.array(problem.service, dtype=np.int64)
        self.w = sc.W / sc.q  # scaled cost of one travel unit
        prize = sc.prizes.astype(float)
        # required sites are worth more than everything else together: inserted first,
        # never dropped
        big = float(prize.sum() + 1.0) * 2 + 1e6
        self.bonus = np.array([big if i in problem.required else 0.0 for i in range(problem.n)])
        self.gain = prize + self.bonus
        self.cands = np.array(problem.candidates, dtype=np.int64)
        self.tours = problem.tours
        self.windows = [
            np.array([d.latest - d.earliest for d in t.days], dtype=np.int64) for t in self.tours
        ]
        self.limits = [len(t.days) if t.max_nights is None else t.max_nights for t in self.tours]
        self.allowed = [
            [day_ends(problem, t, d) for d in range(len(tour.days))]
            for t, tour in enumerate(self.tours)
        ]
        self.price = {i: float(c) for i, c in sc.nights.items()}
        self.tables = [night_tables(problem, t) for t in range(len(self.tours))]
        self.lodging_nights = [
            [d for d in range(len(t.days)) if len(self.allowed[i][d]) > 1]
            for i, t in enumerate(self.tours)
        ]

    def fix_nights(self, ends: list[int]) -> None:
        """From now on, each day (``problem.vehicles`` order) may only end at ``ends``: the
        search is then over the visits of these nights."""
        k = 0
        for ti, tour in enumerate(self.tours):
            self.allowed[ti] = [(ends[k + d],) for d in range(len(tour.days))]
            self.lodging_nights[ti] = []
            k += len(tour.days)

    # ------------------------------------------------------------------ conversions

    def from_plan(self, plan: Plan) -> list[Tour]:
        days, ends = plan
        out, k = [], 0
        for tour in self.tours:
            path = [tour.start]
            cuts = []
            for _ in tour.days:
                path += days[k]
                path.append(ends[k])
                cuts.append(len(path) - 1)
                k += 1
            out.append(Tour(np.array(path, dtype=np.int64), np.array(cuts, dtype=np.int64)))
        return out

    # ------------------------------------------------------------------ measures

    def day_durations(self, t: Tour) -> np.ndarray:
        if t.durations is None:
            legs = self.d[t.path[:-1], t.path[1:]]
            cum = np.concatenate([[0], np.cumsum(legs + self.svc[t.path[1:]])])
            # the service of a day's end node is 0 (a depot)
            starts = np.concatenate([[0], t.cuts[:-1]])
            t.durations = cum[t.cuts] - cum[starts]
        return t.durations

    def value(self, tours: list[Tour]) -> float:
        total = 0.0
        for ti, t in enumerate(tours):
            total += float(self.gain[t.path].sum())
            total -= self.w * float(self.d[t.path[:-1], t.path[1:]].sum())
            for d, c in enumerate(t.cuts[:-1]):
                node = int(t.path[c])
                if is_night_away(self.p, ti, d, node):
                    total -= self.price[node]
        return total

    # ------------------------------------------------------------------ moves

    def two_opt(self, tours: list[Tour]) -> bool:
        """In every day, reverse the stretch that shortens it most (asymmetric times
        allowed: the reversed stretch is costed both ways)."""
        changed = False
        for t in tours:
            prev = 0
            for c in t.cuts:
                seg = t.path[prev : c + 1]
                m = len(seg)
                if m >= 4:
                    fwd = np.concatenate([[0], np.cumsum(self.d[seg[:-1], seg[1:]])])
                    bwd = np.concatenate([[0], np.cumsum(self.d[seg[1:], seg[:-1]])])
                    i = np.arange(m - 1)[:, None]
                    j = np.arange(m - 1)[None, :]
                    valid = j > i + 1
                    jj = np.minimum(j, m - 2)
                    old = (
                        self.d[seg[i], seg[i + 1]]
                        + fwd[jj]
                        - fwd[i + 1]
                        + self.d[seg[jj], seg[jj + 1]]
                    )
                    new = (
                        self.d[seg[i], seg[jj]]
                        + bwd[jj]
                        - bwd[i + 1]
                        + self.d[seg[i + 1], seg[jj + 1]]
                    )
                    delta = np.where(valid, new - old, 0)
                    best = int(np.argmin(delta))
                    if delta.flat[best] < 0:
                        bi, bj = divmod(best, m - 1)
                        t.path[prev + bi + 1 : prev + bj + 1] = t.path[
                            prev + bi + 1 : prev + bj + 1
                        ][::-1]
                        t.changed()
                        changed = True
                prev = c
        return changed

    # ------------------------------------------------------------------ nights

    def night_options(self, ti: int, d: int, here: int, nights: int) -> list[int]:
        """Where day ``d`` of tour ``ti`` may end when it leaves ``here`` with ``nights``
        spent away: the drive fits the day's window and the tour can still get home within
        its nights."""
        tour = self.tours[ti]
        _before, after = self.tables[ti]
        later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
        return [
            e
            for e in self.allowed[ti][d]
            if e in later
            and self.d[here, e] <= self.windows[ti][d]
            and nights + is_night_away(self.p, ti, d, e) + later[e] <= self.limits[ti]
        ]

    def mirrored_nights(self, ti: int, ends: list[int] | tuple[int, ...]) -> tuple[int, ...] | None:
        """The night sequence ``ends`` of tour ``ti`` driven the other way round: day ``d``
        ends where day ``D - 1 - d`` started, the last day at the tour's end (the same
        lodgings in the opposite direction; days of other lengths, so the visits are
        chosen again). None when an empty tour cannot drive it (a day's window, where a
        day may end, the nights allowed) or when it is ``ends`` itself."""
        tour = self.tours[ti]
        seq = (*reversed(ends[:-1]), tour.end)
        return seq if seq != tuple(ends) and self.drivable(ti, seq) else None

    def drivable(self, ti: int, seq: tuple[int, ...]) -> bool:
        """Whether an empty tour ``ti`` can drive the night sequence ``seq``: each day ends
        where it may, each leg fits its day's window, the tour ends at its end within its
        nights."""
        tour = self.tours[ti]
        here, nights = tour.start, 0
        for d, e in enumerate(seq):
            if e not in self.allowed[ti][d] or self.d[here, e] > self.windows[ti][d]:
                return False
            nights += is_night_away(self.p, ti, d, e)
            here = e
        return here == tour.end and nights <= self.limits[ti]

    def random_nights(self, ti: int) -> tuple[int, ...] | None:
        """Where each day of tour ``ti`` ends, drawn at random among
        :meth:`night_options` (None when a day has none)."""
        here, nights, ends = self.tours[ti].start, 0, []
        for d in range(len(self.tours[ti].days)):
            options = self.night_options(ti, d, here, nights)
            if not options:
                return None
            here = self.rng.choice(options)
            nights += is_night_away(self.p, ti, d, here)
            ends.append(here)
        return tuple(ends)


def empty_tours(problem: Problem) -> list[int]:
    """Where each day ends in a feasible plan without visits: at home when it can, else at
    the lodging that needs the fewest nights away to get home, then the nearest."""
    ends: list[int] = []
    d_ = problem.durations
    for t, tour in enumerate(problem.tours):
        _before, after = night_tables(problem, t)
        here = tour.start
        for d, day in enumerate(tour.days):
            later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
            options = [
                (is_night_away(problem, t, d, b) + later[b], b != tour.end, int(d_[here, b]), b)
                for b in day_ends(problem, t, d)
                if b in later and day.earliest + d_[here, b] <= day.latest
            ]
            here = min(options)[3] if options else tour.end
            ends.append(here)
    return ends


def search(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    seed: int,
    start: Plan | None = None,
    restarts: list[Plan] | None = None,
    fixed_nights: bool = False,
    pool_size: int = 150,
) -> tuple[Plan | None, list[Plan]]:
    """Search for ``time_limit`` seconds from ``start`` (visits and ends per day) or from
    empty days; after a long series without progress, restart. The restarts alternate: a
    start elsewhere (the next of ``restarts``, for example other night sequences screened,
    :mod:`caravan.solver.tourseq`; then the best plan with one tour's nights mirrored or
    drawn at random, :func:`_restart`), then the best plan so far again. Each start is an
    *episode*: the rounds accept a trial, and come back after a stall, against the best of
    the episode, so that a start elsewhere improves on its own before it is compared with
    the best of all (before, it had to come within a few per cent of that best at once).
    ``fixed_nights``: the days keep the ends of ``start``. Returns
    the best feasible solution found (None when it misses a required site) and the pool of
    good solutions (the best ``pool_size`` met, for :func:`caravan.solver.tourpack.pack`).
    The rounds run compiled
    (:mod:`caravan.solver.tourjit`), a batch at a time between looks at the clock."""
    warm_up()
    deadline = time.monotonic() + time_limit
    ls = Search(problem, sc, seed)
    if fixed_nights and start:
        ls.fix_nights(list(start[1]))
    ka = tourjit.Arrays(ls)
    cur = ka.state(start) if start else None
    if cur is None or not ka.feasible(cur):
        cur = ka.state(([[] for _ in problem.vehicles], empty_tours(problem)))
    ka.descend(cur, fixed_nights)
    if tourjit.resplit(ka.inst, cur, ka.w, fixed_nights):
        ka.descend(cur, fixed_nights)
    best = tuple(x.copy() for x in cur)  # the best of this episode
    top = tuple(x.copy() for x in cur)  # the best of all episodes
    trial = tuple(x.copy() for x in cur)
    explore = True
    pool: dict[tuple, tuple[float, Plan]] = {}

    def keep(plan: Plan, value: float) -> None:
        key = (tuple(tuple(x) for x in plan[0]), tuple(plan[1]))
        pool.setdefault(key, (value, plan))
        if len(pool) > 4 * pool_size:  # keep the best
            kept = sorted(pool.items(), key=lambda x: -x[1][0])[:pool_size]
            pool.clear()
            pool.update(kept)

    keep(ka.plan(best), ka.value(best))
    jumps = [p for p in restarts or [] if ka.feasible(ka.state(p))]
    pool_R, pool_L, pool_E, pool_V = ka.pool(POOL_BATCH)
    mirrored: set[tuple[int, tuple[int, ...]]] = set()
    rounds, stall, calls = 4, 0, 0
    while calls == 0 or time.monotonic() < deadline:  # one batch at least
        now = time.monotonic()
        visits = max(1, int(best[1].sum()))
        left = (deadline - now) / max(time_limit, 1e-9)
        stall, written, restart = tourjit.ils(
            ka.inst,
            cur,
            best,
            trial,
            ka.w,
            fixed_nights,
            rounds,
            seed * 7919 + calls,
            max(2, visits // STRENGTH),
            ACCEPT[0] + ACCEPT[1] * left,
            STALL,
            stall,
            pool_R,
            pool_L,
            pool_E,
            pool_V,
            POOL_KEEP,
            TUNING,
        )
        calls += 1
        for i in range(written):
            keep(ka.plan((pool_R[i], pool_L[i], pool_E[i])), float(pool_V[i]))
        if restart:  # the episode ends: its best is kept if it is the best of all
            if ka.value(best) > ka.value(top):
                top = tuple(x.copy() for x in best)
            if explore:
                plan = jumps.pop(0) if jumps else _restart(ls, ka.plan(top), mirrored)
                cur = ka.state(plan)
                ka.descend(cur, fixed_nights)
            else:
                cur = tuple(x.copy() for x in top)
            best = tuple(x.copy() for x in cur)  # a new episode
            explore = not explore
        # batches of about a twentieth of a second
        spent = time.monotonic() - now
        if spent < 0.03:
            rounds = min(rounds * 2, 100_000)
        elif spent > 0.1 and rounds > 1:
            rounds //= 2
    if ka.value(best) > ka.value(top):
        top = best
    out = ka.plan(top)
    missing = problem.required - {v for x in out[0] for v in x}
    kept = sorted(pool.values(), key=lambda x: -x[0])[:pool_size]
    return (None if missing else out), [plan for _value, plan in kept]


_warm = False


def warm_up() -> None:
    """Have the compiled search ready in this process: compiled once after installing
    (under a minute), loaded from its cache later (:mod:`caravan.solver.tourjit`). The
    heuristic engine calls this before its clock starts, so a time limit counts the
    search."""
    global _warm
    if _warm:
        return
    _warm = True
    tiny = make_problem(
        durations=[[0, 1, 2], [1, 0, 1], [2, 1, 0]],
        prizes=[0, 1, 0],
        service=[0, 1, 0],
        tours=[TourSpec(0, 0, (Day(0, 10, away=True), Day(0, 10)))],
        lodgings={2: 0.5},
        travel_weight=0.1,
    )
    search(tiny, scale(tiny), time_limit=0.01, seed=0)


def _restart(ls: Search, plan: Plan, tried: set[tuple[int, tuple[int, ...]]]) -> Plan:
    """``plan`` (the best so far) with one tour emptied and new nights: the tour's nights
    driven the other way round (:meth:`Search.mirrored_nights`) when that sequence has not
    been a restart yet, else nights drawn at random (:meth:`Search.random_nights`);
    ``plan`` itself when there is nothing to draw. ``tried`` collects the mirrored
    sequences used."""
    ti = ls.rng.randrange(len(ls.tours))
    if not ls.lodging_nights[ti]:
        return plan
    k = sum(len(t.days) for t in ls.tours[:ti])
    ends = ls.mirrored_nights(ti, plan[1][k : k + len(ls.tours[ti].days)])
    if ends is None or (ti, ends) in tried:
        ends = ls.random_nights(ti)
    else:
        tried.add((ti, ends))
    if ends is None:
        return plan
    days, old = [list(x) for x in plan[0]], list(plan[1])
    for d, e in enumerate(ends):
        days[k + d], old[k + d] = [], e
    return days, old


def pair_trips(
    problem: Problem,
    sc: Scaled,
    *,
    seed: int,
    deadline: float,
    repeats: int = 2,
    prices: np.ndarray | None = None,
) -> list[tuple[int, int, list[int]]]:
    """Good day routes between every pair of a day's possible start and end, for the
    recombination to choose the nights from: per window length, per start and end, a route
    built by inserting the site with the best gain per extra time unit while it fits (the
    first time as is, then with shaken scores), then shortened by 2-opt. ``prices`` (per
    site, scaled) are taken off the prizes: the routes then go where the recombination
    has not been yet. Stops at ``deadline``. Returns (start, end, visits)."""
    ls = Search(problem, sc, seed)
    if prices is not None:
        ls.gain = ls.gain - prices
    pairs: dict[int, set[tuple[int, int]]] = {}
    for ti, tour in enumerate(problem.tours):
        before, after = ls.tables[ti]
        for d, day in enumerate(tour.days):
            later = after[d + 1] if d + 1 < len(tour.days) else {tour.end: 0}
            window = day.latest - day.earliest
            for a in before[d]:
                for b in ls.allowed[ti][d]:
                    if b in later and ls.d[a, b] <= window:
                        pairs.setdefault(window, set()).add((a, b))
    out = []
    for r in range(repeats):
        for window, found in sorted(pairs.items()):
            for a, b in sorted(found):
                if time.monotonic() > deadline:
                    return out
                out.append((a, b, _greedy_trip(ls, a, b, window, noise=0.3 if r else 0.0)))
    return out


def _greedy_trip(ls: Search, a: int, b: int, window: int, noise: float) -> list[int]:
    path = np.array([a, b], dtype=np.int64)
    used = 0
    seen = np.zeros(ls.p.n, dtype=bool)
    while True:
        u = ls.cands[~seen[ls.cands]]
        if len(u) == 0:
            break
        extra = ls.d[path[:-1]][:, u].T + ls.d[u][:, path[1:]] - ls.d[path[:-1], path[1:]][None, :]
        need = extra + ls.svc[u][:, None]
        gain = ls.gain[u][:, None] - ls.w * extra
        ok = (need <= window - used) & (gain > 0)
        if not ok.any():
            break
        score = gain / (np.maximum(need, 0) + 1.0)
        if noise:
            score = score * (1.0 + noise * ls.np_rng.uniform(-1.0, 1.0, size=score.shape))
        j, p = divmod(int(np.argmax(np.where(ok, score, -np.inf))), path.size - 1)
        path = np.insert(path, p + 1, u[j])
        seen[u[j]] = True
        t = Tour(path, np.array([path.size - 1]))
        ls.two_opt([t])
        path = t.path
        used = int(ls.d[path[:-1], path[1:]].sum() + ls.svc[path[1:-1]].sum())
    return [int(x) for x in path[1:-1]]
