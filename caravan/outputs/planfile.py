"""``plan.json``: a plan written out and read back, in one module with one version number.

``plan.json`` holds everything needed to redraw or re-export a plan, and to replan from it:
the parameters, every site with its complaint counts, the routes with their times, the
unvisited sites and their reasons, the travel model's parameters (the matrix is rebuilt
from them: it is deterministic; ``osm`` and ``osrm`` plans carry it) and the rolling-planning
sections:

``days_off``  the days of the planned week that are not worked, with their names and
              ``source``: ``built-in``, ``holidays package`` or ``--holiday``
``notes``     calendar and fairness notes (the summary prints them too)
``history``   null when no history was used; else the rules' parameters, the sites whose
              score the history changed (``sites``) and the due sites with what became of
              them (``due``: status ``required``, ``unreachable``, ``over_capacity`` or
              ``skipped``, and the reason)
``replan``    null for a plan made from scratch; for ``caravan replan``: the plan it
              replaces, the day the kept visits run to, and every change (``changes``:
              ``added``, ``removed``, ``moved`` to another day or unit, ``retimed``)

``legs`` (optional) the road each leg drives along, for the maps: ``"FROM>TO"`` (two site
              codes) -> ``[[lon, lat], ...]`` from the one site to the other, simplified
              (:mod:`caravan.plan.legs`). Written for the ``road``, ``osm`` and ``osrm``
              models, so that exports and re-plans draw the same roads without the road
              graph or the server; a file without it (``straight``, or written before
              caravan drew roads) draws straight lines.
Tours (docs/tours.md): a day that ends at a lodging has a last stop of kind ``overnight``
(the lodging's code) and the next day's stop 0 departs from it; ``tours`` lists each tour
(a unit's days from leaving the base to coming back, with its nights: where, how far from
the base) and ``objective`` counts the ``nights`` and their ``night_points``; the
``parameters`` hold ``overnight``, ``max_nights``, ``night_cost`` (points a night),
``lodging`` (the lodging file, null for the district offices) and ``lodgings`` (per
province, the codes of its lodgings; their sites are in ``sites``, so a replan needs no
file). ``tours`` is written for the reader's convenience: reading a plan back takes the
tours from the routes.

``format_version`` (:data:`PLAN_FORMAT_VERSION`) says which layout a file has; a file from a
newer caravan is refused.

A file read back is checked first (:func:`check_plan_data`, section "checks" below): its
schema and its invariants; one InputError names the JSON path of the first bad field.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from caravan import __version__
from caravan.atomic import recover
from caravan.clock import hhmm, parse_week, seconds_of
from caravan.complaints.categories import category_label
from caravan.errors import InputError, ParameterError
from caravan.outputs.tours import unit_tours
from caravan.plan.request import PlanRequest, request_of
from caravan.travel.matrix import (
    EXTERNAL_MODES,
    TravelModel,
    matrix_from_json,
    matrix_to_json,
    travel_matrix,
)
from caravan.travel.paths import Line
from caravan.types import (
    LEVELS,
    PROVINCES,
    TRAVEL_MODES,
    ComplaintSummary,
    DayOff,
    DueSite,
    HistoryInfo,
    PlanParameters,
    ReplanInfo,
    Route,
    Site,
    SiteHistory,
    SiteScore,
    SolveInfo,
    Stop,
    UnitDay,
    Unvisited,
    VisitChange,
    WeekPlan,
)

PLAN_FORMAT_VERSION = 1

OBJECTIVE_TEXT = (
    "maximise the sum of priority of the visited sites minus total drive "
    "minutes divided by minutes_per_point minus nights away times night_cost"
)


def plan_dict(plan: WeekPlan) -> dict:
    p = plan.parameters
    mpp = p.minutes_per_point

    def site_info(code: str) -> dict:
        s = plan.sites[code]
        return {
            "code": s.code,
            "name_th": s.name_th,
            "name_en": s.name_en,
            "province_code": s.province_code,
            "district_code": s.district_code,
            "lon": s.lon,
            "lat": s.lat,
        }

    def categories(code: str) -> list[dict]:
        score = plan.scores.get(code)
        if not score:
            return []
        return [
            {
                "category": c,
                "label_th": category_label(c)[0],
                "label_en": category_label(c)[1],
                "open": n,
            }
            for c, n in score.by_category.items()
        ]

    routes = []
    for r in plan.routes:
        ud = r.unit_day
        stops = []
        for s in r.stops:
            score = plan.scores.get(s.code)
            stops.append(
                {
                    "stop": s.stop,
                    "kind": s.kind,
                    **site_info(s.code),
                    "arrive": hhmm(s.arrive) if s.arrive is not None else None,
                    "depart": hhmm(s.depart) if s.depart is not None else None,
                    "drive_minutes": s.drive_seconds // 60,
                    "drive_km": round(s.drive_metres / 1000, 1),
                    "drive_metres": s.drive_metres,
                    "priority": round(s.priority, 2),
                    "open_complaints": score.open if (score and s.kind == "visit") else 0,
                    "by_category": categories(s.code) if s.kind == "visit" else [],
                }
            )
        routes.append(
            {
                "date": ud.date.isoformat(),
                "unit": ud.unit,
                "province_code": ud.province_code,
                "base": ud.base,
                "day_start": hhmm(ud.day_start),
                "day_end": hhmm(ud.day_end),
                "drive_minutes": r.drive_seconds // 60,
                "drive_km": round(r.drive_metres / 1000, 1),
                "priority": round(sum(v.priority for v in r.visits), 2),
                "stops": stops,
            }
        )
    unvisited = []
    for u in plan.unvisited:
        score = plan.scores.get(u.code)
        unvisited.append(
            {
                **site_info(u.code),
                "priority": round(u.priority, 2),
                "open_complaints": score.open if score else 0,
                "by_category": categories(u.code),
                "reason_code": u.reason_code,
                "reason": u.reason,
            }
        )
    sv = plan.solve
    drive_min = plan.drive_seconds // 60
    sites = []
    for code, s in sorted(plan.sites.items(), key=lambda kv: (not kv[1].is_base, kv[0])):
        score = plan.scores.get(code)
        sites.append(
            {
                "code": s.code,
                "level": s.level,
                "name_th": s.name_th,
                "name_en": s.name_en,
                "province_code": s.province_code,
                "district_code": s.district_code,
                "lon": s.lon,
                "lat": s.lat,
                "area_km2": s.area_km2,
                "site_source": s.site_source,
                "priority": score.priority if score else 0.0,
                "open_complaints": score.open if score else 0,
                "resolved_complaints": score.resolved if score else 0,
                "by_category": dict(score.by_category) if score else {},
            }
        )
    return {
        "format": "caravan-plan",
        "format_version": PLAN_FORMAT_VERSION,
        "caravan_version": __version__,
        "created": plan.created.isoformat() if plan.created else None,
        "timezone": "Asia/Bangkok",
        "parameters": {
            "provinces": list(p.provinces),
            "level": p.level,
            "week": p.week,
            "dates": [d.isoformat() for d in p.dates],
            "units_per_province": p.units,
            "day_start": hhmm(p.day_start),
            "day_end": hhmm(p.day_end),
            "service_minutes": p.service_seconds // 60,
            "minutes_per_point": mpp,
            "must_visit": list(p.must_visit),
            "skip": list(p.skip),
            "time_limit_seconds": p.time_limit,
            "seed": p.seed,
            "engine": p.engine,
            "bases": {prov: site_info("BASE" + prov) for prov in p.provinces},
            "base_at": dict(p.bases),
            "complaints": p.complaints_source,
            "priority_reference_date": p.reference_date.isoformat() if p.reference_date else None,
            "weights": p.weights_source,
            "travel_model": p.travel_model,
            "travel": dict(p.travel),
            "site_overrides": p.site_overrides or None,
            "population": p.population_source or None,
            "overnight": p.overnight,
            "max_nights": p.max_nights,
            "night_cost": p.night_cost,
            "lodging": p.lodging_source or None,
            "lodgings": {prov: list(codes) for prov, codes in p.lodgings.items()},
        },
        "objective": {
            "formula": OBJECTIVE_TEXT,
            "value": round(plan.objective, 4),
            "priority": plan.total_priority,
            "drive_minutes": drive_min,
            "drive_points": round(drive_min / mpp, 4),
            "drive_km": round(plan.drive_metres / 1000, 1),
            "visits": len(plan.visits),
            "complaints_reached": plan.complaints_reached,
            "nights": plan.nights,
            "night_points": round(plan.night_points, 4),
        },
        "solver": {
            "engine": sv.engine,
            "status": sv.status,
            "quality": sv.describe(),
            "bound": sv.bound,
            "gap": sv.gap,
            "seconds": sv.seconds,
            **sv.detail,
        },
        "complaints": {
            "source": plan.complaints.source,
            "rows": plan.complaints.rows,
            "accepted": plan.complaints.accepted,
            "rejected": plan.complaints.rejected,
            "open_in_planned_provinces": plan.complaints.open,
            "counted_at_district_seat_tambon": plan.complaints.moved_to_seat,
        },
        "routes": routes,
        "tours": tours_section(plan),
        "unvisited": unvisited,
        "sites": sites,
        # residents per area when --population was given: the map shades per 10,000 of them
        **({"population": dict(sorted(plan.population.items()))} if plan.population else {}),
        **rolling_sections(plan),
        **_matrix_section(plan),
        **({"legs": legs_to_json(plan.legs)} if plan.legs else {}),
        # the request that made the plan (caravan.plan.request); replan starts from it
        **({"request": plan.request.to_json()} if isinstance(plan.request, PlanRequest) else {}),
    }


def tours_section(plan: WeekPlan) -> list[dict]:
    """Each unit's tours (:func:`caravan.outputs.tours.unit_tours`) with their nights."""
    return [
        {
            "unit": t.unit,
            "province_code": t.province_code,
            "dates": [d.isoformat() for d in t.dates],
            "nights": [
                {
                    "date": n.date.isoformat(),
                    "code": n.code,
                    "name_th": n.name_th,
                    "name_en": n.name_en,
                    "lon": n.lon,
                    "lat": n.lat,
                    "from_base_km": round(n.from_base_metres / 1000, 1),
                    "from_base_minutes": n.from_base_seconds // 60,
                }
                for n in t.nights
            ],
            "night_points": round(len(t.nights) * plan.parameters.night_cost, 4),
        }
        for t in unit_tours(plan)
        if t.nights
    ]


