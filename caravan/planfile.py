"""Read a ``plan.json`` back into a :class:`~caravan.types.WeekPlan`.

``plan.json`` (written by :func:`caravan.export.plan_json`) holds everything needed to redraw
or re-export a plan, and to replan from it: the parameters, every site with its complaint
counts, the routes with their times, the unvisited sites and their reasons, and the travel
model's parameters (the matrix is rebuilt from them: it is deterministic).
``format_version`` says which layout a file has; a file from a newer caravan is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from caravan.errors import InputError
from caravan.export import PLAN_FORMAT_VERSION
from caravan.rollingfile import rolling_fields
from caravan.travel import TravelModel, matrix_from_json, travel_matrix
from caravan.types import (
    ComplaintSummary,
    PlanParameters,
    Route,
    Site,
    SiteScore,
    SolveInfo,
    Stop,
    UnitDay,
    Unvisited,
    WeekPlan,
)


def _secs(hhmm: str | None) -> int | None:
    if hhmm is None or hhmm == "":
        return None
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


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
                day_start=_secs(r["day_start"]),
                day_end=_secs(r["day_end"]),
            )
            stops = tuple(
                Stop(
                    stop=int(s["stop"]),
                    code=s["code"],
                    kind=s["kind"],
                    arrive=_secs(s["arrive"]),
                    depart=_secs(s["depart"]),
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
            day_start=_secs(par["day_start"]),
            day_end=_secs(par["day_end"]),
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
