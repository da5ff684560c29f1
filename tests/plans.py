"""Small plans with known content, for the map and export tests.

``tiny_plan``: Amnat Charoen at district level, week 2026-W40, one unit, two days, visits
of 180 minutes in 08:30-16:30; the complaints of ``tests/test_plan.py`` plus two with
hostile categories and columns full of personal data that must never reach an output.
By hand, with ``--travel straight`` (drive minutes: see test_plan.py): 3702 Chanuman has
priority 2 x (3 x 4) + 1 (unknown category, weight 1) = 25 and is the only visit (Monday
09:35-12:35, 65 drive minutes each way: objective 25 - 13 = 12); 3706 (3), 3707 (1.5) and
3705 (1.06: one complaint 8 days old, age factor 1 + 0.05 x 8/7) are not worth their
detours.

``browser_plan``: Amnat Charoen at tambon level, two units, two days, 90-minute visits, so
that there are several routes with several stops each; hostile categories at a visited
tambon (370501) and at a skipped one (370205).

Since a complaint file's unknown category values are read as "other" (issue 17), hostile
categories reach a plan only from a program that hands ``plan_week`` its own complaints:
both plans put them back into the file as read (:func:`with_categories`), so that the
outputs' escaping is still tested; their weight is then the ``default`` one (1).

``tour_plan``: Phitsanulok at district level on the built-in sample, week 2026-W49, Chat
Trakan (6503) required: it fits in no day trip, so the unit spends a night away.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace
from functools import cache
from pathlib import Path

from caravan.complaints import ComplaintFile, read_complaints
from caravan.plan.week import plan_week
from caravan.travel.matrix import TravelModel
from caravan.types import WeekPlan

XSS = "<img src=x onerror=alert(1)>"
#: The plain great-circle estimate (x 1.2 at 60 km/h): drive minutes a test can check by hand.
STRAIGHT = TravelModel(mode="straight")
TEMPLATE_BREAK = "`+alert(2)+`"
TEMPLATE_EXPR = "${alert(3)}"
FORMULA = '=HYPERLINK("http://example.invalid","x")'

#: values of the personal-data columns: none may appear in any output
PRIVATE = (
    "สมชาย ใจดี",
    "Somchai Jaidee",
    "081-234-5678",
    "1-1002-00345-67-8",
    "99 หมู่ 4 บ้านนาผือ",
    "ถูกเพื่อนบ้านข่มขู่",
)

_PRIVATE_HEADER = "name,phone,national_id,address,description"
_PRIVATE_ROW = ",".join(f'"{v}"' for v in PRIVATE[:1] + PRIVATE[2:])

TINY_COMPLAINTS = (
    f"id,received,district_code,category,status,urgency,{_PRIVATE_HEADER}\n"
    f"T1,2026-09-28,3702,domestic_violence,open,critical,{_PRIVATE_ROW}\n"
    f"T2,2026-09-28,3702,domestic_violence,open,critical,{PRIVATE[1]},,,,\n"
    "T3,2026-09-28,3706,elderly,open,high,,,,,\n"
    "T4,2026-09-28,3707,elderly,open,normal,,,,,\n"
    "T5,2026-09-28,3703,roads,resolved,normal,,,,,\n"
    f"T6,2026-09-20,3705,{XSS},open,normal,,,,,\n"
    f'T7,2026-09-28,3702,"{FORMULA.replace(chr(34), chr(34) * 2)}",open,normal,,,,,\n'
)

BROWSER_COMPLAINTS = (
    "id,received,tambon_code,category,status,urgency\n"
    "B1,2026-09-28,370201,domestic_violence,open,critical\n"
    "B2,2026-09-28,370201,domestic_violence,open,critical\n"
    f"B3,2026-09-28,370501,{XSS},open,high\n"
    f"B4,2026-09-28,370501,{TEMPLATE_BREAK},open,normal\n"
    f"B5,2026-09-28,370501,{TEMPLATE_EXPR},open,normal\n"
    "B6,2026-09-28,370501,health,open,critical\n"
    "B7,2026-09-28,370601,elderly,open,high\n"
    "B8,2026-09-28,370601,elderly,open,high\n"
    "B9,2026-09-28,370701,poverty_debt,open,critical\n"
    "B10,2026-09-28,370304,health,open,high\n"
    "B11,2026-09-28,370304,health,open,high\n"
    "B12,2026-09-28,370401,domestic_violence,open,high\n"
    "B13,2026-09-28,370102,child_family,open,normal\n"
    "B14,2026-09-28,370604,welfare_card,open,high\n"
    "B15,2026-09-28,370706,water,open,critical\n"
    f"B16,2026-09-28,370205,{XSS},open,low\n"
)

TODAY = dt.date(2026, 9, 28)
CREATED = dt.datetime(2026, 9, 25, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Bangkok"))


def with_categories(src: Path, categories: dict[str, str]) -> ComplaintFile:
    """``src`` as read, then the complaints with these ids given these categories (as a
    program may hand them to ``plan_week``; a file's unknown values are read as "other")."""
    read = read_complaints(src, today=TODAY)
    accepted = [replace(c, category=categories.get(c.id, c.category)) for c in read.accepted]
    return replace(read, accepted=accepted)


def tiny_plan(folder: Path, **kwargs) -> WeekPlan:
    kwargs.setdefault("travel", STRAIGHT)  # the drive minutes checked by hand
    src = folder / "tiny_complaints.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    plan = plan_week(
        complaints=with_categories(src, {"T6": XSS, "T7": FORMULA}),
        provinces=["37"],
        level="district",
        week="2026-W40",
        days=2,
        units=1,
        service_minutes=180,
        today=TODAY,
        time_limit=10,
        **kwargs,
    )
    return replace(plan, created=CREATED)


def browser_plan(folder: Path) -> WeekPlan:
    src = folder / "browser_complaints.csv"
    src.write_text(BROWSER_COMPLAINTS, encoding="utf-8")
    hostile = {"B3": XSS, "B4": TEMPLATE_BREAK, "B5": TEMPLATE_EXPR, "B16": XSS}
    plan = plan_week(
        complaints=with_categories(src, hostile),
        provinces=["37"],
        level="tambon",
        week="2026-W40",
        days=2,
        units=2,
        service_minutes=90,
        skip=["370205"],
        today=TODAY,
        time_limit=10,
    )
    return replace(plan, created=CREATED)


@cache
def three_province_plan() -> WeekPlan:
    """All three provinces at tambon level, two units, five days, on the built-in sample: the
    biggest map a planner makes (shared by the size test and the browser test)."""
    plan = plan_week(
        level="tambon",
        units=2,
        week="2026-W49",
        today=dt.date(2026, 11, 27),
        time_limit=6,
    )
    return replace(plan, created=CREATED)


@cache
def tour_plan() -> WeekPlan:
    plan = plan_week(
        provinces=["65"], week="2026-W49", must_visit=["6503"], today=dt.date(2026, 11, 27)
    )
    assert plan.nights == 1
    return replace(plan, created=CREATED)


def empty_plan(folder: Path) -> WeekPlan:
    """A week with nothing to visit: the only complaint (Chanuman, 3702) is resolved."""
    src = folder / "resolved.csv"
    src.write_text(
        "id,received,district_code,category,status\nR1,2026-09-28,3702,roads,resolved\n",
        encoding="utf-8",
    )
    return plan_week(
        complaints=src, provinces=["37"], week="2026-W40", days=1, today=dt.date(2026, 9, 28)
    )
