"""Iterated local search for tours (problems with lodgings), for when day routes are too many
to enumerate.

A solution is, per day of every tour, a list of visits and the site where the day ends (the
tour's end or a lodging). The search works on scaled prizes and on travel in scaled units
(``scaling.py``), every move checked against each day's window and each tour's nights:

* **insert** the unvisited site with the best gain per extra minute, anywhere in any day;
* **swap** an unvisited site in for a visited one, or **drop** a visit that costs more
  travel than it brings (never a required one);
* **2-opt** and **relocate** visits within and between days, to drive less and free time;
* **move a night**: end a day at another lodging (or at home) when that pays.

Each local optimum is perturbed (a few visits of a random stretch removed, sometimes a
night moved) and searched again; the search goes back to the best solution after a series
of perturbations that found nothing better. The day routes of the good local optima are
kept in a pool, from which :func:`caravan.solver.tourpack.pack` then makes the best
combination (for the OPHS benchmark this recombination often finds the optimum that no
single run of the search holds).

All arrays are NumPy; the moves of one kind are evaluated at once for every site and
position. Deterministic for a seed, apart from how many iterations fit in the time.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import numpy as np

from caravan.solver.problem import Problem, day_ends, is_night_away, night_tables
from caravan.solver.scaling import Scaled


@dataclass
class State:
    """A tour solution being searched (mutable)."""

    days: list[list[int]]  # visits per day, in ``problem.vehicles`` order
    ends: list[int]  # where each day ends
    value: float = 0.0  # search objective (scaled prizes - scaled travel - nights)
    durations: list[int] = field(default_factory=list)

    def copy(self) -> State:
        return State(
            [list(x) for x in self.days], list(self.ends), self.value, list(self.durations)
        )

    def key(self) -> tuple:
        return tuple(tuple(x) for x in self.days), tuple(self.ends)


class Search:
    """The search over one problem (see the module docstring)."""

    def __init__(self, problem: Problem, sc: Scaled, seed: int) -> None:
        self.p = problem
        self.sc = sc
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.d = problem.durations.astype(np.int64)
        self.svc = np.array(problem.service, dtype=np.int64)
        self.w = sc.W / sc.q  # scaled cost of one travel unit
        prize = sc.prizes.astype(float)
        # required sites are worth more than everything else together: inserted first,
        # never dropped
        big = float(prize.sum() + 1.0) * 2 + 1e6
        self.gain = prize + np.array(
            [big if i in problem.required else 0.0 for i in range(problem.n)]
        )
        self.cands = np.array(problem.candidates, dtype=np.int64)
        self.window = np.array([v.latest - v.earliest for v in problem.vehicles], dtype=np.int64)
        self.day_of = problem.day_of
        self.first = [d == 0 for _t, d in self.day_of]
        self.last = [d == len(problem.tours[t].days) - 1 for t, d in self.day_of]
        self.allowed = [day_ends(problem, t, d) for t, d in self.day_of]
        self.limit = [len(t.days) if t.max_nights is None else t.max_nights for t in problem.tours]
        self.tables = [night_tables(problem, t) for t in range(len(problem.tours))]
        self.night_price = {i: float(c) for i, c in sc.nights.items()}
        #: the days that may end elsewhere than at home
        self.lodging_days = [k for k, a in enumerate(self.allowed) if len(a) > 1]

    # ------------------------------------------------------------------ bookkeeping

    def start_of(self, s: State, k: int) -> int:
        t, _d = self.day_of[k]
        return self.p.tours[t].start if self.first[k] else s.ends[k - 1]

    def path(self, s: State, k: int) -> list[int]:
        return [self.start_of(s, k), *s.days[k], s.ends[k]]

    def duration(self, s: State, k: int) -> int:
        path = self.path(s, k)
        return int(self.d[path[:-1], path[1:]].sum() + self.svc[s.days[k]].sum())

    def travel(self, s: State, k: int) -> int:
        path = self.path(s, k)
        return int(self.d[path[:-1], path[1:]].sum())

    def nights(self, s: State, t: int) -> int:
        return sum(
            is_night_away(self.p, t, d, s.ends[k])
            for k, (tt, d) in enumerate(self.day_of)
            if tt == t
        )

    def evaluate(self, s: State) -> float:
        s.durations = [self.duration(s, k) for k in range(len(s.days))]
        value = 0.0
        for k, visits in enumerate(s.days):
            value += float(self.gain[visits].sum()) - self.w * self.travel(s, k)
            t, d = self.day_of[k]
            if is_night_away(self.p, t, d, s.ends[k]):
                value -= self.night_price[s.ends[k]]
        s.value = value
        return value

    def feasible(self, s: State) -> bool:
        if any(s.durations[k] > self.window[k] for k in range(len(s.days))):
            return False
        return all(self.nights(s, t) <= self.limit[t] for t in range(len(self.p.tours)))

    def feasible_after(self, s: State) -> bool:
        self.evaluate(s)
        return self.feasible(s)

    def real_value(self, s: State) -> float:
        """The search objective without the bonus of the required sites."""
        visited = [v for x in s.days for v in x]
        return s.value - float((self.gain[visited] - self.sc.prizes[visited]).sum())

    # ------------------------------------------------------------------ positions

    def positions(self, s: State):
        """Every gap between consecutive stops of every day: (day, index, before, after)."""
        ks, idx, a, b = [], [], [], []
        for k in range(len(s.days)):
            path = self.path(s, k)
            for i in range(len(path) - 1):
                ks.append(k)
                idx.append(i)
                a.append(path[i])
                b.append(path[i + 1])
        return (np.array(ks), np.array(idx), np.array(a), np.array(b))

    def slack(self, s: State) -> np.ndarray:
        return self.window - np.array(s.durations, dtype=np.int64)

    def unvisited(self, s: State) -> np.ndarray:
        seen = np.zeros(self.p.n, dtype=bool)
        for x in s.days:
            seen[x] = True
        return self.cands[~seen[self.cands]]

    # ------------------------------------------------------------------ moves

    def insert(self, s: State, noise: float = 0.0, tabu: frozenset[int] = frozenset()) -> bool:
        """Insert the unvisited site with the best gain per extra time unit (scores shaken
        by ``noise``, sites in ``tabu`` left out); True when one was inserted."""
        u = self.unvisited(s)
        if tabu:
            u = u[~np.isin(u, list(tabu))]
        if len(u) == 0:
            return False
        ks, idx, a, b = self.positions(s)
        slack = self.slack(s)[ks]
        extra = self.d[a][:, u].T + self.d[u][:, b] - self.d[a, b][None, :]
        need = extra + self.svc[u][:, None]
        ok = need <= slack[None, :]
        gain = self.gain[u][:, None] - self.w * extra
        ok &= gain > 0
        if not ok.any():
            return False
        score = gain / (np.maximum(need, 0) + 1.0)
        if noise:
            score = score * (1.0 + noise * self.np_rng.uniform(-1.0, 1.0, size=score.shape))
        score = np.where(ok, score, -np.inf)
        flat = int(np.argmax(score))
        j, p = divmod(flat, len(ks))
        k, i = int(ks[p]), int(idx[p])
        s.days[k].insert(i, int(u[j]))
        s.durations[k] += int(need[j, p])
        s.value += float(gain[j, p])
        return True

    def swap_in(self, s: State) -> bool:
        """Put an unvisited site in the place of a visited one when that gains."""
        u = self.unvisited(s)
        ks, pos, a, v, b = self.visits(s)
        if len(u) == 0 or len(v) == 0:
            return False
        old = self.d[a, v] + self.d[v, b]
        new = self.d[a][:, u].T + self.d[u][:, b]
        dtime = new - old[None, :] + self.svc[u][:, None] - self.svc[v][None, :]
        ok = dtime <= self.slack(s)[ks][None, :]
        gain = self.gain[u][:, None] - self.gain[v][None, :] - self.w * (new - old[None, :])
        ok &= gain > 1e-9
        if not ok.any():
            return False
        flat = int(np.argmax(np.where(ok, gain, -np.inf)))
        j, q = divmod(flat, len(ks))
        k = int(ks[q])
        s.days[k][int(pos[q])] = int(u[j])
        s.durations[k] += int(dtime[j, q])
        s.value += float(gain[j, q])
        return True

    def drop(self, s: State) -> bool:
        """Drop every visit that costs more travel than it brings."""
        changed = False
        for k in range(len(s.days)):
            i = 0
            while i < len(s.days[k]):
                path = self.path(s, k)
                a, v, b = path[i], path[i + 1], path[i + 2]
                saved = self.d[a, v] + self.d[v, b] - self.d[a, b]
                if self.gain[v] < self.w * saved - 1e-9:
                    del s.days[k][i]
                    s.durations[k] -= int(saved + self.svc[v])
                    s.value += self.w * saved - self.gain[v]
                    changed = True
                else:
                    i += 1
        return changed

    def two_opt(self, s: State, k: int) -> bool:
        """Reverse the stretch of day ``k`` that shortens it most (asymmetric times allowed)."""
        path = np.array(self.path(s, k))
        m = len(path)
        if m < 4:
            return False
        fwd = np.concatenate([[0], np.cumsum(self.d[path[:-1], path[1:]])])
        bwd = np.concatenate([[0], np.cumsum(self.d[path[1:], path[:-1]])])
        i = np.arange(m - 1)[:, None]
        j = np.arange(m - 1)[None, :]
        valid = j > i + 1
        jj = np.minimum(j, m - 2)
        old = self.d[path[i], path[i + 1]] + (fwd[jj] - fwd[i + 1]) + self.d[path[jj], path[jj + 1]]
        new = self.d[path[i], path[jj]] + (bwd[jj] - bwd[i + 1]) + self.d[path[i + 1], path[jj + 1]]
        delta = np.where(valid, new - old, 0)
        best = int(np.argmin(delta))
        if delta.flat[best] >= 0:
            return False
        bi, bj = divmod(best, m - 1)
        seq = list(path)
        seq[bi + 1 : bj + 1] = seq[bi + 1 : bj + 1][::-1]
        s.days[k] = [int(x) for x in seq[1:-1]]
        s.durations[k] += int(delta.flat[best])
        s.value -= self.w * float(delta.flat[best])
        return True

    def visits(self, s: State):
        """Every visit: (day, index, site, the stop before, the stop after)."""
        ks, pos, a, v, b = [], [], [], [], []
        for k, sites in enumerate(s.days):
            path = self.path(s, k)
            for i, site in enumerate(sites):
                ks.append(k)
                pos.append(i)
                a.append(path[i])
                v.append(site)
                b.append(path[i + 2])
        return tuple(np.array(x, dtype=np.int64) for x in (ks, pos, a, v, b))

    def relocate(self, s: State) -> bool:
        """Move one visit to the place (any day) where it saves the most travel."""
        vk, vi, va, vv, vb = self.visits(s)
        if len(vv) == 0:
            return False
        ks, idx, a, b = self.positions(s)
        slack = self.slack(s)
        saved = self.d[va, vv] + self.d[vv, vb] - self.d[va, vb]
        extra = self.d[a][:, vv].T + self.d[vv][:, b] - self.d[a, b][None, :]
        same = ks[None, :] == vk[:, None]
        room = slack[ks][None, :] + np.where(
            same, (saved + self.svc[vv])[:, None], -self.svc[vv][:, None]
        )
        near = same & ((idx[None, :] == vi[:, None]) | (idx[None, :] == vi[:, None] + 1))
        gain = np.where((extra <= room) & ~near, saved[:, None] - extra, -1)
        flat = int(np.argmax(gain))
        j, p = divmod(flat, len(ks))
        if gain[j, p] <= 0:
            return False
        k, i, k2, i2 = int(vk[j]), int(vi[j]), int(ks[p]), int(idx[p])
        site = s.days[k].pop(i)
        if k2 == k and i2 > i:
            i2 -= 1
        s.days[k2].insert(i2, site)
        for kk in {k, k2}:
            s.durations[kk] = self.duration(s, kk)
        s.value += self.w * float(gain[j, p])
        return True

    def move_night(self, s: State, k: int) -> bool:
        """End day ``k`` elsewhere (another lodging or home) when that gains."""
        if self.last[k]:
            return False
        t, d = self.day_of[k]
        options = [e for e in self.allowed[k] if e != s.ends[k]]
        if not options:
            return False
        old = s.ends[k]
        a = s.days[k][-1] if s.days[k] else self.start_of(s, k)
        b = s.days[k + 1][0] if s.days[k + 1] else s.ends[k + 1]
        nights = self.nights(s, t) - is_night_away(self.p, t, d, old)
        slack = self.slack(s)

        def cost(e: int) -> float:
            night = self.night_price[e] if is_night_away(self.p, t, d, e) else 0.0
            return self.w * (self.d[a, e] + self.d[e, b]) + night

        base = cost(old)
        best = (1e-9, None)
        for e in options:
            if nights + is_night_away(self.p, t, d, e) > self.limit[t]:
                continue
            d1 = self.d[a, e] - self.d[a, old]
            d2 = self.d[e, b] - self.d[old, b]
            if d1 > slack[k] or d2 > slack[k + 1]:
                continue
            g = base - cost(e)
            if g > best[0]:
                best = (g, e)
        if best[1] is None:
            return False
        s.ends[k] = best[1]
        s.durations[k] = self.duration(s, k)
        s.durations[k + 1] = self.duration(s, k + 1)
        s.value += best[0]
        return True

    # ------------------------------------------------------------------ search

    def local_search(self, s: State, deadline: float) -> None:
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            for k in range(len(s.days)):
                while self.two_opt(s, k):
                    improved = True
            if self.relocate(s):
                improved = True
                continue
            if self.drop(s):
                improved = True
            while self.insert(s):
                improved = True
            if self.swap_in(s):
                improved = True
            for k in range(len(s.days)):
                if self.move_night(s, k):
                    improved = True

    def perturb(self, s: State, strength: int) -> None:
        """Ruin and recreate: remove a random stretch of one day, or random visits of the
        whole plan, or a whole day; sometimes end a day at a random lodging; then insert
        with shaken scores, the removed sites last."""
        removed: list[int] = []
        visited_days = [k for k, x in enumerate(s.days) if x]
        mode = self.rng.random()
        if visited_days and mode < 0.45:
            k = self.rng.choice(visited_days)
            n = len(s.days[k])
            size = min(n, self.rng.randint(1, max(1, strength)))
            i = self.rng.randint(0, n - size)
            removed += s.days[k][i : i + size]
            del s.days[k][i : i + size]
        elif visited_days and mode < 0.9:
            every = [(k, v) for k in visited_days for v in s.days[k]]
            for k, v in self.rng.sample(
                every, min(len(every), self.rng.randint(1, max(1, strength)))
            ):
                s.days[k].remove(v)
                removed.append(v)
        elif visited_days:
            k = self.rng.choice(visited_days)
            removed += s.days[k]
            s.days[k] = []
        if self.lodging_days and self.rng.random() < 0.3:
            k = self.rng.choice(self.lodging_days)
            t, _d = self.day_of[k]
            s.ends[k] = self.rng.choice(self.allowed[k])
            if self.nights(s, t) > self.limit[t]:
                s.ends[k] = self.p.tours[t].end
        self.evaluate(s)
        # a moved night can make a day too long: drop visits until it fits
        for k in range(len(s.days)):
            while s.durations[k] > self.window[k] and s.days[k]:
                removed.append(s.days[k].pop(self.rng.randrange(len(s.days[k]))))
                s.durations[k] = self.duration(s, k)
        self.evaluate(s)
        tabu = frozenset(removed)
        while self.insert(s, noise=0.3, tabu=tabu):
            pass


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
    start: tuple[list[list[int]], list[int]] | None = None,
    pool_size: int = 20_000,
) -> tuple[tuple[list[list[int]], list[int]] | None, list[tuple[list[list[int]], list[int]]]]:
    """Search for ``time_limit`` seconds from ``start`` (sequences and ends per day) or from
    empty days at home. Returns the best feasible solution found (or None) and the pool of
    good solutions (for :func:`caravan.solver.tourpack.pack`)."""
    deadline = time.monotonic() + time_limit
    ls = Search(problem, sc, seed)
    cur = State([list(x) for x in start[0]], list(start[1])) if start else None
    if cur is None or not ls.feasible_after(cur):
        cur = State([[] for _ in problem.vehicles], empty_tours(problem))
        ls.evaluate(cur)
    ls.local_search(cur, deadline)
    best = cur.copy()
    pool: dict[tuple, tuple[list[list[int]], list[int]]] = {}
    pool[best.key()] = ([list(x) for x in best.days], list(best.ends))
    visits = max(1, sum(len(x) for x in best.days))
    stall = 0
    while time.monotonic() < deadline:
        trial = cur.copy()
        ls.perturb(trial, strength=max(2, visits // 6))
        ls.local_search(trial, deadline)
        if not ls.feasible(trial):
            continue
        if trial.value > best.value + 1e-9:
            best = trial.copy()
            visits = max(1, sum(len(x) for x in best.days))
            stall = 0
        else:
            stall += 1
        if trial.value >= best.value - abs(best.value) * 0.02 and len(pool) < pool_size:
            pool.setdefault(trial.key(), ([list(x) for x in trial.days], list(trial.ends)))
        # accept small losses, go back to the best after a series without progress
        if trial.value >= cur.value - abs(cur.value) * 0.005:
            cur = trial
        if stall and stall % 50 == 0:
            cur = best.copy()
    out = ([list(x) for x in best.days], list(best.ends))
    missing = problem.required - {v for x in best.days for v in x}
    return (None if missing else out), list(pool.values())
