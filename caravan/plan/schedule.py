"""Turn an optimizer solution into dated routes, and say why each other site is not visited.

Reasons for an unvisited site (``reason_code``):

``skipped``             the user asked to skip it (``--skip``)
``no_open_complaints``  nothing to do there (priority 0)
``unreachable``         the round trip from the base plus the visit does not fit in a day,
                        even with the nights away allowed (the reason says what it would
                        take: nights, working days in a row, a longer day or a nearer
                        lodging)
``not_worth_detour``    it fits in the plan, but every way of adding it costs more drive time
                        (in points) than its priority
``no_capacity``         it would be worth a visit, but no unit-day has time left for it
                        without dropping a visit that is worth more
``not_selected``        a worthwhile insertion exists: the optimizer stopped at its time limit
                        before finding it (never the case in a plan proven optimal)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from caravan.plan.model import ProvinceModel
from caravan.solver.problem import Solution
from caravan.types import Route, SiteScore, Stop, TravelMatrix, Unvisited


def routes_from_solution(
    pm: ProvinceModel, solution: Solution, matrix: TravelMatrix, scores: Mapping[str, SiteScore]
) -> list[Route]:
    """One route per unit-day that visits or moves: stop 0 where the day starts (the base,
    or the lodging of the night before), the visits, then the return to the base or the
    arrival at the lodging of the night (``overnight``)."""
    routes = []
    for vr in solution.routes:
        if not vr.visits and vr.start == vr.end == 0:
            continue
        ud = pm.unit_days[vr.vehicle]
        first = pm.codes[vr.start]
        stops = [
            Stop(
                stop=0,
                code=first,
                kind="depart",
                arrive=None,
                depart=vr.start_time,
                drive_seconds=0,
                drive_metres=0,
            )
        ]
        prev = first
        for n, visit in enumerate(vr.visits, start=1):
            code = pm.codes[visit.site]
            stops.append(
                Stop(
                    stop=n,
                    code=code,
                    kind="visit",
                    arrive=visit.arrival,
                    depart=visit.departure,
                    drive_seconds=matrix.drive_seconds(prev, code),
                    drive_metres=matrix.drive_metres(prev, code),
                    priority=scores[code].priority if code in scores else 0.0,
                )
            )
            prev = code
        last = pm.codes[vr.end]
        stops.append(
            Stop(
                stop=len(vr.visits) + 1,
                code=last,
                kind="return" if vr.end == 0 else "overnight",
                arrive=vr.end_time,
                depart=None,
                drive_seconds=matrix.drive_seconds(prev, last),
                drive_metres=matrix.drive_metres(prev, last),
            )
        )
        routes.append(Route(unit_day=ud, stops=tuple(stops)))
    return routes


def unvisited_reasons(
    pm: ProvinceModel, solution: Solution, minutes_per_point: float
) -> list[Unvisited]:
    problem = pm.problem
    d = problem.durations
    out = list(pm.excluded)
    for i in solution.dropped:
        code = pm.codes[i]
        prio = problem.prizes[i]
        best_detour = None  # least extra drive seconds over all feasible insertions
        for vr in solution.routes:
            v = problem.vehicles[vr.vehicle]
            path = [vr.start, *vr.sites, vr.end]
            slack = v.latest - vr.end_time - problem.service[i]
            for a, b in itertools.pairwise(path):
                # an unused vehicle travels nothing yet: the whole trip is extra
                extra = int(d[a, i] + d[i, b] - (d[a, b] if vr.travel else 0))
                if extra <= slack and (best_detour is None or extra < best_detour):
                    best_detour = extra
        if best_detour is None:
            out.append(
                Unvisited(
                    code,
                    prio,
                    "no_capacity",
                    "no unit-day has time left for it without dropping a visit worth more",
                )
            )
            continue
        minutes = best_detour / 60
        cost = minutes / minutes_per_point
        if cost >= prio:
            out.append(
                Unvisited(
                    code,
                    prio,
                    "not_worth_detour",
                    f"its priority ({prio:.2f}) is worth less than the detour "
                    f"({minutes:.0f} drive minutes = {cost:.2f} points)",
                )
            )
        else:
            out.append(
                Unvisited(
                    code,
                    prio,
                    "not_selected",
                    f"not selected before the time limit (adding it would gain "
                    f"{prio - cost:.2f} points)",
                )
            )
    return out
