"""Text and HTML reports on the visit history and on a plan's use of it.

* :func:`plan_history_lines`: what the summary of ``caravan plan`` / ``replan`` adds (days
  off, due sites, resting sites, changes);
* :func:`plans_table`, :func:`week_table`: ``caravan history list`` and ``show WEEK``;
* :func:`season_report` -> :class:`SeasonReport`, rendered by :func:`season_tables` and
  :func:`season_html` (``caravan report --from WEEK --to WEEK``): visits per district,
  complaints reached and resolved per week, weeks since each district's last visit, and the
  nights away (docs/tours.md) per week and per unit over the season, as the active plans of
  each week planned them (read from their ``plan.json``'s ``tours``). The HTML page is
  self-contained: its charts are inline SVG, nothing is loaded from the network.
  A planned visit counts as made only when an outcome says so or, without an outcome, once
  its day has passed (before "today", :func:`caravan.clock.today`); the visits still to
  come are counted apart (``to_come``) and count for nothing else.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from caravan import clock
from caravan.clock import monday_of, week_labels, weeks_between
from caravan.errors import InputError
from caravan.history.store import History, PlanRecord
from caravan.outputs.labels import date_label
from caravan.plan.rolling import DEFAULT_MAX_GAP_WEEKS
from caravan.text import text_table
from caravan.types import PROVINCES, WeekPlan

# ---------------------------------------------------------------------------- plan summary


def plan_history_lines(plan: WeekPlan) -> list[str]:
    lines = []
    if plan.days_off:
        lines.append(
            "days off: "
            + "; ".join(f"{d.date.isoformat()} {d.name_en} ({d.source})" for d in plan.days_off)
        )
    h = plan.history
    if h is not None:
        src = h.source or "none read"
        lines.append(
            f"history: {src}, {h.weeks_recorded} earlier week(s) recorded; recency "
            f"{h.recency_weeks} week(s), max gap {h.max_gap_weeks} week(s)"
        )
        resting = [u.code for u in plan.unvisited if u.reason_code == "recently_visited"]
        if resting:
            lines.append(f"  resting (visited last week): {', '.join(resting)}")
        changed = [s for s in h.sites if s.priority != s.base_priority]
        if changed:
            lines.append(f"  priority lowered by the history at {len(changed)} site(s)")
        by_status: dict[str, list[str]] = defaultdict(list)
        for d in h.due:
            by_status[d.status].append(f"{d.code} ({d.weeks_since} wk)")
        if h.due:
            lines.append(f"  due for a visit: {len(h.due)}")
            for status in ("required", "served", "over_capacity", "unreachable", "skipped"):
                if by_status[status]:
                    lines.append(f"    {status}: {', '.join(by_status[status])}")
            for d in h.due:
                if d.status not in ("required", "served"):
                    lines.append(f"    {d.code}: {d.reason}")
    for n in plan.notes:
        lines.append(f"note: {n}")
    r = plan.replan
    if r is not None:
        counts = Counter(c.change for c in r.changes)
        summary = ", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "moved", "retimed"))
        lines.append(f"changes against {r.base_plan}: {summary}")
        for c in r.changes:
            lines.append(f"  {c.change:8s} {c.code}  {c.before or '-'} -> {c.after or '-'}")
    return lines


# ---------------------------------------------------------------------------- history list/show


def plan_status(p: PlanRecord) -> str:
    """``active``, ``replaced by #3``, ... (the status column of ``caravan history list``)."""
    if p.visits == 0:
        return "recorded (no visits)"
    if p.active_visits == p.visits:
        return "active"
    by = ", ".join(f"#{i}" for i in p.superseded_by)
    if p.active_visits == 0:
        return f"replaced by {by}"
    return f"partly replaced by {by}"


def plans_table(plans: Sequence[PlanRecord]) -> list[str]:
    rows = [
        (
            f"#{p.id}",
            p.week,
            p.level,
            " ".join(p.provinces),
            p.visits,
            f"replan of #{p.replan_of}" if p.replan_of else "plan",
            plan_status(p),
            p.recorded,
            p.source,
        )
        for p in plans
    ]
    return text_table(
        ("plan", "week", "level", "provinces", "visits", "kind", "status", "recorded", "source"),
        rows,
    )


