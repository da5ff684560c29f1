"""Record a plan in the history database: its ``plan.json`` text and its visits.

What ``caravan plan --commit``, ``caravan replan --commit``, ``caravan history record`` and
the web page's "commit this week" do (:meth:`caravan.history.store.History.record_plan`
keeps the rules: one transaction, replacing the week's earlier plans).
"""

from __future__ import annotations

from pathlib import Path

from caravan.history.store import RecordResult, open_history
from caravan.outputs.planfile import plan_json
from caravan.types import WeekPlan


def commit_plan(
    plan: WeekPlan, *, db: str | Path | None, source: str, replan_of: int | None = None
) -> tuple[Path, RecordResult]:
    """Record ``plan`` in the history at ``db`` (created if needed; None: the default
    database). Returns the database's path and what was recorded."""
    with open_history(db, create=True) as hist:
        res = hist.record_plan(
            plan=plan, plan_json=plan_json(plan), source=source, replan_of=replan_of
        )
        return hist.path, res


def recorded_line(path: Path, res: RecordResult) -> str:
    """``recorded plan #3 (15 visits) in PATH (replaces plan #2)`` and the like."""
    if res.already:
        return f"already recorded as plan #{res.plan_id} in {path}"
    replaced = (
        f" (replaces plan {', '.join(f'#{i}' for i in res.replaced)})" if res.replaced else ""
    )
    return f"recorded plan #{res.plan_id} ({res.visits} visits) in {path}{replaced}"
