"""Travel times and distances between sites: four models, one matrix type.

``--travel`` chooses the model (:class:`TravelModel`, ``mode``):

* ``road`` (default): the built-in road model, no server needed (:mod:`caravan.travel.roadnet`):
  the coarse main-road layer shipped in ``data/geo/roads.geojson`` plus access links.
* ``straight``: the plain estimate (:func:`estimate_matrix`)::

      road km    = great-circle km x detour_factor          (default 1.2)
      drive time = road km / speed_kmh, rounded **up** to a whole minute   (default 60)

* ``osm``: the road graph built from the user's OpenStreetMap extract by
  ``caravan roads build --osm FILE.osm.pbf`` (:mod:`caravan.travel.osm`,
  :mod:`caravan.travel.roadgraph`).
* ``osrm``: an OSRM server's table service (:mod:`caravan.travel.osrm`), ``--osrm-url``.

Drive times are whole minutes in every model, so that every time in an itinerary (HH:MM)
adds up exactly: arrival = previous departure + drive minutes. The plan uses exactly the
minutes that ``caravan matrix`` writes.

**Cache.** A matrix that took more than a second to compute is stored in the user's cache
folder (``$CARAVAN_CACHE``, else ``$XDG_CACHE_HOME/caravan`` or ``~/.cache/caravan``) under
a key made of the sites (code, lon, lat), the model and its parameters (for ``osm``, the
graph file's size and modification time too) and reused; ``caravan matrix --refresh``
computes it again. Matrices from ``osm`` and ``osrm`` are always stored, so that a plan's
exports and re-plans use the same drive times as the plan, even with the server gone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from caravan.csvcells import csv_text
from caravan.errors import ParameterError, check_between
from caravan.folders import user_cache_dir
from caravan.travel.roadgraph import great_circle_m
from caravan.travel.roadnet import RoadModel
from caravan.types import TRAVEL_MODES, Site, TravelMatrix

MATRIX_CACHE_FORMAT = 1

#: Models whose drive times come from data outside caravan (a road graph file, a server):
#: their matrices are always cached, and the plans made with them carry their drive times.
EXTERNAL_MODES: tuple[str, ...] = ("osm", "osrm")

#: Short names of the models, for people (the map legend, the printable itinerary).
TRAVEL_LABELS = {
    "road": "built-in road network",
    "straight": "straight-line estimate",
    "osm": "OpenStreetMap roads",
    "osrm": "OSRM server",
}


def travel_label(travel: Mapping[str, object]) -> str:
    """The short name of the model of a plan's ``parameters.travel`` (``-`` if unknown)."""
    return TRAVEL_LABELS.get(str(travel.get("mode")), "-")


