"""The package's shape: imports only go down the stages, and no module cycle exists.

The stages (docs/architecture.md), lowest first. A module may import its own package and
the packages its stage lists, never one above or beside it. Every import counts, also one
inside a function (those only delay a heavy library such as folium or OR-Tools; they never
dodge a cycle, and this test checks that by counting them too). ``if TYPE_CHECKING:``
blocks do not exist in caravan; if one appears it is counted like any import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "caravan"

#: stage -> the stages it may import (its own package always). "base" is every module
#: directly in caravan/ (types, errors, clock, codes, csvcells, folders, text, atomic).
MAY_IMPORT: dict[str, set[str]] = {
    "base": set(),
    "geo": {"base"},
    "solver": {"base"},
    "complaints": {"base", "geo"},
    "travel": {"base", "geo"},
    "history": {"base", "geo", "complaints"},
    "plan": {"base", "geo", "complaints", "travel", "solver", "history"},
    "outputs": {"base", "geo", "complaints", "travel", "history", "plan"},
    "web": {"base", "geo", "complaints", "travel", "solver", "history", "plan", "outputs"},
    "cli": {
        "base",
        "geo",
        "complaints",
        "travel",
        "solver",
        "history",
        "plan",
        "outputs",
        "web",
    },
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # caravan itself: __version__ only
    if parts[1] == "__main__":
        return "cli"  # python -m caravan
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "base"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The caravan modules ``path`` imports, anywhere in it; ``from pkg import sub`` counts
    as an import of the submodule when ``sub`` is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "caravan")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "caravan":
                continue
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found.update(subs & known)
            if subs - known:
                found.add(node.module)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: imports_of(p, known) - {m} for m, p in mods.items()}


def test_every_package_has_a_stage():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(MAY_IMPORT), f"add {packages - set(MAY_IMPORT)} to MAY_IMPORT"


def test_imports_only_go_down_the_stages():
    upward = []
    for mod, targets in graph().items():
        here = stage_of(mod)
        for target in sorted(targets):
            there = stage_of(target)
            if there != here and there not in MAY_IMPORT[here] and target != "caravan":
                upward.append(f"{mod} ({here}) imports {target} ({there})")
    assert upward == []


def test_no_import_cycles():
    g = graph()
    # a package's __init__ re-exports its modules: an edge into a package is an edge into
    # its __init__, which is what Python runs
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(g.get(m, ())):
            if t == "caravan":
                continue
            if state.get(t) == 1:
                cycles.append(" -> ".join([*stack[stack.index(t) :], t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)
    assert cycles == []


@pytest.mark.parametrize(
    "library, allowed",
    [
        ("click", {"cli"}),
        ("folium", {"outputs.maps"}),
        ("ortools", {"solver"}),
        ("pyvrp", {"solver"}),
        ("numba", {"solver.tourjit"}),
        ("osmium", {"travel.osm"}),
        ("pyarrow", {"complaints"}),
        ("starlette", {"web"}),
        ("jinja2", {"web"}),
        ("uvicorn", {"cli.serve"}),
    ],
)
def test_heavy_libraries_stay_in_their_room(library, allowed):
    """Each third-party engine is imported in one place (docs/architecture.md)."""
    users = set()
    for mod, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == library for n in names):
                users.add(mod.removeprefix("caravan."))
    assert users, f"nothing imports {library}: update this test"
    assert {u for u in users if not any(u == a or u.startswith(a + ".") for a in allowed)} == set()


def test_the_checker_sees_an_upward_import(tmp_path):
    """The check can fail: a base module importing the planning stage is reported."""
    fake = tmp_path / "mod.py"
    fake.write_text("def f():\n    from caravan.plan.week import plan_week\n", encoding="utf-8")
    assert imports_of(fake, set(modules())) == {"caravan.plan.week"}
    assert "plan" not in MAY_IMPORT[stage_of("caravan.clock")]
