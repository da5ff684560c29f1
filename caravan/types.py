"""Small frozen dataclasses shared by every module.

Units are stated once, here, and used everywhere:

* durations and clock times are **seconds** (``int``); a clock time is seconds since
  local midnight in **Asia/Bangkok** (UTC+7, no daylight saving);
* distances are **metres** (``int``) unless a name ends in ``_km``;
* coordinates are WGS84 **lon/lat** in that order, as in GeoJSON;
* dates are :class:`datetime.date` in Asia/Bangkok;
* codes are DOPA codes as strings: 2 digits for a province, 4 for a district,
  6 for a tambon. A base has the code ``BASE<province code>``, for example ``BASE65``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Level = Literal["district", "tambon"]
LEVELS: tuple[Level, ...] = ("district", "tambon")

#: Optimizer engines (``caravan.solver.solve``, ``caravan plan --engine``).
ENGINES: tuple[str, ...] = ("auto", "exact", "pyvrp", "routing")

#: Travel models (``caravan.travel.matrix``, ``caravan plan --travel``); the first is the default.
TRAVEL_MODES: tuple[str, ...] = ("road", "straight", "osm", "osrm")

#: The three provinces caravan knows, by DOPA code.
PROVINCES: dict[str, tuple[str, str]] = {
    "65": ("พิษณุโลก", "Phitsanulok"),
    "37": ("อำนาจเจริญ", "Amnat Charoen"),
    "35": ("ยโสธร", "Yasothon"),
}

Status = Literal["open", "in_progress", "resolved"]
STATUSES: tuple[Status, ...] = ("open", "in_progress", "resolved")


@dataclass(frozen=True)
class Site:
    """A place the caravan can visit (a district or a tambon), a base it starts from, or a
    lodging of a ``--lodging`` file where a unit may sleep on tour (a district office is a
    lodging too: it keeps its district site).

    ``lon``/``lat`` is the visit site: where the unit parks and sets up, not the centroid.
    ``site_source`` says where that point comes from (see ``data/geo/README.md``).
    """

    code: str
    level: Literal["district", "tambon", "base", "lodging"]
    name_th: str
    name_en: str
    province_code: str
    district_code: str
    lon: float
    lat: float
    area_km2: float = 0.0
    site_source: str = ""

    @property
    def is_base(self) -> bool:
        return self.level == "base"


@dataclass(frozen=True, slots=True)
class Complaint:
    """One accepted complaint. No personal data is kept: only where, when, what, how urgent."""

    id: str
    received: dt.date
    province_code: str
    district_code: str
    tambon_code: str  # "" when the row only names a district
    category: str
    status: Status
    urgency: str = "normal"
    line: int = 0  # line in the source file (the header is line 1)


@dataclass(frozen=True)
class Reject:
    """A row that could not be used, with the line number (header = line 1) and why.

    ``raw`` holds the row's recognised columns as (header, value), never other columns, with
    values that may be personal data hidden; ``kind`` groups reasons for the counts."""

    line: int
    field: str
    reason: str
    source: str = ""
    raw: tuple[tuple[str, str], ...] = ()
    kind: str = ""

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.source else f"line {self.line}"
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.reason}"


@dataclass(frozen=True)
class SiteScore:
    """What the complaints say about one site (only counts and categories, never people)."""

    code: str
    priority: float = 0.0
    open: int = 0  # open or in progress
    resolved: int = 0
    by_category: Mapping[str, int] = field(default_factory=dict)  # open complaints per category


def whole_minutes(seconds: float) -> int:
    """A drive time rounded **up** to a whole minute, in seconds, as a :class:`TravelMatrix`
    holds it; float noise below a millionth of a minute does not add a minute."""
    return math.ceil(round(seconds / 60.0, 6)) * 60


@dataclass(frozen=True)
class TravelMatrix:
    """Drive time (seconds, whole minutes) and distance (metres) between every pair of sites."""

    codes: tuple[str, ...]
    seconds: tuple[tuple[int, ...], ...]
    metres: tuple[tuple[int, ...], ...]
    model: str = "estimate"

    def index(self, code: str) -> int:
        return self._index[code]

    @property
    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {c: i for i, c in enumerate(self.codes)}
            object.__setattr__(self, "_index_cache", cached)
        return cached

    def drive_seconds(self, a: str, b: str) -> int:
        return self.seconds[self._index[a]][self._index[b]]

    def drive_metres(self, a: str, b: str) -> int:
        return self.metres[self._index[a]][self._index[b]]


@dataclass(frozen=True)
class UnitDay:
    """One unit on one working day: the vehicle of the optimizer."""

    unit: str  # "65-1": province 65, unit 1
    province_code: str
    date: dt.date
    base: str  # code of the base the unit starts from and returns to
    day_start: int  # seconds since midnight
    day_end: int


#: what a stop of a route is: the departure (stop 0: from the base, or from the lodging
#: after a night away), a visit, the return to the base, or the arrival at a lodging
STOP_KINDS: tuple[str, ...] = ("depart", "visit", "overnight", "return")


@dataclass(frozen=True)
class Stop:
    """One row of a route: the departure (stop 0), a visit, then the return to the base or
    the arrival at the lodging where the unit sleeps (``overnight``)."""

    stop: int
    code: str
    kind: Literal["depart", "visit", "overnight", "return"]
    arrive: int | None  # seconds since midnight; None at the departure
    depart: int | None  # None at the return and at the overnight
    drive_seconds: int  # from the previous stop of the same unit-day (0 at stop 0)
    drive_metres: int
    priority: float = 0.0


@dataclass(frozen=True)
class Route:
    """One unit-day: stop 0 is where the day starts (the base, or the lodging of the night
    before), the last stop where it ends (the base, or a lodging: ``overnight``)."""

    unit_day: UnitDay
    stops: tuple[Stop, ...]

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.kind == "visit")

    @property
    def overnight(self) -> Stop | None:
        """The lodging where the unit sleeps after this day (None: back at the base)."""
        last = self.stops[-1]
        return last if last.kind == "overnight" else None

    @property
    def from_lodging(self) -> bool:
        """The day starts at a lodging (after a night away), not at the base."""
        return self.stops[0].code != self.unit_day.base

    @property
    def drive_seconds(self) -> int:
        return sum(s.drive_seconds for s in self.stops)

    @property
    def drive_metres(self) -> int:
        return sum(s.drive_metres for s in self.stops)


@dataclass(frozen=True)
class Unvisited:
    """A candidate site that is not in the plan, and why (VROOM's 'unassigned' idea)."""

    code: str
    priority: float
    reason_code: str
    reason: str


@dataclass(frozen=True)
class SolveInfo:
    engine: str
    status: Literal["optimal", "feasible"]
    objective: float
    bound: float | None
    seconds: float
    detail: dict[str, object] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between the bound and the objective (0.0 when proven optimal)."""
        if self.status == "optimal":
            return 0.0
        if self.bound is None:
            return None
        denom = max(abs(self.bound), 1e-9)
        return max(0.0, (self.bound - self.objective) / denom)

    def describe(self) -> str:
        if self.status == "optimal":
            return "optimal"
        if self.gap is None:
            return "feasible (no bound)"
        return f"gap {self.gap * 100:.1f} %"


@dataclass(frozen=True)
class PlanParameters:
    """Everything that decided a plan, as given (after defaults were applied)."""

    provinces: tuple[str, ...]
    level: Level
    week: str  # ISO week, "2026-W49"
    dates: tuple[dt.date, ...]
    units: int  # per province
    day_start: int  # seconds since midnight, Asia/Bangkok
    day_end: int
    service_seconds: int
    minutes_per_point: float
    must_visit: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    time_limit: float = 10.0
    seed: int = 0
    engine: str = "auto"
    bases: Mapping[str, str] = field(default_factory=dict)  # province -> base site code
    complaints_source: str = ""
    reference_date: dt.date | None = None  # priorities are aged to this day
    weights_source: str = "built-in"
    travel_model: str = ""
    site_overrides: str = ""
    #: parameters of the travel model, enough to rebuild the matrix (``caravan.travel.matrix``)
    travel: Mapping[str, object] = field(default_factory=dict)
    population_source: str = ""  # --population FILE: the map shades per 10,000 residents
    #: tours (caravan.plan.model): nights away allowed, at most ``max_nights`` per unit and
    #: week, each costing ``night_cost`` points; the lodging file ("" for district offices)
    overnight: bool = False
    max_nights: int = 0
    night_cost: float = 0.0
    lodging_source: str = ""
    #: province -> the codes of its lodgings (sites of the plan), when nights were allowed
    lodgings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ComplaintSummary:
    source: str
    rows: int
    accepted: int
    rejected: int
    open: int  # open or in progress, in the planned provinces
    moved_to_seat: int = 0  # counted at the district's seat tambon (no tambon given)
    rejects: tuple[Reject, ...] = ()


@dataclass(frozen=True)
class WeekPlan:
    """A week's plan: routes, unvisited sites with reasons, and how it was found."""

    parameters: PlanParameters
    sites: Mapping[str, Site]  # every candidate and base of the planned provinces
    scores: Mapping[str, SiteScore]
    matrix: TravelMatrix
    routes: tuple[Route, ...]
    unvisited: tuple[Unvisited, ...]
    solve: SolveInfo
    complaints: ComplaintSummary
    created: dt.datetime | None = None
    # rolling planning (caravan.calendar, caravan.plan.rolling, caravan.plan.replan); see below
    days_off: tuple[DayOff, ...] = ()
    history: HistoryInfo | None = None
    replan: ReplanInfo | None = None
    notes: tuple[str, ...] = ()  # calendar and fairness notes for the planner
    #: residents per district (and tambon) code when a population file was given
    population: Mapping[str, int] = field(default_factory=dict)
    #: the :class:`caravan.plan.request.PlanRequest` that made the plan (None for plan files
    #: written before caravan stored requests); typed loosely because the request belongs
    #: to the planning stage, above these base types
    request: object | None = None
    #: (from code, to code) -> the lon/lat points of the road that leg drives along, for the
    #: maps (:mod:`caravan.travel.paths`); a leg without a line is drawn straight
    legs: Mapping[tuple[str, str], tuple[tuple[float, float], ...]] = field(default_factory=dict)

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(v for r in self.routes for v in r.visits)

    @property
    def total_priority(self) -> float:
        return round(sum(v.priority for v in self.visits), 2)

    @property
    def drive_seconds(self) -> int:
        return sum(r.drive_seconds for r in self.routes)

    @property
    def drive_metres(self) -> int:
        return sum(r.drive_metres for r in self.routes)

    @property
    def nights(self) -> int:
        """Nights away from the base, all units together."""
        return sum(1 for r in self.routes if r.overnight is not None)

    @property
    def night_points(self) -> float:
        return self.nights * self.parameters.night_cost

    @property
    def objective(self) -> float:
        """sum of the priority of visited sites - drive minutes / minutes_per_point
        - nights away x night cost"""
        return (
            self.total_priority
            - (self.drive_seconds / 60) / self.parameters.minutes_per_point
            - self.night_points
        )

    @property
    def complaints_reached(self) -> int:
        return sum(self.scores[v.code].open for v in self.visits if v.code in self.scores)


# ---------------------------------------------------------------------------- rolling planning


@dataclass(frozen=True)
class DayOff:
    """A day of the planned week that is not worked: a holiday, or a day added by the user."""

    date: dt.date
    name_th: str
    name_en: str
    source: str  # "built-in", "holidays package" (caravan.plan.workdays) or "--holiday"


@dataclass(frozen=True)
class SiteHistory:
    """How the visit history changed one site's score (``caravan.plan.rolling``)."""

    code: str
    last_visit: dt.date | None  # latest recorded visit before the planned week
    weeks_since: int | None  # whole weeks from that visit's week to the planned week
    base_priority: float  # from the complaints alone
    priority: float  # after the resolved and recency rules
    base_open: int
    open: int
    resolved_at_visits: int  # open complaints taken as resolved on the spot
    recency_factor: float  # applied to complaints received up to the last visit (1.0: none)
    note: str = ""


@dataclass(frozen=True)
class DueSite:
    """A district or tambon due for a visit under the fairness rule, and what became of it."""

    code: str
    weeks_since: int  # weeks without a visit (counted from the start of the history if never)
    last_visit: dt.date | None
    status: str  # "required", "served", "unreachable", "over_capacity", "skipped"
    reason: str


@dataclass(frozen=True)
class HistoryInfo:
    """What the history contributed to a plan."""

    source: str  # the database, or "" when none was read
    recency_weeks: int
    max_gap_weeks: int
    weeks_recorded: int  # distinct weeks in the history before the planned week
    sites: tuple[SiteHistory, ...] = ()  # only the sites the history changed
    due: tuple[DueSite, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitChange:
    """One difference between a replan and the plan it replaces."""

    code: str
    change: str  # "added", "removed", "moved", "retimed"
    before: str  # "2026-12-03 35-1 10:15", "" for an added visit
    after: str  # "" for a removed visit


@dataclass(frozen=True)
class ReplanInfo:
    """A plan made mid-week: the visits up to ``done_through`` are kept as they were."""

    base_plan: str  # path of the plan.json it replaces
    done_through: dt.date
    kept_visits: int
    changes: tuple[VisitChange, ...] = ()
    #: visit key "date unit code" -> change of that visit ("done", "unchanged", "added", ...)
    row_changes: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def visit_key(date: dt.date, unit: str, code: str) -> str:
        """The key of a visit in :attr:`row_changes`: ``"2026-12-03 35-1 3501"``."""
        return f"{date.isoformat()} {unit} {code}"

    def change_of(self, date: dt.date, unit: str, code: str) -> str:
        """What the replan did to this visit (``""`` for a visit it does not know)."""
        return self.row_changes.get(self.visit_key(date, unit, code), "")
