"""Tiny named instances, each small enough to solve by hand (the PyVRP habit)."""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caravan.solver.problem import Vehicle, make_problem

ROOT = Path(__file__).resolve().parent.parent
SHARED_GEO = ROOT.parent / "shared" / "geo"
#: the day every test runs on ($CARAVAN_TODAY, set below)
TEST_TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def line_problem():
    """Five points on a line, x = 0, 10, 20, 70, 30; start at 0, end at 4 (x=30).

    Durations are |x_i - x_j|, each visit takes 5, the window is [100, 160], prizes 10, 8, 30
    for sites 1, 2, 3, travel weight 0.1. Site 3 is too far (0->3->4 = 110 > 60). By hand:
    {1, 2} in the order 1, 2 travels 30 and takes 40: objective 18 - 3 = 15; the reverse
    order travels 50; {1} alone gives 10 - 3 = 7, {2} alone 8 - 3 = 5.
    """
    xs = [0, 10, 20, 70, 30]
    d = [[abs(a - b) for b in xs] for a in xs]
    return make_problem(
        durations=d,
        prizes=[0, 10, 8, 30, 0],
        service=[0, 5, 5, 5, 0],
        vehicles=[Vehicle(start=0, end=4, earliest=100, latest=160, name="v0")],
        travel_weight=0.1,
        names=["start", "a", "b", "far", "end"],
    )


@pytest.fixture
def two_vehicle_problem():
    """A depot (0) and four sites on two spokes; two identical vehicles, window [0, 100].

    Spoke east: sites 1 (x=10) and 2 (x=20); spoke west: 3 (x=-10) and 4 (x=-20). Going
    from one spoke to the other passes the depot. Service 10, prizes 5 each, weight 0.1.
    One vehicle per spoke: each travels 40 and takes 60: objective 20 - 8 = 12. All four on
    one vehicle would need 80 travel + 40 service = 120 > 100.
    """
    xs = [0, 10, 20, -10, -20]
    d = [[abs(a - b) for b in xs] for a in xs]
    return make_problem(
        durations=d,
        prizes=[0, 5, 5, 5, 5],
        service=[0, 10, 10, 10, 10],
        vehicles=[Vehicle(0, 0, 0, 100, "mon"), Vehicle(0, 0, 0, 100, "tue")],
        travel_weight=0.1,
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny hand-checked plan of ``tests/plans.py``, made once per test module."""
    from .plans import tiny_plan

    return tiny_plan(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(autouse=True, scope="session")
def _private_history_db(tmp_path_factory):
    """Commands run by the tests never read or write the user's own history database, not
    even those run by module- or session-scoped fixtures (set up before any test's own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CARAVAN_DB", str(tmp_path_factory.mktemp("shared-db") / "history.sqlite"))
        # nor the user's matrix cache or road graph (caravan.travel.matrix, caravan.travel.osm)
        mp.setenv("CARAVAN_CACHE", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("CARAVAN_ROADS", str(tmp_path_factory.mktemp("roads") / "roads.npz"))
        mp.delenv("CARAVAN_OSRM_URL", raising=False)
        # nor the user's pseudonym key (caravan.complaints.privacy)
        mp.setenv("CARAVAN_PSEUDONYM_KEY", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
        # "today" is fixed for every test, whatever the real date (caravan.clock.today): a
        # Friday whose next week has no holiday. A test about the date sets its own.
        mp.setenv("CARAVAN_TODAY", TEST_TODAY.isoformat())
        yield


@pytest.fixture(autouse=True)
def _fresh_history_db(_private_history_db, tmp_path_factory, monkeypatch):
    """Each test starts with an empty history (no test sees what another recorded)."""
    monkeypatch.setenv("CARAVAN_DB", str(tmp_path_factory.mktemp("default-db") / "history.sqlite"))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres by an independent formula (spherical law of haversines, mean
    Earth radius), to check caravan's distances against."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed command as a user would (a real process, real exit code)."""
    exe = shutil.which("caravan", path=str(Path(sys.executable).parent)) or "caravan"
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )
