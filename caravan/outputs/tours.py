"""A plan's tours as the outputs show them: each unit's days grouped from leaving the base to
coming back, with the nights away (where, and how far from the base).

A tour is a run of a unit's days in which every day but the last ends at a lodging (an
``overnight`` stop) and the next day leaves from it; a day trip is a tour of one day
without nights. Read from the routes alone, so a plan read back from ``plan.json`` has the
same tours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caravan.types import Route, WeekPlan


@dataclass(frozen=True)
class Night:
    """A night away: the lodging a unit sleeps at after ``date``'s work."""

    date: dt.date
    unit: str
    code: str
    name_th: str
    name_en: str
    lon: float
    lat: float
    from_base_seconds: int  # drive from the unit's base
    from_base_metres: int


@dataclass(frozen=True)
class UnitTour:
    unit: str
    province_code: str
    routes: tuple[Route, ...]
    nights: tuple[Night, ...]

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return tuple(r.unit_day.date for r in self.routes)

    @property
    def first(self) -> dt.date:
        return self.routes[0].unit_day.date

    @property
    def last(self) -> dt.date:
        return self.routes[-1].unit_day.date


def night_of(plan: WeekPlan, route: Route) -> Night | None:
    """The night after ``route``'s day, or None when the unit is back at its base."""
    stop = route.overnight
    if stop is None:
        return None
    site = plan.sites[stop.code]
    base = route.unit_day.base
    return Night(
        date=route.unit_day.date,
        unit=route.unit_day.unit,
        code=stop.code,
        name_th=site.name_th,
        name_en=site.name_en,
        lon=site.lon,
        lat=site.lat,
        from_base_seconds=plan.matrix.drive_seconds(base, stop.code),
        from_base_metres=plan.matrix.drive_metres(base, stop.code),
    )


def unit_tours(plan: WeekPlan) -> list[UnitTour]:
    """Every tour of the plan (module docstring), by unit then date."""
    by_unit: dict[str, list[Route]] = {}
    for r in plan.routes:
        by_unit.setdefault(r.unit_day.unit, []).append(r)
    out = []
    for unit in sorted(by_unit):
        current: list[Route] = []
        for r in sorted(by_unit[unit], key=lambda x: x.unit_day.date):
            current.append(r)
            if r.overnight is None:
                out.append(_tour(plan, current))
                current = []
        if current:  # a plan cut short (a replan) may end away
            out.append(_tour(plan, current))
    return out


def _tour(plan: WeekPlan, routes: list[Route]) -> UnitTour:
    nights = tuple(n for n in (night_of(plan, r) for r in routes) if n is not None)
    ud = routes[0].unit_day
    return UnitTour(
        unit=ud.unit, province_code=ud.province_code, routes=tuple(routes), nights=nights
    )


def nights_by_unit(plan: WeekPlan) -> dict[str, int]:
    """unit -> nights away in the plan."""
    out: dict[str, int] = {}
    for r in plan.routes:
        if r.overnight is not None:
            out[r.unit_day.unit] = out.get(r.unit_day.unit, 0) + 1
    return out
