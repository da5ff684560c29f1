"""The roads a plan's legs drive along, for its maps: :func:`with_leg_lines`.

Every leg of every route (from one stop to the next) gets the line its travel model drove
(:func:`caravan.travel.paths.leg_lines`): the maps and the GeoJSON export draw it, and
``plan.json`` stores it (``legs``), so that a plan's exports and re-plans draw the same
roads without the road graph or the OSRM server. A leg without a line is drawn straight:
with ``--travel straight``, in plan files written before caravan drew roads, and where the
line could not be had (the plan's notes say so).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping

from caravan.travel.matrix import TravelModel
from caravan.travel.paths import Line, leg_lines
from caravan.types import Route, WeekPlan


def route_legs(routes: Iterable[Route]) -> set[tuple[str, str]]:
    """Every leg ``(from code, to code)`` the routes drive, between two different sites."""
    return {
        (a.code, b.code) for r in routes for a, b in itertools.pairwise(r.stops) if a.code != b.code
    }


def with_leg_lines(plan: WeekPlan, known: Mapping[tuple[str, str], Line] | None = None) -> WeekPlan:
    """``plan`` with the line of each of its legs: from ``known`` (an earlier plan's) where
    it is there, else from the plan's travel model; a note for the legs that got none."""
    known = known or {}
    legs = route_legs(plan.routes)
    have = {leg: known[leg] for leg in legs if leg in known}
    model = TravelModel.from_json(dict(plan.parameters.travel))
    sites = [plan.sites[c] for c in plan.matrix.codes if c in plan.sites]
    found = leg_lines(sites, model, legs - have.keys())
    notes = (*plan.notes, found.note) if found.note else plan.notes
    return dataclasses.replace(plan, legs={**have, **found.lines}, notes=notes)
