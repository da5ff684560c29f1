"""The documentation keeps its promises: every ``caravan`` command shown in README.md,
docs/*.md and examples/README.md runs, and every relative link points to a file.

The convention (written down in docs/development.md, "The documentation test"): a command
is a line of a ```sh block that starts with ``caravan ``, ``$ caravan `` or
``.venv/bin/caravan `` (the installed command, which is on the tests' PATH), continued by a
trailing backslash; a command ending with a ``# needs ...`` comment needs something this
machine lacks (an OSRM server, an OpenStreetMap extract) and is not run. The commands of a
page run in order, in a fresh folder holding a copy of examples/, with the history
database, matrix cache and road graph inside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import ROOT

PAGES = sorted([ROOT / "README.md", ROOT / "examples" / "README.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
NEEDS = re.compile(r"\s#\s*needs\b(?P<what>.*)$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Command:
    line: int  # where it starts in its page
    text: str  # as shown, continuation lines joined
    needs: str  # what it needs that the tests lack ("" = it runs here)


def shell_commands(text: str) -> list[Command]:
    """The ``caravan`` commands of the ```sh blocks of a Markdown page, in order."""
    commands: list[Command] = []
    fence = ""
    in_sh = False
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        opened = FENCE.match(raw)
        if opened and not fence:
            fence, in_sh = opened.group(1), opened.group(2) in ("sh", "bash", "shell", "console")
            continue
        if opened and raw.strip().startswith(fence):
            fence, in_sh = "", False
            continue
        if not in_sh:
            continue
        line = raw.strip()
        if not pending:
            line = line.removeprefix("$ ").removeprefix(".venv/bin/")
            if not line.startswith("caravan "):
                continue
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        whole = " ".join([*pending, line])
        pending = []
        needs = NEEDS.search(whole)
        commands.append(Command(start, whole, needs.group("what").strip(" :;") if needs else ""))
    return commands


def relative_links(text: str) -> list[tuple[int, str]]:
    """(line, target) of every Markdown link that is not a URL (``#anchor`` included)."""
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        for target in LINK.findall(line):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):
                links.append((number, target))
    return links


def anchors(text: str) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them: lower case, punctuation
    dropped, spaces as hyphens (``## The map (`map.html`)`` is ``#the-map-maphtml``)."""
    found = set()
    fence = ""
    for line in text.splitlines():
        opened = FENCE.match(line)
        if opened and (not fence or line.strip().startswith(fence)):
            fence = "" if fence else opened.group(1)
            continue
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*$", line)
        if heading and not fence:
            words = re.sub(r"[^\w\- ]", "", heading.group(1).lower())
            found.add(words.replace(" ", "-"))
    return found


def broken_link(page: Path, target: str) -> bool:
    path, _, anchor = unquote(target).partition("#")
    file = page.parent / path if path else page
    if not file.exists():
        return True
    if anchor and file.suffix == ".md":
        return anchor not in anchors(file.read_text(encoding="utf-8"))
    return False


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_the_pages_are_found_and_hold_commands():
    names = {page_id(p) for p in PAGES}
    assert {"README.md", "examples/README.md", "docs/planning.md", "docs/history.md"} <= names
    readme = shell_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [c.text for c in readme][:3] == [
        "caravan --help",
        "caravan plan --help",
        "caravan --help",
    ]


def test_the_parser_follows_the_convention():
    page = "\n".join(
        [
            "```sh",
            "make demo",
            "caravan plan --week 2026-W49 \\",
            "    --out out/x   # a comment",
            "$ caravan history list",
            ".venv/bin/caravan --version",
            "caravan plan --travel osrm   # needs an OSRM server",
            "```",
            "```",
            "caravan not-sh",
            "```",
            "  ```sh",
            "  caravan report --from 2026-W40 --to 2026-W41",
            "  ```",
            "caravan prose",
        ]
    )
    assert shell_commands(page) == [
        Command(3, "caravan plan --week 2026-W49 --out out/x   # a comment", ""),
        Command(5, "caravan history list", ""),
        Command(6, "caravan --version", ""),
        Command(7, "caravan plan --travel osrm   # needs an OSRM server", "an OSRM server"),
        Command(13, "caravan report --from 2026-W40 --to 2026-W41", ""),
    ]
    assert relative_links("[a](docs/x.md#y) [b](https://x.org) [c](#z) [d](../e.csv)") == [
        (1, "docs/x.md#y"),
        (1, "#z"),
        (1, "../e.csv"),
    ]
    headings = "# Maps and exports\n## The map (`map.html`)\n```sh\n# not a heading\n```\n"
    assert anchors(headings + "## Shading (density)") == {
        "maps-and-exports",
        "the-map-maphtml",
        "shading-density",
    }


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_relative_links_point_to_files_and_headings(page):
    broken = [
        f"{page_id(page)}:{line}: {target}"
        for line, target in relative_links(page.read_text(encoding="utf-8"))
        if broken_link(page, target)
    ]
    assert not broken, "links to files or headings that do not exist:\n" + "\n".join(broken)


def run_page(page: Path, folder: Path) -> list[str]:
    """Run the page's commands in order in ``folder``; the failures, as messages."""
    shutil.copytree(ROOT / "examples", folder / "examples")
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        CARAVAN_DB=str(folder / "user-data" / "history.sqlite"),
        CARAVAN_CACHE=str(folder / "user-cache"),
        CARAVAN_ROADS=str(folder / "user-data" / "roads.npz"),
        COLUMNS="200",
    )
    env.pop("CARAVAN_OSRM_URL", None)
    failures = []
    for cmd in shell_commands(page.read_text(encoding="utf-8")):
        where = f"{page_id(page)}:{cmd.line}"
        if cmd.needs:
            print(f"{where}: not run (needs {cmd.needs}): {cmd.text}")
            continue
        started = time.monotonic()
        res = subprocess.run(
            ["bash", "-o", "pipefail", "-c", cmd.text],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        print(f"{where}: exit {res.returncode} ({time.monotonic() - started:.1f} s): {cmd.text}")
        if res.returncode != 0:
            failures.append(f"{where}: exit {res.returncode}: {cmd.text}\n{res.stderr.strip()}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_command_of_the_page_runs(page, tmp_path):
    """... and leaves the example files as shipped: examples/README.md's command that makes
    examples/complaints_yasothon.csv makes it byte for byte."""
    failures = run_page(page, tmp_path)
    assert not failures, "\n\n".join(failures)
    changed = [
        str(f.relative_to(ROOT))
        for f in sorted((ROOT / "examples").iterdir())
        if (tmp_path / "examples" / f.name).read_bytes() != f.read_bytes()
    ]
    assert not changed, f"the commands of {page_id(page)} changed {changed}"
