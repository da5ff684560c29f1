"""CBC through OR-Tools' linear solver wrapper, run the way both packing programs need it.

One thread and a relative gap of 0, so the result is exact and the same on every run, within
a time limit. One trap is handled here, once: when its time limit interrupts it before it has
found a solution, CBC can report the program *infeasible* (a known CBC defect, reported
against OR-Tools as google/or-tools#2480). A program that was only cut short is not proven
infeasible, so such a claim is read as "not solved": the callers then fall back to another
engine instead of telling the planner that the required sites cannot be served.
"""

from __future__ import annotations

import time

#: the least time CBC is given, in seconds
LEAST_SECONDS = 0.05
#: a claim of infeasibility made after this share of the time limit is read as a time-out
TIMED_OUT_SHARE = 0.9


def solve(solver, seconds: float) -> int:
    """Solve ``solver`` (a ``pywraplp.Solver`` holding a CBC program) within ``seconds``
    (at least :data:`LEAST_SECONDS`) and return its status, with ``INFEASIBLE`` kept only
    when CBC stopped well before its time limit (module docstring)."""
    from ortools.linear_solver import pywraplp

    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.0)
    solver.SetNumThreads(1)
    limit = max(LEAST_SECONDS, seconds)
    solver.SetTimeLimit(int(limit * 1000))
    begun = time.monotonic()
    status = solver.Solve(params)
    return read_status(status, time.monotonic() - begun, limit)


def read_status(status: int, seconds: float, limit: float) -> int:
    """CBC's ``status`` after ``seconds`` of a ``limit``: ``NOT_SOLVED`` for a claim of
    infeasibility made at the time limit (module docstring), else ``status`` itself."""
    from ortools.linear_solver import pywraplp

    if status == pywraplp.Solver.INFEASIBLE and seconds >= TIMED_OUT_SHARE * limit:
        return pywraplp.Solver.NOT_SOLVED
    return status
