"""``plan_week``: the one function behind ``caravan plan`` and the notebooks.

The objective, maximised over every plan that respects the rules below::

    sum of the priority of the visited sites  -  total drive minutes / minutes_per_point
                                              -  nights away x night_cost

Rules: each site is visited at most once in the week; each unit leaves its province's base no
earlier than ``day_start`` and is back no later than ``day_end`` every day, or, on tour (docs/
tours.md), ends a day at a lodging by ``day_end`` and leaves it the next working day at
``day_start``: at most ``max_nights`` nights away per unit and week, back at the base
before a day off and at the end of the week (``--no-overnight``: day trips only); each visit
lasts ``service_minutes``; must-visit sites are in the plan (or the plan fails saying why);
skipped sites are not. Drive minutes are those of :func:`caravan.travel.matrix.travel_matrix`
(what ``caravan matrix`` writes), counted on every leg including the way out and the way
back, to a lodging and from it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from caravan import clock, solver
from caravan.clock import parse_week
from caravan.complaints import ComplaintFile, read_complaints
from caravan.complaints.table import ComplaintTable
from caravan.errors import InputError, NoPlanError, ParameterError
from caravan.folders import data_path
from caravan.geo.density import population_by_area, read_population
from caravan.geo.geography import Geography, boundaries, load_geography
from caravan.geo.geography import read_site_overrides as _read_overrides
from caravan.geo.lodging import lodgings_by_province, read_lodgings
from caravan.history.store import HistorySnapshot, open_history
from caravan.plan.legs import with_leg_lines
from caravan.plan.model import TourOptions, build_province_model, why_unreachable
from caravan.plan.priority import load_weights, score_sites
from caravan.plan.request import HistoryRules, PlanRequest
from caravan.plan.rolling import (
    RollingOptions,
    apply_history,
    capacity_note,
    explain_unvisited,
    mark_due,
    split_due,
)
from caravan.plan.schedule import routes_from_solution, unvisited_reasons
from caravan.plan.workdays import WorkWeek, working_days
from caravan.solver.problem import Solution
from caravan.travel.matrix import travel_matrix
from caravan.travel.paths import Line
from caravan.types import (
    ComplaintSummary,
    DueSite,
    HistoryInfo,
    PlanParameters,
    Route,
    Site,
    SiteScore,
    SolveInfo,
    TravelMatrix,
    UnitDay,
    Unvisited,
    WeekPlan,
)


def sample_complaints_path() -> Path:
    return data_path("sample", "complaints.csv")


def read_request_complaints(
    request: PlanRequest,
    *,
    today: dt.date | None = None,
    geography: Geography | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ComplaintFile:
    """Read the request's complaint file (the built-in sample when it names none) with its
    reading options and profile; a complaint with several labels counts under its label of
    highest weight in the request's weights. What ``plan_week`` does when it is not given a
    file already read."""
    return read_complaints(
        request.complaints or sample_complaints_path(),
        encoding=request.encoding or None,
        sheet=request.sheet or None,
        columns=dict(request.columns),
        profile=request.profile or None,
        category_weight=load_weights(request.weights or None).category_weight,
        today=today,
        geography=geography,
        progress=progress,
    )


def read_request_history(request: PlanRequest, db: str | Path | None) -> HistorySnapshot | None:
    """The history the request's rules read: the visits recorded in ``db`` (``None``: the
    default database, :func:`caravan.history.store.default_db_path`) before the planned
    week; ``None`` when the request plans without the history. Reads only, creates nothing."""
    if request.history is None or not request.history.use_history:
        return None
    with open_history(db) as hist:
        return hist.snapshot(before=request.monday)


#: the keyword arguments of plan_week that are not fields of PlanRequest (run-time inputs)
_OLD_NAMES = {"site_overrides": "sites"}


def plan_week(
    request: PlanRequest | None = None,
    /,
    *,
    complaints: str | Path | ComplaintFile | None = None,
    history: HistorySnapshot | None = None,
    rolling: RollingOptions | None = None,
    population: str | Path | Mapping[str, int] | None = None,
    today: dt.date | None = None,
    geography: Geography | None = None,
    progress: Callable[[str, float, float, float | None], None] | None = None,
    solve_fn: Callable[..., Solution] | None = None,
    matrix: TravelMatrix | None = None,
    only_dates: Sequence[dt.date] | None = None,
    given_scores: Mapping[str, SiteScore] | None = None,
    legs: Mapping[tuple[str, str], Line] | None = None,
    kept_unit_days: Collection[tuple[dt.date, str]] = (),
    tour_starts: Mapping[str, str] | None = None,
    nights_used: Mapping[str, int] | None = None,
    lodgings: Mapping[str, Sequence[Site]] | None = None,
    **options: object,
) -> WeekPlan:
    """Plan one week for the caravan units of the given provinces.

    ``request`` (:class:`~caravan.plan.request.PlanRequest`) holds every planning choice,
    as ``caravan plan``'s options do. As a convenience, its fields may be given as keywords
    instead (``plan_week(provinces=["35"], level="tambon", week="2026-W49")``; also
    ``complaints=`` and ``population=`` as paths, and ``site_overrides=`` for ``sites``).

    Run-time inputs, which a request does not hold:

    * ``complaints``: an already read :class:`ComplaintFile` (else the request's file is
      read, :func:`read_request_complaints`); ``population``: residents per area as a
      mapping ``{code: residents}`` (else the request's CSV, if any, is read);
    * ``history``: the visit history the request's rules read (:func:`read_request_history`);
      ``rolling`` replaces the rules and history altogether (:mod:`caravan.plan.rolling`);
    * ``today`` (default :func:`caravan.clock.today`): what "next week" and "in the
      future" mean; ``geography`` (default the built-in one);
    * ``progress(province, elapsed, best, bound)``, called while solving; ``solve_fn``
      replaces :func:`caravan.solver.solve` (same signature): the benchmarks run other
      engines on exactly the same problems;
    * for :mod:`caravan.plan.replan`: ``only_dates`` (plan exactly these days),
      ``given_scores`` (these scores instead of scoring complaints), ``matrix`` (these
      drive times, the original plan's, instead of computing them), ``legs`` (these lines
      of the legs, the original plan's, where a leg is the same), ``kept_unit_days``
      (``(date, unit)`` pairs such as ``(2026-12-01, "35-1")`` whose routes the caller keeps:
      they are not planned), ``tour_starts`` (unit -> the lodging where it slept: its first
      day starts there), ``nights_used`` (unit -> nights away already spent this week) and
      ``lodgings`` (province -> its lodgings, the original plan's, instead of reading the
      request's lodging file again).

    The plan carries the road each leg drives along, for the maps
    (:func:`caravan.plan.legs.with_leg_lines`).

    Returns a :class:`~caravan.types.WeekPlan`; write it with
    :func:`caravan.outputs.write.write_plan`. Raises
    :class:`~caravan.errors.ParameterError` (bad argument), :class:`InputError` (bad file)
    or :class:`NoPlanError` (a must-visit site that cannot be served).
    """
    started = time.monotonic()
    today = today or clock.today()
    cfile = complaints if isinstance(complaints, ComplaintFile) else None
    residents_given = population if isinstance(population, Mapping) else None
    if request is None:
        for old, new in _OLD_NAMES.items():
            if old in options:
                options[new] = options.pop(old)
        if complaints is not None and cfile is None:
            options["complaints"] = str(complaints)
        elif cfile is not None:
            options.setdefault("complaints", cfile.source)
        if population is not None and residents_given is None:
            options["population"] = str(population)
        if options.get("week") is None:
            options["week"] = parse_week(None, today=today)[0]
        if rolling is not None:
            options["history"] = HistoryRules(
                use_history=rolling.history is not None,
                recency_weeks=rolling.recency_weeks,
                max_gap_weeks=rolling.max_gap_weeks,
            )
        options = {k: v for k, v in options.items() if v is not None}
        request = PlanRequest(**options)  # type: ignore[arg-type]
    elif options or (complaints is not None and cfile is None):
        raise TypeError("give either a PlanRequest or its fields as keywords, not both")
    if rolling is None and request.history is not None:
        rules = request.history
        rolling = RollingOptions(
            history=history if rules.use_history else None,
            recency_weeks=rules.recency_weeks,
            max_gap_weeks=rules.max_gap_weeks,
        )
    plan = _plan(
        request,
        cfile=cfile,
        residents_given=residents_given,
        rolling=rolling,
        today=today,
        geography=geography,
        progress=progress,
        solve_fn=solve_fn,
        matrix=matrix,
        only_dates=only_dates,
        given_scores=given_scores,
        kept_unit_days=frozenset(kept_unit_days),
        started=started,
        tour_starts=dict(tour_starts or {}),
        nights_used=dict(nights_used or {}),
        given_lodgings=lodgings,
    )
    return with_leg_lines(plan, known=legs)


def _plan(
    request: PlanRequest,
    *,
    cfile: ComplaintFile | None,
    residents_given: Mapping[str, int] | None,
    rolling: RollingOptions | None,
    today: dt.date,
    geography: Geography | None,
    progress: Callable[[str, float, float, float | None], None] | None,
    solve_fn: Callable[..., Solution] | None,
    matrix: TravelMatrix | None,
    only_dates: Sequence[dt.date] | None,
    given_scores: Mapping[str, SiteScore] | None,
    kept_unit_days: frozenset[tuple[dt.date, str]],
    started: float,
    tour_starts: Mapping[str, str],
    nights_used: Mapping[str, int],
    given_lodgings: Mapping[str, Sequence[Site]] | None,
) -> WeekPlan:
    """The steps of a plan: sites, working days, complaints and scores, the history rules,
    drive times, then one problem per province (:func:`_plan_province`)."""
    r = request
    provs, level = r.provinces, r.level
    geo, base_codes, overrides_label = _geography(r, geography)
    candidates = geo.candidates(level=level, provinces=provs)
    _check_sites(r, candidates)
    if only_dates is not None:
        work = WorkWeek(dates=tuple(sorted(only_dates)), days_off=())
    else:
        work = working_days(
            monday=r.monday,
            days=r.days,
            holidays=r.holidays,
            workdays=r.workdays,
            week_label=r.week,
        )

    # complaints, scores and the history rules
    if cfile is None:
        cfile = read_request_complaints(r, today=today, geography=geo)
    if r.strict and cfile.rejects:
        first = cfile.rejects[0]
        raise InputError(
            f"{len(cfile.rejects)} of {cfile.rows} rows rejected and --strict is set; the "
            f"first: line {first.line}, field '{first.field}': {first.reason}",
            source=cfile.source,
        )
    residents: dict[str, int] = {}
    if residents_given is not None or r.population:
        given = (
            dict(residents_given)
            if residents_given is not None
            else read_population(r.population, geo)
        )
        label = str(residents_given if residents_given is not None else r.population)
        residents = population_by_area(given, geo, level=level, provinces=provs, source=label[:200])
    mine = ComplaintTable.of(cfile.accepted).in_provinces(provs)
    wts = load_weights(r.weights or None)
    seat_tambon = _seat_tambons(geo, provs)
    scores, moved = score_sites(
        mine, level=level, reference=r.monday, weights=wts, seat_tambon=seat_tambon
    )
    if given_scores is not None:
        scores = dict(given_scores)
    applied = None
    if rolling is not None and given_scores is None:
        applied = apply_history(
            options=rolling,
            complaints=mine,
            level=level,
            week_monday=r.monday,
            weights=wts,
            seat_tambon=seat_tambon,
            candidates=candidates,
            base_scores=scores,
        )
        scores = applied.scores

    # lodgings (tours) and drive times
    lodgings: dict[str, tuple[Site, ...]] = {}
    if r.tours and given_lodgings is not None:
        lodgings = {p: tuple(given_lodgings.get(p, ())) for p in provs}
    elif r.tours:
        lodgings = lodgings_by_province(
            geo, provs, read_lodgings(r.lodging, geo) if r.lodging else ()
        )
    all_sites = geo.plan_sites(level=level, provinces=provs)
    codes = {s.code for s in all_sites}
    for site in (s for prov in provs for s in lodgings.get(prov, ())):
        if site.code not in codes:
            all_sites.append(site)
            codes.add(site.code)
    if matrix is None or not codes <= set(matrix.codes):
        matrix = travel_matrix(all_sites, r.travel)

    week = _Week(
        request=r,
        geo=geo,
        candidates=tuple(candidates),
        dates=work.dates,
        scores=scores,
        matrix=matrix,
        rolling=rolling,
        due=applied.due if applied else (rolling.carried_due if rolling else ()),
        rest=applied.rest if applied else {},
        gone=dict(rolling.exclude) if rolling else {},
        kept_unit_days=kept_unit_days,
        lodgings=lodgings,
        tour_starts=tour_starts,
        nights_used=nights_used,
    )
    provinces = []
    for pi, prov in enumerate(provs):
        # share the remaining time between the provinces still to plan, by size
        left = max(0.5, r.time_limit - (time.monotonic() - started))
        share = len(week.candidates_of(prov)) / max(
            1, sum(len(week.candidates_of(q)) for q in provs[pi:])
        )
        budget = max(0.5, left * share) if pi < len(provs) - 1 else left
        cb = (
            (lambda t, best, bound, prov=prov: progress(prov, t, best, bound)) if progress else None
        )
        provinces.append(_plan_province(week, prov, budget=budget, progress=cb, solve_fn=solve_fn))

    routes = sorted(
        (route for p in provinces for route in p.routes),
        key=lambda x: (x.unit_day.date, x.unit_day.province_code, x.unit_day.unit),
    )
    unvisited = sorted(
        (u for p in provinces for u in p.unvisited), key=lambda u: (-u.priority, u.code)
    )
    due_done = [d for p in provinces for d in p.due]
    params = PlanParameters(
        provinces=provs,
        level=level,
        week=r.week,
        dates=work.dates,
        units=r.units,
        day_start=int(r.day_start),
        day_end=int(r.day_end),
        service_seconds=r.service_seconds,
        minutes_per_point=r.minutes_per_point,
        must_visit=r.must_visit,
        skip=r.skip,
        time_limit=r.time_limit,
        seed=r.seed,
        engine=r.engine,
        bases={p: base_codes.get(p, p + "01") for p in provs},
        complaints_source=cfile.source,
        reference_date=r.monday,
        weights_source=wts.source,
        travel_model=matrix.model,
        site_overrides=overrides_label,
        travel=r.travel.to_json(),
        population_source=r.population,
        overnight=r.overnight,
        max_nights=r.max_nights,
        night_cost=r.night_cost,
        lodging_source=r.lodging,
        lodgings={p: tuple(s.code for s in sites) for p, sites in lodgings.items() if sites},
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
        sites={s.code: s for s in all_sites},
        scores=scores,
        matrix=matrix,
        routes=tuple(routes),
        unvisited=tuple(unvisited),
        solve=_solve_info(provs, [p.solution for p in provinces], started),
        complaints=summary,
        created=clock.now(),
        days_off=work.days_off,
        history=history_info,
        notes=(*work.notes, *(p.note for p in provinces if p.note)),
        population=residents,
        request=r,
    )


def _geography(r: PlanRequest, geography: Geography | None) -> tuple[Geography, dict, str]:
    """The geography with the request's moved sites and bases; the bases moved, and the
    site file's name for the plan ("" for none)."""
    geo = geography or load_geography()
    overrides_label = ""
    if r.sites:
        geo = geo.with_overrides(
            _read_overrides(r.sites, geo), source=f"override ({Path(r.sites).name})"
        )
        overrides_label = r.sites
    base_codes: dict[str, str] = {}
    for prov, code in r.bases.items():
        site = geo.sites.get(code)
        if site is None or site.is_base:
            raise ParameterError(f"unknown district or tambon code '{code}'", param="--base")
        if prov not in r.provinces:
            raise ParameterError(f"'{code}' is not in a planned province", param="--base")
        geo = geo.with_base_at(prov, code)
        base_codes[prov] = code
    return geo, base_codes, overrides_label


def _check_sites(r: PlanRequest, candidates: Sequence[Site]) -> None:
    """Every must-visit and skipped site is a candidate of the planned level and provinces."""
    codes = {s.code for s in candidates}
    for param, given in (("--must-visit", r.must_visit), ("--skip", r.skip)):
        for c in given:
            if c not in codes:
                raise ParameterError(
                    f"'{c}' is not a {r.level} of the planned provinces ({', '.join(r.provinces)})",
                    param=param,
                )


@dataclass(frozen=True)
class _Week:
    """What every province's problem of one week shares."""

    request: PlanRequest
    geo: Geography
    candidates: tuple[Site, ...]
    dates: tuple[dt.date, ...]
    scores: Mapping[str, SiteScore]
    matrix: TravelMatrix
    rolling: RollingOptions | None
    due: tuple[DueSite, ...]  # due sites of every province, most overdue first
    rest: Mapping[str, Unvisited]  # resting sites (visited last week)
    gone: Mapping[str, Unvisited]  # sites that are not candidates (a replan: visited)
    lodgings: Mapping[str, tuple[Site, ...]]  # province -> its lodgings (empty: no tours)
    tour_starts: Mapping[str, str]  # unit -> lodging its first day starts at (a replan)
    nights_used: Mapping[str, int]  # unit -> nights away spent already (a replan)
    kept_unit_days: frozenset[tuple[dt.date, str]] = frozenset()  # not planned (a replan)

    def candidates_of(self, prov: str) -> list[Site]:
        return [s for s in self.candidates if s.province_code == prov]

    def tours_of(self, prov: str) -> TourOptions | None:
        """The province's nights away, or None when its units make day trips only."""
        if not self.lodgings.get(prov):
            return None
        r = self.request
        units = {f"{prov}-{u}" for u in range(1, r.units + 1)}
        return TourOptions(
            lodgings=self.lodgings[prov],
            max_nights=r.max_nights,
            night_cost=r.night_cost,
            starts={u: c for u, c in self.tour_starts.items() if u in units},
            nights_used={u: n for u, n in self.nights_used.items() if u in units},
        )

    def unreachable(self, prov: str, code: str) -> str | None:
        """Why a due site cannot be served this week (None: it can)."""
        r = self.request
        tours = self.tours_of(prov)
        why = why_unreachable(
            self.matrix,
            "BASE" + prov,
            code,
            service=r.service_seconds,
            window=int(r.day_end) - int(r.day_start),
            tours=tours,
            dates=self.dates,
        )
        if why is not None and tours is None:  # as before tours
            return "it cannot be reached, served and left within a working day"
        return why


@dataclass(frozen=True)
class _ProvincePlan:
    solution: Solution
    routes: list[Route]
    unvisited: list[Unvisited]
    due: list[DueSite]  # the province's due sites, with what became of them
    note: str  # the fairness capacity note, or ""


def _plan_province(
    week: _Week,
    prov: str,
    *,
    budget: float,
    progress: Callable[[float, float, float | None], None] | None,
    solve_fn: Callable[..., Solution] | None,
) -> _ProvincePlan:
    """One province's problem: its unit-days, required, skipped and due sites, solved."""
    r = week.request
    start_s, end_s = int(r.day_start), int(r.day_end)
    pcands = week.candidates_of(prov)
    uds = [
        UnitDay(
            unit=f"{prov}-{u}",
            province_code=prov,
            date=d,
            base="BASE" + prov,
            day_start=start_s,
            day_end=end_s,
        )
        for d in week.dates
        for u in range(1, r.units + 1)
        if (d, f"{prov}-{u}") not in week.kept_unit_days
    ]
    must_p = [c for c in r.must_visit if c[:2] == prov]
    skip_p = [c for c in r.skip if c[:2] == prov]
    # fairness and recency (caravan.plan.rolling): due sites become required, most overdue
    # first, as many as can be served; rested and already visited sites are left out
    due_p, due_left = split_due(
        [d for d in week.due if d.code[:2] == prov],
        must=must_p,
        skip=skip_p,
        gone=week.gone,
        unreachable=lambda code: week.unreachable(prov, code),
    )
    due_codes = {d.code for d in week.due}
    out_p = {
        c: u
        for c, u in week.rest.items()
        if c[:2] == prov and c not in must_p and c not in due_codes
    }
    out_p.update({c: u for c, u in week.gone.items() if c[:2] == prov})
    note = ""
    if week.rolling is not None:
        rolling = week.rolling
        note = capacity_note(
            province=prov,
            level=r.level,
            sites=len(pcands),
            unit_days=len(uds),
            k_gap=rolling.max_gap(r.level) if not rolling.carried_due else 0,
        )
    cap = max(0, len(uds) - len(must_p))
    attempts = [due_p] if len(due_p) <= cap else [due_p, due_p[:cap]]
    for attempt, req in enumerate(attempts):
        pm = build_province_model(
            province=prov,
            base=week.geo.base(prov),
            candidates=pcands,
            scores=week.scores,
            matrix=week.matrix,
            unit_days=uds,
            service_seconds=r.service_seconds,
            minutes_per_point=r.minutes_per_point,
            must_visit=must_p + [d.code for d in req],
            skip=skip_p + sorted(out_p),
            tours=week.tours_of(prov),
        )
        last = attempt == len(attempts) - 1
        try:
            sol = (solve_fn or solver.solve)(
                pm.problem,
                time_limit=budget if last else budget / 2,
                seed=r.seed,
                engine=r.engine,
                progress=progress,
            )
            break
        except NoPlanError:
            if last or not uds:
                raise
    routes = routes_from_solution(pm, sol, week.matrix, week.scores)
    served = [s.code for route in routes for s in route.visits]
    due_done = [*due_left, *mark_due(due_p, req, len(uds), served)]
    unvisited = explain_unvisited(unvisited_reasons(pm, sol, r.minutes_per_point), out_p, due_done)
    return _ProvincePlan(sol, list(routes), list(unvisited), due_done, note or "")


def _solve_info(provs: Sequence[str], infos: Sequence[Solution], started: float) -> SolveInfo:
    """The provinces' solutions as one: objectives and bounds add up; optimal when all are."""
    bounds = [s.bound for s in infos]
    return SolveInfo(
        engine="+".join(sorted({s.engine for s in infos})),
        status="optimal" if all(s.status == "optimal" for s in infos) else "feasible",
        objective=round(sum(s.objective for s in infos), 6),
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


def _seat_tambons(geo: Geography, provinces: Sequence[str]) -> dict[str, str]:
    """district code -> the tambon holding the district's visit site (its office)."""
    from shapely.geometry import Point, shape

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


__all__ = [
    "PlanRequest",
    "plan_week",
    "read_request_complaints",
    "read_request_history",
    "sample_complaints_path",
]
