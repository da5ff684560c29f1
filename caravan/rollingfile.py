"""The rolling-planning sections of ``plan.json``, written and read back.

``days_off``  the days of the planned week that are not worked, with their names
``notes``     calendar and fairness notes (the summary prints them too)
``history``   null when no history was used; else the rules' parameters, the sites whose
              score the history changed (``sites``) and the due sites with what became of
              them (``due``: status ``required``, ``unreachable``, ``over_capacity`` or
              ``skipped``, and the reason)
``replan``    null for a plan made from scratch; for ``caravan replan``: the plan it
              replaces, the day the kept visits run to, and every change (``changes``:
              ``added``, ``removed``, ``moved`` to another day or unit, ``retimed``)
"""

from __future__ import annotations

import datetime as dt

from caravan.types import (
    DayOff,
    DueSite,
    HistoryInfo,
    ReplanInfo,
    SiteHistory,
    VisitChange,
    WeekPlan,
)


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
