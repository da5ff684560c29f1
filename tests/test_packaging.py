"""A wheel built from the checkout carries the geography, the sample data and the web page's
templates and assets."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_data_and_finds_it(tmp_path):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    (wheel,) = tmp_path.glob("caravan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "caravan/data/geo/districts.geojson",
        "caravan/data/geo/tambons.geojson",
        "caravan/data/geo/sites.csv",
        "caravan/data/geo/README.md",
        "caravan/data/sample/complaints.csv",
        "caravan/data/holidays/th_2026_2027.csv",
        "caravan/data/holidays/README.md",
        "caravan/plan/weights.toml",
        "caravan/web/templates/plan.html",
        "caravan/web/static/app.js",
        "caravan/web/static/app.css",
        "caravan/complaints/profiles/traffy.toml",
    ):
        assert name in names, name
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import caravan.folders as r, caravan.plan.week as p; "
        "print(r.data_dir()); print(p.sample_complaints_path().is_file())"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout.split()
    assert out == [str(site / "caravan" / "data"), "True"]
