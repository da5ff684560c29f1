"""Iterated local search for tours (problems with lodgings), for when day routes are too many
to enumerate.

A tour is searched as one path through its days: ``start, visits of day 1, end of day 1,
visits of day 2, ..., end`` (a day's end is the next day's start), so every gap between two
consecutive stops is a place to insert a visit, whatever the day. Moves, each evaluated at
once for every site and place with NumPy, all checked against each day's window and each
tour's nights, on scaled prizes and travel (``scaling.py``):

* **insert** the unvisited site with the best gain per extra minute (shaken scores after a
  perturbation); **swap** an unvisited site in for a visited one; **drop** a visit that
  costs more travel than it brings (never a required one);
* **2-opt** within a day and **relocate** a visit anywhere, to drive less and free time;
* **move a night**: end a day at another lodging (or at home) when that pays;
* **re-split** a tour: keep its visits in order and choose again where each day ends
  (dynamic programming over the cut points and lodgings, least travel first), which gives
  the days the slack that the next insertions use.

Each local optimum is perturbed (ruin and recreate: a stretch of a day, random visits or a
whole day removed, sometimes a night moved) and searched again; the search returns to the
best solution after a series of perturbations that found nothing better. The day routes of
the good local optima are kept in a pool, from which :func:`caravan.solver.tourpack.pack`
makes the best combination. Deterministic for a seed, apart from how many iterations fit
in the time.
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
#: better than the noise between runs: benchmarks/RESULTS.md)
TUNING = np.array([0.3, 0.002, 0.05])

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

    def to_plan(self, tours: list[Tour]) -> Plan:
        days: list[list[int]] = []
        ends: list[int] = []
        for t in tours:
            prev = 0
            for c in t.cuts:
                days.append([int(x) for x in t.path[prev + 1 : c]])
                ends.append(int(t.path[c]))
                prev = c
        return days, ends

    # ------------------------------------------------------------------ measures

    def day_durations(self, t: Tour) -> np.ndarray:
        if t.durations is None:
            legs = self.d[t.path[:-1], t.path[1:]]
            cum = np.concatenate([[0], np.cumsum(legs + self.svc[t.path[1:]])])
            # the service of a day's end node is 0 (a depot)
            starts = np.concatenate([[0], t.cuts[:-1]])
            t.durations = cum[t.cuts] - cum[starts]
        return t.durations

    def nights(self, ti: int, t: Tour) -> int:
        return sum(is_night_away(self.p, ti, d, int(t.path[c])) for d, c in enumerate(t.cuts[:-1]))

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

    def feasible(self, tours: list[Tour]) -> bool:
        for ti, t in enumerate(tours):
            if np.any(self.day_durations(t) > self.windows[ti]):
                return False
            if self.nights(ti, t) > self.limits[ti]:
                return False
        return True

    def visited(self, tours: list[Tour]) -> np.ndarray:
        seen = np.zeros(self.p.n, dtype=bool)
        for t in tours:
            seen[t.path] = True
        return seen

    # ------------------------------------------------------------------ places

    def gaps(self, tours: list[Tour], with_day: bool = False):
        """Every gap between consecutive stops: (tour, index of the stop before, before,
        after, slack of its day[, the day])."""
        tis, idx, a, b, slack, days = [], [], [], [], [], []
        for ti, t in enumerate(tours):
            n = len(t.path) - 1
            day = np.searchsorted(t.cuts, np.arange(n), side="right")
            tis.append(np.full(n, ti))
            idx.append(np.arange(n))
            a.append(t.path[:-1])
            b.append(t.path[1:])
            slack.append((self.windows[ti] - self.day_durations(t))[day])
            days.append(day)
        out = (tis, idx, a, b, slack, days) if with_day else (tis, idx, a, b, slack)
        return tuple(np.concatenate(x) for x in out)

    def stops(self, tours: list[Tour], with_day: bool = False):
        """Every visit: (tour, index, stop before, site, stop after, slack of its day[, the
        day])."""
        tis, idx, a, v, b, slack, days = [], [], [], [], [], [], []
        for ti, t in enumerate(tours):
            mask = np.ones(len(t.path), dtype=bool)
            mask[0] = False
            mask[t.cuts] = False
            i = np.nonzero(mask)[0]
            day = np.searchsorted(t.cuts, i, side="right")
            tis.append(np.full(len(i), ti))
            idx.append(i)
            a.append(t.path[i - 1])
            v.append(t.path[i])
            b.append(t.path[i + 1])
            slack.append((self.windows[ti] - self.day_durations(t))[day])
            days.append(day)
        out = (tis, idx, a, v, b, slack, days) if with_day else (tis, idx, a, v, b, slack)
        return tuple(np.concatenate(x) for x in out)

    # ------------------------------------------------------------------ moves

    def insert(
        self, tours: list[Tour], noise: float = 0.0, tabu: frozenset[int] = frozenset()
    ) -> bool:
        """Insert the unvisited site with the best gain per extra time (scores shaken by
        ``noise``, sites in ``tabu`` left out)."""
        u = self.cands[~self.visited(tours)[self.cands]]
        if tabu:
            u = u[~np.isin(u, list(tabu))]
        if len(u) == 0:
            return False
        ti, idx, a, b, slack = self.gaps(tours)
        extra = self.d[a][:, u].T + self.d[u][:, b] - self.d[a, b][None, :]
        need = extra + self.svc[u][:, None]
        gain = self.gain[u][:, None] - self.w * extra
        ok = (need <= slack[None, :]) & (gain > 0)
        if not ok.any():
            return False
        score = gain / (np.maximum(need, 0) + 1.0)
        if noise:
            score = score * (1.0 + noise * self.np_rng.uniform(-1.0, 1.0, size=score.shape))
        j, p = divmod(int(np.argmax(np.where(ok, score, -np.inf))), len(idx))
        t = tours[int(ti[p])]
        i = int(idx[p]) + 1
        t.path = np.insert(t.path, i, u[j])
        t.cuts = t.cuts + (t.cuts >= i)
        t.changed()
        return True

    def swap_in(self, tours: list[Tour]) -> bool:
        """Put an unvisited site in the place of a visited one when that gains."""
        u = self.cands[~self.visited(tours)[self.cands]]
        ti, idx, a, v, b, slack = self.stops(tours)
        if len(u) == 0 or len(v) == 0:
            return False
        old = self.d[a, v] + self.d[v, b]
        new = self.d[a][:, u].T + self.d[u][:, b]
        dtime = new - old[None, :] + self.svc[u][:, None] - self.svc[v][None, :]
        gain = self.gain[u][:, None] - self.gain[v][None, :] - self.w * (new - old[None, :])
        ok = (dtime <= slack[None, :]) & (gain > 1e-9)
        if not ok.any():
            return False
        j, q = divmod(int(np.argmax(np.where(ok, gain, -np.inf))), len(v))
        tours[int(ti[q])].path[int(idx[q])] = u[j]
        tours[int(ti[q])].changed()
        return True

    def drop(self, tours: list[Tour]) -> bool:
        """Drop the visit that costs the most travel beyond what it brings."""
        ti, idx, a, v, b, _slack = self.stops(tours)
        if len(v) == 0:
            return False
        loss = self.gain[v] - self.w * (self.d[a, v] + self.d[v, b] - self.d[a, b])
        q = int(np.argmin(loss))
        if loss[q] >= -1e-9:
            return False
        self._remove(tours[int(ti[q])], int(idx[q]))
        return True

    @staticmethod
    def _remove(t: Tour, i: int) -> int:
        site = int(t.path[i])
        t.path = np.delete(t.path, i)
        t.cuts = t.cuts - (t.cuts > i)
        t.changed()
        return site

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

    def relocate(self, tours: list[Tour]) -> bool:
        """Move one visit to the place (any day, any tour) where it saves the most travel."""
        vt, vi, va, vv, vb, _vslack, vday = self.stops(tours, with_day=True)
        if len(vv) == 0:
            return False
        gt, gi, a, b, gslack, gday = self.gaps(tours, with_day=True)
        saved = self.d[va, vv] + self.d[vv, vb] - self.d[va, vb]
        extra = self.d[a][:, vv].T + self.d[vv][:, b] - self.d[a, b][None, :]
        same_tour = gt[None, :] == vt[:, None]
        # the same day: the visit's own time comes back before it is spent again
        same_day = same_tour & (gday[None, :] == vday[:, None])
        room = gslack[None, :] + np.where(
            same_day, (saved + self.svc[vv])[:, None], -self.svc[vv][:, None]
        )
        near = same_tour & ((gi[None, :] == vi[:, None]) | (gi[None, :] == vi[:, None] - 1))
        gain = np.where((extra <= room) & ~near, saved[:, None] - extra, -1)
        j, p = divmod(int(np.argmax(gain)), len(gi))
        if gain[j, p] <= 0:
            return False
        site = self._remove(tours[int(vt[j])], int(vi[j]))
        to = tours[int(gt[p])]
        i = int(gi[p]) + 1
        if int(gt[p]) == int(vt[j]) and int(gi[p]) > int(vi[j]):
            i -= 1
        to.path = np.insert(to.path, i, site)
        to.cuts = to.cuts + (to.cuts >= i)
        to.changed()
        return True

    def move_night(self, tours: list[Tour]) -> bool:
        """End a day at another lodging (or at home) when that gains and fits."""
        best = (1e-9, None)
        for ti, t in enumerate(tours):
            durations = self.day_durations(t)
            nights = self.nights(ti, t)
            for d in self.lodging_nights[ti]:
                c = int(t.cuts[d])
                a, old, b = int(t.path[c - 1]), int(t.path[c]), int(t.path[c + 1])
                away_old = is_night_away(self.p, ti, d, old)
                base = self.w * (self.d[a, old] + self.d[old, b]) + (
                    self.price[old] if away_old else 0.0
                )
                for e in self.allowed[ti][d]:
                    if e == old:
                        continue
                    away = is_night_away(self.p, ti, d, e)
                    if nights - away_old + away > self.limits[ti]:
                        continue
                    if durations[d] + self.d[a, e] - self.d[a, old] > self.windows[ti][d]:
                        continue
                    if durations[d + 1] + self.d[e, b] - self.d[old, b] > self.windows[ti][d + 1]:
                        continue
                    g = (
                        base
                        - self.w * (self.d[a, e] + self.d[e, b])
                        - (self.price[e] if away else 0.0)
                    )
                    if g > best[0]:
                        best = (g, (ti, c, e))
        if best[1] is None:
            return False
        ti, c, e = best[1]
        tours[ti].path[c] = e
        tours[ti].changed()
        return True

    def resplit(self, tours: list[Tour]) -> bool:
        """Keep each tour's visits in order, choose again where each day ends (module
        docstring); True when some tour changed."""
        changed = False
        for ti, t in enumerate(tours):
            better = self._resplit(ti, t)
            if better is not None:
                tours[ti] = better
                changed = True
        return changed

    def _resplit(self, ti: int, t: Tour) -> Tour | None:
        """Least travel (plus the price of the nights) over every choice of cut points and
        day ends for the visits of ``t`` in their order, within the windows and nights."""
        tour = self.tours[ti]
        mask = np.ones(len(t.path), dtype=bool)
        mask[0] = False
        mask[t.cuts] = False
        v = t.path[mask]
        m = len(v)
        n_days = len(tour.days)
        if m == 0 or n_days < 2:
            return None
        # a limit no tour can reach is no limit: one layer of nights is enough
        binding = self.limits[ti] < len(self.lodging_nights[ti])
        layers = self.limits[ti] + 1 if binding else 1
        nodes = sorted({tour.start, tour.end, *(e for a in self.allowed[ti] for e in a)})
        pos = {x: i for i, x in enumerate(nodes)}
        inner = np.concatenate([[0], np.cumsum(self.d[v[:-1], v[1:]])])
        svc = np.concatenate([[0], np.cumsum(self.svc[v])])
        i_, j_ = np.meshgrid(np.arange(m + 1), np.arange(m + 1), indexing="ij")
        stretch = j_ > i_  # the day serves v[i:j]; i == j: no visits
        mid = inner[np.maximum(j_ - 1, 0)] - inner[np.minimum(i_, m - 1)]
        service = svc[j_] - svc[i_]
        first = self.d[np.array(nodes)][:, v[np.minimum(i_, m - 1)]]  # (node, i, j)
        last = self.d[v[np.maximum(j_ - 1, 0)]][:, :, np.array(nodes)]  # (i, j, node)
        inf = float("inf")
        n_nodes = len(nodes)
        best = np.full((m + 1, n_nodes, layers), inf)
        best[0, pos[tour.start], 0] = 0.0
        backs = []
        cols = np.arange(m + 1)
        for d in range(n_days):
            window = self.windows[ti][d]
            nxt = np.full_like(best, inf)
            came = np.zeros((m + 1, n_nodes, layers, 3), dtype=np.int64)
            starts = np.array([a for a in range(n_nodes) if np.isfinite(best[:, a, :]).any()])
            direct = self.d[np.array(nodes)[starts]]  # (start, node)
            for e in self.allowed[ti][d]:
                ei = pos[e]
                night = is_night_away(self.p, ti, d, e)
                away = int(night) if binding else 0
                price = self.price.get(e, 0.0) if night else 0.0
                travel = np.where(
                    stretch[None],
                    first[starts] + mid[None] + last[None, :, :, ei],
                    direct[:, e][:, None, None],
                )  # (start, i, j)
                ok = (j_ >= i_)[None] & (travel + service[None] <= window)
                cost = np.where(ok, self.w * travel + price, inf)
                for k in range(layers - away):
                    cand = (best[:, starts, k].T[:, :, None] + cost).reshape(-1, m + 1)
                    arg = cand.argmin(axis=0)
                    col = cand[arg, cols]
                    upd = col < nxt[:, ei, k + away]
                    nxt[upd, ei, k + away] = col[upd]
                    came[upd, ei, k + away, 0] = arg[upd] % (m + 1)
                    came[upd, ei, k + away, 1] = starts[arg[upd] // (m + 1)]
                    came[upd, ei, k + away, 2] = k
            best = nxt
            backs.append(came)
        final = best[m, pos[tour.end], :]
        k = int(np.argmin(final))
        if not np.isfinite(final[k]) or float(final[k]) >= self._split_cost(ti, t) - 1e-9:
            return None
        cut_at, end_at = [], []
        j, e = m, pos[tour.end]
        for d in range(n_days - 1, -1, -1):
            cut_at.append(j)
            end_at.append(nodes[e])
            j, e, k = (int(x) for x in backs[d][j, e, k])
        path = [tour.start]
        cuts = []
        prev = 0
        for c, node in zip(cut_at[::-1], end_at[::-1], strict=True):
            path += [int(x) for x in v[prev:c]]
            path.append(node)
            cuts.append(len(path) - 1)
            prev = c
        return Tour(np.array(path, dtype=np.int64), np.array(cuts, dtype=np.int64))

    def _split_cost(self, ti: int, t: Tour) -> float:
        cost = self.w * float(self.d[t.path[:-1], t.path[1:]].sum())
        for d, c in enumerate(t.cuts[:-1]):
            node = int(t.path[c])
            if is_night_away(self.p, ti, d, node):
                cost += self.price[node]
        return cost

    # ------------------------------------------------------------------ search

    def local_search(self, tours: list[Tour], deadline: float, nights: bool = True) -> None:
        """Descend until no move improves (``nights``: moving a night is one of the moves)."""
        improved = True
        while improved and time.monotonic() < deadline:
            improved = self.two_opt(tours)
            if self.relocate(tours):
                improved = True
                continue
            while self.drop(tours):
                improved = True
            while self.insert(tours):
                improved = True
            if self.swap_in(tours):
                improved = True
            if nights and self.move_night(tours):
                improved = True

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

    def restart(self, tours: list[Tour]) -> list[Tour]:
        """The same plan with one tour emptied and its nights drawn at random
        (:meth:`random_nights`): a jump to another region of the search space."""
        ti = self.rng.randrange(len(tours))
        if not self.lodging_nights[ti]:
            return tours
        ends = self.random_nights(ti)
        if ends is None:
            return tours
        path = [self.tours[ti].start, *ends]
        out = [t.copy() for t in tours]
        out[ti] = Tour(np.array(path, dtype=np.int64), np.arange(1, len(path), dtype=np.int64))
        return out

    def perturb(self, tours: list[Tour], strength: int) -> None:
        """Ruin and recreate (module docstring)."""
        removed: list[int] = []
        ti = self.rng.randrange(len(tours))
        t = tours[ti]
        inner = [i for i in range(1, len(t.path)) if i not in set(t.cuts.tolist())]
        mode = self.rng.random()
        if inner and mode < 0.45:  # a stretch
            size = min(len(inner), self.rng.randint(1, max(1, strength)))
            at = self.rng.randrange(len(inner) - size + 1)
            for i in sorted(inner[at : at + size], reverse=True):
                removed.append(self._remove(t, i))
        elif inner and mode < 0.9:  # random visits
            for i in sorted(
                self.rng.sample(inner, min(len(inner), self.rng.randint(1, strength))), reverse=True
            ):
                removed.append(self._remove(t, i))
        elif inner:  # a whole day
            d = self.rng.randrange(len(t.cuts))
            lo = 0 if d == 0 else int(t.cuts[d - 1])
            for i in range(int(t.cuts[d]) - 1, lo, -1):
                removed.append(self._remove(t, i))
        if self.lodging_nights[ti] and self.rng.random() < 0.3:
            d = self.rng.choice(self.lodging_nights[ti])
            old = int(t.path[t.cuts[d]])
            t.path[t.cuts[d]] = self.rng.choice(self.allowed[ti][d])
            if self.nights(ti, t) > self.limits[ti]:
                t.path[t.cuts[d]] = old
            t.changed()
        # a moved night can make a day too long: drop visits until it fits
        while True:
            over = np.nonzero(self.day_durations(t) > self.windows[ti])[0]
            if len(over) == 0:
                break
            d = int(over[0])
            lo = 0 if d == 0 else int(t.cuts[d - 1])
            if int(t.cuts[d]) - lo <= 1:
                break
            removed.append(self._remove(t, self.rng.randrange(lo + 1, int(t.cuts[d]))))
        tabu = frozenset(removed)
        while self.insert(tours, noise=0.3, tabu=tabu):
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
    start: Plan | None = None,
    restarts: list[Plan] | None = None,
    fixed_nights: bool = False,
    pool_size: int = 150,
) -> tuple[Plan | None, list[Plan]]:
    """Search for ``time_limit`` seconds from ``start`` (visits and ends per day) or from
    empty days; after a long series without progress, restart from the next of
    ``restarts`` (for example other night sequences screened, :mod:`caravan.solver.tourseq`),
    then from random nights. ``fixed_nights``: the days keep the ends of ``start``. Returns
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
    best = tuple(x.copy() for x in cur)
    trial = tuple(x.copy() for x in cur)
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
    pool_R = np.zeros((POOL_BATCH, ka.K, ka.n), dtype=np.int64)
    pool_L = np.zeros((POOL_BATCH, ka.K), dtype=np.int64)
    pool_E = np.zeros((POOL_BATCH, ka.K), dtype=np.int64)
    pool_V = np.zeros(POOL_BATCH)
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
        if restart:  # a jump elsewhere: the next start given, or random nights
            plan = jumps.pop(0) if jumps else _random_restart(ls, ka.plan(best))
            cur = ka.state(plan)
            ka.descend(cur, fixed_nights)
        # batches of about a twentieth of a second
        spent = time.monotonic() - now
        if spent < 0.03:
            rounds = min(rounds * 2, 100_000)
        elif spent > 0.1 and rounds > 1:
            rounds //= 2
    out = ka.plan(best)
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


def _random_restart(ls: Search, plan: Plan) -> Plan:
    """``plan`` with one tour emptied and its nights drawn at random
    (:meth:`Search.random_nights`); ``plan`` itself when there is nothing to draw."""
    ti = ls.rng.randrange(len(ls.tours))
    if not ls.lodging_nights[ti]:
        return plan
    ends = ls.random_nights(ti)
    if ends is None:
        return plan
    days, old = [list(x) for x in plan[0]], list(plan[1])
    k = sum(len(t.days) for t in ls.tours[:ti])
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
