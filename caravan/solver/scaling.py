"""Integer objective for the engines, which all work in integers.

``scaled objective = sum(P_i) - W x travel`` with ``P_i = round(K x prize_i)`` and
``W = K x travel_weight``, an exact integer. ``K`` is the least common multiple of the
denominators of the weight and of the prizes when they are simple fractions (caravan's
prizes have 2 decimals and its weight is ``1 / (60 x minutes_per_point)`` per second, so its
scaled objective is exact); otherwise a multiple of the weight's denominator of at least
10,000 (prizes keep 4 decimals).

When ``travel_weight`` is 0 (pure prize collecting, as in the Team Orienteering Problem),
travel still breaks ties: prizes are multiplied by ``M`` = (sum of all vehicle windows) + 1
and travel costs 1, so the scaled optimum is the best total prize first and, among equals,
the least travel. The engines' searches are also much better guided that way.

Tours: the price of a night at each lodging is scaled like a prize (``K`` also covers its
denominator). When durations are so fine that ``M`` would pass ``MAX_TIE_UNITS`` (the
OPHS benchmark scales its Euclidean distances by 10^9), the tour engines count travel in
coarser units of ``q`` for the tie-break (``tie_travel``): the prize still comes first,
and the numbers stay exact in the MIP's floating point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from caravan.solver.problem import Problem

#: the tie-break of a tour problem counts at most this many travel units (see above)
MAX_TIE_UNITS = 10**6


@dataclass(frozen=True)
class Scaled:
    K: int  # prize resolution: scaled prize = round(K x prize) x M
    prizes: np.ndarray  # int64
    W: int
    M: int = 1  # > 1 when travel only breaks ties
    q: int = 1  # travel units per tie-break unit (tours with travel_weight 0)
    nights: dict[int, int] = field(default_factory=dict)  # lodging -> scaled price of a night

    def tie_travel(self, travel: int) -> int:
        """The scaled cost of ``travel`` duration units on one route."""
        return self.W * (int(travel) // self.q)

    def objective_bound(self, scaled_bound: float) -> float:
        """An upper bound on the real objective from a bound on the scaled one."""
        if self.M == 1:
            return scaled_bound / self.K
        # scaled = M x P - T with 0 <= T < M, so P <= floor((B + M - 1) / M)
        return math.floor((scaled_bound + self.M - 1) / self.M) / self.K

    def objective(self, scaled: float, travel: int = 0) -> float:
        return (scaled + (travel if self.M > 1 else 0)) / (self.K * self.M)


def _denominator(x: float, limit: int) -> int | None:
    f = Fraction(x).limit_denominator(limit)
    if abs(float(f) - x) > 1e-9 * max(1.0, abs(x)):
        return None
    return f.denominator


def scale(problem: Problem) -> Scaled:
    wfrac = Fraction(problem.travel_weight).limit_denominator(10**6)
    dens = [wfrac.denominator]
    for p in (*problem.prizes, *problem.lodgings.values()):
        den = _denominator(p, 10_000)
        if den is None:
            dens = []
            break
        dens.append(den)
    K = math.lcm(*dens) if dens else 0
    if not dens or K > 10**7:
        den = wfrac.denominator
        K = den * math.ceil(10_000 / den)
    W = int(wfrac * K)
    prizes = np.array([round(p * K) for p in problem.prizes], dtype=np.int64)
    if W == 0:
        window = sum(v.latest - v.earliest for v in problem.vehicles)
        q = max(1, -(-window // MAX_TIE_UNITS)) if problem.is_tour else 1
        M = window // q + 1
        nights = {i: round(c * K) * M for i, c in problem.lodgings.items()}
        return Scaled(K=K, prizes=prizes * M, W=1, M=M, q=q, nights=nights)
    nights = {i: round(c * K) for i, c in problem.lodgings.items()}
    return Scaled(K=K, prizes=prizes, W=W, nights=nights)