def unknown_week(history: History, week: str) -> InputError:
    weeks = history.weeks()
    if not weeks:
        return InputError(
            "the history is empty: record a plan first (caravan plan --commit, or caravan "
            "history record PLAN.json)",
            source=str(history.path),
        )
    return InputError(
        f"week {week} is not in the history (recorded weeks: {weeks[0]} to {weeks[-1]})",
        source=str(history.path),
    )


def week_table(history: History, week: str) -> list[str]:
    plans = history.plans(week=week)
    if not plans:
        raise unknown_week(history, week)
    visits = history.visits(weeks=[week])
    lines = [
        f"week {week}: {len(visits)} active visit(s) from plan(s) "
        + ", ".join(f"#{p.id}" for p in plans if p.active_visits)
    ]
    rows = []
    for v in visits:
        if v.visited is None:
            outcome = ("", "", "", "not reported")
        else:
            outcome = ("yes" if v.visited else "no", v.resolved, v.escalated, v.note)
        rows.append(
            (
                v.date.isoformat(),
                v.unit,
                v.arrive,
                v.code,
                v.name_en,
                v.name_th,
                v.open_complaints,
                *outcome,
            )
        )
    lines += text_table(
        (
            "date",
            "unit",
            "arrive",
            "code",
            "name_en",
            "name_th",
            "open",
            "visited",
            "resolved",
            "escalated",
            "note",
        ),
        rows,
    )
    lines.append("plans recorded for this week:")
    lines += ["  " + x for x in plans_table(plans)]
    return lines


# ---------------------------------------------------------------------------- season report


@dataclass(frozen=True)
class WeekRow:
    week: str
    visits: int  # planned (active) visits
    made: int  # made by today (VisitRecord.made_by)
    to_come: int  # planned on today or later, without an outcome
    districts: int
    reached: int  # open complaints at the visited sites (made visits)
    resolved: int
    escalated: int
    reported: int  # visits with an outcome
    nights: int = 0  # nights away planned by the week's active plans, all units


@dataclass(frozen=True)
class DistrictRow:
    province_code: str
    code: str
    name_th: str
    name_en: str
    visits: int  # made visits in the range (tambon visits count for their district)
    last_visit: dt.date | None  # up to the end of the range, earlier weeks included
    weeks_since: int | None  # from the week of the last visit to the --to week


@dataclass(frozen=True)
class UnitNights:
    """A unit's nights away over the season: how many, in which weeks, and where."""

    unit: str
    nights: int
    weeks: tuple[str, ...]  # the weeks with at least one night away
    lodgings: tuple[str, ...]  # names (English) of the lodgings, most used first


@dataclass(frozen=True)
class SeasonReport:
    source: str
    first: str
    last: str
    weeks: tuple[WeekRow, ...]
    districts: tuple[DistrictRow, ...]
    max_gap_weeks: int
    today: dt.date  # the day the visits were counted as made or still to come
    units: tuple[UnitNights, ...] = ()

    @property
    def nights(self) -> int:
        return sum(u.nights for u in self.units)


