"""Rolling planning over a season: plan, record and report week after week with a real
history database (SQLite in a temporary folder). Prints seconds per week and the totals,
then the fairness rule's result: for every district (or tambon) of the planned provinces
the weeks it was visited and its longest gap, whether every one of them was visited at
least every ``--max-gap-weeks`` weeks (the level's default), and the nights away per unit
(docs/tours.md; ``--no-overnight`` plans day trips only, as before tours).

    .venv/bin/python benchmarks/rolling_season.py [--weeks 12] [--level district]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import add_travel_option, travel_model

from caravan.geo.geography import load_geography
from caravan.history.store import open_history
from caravan.outputs.planfile import plan_json
from caravan.plan.rolling import DEFAULT_MAX_GAP_WEEKS, RollingOptions
from caravan.plan.week import plan_week
from caravan.types import PROVINCES


def main() -> None:
    ap = argparse.ArgumentParser()
    add_travel_option(ap)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--level", default="district")
    ap.add_argument("--province", action="append", default=None)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--no-overnight", action="store_true", help="day trips only")
    args = ap.parse_args()
    travel = travel_model(args)
    first = dt.date(2026, 11, 30)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "history.sqlite"
        total = 0.0
        plans = []
        for i in range(args.weeks):
            monday = first + dt.timedelta(weeks=i)
            y, w, _ = monday.isocalendar()
            t0 = time.perf_counter()
            with open_history(db) as hist:
                snap = hist.snapshot(before=monday)
            t1 = time.perf_counter()
            plan = plan_week(
                travel=travel,
                provinces=args.province,
                level=args.level,
                week=f"{y}-W{w:02d}",
                today=monday,
                time_limit=args.time_limit,
                rolling=RollingOptions(history=snap),
                overnight=not args.no_overnight,
            )
            plans.append(plan)
            t2 = time.perf_counter()
            with open_history(db, create=True) as hist:
                hist.record_plan(plan=plan, plan_json=plan_json(plan), source="bench")
            t3 = time.perf_counter()
            total += t3 - t0
            due = plan.history.due if plan.history else ()
            print(
                f"{y}-W{w:02d}: read history {t1 - t0:.3f} s, plan {t2 - t1:.2f} s "
                f"({plan.solve.describe()}), record {t3 - t2:.3f} s; {len(plan.visits)} visits, "
                f"{len(due)} due, {plan.nights} night(s) away"
            )
        print(f"total {total:.1f} s for {args.weeks} weeks; database {db.stat().st_size} bytes")
    fairness(plans, args.level, args.province or list(PROVINCES))


def fairness(plans, level: str, provinces) -> None:
    """Every site's visit weeks and longest gap against the level's --max-gap-weeks (history
    starts with the first week: a site never visited is due in week K - 1 at the latest)."""
    k = DEFAULT_MAX_GAP_WEEKS[level]
    weeks: dict[str, list[int]] = {}
    for i, p in enumerate(plans):
        for v in p.visits:
            weeks.setdefault(v.code, []).append(i)
    late = []
    for site in load_geography().candidates(level=level, provinces=provinces):
        marks = [-1, *weeks.get(site.code, []), len(plans)]
        gap = max(b - a for a, b in itertools.pairwise(marks))
        if gap > k:
            late.append(f"{site.code} ({site.name_en}, longest gap {gap})")
        if level == "district":
            print(f"  {site.code} {site.name_en:24} weeks {weeks.get(site.code, [])} gap {gap}")
    print(
        f"every {level} visited at least every {k} weeks: "
        + ("yes" if not late else f"no: {', '.join(late)}")
    )
    nights = Counter(r.unit_day.unit for p in plans for r in p.routes if r.overnight)
    print(
        "nights away per unit: "
        + (", ".join(f"{u} {n}" for u, n in sorted(nights.items())) or "none")
    )


if __name__ == "__main__":
    main()
