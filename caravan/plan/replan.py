"""Replanning: keep the unit-days already worked or pinned, re-optimise the rest of the week.

``replan_week`` takes a plan (read from its ``plan.json`` by
:func:`caravan.outputs.planfile.read_plan`), keeps every route of the days up to and including
``done_through`` exactly as planned, and the routes of the ``pinned`` unit-days (a unit on a
day, ``(date, "35-1")``: the web page's "pin this visit" keeps its unit's day as it is), and
plans the other unit-days of the remaining working days again with the same parameters
(units, bases, day window, visit length, travel model, seed), with:

* new complaints when a file is given (priorities aged to the same Monday as the original
  plan, and the history rules applied again from the history database when there is one);
  otherwise the priorities stored in the original plan;
* the sites visited on the kept unit-days left out (``visited_this_week``); a ``--must-visit``
  for one of them puts it back (a visit that did not take place, for example);
* the original plan's must-visit and due sites still required, ``--must-visit`` /
  ``--skip`` added, and ``--holiday`` days taken off the remaining days;
* a tour that has begun kept (docs/tours.md): a unit that slept away on the last kept day
  starts the replanned days at that lodging, and the nights it spent count against
  ``--max-nights``.

The kept days keep the roads the original plan drew; a new leg the original plan also drove
takes its stored line, any other is found with the travel model (:mod:`caravan.plan.legs`).

The new plan is a whole week again (kept days plus new days) and says what changed: in
``plan.json`` (``replan.changes``: ``added``, ``removed``, ``moved`` to another day or unit,
``retimed`` on the same day and unit) and in ``itinerary.csv``'s extra ``changed`` column
(``done`` for a visit of a day up to ``done_through``, ``pinned`` for one of a pinned
unit-day, ``unchanged``, ``added``, ``moved``, ``retimed``).

Without ``done_through`` nothing of the week is done yet (a plan changed before its week
starts): ``plan.json`` records the Sunday before the week as ``replan.done_through``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from caravan.clock import hhmm, monday_of, parse_date
from caravan.codes import norm_code
from caravan.complaints import ComplaintFile
from caravan.errors import ParameterError
from caravan.geo.geography import Geography, load_geography
from caravan.history.store import HistorySnapshot
from caravan.plan.legs import route_legs
from caravan.plan.request import request_of
from caravan.plan.rolling import RollingOptions
from caravan.plan.week import plan_week, read_request_complaints
from caravan.types import DayOff, ReplanInfo, Route, Unvisited, VisitChange, WeekPlan


def _visit_places(routes: Sequence[Route]) -> dict[str, tuple[dt.date, str, int]]:
    out = {}
    for r in routes:
        for s in r.visits:
            out[s.code] = (r.unit_day.date, r.unit_day.unit, s.arrive or 0)
    return out


def _unit_day(route: Route) -> tuple[dt.date, str]:
    return (route.unit_day.date, route.unit_day.unit)


def _units(plan: WeekPlan) -> list[str]:
    p = plan.parameters
    return [f"{prov}-{u}" for prov in p.provinces for u in range(1, p.units + 1)]


def _done_through(value: str | dt.date | None, week: str, monday, sunday) -> dt.date:
    """The last day kept as worked; the Sunday before the week when nothing is done."""
    if value is None:
        return monday - dt.timedelta(days=1)
    done = parse_date(value, param="--done-through")
    if not monday <= done <= sunday:
        raise ParameterError(
            f"{done.isoformat()} is not in the plan's week {week} ({monday.isoformat()} to "
            f"{sunday.isoformat()})",
            param="--done-through",
        )
    return done


def parse_pin(text: str) -> tuple[dt.date, str]:
    """A pinned unit-day as written on the command line, ``UNIT:DATE`` (``35-1:2026-12-02``)
    -> ``(date, unit)``; anything else is a usage error of ``--pin``."""
    unit, sep, day = str(text).strip().partition(":")
    if not sep or not unit or not day:
        raise ParameterError(
            f"'{text}' is not UNIT:DATE (for example 35-1:2026-12-02)", param="--pin"
        )
    return parse_date(day.strip(), param="--pin"), unit.strip()


def _pins(
    plan: WeekPlan, pinned: Collection[tuple[str | dt.date, str]], done: dt.date
) -> frozenset[tuple[dt.date, str]]:
    """The pinned unit-days after ``done`` (those up to it are kept anyway); each one must be
    a unit-day of the plan. A pinned unit-day without visits stays without. A day of a tour
    with nights away (it starts or ends at a lodging) cannot be pinned: the days around it
    would have to start or end at its lodging, so the tour is replanned as a whole."""
    out = set()
    routes = {_unit_day(r): r for r in plan.routes}
    for day, unit in pinned:
        key = (parse_date(day, param="--pin"), str(unit))
        if key[1] not in _units(plan) or key[0] not in plan.parameters.dates:
            raise ParameterError(
                f"the plan has no unit {key[1]} on {key[0].isoformat()} to pin", param="--pin"
            )
        route = routes.get(key)
        if key[0] > done and route and (route.from_lodging or route.overnight):
            raise ParameterError(
                f"unit {key[1]} on {key[0].isoformat()} is on a tour with nights away: only "
                "day trips can be pinned (the tour is planned again as a whole)",
                param="--pin",
            )
        if key[0] > done:
            out.add(key)
    return frozenset(out)


def _same_units(
    routes: Sequence[Route],
    before: Sequence[Route],
    units: Sequence[str],
    pins: frozenset[tuple[dt.date, str]],
) -> tuple[Route, ...]:
    """The replanned routes with their units renamed, day by day in each province, so that a
    route keeps the unit that had most of its sites before. The units of a province are alike
    (same base, same hours): the names change, the routes do not, and the list of changes
    shows moves that are real rather than two units trading their days."""
    old = {_unit_day(r): {s.code for s in r.visits} for r in before}
    out = []
    for (day, prov), group in _by_day(routes).items():
        free = [u for u in units if u.startswith(prov + "-") and (day, u) not in pins]
        pairs = sorted(
            (
                (-len({s.code for s in r.visits} & old.get((day, u), set())), u != r.unit_day.unit),
                i,
                u,
            )
            for i, r in enumerate(group)
            for u in free
        )
        given: dict[int, str] = {}
        for _, i, u in pairs:
            if i not in given and u not in given.values():
                given[i] = u
        out += [
            dataclasses.replace(r, unit_day=dataclasses.replace(r.unit_day, unit=given[i]))
            for i, r in enumerate(group)
        ]
    return tuple(out)


def _by_day(routes: Sequence[Route]) -> dict[tuple[dt.date, str], list[Route]]:
    out: dict[tuple[dt.date, str], list[Route]] = {}
    for r in routes:
        out.setdefault((r.unit_day.date, r.unit_day.province_code), []).append(r)
    return out


def _replan_note(
    base_path: str,
    kept: Sequence[Route],
    done: dt.date,
    pins: frozenset[tuple[dt.date, str]],
    remaining: Sequence[dt.date],
) -> str:
    worked = sum(len(r.visits) for r in kept if r.unit_day.date <= done)
    parts = [f"the {worked} visit(s) up to {done.isoformat()}"] if worked else []
    if pins:
        days = ", ".join(f"{u} {d.isoformat()}" for d, u in sorted(pins))
        pinned = sum(len(r.visits) for r in kept if r.unit_day.date > done)
        parts.append(f"the {pinned} visit(s) of the pinned unit-day(s) {days}")
    kept_text = " and ".join(parts) + " are kept" if parts else "no visit is kept"
    return (
        f"replan of {base_path}: {kept_text}; "
        f"{', '.join(d.isoformat() for d in remaining)} planned again"
    )


def _begun_tours(kept: Sequence[Route]) -> tuple[dict[str, str], dict[str, int]]:
    """(unit -> the lodging it slept at after its last kept day, unit -> nights away kept)."""
    starts: dict[str, str] = {}
    nights: dict[str, int] = {}
    last: dict[str, Route] = {}
    for r in sorted(kept, key=lambda r: r.unit_day.date):
        last[r.unit_day.unit] = r
        if r.overnight is not None:
            nights[r.unit_day.unit] = nights.get(r.unit_day.unit, 0) + 1
    for unit, r in last.items():
        if r.overnight is not None:
            starts[unit] = r.overnight.code
    return starts, nights


def _where(place: tuple[dt.date, str, int]) -> str:
    return f"{place[0].isoformat()} {place[1]} {hhmm(place[2])}"


def replan_week(
    *,
    plan: WeekPlan,
    done_through: str | dt.date | None = None,
    pinned: Collection[tuple[str | dt.date, str]] = (),
    complaints: str | Path | ComplaintFile | None = None,
    reading: Mapping[str, object] | None = None,
    history: HistorySnapshot | None = None,
    must_visit: Sequence[str] = (),
    skip: Sequence[str] = (),
    holidays: Sequence[str | dt.date] = (),
    time_limit: float | None = None,
    today: dt.date | None = None,
    geography: Geography | None = None,
    base_path: str = "(in memory)",
) -> WeekPlan:
    """Replan the rest of a week (module docstring). ``complaints`` is a new complaint
    file (a path, read with the ``reading`` options: ``encoding``, ``sheet``, ``columns`` as
    in :class:`~caravan.plan.request.PlanRequest`; or a file already read). ``base_path``
    names the plan's file in the notes and in ``plan.json``'s ``replan.base_plan``.

    Raises :class:`ParameterError` for a ``done_through`` outside the plan's week, a pinned
    unit-day the plan does not have, no unit-day left to plan, or a ``--holiday`` on a kept
    day.
    """
    orig = plan
    p = orig.parameters
    monday = monday_of(p.week)
    sunday = monday + dt.timedelta(days=6)
    done = _done_through(done_through, p.week, monday, sunday)
    pins = _pins(orig, pinned, done)
    off = []
    for text in holidays:
        day = parse_date(text, param="--holiday")
        if not done < day <= sunday or any(d == day for d, _ in pins):
            raise ParameterError(
                f"{day.isoformat()} is not one of the days left to replan ({p.week} after "
                f"{done.isoformat()}{', without pinned unit-days' if pins else ''})",
                param="--holiday",
            )
        off.append(day)
    remaining = [d for d in p.dates if d > done and d not in off]
    if not remaining:
        raise ParameterError(
            f"no working day of {p.week} is left after {done.isoformat()} "
            f"(the plan's days: {', '.join(d.isoformat() for d in p.dates)})",
            param="--done-through",
        )
    free = [(d, u) for d in remaining for u in _units(orig) if (d, u) not in pins]
    if not free:
        raise ParameterError(
            "every unit-day left to plan is pinned: nothing to replan", param="--pin"
        )
    kept = tuple(r for r in orig.routes if r.unit_day.date <= done or _unit_day(r) in pins)
    kept_places = _visit_places(kept)
    tour_starts, nights_used = _begun_tours([r for r in kept if r.unit_day.date <= done])
    wanted = [norm_code(c) for c in must_visit]
    exclude = {
        code: Unvisited(
            code,
            orig.scores[code].priority if code in orig.scores else 0.0,
            "visited_this_week",
            f"already visited this week ({place[0].isoformat()}, unit {place[1]})",
        )
        for code, place in kept_places.items()
        if code not in wanted or place[0] > done  # a pinned visit stays where it is
    }
    must = [c for c in dict.fromkeys([*p.must_visit, *wanted]) if c not in exclude]
    asked_skips = [norm_code(c) for c in skip]
    # a site the original plan skipped and this replan requires is no longer skipped
    skips = [
        c for c in dict.fromkeys([*p.skip, *asked_skips]) if c not in wanted or c in asked_skips
    ]
    pinned_sites = [c for c in asked_skips if c in kept_places and kept_places[c][0] > done]
    if pinned_sites:
        raise ParameterError(
            f"'{pinned_sites[0]}' is visited on a pinned unit-day: unpin the day to drop it",
            param="--skip",
        )

    geo = geography or load_geography()
    geo = Geography(sites={**geo.sites, **orig.sites})
    h = orig.history
    recency = h.recency_weeks if h else 0
    gap = h.max_gap_weeks if h else 0
    if complaints is not None and history is not None:
        rolling = RollingOptions(
            history=history, recency_weeks=recency, max_gap_weeks=gap, exclude=exclude
        )
    else:
        carried = tuple(d for d in h.due if d.status == "required") if h else ()
        rolling = RollingOptions(
            recency_weeks=recency, max_gap_weeks=gap, exclude=exclude, carried_due=carried
        )
    # the original request, with the replan's changes; the sites and residents are those
    # the plan recorded (its files may be gone), so plan_week reads neither file again
    asked = request_of(orig).replace(
        must_visit=tuple(must),
        skip=tuple(skips),
        time_limit=time_limit if time_limit is not None else p.time_limit,
        **(reading or {}),
    )
    if complaints is not None and not isinstance(complaints, ComplaintFile):
        asked = asked.replace(complaints=str(complaints))
    if isinstance(complaints, ComplaintFile):
        cfile = complaints
    elif complaints is not None:
        cfile = read_request_complaints(asked, today=today, geography=geo)
    else:  # the priorities stored in the plan
        cfile = ComplaintFile(source=p.complaints_source, rows=0, accepted=(), rejects=())
    new = plan_week(
        asked.replace(sites="", population=""),
        complaints=cfile,
        population=orig.population or None,
        matrix=orig.matrix,
        today=today,
        geography=geo,
        rolling=rolling,
        only_dates=remaining,
        given_scores=None if complaints is not None else orig.scores,
        legs=orig.legs,
        kept_unit_days=pins,
        tour_starts=tour_starts,
        nights_used=nights_used,
        # the lodgings the plan recorded: its lodging file may be gone
        lodgings={
            prov: [orig.sites[c] for c in codes if c in orig.sites]
            for prov, codes in p.lodgings.items()
        },
    )
    new = dataclasses.replace(
        new, request=asked, routes=_same_units(new.routes, orig.routes, _units(orig), pins)
    )
    routes = tuple(
        sorted(
            (*kept, *new.routes),
            key=lambda r: (r.unit_day.date, r.unit_day.province_code, r.unit_day.unit),
        )
    )
    visited = {s.code for r in routes for s in r.visits}
    unvisited = tuple(u for u in new.unvisited if u.code not in visited)

    # what changed
    before = _visit_places([r for r in orig.routes if r not in kept])
    after = _visit_places(new.routes)
    changes: list[VisitChange] = []
    rows: dict[str, str] = {}
    for code, place in kept_places.items():
        was = "done" if place[0] <= done else "pinned"
        rows[ReplanInfo.visit_key(place[0], place[1], code)] = was
    for code, place in sorted(after.items(), key=lambda kv: (kv[1], kv[0])):
        old = before.get(code)
        if old is None:
            change = "added"
        elif old[:2] != place[:2]:
            change = "moved"
        elif old[2] != place[2]:
            change = "retimed"
        else:
            change = "unchanged"
        rows[ReplanInfo.visit_key(place[0], place[1], code)] = change
        if change != "unchanged":
            changes.append(VisitChange(code, change, _where(old) if old else "", _where(place)))
    for code, old in sorted(before.items(), key=lambda kv: (kv[1], kv[0])):
        if code not in after:
            changes.append(VisitChange(code, "removed", _where(old), ""))

    kept_obj = (
        sum(s.priority for r in kept for s in r.visits)
        - (sum(r.drive_seconds for r in kept) / 60) / p.minutes_per_point
        - sum(nights_used.values()) * p.night_cost
    )
    sv = new.solve
    solve = dataclasses.replace(
        sv,
        objective=round(sv.objective + kept_obj, 6),
        bound=None if sv.bound is None else round(sv.bound + kept_obj, 6),
        detail={**sv.detail, "replanned_days": [d.isoformat() for d in remaining]},
    )
    params = dataclasses.replace(
        p,
        dates=tuple(
            sorted(
                {*(r.unit_day.date for r in kept), *(d for d in p.dates if d <= done), *remaining}
            )
        ),
        must_visit=tuple(must),
        skip=tuple(skips),
        time_limit=new.parameters.time_limit,
        complaints_source=new.parameters.complaints_source
        if complaints is not None
        else p.complaints_source,
    )
    days_off = tuple(
        sorted(
            (
                *orig.days_off,
                *(DayOff(d, "วันหยุด (กำหนดเพิ่ม)", "holiday (--holiday)", "--holiday") for d in off),
            ),
            key=lambda d: d.date,
        )
    )
    note = _replan_note(base_path, kept, done, pins, remaining)
    # the kept days draw the roads the original plan stored (straight if it stored none)
    lines = {**orig.legs, **new.legs}
    return dataclasses.replace(
        new,
        parameters=params,
        sites=orig.sites,
        routes=routes,
        legs={leg: lines[leg] for leg in route_legs(routes) if leg in lines},
        unvisited=unvisited,
        solve=solve,
        complaints=new.complaints if complaints is not None else orig.complaints,
        days_off=days_off,
        history=new.history if h is not None else None,
        notes=(note, *new.notes),
        replan=ReplanInfo(
            base_plan=base_path,
            done_through=done,
            kept_visits=len(kept_places),
            changes=tuple(changes),
            row_changes=rows,
        ),
    )
