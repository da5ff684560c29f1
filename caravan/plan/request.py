"""One weekly plan request: every choice a planner makes, checked once, in one object.

:class:`PlanRequest` holds every parameter of :func:`caravan.plan.week.plan_week`, in the
units of :mod:`caravan.types` (clock times in seconds since midnight, Asia/Bangkok; lengths
of a visit in minutes; dates as :class:`datetime.date`). It is frozen and validated when it
is made: a bad value raises :class:`~caravan.errors.ParameterError` naming the ``caravan
plan`` option, whoever made the request (the CLI, the web page, a notebook).

The command line builds it from its options (``caravan plan --help``), ``plan.json``
stores it (its ``request`` section, :meth:`PlanRequest.to_json`) and reads it back into an
equal object (:meth:`PlanRequest.from_json`), and ``caravan replan`` derives its request
from the stored one. A new planning option is a new field here, with its check in
:meth:`PlanRequest.__post_init__` and its line in :meth:`to_json`/:meth:`from_json`.

What a request does not hold: what was read at run time (an already read complaint file,
the history snapshot, the geography), and where files go (``--out``, ``--db``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from caravan import clock
from caravan.clock import duration_text, hhmm, parse_date, parse_hhmm, parse_week
from caravan.codes import norm_code
from caravan.complaints.profiles import profile_argument
from caravan.errors import ParameterError, check_between
from caravan.geo.geography import check_level, check_province
from caravan.travel.matrix import TravelModel
from caravan.travel.roadnet import RoadModel
from caravan.types import ENGINES, PROVINCES, WeekPlan

#: Length of one visit when none is given. A district visit is a half-day event in the
#: district office (4 h): with the default day (08:30-16:30) a unit serves one district a
#: day. A tambon visit (2 h) lets a unit serve two or three tambons a day.
DEFAULT_SERVICE_MINUTES = {"district": 240, "tambon": 120}

#: ``request.format`` in plan.json; a newer one is refused by :meth:`PlanRequest.from_json`.
REQUEST_FORMAT = 1

#: Nights away a unit may spend in a week (``--max-nights``), by default: two, the tour the
#: provinces describe (leave Monday, sleep in the far district, work on in the next one,
#: back on Wednesday). One night already reaches Chat Trakan (6503), the remotest
#: district, whose round trip and visit do not fit in a day; docs/tours.md.
DEFAULT_MAX_NIGHTS = 2

#: What a night away costs in the objective (``--night-cost``), in priority points: a team
#: of five at official rates (800 baht lodging + 240 baht allowance each: 5,200 baht a
#: night) against about 20 baht per drive minute of the team and its vehicle is 260 drive
#: minutes, so 26 points at the default 10 minutes per point (docs/tours.md).
DEFAULT_NIGHT_COST = 26.0


@dataclass(frozen=True)
class HistoryRules:
    """How the visit history shapes the plan (:mod:`caravan.plan.rolling`).

    ``use_history`` reads the history database (``--no-history`` turns it off: the rules
    still run, on an empty history); ``None`` weeks take the level's default."""

    use_history: bool = True
    recency_weeks: int | None = None
    max_gap_weeks: int | None = None

    def __post_init__(self) -> None:
        if self.recency_weeks is not None:
            check_between(self.recency_weeks, 0, 104, param="--recency-weeks")
        if self.max_gap_weeks is not None:
            check_between(self.max_gap_weeks, 0, 520, param="--max-gap-weeks")


