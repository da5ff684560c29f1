"""The plan summary that ``caravan plan`` and ``caravan replan`` print (and the web page shows).

Plain lines of text: the week and what was planned, the complaints read and rejected by
reason, the visits, drive and objective, the nights away, the solver's verdict and the
travel model; the
history's part comes from :func:`caravan.outputs.report.plan_history_lines`.
"""

from __future__ import annotations

from collections import Counter

from caravan.outputs.tours import unit_tours
from caravan.types import WeekPlan


def summary_lines(plan: WeekPlan) -> list[str]:
    p = plan.parameters
    c = plan.complaints
    drive_h = plan.drive_seconds / 3600
    lines = [
        f"week {p.week} ({p.dates[0].isoformat()} to {p.dates[-1].isoformat()}), "
        f"{p.level} level, provinces {', '.join(p.provinces)}, {p.units} unit(s) each",
        f"complaints: {c.rows} rows read from {c.source}, {c.accepted} accepted, "
        f"{c.rejected} rejected; {c.open} open in the planned provinces",
    ]
    if c.rejects:
        kinds = Counter(r.kind or r.reason.split(":")[0] for r in c.rejects)
        lines.append(
            "  rejected by reason: "
            + ", ".join(
                f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            )
        )
    for r in c.rejects[:10]:
        lines.append(f"  rejected {r.message()}")
    if c.rejected > 10:
        lines.append(f"  ... and {c.rejected - 10} more rejected rows (see rejects.csv)")
    nights = f" - {plan.nights} night(s) x {p.night_cost:g}" if plan.nights else ""
    lines += [
        f"visits: {len(plan.visits)} on {len(plan.routes)} unit-day(s); complaints reached: "
        f"{plan.complaints_reached}; drive: {drive_h:.1f} h, {plan.drive_metres / 1000:.0f} km",
        f"objective: {plan.objective:.2f} = priority {plan.total_priority:.2f} - "
        f"{plan.drive_seconds // 60} drive min / {p.minutes_per_point:g}{nights}",
        *night_lines(plan),
        f"solver: {plan.solve.engine}, {plan.solve.describe()}, {plan.solve.seconds:.1f} s",
        f"travel: {p.travel_model}",
    ]
    return lines


def night_lines(plan: WeekPlan) -> list[str]:
    """One line per night away: the unit, the date, where it sleeps, how far from base."""
    out = []
    for tour in unit_tours(plan):
        for n in tour.nights:
            out.append(
                f"night away: unit {n.unit}, {n.date.isoformat()} at {n.code} ({n.name_en}), "
                f"{n.from_base_metres / 1000:.0f} km / {n.from_base_seconds // 60} drive min "
                "from the base"
            )
    return out