def _matrix_section(plan: WeekPlan) -> dict:
    """``osm`` and ``osrm`` plans carry their drive times (minutes, metres), so that exports
    and re-plans do not depend on the server or the road graph (``caravan.outputs.planfile``)."""
    if plan.parameters.travel.get("mode") not in EXTERNAL_MODES:
        return {}
    return {"travel_matrix": matrix_to_json(plan.matrix)}


def legs_to_json(legs: Mapping[tuple[str, str], Line]) -> dict[str, list[list[float]]]:
    """``plan.json``'s ``legs`` section: ``"FROM>TO"`` -> ``[[lon, lat], ...]``, by key."""
    return {f"{a}>{b}": [list(p) for p in line] for (a, b), line in sorted(legs.items())}


def legs_from_json(data: Mapping[str, list]) -> dict[tuple[str, str], Line]:
    """The lines :func:`legs_to_json` wrote; ValueError for a key that is not two codes
    or a line that is not two or more lon/lat points."""
    out = {}
    for key, line in data.items():
        a, sep, b = key.partition(">")
        if not (a and sep and b) or ">" in b:
            raise ValueError(f"legs key {key!r} is not FROM>TO")
        points = tuple((float(x), float(y)) for x, y in line)
        if len(points) < 2:
            raise ValueError(f"legs {key!r} has fewer than two points")
        out[a, b] = points
    return out


