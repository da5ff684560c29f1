"""Planning jobs: a worker process per plan (:mod:`caravan.web.worker`), its progress, Cancel.

:class:`Jobs` belongs to one app (no module state): it starts a worker in the session's
folder, in a process group of its own, and keeps the :class:`subprocess.Popen` so that it
can tell a running job from a stopped one and cancel it (the whole group is killed, PyVRP's
helper process included). Everything else a job has to say is in its folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from caravan.web.worker import DONE, ERROR, JOB, PROGRESS
from caravan.web.workspace import read_json, write_json


@dataclass(frozen=True)
class JobState:
    """What the page shows of a job: ``running``, ``done``, ``failed`` or ``cancelled``."""

    state: str
    progress: dict
    error: str = ""

    def to_json(self) -> dict:
        return {"state": self.state, "progress": self.progress, "error": self.error}


class Jobs:
    def __init__(self) -> None:
        self.running: dict[Path, subprocess.Popen] = {}

    def start(self, session_folder: Path, folder: Path, job: dict) -> None:
        """Write ``job.json`` into ``folder`` and start its worker (cwd: the session's
        folder, so that the paths the plan records are relative to it)."""
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / JOB, job)
        log = open(folder / "worker.log", "wb")  # noqa: SIM115 - the child writes it
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "caravan.web.worker", str(folder.resolve())],
                cwd=session_folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=sys.platform != "win32",
            )
        finally:
            log.close()
        self.running[folder.resolve()] = proc

    def state(self, folder: Path) -> JobState:
        progress = read_json(folder / PROGRESS)
        if (folder / DONE).exists():
            self._reap(folder)
            return JobState("done", progress)
        error = folder / ERROR
        if error.exists():
            self._reap(folder)
            return JobState("failed", progress, error.read_text(encoding="utf-8").strip())
        proc = self.running.get(folder.resolve())
        if proc is not None and proc.poll() is None:
            return JobState("running", progress)
        if (folder / "cancelled").exists():
            return JobState("cancelled", progress)
        return JobState("failed", progress, "the planner stopped unexpectedly (worker.log)")

    def cancel(self, folder: Path) -> bool:
        """Stop a running job; False when it was not running."""
        proc = self.running.get(folder.resolve())
        if proc is None or proc.poll() is not None:
            return False
        (folder / "cancelled").write_text("", encoding="utf-8")
        try:
            if sys.platform == "win32":
                proc.terminate()
            else:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            proc.kill()
        self._reap(folder)
        return True

    def _reap(self, folder: Path) -> None:
        proc = self.running.pop(folder.resolve(), None)
        if proc is not None:
            proc.wait()

    def stop_all(self) -> None:
        for folder in list(self.running):
            self.cancel(folder)


def job_of(folder: Path) -> dict:
    try:
        return json.loads((folder / JOB).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
