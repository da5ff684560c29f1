"""Turn caravan's inputs into the general optimizer problem, one province at a time.

Each province is planned on its own: its units start and end every day at its base, and only
its own districts or tambons are candidates, so the provinces' problems are independent and
their optima add up. Per province:

* site 0 is the base (a depot, never a visit); sites 1.. are the candidates;
* vehicles are the unit-days, ordered by day then unit, all with the province's day window;
* prize = the site's priority; travel_weight = 1 / (60 x minutes_per_point) per second, so
  the objective is ``sum of priority - drive minutes / minutes_per_point``.

**Tours** (:class:`TourOptions`, docs/tours.md). When units may spend nights away, the
province's lodgings follow the candidates as sites of their own (a district office that is
also a candidate appears twice: once to visit, once to sleep), each night costing
``night_cost`` points, and each unit is one :class:`~caravan.solver.problem.Tour` over the
week's working days, from its base back to its base: a day followed by a day off (a
weekend, a holiday) may not end away, and at most ``max_nights`` nights are spent away. The
unit-days are then ordered unit by unit, as the tours' days are. Without tours the problem
is exactly the day-trip problem above.

Sites that cannot be in any plan are left out of the problem with their reason: skipped by
the user, no open complaints (unless required), or too far to reach, serve and leave within
one day even with the nights away allowed (the reason says what it would take).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from caravan.clock import duration_text
from caravan.errors import NoPlanError
from caravan.solver.problem import Day, Problem, Tour, Vehicle, make_problem
from caravan.types import Site, SiteScore, TravelMatrix, UnitDay, Unvisited


@dataclass(frozen=True)
class TourOptions:
    """Nights away for one province's units (module docstring)."""

    lodgings: tuple[Site, ...]
    max_nights: int
    night_cost: float  # points per night
    #: unit -> the lodging its first planned day starts from (a replan after a night away)
    starts: Mapping[str, str] = field(default_factory=dict)
    #: unit -> nights away already spent this week (a replan)
    nights_used: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProvinceModel:
    province: str
    problem: Problem
    codes: tuple[str, ...]  # problem index -> site code; index 0 is the base
    unit_days: tuple[UnitDay, ...]  # problem vehicle index -> unit-day
    excluded: tuple[Unvisited, ...]


@dataclass(frozen=True)
class Reach:
    """The least a site needs, from a unit's base: nights away, consecutive working days,
    and the shortest day that serves it from the best start and end (base or lodging)."""

    nights: int | None  # None: no start and end make it fit in a day
    days: int
    day_needed: int
    via: str  # the lodging of the best way ("" for the base)


def reach(
    matrix: TravelMatrix,
    base: str,
    lodgings: Sequence[str],
    code: str,
    service: int,
    window: int,
) -> Reach:
    """How ``code`` can be served at best (:class:`Reach`): from the base or a lodging the
    unit can drive to day by day, to the base or a lodging it can drive home from."""
    nodes = [base, *lodgings]
    drive = matrix.drive_seconds

    def hops(forward: bool) -> dict[str, int]:
        dist = {base: 0}
        todo = deque([base])
        while todo:
            a = todo.popleft()
            for b in nodes:
                leg = drive(a, b) if forward else drive(b, a)
                if b not in dist and leg <= window:
                    dist[b] = dist[a] + 1
                    todo.append(b)
        return dist

    out_of, back_to = hops(True), hops(False)
    best: tuple[int, int, str] | None = None
    shortest = None
    for a in nodes:
        for b in nodes:
            need = drive(a, code) + service + drive(code, b)
            shortest = need if shortest is None else min(shortest, need)
            if need > window or a not in out_of or b not in back_to:
                continue
            option = (out_of[a] + back_to[b], out_of[a] + 1 + back_to[b], a if a != base else b)
            if best is None or option[:2] < best[:2]:
                best = option
    if best is None:
        return Reach(None, 0, int(shortest or 0), "")
    return Reach(best[0], best[1], int(shortest or 0), "" if best[2] == base else best[2])


def longest_run(dates: Sequence) -> int:
    """The longest run of consecutive calendar days among ``dates``."""
    run = longest = 0
    prev = None
    for d in sorted(set(dates)):
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        longest = max(longest, run)
        prev = d
    return longest


