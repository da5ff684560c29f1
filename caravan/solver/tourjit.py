"""The tour search's inner loop, compiled (Numba): the iterated local search of
:mod:`caravan.solver.tourls` run at machine speed, tens of thousands of moves a second
instead of a few hundred.

Units and data are those of :class:`caravan.solver.tourls.Search`, flattened to arrays:

* ``inst``: durations ``D`` (n x n), service ``svc``, gain per site ``gain`` (scaled prize
  plus a large bonus for required sites), ``cand`` (the sites that may be visited), per day
  ``k`` of every tour (``problem.vehicles`` order): its window length ``win``, the sites it
  may end at ``endok`` (k x n), whether it is its tour's first day ``first`` and last day
  ``last``, the tour's start ``tstart`` and end ``home``, the tour ``tour``; per tour its
  night limit ``limit``; per site the scaled price of a night there ``price`` and every
  site from the nearest to the farthest ``near`` (n x n, by the time both ways).
* ``state``: per day its visits ``R`` (k x n, the first ``L[k]``), its end ``E``, its travel
  ``trav`` and duration (travel and service) ``dur``; per site the day visiting it or -1
  ``where``.

A day starts where the day before it ended (its tour's start on the first day); a night is
away when a day that is not its tour's last ends elsewhere than the tour's end. Objective:
``sum(gain of visits) - w x travel - prices of the nights away``. The moves are those of
:mod:`caravan.solver.tourls` (insert, swap in, drop, 2-opt, or-opt, relocate, exchange,
move a night, re-split by dynamic programming); :func:`ils` runs a number of
ruin-and-recreate rounds and keeps the best, the caller (Python) watches the clock between
calls. A round's descent starts from a local optimum changed in a few days, so it looks
only at what changed (:func:`descend_from`): 1.3 to 2.4 times as many rounds a second on
the OPHS benchmark's tours, the most on the longest (``benchmarks/tour_rounds.py``).

Compiled once per installation and cached beside the module (in Numba's cache directory
when the installation is read-only; at each run when neither is writable). The first tour
search after installing waits under a minute while it compiles; later runs load the
machine code in about a second.
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: a move must gain more than this (floating point noise)
EPS = 1e-9


def _jit(**options):
    """``numba.njit`` with its machine code cached on disk, or compiled at each run where
    no cache directory is writable (Numba refuses to cache there)."""

    def wrap(fn):
        try:
            return nb.njit(cache=True, **options)(fn)
        except RuntimeError:
            return nb.njit(**options)(fn)

    return wrap


@_jit(inline="always")
def _start(k, E, first, tstart):
    return tstart[k] if first[k] else E[k - 1]


@_jit()
def _recompute(k, inst, state):
    D, svc, first, tstart = inst[0], inst[1], inst[6], inst[8]
    R, L, E, trav, dur = state[0], state[1], state[2], state[3], state[4]
    prev = _start(k, E, first, tstart)
    t = 0
    s = 0
    for i in range(L[k]):
        v = R[k, i]
        t += D[prev, v]
        s += svc[v]
        prev = v
    t += D[prev, E[k]]
    trav[k] = t
    dur[k] = t + s


@_jit(inline="always")
def _aw(k, e, last, home):
    return (not last[k]) and e != home[k]


@_jit()
def _away(k, e, inst):
    return _aw(k, e, inst[7], inst[9])


@_jit()
def value(inst, state, w):
    """The objective of ``state``."""
    gain, price = inst[2], inst[12]
    R, L, E, trav = state[0], state[1], state[2], state[3]
    total = 0.0
    for k in range(L.shape[0]):
        for i in range(L[k]):
            total += gain[R[k, i]]
        total -= w * trav[k]
        if _away(k, E[k], inst):
            total -= price[E[k]]
    return total


@_jit()
def feasible(inst, state):
    """Every day within its window, every tour within its nights."""
    win, tour, limit = inst[4], inst[10], inst[11]
    E, dur = state[2], state[4]
    nights = np.zeros(limit.shape[0], dtype=np.int64)
    for k in range(E.shape[0]):
        if dur[k] > win[k]:
            return False
        if _away(k, E[k], inst):
            nights[tour[k]] += 1
    return not np.any(nights > limit)


@_jit()
def _nights(t, inst, state):
    tour = inst[10]
    E = state[2]
    n = 0
    for k in range(E.shape[0]):
        if tour[k] == t and _away(k, E[k], inst):
            n += 1
    return n


@_jit()
def copy_state(src, dst):
    dst[0][:, :] = src[0]
    dst[1][:] = src[1]
    dst[2][:] = src[2]
    dst[3][:] = src[3]
    dst[4][:] = src[4]
    dst[5][:] = src[5]


@_jit()
def refresh(inst, state):
    """Durations and ``where`` from ``R``, ``L`` and ``E``."""
    R, L, where = state[0], state[1], state[5]
    where[:] = -1
    for k in range(L.shape[0]):
        for i in range(L[k]):
            where[R[k, i]] = k
        _recompute(k, inst, state)


# ---------------------------------------------------------------------- edits


@_jit()
def _insert_at(k, pos, v, inst, state):
    R, L, where = state[0], state[1], state[5]
    for i in range(L[k], pos, -1):
        R[k, i] = R[k, i - 1]
    R[k, pos] = v
    L[k] += 1
    where[v] = k
    _recompute(k, inst, state)


@_jit()
def _remove_at(k, pos, inst, state):
    R, L, where = state[0], state[1], state[5]
    v = R[k, pos]
    for i in range(pos, L[k] - 1):
        R[k, i] = R[k, i + 1]
    L[k] -= 1
    where[v] = -1
    _recompute(k, inst, state)
    return v


@_jit(inline="always")
def _nd(k, i, R, L, E, first, tstart):
    """Stop ``i`` of day ``k`` counting its start as -1 and its end as ``L[k]``."""
    if i < 0:
        return tstart[k] if first[k] else E[k - 1]
    if i >= L[k]:
        return E[k]
    return R[k, i]


# ---------------------------------------------------------------------- moves


@_jit()
def insert(inst, state, w, noise, tabu, dirty, freed):
    """Insert unvisited sites while one fits with a positive gain, the best gain per extra
    time first (shaken by ``noise``; ``tabu`` sites left out). A site goes to a day marked
    ``dirty`` or, when ``freed``, to any day (:func:`descend_from`). Returns how many."""
    D, svc, gain, cand, win = inst[0], inst[1], inst[2], inst[3], inst[4]
    R, L, E, dur, where = state[0], state[1], state[2], state[4], state[5]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    n = D.shape[0]
    count = 0
    while True:
        best = -1.0
        bv = -1
        bk = -1
        bp = -1
        for v in range(n):
            if not cand[v] or where[v] >= 0 or tabu[v]:
                continue
            shake = 1.0 + noise * (2.0 * np.random.random() - 1.0) if noise > 0 else 1.0
            for k in range(K):
                slack = win[k] - dur[k] - svc[v]
                if slack < 0 or not (dirty[k] or freed[v]):
                    continue
                prev = _nd(k, -1, R, L, E, first, tstart)
                for p in range(L[k] + 1):
                    nxt = R[k, p] if p < L[k] else E[k]
                    extra = D[prev, v] + D[v, nxt] - D[prev, nxt]
                    if extra <= slack:
                        g = gain[v] - w * extra
                        if g > EPS:
                            score = g / (max(extra + svc[v], 0) + 1.0) * shake
                            if score > best:
                                best = score
                                bv = v
                                bk = k
                                bp = p
                    prev = nxt
        if bv < 0:
            return count
        _insert_at(bk, bp, bv, inst, state)
        dirty[bk] = True
        count += 1


@_jit()
def drop(inst, state, w, dirty, freed):
    """Remove visits that cost more travel than they bring (from the days marked
    ``dirty``)."""
    D, gain = inst[0], inst[2]
    R, L = state[0], state[1]
    first, tstart, E = inst[6], inst[8], state[2]
    improved = False
    for k in range(L.shape[0]):
        if not dirty[k]:
            continue
        i = 0
        while i < L[k]:
            a = _nd(k, i - 1, R, L, E, first, tstart)
            v = R[k, i]
            b = _nd(k, i + 1, R, L, E, first, tstart)
            saving = D[a, v] + D[v, b] - D[a, b]
            if w * saving > gain[v] + EPS:
                _remove_at(k, i, inst, state)
                freed[v] = True
                improved = True
            else:
                i += 1
    return improved


@_jit()
def two_opt(inst, state, w, dirty):
    """Reverse a stretch of a day marked ``dirty`` when that shortens it (first
    improvement, until none)."""
    D = inst[0]
    R, L = state[0], state[1]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    n = R.shape[1] + 2
    path = np.empty(n, dtype=np.int64)
    fwd = np.empty(n, dtype=np.int64)
    bwd = np.empty(n, dtype=np.int64)
    improved = False
    for k in range(K):
        m = L[k] + 2
        if L[k] < 2 or not dirty[k]:
            continue
        again = True
        while again:
            again = False
            for i in range(m):
                path[i] = _nd(k, i - 1, R, L, E, first, tstart)
            fwd[0] = 0
            bwd[0] = 0
            for i in range(1, m):
                fwd[i] = fwd[i - 1] + D[path[i - 1], path[i]]
                bwd[i] = bwd[i - 1] + D[path[i], path[i - 1]]
            for i in range(1, m - 2):
                for j in range(i + 1, m - 1):
                    old = D[path[i - 1], path[i]] + (fwd[j] - fwd[i]) + D[path[j], path[j + 1]]
                    new = D[path[i - 1], path[j]] + (bwd[j] - bwd[i]) + D[path[i], path[j + 1]]
                    if new < old:
                        for x in range(j - i + 1):
                            R[k, i - 1 + x] = path[j - x]
                        _recompute(k, inst, state)
                        again = True
                        improved = True
                        break
                if again:
                    break
    return improved


@_jit()
def relocate(inst, state, w, dirty):
    """Move a visit to the place (any day) where the tour drives least, when it drives less
    (best place per visit, visits in turn; a day marked ``dirty`` on one side at least)."""
    D, svc, win = inst[0], inst[1], inst[4]
    R, L, dur = state[0], state[1], state[4]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    improved = False
    for k in range(K):
        i = 0
        while i < L[k]:
            a = _nd(k, i - 1, R, L, E, first, tstart)
            v = R[k, i]
            b = _nd(k, i + 1, R, L, E, first, tstart)
            saving = D[a, v] + D[v, b] - D[a, b]
            best = 0
            bk = -1
            bp = -1
            for k2 in range(K):
                if k2 == k or not (dirty[k] or dirty[k2]):
                    continue
                slack = win[k2] - dur[k2] - svc[v]
                if slack < 0:
                    continue
                prev = _nd(k2, -1, R, L, E, first, tstart)
                for p in range(L[k2] + 1):
                    nxt = R[k2, p] if p < L[k2] else state[2][k2]
                    extra = D[prev, v] + D[v, nxt] - D[prev, nxt]
                    if extra <= slack and extra - saving < best:
                        best = extra - saving
                        bk = k2
                        bp = p
                    prev = nxt
            # the same day, another place (p: before stop p of the day as it is)
            for p in range(L[k] + 1):
                if p == i or p == i + 1 or not dirty[k]:
                    continue
                x = _nd(k, p - 1, R, L, E, first, tstart)
                y = _nd(k, p, R, L, E, first, tstart)
                extra = D[x, v] + D[v, y] - D[x, y]
                if extra - saving < best:
                    best = extra - saving
                    bk = k
                    bp = p
            if bk >= 0 and best < 0:
                _remove_at(k, i, inst, state)
                if bk == k and bp > i:
                    bp -= 1
                _insert_at(bk, bp, v, inst, state)
                dirty[k] = dirty[bk] = True
                improved = True
                if bk != k:
                    continue  # the next visit has moved into place i
            i += 1
    return improved


@_jit()
def _or_opt_once(inst, state, w, dirty):
    """The first stretch move of :func:`or_opt` that drives less, applied (False: none)."""
    D, svc, win = inst[0], inst[1], inst[4]
    R, L, dur = state[0], state[1], state[4]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    seg = np.empty(3, dtype=np.int64)
    for k in range(K):
        for size in range(2, 4):
            for i in range(L[k] - size + 1):
                a = _nd(k, i - 1, R, L, E, first, tstart)
                f = R[k, i]
                last = R[k, i + size - 1]
                b = _nd(k, i + size, R, L, E, first, tstart)
                inner = 0
                inner_rev = 0
                ss = 0
                for x in range(size):
                    ss += svc[R[k, i + x]]
                    if x > 0:
                        inner += D[R[k, i + x - 1], R[k, i + x]]
                        inner_rev += D[R[k, i + x], R[k, i + x - 1]]
                saving = D[a, f] + D[last, b] - D[a, b]
                best = 0
                bk = -1
                bp = -1
                brev = False
                for k2 in range(K):
                    if not (dirty[k] or dirty[k2]):
                        continue
                    room = win[k2] - dur[k2] - ss - inner if k2 != k else 1 << 62
                    if room < 0 and k2 != k:
                        continue
                    for p in range(L[k2] + 1):
                        if k2 == k and i <= p <= i + size:
                            continue
                        x = _nd(k2, p - 1, R, L, E, first, tstart)
                        y = _nd(k2, p, R, L, E, first, tstart)
                        fw = D[x, f] + D[last, y] - D[x, y]
                        rv = D[x, last] + D[f, y] - D[x, y] + inner_rev - inner
                        if k2 != k and fw > room:
                            fw = 1 << 62
                        if k2 != k and rv > room:
                            rv = 1 << 62
                        if fw - saving < best:
                            best, bk, bp, brev = fw - saving, k2, p, False
                        if rv - saving < best:
                            best, bk, bp, brev = rv - saving, k2, p, True
                if bk >= 0:
                    for x in range(size):
                        seg[x] = R[k, i + x]
                    for _ in range(size):
                        _remove_at(k, i, inst, state)
                    at = bp - size if (bk == k and bp > i) else bp
                    for x in range(size):
                        _insert_at(bk, at + x, seg[size - 1 - x] if brev else seg[x], inst, state)
                    dirty[k] = dirty[bk] = True
                    return True
    return False


@_jit()
def or_opt(inst, state, w, dirty):
    """Move a stretch of two or three visits, either way round, to the place (any day)
    where the tour drives least, when it drives less (first improvement, until none; a day
    marked ``dirty`` on one side at least)."""
    improved = False
    while _or_opt_once(inst, state, w, dirty):
        improved = True
    return improved


@_jit()
def _exchange_once(inst, state, w, dirty):
    """The first swap of :func:`exchange` that drives less, applied (False: none)."""
    D, svc, win = inst[0], inst[1], inst[4]
    R, L, dur = state[0], state[1], state[4]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    for k in range(K):
        for i in range(L[k]):
            a = _nd(k, i - 1, R, L, E, first, tstart)
            u = R[k, i]
            b = _nd(k, i + 1, R, L, E, first, tstart)
            for k2 in range(k + 1, K):
                if not (dirty[k] or dirty[k2]):
                    continue
                for j in range(L[k2]):
                    c = _nd(k2, j - 1, R, L, E, first, tstart)
                    v = R[k2, j]
                    d = _nd(k2, j + 1, R, L, E, first, tstart)
                    t1 = D[a, v] + D[v, b] - D[a, u] - D[u, b]
                    t2 = D[c, u] + D[u, d] - D[c, v] - D[v, d]
                    if t1 + t2 >= 0:
                        continue
                    if dur[k] + t1 + svc[v] - svc[u] > win[k]:
                        continue
                    if dur[k2] + t2 + svc[u] - svc[v] > win[k2]:
                        continue
                    R[k, i] = v
                    R[k2, j] = u
                    state[5][v] = k
                    state[5][u] = k2
                    _recompute(k, inst, state)
                    _recompute(k2, inst, state)
                    dirty[k] = dirty[k2] = True
                    return True
    return False


@_jit()
def exchange(inst, state, w, dirty):
    """Swap two visits of different days when the tour then drives less (first
    improvement, until none; a day marked ``dirty`` on one side at least)."""
    improved = False
    while _exchange_once(inst, state, w, dirty):
        improved = True
    return improved


@_jit()
def swap_in(inst, state, w, dirty, freed):
    """Put an unvisited site in place of a visited one, or elsewhere in its day once it is
    out, when that gains (best site per visit, visits in turn). The places elsewhere are the
    site's two cheapest in the day as it is (a table per day), so a visit costs one look per
    unvisited site. In a day not marked ``dirty``, only the sites marked ``freed``."""
    D, svc, gain, cand, win = inst[0], inst[1], inst[2], inst[3], inst[4]
    R, L, dur, where = state[0], state[1], state[4], state[5]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    n = D.shape[0]
    improved = False
    e1 = np.empty(n, dtype=np.int64)  # per unvisited site: cheapest extra travel, its gap
    g1 = np.empty(n, dtype=np.int64)
    e2 = np.empty(n, dtype=np.int64)  # the second cheapest in another gap
    g2 = np.empty(n, dtype=np.int64)
    for k in range(K):
        stale = True
        i = 0
        while i < L[k]:
            if stale:  # the table of day k
                for v in range(n):
                    e1[v] = e2[v] = 1 << 62
                    g1[v] = g2[v] = -1
                    if not cand[v] or where[v] >= 0 or not (dirty[k] or freed[v]):
                        continue
                    prev = _nd(k, -1, R, L, E, first, tstart)
                    for p in range(L[k] + 1):
                        nxt = _nd(k, p, R, L, E, first, tstart)
                        extra = D[prev, v] + D[v, nxt] - D[prev, nxt]
                        if extra < e1[v]:
                            e2[v], g2[v] = e1[v], g1[v]
                            e1[v], g1[v] = extra, p
                        elif extra < e2[v]:
                            e2[v], g2[v] = extra, p
                        prev = nxt
                stale = False
            a = _nd(k, i - 1, R, L, E, first, tstart)
            j = R[k, i]
            b = _nd(k, i + 1, R, L, E, first, tstart)
            out_travel = D[a, j] + D[j, b] - D[a, b]
            base = dur[k] - out_travel - svc[j]  # the day without j
            best = EPS
            bv = -1
            bp = -1
            for v in range(n):
                if g1[v] < 0:
                    continue
                room = win[k] - base - svc[v]
                if room < 0:
                    continue
                # in j's place
                extra = D[a, v] + D[v, b] - D[a, b]
                at = i
                # elsewhere: a gap that is not next to j (gap i is before j, i + 1 after)
                if g1[v] != i and g1[v] != i + 1 and e1[v] < extra:
                    extra, at = e1[v], g1[v] if g1[v] < i else g1[v] - 1
                elif g2[v] >= 0 and g2[v] != i and g2[v] != i + 1 and e2[v] < extra:
                    extra, at = e2[v], g2[v] if g2[v] < i else g2[v] - 1
                g = gain[v] - gain[j] - w * (extra - out_travel)
                if extra <= room and g > best:
                    best = g
                    bv = v
                    bp = at
            if bv >= 0:
                _remove_at(k, i, inst, state)
                _insert_at(k, bp, bv, inst, state)
                dirty[k] = True
                freed[j] = True
                improved = True
                stale = True
            i += 1
    return improved


@_jit()
def move_night(inst, state, w):
    """End a day at another site (a lodging, or home) when that gains."""
    D, win, endok, last, tour, limit, price = (
        inst[0],
        inst[4],
        inst[5],
        inst[7],
        inst[10],
        inst[11],
        inst[12],
    )
    R, L, E, dur = state[0], state[1], state[2], state[4]
    first, tstart, E = inst[6], inst[8], state[2]
    K = L.shape[0]
    n = D.shape[0]
    improved = False
    for k in range(K):
        if last[k]:
            continue
        e = E[k]
        lk = _nd(k, L[k] - 1, R, L, E, first, tstart)
        f = R[k + 1, 0] if L[k + 1] > 0 else E[k + 1]
        used = _nights(tour[k], inst, state) - (1 if _away(k, e, inst) else 0)
        old_cost = w * (D[lk, e] + D[e, f]) + (price[e] if _away(k, e, inst) else 0.0)
        best = EPS
        bh = -1
        for h in range(n):
            if not endok[k, h] or h == e:
                continue
            away = _away(k, h, inst)
            if away and used + 1 > limit[tour[k]]:
                continue
            d1 = dur[k] - D[lk, e] + D[lk, h]
            d2 = dur[k + 1] - D[e, f] + D[h, f]
            if d1 > win[k] or d2 > win[k + 1]:
                continue
            g = old_cost - w * (D[lk, h] + D[h, f]) - (price[h] if away else 0.0)
            if g > best:
                best = g
                bh = h
        if bh >= 0:
            E[k] = bh
            _recompute(k, inst, state)
            _recompute(k + 1, inst, state)
            improved = True
    return improved


@_jit()
def resplit(inst, state, w, fixed):
    """For each tour, keep its visits in order and choose again where each day ends (the
    cut points, and the lodgings unless ``fixed``) for the least travel and nights' price
    (dynamic programming). Returns whether a tour changed."""
    D, svc, win, endok, last, tstart, home, tour, limit, price = (
        inst[0],
        inst[1],
        inst[4],
        inst[5],
        inst[7],
        inst[8],
        inst[9],
        inst[10],
        inst[11],
        inst[12],
    )
    R, L, E, trav = state[0], state[1], state[2], state[3]
    K = L.shape[0]
    n = D.shape[0]
    changed = False
    k0 = 0
    while k0 < K:
        k1 = k0
        while not last[k1]:
            k1 += 1
        nd = k1 - k0 + 1
        # the tour's visits in order
        P = 0
        for k in range(k0, k1 + 1):
            P += L[k]
        V = np.empty(P, dtype=np.int64)
        x = 0
        for k in range(k0, k1 + 1):
            for i in range(L[k]):
                V[x] = R[k, i]
                x += 1
        cum = np.zeros(P + 1, dtype=np.int64)  # travel V[0] .. V[p] along the order
        sv = np.zeros(P + 1, dtype=np.int64)
        for p in range(P):
            cum[p + 1] = cum[p] + (D[V[p - 1], V[p]] if p > 0 else 0)
            sv[p + 1] = sv[p] + svc[V[p]]
        # the sites days may end at
        sites = np.empty(n, dtype=np.int64)
        H = 0
        for h in range(n):
            ok = h == tstart[k0]
            for k in range(k0, k1 + 1):
                ok = ok or (h == E[k] if fixed else endok[k, h])
            if ok:
                sites[H] = h
                H += 1
        # the nights count only when the limit binds (nd - 1 nights at most)
        count = limit[tour[k0]] < nd - 1
        M = limit[tour[k0]] + 1 if count else 1
        INF = 1e300
        f = np.full((nd + 1, P + 1, H, M), INF)
        back_q = np.full((nd + 1, P + 1, H, M), -1, dtype=np.int64)
        back_h = np.full((nd + 1, P + 1, H, M), -1, dtype=np.int64)
        s0 = -1
        for a in range(H):
            if sites[a] == tstart[k0]:
                s0 = a
        f[0, 0, s0, 0] = 0.0
        for d in range(nd):
            k = k0 + d
            for p in range(P + 1):
                for a in range(H):
                    for m in range(M):
                        fa = f[d, p, a, m]
                        if fa >= INF:
                            continue
                        ha = sites[a]
                        for b in range(H):
                            hb = sites[b]
                            if fixed:
                                if hb != E[k]:
                                    continue
                            elif not endok[k, hb]:
                                continue
                            away = (not last[k]) and hb != home[k]
                            m2 = m + (1 if away and count else 0)
                            if m2 >= M:
                                continue
                            cost_n = price[hb] if away else 0.0
                            for q in range(p, P + 1):
                                if q == p:
                                    t = D[ha, hb]
                                    s = 0
                                else:
                                    t = D[ha, V[p]] + (cum[q] - cum[p + 1]) + D[V[q - 1], hb]
                                    s = sv[q] - sv[p]
                                if q > p and D[ha, V[p]] + (cum[q] - cum[p + 1]) + s > win[k]:
                                    break
                                if t + s > win[k]:
                                    continue
                                c = fa + w * t + cost_n
                                if c < f[d + 1, q, b, m2]:
                                    f[d + 1, q, b, m2] = c
                                    back_q[d + 1, q, b, m2] = p * H + a
                                    back_h[d + 1, q, b, m2] = m
        # the end: every visit placed, at the tour's end
        best = INF
        bb = -1
        bm = -1
        for b in range(H):
            if sites[b] != home[k1]:
                continue
            for m in range(M):
                if f[nd, P, b, m] < best:
                    best = f[nd, P, b, m]
                    bb = b
                    bm = m
        if bb >= 0:
            old = 0.0
            for k in range(k0, k1 + 1):
                old += w * trav[k]
                if _away(k, E[k], inst):
                    old += price[E[k]]
            if best < old - max(EPS, abs(old) * 1e-12):
                # rebuild from the back pointers
                q = P
                b = bb
                m = bm
                for d in range(nd, 0, -1):
                    k = k0 + d - 1
                    code = back_q[d, q, b, m]
                    pm = back_h[d, q, b, m]
                    p = code // H
                    a = code % H
                    E[k] = sites[b]
                    L[k] = q - p
                    for i in range(q - p):
                        R[k, i] = V[p + i]
                        state[5][V[p + i]] = k
                    q, b, m = p, a, pm
                for k in range(k0, k1 + 1):
                    _recompute(k, inst, state)
                changed = True
        k0 = k1 + 1
    return changed


@_jit()
def _marks(inst, state, ref, dirty, freed):
    """Mark the days of ``state`` that differ from those of ``ref`` (visits, end or start)
    ``dirty``, and the sites ``ref`` visits and ``state`` does not ``freed``."""
    first = inst[6]
    R, L, E, where = state[0], state[1], state[2], state[5]
    R0, L0, E0, where0 = ref[0], ref[1], ref[2], ref[5]
    for k in range(L.shape[0]):
        d = L[k] != L0[k] or E[k] != E0[k] or (not first[k] and E[k - 1] != E0[k - 1])
        i = 0
        while not d and i < L[k]:
            d = R[k, i] != R0[k, i]
            i += 1
        dirty[k] = d
    for v in range(where.shape[0]):
        freed[v] = where0[v] >= 0 and where[v] < 0


@_jit(inline="always")
def _look(inst, state, ref, full, dirty, freed):
    """Before a move: the marks of :func:`_marks`, unless the descent is ``full`` (then
    every day and site stays marked)."""
    if not full:
        _marks(inst, state, ref, dirty, freed)


@_jit()
def descend_from(inst, state, ref, w, fixed, full, dirty, freed, none):
    """Apply the moves until none improves. Unless ``full``, ``ref`` is a local optimum
    (no move improves it) that ``state`` was made from: a move between days that are still
    as in ``ref`` cannot improve, nor can putting in a day as in ``ref`` a site that
    ``ref`` left out, so the moves look only at days that differ (one of them at least)
    and at the sites ``ref`` visits and ``state`` does not (:func:`_marks`, before each
    move; the moves also mark what they change). ``dirty`` (per day) and ``freed`` (per site)
    are work arrays, ``none`` all False (per site)."""
    improved = True
    rounds = 0
    if full:
        dirty[:] = True
        freed[:] = True
    while improved and rounds < 1000:
        rounds += 1
        _look(inst, state, ref, full, dirty, freed)
        improved = two_opt(inst, state, w, dirty)
        _look(inst, state, ref, full, dirty, freed)
        if relocate(inst, state, w, dirty):
            improved = True
            continue
        _look(inst, state, ref, full, dirty, freed)
        if or_opt(inst, state, w, dirty):
            improved = True
            continue
        _look(inst, state, ref, full, dirty, freed)
        if exchange(inst, state, w, dirty):
            improved = True
            continue
        _look(inst, state, ref, full, dirty, freed)
        while drop(inst, state, w, dirty, freed):
            improved = True
        _look(inst, state, ref, full, dirty, freed)
        if insert(inst, state, w, 0.0, none, dirty, freed) > 0:
            improved = True
        _look(inst, state, ref, full, dirty, freed)
        if swap_in(inst, state, w, dirty, freed):
            improved = True
        if not fixed and move_night(inst, state, w):
            improved = True


@_jit()
def descend(inst, state, w, fixed, tabu_none):
    """Apply the moves until none improves (every day and site looked at)."""
    K = state[1].shape[0]
    n = state[5].shape[0]
    descend_from(
        inst,
        state,
        state,
        w,
        fixed,
        True,
        np.ones(K, dtype=np.bool_),
        np.ones(n, dtype=np.bool_),
        tabu_none,
    )


@_jit()
def perturb(inst, state, w, strength, fixed, tabu, night_share, near_share, every_day, every_site):
    """Ruin and recreate: in a share ``near_share`` of the rounds, the visits nearest to a
    visited site, whatever their day; else a stretch of a day, random visits or a whole day
    removed. A night moved in a share ``night_share`` of the rounds (then visits dropped
    until every day fits again). ``every_day`` and ``every_site``: all True (the insertion's
    marks, :func:`insert`)."""
    svc, win, endok, last, tour, limit = inst[1], inst[4], inst[5], inst[7], inst[10], inst[11]
    near = inst[13]
    R, L, E, dur, where = state[0], state[1], state[2], state[4], state[5]
    K = L.shape[0]
    n = svc.shape[0]
    tabu[:] = False
    total = 0
    for k in range(K):
        total += L[k]
    mode = np.random.random()
    rest = 1.0 - near_share  # the other ruins share the other rounds as before
    if total > 0:
        # a day with visits
        pick = np.random.randint(total)
        k = 0
        while pick >= L[k]:
            pick -= L[k]
            k += 1
        if mode < near_share:
            # the visits nearest to one of them (itself first), on any day
            count = 1 + np.random.randint(max(1, strength))
            v = R[k, pick]
            for j in range(n):
                u = near[v, j]
                ku = where[u]
                if ku < 0:
                    continue
                for pos in range(L[ku]):
                    if R[ku, pos] == u:
                        tabu[_remove_at(ku, pos, inst, state)] = True
                        break
                count -= 1
                if count == 0:
                    break
        elif mode < near_share + 0.45 * rest:
            size = min(L[k], 1 + np.random.randint(max(1, strength)))
            at = np.random.randint(L[k] - size + 1)
            for _ in range(size):
                tabu[_remove_at(k, at, inst, state)] = True
        elif mode < near_share + 0.9 * rest:
            count = 1 + np.random.randint(max(1, strength))
            for _ in range(count):
                if total == 0:
                    break
                pick = np.random.randint(total)
                k2 = 0
                while pick >= L[k2]:
                    pick -= L[k2]
                    k2 += 1
                tabu[_remove_at(k2, pick, inst, state)] = True
                total -= 1
        else:
            while L[k] > 0:
                tabu[_remove_at(k, L[k] - 1, inst, state)] = True
    if not fixed and np.random.random() < night_share:
        k = np.random.randint(K)
        options = 0
        for h in range(n):
            if endok[k, h]:
                options += 1
        if options > 1 and not last[k]:
            c = np.random.randint(options)
            h = 0
            for x in range(n):
                if endok[k, x]:
                    if c == 0:
                        h = x
                        break
                    c -= 1
            old = E[k]
            E[k] = h
            if _nights(tour[k], inst, state) > limit[tour[k]]:
                E[k] = old
            _recompute(k, inst, state)
            _recompute(k + 1, inst, state)
            for kk in (k, k + 1):
                while dur[kk] > win[kk] and L[kk] > 0:
                    tabu[_remove_at(kk, np.random.randint(L[kk]), inst, state)] = True
                if dur[kk] > win[kk]:  # an empty day that cannot drive there: undo
                    E[k] = old
                    _recompute(k, inst, state)
                    _recompute(k + 1, inst, state)
    insert(inst, state, w, 0.3, tabu, every_day, every_site)


@_jit()
def ils(
    inst,
    cur,
    best,
    trial,
    w,
    fixed,
    rounds,
    seed,
    strength,
    accept,
    stall_limit,
    stall,
    pool_R,
    pool_L,
    pool_E,
    pool_V,
    pool_keep,
    tuning,
):
    """``rounds`` rounds of ruin, recreate and descent from ``cur`` (a local optimum:
    :func:`descend` has run on it); ``best`` is updated.
    A trial within ``accept`` (a share of the best's value) becomes the current solution;
    after ``stall_limit`` rounds without progress the search returns to the best. Trials
    within ``pool_keep`` of the best are copied to the pool (as many as it holds).
    ``tuning``: the share of rounds that move a night; the re-split runs on trials within
    ``tuning[1]`` (a share of the best's value) of the best, and on a share ``tuning[2]`` of
    the others; the share ``tuning[3]`` of rounds that ruin a neighbourhood
    (:func:`perturb`). Returns (rounds without progress, pool entries written, whether a restart is
    due)."""
    np.random.seed(seed)
    n = inst[0].shape[0]
    K = cur[1].shape[0]
    tabu = np.zeros(n, dtype=np.bool_)
    none = np.zeros(n, dtype=np.bool_)
    every_day = np.ones(K, dtype=np.bool_)
    every_site = np.ones(n, dtype=np.bool_)
    dirty = np.zeros(K, dtype=np.bool_)
    freed = np.zeros(n, dtype=np.bool_)
    best_value = value(inst, best, w)
    written = 0
    restart = False
    for _ in range(rounds):
        copy_state(cur, trial)
        perturb(inst, trial, w, strength, fixed, tabu, tuning[0], tuning[3], every_day, every_site)
        # ``cur`` is a local optimum: the descent looks at what the perturbation changed
        descend_from(inst, trial, cur, w, fixed, False, dirty, freed, none)
        v = value(inst, trial, w)
        # the re-split costs more than a descent: on trials as good as the best, and now
        # and then
        near = v >= best_value - abs(best_value) * tuning[1]
        promising = near or np.random.random() < tuning[2]
        if promising and resplit(inst, trial, w, fixed):
            descend(inst, trial, w, fixed, none)
            v = value(inst, trial, w)
        if not feasible(inst, trial):
            stall += 1
            continue
        if v > best_value + EPS:
            copy_state(trial, best)
            best_value = v
            stall = 0
        else:
            stall += 1
        if v >= best_value - abs(best_value) * pool_keep and written < pool_L.shape[0]:
            pool_R[written] = trial[0]
            pool_L[written] = trial[1]
            pool_E[written] = trial[2]
            pool_V[written] = v
            written += 1
        if v >= best_value - abs(best_value) * accept:
            copy_state(trial, cur)
        if stall > 0 and stall % stall_limit == 0:
            copy_state(best, cur)
            if stall % (2 * stall_limit) == 0:
                restart = True
                break
    return stall, written, restart


# ---------------------------------------------------------------------- from Python


class Arrays:
    """The arrays of one search (:class:`caravan.solver.tourls.Search`), and conversions
    between its plans and kernel states."""

    def __init__(self, ls) -> None:
        p = ls.p
        n, K = p.n, len(p.vehicles)
        self.n, self.K = n, K
        endok = np.zeros((K, n), dtype=np.bool_)
        first = np.zeros(K, dtype=np.bool_)
        last = np.zeros(K, dtype=np.bool_)
        tstart = np.zeros(K, dtype=np.int64)
        home = np.zeros(K, dtype=np.int64)
        tour = np.zeros(K, dtype=np.int64)
        win = np.zeros(K, dtype=np.int64)
        k = 0
        for ti, t in enumerate(p.tours):
            for d in range(len(t.days)):
                endok[k, list(ls.allowed[ti][d])] = True
                first[k] = d == 0
                last[k] = d == len(t.days) - 1
                tstart[k], home[k], tour[k] = t.start, t.end, ti
                win[k] = ls.windows[ti][d]
                k += 1
        cand = np.zeros(n, dtype=np.bool_)
        cand[ls.cands] = True
        price = np.zeros(n)
        for i, c in ls.price.items():
            price[i] = c
        self.inst = (
            np.ascontiguousarray(ls.d, dtype=np.int64),
            np.ascontiguousarray(ls.svc, dtype=np.int64),
            np.ascontiguousarray(ls.gain, dtype=np.float64),
            cand,
            win,
            endok,
            first,
            last,
            tstart,
            home,
            tour,
            np.array(ls.limits, dtype=np.int64),
            price,
            # per site, every site from the nearest (itself) to the farthest, both ways
            np.ascontiguousarray(np.argsort(ls.d + ls.d.T, axis=1, kind="stable")),
        )
        self.w = float(ls.w)

    def state(self, plan=None):
        """A kernel state for ``plan`` (visits and ends per day), or empty days ending at
        the tours' ends."""
        R = np.zeros((self.K, self.n), dtype=np.int64)
        L = np.zeros(self.K, dtype=np.int64)
        E = self.inst[9].copy()
        if plan is not None:
            days, ends = plan
            for k, (visits, e) in enumerate(zip(days, ends, strict=True)):
                R[k, : len(visits)] = visits
                L[k] = len(visits)
                E[k] = e
        st = (
            R,
            L,
            E,
            np.zeros(self.K, np.int64),
            np.zeros(self.K, np.int64),
            np.zeros(self.n, np.int64),
        )
        refresh(self.inst, st)
        return st

    def empty(self):
        return self.state()

    def pool(self, size: int):
        """Room for ``size`` plans that :func:`ils` hands back: visits, their counts and
        ends per day, and each plan's value (``pool_R``, ``pool_L``, ``pool_E``,
        ``pool_V``)."""
        return (
            np.zeros((size, self.K, self.n), dtype=np.int64),
            np.zeros((size, self.K), dtype=np.int64),
            np.zeros((size, self.K), dtype=np.int64),
            np.zeros(size),
        )

    @staticmethod
    def plan(st):
        R, L, E = st[0], st[1], st[2]
        return [[int(x) for x in R[k, : L[k]]] for k in range(len(L))], [int(e) for e in E]

    def value(self, st) -> float:
        return value(self.inst, st, self.w)

    def feasible(self, st) -> bool:
        return feasible(self.inst, st)

    def descend(self, st, fixed: bool) -> None:
        descend(self.inst, st, self.w, fixed, np.zeros(self.n, dtype=np.bool_))
