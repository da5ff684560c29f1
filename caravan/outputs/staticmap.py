"""The plan map as a PNG picture (``map.png``), drawn with matplotlib: no browser, no tiles.

For reports and chat messages. One panel per planned province (the provinces lie far
apart), each with the areas shaded by open complaints per km² (the classes and colours of
``map.html``, see :mod:`caravan.outputs.mapdata`), district and province borders, every
unit-day's route in its colour along the roads its travel model drove (as on ``map.html``)
with an arrow on each leg, numbered stops labelled with the site's name, the base (black
square) and the sites left out that still have open complaints (dashed grey circles); under
each panel the legend of its routes; at the bottom the shading classes with their unit and
the symbols.

Thai labels need a font with Thai letters. :func:`find_thai_font` looks for one that
matplotlib can use (Sarabun, TH Sarabun New, Noto Sans Thai, Leelawadee UI, Tahoma, then the
TLWG fonts of Debian's ``fonts-thai-tlwg``: Loma, Garuda, ..., then any font fontconfig
knows to cover Thai). matplotlib keeps its font list in a cache built once; a Thai font
installed after that (``apt-get install fonts-thai-tlwg``) is found through fontconfig
(``fc-list :lang=th``), added and the cache stored again. Only when there is really no Thai
font is every label in English (site names included), and :attr:`PngResult.note` says so.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from caravan import __version__
from caravan.outputs.labels import date_label
from caravan.outputs.mapdata import (
    LEVEL_NAMES,
    UNVISITED_COLOR,
    along,
    class_breaks,
    color_for,
    density_layer_data,
    density_unit_parts,
    display_geometry,
    district_outlines,
    geometry_bounds,
    legend_rows,
    route_layer_data,
    unvisited_layer_data,
)
from caravan.types import PROVINCES, WeekPlan

THAI_FONT_CANDIDATES = (
    "Sarabun",
    "TH Sarabun New",
    "Noto Sans Thai",
    "Noto Sans Thai UI",
    "Leelawadee UI",
    "Tahoma",
    "Loma",
    "Garuda",
    "Waree",
    "Umpush",
    "Norasi",
    "Kinnari",
    "Tlwg Typo",
)
LATIN_FONT = "DejaVu Sans"  # ships with matplotlib
#: the marker of a night away, as the bed markers of map.html
NIGHT_COLOR = "#5b3a8c"
NO_THAI_FONT_NOTE = (
    "no Thai font found for the PNG: its labels are in English (install a Thai font such as "
    "Debian's fonts-thai-tlwg or Noto Sans Thai)"
)
AUTO = "auto"
_FONT_FILES = (".ttf", ".otf", ".ttc")  # what matplotlib can draw with


@dataclass(frozen=True)
class PngResult:
    data: bytes
    font: str | None  # the Thai font used, None when the labels are in English
    note: str = ""


def _has_thai(path: str) -> bool:
    from matplotlib import ft2font

    try:
        return ord("ก") in ft2font.FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False


def fontconfig_thai_fonts() -> dict[str, str]:
    """The font files fontconfig knows to cover Thai (``fc-list :lang=th``), with their
    family: ``{path: family}``; empty where fontconfig is missing."""
    exe = shutil.which("fc-list")
    if exe is None:
        return {}
    try:
        out = subprocess.run(
            [exe, "--format=%{file}\t%{family[0]}\n", ":lang=th"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    fonts = {}
    for line in out.splitlines():
        path, _, family = line.partition("\t")
        if family and Path(path).suffix.lower() in _FONT_FILES:
            fonts[path] = family
    return fonts


def _refresh_font_cache(font_manager, system: dict[str, str]) -> None:
    """Add the Thai fonts of ``system`` that matplotlib's font list lacks (a cache built
    before they were installed), and store the list, so that this happens once."""
    import matplotlib

    fm = font_manager.fontManager
    known = {f.fname for f in fm.ttflist}
    added = False
    for path in sorted(set(system) - known):
        try:
            fm.addfont(path)
            added = True
        except (OSError, RuntimeError, ValueError):
            continue
    if added:
        cache = Path(matplotlib.get_cachedir(), f"fontlist-v{fm.__version__}.json")
        font_manager.json_dump(fm, cache)  # only warns when the folder is read-only


def _thai_family(font_manager, candidates: tuple[str, ...]) -> str | None:
    paths: dict[str, list[str]] = {}
    for f in font_manager.fontManager.ttflist:
        paths.setdefault(f.name, []).append(f.fname)
    for name in candidates:
        if any(_has_thai(p) for p in paths.get(name, [])):
            return name
    return None


@cache
def find_thai_font(candidates: tuple[str, ...] | None = None) -> str | None:
    """The first font family in ``candidates`` that matplotlib knows and that has Thai.

    ``None`` (the default) means :data:`THAI_FONT_CANDIDATES`, then any other family that
    fontconfig knows to cover Thai. When matplotlib's font list (its cache, built once)
    lacks a Thai font file that fontconfig knows, for example one installed after
    matplotlib built its cache, the file is added and the cache stored again, once."""
    from matplotlib import font_manager

    found = _thai_family(font_manager, candidates or THAI_FONT_CANDIDATES)
    if found is not None:
        return found
    system = fontconfig_thai_fonts()  # asked only when matplotlib knows none
    if not system:
        return None
    _refresh_font_cache(font_manager, system)
    others = () if candidates else tuple(sorted(set(system.values())))
    return _thai_family(font_manager, (*(candidates or THAI_FONT_CANDIDATES), *others))


def _polygon_path(geometry: dict):
    from matplotlib.path import Path

    polys = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"]
        if geometry["type"] == "MultiPolygon"
        else []
    )
    verts: list[tuple[float, float]] = []
    codes: list[int] = []
    for poly in polys:
        for ring in poly:
            if len(ring) < 3:
                continue
            verts += [(x, y) for x, y in ring]
            codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY]
    return Path(verts, codes) if verts else None


def render_png(
    plan: WeekPlan,
    *,
    calendar: str = "gregorian",
    thai_font: str | None = AUTO,
    dpi: int = 110,
) -> PngResult:
    """Draw the plan. ``thai_font``: a font family, None for English labels, or "auto"."""
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.transforms import offset_copy

    font = find_thai_font() if thai_font == AUTO else thai_font
    thai = font is not None
    if not thai:
        calendar = "gregorian"  # Buddhist-era labels are Thai: without a Thai font, none
    family = [font, LATIN_FONT] if thai else [LATIN_FONT]

    def t(th: str, en: str) -> str:
        return f"{th} / {en}" if thai else en

    p = plan.parameters
    provs = list(p.provinces)
    level = p.level
    areas = density_layer_data(plan, level)
    edges = class_breaks([a["density"] for a in areas])
    routes = route_layer_data(plan, calendar)
    unvisited = unvisited_layer_data(plan)
    districts = district_outlines(plan)

    boxes = {prov: geometry_bounds(display_geometry("province", prov)) for prov in provs}
    panel_w = 6.4 if len(provs) > 1 else 7.2
    heights = []
    for x0, y0, x1, y1 in boxes.values():
        k = math.cos(math.radians((y0 + y1) / 2))
        heights.append(panel_w * (y1 - y0) / max((x1 - x0) * k, 1e-6))
    panel_h = min(max(max(heights), 4.0), 8.5)
    per_prov = [sum(1 for r in routes if r["province_code"] == prov) for prov in provs]
    route_cols = 2 if max(per_prov, default=0) > 6 else 1
    route_h = 0.45 + 0.17 * math.ceil(max(max(per_prov, default=1), 1) / route_cols)
    n_shade = len(edges)  # the empty class and one per interval
    shade_cols = min(n_shade, 4 * len(provs))
    symbol_cols = 4 if len(provs) > 1 else 2
    legend_h = 0.55 + 0.2 * math.ceil(n_shade / shade_cols) + 0.2 * (8 // symbol_cols)
    title_h = 0.85 if len(provs) > 1 else 1.2
    height = title_h + panel_h + route_h + legend_h
    fig = Figure(figsize=(panel_w * len(provs), height), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    grid = fig.add_gridspec(
        3,
        len(provs),
        height_ratios=[panel_h, route_h, legend_h],
        hspace=0.02,
        wspace=0.04,
        top=1 - title_h / height,
        bottom=0.01,
        left=0.01,
        right=0.99,
    )
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    casing = [patheffects.Stroke(linewidth=5, foreground="white"), patheffects.Normal()]

    for col, prov in enumerate(provs):
        ax = fig.add_subplot(grid[0, col])
        x0, y0, x1, y1 = boxes[prov]
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
        pad = 0.02 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_axis_off()
        for a in areas:
            if a["code"][:2] != prov:
                continue
            path = _polygon_path(a["geometry"])
            if path is not None:
                ax.add_patch(
                    PathPatch(
                        path,
                        facecolor=color_for(a["density"], edges),
                        edgecolor="#9a9a9a",
                        linewidth=0.3,
                    )
                )
        for code, geometry in districts:
            if code[:2] == prov:
                path = _polygon_path(geometry)
                if path is not None:
                    ax.add_patch(PathPatch(path, fill=False, edgecolor="#555", linewidth=0.8))
        outline = _polygon_path(display_geometry("province", prov))
        if outline is not None:
            ax.add_patch(PathPatch(outline, fill=False, edgecolor="#222", linewidth=1.4))
        mine = [u for u in unvisited if u["code"][:2] == prov]
        if mine:
            ax.scatter(
                [u["lon"] for u in mine],
                [u["lat"] for u in mine],
                s=28,
                facecolors="white",
                edgecolors=UNVISITED_COLOR,
                linewidths=0.9,
                linestyles="--",
                zorder=4,
            )
        handles = []
        for r in routes:
            if r["province_code"] != prov:
                continue
            color = r["color"]
            lats = [pt[0] for pt in r["path"]]
            lons = [pt[1] for pt in r["path"]]
            ax.plot(lons, lats, color=color, linewidth=2.2, path_effects=casing, zorder=5)
            for leg in r["legs"]:
                (la0, lo0), (la1, lo1) = along(leg, 0.44), along(leg, 0.56)
                if (la0, lo0) == (la1, lo1):
                    continue
                ax.annotate(
                    "",
                    xy=(lo1, la1),
                    xytext=(lo0, la0),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": color,
                        "linewidth": 0,
                        "mutation_scale": 13,
                    },
                    zorder=6,
                )
            for v in r["visits"]:
                ax.scatter(
                    [v["lon"]],
                    [v["lat"]],
                    s=150,
                    color=color,
                    edgecolors="white",
                    linewidths=1.2,
                    zorder=7,
                )
                ax.text(
                    v["lon"],
                    v["lat"],
                    str(v["stop"]),
                    color="white",
                    fontsize=7,
                    fontweight="bold",
                    ha="center",
                    va="center",
                    zorder=8,
                    family=LATIN_FONT,
                )
                ax.annotate(
                    v["name_th"] if thai else v["name_en"],
                    (v["lon"], v["lat"]),
                    xytext=(7, 4),
                    textcoords="offset points",
                    fontsize=6.5,
                    family=family,
                    path_effects=halo,
                    zorder=8,
                )
            night = r["night"]
            if night:  # a bed marker beside the lodging (a stop may be there), with the date
                ax.scatter(
                    [night["lon"]],
                    [night["lat"]],
                    marker="s",
                    s=60,
                    color=NIGHT_COLOR,
                    edgecolors="white",
                    linewidths=1.0,
                    zorder=9,
                    transform=offset_copy(ax.transData, fig=fig, x=9, y=-9, units="points"),
                )
                ax.annotate(
                    night["day"],
                    (night["lon"], night["lat"]),
                    xytext=(16, -13),
                    textcoords="offset points",
                    fontsize=6,
                    color=NIGHT_COLOR,
                    family=family,
                    path_effects=halo,
                    zorder=9,
                )
            handles.append(
                Line2D(
                    [0],
                    [0],
                    color=color,
                    linewidth=2.5,
                    label=f"{r['day']} · {r['unit']} ({len(r['visits'])}, "
                    f"{r['depart']}–{r['return']}"
                    + (", " + t("พักค้างคืน", "night away") if night else "")
                    + ")",
                )
            )
        base = plan.sites["BASE" + prov]
        ax.scatter(
            [base.lon],
            [base.lat],
            marker="s",
            s=70,
            color="#111",
            edgecolors="white",
            linewidths=1.2,
            zorder=9,
        )
        th, en = PROVINCES[prov]
        ax.set_title(t(th, en), fontsize=12, family=family, fontweight="bold")
        lax = fig.add_subplot(grid[1, col])
        lax.set_axis_off()
        if handles:
            lax.legend(
                handles=handles,
                loc="upper left",
                ncol=route_cols,
                fontsize=7,
                frameon=False,
                title=t("เส้นทาง (จำนวนจุด, ออก–กลับ)", "routes (visits, leave–back)"),
                title_fontproperties={"family": family, "size": 8, "weight": "bold"},
                prop={"family": family, "size": 7},
                alignment="left",
            )
        else:
            lax.text(0, 1, t("ไม่มีการออกหน่วย", "no visits"), va="top", family=family)

    shade = [Patch(facecolor=c, edgecolor="#999", label=lab) for c, lab in legend_rows(edges)]
    symbols = [
        Line2D([0], [0], color="#1f77b4", linewidth=2.5, label=t("เส้นทาง", "route")),
        Line2D(
            [0],
            [0],
            marker="o",
            color="#1f77b4",
            markeredgecolor="white",
            markersize=9,
            linewidth=0,
            label=t("จุดแวะตามลำดับ", "numbered stop"),
        ),
        Line2D(
            [0],
            [0],
            marker="s",
            color="#111",
            markeredgecolor="white",
            markersize=8,
            linewidth=0,
            label=t("ฐาน", "base"),
        ),
        Line2D(
            [0],
            [0],
            marker="o",
            color="white",
            markeredgecolor=UNVISITED_COLOR,
            markersize=6,
            linewidth=0,
            label=t("ไม่ได้ไป มีเรื่องค้าง", "not visited, open complaints"),
        ),
    ]
    if plan.nights:
        symbols.append(
            Line2D(
                [0],
                [0],
                marker="s",
                color=NIGHT_COLOR,
                markeredgecolor="white",
                markersize=7,
                linewidth=0,
                label=t("พักค้างคืน (วันที่)", "night away (date)"),
            )
        )
    lvl_th = LEVEL_NAMES[level][0]
    unit_th, unit_en = density_unit_parts(plan)
    gax = fig.add_subplot(grid[2, :])
    gax.set_axis_off()
    shading_legend = gax.legend(
        handles=shade,
        loc="upper left",
        ncol=shade_cols,
        frameon=False,
        title=t(f"{unit_th} (ราย{lvl_th})", f"{unit_en} (by {level})"),
        title_fontproperties={"family": family, "size": 8, "weight": "bold"},
        prop={"family": family, "size": 7},
        alignment="left",
    )
    gax.add_artist(shading_legend)
    gax.legend(
        handles=symbols,
        loc="lower left",
        ncol=symbol_cols,
        frameon=False,
        prop={"family": family, "size": 7},
    )
    fig.suptitle(
        t("แผนคาราวาน", "caravan plan")
        + f" {p.week} · "
        + t(f"ระดับ{lvl_th}", f"{level} level")
        + f"\n{date_label(p.dates[0], calendar)} – {date_label(p.dates[-1], calendar)}"
        + ("\n" if len(provs) == 1 else " · ")
        + f"{len(plan.visits)} "
        + t("จุด", "visits")
        + f" · {plan.complaints_reached} "
        + t("เรื่องค้างที่เข้าถึง", "open complaints reached"),
        fontsize=11,
        family=family,
        y=1 - 0.08 / height,
        va="top",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": f"caravan {__version__}"})
    return PngResult(data=buf.getvalue(), font=font, note="" if thai else NO_THAI_FONT_NOTE)
