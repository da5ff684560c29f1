"""One planning job of the web page, in its own process: ``python -m caravan.web.worker DIR``.

The page starts it (:mod:`caravan.web.jobs`) in the session's folder, with the job's folder
``DIR`` (``plans/ID``) holding ``job.json``: what to do, ``plan`` (a
:class:`~caravan.plan.request.PlanRequest` as plan.json stores it) or ``replan`` (a plan
file, and the unit-days to pin, the sites to drop and to force). It calls the library as
``caravan plan`` and ``caravan replan`` do, and leaves in ``DIR``:

* ``progress.json`` while it runs: the stage, and per province the solver's elapsed
  seconds, best objective and bound (plan_week's ``progress`` callback);
* the plan's files (:func:`caravan.outputs.write.write_plan`, all or none), then
  ``done.json``; or ``error.txt``, the one-line error, and exit status 1.

A separate process (in its own process group) can be cancelled cleanly at any moment: the
page kills the group, PyVRP's helper process included; the plan's files are written all
or none, so a cancelled job leaves no half plan.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from caravan.atomic import OutputError, atomic_write_text
from caravan.errors import CaravanError
from caravan.outputs.planfile import read_plan
from caravan.outputs.write import write_plan
from caravan.plan.replan import replan_week
from caravan.plan.request import PlanRequest
from caravan.plan.week import plan_week, read_request_complaints, read_request_history

JOB = "job.json"
PROGRESS = "progress.json"
DONE = "done.json"
ERROR = "error.txt"


class Progress:
    """Writes progress.json, at most every quarter second while the solver runs."""

    def __init__(self, folder: Path, time_limit: float) -> None:
        self.path = folder / PROGRESS
        self.state: dict = {"stage": "reading", "time_limit": time_limit, "provinces": {}}
        self.last = 0.0
        self.write()

    def write(self) -> None:
        atomic_write_text(self.path, json.dumps(self.state))

    def stage(self, name: str) -> None:
        self.state["stage"] = name
        self.write()

    def __call__(self, province: str, elapsed: float, best: float, bound: float | None) -> None:
        self.state["stage"] = "solving"
        self.state["provinces"][province] = {
            "elapsed": round(elapsed, 2),
            "best": round(best, 2),
            "bound": None if bound is None else round(bound, 2),
        }
        now = time.monotonic()
        if now - self.last >= 0.25:
            self.last = now
            self.write()


def make_plan(job: dict, progress: Progress):
    request = PlanRequest.from_json(job["request"])
    cfile = read_request_complaints(request)
    progress.stage("solving")
    return plan_week(
        request,
        complaints=cfile,
        history=read_request_history(request, job.get("db")),
        progress=progress,
    )


def make_replan(job: dict, progress: Progress):
    base = job["base"]
    progress.stage("solving")
    return replan_week(
        plan=read_plan(base),
        done_through=job.get("done_through"),
        pinned=[tuple(p) for p in job.get("pinned", ())],
        must_visit=job.get("must_visit", ()),
        skip=job.get("skip", ()),
        base_path=base,
    )


def run(folder: Path) -> int:
    job = json.loads((folder / JOB).read_text(encoding="utf-8"))
    progress = Progress(folder, float(job.get("time_limit", 10.0)))
    try:
        plan = (make_replan if job["kind"] == "replan" else make_plan)(job, progress)
        progress.stage("writing")
        write_plan(plan, folder, calendar=job.get("calendar", "gregorian"))
    except (CaravanError, OutputError) as exc:
        atomic_write_text(folder / ERROR, str(exc))
        return 1
    atomic_write_text(folder / DONE, json.dumps({"objective": plan.solve.objective}))
    progress.stage("done")
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