def matrix_to_json(matrix: TravelMatrix) -> dict:
    """``codes``, ``minutes`` and ``metres``: how the cache and ``plan.json`` store drive
    times (:func:`matrix_from_json` reads them back)."""
    return {
        "codes": list(matrix.codes),
        "minutes": [[x // 60 for x in row] for row in matrix.seconds],
        "metres": [list(row) for row in matrix.metres],
    }


def matrix_from_json(data: Mapping, *, model: str) -> TravelMatrix:
    """The matrix :func:`matrix_to_json` wrote; ValueError, KeyError or TypeError when it is
    not a square matrix of whole numbers over its codes."""
    codes = tuple(str(c) for c in data["codes"])
    sec = tuple(tuple(int(x) * 60 for x in row) for row in data["minutes"])
    met = tuple(tuple(int(x) for x in row) for row in data["metres"])
    if len(sec) != len(codes) or len(met) != len(codes):
        raise ValueError(
            f"{len(sec)} rows of minutes and {len(met)} of metres for {len(codes)} codes"
        )
    if any(len(row) != len(codes) for row in (*sec, *met)):
        raise ValueError(f"a row does not have {len(codes)} values")
    return TravelMatrix(codes=codes, seconds=sec, metres=met, model=model)


@dataclass(frozen=True)
class TravelModel:
    """Which travel model and its parameters; what ``plan.json`` records as ``travel``.

    ``detour_factor`` and ``speed_kmh`` are those of ``straight``; ``road`` holds the built-in
    road model's parameters; ``roads`` is the graph file of ``osm`` (empty: the default one,
    :func:`caravan.travel.osm.default_graph_path`); ``osrm_url`` and ``osrm_profile`` those of
    ``osrm``."""

    detour_factor: float = 1.2
    speed_kmh: float = 60.0
    mode: str = "road"
    road: RoadModel = field(default_factory=RoadModel)
    roads: str = ""
    osrm_url: str = ""
    osrm_profile: str = "driving"

    def __post_init__(self) -> None:
        if self.mode not in TRAVEL_MODES:
            raise ParameterError(
                f"must be one of {', '.join(TRAVEL_MODES)}, got '{self.mode}'", param="--travel"
            )
        if self.mode == "osrm" and not self.osrm_url:
            raise ParameterError(
                "--travel osrm needs the server's address, e.g. --osrm-url http://localhost:5000",
                param="--osrm-url",
            )
        if self.osrm_url and not self.osrm_url.startswith(("http://", "https://")):
            raise ParameterError(
                f"must start with http:// or https://, got '{self.osrm_url}'", param="--osrm-url"
            )
        check_between(self.detour_factor, 1, 5, param="--detour-factor")
        check_between(self.speed_kmh, 5, 150, param="--speed-kmh", unit="km/h")

    def describe(self) -> str:
        """One line naming the model and its parameters (plan.json, summary, map legend)."""
        if self.mode == "straight":
            return f"straight (great-circle x {self.detour_factor:g} at {self.speed_kmh:g} km/h)"
        if self.mode == "road":
            return self.road.describe()
        if self.mode == "osm":
            return f"osm (OpenStreetMap road graph {self.graph_path()})"
        return f"osrm ({self.osrm_url}, profile {self.osrm_profile})"

    def graph_path(self) -> Path:
        if self.roads:
            return Path(self.roads)
        from caravan.travel.osm import default_graph_path

        return default_graph_path()

    def to_json(self) -> dict:
        """The parameters ``plan.json`` keeps (:meth:`from_json` reads them back)."""
        out: dict = {"mode": self.mode}
        if self.mode == "straight":
            out.update(detour_factor=self.detour_factor, speed_kmh=self.speed_kmh)
        elif self.mode == "road":
            out["road"] = self.road.params()
        elif self.mode == "osm":
            out["roads"] = str(self.graph_path())
        else:
            out.update(osrm_url=self.osrm_url, osrm_profile=self.osrm_profile)
        return out

    @classmethod
    def from_json(cls, data: dict) -> TravelModel:
        """Read :meth:`to_json`'s output. Plans written before caravan had travel modes
        hold only ``detour_factor`` and ``speed_kmh``: they were made with ``straight``."""
        data = dict(data)
        mode = data.pop("mode", "straight")
        road = RoadModel(**data.pop("road", {}))
        return cls(mode=mode, road=road, **data)


def estimate_matrix(sites: Sequence[Site], model: TravelModel | None = None) -> TravelMatrix:
    """The ``straight`` model: drive seconds (whole minutes) and road metres between every
    pair of ``sites`` (module docstring), whatever ``model.mode`` says."""
    model = model or TravelModel(mode="straight")
    lon = np.array([s.lon for s in sites])
    lat = np.array([s.lat for s in sites])
    gc = great_circle_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    road_m = np.rint(gc * model.detour_factor).astype(np.int64)
    metres_per_minute = model.speed_kmh * 1000.0 / 60.0
    minutes = np.ceil(road_m / metres_per_minute - 1e-9).astype(np.int64)
    np.fill_diagonal(minutes, 0)
    np.fill_diagonal(road_m, 0)
    seconds = minutes * 60
    return TravelMatrix(
        codes=tuple(s.code for s in sites),
        seconds=tuple(tuple(int(x) for x in row) for row in seconds),
        metres=tuple(tuple(int(x) for x in row) for row in road_m),
        model=TravelModel(
            mode="straight", detour_factor=model.detour_factor, speed_kmh=model.speed_kmh
        ).describe(),
    )


def travel_matrix(
    sites: Sequence[Site],
    model: TravelModel | None = None,
    *,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    cache_after_seconds: float = 1.0,
) -> TravelMatrix:
    """Drive seconds (whole minutes) and metres between every pair of ``sites`` with the
    chosen model; cached as the module docstring says (``refresh``: compute again)."""
    model = model or TravelModel()
    if model.mode == "straight":
        return estimate_matrix(sites, model)
    cache = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    key = _cache_key(sites, model)
    path = cache / "matrices" / f"{key}.json"
    if not refresh:
        cached = _read_cached(path, sites)
        if cached is not None:
            return cached
    t0 = time.perf_counter()
    matrix = dataclasses.replace(_compute(sites, model), model=model.describe())
    took = time.perf_counter() - t0
    if took > cache_after_seconds or model.mode in EXTERNAL_MODES:
        _write_cached(path, matrix)
    return matrix


def _compute(sites: Sequence[Site], model: TravelModel) -> TravelMatrix:
    if model.mode == "road":
        from caravan.travel.roadnet import road_matrix

        return road_matrix(sites, model.road)
    if model.mode == "osm":
        from caravan.travel.roadgraph import AccessModel, load_graph, site_matrix

        graph = load_graph(model.graph_path())
        return site_matrix(graph, sites, AccessModel(), model=model.describe())
    from caravan.travel.osrm import osrm_matrix

    return osrm_matrix(sites, model.osrm_url, profile=model.osrm_profile)


def _cache_key(sites: Sequence[Site], model: TravelModel) -> str:
    from caravan import __version__

    ident: dict = {
        "format": MATRIX_CACHE_FORMAT,
        "caravan": __version__,
        "model": model.to_json(),
        "sites": [[s.code, round(s.lon, 7), round(s.lat, 7)] for s in sites],
    }
    if model.mode == "osm":
        graph = model.graph_path()
        st = graph.stat() if graph.exists() else None
        ident["graph"] = [st.st_size, st.st_mtime_ns] if st else None
    blob = json.dumps(ident, sort_keys=True, separators=(",", ":")).encode()
    return f"{model.mode}-{hashlib.sha256(blob).hexdigest()[:24]}"


def _read_cached(path: Path, sites: Sequence[Site]) -> TravelMatrix | None:
    """The stored matrix, or None when there is none or it cannot be used (it is then
    computed again and overwritten)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        matrix = matrix_from_json(data, model=str(data["model"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return matrix if matrix.codes == tuple(s.code for s in sites) else None


def _write_cached(path: Path, matrix: TravelMatrix) -> None:
    """Store ``matrix`` atomically; a cache that cannot be written is skipped silently
    (the matrix is simply computed again next time)."""
    from caravan.atomic import atomic_write_text

    data = {"format": MATRIX_CACHE_FORMAT, "model": matrix.model, **matrix_to_json(matrix)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(data, separators=(",", ":")) + "\n")
    except OSError:
        pass


def matrix_rows(matrix: TravelMatrix):
    """Rows ``(from_code, to_code, minutes, km)`` for ``caravan matrix``, pairs in code order."""
    for i, a in enumerate(matrix.codes):
        for j, b in enumerate(matrix.codes):
            if i == j:
                continue
            yield a, b, matrix.seconds[i][j] // 60, matrix.metres[i][j] / 1000.0


MATRIX_COLUMNS = ("from_code", "to_code", "minutes", "km")


def matrix_csv(matrix: TravelMatrix) -> str:
    """What ``caravan matrix`` writes: :data:`MATRIX_COLUMNS`, km to 0.1."""
    rows = ((a, b, mins, f"{km:.1f}") for a, b, mins, km in matrix_rows(matrix))
    return csv_text(MATRIX_COLUMNS, rows)


def format_km(metres: int) -> str:
    return f"{metres / 1000.0:.1f}"
