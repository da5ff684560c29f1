"""caravan: weekly route planner for mobile government service units in Thailand.

The main entry points (imported lazily, so ``import caravan`` stays fast)::

    plan_week(...)            -> WeekPlan           caravan.plan.week
    write_plan(plan, out)     itinerary.csv, plan.json, rejects.csv, map.html
    plan_map(plan)            -> folium.Map
    read_complaints(path)     -> ComplaintFile
    load_geography()          -> Geography
    TravelModel(mode=...), travel_matrix(sites, model)   drive times (caravan.travel.matrix)
    make_problem(...), solve(problem, ...)   the general optimizer API
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "plan_week": "caravan.plan.week",
    "write_plan": "caravan.outputs.write",
    "plan_map": "caravan.outputs.maps",
    "read_complaints": "caravan.complaints",
    "load_geography": "caravan.geo.geography",
    "TravelModel": "caravan.travel.matrix",
    "travel_matrix": "caravan.travel.matrix",
    "make_problem": "caravan.solver.problem",
    "Vehicle": "caravan.solver.problem",
    "solve": "caravan.solver",
    "WeekPlan": "caravan.types",
    "CaravanError": "caravan.errors",
    "InputError": "caravan.errors",
    "ParameterError": "caravan.errors",
    "NoPlanError": "caravan.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'caravan' has no attribute '{name}'")