def season_nights(
    history: History, weeks: Sequence[str], provinces: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    """Every night away of the active plans of ``weeks``: (week, unit, date, lodging name).
    A plan counts for the provinces whose visits of that week it still holds."""
    out = []
    for w in weeks:
        active: dict[int, set[str]] = defaultdict(set)
        for v in history.visits(weeks=[w], provinces=provinces):
            active[v.plan_id].add(v.province_code)
        for plan_id, provs in sorted(active.items()):
            data = json.loads(history.plan_json(plan_id))
            for tour in data.get("tours", []):
                if tour["province_code"] not in provs:
                    continue
                out += [(w, tour["unit"], n["date"], n["name_en"]) for n in tour["nights"]]
    return out


def season_report(
    history: History,
    *,
    first: str,
    last: str,
    provinces: Sequence[str] | None = None,
    max_gap_weeks: int | None = None,
    today: dt.date | None = None,
) -> SeasonReport:
    """The report of the weeks ``first`` to ``last`` as of ``today`` (default
    :func:`caravan.clock.today`; module docstring)."""
    from caravan.geo.geography import load_geography

    today = today or clock.today()
    weeks = week_labels(first, last)
    recorded = history.weeks()
    in_plans = {p for rec in history.plans() if rec.week in weeks for p in rec.provinces}
    provs = tuple(provinces) if provinces else tuple(p for p in PROVINCES if p in in_plans)
    if not recorded:
        raise unknown_week(history, first)
    if not set(weeks) & set(recorded):
        raise InputError(
            f"no recorded week between {first} and {last} (recorded weeks: {recorded[0]} to "
            f"{recorded[-1]})",
            source=str(history.path),
        )
    end = monday_of(last) + dt.timedelta(days=7)
    all_visits = [v for v in history.visits(before=end, provinces=provs)]
    in_range = [v for v in all_visits if v.week in weeks]
    nights = season_nights(history, weeks, provs)
    week_rows = []
    for w in weeks:
        vs = [v for v in in_range if v.week == w]
        made = [v for v in vs if v.made_by(today)]
        week_rows.append(
            WeekRow(
                week=w,
                visits=len(vs),
                made=len(made),
                to_come=sum(v.visited is None and v.date >= today for v in vs),
                districts=len({v.district_code for v in made}),
                reached=sum(v.open_complaints for v in made),
                resolved=sum(v.resolved for v in made),
                escalated=sum(v.escalated for v in made),
                reported=sum(v.visited is not None for v in vs),
                nights=sum(1 for n in nights if n[0] == w),
            )
        )
    geo = load_geography()
    count: Counter[str] = Counter(v.district_code for v in in_range if v.made_by(today))
    last_visit: dict[str, dt.date] = {}
    for v in all_visits:
        if v.made_by(today) and v.date > last_visit.get(v.district_code, dt.date.min):
            last_visit[v.district_code] = v.date
    districts = []
    for s in geo.candidates(level="district", provinces=provs):
        day = last_visit.get(s.code)
        districts.append(
            DistrictRow(
                province_code=s.province_code,
                code=s.code,
                name_th=s.name_th,
                name_en=s.name_en,
                visits=count[s.code],
                last_visit=day,
                weeks_since=weeks_between(day, monday_of(last)) if day else None,
            )
        )
    return SeasonReport(
        source=str(history.path),
        first=first,
        last=last,
        weeks=tuple(week_rows),
        districts=tuple(districts),
        max_gap_weeks=DEFAULT_MAX_GAP_WEEKS["district"] if max_gap_weeks is None else max_gap_weeks,
        today=today,
        units=tuple(
            UnitNights(
                unit=unit,
                nights=sum(1 for n in nights if n[1] == unit),
                weeks=tuple(sorted({n[0] for n in nights if n[1] == unit})),
                lodgings=tuple(
                    name for name, _ in Counter(n[3] for n in nights if n[1] == unit).most_common()
                ),
            )
            for unit in sorted({n[1] for n in nights})
        ),
    )


WEEK_COLUMNS = (
    "week",
    "visits",
    "made",
    "to_come",
    "districts",
    "complaints_reached",
    "resolved",
    "escalated",
    "outcomes_reported",
    "nights_away",
)


def _week_rows(rep: SeasonReport) -> list[tuple[object, ...]]:
    """One row per week, the columns of :data:`WEEK_COLUMNS`."""
    return [
        (
            w.week,
            w.visits,
            w.made,
            w.to_come,
            w.districts,
            w.reached,
            w.resolved,
            w.escalated,
            f"{w.reported}/{w.visits}",
            w.nights,
        )
        for w in rep.weeks
    ]


def _made_rule(rep: SeasonReport) -> str:
    return (
        f"a visit counts as made once its day has passed (before {rep.today.isoformat()}) or "
        "an outcome says so; to_come: planned visits still ahead"
    )


def season_tables(rep: SeasonReport) -> list[str]:
    lines = [f"season report {rep.first} to {rep.last} ({rep.source})", "", "per week:"]
    lines += text_table(WEEK_COLUMNS, _week_rows(rep))
    lines.append(_made_rule(rep))
    tot = (
        sum(w.visits for w in rep.weeks),
        sum(w.reached for w in rep.weeks),
        sum(w.resolved for w in rep.weeks),
        sum(w.escalated for w in rep.weeks),
    )
    lines.append(
        f"total: {tot[0]} visits, {tot[1]} complaints reached, {tot[2]} resolved, "
        f"{tot[3]} escalated, {rep.nights} night(s) away"
    )
    if rep.units:
        lines += ["", "nights away per unit (the season):"]
        lines += text_table(
            ("unit", "nights", "weeks", "lodgings"),
            [(u.unit, u.nights, " ".join(u.weeks), ", ".join(u.lodgings)) for u in rep.units],
        )
    lines += ["", f"per district (weeks since the last visit, as of {rep.last}):"]
    lines += text_table(
        ("province", "code", "name_en", "name_th", "visits", "last_visit", "weeks_since"),
        [
            (
                d.province_code,
                d.code,
                d.name_en,
                d.name_th,
                d.visits,
                d.last_visit.isoformat() if d.last_visit else "never",
                "" if d.weeks_since is None else d.weeks_since,
            )
            for d in rep.districts
        ],
    )
    overdue = [
        d.code for d in rep.districts if d.weeks_since is None or d.weeks_since >= rep.max_gap_weeks
    ]
    lines.append(
        f"districts without a visit for {rep.max_gap_weeks}+ weeks (or never): "
        + (", ".join(overdue) if overdue else "none")
    )
    return lines


# ---------------------------------------------------------------------------- HTML + SVG

_BLUE, _GREEN, _ORANGE, _RED, _GREY = "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#999999"


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


#: the season page's words, English and Thai (``season_html(lang=...)``); column keys are
#: those of :data:`WEEK_COLUMNS` and of the unit and district tables
_PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "caravan season report {first} to {last}",
        "note": (
            "History: {source}. Complaints reached: open complaints at the visited sites when "
            "the visit was planned; resolved and escalated: as reported by the field teams "
            "(outcome files). A visit reported as not made counts for nothing; a visit counts "
            "as made once its day has passed (before {today}) or an outcome says so; to come: "
            "planned visits still ahead."
        ),
        "per_week": "Complaints reached and resolved per week",
        "per_unit": "Nights away per unit",
        "nights_note": "{nights} night(s) away in the season, as planned.",
        "per_district": "Visits per district",
        "since": "Weeks since each district's last visit (as of {last})",
        "reached": "complaints reached",
        "resolved": "complaints resolved",
        "escalated": "complaints escalated",
        "resolved_col": "resolved",
        "escalated_col": "escalated",
        "never": "never",
        "max_gap": "max gap {weeks} weeks",
        "week": "week",
        "visits": "visits",
        "made": "made",
        "to_come": "to come",
        "districts": "districts",
        "complaints_reached": "complaints reached",
        "outcomes_reported": "outcomes reported",
        "nights_away": "nights away",
        "unit": "unit",
        "nights": "nights",
        "weeks": "weeks",
        "lodgings": "lodgings",
        "province": "province",
        "code": "code",
        "name_th": "name_th",
        "name_en": "name_en",
        "last_visit": "last visit",
        "weeks_since": "weeks since",
    },
    "th": {
        "title": "รายงานผลคาราวาน สัปดาห์ {first} ถึง {last}",
        "note": (
            "ฐานข้อมูลประวัติ: {source} เรื่องร้องเรียนที่เข้าถึง: เรื่องที่ยังเปิดอยู่ ณ จุดที่ลงพื้นที่ "
            "เมื่อวางแผน; แก้ไขแล้วและส่งต่อ: ตามที่ทีมภาคสนามรายงาน (ไฟล์ผลการลงพื้นที่) "
            "การลงพื้นที่ที่รายงานว่าไม่ได้ไปไม่นับ; การลงพื้นที่นับว่าไปแล้วเมื่อวันนั้นผ่านไปแล้ว "
            "(ก่อน {today}) หรือมีผลรายงานว่าไป; ยังไม่ถึงวัน: การลงพื้นที่ตามแผนที่ยังมาไม่ถึง"
        ),
        "per_week": "เรื่องร้องเรียนที่เข้าถึงและแก้ไขได้ รายสัปดาห์",
        "per_unit": "การพักค้างคืน รายหน่วย",
        "nights_note": "พักค้างคืนตามแผน {nights} คืนในช่วงนี้",
        "per_district": "การลงพื้นที่ รายอำเภอ",
        "since": "จำนวนสัปดาห์นับจากการลงพื้นที่ครั้งล่าสุดของแต่ละอำเภอ (ณ {last})",
        "reached": "เรื่องที่เข้าถึง",
        "resolved": "เรื่องที่แก้ไขได้",
        "escalated": "เรื่องที่ส่งต่อ",
        "never": "ยังไม่เคย",
        "max_gap": "เว้นได้ไม่เกิน {weeks} สัปดาห์",
        "week": "สัปดาห์",
        "visits": "ลงพื้นที่ตามแผน",
        "made": "ไปแล้ว",
        "to_come": "ยังไม่ถึงวัน",
        "districts": "อำเภอ",
        "complaints_reached": "เรื่องที่เข้าถึง",
        "resolved_col": "แก้ไขแล้ว",
        "escalated_col": "ส่งต่อ",
        "outcomes_reported": "รายงานผลแล้ว",
        "nights_away": "คืนที่พักค้าง",
        "unit": "หน่วย",
        "nights": "คืน",
        "weeks": "สัปดาห์",
        "lodgings": "ที่พัก",
        "province": "จังหวัด",
        "code": "รหัส",
        "name_th": "ชื่อ (ไทย)",
        "name_en": "ชื่อ (อังกฤษ)",
        "last_visit": "ลงพื้นที่ครั้งล่าสุด",
        "weeks_since": "สัปดาห์นับจากครั้งล่าสุด",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in _PAGE_WORDS:
        raise ValueError(f"no season page in language {lang!r} (en, th)")
    return _PAGE_WORDS[lang]


def _column(words: dict[str, str], key: str) -> str:
    """A column's heading: the words' own for a column whose name is also a chart label."""
    return words.get(f"{key}_col") or words.get(key) or key.replace("_", " ")


def _svg_week_bars(rep: SeasonReport, words: dict[str, str]) -> str:
    """Grouped bars per week: complaints reached, resolved, escalated."""
    series = (("reached", _BLUE), ("resolved", _GREEN), ("escalated", _ORANGE))
    top = max([1, *(max(w.reached, w.resolved, w.escalated) for w in rep.weeks)])
    bw, gap, left, h = 12, 14, 48, 220
    width = max(left + len(rep.weeks) * (3 * bw + gap) + 20, left + 3 * 130 + 20)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h + 60}" '
        f'role="img" aria-label="{_esc(words["per_week"])}">'
    ]
    for i in range(5):
        y = 10 + h - h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
            f"{round(top * i / 4)}</text>"
        )
    for k, w in enumerate(rep.weeks):
        x0 = left + k * (3 * bw + gap) + gap / 2
        for j, (name, colour) in enumerate(series):
            v = getattr(w, name)
            bh = h * v / top
            parts.append(
                f'<rect x="{x0 + j * bw:.1f}" y="{10 + h - bh:.1f}" width="{bw - 1}" '
                f'height="{bh:.1f}" fill="{colour}"><title>{_esc(w.week)} '
                f"{_esc(words[name])}: {v}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + 1.5 * bw:.1f}" y="{h + 24}" text-anchor="middle" font-size="10">'
            f"{_esc(w.week[5:])}</text>"
        )
    for j, (name, colour) in enumerate(series):
        parts.append(
            f'<rect x="{left + j * 130}" y="{h + 38}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + j * 130 + 14}" y="{h + 47}" font-size="11">'
            f"{_esc(words[name])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _svg_district_bars(
    rep: SeasonReport, attr: str, label: str, limit: int | None, words: dict[str, str]
) -> str:
    """One horizontal bar per district (visits, or weeks since the last visit)."""
    rows = rep.districts
    values = [getattr(d, attr) for d in rows]
    top = max([1, *(v for v in values if v is not None), limit or 0])
    left, bar, w = 190, 14, 420
    h = len(rows) * (bar + 4) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 60}" height="{h}" '
        f'role="img" aria-label="{_esc(label)}">'
    ]
    for i, (d, v) in enumerate(zip(rows, values, strict=True)):
        y = 10 + i * (bar + 4)
        never = v is None
        length = w if never else w * v / top
        colour = _GREY if never else (_RED if limit is not None and v >= limit else _BLUE)
        text = _esc(words["never"]) if never else str(v)
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 3}" text-anchor="end" font-size="11">'
            f"{_esc(d.code)} {_esc(d.name_th)}</text>"
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}">'
            f"<title>{_esc(d.name_en)}: {text}</title></rect>"
            f'<text x="{left + length + 4:.1f}" y="{y + bar - 3}" font-size="11">{text}</text>'
        )
    if limit is not None:
        x = left + w * limit / top
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{h - 16}" stroke="{_RED}" '
            f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{h - 4}" font-size="10" '
            f'text-anchor="middle" fill="{_RED}">{_esc(words["max_gap"].format(weeks=limit))}'
            "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc('' if c is None else c)}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def season_html(rep: SeasonReport, *, lang: str = "en", source: str | None = None) -> str:
    """The season report as one self-contained page, in English (``lang="en"``, ISO dates)
    or Thai (``"th"``, Buddhist-era dates); ``source`` names the history database on the
    page instead of its path (the web page shows only its file name)."""
    words = _words(lang)

    def day(d: dt.date) -> str:
        return date_label(d, "buddhist") if lang == "th" else d.isoformat()

    title = words["title"].format(first=rep.first, last=rep.last)
    unit_rows = [(u.unit, u.nights, " ".join(u.weeks), ", ".join(u.lodgings)) for u in rep.units]
    district_rows = [
        (
            d.province_code,
            d.code,
            d.name_th,
            d.name_en,
            d.visits,
            day(d.last_visit) if d.last_visit else words["never"],
            "" if d.weeks_since is None else d.weeks_since,
        )
        for d in rep.districts
    ]
    note = words["note"].format(
        source=rep.source if source is None else source,
        today=day(rep.today),
    )
    since = words["since"].format(last=rep.last)
    district_columns = (
        "province", "code", "name_th", "name_en", "visits", "last_visit", "weeks_since"
    )  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{_esc(title)}</title>
