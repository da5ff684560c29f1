"""How ``"auto"`` and ``"exact"`` combine an exact engine with a heuristic one, for vehicles
(:mod:`caravan.solver.solve`) and tours (:mod:`caravan.solver.tours`) alike.

The exact engine runs first (enumeration, then a MIP). Its answer is returned when the
engine was asked for, or when it is proven optimal; when its routes are too many, ``"exact"``
is an error and ``"auto"`` goes on with the heuristic alone. Otherwise the heuristic gets
the rest of the time and the better of the two answers is returned, with the exact one's
bound: every useful route was enumerated, so that bound holds for the whole problem.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from caravan.errors import ParameterError
from caravan.solver.enumeration import TooManyRoutes
from caravan.solver.problem import Solution


class EngineUnsuitable(ParameterError):
    """The chosen engine cannot handle this problem (for example too many routes)."""


def exact_then_heuristic(
    engine: str,
    exact: Callable[[bool], Solution],
    heuristic: Callable[[], Solution],
    *,
    start: float,
) -> Solution:
    """``exact(asked)`` (``asked``: the exact engine itself was asked for) may raise
    :class:`~caravan.solver.enumeration.TooManyRoutes`; ``heuristic()`` runs in the time left."""
    found = None
    if engine in ("auto", "exact"):
        try:
            found = exact(engine == "exact")
        except TooManyRoutes as exc:
            if engine == "exact":
                raise EngineUnsuitable(
                    f"too many routes to enumerate ({exc}); use engine 'auto' or 'pyvrp'",
                    param="engine",
                ) from None
        if found is not None and (engine == "exact" or found.status == "optimal"):
            return found
    other = heuristic()
    if found is None:
        return other
    if found.objective >= other.objective:
        return found
    bound = found.bound
    status = "optimal" if bound is not None and other.objective >= bound - 1e-9 else "feasible"
    return dataclasses.replace(
        other,
        bound=bound if other.bound is None else min(bound, other.bound),
        status=status,
        seconds=time.monotonic() - start,
    )
