"""``plan.json``: a plan written out and read back, in one module with one version number.

``plan.json`` holds everything needed to redraw or re-export a plan, and to replan from it:
the parameters, every site with its complaint counts, the routes with their times, the
unvisited sites and their reasons, the travel model's parameters (the matrix is rebuilt
from them: it is deterministic; ``osm`` and ``osrm`` plans carry it) and the rolling-planning
sections:

``days_off``  the days of the planned week that are not worked, with their names
``notes``     calendar and fairness notes (the summary prints them too)
``history``   null when no history was used; else the rules' parameters, the sites whose
              score the history changed (``sites``) and the due sites with what became of
              them (``due``: status ``required``, ``unreachable``, ``over_capacity`` or
              ``skipped``, and the reason)
``replan``    null for a plan made from scratch; for ``caravan replan``: the plan it
              replaces, the day the kept visits run to, and every change (``changes``:
              ``added``, ``removed``, ``moved`` to another day or unit, ``retimed``)

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
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from caravan import __version__
from caravan.clock import hhmm, seconds_of
from caravan.complaints.categories import category_label
from caravan.errors import InputError, ParameterError
from caravan.outputs.tours import unit_tours
from caravan.plan.request import PlanRequest
from caravan.travel.matrix import (
    EXTERNAL_MODES,
    TravelModel,
    matrix_from_json,
    matrix_to_json,
    travel_matrix,
)
from caravan.types import (
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

    if data.get("format") != "caravan-plan":
        raise InputError('not a caravan plan file (no "format": "caravan-plan")', source=source)
    version = need(data, "format_version")
    if not isinstance(version, int) or version > PLAN_FORMAT_VERSION:
        raise InputError(
            f"written by a newer caravan (format version {version}; this caravan reads up to "
            f"{PLAN_FORMAT_VERSION}): upgrade caravan",
            source=source,
            field="format_version",
        )
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
    except InputError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
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
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"malformed plan file ({exc.__class__.__name__}: {exc})", source=source
        ) from None
    return WeekPlan(
        parameters=params,
        sites=sites,
        scores=scores,
        matrix=matrix,
        routes=tuple(routes),
        unvisited=unvisited,
        solve=info,
        complaints=summary,
        created=dt.datetime.fromisoformat(created) if created else None,
        population={str(k): int(v) for k, v in (data.get("population") or {}).items()},
        request=request,
        **rolling,
    )


def read_plan(path: str | Path) -> WeekPlan:
    path = Path(path)
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
    if not isinstance(data, dict):
        raise InputError("not a caravan plan file", source=str(path))
    return plan_from_dict(data, source=str(path))
