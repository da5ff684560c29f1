"""Drive Debian's chromium (headless, through Playwright) on map.html without internet.

Two ways to open a page (:func:`attach`):

* **offline** (the default map, ``--map-assets inline``): every network request is refused,
  as on a computer with the network off. The page's own file is read; the tiles it asks
  OpenStreetMap for are refused and listed in :attr:`PageLog.tiles` (the map must work
  without them); any other request is refused and recorded, and the tests assert there is
  none (the page must need nothing from outside).
* **served** (the ``--map-assets cdn`` page): the CDN URLs are answered from the npm
  packages that ``.ci/run`` installs into ``tests/browser_assets/node_modules`` (the version
  in the URL must be the installed one), tiles with a plain light-grey PNG. Any other
  request is refused and recorded, and the tests assert there is none.

Never a downloaded browser build: the browser is ``/usr/bin/chromium`` (apt package
``chromium``; ``CARAVAN_CHROMIUM`` points elsewhere). Where it, Playwright or the assets are
missing the browser tests skip with the reason, unless ``CARAVAN_REQUIRE_BROWSER=1`` (set by
``.ci/run``), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "tests" / "browser_assets" / "node_modules"
CHROMIUM = Path(os.environ.get("CARAVAN_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("CARAVAN_REQUIRE_BROWSER", "") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TILE_HOSTS = re.compile(r"^https?://([a-z]\.)?tile\.openstreetmap\.org/")
_JSDELIVR_NPM = re.compile(r"^https://cdn\.jsdelivr\.net/npm/((?:@[^/@]+/)?[^/@]+)@([^/]+)/(.+)$")
_JQUERY = re.compile(r"^https://code\.jquery\.com/jquery-(\d+\.\d+\.\d+)(\.min)?\.js$")
_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}


def unavailable(reason: str) -> None:
    """Skip, or fail where the browser tests are required (CI)."""
    if REQUIRED:
        pytest.fail(f"{reason} (CARAVAN_REQUIRE_BROWSER=1: the browser tests must run here)")
    pytest.skip(reason)


def check_available() -> None:
    if not CHROMIUM.exists():
        unavailable(
            f"browser tests skipped: no chromium at {CHROMIUM} (apt-get install chromium, "
            "or set CARAVAN_CHROMIUM)"
        )
    if not (ASSETS / "leaflet" / "package.json").exists():
        unavailable(
            f"browser tests skipped: the map's JS/CSS assets are not installed in {ASSETS} "
            "(npm ci --prefix tests/browser_assets)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("browser tests skipped: the playwright package is not installed")


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


BLANK_TILE = _png(8, 8, (236, 236, 230))


class AssetMismatch(Exception):
    pass


def _installed_version(package: str) -> str:
    meta = ASSETS / package / "package.json"
    if not meta.exists():
        raise AssetMismatch(f"npm package {package} is not in {ASSETS}")
    return json.loads(meta.read_text(encoding="utf-8"))["version"]


def local_asset(url: str) -> Path | None:
    """The local file that answers a CDN URL, or None if the URL is not a known CDN."""
    m = _JSDELIVR_NPM.match(url)
    if m:
        package, version, path = m.groups()
        path = path.split("?")[0].split("#")[0]
        have = _installed_version(package)
        if have != version:
            raise AssetMismatch(
                f"{url} wants {package}@{version} but {have} is installed: update "
                "tests/browser_assets/package.json"
            )
        return ASSETS / package / path
    m = _JQUERY.match(url)
    if m:
        version, minified = m.groups()
        have = _installed_version("jquery")
        if have != version:
            raise AssetMismatch(f"{url} wants jquery {version} but {have} is installed")
        return ASSETS / "jquery" / "dist" / f"jquery{minified or ''}.js"
    return None


@dataclass
class PageLog:
    """What a page did: errors, dialogs, the requests nobody could answer (``refused``),
    the tiles refused offline (``tiles``) and the CDN files served locally (``served``)."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)


def attach(page, log: PageLog, *, offline: bool = True) -> None:
    """Refuse every network request of ``page`` (``offline``), or answer them locally; record
    errors, dialogs and requests in ``log`` (module docstring)."""

    def handle(route):
        url = route.request.url
        if url.startswith(("data:", "about:")) or (url.startswith("file:") and not offline):
            route.continue_()
            return
        if url.startswith("file:") and route.request.resource_type == "document":
            route.continue_()  # the page itself
            return
        if TILE_HOSTS.match(url):
            if offline:
                log.tiles.append(url)
                route.abort("internetdisconnected")
            else:
                route.fulfill(status=200, body=BLANK_TILE, content_type="image/png")
            return
        if offline:
            log.refused.append(url)
            route.abort("internetdisconnected")
            return
        try:
            path = local_asset(url)
        except AssetMismatch as exc:
            log.refused.append(str(exc))
            route.abort()
            return
        if path is None or not path.is_file():
            log.refused.append(url)
            route.abort()
            return
        log.served.append(url)
        route.fulfill(
            status=200,
            body=path.read_bytes(),
            content_type=_TYPES.get(path.suffix, "application/octet-stream"),
            headers={"Access-Control-Allow-Origin": "*"},
        )

    def on_dialog(dialog):
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.route("**/*", handle)
    page.on("pageerror", lambda exc: log.errors.append(f"page error: {exc}"))

    def on_console(msg):
        if msg.type != "error":
            return
        if msg.text.startswith("Failed to load resource") and TILE_HOSTS.match(
            msg.location.get("url", "")
        ):
            return  # a tile refused offline: the map goes on without it
        log.errors.append(f"console {msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("dialog", on_dialog)


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def chromium():
    """Debian's chromium, headless, for the tests of a module (skips or fails as
    :func:`check_available` says): ``browser = pytest.fixture(scope="module")(chromium)``."""
    check_available()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()
