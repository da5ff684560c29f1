"""Working days of a planned week: Thai government holidays are never scheduled.

The built-in calendar is ``data/holidays/th_2026_2027.csv`` (its sources are in
``data/holidays/README.md``): the government holidays, substitution days and special
holidays of 2026 and 2027, curated by hand. For any other year the days off come from the
``holidays`` package's Thai calendar (installed with caravan, computed offline): its public
and government categories, which are the days government offices close, less National
Labour Day and its substitute day (only the private and financial sectors close) and
National Children's Day (a Saturday observance), as the built-in table leaves them out
too. Where both know a year, the built-in table wins. Every day off says where it came
from (:attr:`~caravan.types.DayOff.source`): ``built-in``, ``holidays package`` or
``--holiday``. caravan never fetches holidays from the internet.

The working days of a week are the first ``days`` days from its Monday, minus the holidays
among them. ``--holiday DATE`` adds a day off (a local holiday, a special holiday announced
late); ``--workday DATE`` makes a day a working day: it overrides a holiday, or adds a day
of the week beyond ``days`` (a make-up Saturday). Both dates must lie in the planned week.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from caravan.clock import parse_date
from caravan.clock import week_label as clock_week_label
from caravan.errors import NoPlanError, ParameterError
from caravan.folders import data_path
from caravan.types import DayOff

CALENDAR_FILE = ("holidays", "th_2026_2027.csv")
COVERED_YEARS = (2026, 2027)
#: where a day off comes from (:attr:`caravan.types.DayOff.source`)
BUILTIN, PACKAGE, OPTION = "built-in", "holidays package", "--holiday"


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    kind: str  # holiday | substitution | special
    status: str  # official | provisional
    name_th: str
    name_en: str


@cache
def builtin_holidays() -> dict[dt.date, Holiday]:
    """The built-in calendar, by date."""
    out: dict[dt.date, Holiday] = {}
    with open(data_path(*CALENDAR_FILE), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            day = dt.date.fromisoformat(row["date"])
            out[day] = Holiday(day, row["kind"], row["status"], row["name_th"], row["name_en"])
    return out


#: holidays of the ``holidays`` package's calendar that government offices work on
_NOT_GOVERNMENT_DAYS_OFF = ("วันแรงงานแห่งชาติ", "วันเด็กแห่งชาติ")


@cache
def package_holidays(year: int) -> dict[dt.date, Holiday]:
    """The government days off of ``year`` from the ``holidays`` package (module
    docstring), by date, with their Thai and English names."""
    import holidays as holidays_package

    def calendar(language: str):
        return holidays_package.Thailand(
            years=year, categories=("public", "government"), language=language
        )

    thai, english = calendar("th"), calendar("en_US")
    out: dict[dt.date, Holiday] = {}
    for day in sorted(thai):
        kept = [
            (th, en)
            for th, en in zip(thai.get_list(day), english.get_list(day), strict=True)
            if not any(word in th for word in _NOT_GOVERNMENT_DAYS_OFF)
        ]
        if kept:
            name_th, name_en = ("; ".join(names) for names in zip(*kept, strict=True))
            out[day] = Holiday(day, "holiday", "computed", name_th, name_en)
    return out


def package_version() -> str:
    from importlib.metadata import version

    return version("holidays")


def holiday_on(day: dt.date) -> DayOff | None:
    """The day off ``day`` is by the calendars (the built-in table for the years it covers,
    else the ``holidays`` package), or None."""
    if day.year in COVERED_YEARS:
        h, source = builtin_holidays().get(day), BUILTIN
    else:
        h, source = package_holidays(day.year).get(day), PACKAGE
    return None if h is None else DayOff(day, h.name_th, h.name_en, source)


@dataclass(frozen=True)
class WorkWeek:
    dates: tuple[dt.date, ...]  # the working days, in order
    days_off: tuple[DayOff, ...]  # the days among the first ``days`` that are not worked
    notes: tuple[str, ...] = ()


def working_days(
    *,
    monday: dt.date,
    days: int,
    holidays: Iterable[str | dt.date] = (),
    workdays: Iterable[str | dt.date] = (),
    week_label: str = "",
) -> WorkWeek:
    """The working days of the week starting ``monday`` (see the module docstring).

    Raises :class:`ParameterError` for a date that is not a date or not in the week, or that
    is given both as ``--holiday`` and ``--workday``; :class:`NoPlanError` when no working
    day is left.
    """
    sunday = monday + dt.timedelta(days=6)
    label = week_label or clock_week_label(monday)

    def in_week(day: dt.date, param: str) -> dt.date:
        if not monday <= day <= sunday:
            raise ParameterError(
                f"{day.isoformat()} is not in week {label} ({monday.isoformat()} to "
                f"{sunday.isoformat()})",
                param=param,
            )
        return day

    extra = [in_week(parse_date(d, param="--holiday"), "--holiday") for d in holidays]
    work = [in_week(parse_date(d, param="--workday"), "--workday") for d in workdays]
    both = sorted(set(extra) & set(work))
    if both:
        raise ParameterError(
            f"{both[0].isoformat()} is both a --holiday and a --workday", param="--workday"
        )
    span = [monday + dt.timedelta(days=i) for i in range(days)]
    chosen = sorted(set(span) | set(work))
    off: list[DayOff] = []
    dates: list[dt.date] = []
    for day in chosen:
        holiday = None if day in work else holiday_on(day)
        if day in extra:
            off.append(DayOff(day, "วันหยุด (กำหนดเพิ่ม)", "holiday (--holiday)", OPTION))
        elif holiday is not None:
            off.append(holiday)
        else:
            dates.append(day)
    notes = []
    years = sorted({d.year for d in chosen} - set(COVERED_YEARS))
    if years:
        notes.append(
            f"holidays of {', '.join(map(str, years))} come from the holidays package "
            f"{package_version()} (caravan's own table covers 2026-2027): check them against "
            "the Cabinet's calendar and add a day off with --holiday"
        )
    builtin = builtin_holidays()
    provisional = [
        builtin[d.date] for d in off if d.source == BUILTIN and builtin[d.date].status != "official"
    ]
    for h in provisional:
        notes.append(
            f"{h.date.isoformat()} ({h.name_en}) is a provisional lunar date: check the "
            "official calendar"
        )
    if not dates:
        names = "; ".join(f"{d.date.isoformat()} {d.name_en}" for d in off)
        raise NoPlanError(
            f"week {label} has no working day left in its first {days} day(s) ({names}): "
            "use --workday DATE to work on one of them"
        )
    return WorkWeek(dates=tuple(dates), days_off=tuple(off), notes=tuple(notes))


def started_week_warning(monday: dt.date, *, today: dt.date, week_label: str = "") -> str:
    """A warning when the week starting ``monday`` has already begun (its Monday is today or
    earlier): its plan schedules days that have passed. Empty for a week still to come.

    ``caravan plan`` prints it on stderr and still writes the plan (a web page can call it
    too).
    A week under way points to ``caravan replan``, which keeps the days already worked."""
    if monday > today:
        return ""
    label = week_label or clock_week_label(monday)
    sunday = monday + dt.timedelta(days=6)
    if sunday < today:
        return (
            f"week {label} is over ({monday.isoformat()} to {sunday.isoformat()}; today is "
            f"{today.isoformat()}): this is a plan for a past week"
        )
    last_worked = max(monday, today - dt.timedelta(days=1))
    return (
        f"week {label} began on {monday.isoformat()} (today is {today.isoformat()}): this "
        "plan schedules it from Monday on; to keep the visits already made and plan only the "
        "days left, replan the week's plan instead: caravan replan PLAN.json --done-through "
        f"{last_worked.isoformat()}"
    )
