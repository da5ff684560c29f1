"""The general optimizer: a prize-collecting team orienteering problem and its engines.

Nothing here knows caravan: sites are indices, times are integers in any unit. Build a
problem with :func:`make_problem` (:mod:`caravan.solver.problem`), solve it with
:func:`solve` (:mod:`caravan.solver.solve`, which documents the engines)::

    problem = make_problem(durations=..., prizes=..., service=...,
                           vehicles=[Vehicle(start, end, earliest, latest)], travel_weight=...)
    solution = solve(problem, time_limit=10, seed=0)   # routes, dropped, objective, bound, gap

This ``__init__`` only re-exports.
"""

from caravan.solver.portfolio import EngineUnsuitable
from caravan.solver.problem import (
    InfeasibleRoute,
    Problem,
    Solution,
    Vehicle,
    VehicleRoute,
    Visit,
    evaluate,
    make_problem,
    timed_route,
)
from caravan.solver.solve import ENGINES, Progress, solve

__all__ = [
    "ENGINES",
    "EngineUnsuitable",
    "InfeasibleRoute",
    "Problem",
    "Progress",
    "Solution",
    "Vehicle",
    "VehicleRoute",
    "Visit",
    "evaluate",
    "make_problem",
    "solve",
    "timed_route",
]