def plan_json(plan: WeekPlan) -> str:
    return json.dumps(plan_dict(plan), ensure_ascii=False, indent=2) + "\n"


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def rolling_sections(plan: WeekPlan) -> dict:
    def names(code: str) -> dict:
        s = plan.sites.get(code)
        return {"name_th": s.name_th if s else "", "name_en": s.name_en if s else ""}

    h = plan.history
    r = plan.replan
    return {
        "days_off": [
            {
                "date": d.date.isoformat(),
                "name_th": d.name_th,
                "name_en": d.name_en,
                "source": d.source,
            }
            for d in plan.days_off
        ],
        "notes": list(plan.notes),
        "history": None
        if h is None
        else {
            "source": h.source,
            "recency_weeks": h.recency_weeks,
            "max_gap_weeks": h.max_gap_weeks,
            "weeks_recorded": h.weeks_recorded,
            "due": [
                {
                    "code": d.code,
                    **names(d.code),
                    "weeks_since": d.weeks_since,
                    "last_visit": d.last_visit.isoformat() if d.last_visit else None,
                    "status": d.status,
                    "reason": d.reason,
                }
                for d in h.due
            ],
            "sites": [
                {
                    "code": s.code,
                    **names(s.code),
                    "last_visit": s.last_visit.isoformat() if s.last_visit else None,
                    "weeks_since": s.weeks_since,
                    "base_priority": s.base_priority,
                    "priority": s.priority,
                    "base_open": s.base_open,
                    "open": s.open,
                    "resolved_at_visits": s.resolved_at_visits,
                    "recency_factor": s.recency_factor,
                    "note": s.note,
                }
                for s in h.sites
            ],
            "notes": list(h.notes),
        },
        "replan": None
        if r is None
        else {
            "base_plan": r.base_plan,
            "done_through": r.done_through.isoformat(),
            "kept_visits": r.kept_visits,
            "changes": [
                {
                    "code": c.code,
                    **names(c.code),
                    "change": c.change,
                    "before": c.before,
                    "after": c.after,
                }
                for c in r.changes
            ],
            "row_changes": dict(r.row_changes),
        },
    }


