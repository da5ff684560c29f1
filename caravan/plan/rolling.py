"""How the visit history shapes the next plan: resolved complaints, recency and fairness.

Every rule reads only the *active* visits recorded before the planned week (see
:mod:`caravan.history.store`), never the week itself. A visit counts as made unless its outcome
says it did not take place. At district level a tambon visit counts for its district; at
tambon level a district visit counts for the tambon holding the district office.

**Resolved on the spot.** An outcome gives, per visit, the complaints resolved there (a
count, and optionally their ids). At the next plans:

* complaints whose ids were listed count as resolved, whatever the export says;
* the rest of the count is matched to the site's complaints that were open and received on
  or before the visit day: first the complaints that have left the open list since the
  visit (the export caught up) are set against it, and whatever remains of the count is
  taken as the oldest of those still open (received first, then by id). They count as
  resolved. Complaints received after the visit always count in full.

**Recency** (``--recency-weeks N``; 3 at district level, 8 at tambon level by default; 0
turns it off). For a site whose last visit was ``w`` weeks before the planned week (``w`` =
1 is last week), the complaints received on or before that visit count with the factor
``(w - 1) / N`` while ``w <= N``, in full after that. So a site visited last week rests
(it is left out of the plan unless it is required: ``--must-visit`` or due), and a site
visited two weeks ago with N = 3 counts its old complaints at one third. New complaints,
received after the visit, always count in full.

**Fairness** (``--max-gap-weeks K``; 4 at district level, 26 at tambon level by default; 0
turns it off). A district (or tambon, at tambon level) becomes *due* when ``w >= K``: without
a visit this week the gap would exceed K weeks. A site never visited counts from the first
recorded week of its province (as if visited the week before); with no history for a
province nothing is due yet. Due sites become required, most overdue first (then by
priority). A due site that cannot be reached and served within a day, even with the nights
away allowed (docs/tours.md), is reported as such.
When more sites are due than the week can surely serve, the plan first tries to serve them
all; if no plan can, it requires as many as the week has unit-days (each can always be
served alone on a unit-day), most overdue first, and reports the others as due but over
capacity: they are due again, and first, next week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from caravan.clock import week_label, weeks_between
from caravan.history.store import HistorySnapshot, VisitRecord
from caravan.plan.priority import Weights, site_of
from caravan.types import (
    Complaint,
    DueSite,
    Level,
    Site,
    SiteHistory,
    SiteScore,
    Unvisited,
)

DEFAULT_RECENCY_WEEKS: dict[str, int] = {"district": 3, "tambon": 8}
DEFAULT_MAX_GAP_WEEKS: dict[str, int] = {"district": 4, "tambon": 26}


@dataclass(frozen=True)
class RollingOptions:
    """History rules for :func:`caravan.plan.week.plan_week` (None: the level's default)."""

    history: HistorySnapshot | None = None
    recency_weeks: int | None = None
    max_gap_weeks: int | None = None
    #: sites that are not candidates, with the reason (a replan: visited this week)
    exclude: Mapping[str, Unvisited] = field(default_factory=dict)
    #: due sites carried over from the plan a replan replaces (when no history is read)
    carried_due: tuple[DueSite, ...] = ()

    def recency(self, level: str) -> int:
        return DEFAULT_RECENCY_WEEKS[level] if self.recency_weeks is None else self.recency_weeks

    def max_gap(self, level: str) -> int:
        return DEFAULT_MAX_GAP_WEEKS[level] if self.max_gap_weeks is None else self.max_gap_weeks


@dataclass(frozen=True)
class Applied:
    scores: dict[str, SiteScore]
    sites: tuple[SiteHistory, ...]
    due: tuple[DueSite, ...]  # ordered: most overdue first; status "required" for now
    rest: dict[str, Unvisited]  # visited last week: not candidates unless required
    last_visit: dict[str, dt.date]


def counts_for(v: VisitRecord, level: str, seat_tambon: Mapping[str, str]) -> str | None:
    """The site at ``level`` that visit ``v`` counts for."""
    if v.level == level:
        return v.code
    if level == "district":
        return v.district_code
    return seat_tambon.get(v.district_code)


def resolved_at_visits(
    visits: Iterable[VisitRecord],
    complaints: Sequence[Complaint],
    seat_tambon: Mapping[str, str],
) -> dict[str, str]:
    """complaint id -> the site code of the visit where it is taken as resolved (module doc)."""
    done: dict[str, str] = {}
    by_site: dict[tuple[str, str], list[Complaint]] = defaultdict(list)
    for c in complaints:
        if c.status == "resolved":
            continue
        by_site[("district", c.district_code)].append(c)
        by_site[("tambon", c.tambon_code or seat_tambon.get(c.district_code, ""))].append(c)
    for v in sorted(visits, key=lambda v: (v.date, v.unit, v.code)):
        if not v.made or (v.resolved <= 0 and not v.resolved_ids):
            continue
        old = [
            c
            for c in by_site.get((v.level, v.code), ())
            if c.received <= v.date and c.id not in done
        ]
        listed = set(v.resolved_ids)
        for c in old:
            if c.id in listed:
                done[c.id] = v.code
        remaining = sorted((c for c in old if c.id not in listed), key=lambda c: (c.received, c.id))
        count = max(0, v.resolved - len(listed))
        already = max(0, (v.open_complaints - len(listed)) - len(remaining))
        pending = max(0, count - already)
        for c in remaining[:pending]:
            done[c.id] = v.code
    return done


def apply_history(
    *,
    options: RollingOptions,
    complaints: Sequence[Complaint],
    level: Level,
    week_monday: dt.date,
    weights: Weights,
    seat_tambon: Mapping[str, str],
    candidates: Sequence[Site],
    base_scores: Mapping[str, SiteScore],
) -> Applied:
    """Apply the rules of the module docstring to the scores of one planned week."""
    snap = options.history or HistorySnapshot.empty()
    n_recency = options.recency(level)
    k_gap = options.max_gap(level)
    visits = [v for v in snap.visits if v.date < week_monday]
    made = [v for v in visits if v.made]
    last: dict[str, dt.date] = {}
    for v in made:
        code = counts_for(v, level, seat_tambon)
        if code is not None and (code not in last or v.date > last[code]):
            last[code] = v.date

    done = resolved_at_visits(visits, complaints, seat_tambon)
    prio: dict[str, float] = defaultdict(float)
    n_open: Counter[str] = Counter()
    n_resolved: Counter[str] = Counter()
    n_done: Counter[str] = Counter()
    cats: dict[str, Counter[str]] = defaultdict(Counter)
    factors: dict[str, float] = {}
    for code, day in last.items():
        w = weeks_between(day, week_monday)
        factors[code] = (w - 1) / n_recency if (n_recency > 0 and w <= n_recency) else 1.0
    for c in complaints:
        code, _ = site_of(c, level, seat_tambon)
        if c.status == "resolved":
            n_resolved[code] += 1
            continue
        if c.id in done:
            n_resolved[code] += 1
            n_done[code] += 1
            continue
        n_open[code] += 1
        cats[code][c.category] += 1
        factor = factors.get(code, 1.0) if c.received <= last.get(code, dt.date.min) else 1.0
        prio[code] += weights.complaint_weight(c, week_monday) * factor
    scores = {
        code: SiteScore(
            code=code,
            priority=round(prio.get(code, 0.0), 2),
            open=n_open[code],
            resolved=n_resolved[code],
            by_category=dict(sorted(cats[code].items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for code in set(n_open) | set(n_resolved)
    }

    cand_codes = {s.code for s in candidates}
    changed: list[SiteHistory] = []
    rest: dict[str, Unvisited] = {}
    for code in sorted(cand_codes):
        base = base_scores.get(code)
        new = scores.get(code)
        day = last.get(code)
        if day is None and not n_done[code]:
            continue
        w = weeks_between(day, week_monday) if day else None
        factor = factors.get(code, 1.0)
        notes = []
        if day is not None:
            notes.append(f"last visit {day.isoformat()} ({week_label(day)}, {w} week(s) ago)")
            if factor < 1.0:
                notes.append(
                    f"complaints received up to then count x{factor:.2f} "
                    f"(--recency-weeks {n_recency})"
                )
        if n_done[code]:
            notes.append(f"{n_done[code]} complaint(s) taken as resolved at visits")
        changed.append(
            SiteHistory(
                code=code,
                last_visit=day,
                weeks_since=w,
                base_priority=base.priority if base else 0.0,
                priority=new.priority if new else 0.0,
                base_open=base.open if base else 0,
                open=new.open if new else 0,
                resolved_at_visits=n_done[code],
                recency_factor=round(factor, 4),
                note="; ".join(notes),
            )
        )
        if w == 1 and n_recency > 0:
            rest[code] = Unvisited(
                code,
                new.priority if new else 0.0,
                "recently_visited",
                f"visited last week ({day.isoformat()}): a site rests the week after a visit "
                f"unless it is required (--recency-weeks {n_recency})",
            )

    due: list[DueSite] = []
    if k_gap > 0:
        for s in candidates:
            day = last.get(s.code)
            if day is not None:
                w = weeks_between(day, week_monday)
            elif s.province_code in snap.first_monday:
                w = weeks_between(snap.first_monday[s.province_code], week_monday) + 1
            else:
                continue
            if w >= k_gap:
                since = (
                    f"last visit {day.isoformat()}" if day else "no visit since the history began"
                )
                due.append(
                    DueSite(
                        code=s.code,
                        weeks_since=w,
                        last_visit=day,
                        status="required",
                        reason=f"due: {w} week(s) without a visit ({since}; --max-gap-weeks "
                        f"{k_gap})",
                    )
                )
        due.sort(
            key=lambda d: (
                -d.weeks_since,
                -(scores[d.code].priority if d.code in scores else 0.0),
                d.code,
            )
        )
    return Applied(scores=scores, sites=tuple(changed), due=tuple(due), rest=rest, last_visit=last)


def with_status(due: DueSite, status: str, reason: str) -> DueSite:
    return dataclasses.replace(due, status=status, reason=reason)


def capacity_note(*, province: str, level: str, sites: int, unit_days: int, k_gap: int) -> str:
    """A note when the fairness rule cannot hold for every site, even in principle."""
    if k_gap <= 0 or unit_days <= 0:
        return ""
    weeks = -(-sites // unit_days)  # one visit per unit-day, the least a day can surely hold
    if weeks <= k_gap:
        return ""
    noun = "districts" if level == "district" else "tambons"
    return (
        f"province {province}: {sites} {noun} and {unit_days} unit-day(s) this week: at one "
        f"visit per unit-day it takes {weeks} weeks to reach them all, more than "
        f"--max-gap-weeks {k_gap}; due {noun} are served most overdue first"
    )


def split_due(
    due: Sequence[DueSite],
    *,
    must: Sequence[str],
    skip: Sequence[str],
    gone: Mapping[str, Unvisited],
    unreachable: Callable[[str], str | None],
) -> tuple[list[DueSite], list[DueSite]]:
    """(due sites to require if capacity allows, due sites already settled with a status).
    ``unreachable(code)`` says why a site cannot be served this week (None: it can)."""
    cands: list[DueSite] = []
    settled: list[DueSite] = []
    for d in due:
        if d.code in gone:
            settled.append(with_status(d, "required", f"{d.reason}; {gone[d.code].reason}"))
        elif d.code in must:
            settled.append(with_status(d, "required", f"{d.reason}; also a --must-visit site"))
        elif d.code in skip:
            settled.append(with_status(d, "skipped", f"{d.reason}; skipped by the user (--skip)"))
        elif (why := unreachable(d.code)) is not None:
            settled.append(with_status(d, "unreachable", f"{d.reason}; {why}"))
        else:
            cands.append(d)
    return cands, settled


def mark_due(
    cands: Sequence[DueSite],
    required: Sequence[DueSite],
    unit_days: int,
    visited: Iterable[str] = (),
) -> list[DueSite]:
    """Final statuses of the due candidates: required, served (visited without being
    required), or over capacity."""
    req = {d.code for d in required}
    seen = set(visited)
    out = []
    for d in cands:
        if d.code in req:
            out.append(d)
        elif d.code in seen:
            out.append(
                with_status(d, "served", f"{d.reason}; not required (over capacity) but visited")
            )
        else:
            out.append(
                with_status(
                    d,
                    "over_capacity",
                    f"{d.reason}; {len(cands)} sites fell due and no plan of the week's "
                    f"{unit_days} unit-day(s) serves them all, so the {len(req)} most overdue "
                    "were required: it is due again next week",
                )
            )
    return out


def explain_unvisited(
    unvisited: Iterable[Unvisited], left_out: Mapping[str, Unvisited], due: Sequence[DueSite]
) -> list[Unvisited]:
    """Give left-out sites their own reason, and say when an unvisited site was due."""
    by_code = {d.code: d for d in due}
    out = []
    for u in unvisited:
        if u.code in left_out:
            lo = left_out[u.code]
            out.append(Unvisited(u.code, u.priority, lo.reason_code, lo.reason))
        elif u.code in by_code:
            d = by_code[u.code]
            code = "due_over_capacity" if d.status == "over_capacity" else u.reason_code
            reason = d.reason if u.reason_code == "skipped" else f"{d.reason}; {u.reason}"
            out.append(Unvisited(u.code, u.priority, code, reason))
        else:
            out.append(u)
    return out
