"""``plan_week``: the one function behind ``caravan plan`` and the notebooks.

The objective, maximised over every plan that respects the rules below::

    sum of the priority of the visited sites  -  total drive minutes / minutes_per_point

Rules: each site is visited at most once in the week; each unit leaves its province's base no
earlier than ``day_start`` and is back no later than ``day_end`` every day; each visit lasts
``service_minutes``; must-visit sites are in the plan (or the plan fails saying why); skipped
sites are not. Drive minutes are those of :func:`caravan.travel.estimate_matrix` (what
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
from caravan.errors import InputError, ParameterError
from caravan.geography import Geography, check_level, check_province, load_geography
from caravan.geography import read_site_overrides as _read_overrides
from caravan.model import build_province_model, duration_text, hhmm
from caravan.priority import load_weights, score_sites
from caravan.schedule import routes_from_solution, unvisited_reasons
from caravan.travel import TravelModel, estimate_matrix
from caravan.types import (
    PROVINCES,
    ComplaintSummary,
    PlanParameters,
    SolveInfo,
    UnitDay,
    WeekPlan,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
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
    service_minutes: int = 180,
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
    today: dt.date | None = None,
    geography: Geography | None = None,
    progress: Callable[[str, float, float, float | None], None] | None = None,
    strict: bool = False,
    population: str | Path | Mapping[str, int] | None = None,
) -> WeekPlan:
    """Plan one week for the caravan units of the given provinces.

    Parameters mirror ``caravan plan`` (see ``caravan plan --help``). ``complaints`` is a CSV
    path (default: the built-in sample) or an already read :class:`ComplaintFile`. ``bases``
    moves a province's base to a district or tambon site: a mapping ``{province: code}`` or a
    list of codes (the province is read from the code). ``progress(province, elapsed, best,
    bound)`` is called while solving. ``strict`` makes any rejected complaint row an
    InputError. ``population`` (a ``code,population`` CSV or a mapping) makes the map shade
    open complaints per 10,000 residents instead of per km² (see :mod:`caravan.density`).

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
    if not 1 <= days <= 7:
        raise ParameterError(f"must be between 1 and 7, got {days}", param="--days")
    if not 1 <= units <= 20:
        raise ParameterError(f"must be between 1 and 20, got {units}", param="--units")
    start_s = parse_hhmm(day_start, "--day-start")
    end_s = parse_hhmm(day_end, "--day-end")
    if end_s <= start_s:
        raise ParameterError(
            f"the day ends ({day_end}) before it starts ({day_start})", param="--day-end"
        )
    if not 1 <= service_minutes <= 24 * 60:
        raise ParameterError(
            f"must be between 1 and 1440, got {service_minutes}", param="--service-minutes"
        )
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

    # travel
    bases_sites = [geo.base(p) for p in provs]
    all_sites = [*bases_sites, *candidates]
    tm = travel or TravelModel()
    matrix = estimate_matrix(all_sites, tm)

    # unit-days and one problem per province
    dates = tuple(monday + dt.timedelta(days=i) for i in range(days))
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
        pm = build_province_model(
            province=prov,
            base=geo.base(prov),
            candidates=pcands,
            scores=scores,
            matrix=matrix,
            unit_days=uds,
            service_seconds=service_s,
            minutes_per_point=minutes_per_point,
            must_visit=[c for c in must if c[:2] == prov],
            skip=[c for c in skips if c[:2] == prov],
        )
        # share the remaining time between the provinces still to plan, by size
        left = max(0.5, time_limit - (time.monotonic() - started))
        share = len(pcands) / max(
            1, sum(len([s for s in candidates if s.province_code == q]) for q in provs[pi:])
        )
        budget = max(0.5, left * share) if pi < len(provs) - 1 else left
        cb = (
            (lambda t, best, bound, prov=prov: progress(prov, t, best, bound)) if progress else None
        )
        sol = solver.solve(pm.problem, time_limit=budget, seed=seed, engine=engine, progress=cb)
        infos.append(sol)
        routes.extend(routes_from_solution(pm, sol, matrix, scores))
        unvisited.extend(unvisited_reasons(pm, sol, minutes_per_point))

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
        travel={"detour_factor": tm.detour_factor, "speed_kmh": tm.speed_kmh},
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