def rolling_fields(data: dict) -> dict:
    """The :class:`WeekPlan` keyword arguments stored by :func:`rolling_sections`."""
    days_off = tuple(
        DayOff(_day(d["date"]), d["name_th"], d["name_en"], d["source"])
        for d in data.get("days_off", [])
    )
    h = data.get("history")
    history = None
    if h is not None:
        history = HistoryInfo(
            source=h["source"],
            recency_weeks=int(h["recency_weeks"]),
            max_gap_weeks=int(h["max_gap_weeks"]),
            weeks_recorded=int(h["weeks_recorded"]),
            due=tuple(
                DueSite(
                    code=d["code"],
                    weeks_since=int(d["weeks_since"]),
                    last_visit=_day(d["last_visit"]),
                    status=d["status"],
                    reason=d["reason"],
                )
                for d in h["due"]
            ),
            sites=tuple(
                SiteHistory(
                    code=s["code"],
                    last_visit=_day(s["last_visit"]),
                    weeks_since=s["weeks_since"],
                    base_priority=float(s["base_priority"]),
                    priority=float(s["priority"]),
                    base_open=int(s["base_open"]),
                    open=int(s["open"]),
                    resolved_at_visits=int(s["resolved_at_visits"]),
                    recency_factor=float(s["recency_factor"]),
                    note=s["note"],
                )
                for s in h["sites"]
            ),
            notes=tuple(h.get("notes", ())),
        )
    r = data.get("replan")
    replan = None
    if r is not None:
        replan = ReplanInfo(
            base_plan=r["base_plan"],
            done_through=_day(r["done_through"]),
            kept_visits=int(r["kept_visits"]),
            changes=tuple(
                VisitChange(c["code"], c["change"], c["before"], c["after"]) for c in r["changes"]
            ),
            row_changes=dict(r.get("row_changes", {})),
        )
    return {
        "days_off": days_off,
        "history": history,
        "replan": replan,
        "notes": tuple(data.get("notes", ())),
    }


def plan_from_dict(data: dict, *, source: str = "plan.json") -> WeekPlan:
    def need(obj: dict, key: str, where: str = ""):
        if key not in obj:
            raise InputError("missing", source=source, field=f"{where}{key}")
        return obj[key]

    check_plan_data(data, source=source)
    try:
        par = need(data, "parameters")
        travel = TravelModel.from_json(par.get("travel", {}))
        sites: dict[str, Site] = {}
        scores: dict[str, SiteScore] = {}
        for s in need(data, "sites"):
            sites[s["code"]] = Site(
                code=s["code"],
                level=s["level"],
                name_th=s["name_th"],
                name_en=s["name_en"],
                province_code=s["province_code"],
                district_code=s["district_code"],
                lon=float(s["lon"]),
                lat=float(s["lat"]),
                area_km2=float(s["area_km2"]),
                site_source=s["site_source"],
            )
            if s["open_complaints"] or s["resolved_complaints"]:
                scores[s["code"]] = SiteScore(
                    code=s["code"],
                    priority=float(s["priority"]),
                    open=int(s["open_complaints"]),
                    resolved=int(s["resolved_complaints"]),
                    by_category=dict(s["by_category"]),
                )
        # the same site order as plan_week: bases in province order, then candidates by code
        ordered = [sites["BASE" + p] for p in par["provinces"]] + sorted(
            (x for x in sites.values() if not x.is_base), key=lambda x: x.code
        )
        # osm and osrm plans carry their drive times: the graph or the server may be gone
        stored = data.get("travel_matrix")
        matrix = (
            matrix_from_json(stored, model=travel.describe())
            if stored
            else travel_matrix(ordered, travel)
        )
        routes = []
        for r in need(data, "routes"):
            ud = UnitDay(
                unit=r["unit"],
                province_code=r["province_code"],
                date=dt.date.fromisoformat(r["date"]),
                base=r["base"],
                day_start=seconds_of(r["day_start"]),
                day_end=seconds_of(r["day_end"]),
            )
            stops = tuple(
                Stop(
                    stop=int(s["stop"]),
                    code=s["code"],
                    kind=s["kind"],
                    arrive=seconds_of(s["arrive"]),
                    depart=seconds_of(s["depart"]),
                    drive_seconds=int(s["drive_minutes"]) * 60,
                    drive_metres=int(s.get("drive_metres", round(s["drive_km"] * 1000))),
                    priority=float(s["priority"]),
                )
                for s in r["stops"]
            )
            routes.append(Route(unit_day=ud, stops=stops))
        unvisited = tuple(
            Unvisited(
                code=u["code"],
                priority=float(u["priority"]),
                reason_code=u["reason_code"],
                reason=u["reason"],
            )
            for u in need(data, "unvisited")
        )
        sv = need(data, "solver")
        detail = {
            k: v
            for k, v in sv.items()
            if k not in ("engine", "status", "quality", "bound", "gap", "seconds")
        }
        info = SolveInfo(
            engine=sv["engine"],
            status=sv["status"],
            objective=float(data["objective"]["value"]),
            bound=sv["bound"],
            seconds=float(sv["seconds"]),
            detail=detail,
        )
        c = need(data, "complaints")
        summary = ComplaintSummary(
            source=c["source"],
            rows=int(c["rows"]),
            accepted=int(c["accepted"]),
            rejected=int(c["rejected"]),
            open=int(c["open_in_planned_provinces"]),
            moved_to_seat=int(c.get("counted_at_district_seat_tambon", 0)),
        )
        ref = par.get("priority_reference_date")
        params = PlanParameters(
            provinces=tuple(par["provinces"]),
            level=par["level"],
            week=par["week"],
            dates=tuple(dt.date.fromisoformat(d) for d in par["dates"]),
            units=int(par["units_per_province"]),
            day_start=seconds_of(par["day_start"]),
            day_end=seconds_of(par["day_end"]),
            service_seconds=int(par["service_minutes"]) * 60,
            minutes_per_point=float(par["minutes_per_point"]),
            must_visit=tuple(par["must_visit"]),
            skip=tuple(par["skip"]),
            time_limit=float(par["time_limit_seconds"]),
            seed=int(par["seed"]),
            engine=par["engine"],
            bases=dict(par.get("base_at", {})),
            complaints_source=par["complaints"],
            reference_date=dt.date.fromisoformat(ref) if ref else None,
            weights_source=par["weights"],
            travel_model=par["travel_model"],
            site_overrides=par.get("site_overrides") or "",
            travel=travel.to_json(),
            population_source=par.get("population") or "",
            overnight=bool(par.get("overnight", False)),
            max_nights=int(par.get("max_nights", 0)),
            night_cost=float(par.get("night_cost", 0.0)),
            lodging_source=par.get("lodging") or "",
            lodgings={
                str(prov): tuple(str(c) for c in codes)
                for prov, codes in (par.get("lodgings") or {}).items()
            },
        )
        legs = legs_from_json(data.get("legs") or {})
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"malformed plan file ({exc.__class__.__name__}: {exc})", source=source
        ) from None
    created = data.get("created")
    try:
        rolling = rolling_fields(data)
        request = PlanRequest.from_json(data["request"]) if "request" in data else None
    except ParameterError as exc:
        key = exc.param.lstrip("-").replace("-", "_")  # the option's field: --day-end, day_end
        raise InputError(exc.reason, source=source, field=f"request.{key}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"malformed plan file ({exc.__class__.__name__}: {exc})", source=source
        ) from None
    try:
        created_at = dt.datetime.fromisoformat(created) if created else None
    except ValueError:
        raise InputError(
            "must be a date and time (ISO 8601)", source=source, field="created"
        ) from None
    plan = WeekPlan(
        parameters=params,
        sites=sites,
        scores=scores,
        matrix=matrix,
        routes=tuple(routes),
        unvisited=unvisited,
        solve=info,
        complaints=summary,
        created=created_at,
        population={str(k): int(v) for k, v in (data.get("population") or {}).items()},
        request=request,
        legs=legs,
        **rolling,
    )
    if request is None:  # an older file: replan derives the request from its parameters
        try:
            request_of(plan)
        except ParameterError as exc:
            key = _PARAMETER_OF.get(exc.param, exc.param.lstrip("-").replace("-", "_"))
            raise InputError(exc.reason, source=source, field=f"parameters.{key}") from None
    return plan


