"""The package as users install it: the sdist and the wheel built from the tree
(``python -m build``, which builds the wheel from the sdist), the wheel installed (not
editable) into a fresh venv with its dependencies, and caravan run from there in a folder
outside the checkout.

The fresh venv gets its dependencies the way a user's does, from the package index through
pip's cache (warm after ``make test`` installed the same ones), so this needs the index
that pip is configured with. It runs once per session (module fixture) and is marked slow.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, timeout: float = 1200) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    res = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )
    assert res.returncode == 0, f"{args}: {res.stdout[-2000:]}{res.stderr[-4000:]}"
    return res.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the sdist, the wheel, the fresh venv's bin folder, a folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("package")
    dist = tmp / "dist"
    _run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=tmp)
    (sdist,) = dist.glob("caravan-*.tar.gz")
    (wheel,) = dist.glob("caravan-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp)
    work = tmp / "work"
    work.mkdir()
    return sdist, wheel, bin_dir, work


def _shipped_files() -> dict[str, Path]:
    """Every file the package must carry, by its path in the wheel: each non-Python file
    under caravan/ (weights.toml, and any asset a module reads) and each file under data/,
    which setup.cfg installs as caravan/data/ (caravan.folders)."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    package_dir = dict(
        line.split("=", 1) for line in cfg["options"]["package_dir"].split("\n") if "=" in line
    )
    sources = {"caravan": ROOT / "caravan"}
    sources |= {
        pkg.strip().replace(".", "/"): ROOT / folder.strip() for pkg, folder in package_dir.items()
    }
    out = {}
    for prefix, folder in sources.items():
        for path in folder.rglob("*"):
            # not Python's or Numba's caches (caravan.solver.tourjit), made where it runs
            if (
                path.is_file()
                and path.suffix not in (".py", ".pyc")
                and ("__pycache__" not in path.parts)
            ):
                out[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return out


def test_the_wheel_carries_every_module_and_data_file(installed):
    _, wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = _shipped_files()
    for must in (
        "caravan/data/geo/districts.geojson",
        "caravan/data/geo/tambons.geojson",
        "caravan/data/geo/roads.geojson",
        "caravan/data/geo/sites.csv",
        "caravan/data/holidays/th_2026_2027.csv",
        "caravan/data/sample/complaints.csv",
        "caravan/plan/weights.toml",
    ):
        assert must in shipped, must
    assert sorted(set(shipped) - names) == []
    modules = {
        f"caravan/{p.relative_to(ROOT / 'caravan').as_posix()}"
        for p in (ROOT / "caravan").rglob("*.py")
    }
    assert sorted(modules - names) == []


def test_the_sdist_carries_the_build_files_and_the_data(installed):
    sdist, _, _, _ = installed
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        assert f"{top}/{name}" in names, name
    data = {
        f"{top}/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "data").rglob("*") if p.is_file()
    }
    assert data and sorted(data - names) == []


def test_caravan_runs_from_the_installed_wheel(installed):
    _, _, bin_dir, work = installed
    import caravan

    assert _run(bin_dir / "caravan", "--version", cwd=work).strip().endswith(caravan.__version__)
    assert caravan.__version__ in _run(bin_dir / "python", "-m", "caravan", "--version", cwd=work)
    out = work / "plan"
    _run(bin_dir / "caravan", "plan", "--quiet", "--out", out, cwd=work)
    for name in ("plan.json", "itinerary.csv", "rejects.csv", "outcome_template.csv", "map.html"):
        assert (out / name).stat().st_size > 0, name


IMPORT_ALL = """
import importlib, pkgutil, sys
from pathlib import Path
import caravan, caravan.folders
home = Path(caravan.__file__).resolve().parent
assert home.is_relative_to(Path(sys.prefix).resolve()), home  # the installed copy
names = [m.name for m in pkgutil.walk_packages(caravan.__path__, "caravan.")]
for name in names:
    if name != "caravan.__main__":  # runs the command
        importlib.import_module(name)
print(len(names), caravan.folders.data_dir())
"""


def test_every_module_imports_from_the_installed_wheel(installed):
    _, _, bin_dir, work = installed
    count, data_dir = _run(bin_dir / "python", "-c", IMPORT_ALL, cwd=work).split()
    in_tree = sum(1 for _ in (ROOT / "caravan").rglob("*.py")) - 1  # caravan/__init__.py
    assert int(count) == in_tree
    assert Path(data_dir).is_relative_to(bin_dir.parent.resolve())
    assert (Path(data_dir) / "geo" / "sites.csv").is_file()
