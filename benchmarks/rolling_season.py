"""Rolling planning over a season: plan, record and report week after week with a real
history database (SQLite in a temporary folder). Prints seconds per week and the totals.

    .venv/bin/python benchmarks/rolling_season.py [--weeks 12] [--level district]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from common import add_travel_option, travel_model

from caravan.history.store import open_history
from caravan.outputs.planfile import plan_json
from caravan.plan.rolling import RollingOptions
from caravan.plan.week import plan_week


def main() -> None:
    ap = argparse.ArgumentParser()
    add_travel_option(ap)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--level", default="district")
    ap.add_argument("--province", action="append", default=None)
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    travel = travel_model(args)
    first = dt.date(2026, 11, 30)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "history.sqlite"
        total = 0.0
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
            )
            t2 = time.perf_counter()
            with open_history(db, create=True) as hist:
                hist.record_plan(plan=plan, plan_json=plan_json(plan), source="bench")
            t3 = time.perf_counter()
            total += t3 - t0
            due = plan.history.due if plan.history else ()
            print(
                f"{y}-W{w:02d}: read history {t1 - t0:.3f} s, plan {t2 - t1:.2f} s "
                f"({plan.solve.describe()}), record {t3 - t2:.3f} s; {len(plan.visits)} visits, "
                f"{len(due)} due"
            )
        print(f"total {total:.1f} s for {args.weeks} weeks; database {db.stat().st_size} bytes")


if __name__ == "__main__":
    main()