#: the plan.json parameter of an option whose name differs (for errors in older files)
_PARAMETER_OF = {
    "--units": "units_per_province",
    "--time-limit": "time_limit_seconds",
    "--base": "base_at",
    "--sites": "site_overrides",
    "--days": "dates",
}


def read_plan(path: str | Path) -> WeekPlan:
    """Read and check a plan.json (its folder's interrupted write completed first:
    :func:`caravan.atomic.recover`)."""
    path = Path(path)
    recover(path.parent)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", source=str(path), line=exc.lineno) from None
    except RecursionError:
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep: not a caravan plan file", source=str(path)
        ) from None
    if not isinstance(data, dict):
        raise InputError("not a caravan plan file", source=str(path))
    return plan_from_dict(data, source=str(path))


# ---------------------------------------------------------------------------- checks
#
# A plan.json may have been edited by hand or by a hostile program before it comes back to
# export, replan or history record: :func:`check_plan_data` checks its schema (the types of
# every field it reads, finite numbers, a bounded nesting depth) and its own invariants
# (times in order within each day, dates within the planned week, every visited site one of
# the plan's sites and of the built-in geography), and raises one InputError naming the
# JSON path of the first bad field. A new section (the tours of issue 13, say) is one more
# entry in :data:`PLAN_SCHEMA` and, if it has invariants, one more function in
# :data:`PLAN_INVARIANTS`.

#: deeper than this is no plan caravan wrote (the deepest, solver.provinces.X.detail, is 5)
MAX_DEPTH = 16
#: no count, minute or metre in a plan comes near this
MAX_NUMBER = 1e12

Check = Callable[[object, str], None]


