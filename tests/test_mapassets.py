"""map.html's JavaScript and CSS: shipped with caravan, inline by default, from CDNs with cdn.

The browser tests (tests/test_browser.py) open both pages; these read the files and the
pages as text: what is shipped, where it comes from, and what each page asks for.
"""

from __future__ import annotations

import json
import re

import pytest

from caravan.errors import ParameterError
from caravan.outputs.formats import render
from caravan.outputs.mapassets import ASSETS, CSS_IMAGES, asset_bytes, assets_html
from caravan.outputs.planfile import plan_json
from caravan.outputs.write import write_plan

from .browser_support import ASSETS as NPM
from .browser_support import unavailable
from .conftest import ROOT, run_cli

ASSET_DIR = ROOT / "caravan" / "outputs" / "assets"
#: what makes a browser load something from elsewhere (a link a user clicks does not)
EXTERNAL = re.compile(
    r"""<(?:script|img|iframe)\b[^>]*\ssrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\shref\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import"""
)


def npm_file(asset) -> str:
    """Where the npm package holds the file (assets/README.md)."""
    if asset.file == "jquery.min.js":
        return "jquery/dist/jquery.min.js"
    return f"leaflet/dist/{asset.file}"


def test_the_shipped_versions_are_those_the_browser_tests_install():
    wanted = json.loads((ROOT / "tests" / "browser_assets" / "package.json").read_text())
    for asset in ASSETS:
        assert wanted["dependencies"][asset.package] == asset.version
        assert f"{asset.package}@{asset.version}" in asset.cdn_url or (
            f"{asset.package}-{asset.version}" in asset.cdn_url
        )


def test_the_shipped_files_are_the_npm_files_byte_for_byte():
    if not (NPM / "leaflet" / "package.json").exists():
        unavailable(f"the npm packages are not installed in {NPM} (npm ci --prefix ...)")
    for asset in ASSETS:
        assert asset_bytes(asset.file) == (NPM / npm_file(asset)).read_bytes(), asset.file
    for image in CSS_IMAGES:
        assert asset_bytes(image) == (NPM / "leaflet" / "dist" / "images" / image).read_bytes()
    assert asset_bytes("LICENSE-leaflet.txt") == (NPM / "leaflet" / "LICENSE").read_bytes()
    assert asset_bytes("LICENSE-jquery.txt") == (NPM / "jquery" / "LICENSE.txt").read_bytes()


def test_every_shipped_file_is_named_in_the_readme_and_used():
    readme = (ASSET_DIR / "README.md").read_text(encoding="utf-8")
    shipped = sorted(p.name for p in ASSET_DIR.iterdir() if p.name != "README.md")
    used = {a.file for a in ASSETS} | {a.licence for a in ASSETS} | set(CSS_IMAGES)
    assert shipped == sorted(used)
    for name in shipped:
        assert f"`{name}`" in readme, name


def test_the_wheel_takes_the_assets():
    cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert re.search(r"^caravan\.outputs = assets/\*$", cfg, re.MULTILINE)


def test_inline_page_needs_nothing_from_outside_and_carries_the_licences(tiny):
    page = render(tiny, "map").data.decode("utf-8")
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert not re.search(r"<link rel=|<script src=", page)
    for asset in ASSETS:
        licence = asset_bytes(asset.licence).decode("utf-8").replace("\r\n", "\n").strip()
        assert licence in page
        assert f"/*! {asset.package} {asset.version} ({asset.file})" in page
    assert page.count("data:image/png;base64,") == len(CSS_IMAGES)
    assert "sourceMappingURL" not in page
    # the only address Leaflet is given is the tiles' (and the attribution's link)
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    # Leaflet first, caravan's own style after it (its fonts win), the map's script last
    order = [page.index(s) for s in ("Leaflet 1.9.3", "jQuery v3.7.1", ".caravan-box {")]
    assert order == sorted(order)


def test_cdn_page_links_the_same_versions_and_is_small(tiny):
    inline = render(tiny, "map").data
    cdn = render(tiny, "map", map_assets="cdn").data.decode("utf-8")
    links = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', cdn)
    assert sorted(links) == sorted(a.cdn_url for a in ASSETS)
    assert "Leaflet 1.9.3" not in cdn
    shipped = sum(len(asset_bytes(a.file)) for a in ASSETS)
    assert len(inline) - len(cdn.encode()) >= shipped


def test_assets_html_refuses_another_mode():
    with pytest.raises(ParameterError) as err:
        assets_html("offline")
    assert str(err.value) == "--map-assets: must be one of inline, cdn, got 'offline'"


def test_write_plan_and_the_commands_carry_the_choice(tiny, tmp_path):
    write_plan(tiny, tmp_path / "a", map_assets="cdn")
    assert '<script src="https://cdn.jsdelivr.net' in (tmp_path / "a" / "map.html").read_text()
    with pytest.raises(ParameterError):
        write_plan(tiny, tmp_path / "b", map_assets="none")
    assert not (tmp_path / "b").exists()
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan_json(tiny), encoding="utf-8")
    for assets, linked in (("cdn", True), ("inline", False), (None, False)):
        out = tmp_path / f"map-{assets}.html"
        extra = ["--map-assets", assets] if assets else []
        res = run_cli("export", str(plan_path), "--format", "map", "--out", str(out), *extra)
        assert res.returncode == 0, res.stderr
        assert ("<script src=" in out.read_text(encoding="utf-8")) is linked
    res = run_cli("export", str(plan_path), "--format", "map", "--map-assets", "web")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--map-assets': 'web' is not one of 'inline', 'cdn'."
    )


def test_plan_and_replan_take_the_option(tmp_path):
    from .plans import TINY_COMPLAINTS

    src = tmp_path / "complaints.csv"
    src.write_text(TINY_COMPLAINTS, encoding="utf-8")
    week = ["--province", "37", "--week", "2026-W40", "--days", "2", "--travel", "straight"]
    res = run_cli(
        "plan", "--complaints", str(src), *week, "--map-assets", "cdn", "--out", str(tmp_path / "a")
    )
    assert res.returncode == 0, res.stderr
    assert "<script src=" in (tmp_path / "a" / "map.html").read_text(encoding="utf-8")
    replan = [
        "replan",
        str(tmp_path / "a" / "plan.json"),
        "--done-through",
        "2026-09-28",
        "--no-history",
    ]
    for out, extra, linked in (("b", ["--map-assets", "cdn"], True), ("c", [], False)):
        res = run_cli(*replan, *extra, "--out", str(tmp_path / out))
        assert res.returncode == 0, res.stderr
        html = (tmp_path / out / "map.html").read_text(encoding="utf-8")
        assert ("<script src=" in html) is linked
