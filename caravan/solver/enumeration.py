"""Enumerate every useful route of a vehicle class (dynamic programming over site sets).

For a class of identical vehicles (same start, end, earliest and latest) a label is a set of
visited candidates plus the last one, with the least time needed to get there; labels grow one
site at a time while the vehicle can still reach its end in time. Each site set keeps its best
order. A set is dropped when removing one of its optional sites gives a value at least as good:
in a packing such a route can always be replaced by the smaller one, so optimality is kept.

When the number of labels passes ``max_labels`` enumeration stops and
:class:`TooManyRoutes` is raised: the caller then uses another method.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caravan.solver.problem import Problem


class TooManyRoutes(Exception):
    pass


_CHUNK = 4096  # labels extended at a time


@dataclass(frozen=True)
class RouteSet:
    """Routes of one vehicle class: ``members[r]`` lists candidate positions in visit order."""

    vehicles: tuple[int, ...]  # the vehicles of this class, in index order
    orders: tuple[tuple[int, ...], ...]  # site indices in visit order
    values: np.ndarray  # scaled value of each route (int64)
    labels: int  # labels generated (a measure of the work)


def vehicle_classes(problem: Problem) -> list[tuple[int, ...]]:
    groups: dict[tuple[int, int, int, int], list[int]] = {}
    for k, v in enumerate(problem.vehicles):
        groups.setdefault((v.start, v.end, v.earliest, v.latest), []).append(k)
    return [tuple(ks) for ks in groups.values()]


def enumerate_routes(
    problem: Problem,
    vehicles: tuple[int, ...],
    prizes: np.ndarray,
    W: int,
    *,
    max_labels: int = 1_000_000,
    deadline: float | None = None,
) -> RouteSet:
    v = problem.vehicles[vehicles[0]]
    labels = grow_labels(
        problem, v.start, (v.end,), v.latest - v.earliest, max_labels=max_labels, deadline=deadline
    )
    orders, values, _ = labels.close(v.end, prizes, W, deadline=deadline)
    return RouteSet(vehicles=vehicles, orders=orders, values=values, labels=labels.total)


@dataclass(frozen=True)
class Labels:
    """Every elementary path from a start through candidates that can still reach one of
    the ends within ``budget``: per level (number of visits), the visited set, the last
    site, the least time to get there (service included) and the parent label."""

    problem: Problem
    start: int
    budget: int
    cand: np.ndarray
    levels: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]
    total: int

    def close(
        self,
        end: int,
        prizes: np.ndarray,
        W: int,
        *,
        q: int = 1,
        deadline: float | None = None,
        check_duration: bool = False,
        empty_value: int = 0,
    ) -> tuple[tuple[tuple[int, ...], ...], np.ndarray, np.ndarray]:
        """The useful routes from the start to ``end``: each visited set once, in its
        fastest order, unless removing one optional site gives a value at least as good
        (and, with ``check_duration``, a duration no longer); ``empty_value`` is the value
        of going without visits. Returns (orders, scaled values = prizes - W x (travel //
        q), durations)."""
        problem, cand, levels = self.problem, self.cand, self.levels
        d_ce = problem.durations[cand, end]
        svc = np.array(problem.service, dtype=np.int64)[cand]
        optional_mask = np.array([int(c) not in problem.required for c in cand], dtype=bool)
        p = prizes[cand]
        orders: list[tuple[int, ...]] = []
        values: list[int] = []
        durations: list[int] = []
        seen_before: dict[bytes, tuple[int, int]] = {
            b"": (empty_value, int(problem.durations[self.start, end]))
        }
        for k, (members, last, time_, _parent) in enumerate(levels, start=1):
            seen_now: dict[bytes, tuple[int, int]] = {}
            if len(last) == 0:
                break
            end_time = time_ + d_ce[last]
            order = np.argsort(end_time, kind="stable")
            order = order[end_time[order] <= self.budget]
            packed = np.packbits(members[order], axis=1)
            keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
            _, first = np.unique(keys, return_index=True)
            best = order[np.sort(first)]
            travel = end_time[best] - members[best].astype(np.int64) @ svc
            val = members[best].astype(np.int64) @ p - W * (travel // q)
            for b, label in enumerate(best):
                if b % _CHUNK == 0 and deadline is not None and time.monotonic() > deadline:
                    raise TooManyRoutes("time budget for enumeration used up")
                row = members[label]
                key = np.packbits(row).tobytes()
                value = int(val[b])
                duration = int(end_time[label])
                seen_now[key] = (value, duration)
                if self._dominated(
                    row, k, value, duration, seen_before, optional_mask, check_duration
                ):
                    continue
                orders.append(self.order_of(k, int(label)))
                values.append(value)
                durations.append(duration)
            seen_before = seen_now
        return (
            tuple(orders),
            np.array(values, dtype=np.int64),
            np.array(durations, dtype=np.int64),
        )

    @staticmethod
    def _dominated(row, k, value, duration, smaller, optional_mask, check_duration) -> bool:
        for i in np.nonzero(row & optional_mask)[0]:
            sub = row.copy()
            sub[i] = False
            found = smaller.get(np.packbits(sub).tobytes() if k > 1 else b"")
            if (
                found is not None
                and found[0] >= value
                and (not check_duration or found[1] <= duration)
            ):
                return True
        return False

    def order_of(self, level: int, label: int) -> tuple[int, ...]:
        """The visit order of a label, rebuilt from the parent pointers."""
        seq = []
        lvl, idx = level - 1, label
        while idx >= 0:
            seq.append(int(self.cand[self.levels[lvl][1][idx]]))
            idx = int(self.levels[lvl][3][idx])
            lvl -= 1
        return tuple(reversed(seq))


def grow_labels(
    problem: Problem,
    start: int,
    ends: Sequence[int],
    budget: int,
    *,
    max_labels: int = 1_000_000,
    deadline: float | None = None,
) -> Labels:
    """All labels from ``start`` that can still reach the nearest of ``ends`` in time (a
    label keeps the fastest way to its set and last site)."""
    cand = np.array(problem.candidates, dtype=np.int64)
    m = len(cand)
    d = problem.durations
    svc = np.array(problem.service, dtype=np.int64)[cand]
    d_cc = d[np.ix_(cand, cand)]
    d_ce = d[np.ix_(cand, np.asarray(ends, dtype=np.int64))].min(axis=1)
    tail = svc + d_ce  # time from arriving at j to reaching the nearest end

    # level 1
    t1 = d[start, cand] + svc
    ok = t1 + d_ce <= budget
    last = np.nonzero(ok)[0]
    time_ = t1[last]
    members = np.zeros((len(last), m), dtype=bool)
    members[np.arange(len(last)), last] = True
    levels = [(members, last, time_, np.full(len(last), -1, dtype=np.int64))]
    total = len(last)
    while len(levels[-1][1]):
        members, last, time_, _ = levels[-1]
        # extend the labels a chunk at a time, so that the deadline and the cap on labels
        # are checked often even when a level is large
        parts_li, parts_nj = [], []
        for lo in range(0, len(last), _CHUNK):
            if deadline is not None and time.monotonic() > deadline:
                raise TooManyRoutes("time budget for enumeration used up")
            hi = min(lo + _CHUNK, len(last))
            reach = time_[lo:hi, None] + d_cc[last[lo:hi]] + tail[None, :] <= budget
            reach &= ~members[lo:hi]
            li, nj = np.nonzero(reach)
            total += len(li)
            if total > max_labels:
                raise TooManyRoutes(f"more than {max_labels} labels")
            parts_li.append(li + lo)
            parts_nj.append(nj)
        li = np.concatenate(parts_li) if parts_li else np.zeros(0, dtype=np.int64)
        nj = np.concatenate(parts_nj) if parts_nj else np.zeros(0, dtype=np.int64)
        if len(li) == 0:
            break
        new_time = time_[li] + d_cc[last[li], nj] + svc[nj]
        new_members = members[li]
        new_members[np.arange(len(li)), nj] = True
        # keep the fastest label per (set, last)
        order = np.argsort(new_time, kind="stable")
        keys = np.concatenate(
            [
                np.packbits(new_members[order], axis=1),
                nj[order].astype(np.uint16).view(np.uint8).reshape(-1, 2),
            ],
            axis=1,
        )
        keys = np.ascontiguousarray(keys).view(np.dtype((np.void, keys.shape[1]))).ravel()
        _, first = np.unique(keys, return_index=True)
        keep = order[np.sort(first)]
        levels.append((new_members[keep], nj[keep], new_time[keep], li[keep]))
    return Labels(
        problem=problem, start=start, budget=budget, cand=cand, levels=tuple(levels), total=total
    )