class _Fault(Exception):
    """A bad field of a plan file: its JSON path and what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _bad(path: str, message: str) -> _Fault:
    return _Fault(path, message)


def _type(kind: type | tuple[type, ...], name: str) -> Check:
    def check(value: object, path: str) -> None:
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise _bad(path, f"must be {name}, not true/false")
        if not isinstance(value, kind):
            raise _bad(path, f"must be {name}, not {_kind_of(value)}")

    return check


def _kind_of(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


TEXT = _type(str, "a text")
FLAG = _type(bool, "true or false")


def NUMBER(value: object, path: str) -> None:
    _type((int, float), "a number")(value, path)
    if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):  # type: ignore[arg-type]
        raise _bad(path, f"must be a finite number of at most {MAX_NUMBER:g}, got {value}")


def WHOLE(value: object, path: str) -> None:
    _type(int, "a whole number")(value, path)
    NUMBER(value, path)


def DATE(value: object, path: str) -> None:
    TEXT(value, path)
    try:
        dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except ValueError:
        raise _bad(path, "must be a date YYYY-MM-DD") from None


def CLOCK(value: object, path: str) -> None:
    TEXT(value, path)
    if not _HHMM.match(value):  # type: ignore[arg-type]
        raise _bad(path, "must be a time HH:MM (00:00 to 23:59)")


def ANY(value: object, path: str) -> None:
    pass


def nullable(check: Check) -> Check:
    def checked(value: object, path: str) -> None:
        if value is not None:
            check(value, path)

    return checked


def one_of(*choices: str) -> Check:
    def check(value: object, path: str) -> None:
        if value not in choices:
            raise _bad(path, f"must be one of {', '.join(choices)}")

    return check


def list_of(item: Check) -> Check:
    def check(value: object, path: str) -> None:
        _type(list, "a list")(value, path)
        for i, x in enumerate(value):  # type: ignore[arg-type]
            item(x, f"{path}[{i}]")

    return check


def mapping_of(item: Check) -> Check:
    def check(value: object, path: str) -> None:
        _type(dict, "an object")(value, path)
        for k, x in value.items():  # type: ignore[union-attr]
            item(x, f"{path}.{k}")

    return check


class Optional:
    """A key that may be missing."""

    def __init__(self, check: Check) -> None:
        self.check = check


def obj(**fields: Check | Optional) -> Check:
    def check(value: object, path: str) -> None:
        _type(dict, "an object")(value, path)
        for key, spec in fields.items():
            where = f"{path}.{key}" if path else key
            if key not in value:  # type: ignore[operator]
                if isinstance(spec, Optional):
                    continue
                raise _bad(where, "missing")
            (spec.check if isinstance(spec, Optional) else spec)(value[key], where)  # type: ignore[index]

    return check


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

_PLACE = {
    "code": TEXT,
    "name_th": TEXT,
    "name_en": TEXT,
    "province_code": TEXT,
    "district_code": TEXT,
    "lon": NUMBER,
    "lat": NUMBER,
}
_CATEGORY_COUNT = obj(category=TEXT, open=WHOLE, label_th=Optional(TEXT), label_en=Optional(TEXT))
_STOP = obj(
    **_PLACE,
    stop=WHOLE,
    kind=one_of("depart", "visit", "overnight", "return"),
    arrive=nullable(CLOCK),
    depart=nullable(CLOCK),
    drive_minutes=WHOLE,
    drive_km=NUMBER,
    drive_metres=Optional(WHOLE),
    priority=NUMBER,
    open_complaints=Optional(WHOLE),
    by_category=Optional(list_of(_CATEGORY_COUNT)),
)
_ROUTE = obj(
    date=DATE,
    unit=TEXT,
    province_code=TEXT,
    base=TEXT,
    day_start=CLOCK,
    day_end=CLOCK,
    drive_minutes=Optional(WHOLE),
    drive_km=Optional(NUMBER),
    priority=Optional(NUMBER),
    stops=list_of(_STOP),
)
_SITE = obj(
    **_PLACE,
    level=one_of("district", "tambon", "base", "lodging"),
    area_km2=NUMBER,
    site_source=TEXT,
    priority=NUMBER,
    open_complaints=WHOLE,
    resolved_complaints=WHOLE,
    by_category=mapping_of(WHOLE),
)
_NIGHT = obj(
    date=DATE,
    code=TEXT,
    name_th=TEXT,
    name_en=TEXT,
    lon=NUMBER,
    lat=NUMBER,
    from_base_km=NUMBER,
    from_base_minutes=WHOLE,
)
#: written for readers; reading a plan back takes the tours from the routes
_TOUR = obj(
    unit=TEXT,
    province_code=TEXT,
    dates=list_of(DATE),
    nights=list_of(_NIGHT),
    night_points=NUMBER,
)
_HISTORY = obj(
    source=TEXT,
    recency_weeks=WHOLE,
    max_gap_weeks=WHOLE,
    weeks_recorded=WHOLE,
    due=list_of(
        obj(
            code=TEXT,
            weeks_since=WHOLE,
            last_visit=nullable(DATE),
            status=TEXT,
            reason=TEXT,
        )
    ),
    sites=list_of(
        obj(
            code=TEXT,
            last_visit=nullable(DATE),
            weeks_since=nullable(WHOLE),
            base_priority=NUMBER,
            priority=NUMBER,
            base_open=WHOLE,
            open=WHOLE,
            resolved_at_visits=WHOLE,
            recency_factor=NUMBER,
            note=TEXT,
        )
    ),
    notes=Optional(list_of(TEXT)),
)
_REPLAN = obj(
    base_plan=TEXT,
    done_through=DATE,
    kept_visits=WHOLE,
    changes=list_of(obj(code=TEXT, change=TEXT, before=ANY, after=ANY)),
    row_changes=Optional(mapping_of(ANY)),
)

_TRAVEL = obj(
    mode=Optional(one_of(*TRAVEL_MODES)),
    detour_factor=Optional(NUMBER),
    speed_kmh=Optional(NUMBER),
    road=Optional(mapping_of(NUMBER)),
    roads=Optional(TEXT),
    osrm_url=Optional(TEXT),
    osrm_profile=Optional(TEXT),
)
#: the request that made the plan (caravan.plan.request.PlanRequest.to_json)
_REQUEST = obj(
    format=WHOLE,
    travel=_TRAVEL,
    history=nullable(
        obj(
            use_history=Optional(FLAG),
            recency_weeks=Optional(nullable(WHOLE)),
            max_gap_weeks=Optional(nullable(WHOLE)),
        )
    ),
    **{
        key: Optional(check)
        for key, check in {
            "complaints": TEXT,
            "encoding": TEXT,
            "sheet": TEXT,
            "columns": mapping_of(list_of(TEXT)),
            "strict": FLAG,
            "population": TEXT,
            "provinces": list_of(TEXT),
            "level": TEXT,
            "week": nullable(TEXT),
            "days": WHOLE,
            "units": WHOLE,
            "day_start": _type((str, int), "a time HH:MM"),  # its value: PlanRequest checks
            "day_end": _type((str, int), "a time HH:MM"),
            "service_minutes": nullable(WHOLE),
            "minutes_per_point": NUMBER,
            "must_visit": list_of(TEXT),
            "skip": list_of(TEXT),
            "bases": mapping_of(TEXT),
            "sites": TEXT,
            "weights": TEXT,
            "time_limit": NUMBER,
            "seed": WHOLE,
            "engine": TEXT,
            "holidays": list_of(DATE),
            "workdays": list_of(DATE),
            "overnight": FLAG,
            "lodging": TEXT,
            "max_nights": WHOLE,
            "night_cost": NUMBER,
        }.items()
    },
)

#: the sections of plan.json and what each holds (what :func:`plan_from_dict` reads)
PLAN_SCHEMA: dict[str, Check | Optional] = {
    "parameters": obj(
        provinces=list_of(one_of(*PROVINCES)),
        level=one_of(*LEVELS),
        week=TEXT,
        dates=list_of(DATE),
        units_per_province=WHOLE,
        day_start=CLOCK,
        day_end=CLOCK,
        service_minutes=WHOLE,
        minutes_per_point=NUMBER,
        must_visit=list_of(TEXT),
        skip=list_of(TEXT),
        time_limit_seconds=NUMBER,
        seed=WHOLE,
        engine=TEXT,
        base_at=Optional(mapping_of(TEXT)),
        complaints=TEXT,
        priority_reference_date=Optional(nullable(DATE)),
        weights=TEXT,
        travel_model=TEXT,
        travel=Optional(_TRAVEL),
        site_overrides=Optional(nullable(TEXT)),
        population=Optional(nullable(TEXT)),
        overnight=Optional(FLAG),
        max_nights=Optional(WHOLE),
        night_cost=Optional(NUMBER),
        lodging=Optional(nullable(TEXT)),
        lodgings=Optional(mapping_of(list_of(TEXT))),
    ),
    "objective": obj(value=NUMBER, nights=Optional(WHOLE), night_points=Optional(NUMBER)),
    "solver": obj(
        engine=TEXT, status=TEXT, bound=nullable(NUMBER), seconds=NUMBER, gap=Optional(ANY)
    ),
    "complaints": obj(
        source=TEXT,
        rows=WHOLE,
        accepted=WHOLE,
        rejected=WHOLE,
        open_in_planned_provinces=WHOLE,
        counted_at_district_seat_tambon=Optional(WHOLE),
    ),
    "routes": list_of(_ROUTE),
    "unvisited": list_of(
        obj(
            code=TEXT,
            priority=NUMBER,
            reason_code=TEXT,
            reason=TEXT,
            open_complaints=Optional(WHOLE),
        )
    ),
    "sites": list_of(_SITE),
    "tours": Optional(list_of(_TOUR)),
    "created": Optional(nullable(TEXT)),
    "population": Optional(mapping_of(WHOLE)),
    "days_off": Optional(list_of(obj(date=DATE, name_th=TEXT, name_en=TEXT, source=TEXT))),
    "notes": Optional(list_of(TEXT)),
    "history": Optional(nullable(_HISTORY)),
    "replan": Optional(nullable(_REPLAN)),
    "travel_matrix": Optional(ANY),
    "legs": Optional(mapping_of(list_of(list_of(NUMBER)))),
    "request": Optional(_REQUEST),
}


def _depth_ok(data: object) -> bool:
    """True when ``data`` nests at most :data:`MAX_DEPTH` lists and objects deep (walked
    without recursion, so that any depth is safe to check)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return False
            children = value.values() if isinstance(value, dict) else value
            stack.extend((c, depth + 1) for c in children)
    return True