def why_unreachable(
    matrix: TravelMatrix,
    base: str,
    code: str,
    *,
    service: int,
    window: int,
    tours: TourOptions | None,
    dates: Sequence,
) -> str | None:
    """Why ``code`` cannot be served from ``base`` in a week of ``dates`` (None: it can),
    saying what it would take: a day trip, else a tour within the nights allowed (the most
    any unit has left) and the longest run of working days."""
    need = matrix.drive_seconds(base, code) + service + matrix.drive_seconds(code, base)
    if need <= window:
        return None
    day_trip = (
        f"cannot be reached, served and left within a day: the round trip from the base and "
        f"the visit take {duration_text(need)}, the day has {duration_text(window)}"
    )
    if tours is None:
        return day_trip
    r = reach(matrix, base, [s.code for s in tours.lodgings], code, service, window)
    if r.nights is None:
        return (
            f"{day_trip}; even from the nearest lodging the visit takes "
            f"{duration_text(r.day_needed)}: it would take a day that long (--day-start, "
            "--day-end) or a lodging nearer to it (--lodging)"
        )
    allowed = tours.max_nights - min(tours.nights_used.values(), default=0)
    names = {s.code: s.name_en for s in tours.lodgings}
    via = f" (sleeping at {names.get(r.via, r.via)})" if r.via else ""
    if r.nights > allowed:
        return (
            f"{day_trip}; it would take {r.nights} night(s) away{via}, and --max-nights "
            f"allows {allowed}"
        )
    run = longest_run(dates)
    if r.days > run:
        return (
            f"{day_trip}; it would take {r.days} working days in a row with {r.nights} "
            f"night(s) away{via}, and this week's longest run of working days is {run}"
        )
    return None


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
    tours: TourOptions | None = None,
) -> ProvinceModel:
    must = set(must_visit)
    skipped = set(skip)
    excluded: list[Unvisited] = []
    kept: list[Site] = []
    window = (unit_days[0].day_end - unit_days[0].day_start) if unit_days else 0
    if (
        tours is not None
        and not tours.starts
        and (not tours.lodgings or len({ud.date for ud in unit_days}) < 2)
    ):
        tours = None
    lodging_codes = [s.code for s in tours.lodgings] if tours else []
    dates = sorted({ud.date for ud in unit_days})
    for site in candidates:
        prio = scores[site.code].priority if site.code in scores else 0.0
        if site.code in skipped:
            excluded.append(Unvisited(site.code, prio, "skipped", "skipped by the user (--skip)"))
            continue
        reason = why_unreachable(
            matrix,
            base.code,
            site.code,
            service=service_seconds,
            window=window,
            tours=tours,
            dates=dates,
        )
        if reason is not None:
            if site.code in must:
                raise NoPlanError(f"must-visit site {site.code} ({site.name_en}) {reason}")
            excluded.append(Unvisited(site.code, prio, "unreachable", reason))
            continue
        if prio <= 0 and site.code not in must:
            excluded.append(Unvisited(site.code, prio, "no_open_complaints", "no open complaints"))
            continue
        kept.append(site)
    codes = (base.code, *(s.code for s in kept), *lodging_codes)
    idx = [matrix.index(c) for c in codes]
    durations = np.asarray(matrix.seconds, dtype=np.int64)[np.ix_(idx, idx)]
    n_lodging = len(lodging_codes)
    prizes = [
        0.0,
        *(scores[s.code].priority if s.code in scores else 0.0 for s in kept),
        *([0.0] * n_lodging),
    ]
    service = [0, *([service_seconds] * len(kept)), *([0] * n_lodging)]
    required = [i for i, c in enumerate(codes[: 1 + len(kept)]) if c in must]
    names_ = [
        f"{base.code} (base)",
        *(f"{s.code} ({s.name_en})" for s in kept),
        *(f"{s.code} (lodging {s.name_en})" for s in (tours.lodgings if tours else ())),
    ]
    weight = 1.0 / (60.0 * minutes_per_point)
    if tours is None:
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
        problem = make_problem(
            durations=durations,
            prizes=prizes,
            service=service,
            vehicles=vehicles,
            required=required,
            travel_weight=weight,
            names=names_,
        )
    else:
        unit_days, unit_tours = _tours(unit_days, tours, first_lodging=1 + len(kept))
        problem = make_problem(
            durations=durations,
            prizes=prizes,
            service=service,
            tours=unit_tours,
            lodgings={1 + len(kept) + j: tours.night_cost for j in range(n_lodging)},
            required=required,
            travel_weight=weight,
            names=names_,
        )
    return ProvinceModel(
        province=province,
        problem=problem,
        codes=codes,
        unit_days=tuple(unit_days),
        excluded=tuple(excluded),
    )


def _tours(
    unit_days: Sequence[UnitDay], tours: TourOptions, *, first_lodging: int
) -> tuple[list[UnitDay], list[Tour]]:
    """One tour per unit over its days (module docstring), and the unit-days in the order
    of the tours' days."""
    lodging_index = {s.code: first_lodging + j for j, s in enumerate(tours.lodgings)}
    by_unit: dict[str, list[UnitDay]] = {}
    for ud in unit_days:
        by_unit.setdefault(ud.unit, []).append(ud)
    ordered: list[UnitDay] = []
    out: list[Tour] = []
    for unit, uds in by_unit.items():
        uds = sorted(uds, key=lambda u: u.date)
        days = tuple(
            Day(
                ud.day_start,
                ud.day_end,
                away=i + 1 < len(uds) and (uds[i + 1].date - ud.date).days == 1,
            )
            for i, ud in enumerate(uds)
        )
        start = lodging_index.get(tours.starts.get(unit, ""), 0)
        nights = max(0, tours.max_nights - tours.nights_used.get(unit, 0))
        out.append(Tour(start=start, end=0, days=days, max_nights=nights, name=f"unit {unit}"))
        ordered += uds
    return ordered, out
