"""Turn caravan's inputs into the general optimizer problem, one province at a time.

Each province is planned on its own: its units start and end every day at its base, and only
its own districts or tambons are candidates, so the provinces' problems are independent and
their optima add up. Per province:

* site 0 is the base (a depot, never a visit); sites 1.. are the candidates;
* vehicles are the unit-days, ordered by day then unit, all with the province's day window;
* prize = the site's priority; travel_weight = 1 / (60 x minutes_per_point) per second, so
  the objective is ``sum of priority - drive minutes / minutes_per_point``.

Sites that cannot be in any plan are left out of the problem with their reason: skipped by
the user, no open complaints (unless required), or too far to reach, serve and return within
one day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.clock import duration_text
from caravan.errors import NoPlanError
from caravan.solver.problem import Problem, Vehicle, make_problem
from caravan.types import Site, SiteScore, TravelMatrix, UnitDay, Unvisited


@dataclass(frozen=True)
class ProvinceModel:
    province: str
    problem: Problem
    codes: tuple[str, ...]  # problem index -> site code; index 0 is the base
    unit_days: tuple[UnitDay, ...]  # problem vehicle index -> unit-day
    excluded: tuple[Unvisited, ...]


def build_province_model(
    *,
    province: str,
    base: Site,
    candidates: Sequence[Site],
    scores: Mapping[str, SiteScore],
    matrix: TravelMatrix,
    unit_days: Sequence[UnitDay],
    service_seconds: int,
    minutes_per_point: float,
    must_visit: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> ProvinceModel:
    must = set(must_visit)
    skipped = set(skip)
    excluded: list[Unvisited] = []
    kept: list[Site] = []
    window = (unit_days[0].day_end - unit_days[0].day_start) if unit_days else 0
    for site in candidates:
        prio = scores[site.code].priority if site.code in scores else 0.0
        if site.code in skipped:
            excluded.append(Unvisited(site.code, prio, "skipped", "skipped by the user (--skip)"))
            continue
        need = (
            matrix.drive_seconds(base.code, site.code)
            + service_seconds
            + matrix.drive_seconds(site.code, base.code)
        )
        if need > window:
            reason = (
                f"cannot be reached, served and left within a day: the round trip from "
                f"the base and the visit take {duration_text(need)}, the day has "
                f"{duration_text(window)}"
            )
            if site.code in must:
                raise NoPlanError(f"must-visit site {site.code} ({site.name_en}) {reason}")
            excluded.append(Unvisited(site.code, prio, "unreachable", reason))
            continue
        if prio <= 0 and site.code not in must:
            excluded.append(Unvisited(site.code, prio, "no_open_complaints", "no open complaints"))
            continue
        kept.append(site)
    codes = (base.code, *(s.code for s in kept))
    idx = [matrix.index(c) for c in codes]
    durations = np.asarray(matrix.seconds, dtype=np.int64)[np.ix_(idx, idx)]
    prizes = [0.0, *(scores[s.code].priority if s.code in scores else 0.0 for s in kept)]
    service = [0, *([service_seconds] * len(kept))]
    vehicles = [
        Vehicle(
            start=0,
            end=0,
            earliest=ud.day_start,
            latest=ud.day_end,
            name=f"unit {ud.unit} on {ud.date.isoformat()}",
        )
        for ud in unit_days
    ]
    required = [i for i, c in enumerate(codes) if c in must]
    names = [f"{base.code} (base)", *(f"{s.code} ({s.name_en})" for s in kept)]
    problem = make_problem(
        durations=durations,
        prizes=prizes,
        service=service,
        vehicles=vehicles,
        required=required,
        travel_weight=1.0 / (60.0 * minutes_per_point),
        names=names,
    )
    return ProvinceModel(
        province=province,
        problem=problem,
        codes=codes,
        unit_days=tuple(unit_days),
        excluded=tuple(excluded),
    )