def _week_of_dates(data: dict) -> None:
    par = data["parameters"]
    try:
        label, monday = parse_week(par["week"], param="week")
    except ParameterError as exc:
        raise _bad("parameters.week", exc.reason) from None
    days = {monday + dt.timedelta(days=i) for i in range(7)}
    for i, d in enumerate(par["dates"]):
        if dt.date.fromisoformat(d) not in days:
            raise _bad(f"parameters.dates[{i}]", f"{d} is not in week {label}")
    for i, r in enumerate(data["routes"]):
        if dt.date.fromisoformat(r["date"]) not in days:
            raise _bad(f"routes[{i}].date", f"{r['date']} is not in week {label}")


def _times_in_order(data: dict) -> None:
    for i, r in enumerate(data["routes"]):
        last, where = seconds_of(r["day_start"]), f"routes[{i}].day_start"
        if seconds_of(r["day_end"]) <= last:
            raise _bad(f"routes[{i}].day_end", "must be after day_start")
        for j, s in enumerate(r["stops"]):
            for key in ("arrive", "depart"):
                t = seconds_of(s[key])
                if t is None:
                    continue
                here = f"routes[{i}].stops[{j}].{key}"
                if t < last:
                    raise _bad(here, f"{s[key]} is before {where} ({hhmm(last)})")
                last, where = t, here
        if last > seconds_of(r["day_end"]):
            raise _bad(where, f"{hhmm(last)} is after the day's end ({r['day_end']})")


