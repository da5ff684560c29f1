"""``plan_week``: the one function behind ``caravan plan`` and the notebooks.

The objective, maximised over every plan that respects the rules below::

    sum of the priority of the visited sites  -  total drive minutes / minutes_per_point

Rules: each site is visited at most once in the week; each unit leaves its province's base no
earlier than ``day_start`` and is back no later than ``day_end`` every day; each visit lasts
``service_minutes``; must-visit sites are in the plan (or the plan fails saying why); skipped
sites are not. Drive minutes are those of :func:`caravan.travel.travel_matrix` (what
``caravan matrix`` writes), counted on every leg including the way out and the way back.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from caravan import solver
from caravan.complaints import ComplaintFile, read_complaints
from caravan.complaints.table import ComplaintTable
from caravan.errors import InputError, NoPlanError, ParameterError, check_between
from caravan.geography import Geography, check_level, check_province, load_geography
from caravan.geography import read_site_overrides as _read_overrides
from caravan.model import build_province_model, duration_text, hhmm
from caravan.priority import load_weights, score_sites
from caravan.problem import Solution
from caravan.rolling import (
    RollingOptions,
    apply_history,
    capacity_note,
    explain_unvisited,
    mark_due,
    round_trip,
    split_due,
)
from caravan.schedule import routes_from_solution, unvisited_reasons
from caravan.travel import TravelModel, travel_matrix
from caravan.types import (
    PROVINCES,
    ComplaintSummary,
    HistoryInfo,
    PlanParameters,
    SiteScore,
    SolveInfo,
    TravelMatrix,
    UnitDay,
    WeekPlan,
)
from caravan.workdays import WorkWeek, working_days

BANGKOK = ZoneInfo("Asia/Bangkok")

#: Length of one visit when none is given. A district visit is a half-day event in the
#: district office (4 h): with the default day (08:30-16:30) a unit serves one district a
#: day, and every district of the three provinces is within a 4-hour round trip of its base.
#: A tambon visit (2 h) lets a unit serve two or three tambons a day.
DEFAULT_SERVICE_MINUTES = {"district": 240, "tambon": 120}
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def sample_complaints_path() -> Path:
    from caravan._resources import data_path

    return data_path("sample", "complaints.csv")


def today_bangkok() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


def parse_week(text: str | None, *, today: dt.date | None = None) -> tuple[str, dt.date]:
    """``"2026-W49"`` -> ("2026-W49", its Monday). ``None`` means next week."""
    if text is None:
        today = today or today_bangkok()
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
        y, w, _ = monday.isocalendar()
        return f"{y}-W{w:02d}", monday
    m = _WEEK.match(text.strip())
    if not m:
        raise ParameterError(f"'{text}' is not an ISO week like 2026-W49", param="--week")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ParameterError(f"'{text}': year {year} has no week {week}", param="--week") from None
    return f"{year}-W{week:02d}", monday


def parse_hhmm(text: str, param: str) -> int:
    m = _HHMM.match(text.strip())
    if not m:
        raise ParameterError(f"'{text}' is not a time like 08:30", param=param)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def _norm_code(code: str) -> str:
    code = code.strip()
    return code[2:] if code[:2].upper() == "TH" and code[2:].isdigit() else code


def plan_week(
    *,
    complaints: str | Path | ComplaintFile | None = None,
    provinces: Iterable[str] | None = None,
    level: str = "district",
    week: str | None = None,
    days: int = 5,
    units: int = 1,
    day_start: str = "08:30",
    day_end: str = "16:30",
    service_minutes: int | None = None,
    minutes_per_point: float = 10.0,
    must_visit: Sequence[str] = (),
    skip: Sequence[str] = (),
    time_limit: float = 10.0,
    seed: int = 0,
    engine: str = "auto",
    bases: Mapping[str, str] | Sequence[str] | None = None,
    site_overrides: str | Path | None = None,
    weights: str | Path | None = None,
    travel: TravelModel | None = None,
    matrix: TravelMatrix | None = None,
    today: dt.date | None = None,
    geography: Geography | None = None,
    progress: Callable[[str, float, float, float | None], None] | None = None,
    solve_fn: Callable[..., Solution] | None = None,
    holidays: Sequence[str | dt.date] = (),
    workdays: Sequence[str | dt.date] = (),
    rolling: RollingOptions | None = None,
    only_dates: Sequence[dt.date] | None = None,
    given_scores: Mapping[str, SiteScore] | None = None,
    strict: bool = False,
    population: str | Path | Mapping[str, int] | None = None,
) -> WeekPlan:
    """Plan one week for the caravan units of the given provinces.

    Parameters mirror ``caravan plan`` (see ``caravan plan --help``). ``complaints`` is a CSV
    path (default: the built-in sample) or an already read :class:`ComplaintFile`. ``bases``
    moves a province's base to a district or tambon site: a mapping ``{province: code}`` or a
    list of codes (the province is read from the code). ``progress(province, elapsed, best,
    bound)`` is called while solving. ``solve_fn`` replaces :func:`caravan.solver.solve` (same
    signature); the benchmarks use it to run other engines on exactly the same problems.
    ``strict`` makes any rejected complaint row an InputError. ``population`` (a
    ``code,population`` CSV or a mapping) makes the map shade open complaints per 10,000
    residents instead of per km² (see :mod:`caravan.density`).

    Rolling planning (see :mod:`caravan.workdays`, :mod:`caravan.rolling`): the week's
    holidays are not worked (``holidays`` adds days off, ``workdays`` overrides them);
    ``rolling`` applies the visit history (resolved complaints, recency, fairness; ``None``:
    no history). ``only_dates``, ``given_scores`` and ``matrix`` are for
    :mod:`caravan.replan`: plan exactly these days, with these scores instead of scoring
    ``complaints``, with these drive times (the original plan's) instead of computing them.

    ``travel`` chooses the travel model (:class:`caravan.travel.TravelModel`; default: the
    built-in road model).

    Returns a :class:`~caravan.types.WeekPlan`; write it with :func:`caravan.export.write_plan`.
    Raises :class:`~caravan.errors.ParameterError` (bad argument), :class:`InputError` (bad
    file) or :class:`NoPlanError` (a must-visit site that cannot be served).
    """
    started = time.monotonic()
    today = today or today_bangkok()
    provs = tuple(
        sorted(
            {check_province(p) for p in (provinces or PROVINCES)},
            key=lambda p: list(PROVINCES).index(p),
        )
    )
    level = check_level(level)
    week_label, monday = parse_week(week, today=today)
    check_between(days, 1, 7, param="--days")
    check_between(units, 1, 20, param="--units")
    start_s = parse_hhmm(day_start, "--day-start")
    end_s = parse_hhmm(day_end, "--day-end")
    if end_s <= start_s:
        raise ParameterError(
            f"the day ends ({day_end}) before it starts ({day_start})", param="--day-end"
        )
    if service_minutes is None:
        service_minutes = DEFAULT_SERVICE_MINUTES[level]
    check_between(service_minutes, 1, 24 * 60, param="--service-minutes")
    if not minutes_per_point > 0:
        raise ParameterError(
            f"must be positive, got {minutes_per_point}", param="--minutes-per-point"
        )
    if time_limit <= 0:
        raise ParameterError(f"must be positive, got {time_limit}", param="--time-limit")
    service_s = service_minutes * 60
    if service_s > end_s - start_s:
        raise ParameterError(
            f"the day window {day_start}-{day_end} ({duration_text(end_s - start_s)}) is "
            f"shorter than one visit ({duration_text(service_s)}): no site can be visited",
            param="--day-end",
        )

    geo = geography or load_geography()
    overrides_label = ""
    if site_overrides is not None:
        geo = geo.with_overrides(
            _read_overrides(site_overrides, geo), source=f"override ({Path(site_overrides).name})"
        )
        overrides_label = str(site_overrides)
    base_codes: dict[str, str] = {}
    if bases:
        items = (
            bases.items() if isinstance(bases, Mapping) else ((_norm_code(c)[:2], c) for c in bases)
        )
        for prov, code in items:
            code = _norm_code(code)
            site = geo.sites.get(code)
            if site is None or site.is_base:
                raise ParameterError(f"unknown district or tambon code '{code}'", param="--base")
            if prov not in provs:
                raise ParameterError(f"'{code}' is not in a planned province", param="--base")
            geo = geo.with_base_at(prov, code)
            base_codes[prov] = code

    candidates = geo.candidates(level=level, provinces=provs)
    cand_codes = {s.code for s in candidates}
    must = tuple(dict.fromkeys(_norm_code(c) for c in must_visit))
    skips = tuple(dict.fromkeys(_norm_code(c) for c in skip))
    for param, codes in (("--must-visit", must), ("--skip", skips)):
        for c in codes:
            if c not in cand_codes:
                raise ParameterError(
                    f"'{c}' is not a {level} of the planned provinces ({', '.join(provs)})",
                    param=param,
                )
    both = sorted(set(must) & set(skips))
    if both:
        raise ParameterError(f"'{both[0]}' is both a must-visit and a skipped site", param="--skip")

    if only_dates is not None:
        work = WorkWeek(dates=tuple(sorted(only_dates)), days_off=())
    else:
        work = working_days(
            monday=monday, days=days, holidays=holidays, workdays=workdays, week_label=week_label
        )

    # complaints
    if isinstance(complaints, ComplaintFile):
        cfile = complaints
    else:
        path = Path(complaints) if complaints is not None else sample_complaints_path()
        cfile = read_complaints(path, today=today, geography=geo)
    if strict and cfile.rejects:
        first = cfile.rejects[0]
        raise InputError(
            f"{len(cfile.rejects)} of {cfile.rows} rows rejected and --strict is set; the "
            f"first: line {first.line}, field '{first.field}': {first.reason}",
            source=cfile.source,
        )
    residents: dict[str, int] = {}
    if population is not None:
        from caravan.density import population_by_area, read_population

        given = (
            dict(population)
            if isinstance(population, Mapping)
            else read_population(population, geo)
        )
        residents = population_by_area(
            given, geo, level=level, provinces=provs, source=str(population)[:200]
        )
    mine = ComplaintTable.of(cfile.accepted).in_provinces(provs)
    wts = load_weights(weights)
    seat_tambon = _seat_tambons(geo, provs)
    scores, moved = score_sites(
        mine, level=level, reference=monday, weights=wts, seat_tambon=seat_tambon
    )
    if given_scores is not None:
        scores = dict(given_scores)
    applied = None
    if rolling is not None and given_scores is None:
        applied = apply_history(
            options=rolling,
            complaints=mine,
            level=level,
            week_monday=monday,
            weights=wts,
            seat_tambon=seat_tambon,
            candidates=candidates,
            base_scores=scores,
        )
        scores = applied.scores
    due_all = applied.due if applied else (rolling.carried_due if rolling else ())
    rest = applied.rest if applied else {}
    gone = dict(rolling.exclude) if rolling else {}
    due_done: list = []
    notes = list(work.notes)

    # travel
    bases_sites = [geo.base(p) for p in provs]
    all_sites = [*bases_sites, *candidates]
    tm = travel or TravelModel()
    if matrix is None or not {s.code for s in all_sites} <= set(matrix.codes):
        matrix = travel_matrix(all_sites, tm)

    # unit-days and one problem per province
    dates = work.dates
    routes = []
    unvisited = []
    infos = []
    for pi, prov in enumerate(provs):
        pcands = [s for s in candidates if s.province_code == prov]
        uds = [
            UnitDay(
                unit=f"{prov}-{u}",
                province_code=prov,
                date=d,
                base="BASE" + prov,
                day_start=start_s,
                day_end=end_s,
            )
            for d in dates
            for u in range(1, units + 1)
        ]
        must_p = [c for c in must if c[:2] == prov]
        skip_p = [c for c in skips if c[:2] == prov]
        # fairness and recency (caravan.rolling): due sites become required, most overdue
        # first, as many as can be served; rested and already visited sites are left out
        due_p = [d for d in due_all if d.code[:2] == prov]
        due_p, due_left = split_due(
            due_p,
            must=must_p,
            skip=skip_p,
            gone=gone,
            reachable=lambda code, prov=prov: (
                round_trip(matrix, "BASE" + prov, code, service_s) <= end_s - start_s
            ),
        )
        due_codes = {d.code for d in due_all}
        out_p = {
            c: u
            for c, u in rest.items()
            if c[:2] == prov and c not in must_p and c not in due_codes
        }
        out_p.update({c: u for c, u in gone.items() if c[:2] == prov})
        if rolling is not None:
            notes += [
                n
                for n in [
                    capacity_note(
                        province=prov,
                        level=level,
                        sites=len(pcands),
                        unit_days=len(uds),
                        k_gap=rolling.max_gap(level) if not rolling.carried_due else 0,
                    )
                ]
                if n
            ]
        # share the remaining time between the provinces still to plan, by size
        left = max(0.5, time_limit - (time.monotonic() - started))
        share = len(pcands) / max(
            1, sum(len([s for s in candidates if s.province_code == q]) for q in provs[pi:])
        )
        budget = max(0.5, left * share) if pi < len(provs) - 1 else left
        cb = (
            (lambda t, best, bound, prov=prov: progress(prov, t, best, bound)) if progress else None
        )
        cap = max(0, len(uds) - len(must_p))
        attempts = [due_p] if len(due_p) <= cap else [due_p, due_p[:cap]]
        for attempt, req in enumerate(attempts):
            pm = build_province_model(
                province=prov,
                base=geo.base(prov),
                candidates=pcands,
                scores=scores,
                matrix=matrix,
                unit_days=uds,
                service_seconds=service_s,
                minutes_per_point=minutes_per_point,
                must_visit=must_p + [d.code for d in req],
                skip=skip_p + sorted(out_p),
            )
            last = attempt == len(attempts) - 1
            try:
                sol = (solve_fn or solver.solve)(
                    pm.problem,
                    time_limit=budget if last else budget / 2,
                    seed=seed,
                    engine=engine,
                    progress=cb,
                )
                break
            except NoPlanError:
                if last or not uds:
                    raise
        infos.append(sol)
        new_routes = routes_from_solution(pm, sol, matrix, scores)
        served = [s.code for r in new_routes for s in r.visits]
        due_done += [*due_left, *mark_due(due_p, req, len(uds), served)]
        routes.extend(new_routes)
        unvisited.extend(
            explain_unvisited(unvisited_reasons(pm, sol, minutes_per_point), out_p, due_done)
        )

    routes.sort(key=lambda r: (r.unit_day.date, r.unit_day.province_code, r.unit_day.unit))
    unvisited.sort(key=lambda u: (-u.priority, u.code))
    objective = sum(s.objective for s in infos)
    bounds = [s.bound for s in infos]
    status = "optimal" if all(s.status == "optimal" for s in infos) else "feasible"
    engines = sorted({s.engine for s in infos})
    info = SolveInfo(
        engine="+".join(engines),
        status=status,
        objective=round(objective, 6),
        bound=None if any(b is None for b in bounds) else round(sum(bounds), 6),
        seconds=round(time.monotonic() - started, 3),
        detail={
            "provinces": {
                prov: {
                    "engine": s.engine,
                    "status": s.status,
                    "objective": round(s.objective, 6),
                    "bound": None if s.bound is None else round(s.bound, 6),
                    "seconds": round(s.seconds, 3),
                    **s.detail,
                }
                for prov, s in zip(provs, infos, strict=True)
            }
        },
    )
    params = PlanParameters(
        provinces=provs,
        level=level,
        week=week_label,
        dates=dates,
        units=units,
        day_start=start_s,
        day_end=end_s,
        service_seconds=service_s,
        minutes_per_point=float(minutes_per_point),
        must_visit=must,
        skip=skips,
        time_limit=float(time_limit),
        seed=seed,
        engine=engine,
        bases={p: base_codes.get(p, p + "01") for p in provs},
        complaints_source=cfile.source,
        reference_date=monday,
        weights_source=wts.source,
        travel_model=matrix.model,
        site_overrides=overrides_label,
        travel=tm.to_json(),
        population_source=str(population) if isinstance(population, str | Path) else "",
    )
    summary = ComplaintSummary(
        source=cfile.source,
        rows=cfile.rows,
        accepted=len(cfile.accepted),
        rejected=len(cfile.rejects),
        open=mine.open_count(),
        moved_to_seat=moved if level == "tambon" else 0,
        rejects=cfile.rejects,
    )
    sites = {s.code: s for s in (*bases_sites, *candidates)}
    history_info = None
    if rolling is not None:
        history_info = HistoryInfo(
            source=rolling.history.source if rolling.history else "",
            recency_weeks=rolling.recency(level),
            max_gap_weeks=rolling.max_gap(level),
            weeks_recorded=len(rolling.history.weeks) if rolling.history else 0,
            sites=applied.sites if applied else (),
            due=tuple(sorted(due_done, key=lambda d: (-d.weeks_since, d.code))),
        )
    return WeekPlan(
        parameters=params,
        sites=sites,
        scores=scores,
        matrix=matrix,
        routes=tuple(routes),
        unvisited=tuple(unvisited),
        solve=info,
        complaints=summary,
        created=dt.datetime.now(BANGKOK).replace(microsecond=0),
        days_off=work.days_off,
        history=history_info,
        notes=tuple(notes),
        population=residents,
    )


def _seat_tambons(geo: Geography, provinces: Sequence[str]) -> dict[str, str]:
    """district code -> the tambon holding the district's visit site (its office)."""
    from shapely.geometry import Point, shape

    from caravan.geography import boundaries

    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries("tambon")}
    out = {}
    for d in geo.candidates(level="district", provinces=provinces):
        tambons = [
            t
            for t in geo.candidates(level="tambon", provinces=[d.province_code])
            if t.district_code == d.code
        ]
        pt = Point(d.lon, d.lat)
        hit = next((t.code for t in tambons if shapes[t.code].covers(pt)), None)
        if hit is None:  # an overridden site on a boundary: the nearest tambon site
            hit = min(tambons, key=lambda t: (t.lon - d.lon) ** 2 + (t.lat - d.lat) ** 2).code
        out[d.code] = hit
    return out


__all__ = ["hhmm", "parse_hhmm", "parse_week", "plan_week"]
