"""The JavaScript and CSS that ``map.html`` needs: inside the page (default) or from CDNs.

The map needs Leaflet (its script, its style sheet and the two images of the layer
control's button) and jQuery (folium's popups parse their HTML with it); nothing else:
folium's other default assets (Bootstrap, Font Awesome, awesome-markers) are never loaded.

``inline`` (``--map-assets inline``, the default) puts them into the page, each with its
licence notice, so that ``map.html`` works opened from a USB stick with no network: routes,
markers, popups, the panels and the legend. Only the background tiles come from
OpenStreetMap; without a network the map has a plain grey background instead. The page
grows by about 250 kB. ``cdn`` (``--map-assets cdn``) writes links to the same versions on
their CDNs instead: a smaller page that needs the internet.

The files ship with caravan in ``caravan/outputs/assets/`` (its README names each file,
its version, source and licence, and how to refresh them); :data:`ASSETS` lists them.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from caravan.errors import ParameterError

MAP_ASSETS: tuple[str, ...] = ("inline", "cdn")


@dataclass(frozen=True)
class Asset:
    """One file of ``caravan/outputs/assets/``: what it is, where it comes from."""

    file: str
    package: str  # the npm package it comes from
    version: str
    cdn_url: str  # the same file on a CDN (what --map-assets cdn links to)
    licence: str  # the licence's file in caravan/outputs/assets/

    @property
    def kind(self) -> str:
        return "css" if self.file.endswith(".css") else "js"


LEAFLET_LICENCE = "LICENSE-leaflet.txt"
ASSETS: tuple[Asset, ...] = (
    Asset(
        "leaflet.css",
        "leaflet",
        "1.9.3",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        LEAFLET_LICENCE,
    ),
    Asset(
        "leaflet.js",
        "leaflet",
        "1.9.3",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
        LEAFLET_LICENCE,
    ),
    Asset(
        "jquery.min.js",
        "jquery",
        "3.7.1",
        "https://code.jquery.com/jquery-3.7.1.min.js",
        "LICENSE-jquery.txt",
    ),
)
#: images the style sheet refers to (``url(images/NAME)``), put into it as data URIs
CSS_IMAGES: tuple[str, ...] = ("layers.png", "layers-2x.png")


def check_map_assets(value: str) -> str:
    if value not in MAP_ASSETS:
        raise ParameterError(
            f"must be one of {', '.join(MAP_ASSETS)}, got '{value}'", param="--map-assets"
        )
    return value


def asset_bytes(name: str) -> bytes:
    """The content of one file of ``caravan/outputs/assets/``."""
    return (resources.files("caravan.outputs") / "assets" / name).read_bytes()


def _text(name: str) -> str:
    """A shipped text file, with plain newlines (Leaflet's licence has CRLF)."""
    return asset_bytes(name).decode("utf-8").replace("\r\n", "\n")


def _css_with_images(css: str) -> str:
    """The style sheet with its shipped images as data URIs."""
    for name in CSS_IMAGES:
        uri = "data:image/png;base64," + base64.b64encode(asset_bytes(name)).decode("ascii")
        css = css.replace(f"url(images/{name})", f'url("{uri}")')
    return css


_SOURCE_MAP = re.compile(r"^\s*/[/*][#@] sourceMappingURL=.*$", re.MULTILINE)
_CLOSING = re.compile(r"</(script|style)", re.IGNORECASE)


def _inline(asset: Asset) -> str:
    """One asset as a ``<script>`` or ``<style>`` element: its licence first, then the file
    as shipped (without its source-map line, which would point to a file that is not there)."""
    body = _SOURCE_MAP.sub("", _text(asset.file))
    if asset.kind == "css":
        body = _css_with_images(body)
    # nothing in the shipped files closes the element early; a refreshed file must not either
    body = _CLOSING.sub(lambda m: "<\\/" + m.group(1), body)
    notice = (
        f"/*! {asset.package} {asset.version} ({asset.file}), inlined by caravan from the npm "
        f"package {asset.package}@{asset.version}. Its licence:\n\n"
        f"{_text(asset.licence).strip()}\n*/\n"
    )
    tag = "style" if asset.kind == "css" else "script"
    return f"<{tag}>\n{notice}{body}\n</{tag}>"


def _linked(asset: Asset) -> str:
    if asset.kind == "css":
        return f'<link rel="stylesheet" href="{asset.cdn_url}"/>'
    return f'<script src="{asset.cdn_url}"></script>'


@cache
def assets_html(mode: str = "inline") -> str:
    """The elements that bring Leaflet and jQuery into the page's ``<head>``: the files
    themselves (``inline``) or links to their CDNs (``cdn``)."""
    render = _inline if check_map_assets(mode) == "inline" else _linked
    return "\n".join(render(a) for a in ASSETS)
