"""Stage 4, planning: from scored sites and drive times to a week's routes, and why.

:mod:`caravan.plan.week` (:func:`plan_week`, the one function behind ``caravan plan``),
:mod:`caravan.plan.priority` (scores), :mod:`caravan.plan.model` (caravan -> the general
problem), :mod:`caravan.plan.schedule` (solution -> dated routes, reasons for unvisited
sites), :mod:`caravan.plan.why` (why each visit), :mod:`caravan.plan.workdays` (holidays),
:mod:`caravan.plan.rolling` (history rules), :mod:`caravan.plan.replan` (mid-week). This
``__init__`` only re-exports.
"""

from caravan.plan.replan import replan_week
from caravan.plan.rolling import RollingOptions
from caravan.plan.week import plan_week

__all__ = ["RollingOptions", "plan_week", "replan_week"]
