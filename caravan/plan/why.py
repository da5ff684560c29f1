"""Why each visit is in the plan, in numbers a planner can check.

The plan maximises ``sum of priority - drive minutes / minutes_per_point``. For a visit
that means, and the map and the printable itinerary say:

* its **priority** and its **rank** among the sites of its province that have open
  complaints (1 = the highest priority; equal priorities share a rank);
* its **detour**: the drive minutes the visit adds to its route,
  ``drive(previous -> site) + drive(site -> next) - drive(previous -> next)``, what that costs
  in points (``detour minutes / minutes_per_point``) and the **net gain** (priority minus that
  cost: positive for every visit of an optimal plan that is not a must-visit);
* the **open complaints reached per extra drive hour** (``open complaints x 60 / detour
  minutes``);
* whether the planner made it a **must-visit**, and whether the fairness rule of the
  rolling plan made it **due** (not visited for ``--max-gap-weeks`` weeks, see
  :mod:`caravan.plan.rolling`).
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.types import Route, WeekPlan


@dataclass(frozen=True)
class VisitReason:
    code: str
    priority: float
    rank: int  # 1 = highest priority among the province's sites with open complaints
    ranked: int  # how many sites of the province have a priority above 0
    open_complaints: int
    detour_seconds: int  # drive time the visit adds to its route
    minutes_per_point: float
    must_visit: bool = False
    due_weeks: int = 0  # > 0: required by the fairness rule after that many weeks
    due_reason: str = ""  # the rule's own sentence

    @property
    def detour_minutes(self) -> int:
        return self.detour_seconds // 60

    @property
    def detour_points(self) -> float:
        return self.detour_minutes / self.minutes_per_point

    @property
    def net_points(self) -> float:
        return self.priority - self.detour_points

    @property
    def per_drive_hour(self) -> float | None:
        """Open complaints reached per hour of extra driving (None without extra driving)."""
        if self.detour_minutes <= 0:
            return None
        return self.open_complaints * 60 / self.detour_minutes

    def lines(self) -> list[tuple[str, str]]:
        """The reasons as (Thai, English) pairs, most important first."""
        out = []
        if self.must_visit:
            out.append(("ต้องไป (ผู้วางแผนกำหนด)", "must-visit (set by the planner)"))
        if self.due_weeks:
            out.append(
                (
                    f"ถึงรอบต้องไป: ไม่ได้ไปมา {self.due_weeks} สัปดาห์ (กติกาความเป็นธรรม)",
                    self.due_reason or f"due: {self.due_weeks} week(s) without a visit",
                )
            )
        if self.rank:
            out.append(
                (
                    f"ความสำคัญ {self.priority:.2f} คะแนน อันดับ {self.rank} จาก {self.ranked} "
                    f"แห่งที่มีเรื่องค้างในจังหวัด",
                    f"priority {self.priority:.2f} points, rank {self.rank} of {self.ranked} "
                    f"sites with open complaints in the province",
                )
            )
        else:
            out.append(("ความสำคัญ 0 คะแนน", "priority 0 points"))
        out.append(
            (
                f"ขับรถเพิ่ม {self.detour_minutes} นาที ({self.detour_points:.2f} คะแนน) "
                f"ได้สุทธิ {self.net_points:.2f} คะแนน",
                f"adds {self.detour_minutes} drive minutes ({self.detour_points:.2f} points): "
                f"net gain {self.net_points:.2f} points",
            )
        )
        rate = self.per_drive_hour
        if rate is None:
            out.append(
                (
                    f"เรื่องค้าง {self.open_complaints} เรื่อง อยู่บนเส้นทาง ไม่ต้องขับรถเพิ่ม",
                    f"{self.open_complaints} open complaints on the way: no extra driving",
                )
            )
        else:
            out.append(
                (
                    f"เรื่องค้าง {self.open_complaints} เรื่อง = {rate:.2f} เรื่องต่อชั่วโมงที่ขับเพิ่ม",
                    f"{self.open_complaints} open complaints: {rate:.2f} per extra drive hour",
                )
            )
        return out


def priority_ranks(plan: WeekPlan) -> dict[str, tuple[int, int]]:
    """code -> (rank, how many ranked) for every candidate site with a priority above 0,
    ranked within its province (competition ranking: 1, 2, 2, 4)."""
    by_prov: dict[str, list[tuple[str, float]]] = {}
    for code, site in plan.sites.items():
        if site.is_base:
            continue
        score = plan.scores.get(code)
        prio = score.priority if score else 0.0
        if prio > 0:
            by_prov.setdefault(site.province_code, []).append((code, prio))
    out = {}
    for items in by_prov.values():
        values = [p for _, p in items]
        for code, prio in items:
            out[code] = (1 + sum(1 for v in values if v > prio), len(items))
    return out


def _detour(plan: WeekPlan, route: Route, index: int) -> int:
    prev, cur, nxt = route.stops[index - 1], route.stops[index], route.stops[index + 1]
    direct = 0 if prev.code == nxt.code else plan.matrix.drive_seconds(prev.code, nxt.code)
    return cur.drive_seconds + nxt.drive_seconds - direct


def visit_reasons(
    plan: WeekPlan, *, ranks: dict[str, tuple[int, int]] | None = None
) -> dict[str, VisitReason]:
    """code -> :class:`VisitReason` for every visit of the plan (``ranks``: the plan's
    :func:`priority_ranks`, when the caller has them already)."""
    if ranks is None:
        ranks = priority_ranks(plan)
    must = set(plan.parameters.must_visit)
    history = getattr(plan, "history", None)
    due = {
        d.code: d for d in (history.due if history else ()) if d.status in ("required", "served")
    }
    out = {}
    for route in plan.routes:
        for i, stop in enumerate(route.stops):
            if stop.kind != "visit":
                continue
            score = plan.scores.get(stop.code)
            rank, ranked = ranks.get(stop.code, (0, 0))
            out[stop.code] = VisitReason(
                code=stop.code,
                priority=stop.priority,
                rank=rank,
                ranked=ranked,
                open_complaints=score.open if score else 0,
                detour_seconds=_detour(plan, route, i),
                minutes_per_point=plan.parameters.minutes_per_point,
                must_visit=stop.code in must,
                due_weeks=due[stop.code].weeks_since if stop.code in due else 0,
                due_reason=due[stop.code].reason if stop.code in due else "",
            )
    return out
