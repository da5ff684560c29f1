"""Integer objective for the engines, which all work in integers.

``scaled objective = sum(P_i) - W x travel`` with ``P_i = round(K x prize_i)`` and
``W = K x travel_weight`` an exact integer: ``K`` is a multiple of the denominator of
``travel_weight`` (as a fraction with a denominator up to 10^6) and at least 10,000, so prizes
keep at least 4 decimals. caravan's prizes have 2 decimals and its weight is
``1 / (60 x minutes_per_point)`` per second, so its scaled objective is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from caravan.problem import Problem


@dataclass(frozen=True)
class Scaled:
    K: int
    prizes: np.ndarray  # int64
    W: int

    def to_objective(self, scaled: float) -> float:
        return scaled / self.K


def scale(problem: Problem) -> Scaled:
    frac = Fraction(problem.travel_weight).limit_denominator(10**6)
    den = frac.denominator
    K = den * math.ceil(10_000 / den)
    W = int(frac * K)
    prizes = np.array([round(p * K) for p in problem.prizes], dtype=np.int64)
    return Scaled(K=K, prizes=prizes, W=W)