def _known_sites(data: dict) -> None:
    from caravan.geo.geography import load_geography

    geo = load_geography()
    codes = set()
    for i, s in enumerate(data["sites"]):
        known = geo.sites.get(s["code"])
        if s["level"] not in ("base", "lodging") and (known is None or known.level != s["level"]):
            raise _bad(f"sites[{i}].code", f"unknown {s['level']} code '{s['code']}'")
        if s["level"] == "base" and s["code"] not in {f"BASE{p}" for p in PROVINCES}:
            raise _bad(f"sites[{i}].code", f"unknown base '{s['code']}'")
        codes.add(s["code"])
    for p in data["parameters"]["provinces"]:
        if f"BASE{p}" not in codes:
            raise _bad("sites", f"no base of province {p} (BASE{p})")
    for i, r in enumerate(data["routes"]):
        for j, s in enumerate(r["stops"]):
            if s["code"] not in codes:
                raise _bad(
                    f"routes[{i}].stops[{j}].code", f"'{s['code']}' is not a site of the plan"
                )
    for i, u in enumerate(data["unvisited"]):
        if u["code"] not in codes:
            raise _bad(f"unvisited[{i}].code", f"'{u['code']}' is not a site of the plan")


#: checks of a plan's own consistency, run in this order after the schema
PLAN_INVARIANTS: tuple[Callable[[dict], None], ...] = (
    _week_of_dates,
    _times_in_order,
    _known_sites,
)


def check_plan_data(data: object, *, source: str = "plan.json") -> dict:
    """Check a parsed plan.json (module section "checks"); returns it, or raises one
    InputError naming ``source`` and the JSON path of the first bad field."""
    try:
        if not _depth_ok(data):
            raise _bad("", f"nested more than {MAX_DEPTH} levels deep: not a caravan plan file")
        if not isinstance(data, dict) or data.get("format") != "caravan-plan":
            raise _bad("", 'not a caravan plan file (no "format": "caravan-plan")')
        version = data.get("format_version")
        if version is None:
            raise _bad("format_version", "missing")
        if isinstance(version, bool) or not isinstance(version, int):
            raise _bad("format_version", f"not a version number: {_kind_of(version)}")
        if version > PLAN_FORMAT_VERSION or version < 1:
            raise _bad(
                "format_version",
                f"written by a newer caravan (format version {version}; this caravan reads "
                f"up to {PLAN_FORMAT_VERSION}): upgrade caravan"
                if version > 0
                else f"not a version number: {version}",
            )
        obj(**PLAN_SCHEMA)(data, "")
        for invariant in PLAN_INVARIANTS:
            invariant(data)
    except _Fault as fault:
        raise InputError(fault.message, source=source, field=fault.path) from None
    return data