<style>
body {{ font-family: "Noto Sans Thai", "Sarabun", Tahoma, sans-serif; margin: 24px; }}
table {{ border-collapse: collapse; margin: 8px 0 24px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; font-size: 13px; text-align: left; }}
th {{ background: #f2f2f2; }}
h2 {{ margin-top: 28px; }}
.note {{ color: #555; font-size: 13px; }}
</style>
</head>
<body>
<h1>{_esc(title)}</h1>
<p class="note">{_esc(note)}</p>
<h2>{_esc(words["per_week"])}</h2>
{_svg_week_bars(rep, words)}
{_html_table([_column(words, c) for c in WEEK_COLUMNS], _week_rows(rep))}
<h2>{_esc(words["per_unit"])}</h2>
<p class="note">{_esc(words["nights_note"].format(nights=rep.nights))}</p>
{_html_table([_column(words, c) for c in ("unit", "nights", "weeks", "lodgings")], unit_rows)}
<h2>{_esc(words["per_district"])}</h2>
{_svg_district_bars(rep, "visits", words["per_district"], None, words)}
<h2>{_esc(since)}</h2>
{_svg_district_bars(rep, "weeks_since", since, rep.max_gap_weeks, words)}
{_html_table([_column(words, c) for c in district_columns], district_rows)}
</body>
</html>
"""


__all__ = [
    "SeasonReport",
    "plan_history_lines",
    "plan_status",
    "plans_table",
    "season_html",
    "season_report",
    "season_tables",
    "week_table",
]
