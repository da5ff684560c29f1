"""Write a plan: ``itinerary.csv``, ``plan.json`` (and ``map.html`` through :mod:`caravan.maps`,
``map.png`` through :mod:`caravan.staticmap`; other formats: :mod:`caravan.formats`).

``itinerary.csv`` is UTF-8 **with BOM** so that Excel shows Thai. One row per event, in this
column order (later columns may be added, these never renamed)::

    date,unit,stop,code,name_th,name_en,arrive,depart,drive_minutes,drive_km,priority,
    province_code,open_complaints

``stop`` 0 is the departure from the base, 1..n the visits, the last the return to the base.
``arrive``/``depart`` are HH:MM in Asia/Bangkok, empty where they do not apply;
``drive_minutes``/``drive_km`` are from the previous row of the same unit and day (empty at
stop 0). Text cells that start with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe so
that a spreadsheet never runs them as a formula.

Every file is written atomically; :func:`write_plan` writes all of them or none.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from caravan import __version__
from caravan.atomic import OutputDir, atomic_write_bytes, atomic_write_text
from caravan.model import hhmm
from caravan.priority import category_label
from caravan.rollingfile import rolling_sections
from caravan.travel import EXTERNAL_MODES, format_km, matrix_to_json
from caravan.types import WeekPlan

ITINERARY_COLUMNS = (
    "date",
    "unit",
    "stop",
    "code",
    "name_th",
    "name_en",
    "arrive",
    "depart",
    "drive_minutes",
    "drive_km",
    "priority",
    "province_code",
    "open_complaints",
)

PLAN_FORMAT_VERSION = 1

OBJECTIVE_TEXT = (
    "maximise the sum of priority of the visited sites minus total drive "
    "minutes divided by minutes_per_point"
)


def safe_cell(value: object) -> str:
    """A CSV text cell that spreadsheets show as text, never evaluate as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(row)
    return buf.getvalue()


def itinerary_rows(plan: WeekPlan) -> list[list[object]]:
    rows = []
    for route in plan.routes:
        ud = route.unit_day
        for s in route.stops:
            site = plan.sites[s.code]
            score = plan.scores.get(s.code)
            rows.append(
                [
                    ud.date.isoformat(),
                    safe_cell(ud.unit),
                    s.stop,
                    safe_cell(s.code),
                    safe_cell(site.name_th),
                    safe_cell(site.name_en),
                    hhmm(s.arrive) if s.arrive is not None else "",
                    hhmm(s.depart) if s.depart is not None else "",
                    "" if s.kind == "depart" else s.drive_seconds // 60,
                    "" if s.kind == "depart" else format_km(s.drive_metres),
                    f"{s.priority:.2f}" if s.kind == "visit" else "",
                    site.province_code,
                    score.open
                    if (score and s.kind == "visit")
                    else ("" if s.kind != "visit" else 0),
                ]
            )
    return rows


def itinerary_csv(plan: WeekPlan) -> str:
    if plan.replan is not None:  # a replan says, per visit, what changed (caravan.replan)
        from caravan.replan import with_changed_column

        return csv_text(
            (*ITINERARY_COLUMNS, "changed"), with_changed_column(plan, itinerary_rows(plan))
        )
    return csv_text(ITINERARY_COLUMNS, itinerary_rows(plan))


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
        "unvisited": unvisited,
        "sites": sites,
        # residents per area when --population was given: the map shades per 10,000 of them
        **({"population": dict(sorted(plan.population.items()))} if plan.population else {}),
        **rolling_sections(plan),
        **_matrix_section(plan),
    }


def _matrix_section(plan: WeekPlan) -> dict:
    """``osm`` and ``osrm`` plans carry their drive times (minutes, metres), so that exports
    and re-plans do not depend on the server or the road graph (``caravan.planfile``)."""
    if plan.parameters.travel.get("mode") not in EXTERNAL_MODES:
        return {}
    return {"travel_matrix": matrix_to_json(plan.matrix)}


def plan_json(plan: WeekPlan) -> str:
    return json.dumps(plan_dict(plan), ensure_ascii=False, indent=2) + "\n"


def rejects_csv(plan: WeekPlan) -> str:
    return csv_text(
        ("line", "field", "reason"),
        ([r.line, safe_cell(r.field), safe_cell(r.reason)] for r in plan.complaints.rejects),
    )


def write_plan(
    plan: WeekPlan,
    out: str | Path,
    *,
    with_map: bool = True,
    calendar: str = "gregorian",
    png: bool = False,
) -> list[Path]:
    """Write ``itinerary.csv``, ``plan.json``, ``rejects.csv`` (the complaint rows that could
    not be used; only the header when there are none), ``outcome_template.csv`` (for the
    field team, see :mod:`caravan.outcomes`), ``map.html`` (unless ``with_map`` is false) and
    ``map.png`` (if ``png``) into ``out``: all of them, or none if anything fails.
    ``calendar`` ("gregorian" or "buddhist") is the calendar of the dates on the maps."""
    from caravan.labels import check_calendar
    from caravan.outcomes import outcome_template_csv

    calendar = check_calendar(calendar)
    with OutputDir(out) as od:
        atomic_write_text(od.path("itinerary.csv"), itinerary_csv(plan), bom=True)
        atomic_write_text(od.path("plan.json"), plan_json(plan))
        atomic_write_text(od.path("rejects.csv"), rejects_csv(plan), bom=True)
        atomic_write_text(od.path("outcome_template.csv"), outcome_template_csv(plan), bom=True)
        if with_map:
            from caravan.maps import plan_map

            plan_map(plan, calendar=calendar).save(str(od.path("map.html")))
        if png:
            from caravan.staticmap import render_png

            atomic_write_bytes(od.path("map.png"), render_png(plan, calendar=calendar).data)
    return od.final_paths()