@dataclass(frozen=True)
class PlanRequest:
    """Everything that decides a weekly plan, as the planner chose it (module docstring).

    Constructed with the values a person types (``day_start="08:30"``, ``week=None`` for
    next week, ``bases=["3501"]``, ``holidays=["2026-12-07"]``) or with those of the fields'
    types; either way the object holds the checked, normalised values.
    """

    #: complaint file (CSV, .xlsx); "" is the built-in sample
    complaints: str = ""
    #: how to read it: --encoding, --sheet ("" = detected, first sheet) and the column mapping
    #: of --column/--columns (field -> headers, the first one the file has)
    encoding: str = ""
    sheet: str = ""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: how to read the complaint file: a built-in profile (traffy, generic) or a profile TOML
    #: file (--profile); "" = the built-in profile recognised from the file's header
    profile: str = ""
    strict: bool = False
    population: str = ""
    provinces: tuple[str, ...] = tuple(PROVINCES)
    level: str = "district"
    #: ISO week, "2026-W49"; None (when made) means next week
    week: str | None = None
    days: int = 5
    units: int = 1
    #: seconds since midnight, Asia/Bangkok ("08:30" is accepted)
    day_start: int | str = "08:30"
    day_end: int | str = "16:30"
    #: None (when made) means the level's default, :data:`DEFAULT_SERVICE_MINUTES`
    service_minutes: int | None = None
    minutes_per_point: float = 10.0
    must_visit: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    #: province -> the district or tambon site its units start from (a list of codes is
    #: accepted: the province is read from each code)
    bases: Mapping[str, str] = field(default_factory=dict)
    #: --sites: CSV code,lon,lat moving sites; --weights: TOML overriding weights
    sites: str = ""
    weights: str = ""
    travel: TravelModel = field(default_factory=TravelModel)
    time_limit: float = 10.0
    seed: int = 0
    engine: str = "auto"
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()
    #: the history rules; None plans without them (the library's default; the CLI always
    #: sets them)
    history: HistoryRules | None = None
    #: tours (docs/tours.md): False plans day trips only (--no-overnight); --lodging FILE
    #: ("" = the district offices); --max-nights per unit and week; --night-cost in points
    overnight: bool = True
    lodging: str = ""
    max_nights: int = DEFAULT_MAX_NIGHTS
    night_cost: float = DEFAULT_NIGHT_COST

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        for name in ("complaints", "population", "sites", "weights", "lodging"):
            put(name, "" if getattr(self, name) is None else str(getattr(self, name)))
        put("encoding", self.encoding or "")
        put("sheet", self.sheet or "")
        put("profile", profile_argument(self.profile))
        put("columns", {str(k): _headers(v) for k, v in dict(self.columns).items()})
        provs = {check_province(p) for p in (self.provinces or PROVINCES)}
        put("provinces", tuple(p for p in PROVINCES if p in provs))
        put("level", check_level(self.level))
        put("week", parse_week(self.week)[0])
        check_between(self.days, 1, 7, param="--days")
        check_between(self.units, 1, 20, param="--units")
        start = _seconds(self.day_start, "--day-start")
        end = _seconds(self.day_end, "--day-end")
        if end <= start:
            raise ParameterError(
                f"the day ends ({hhmm(end)}) before it starts ({hhmm(start)})", param="--day-end"
            )
        put("day_start", start)
        put("day_end", end)
        service = self.service_minutes
        if service is None:
            service = DEFAULT_SERVICE_MINUTES[self.level]
        check_between(service, 1, 24 * 60, param="--service-minutes")
        put("service_minutes", int(service))
        _positive(self.minutes_per_point, "--minutes-per-point")
        put("minutes_per_point", float(self.minutes_per_point))
        _positive(self.time_limit, "--time-limit")
        put("time_limit", float(self.time_limit))
        if service * 60 > end - start:
            raise ParameterError(
                f"the day window {hhmm(start)}-{hhmm(end)} ({duration_text(end - start)}) is "
                f"shorter than one visit ({duration_text(service * 60)}): no site can be "
                "visited",
                param="--day-end",
            )
        if self.engine not in ENGINES:
            raise ParameterError(
                f"must be one of {', '.join(ENGINES)}, got '{self.engine}'", param="--engine"
            )
        must = tuple(dict.fromkeys(norm_code(c) for c in self.must_visit))
        skips = tuple(dict.fromkeys(norm_code(c) for c in self.skip))
        both = sorted(set(must) & set(skips))
        if both:
            raise ParameterError(
                f"'{both[0]}' is both a must-visit and a skipped site", param="--skip"
            )
        put("must_visit", must)
        put("skip", skips)
        put("bases", _bases(self.bases))
        put("holidays", tuple(parse_date(d, param="--holiday") for d in self.holidays))
        put("workdays", tuple(parse_date(d, param="--workday") for d in self.workdays))
        put("overnight", bool(self.overnight))
        check_between(self.max_nights, 0, 6, param="--max-nights")
        put("max_nights", int(self.max_nights))
        if not (
            isinstance(self.night_cost, int | float)
            and math.isfinite(self.night_cost)
            and self.night_cost >= 0
        ):
            raise ParameterError(
                f"must be a number >= 0, got {self.night_cost}", param="--night-cost"
            )
        put("night_cost", float(self.night_cost))
        if self.engine == "routing" and self.tours:
            raise ParameterError(
                "the routing engine plans day trips only: add --no-overnight", param="--engine"
            )

    # ------------------------------------------------------------------------ derived values

    @property
    def monday(self) -> dt.date:
        """The first day of the planned week."""
        return clock.monday_of(str(self.week))

    @property
    def service_seconds(self) -> int:
        return int(self.service_minutes or 0) * 60

    @property
    def tours(self) -> bool:
        """Whether units may spend nights away (and ``max_nights`` allows one)."""
        return bool(self.overnight) and int(self.max_nights) > 0

    def replace(self, **changes: object) -> PlanRequest:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------------ plan.json

    def to_json(self) -> dict:
        """The request as plan.json's ``request`` section (plain JSON values, HH:MM times,
        ISO dates); :meth:`from_json` reads it back into an equal object."""
        h = self.history
        return {
            "format": REQUEST_FORMAT,
            "complaints": self.complaints,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "columns": {k: list(v) for k, v in self.columns.items()},
            "profile": self.profile,
            "strict": self.strict,
            "population": self.population,
            "provinces": list(self.provinces),
            "level": self.level,
            "week": self.week,
            "days": self.days,
            "units": self.units,
            "day_start": hhmm(int(self.day_start)),
            "day_end": hhmm(int(self.day_end)),
            "service_minutes": self.service_minutes,
            "minutes_per_point": self.minutes_per_point,
            "must_visit": list(self.must_visit),
            "skip": list(self.skip),
            "bases": dict(self.bases),
            "sites": self.sites,
            "weights": self.weights,
            "travel": dataclasses.asdict(self.travel),
            "time_limit": self.time_limit,
            "seed": self.seed,
            "engine": self.engine,
            "holidays": [d.isoformat() for d in self.holidays],
            "workdays": [d.isoformat() for d in self.workdays],
            "history": None if h is None else dataclasses.asdict(h),
            "overnight": self.overnight,
            "lodging": self.lodging,
            "max_nights": self.max_nights,
            "night_cost": self.night_cost,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> PlanRequest:
        """Read :meth:`to_json`'s output. ValueError, KeyError or TypeError when it is not
        one; :class:`ParameterError` when a value is out of range."""
        if not isinstance(data, Mapping):
            raise TypeError("the request is not an object")
        version = data.get("format")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("request.format is not a whole number")
        if version > REQUEST_FORMAT:
            raise ValueError(f"request.format {version} is newer than this caravan's")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        travel = dict(values.pop("travel"))
        travel["road"] = RoadModel(**travel.get("road", {}))
        history = values.pop("history")
        # requests stored before tours existed planned day trips
        values.setdefault("overnight", False)
        return cls(
            **values,
            travel=TravelModel(**travel),
            history=None if history is None else HistoryRules(**history),
        )


def _headers(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _seconds(value: int | str, param: str) -> int:
    if isinstance(value, str):
        return parse_hhmm(value, param)
    check_between(value, 0, 24 * 3600 - 1, param=param, unit="seconds")
    return int(value)


def _positive(value: float, param: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ParameterError(f"must be positive, got {value}", param=param)


def _bases(bases: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    """``{province: site code}`` from a mapping or a list of codes (``--base`` repeatable);
    whether each code is a site of its planned province is checked by ``plan_week``, which
    has the geography."""
    items = (
        bases.items()
        if isinstance(bases, Mapping)
        else ((norm_code(c)[:2], c) for c in (bases or ()))
    )
    out: dict[str, str] = {}
    for prov, code in items:
        code = norm_code(code)
        if prov in out and out[prov] != code:
            raise ParameterError(
                f"two bases for province {prov}: '{out[prov]}' and '{code}'", param="--base"
            )
        out[prov] = code
    return out


def request_of(plan: WeekPlan) -> PlanRequest:
    """The request that made ``plan``: the one it holds, or, for a plan file written before
    caravan stored requests, the one its parameters describe (the number of days is that of
    its last planned day; reading options and history rules were not recorded)."""
    if isinstance(plan.request, PlanRequest):
        return plan.request
    p = plan.parameters
    monday = clock.monday_of(p.week)
    return PlanRequest(
        complaints=p.complaints_source,
        population=p.population_source,
        provinces=p.provinces,
        level=p.level,
        week=p.week,
        days=max(((d - monday).days + 1 for d in p.dates), default=5),
        units=p.units,
        day_start=p.day_start,
        day_end=p.day_end,
        service_minutes=p.service_seconds // 60,
        minutes_per_point=p.minutes_per_point,
        must_visit=p.must_visit,
        skip=p.skip,
        bases=dict(p.bases),
        sites=p.site_overrides,
        weights="" if p.weights_source == "built-in" else p.weights_source,
        travel=TravelModel.from_json(dict(p.travel)),
        time_limit=p.time_limit,
        seed=p.seed,
        engine=p.engine,
        overnight=p.overnight,
        lodging=p.lodging_source,
        max_nights=p.max_nights,
        night_cost=p.night_cost,
    )
