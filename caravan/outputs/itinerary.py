"""The itinerary and the other CSV files of a plan, for Excel and the field team.

``itinerary.csv`` is UTF-8 **with BOM** so that Excel shows Thai. One row per event, in this
column order (later columns may be added, these never renamed)::

    date,unit,stop,code,name_th,name_en,arrive,depart,drive_minutes,drive_km,priority,
    province_code,open_complaints

``stop`` 0 is the departure from the base, 1..n the visits, the last the return to the base.
``arrive``/``depart`` are HH:MM in Asia/Bangkok, empty where they do not apply;
``drive_minutes``/``drive_km`` are from the previous row of the same unit and day (empty at
stop 0). A replan (:mod:`caravan.plan.replan`) adds a column ``changed``. Then, always:
``lat``, ``lon`` (WGS84, 6 decimals) of the row's site and ``kind``: ``depart``, ``visit``,
``overnight`` or ``return``.

On tour (docs/tours.md) a day that ends at a lodging has a last row of kind ``overnight``
with the lodging's code and the names "พักค้างคืน ..." / "overnight at ...", and the next
day's stop 0 departs from that lodging. Text cells go through
:func:`caravan.csvcells.safe_cell`, so a spreadsheet never runs them as a formula.

``rejects.csv``: the complaint rows that could not be used (``line,field,reason``).

``outcome_template.csv``: one row per visit, for the field team to fill in after the visits
(read back by :mod:`caravan.history.outcomes`), columns :data:`TEMPLATE_COLUMNS`.
"""

from __future__ import annotations

from caravan.clock import hhmm
from caravan.csvcells import csv_text, safe_cell
from caravan.travel.matrix import format_km
from caravan.types import Stop, WeekPlan

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

#: after ``changed`` (replans only): where each row happens and what it is
PLACE_COLUMNS = ("lat", "lon", "kind")

TEMPLATE_COLUMNS = (
    "date",
    "unit",
    "stop",
    "code",
    "name_th",
    "name_en",
    "open_complaints",
    "visited",
    "resolved",
    "escalated",
    "resolved_ids",
    "note",
)


def row_names(plan: WeekPlan, stop: Stop) -> tuple[str, str]:
    """(Thai, English) name of a row's place: an overnight row says the team sleeps there."""
    site = plan.sites[stop.code]
    if stop.kind == "overnight":
        return f"พักค้างคืน {site.name_th}", f"overnight at {site.name_en}"
    return site.name_th, site.name_en


def itinerary_rows(plan: WeekPlan) -> list[list[object]]:
    """One row per event, the columns :data:`ITINERARY_COLUMNS`, then ``changed`` for a
    replan (``done``, ``unchanged``, ``added``, ``moved``, ``retimed`` on a visit), then
    :data:`PLACE_COLUMNS`."""
    rows = []
    for route in plan.routes:
        ud = route.unit_day
        for s in route.stops:
            site = plan.sites[s.code]
            name_th, name_en = row_names(plan, s)
            score = plan.scores.get(s.code)
            changed = []
            if plan.replan is not None:
                changed = [
                    plan.replan.change_of(ud.date, ud.unit, s.code) if s.kind == "visit" else ""
                ]
            rows.append(
                [
                    ud.date.isoformat(),
                    safe_cell(ud.unit),
                    s.stop,
                    safe_cell(s.code),
                    safe_cell(name_th),
                    safe_cell(name_en),
                    hhmm(s.arrive) if s.arrive is not None else "",
                    hhmm(s.depart) if s.depart is not None else "",
                    "" if s.kind == "depart" else s.drive_seconds // 60,
                    "" if s.kind == "depart" else format_km(s.drive_metres),
                    f"{s.priority:.2f}" if s.kind == "visit" else "",
                    site.province_code,
                    score.open
                    if (score and s.kind == "visit")
                    else ("" if s.kind != "visit" else 0),
                    *changed,
                    f"{site.lat:.6f}",
                    f"{site.lon:.6f}",
                    s.kind,
                ]
            )
    return rows


def itinerary_header(plan: WeekPlan) -> tuple[str, ...]:
    return (
        *ITINERARY_COLUMNS,
        *(("changed",) if plan.replan is not None else ()),
        *PLACE_COLUMNS,
    )


def itinerary_csv(plan: WeekPlan) -> str:
    return csv_text(itinerary_header(plan), itinerary_rows(plan))


def rejects_csv(plan: WeekPlan) -> str:
    return csv_text(
        ("line", "field", "reason"),
        ([r.line, safe_cell(r.field), safe_cell(r.reason)] for r in plan.complaints.rejects),
    )


def template_rows(plan: WeekPlan) -> list[list[object]]:
    from caravan.outputs.itinerary import safe_cell

    rows = []
    for route in plan.routes:
        ud = route.unit_day
        for s in route.visits:
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
                    score.open if score else 0,
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return rows


def outcome_template_csv(plan: WeekPlan) -> str:
    from caravan.outputs.itinerary import csv_text

    return csv_text(TEMPLATE_COLUMNS, template_rows(plan))
