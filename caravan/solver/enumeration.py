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
    import time

    v = problem.vehicles[vehicles[0]]
    cand = np.array(problem.candidates, dtype=np.int64)
    m = len(cand)
    d = problem.durations
    svc = np.array(problem.service, dtype=np.int64)[cand]
    budget = v.latest - v.earliest
    d_cc = d[np.ix_(cand, cand)]
    d_ce = d[cand, v.end]
    tail = svc + d_ce  # time from arriving at j to reaching the end
    required_pos = np.array(
        [i for i, c in enumerate(cand) if int(c) in problem.required], dtype=np.int64
    )
    optional_mask = np.ones(m, dtype=bool)
    optional_mask[required_pos] = False
    p = prizes[cand]

    # level 1
    t1 = d[v.start, cand] + svc
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

    orders: list[tuple[int, ...]] = []
    values: list[int] = []
    value_of_set: dict[bytes, int] = {b"": 0}
    for k, (members, last, time_, _parent) in enumerate(levels, start=1):
        if len(last) == 0:
            continue
        end_time = time_ + d_ce[last]
        order = np.argsort(end_time, kind="stable")
        packed = np.packbits(members[order], axis=1)
        keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first = np.unique(keys, return_index=True)
        best = order[np.sort(first)]
        travel = end_time[best] - members[best].astype(np.int64) @ svc
        val = members[best].astype(np.int64) @ p - W * travel
        prev_values = value_of_set
        value_of_set = {}
        for b, label in enumerate(best):
            if b % _CHUNK == 0 and deadline is not None and time.monotonic() > deadline:
                raise TooManyRoutes("time budget for enumeration used up")
            row = members[label]
            key = np.packbits(row).tobytes()
            value = int(val[b])
            value_of_set[key] = value
            dominated = False
            for i in np.nonzero(row & optional_mask)[0]:
                sub = row.copy()
                sub[i] = False
                sub_key = np.packbits(sub).tobytes() if k > 1 else b""
                sub_value = prev_values.get(sub_key)
                if sub_value is not None and sub_value >= value:
                    dominated = True
                    break
            if dominated:
                continue
            # rebuild the visit order from the parent pointers
            seq = []
            lvl, idx = k - 1, int(label)
            while idx >= 0:
                seq.append(int(cand[levels[lvl][1][idx]]))
                idx = int(levels[lvl][3][idx])
                lvl -= 1
            orders.append(tuple(reversed(seq)))
            values.append(value)
    return RouteSet(
        vehicles=vehicles,
        orders=tuple(orders),
        values=np.array(values, dtype=np.int64),
        labels=total,
    )
