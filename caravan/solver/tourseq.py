"""Night sequences screened: where a tour's days end decides most of what the tour can earn.

Where the days of a tour end (its *night sequence*: the lodging, or home, at the end of each
day) is a small choice with a large effect: the visits then only have to be packed into days
whose starts and ends are fixed, which the vehicle engines do well. So, for a problem with
one tour, every night sequence that an empty tour can drive (each leg within its day's
window, back home at the end, within the nights allowed) is *screened*: the descent of
:mod:`caravan.solver.tourls` from empty days with those nights fixed (insertions by gain
per extra time, 2-opt, relocation, swaps, the days re-split; no perturbation), compiled
(:mod:`caravan.solver.tourjit`), values it in well under a millisecond. The best
sequences are then searched in depth (``tours.py``).

The sequences are screened in a seeded random order (drawn at random when they are too
many to enumerate), and every sequence that improves on the best screened so far has its
neighbours (one day's end changed) screened next, after the same lodgings driven the
other way round (:meth:`caravan.solver.tourls.Search.mirrored_nights`): a descent in the
space of sequences, so that the time limit cuts the screening where it matters least.
This follows the hotel-sequence ranking of the memetic algorithm for the Orienteering
Problem with Hotel Selection (Divsalar, Vansteenwegen, Sörensen, Cattrysse 2014).
"""

from __future__ import annotations

import random
import time
from collections import deque

from caravan.solver import tourjit
from caravan.solver.problem import Problem, is_night_away
from caravan.solver.scaling import Scaled
from caravan.solver.tourls import Plan, Search

#: enumerate the sequences up to this many; beyond, draw them at random
MAX_ENUMERATED = 5_000


def night_sequences(ls: Search, ti: int, cap: int = MAX_ENUMERATED) -> list[tuple[int, ...]] | None:
    """Every night sequence (the end of each day) that tour ``ti`` can drive without visits
    (:meth:`Search.night_options` day after day), in order; None when there are more than
    ``cap``."""
    last = len(ls.tours[ti].days) - 1
    out: list[tuple[int, ...]] = []

    def grow(d: int, here: int, nights: int, seq: tuple[int, ...]) -> bool:
        for e in ls.night_options(ti, d, here, nights):
            if d == last:
                out.append((*seq, e))
                if len(out) > cap:
                    return False
            elif not grow(d + 1, e, nights + is_night_away(ls.p, ti, d, e), (*seq, e)):
                return False
        return True

    if not grow(0, ls.tours[ti].start, 0, ()):
        return None
    return out


def neighbours(ls: Search, ti: int, seq: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The sequences with one day's end changed that an empty tour can still drive."""
    out = []
    for d in range(len(seq) - 1):
        for e in ls.allowed[ti][d]:
            if e != seq[d] and ls.drivable(ti, (*seq[:d], e, *seq[d + 1 :])):
                out.append((*seq[:d], e, *seq[d + 1 :]))
    return out


def value_of(ka: tourjit.Arrays, seq: tuple[int, ...]) -> tuple[float, Plan]:
    """The descent from empty days ending at ``seq`` (nights fixed), compiled
    (:mod:`caravan.solver.tourjit`): its value and plan."""
    st = ka.state(([[] for _ in seq], list(seq)))
    ka.descend(st, True)
    if tourjit.resplit(ka.inst, st, ka.w, True):
        ka.descend(st, True)
    return ka.value(st), ka.plan(st)


def screen(
    problem: Problem,
    sc: Scaled,
    *,
    seed: int,
    deadline: float,
    first: tuple[int, ...] | None = None,
) -> list[tuple[float, Plan]]:
    """The night sequences of a one-tour problem screened until ``deadline`` (module
    docstring): (value, plan) of each sequence screened, best first. ``first`` (a night
    sequence, for example the best found so far) is screened first, its neighbours next."""
    ls = Search(problem, sc, seed)
    ka = tourjit.Arrays(ls)
    every = night_sequences(ls, 0)
    queue: deque[tuple[int, ...]] = deque()
    if first is not None:
        queue.append(tuple(first))
    if every is not None:
        ls.rng.shuffle(every)
        queue.extend(every)
    seen: set[tuple[int, ...]] = set()
    found: list[tuple[float, Plan]] = []
    best = -float("inf")
    misses = 0
    while time.monotonic() < deadline and misses < 200 and (queue or every is None):
        seq = queue.popleft() if queue else ls.random_nights(0)
        if seq is None or seq in seen:
            misses += 1
            continue
        seen.add(seq)
        value, plan = value_of(ka, seq)
        found.append((value, plan))
        if value > best + 1e-9:  # its neighbours next: a descent among the sequences
            best = value
            queue.extendleft(s for s in neighbours(ls, 0, seq) if s not in seen)
            # and first, the same lodgings the other way round: the descent does not turn
            # a tour around
            mirror = ls.mirrored_nights(0, seq)
            if mirror is not None and mirror not in seen:
                queue.appendleft(mirror)
    rng = random.Random(seed)
    rng.shuffle(found)  # ties in a seeded order, not by enumeration order
    found.sort(key=lambda x: -x[0])
    return found
