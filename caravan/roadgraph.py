"""A directed road graph and the fastest paths between sites over it.

A :class:`RoadGraph` is nodes (WGS84 lon/lat) and directed edges, each with its drive time
(seconds, float) and length (metres, float). Both travel models that use roads build one:
the built-in model from the coarse road layer in ``data/geo/roads.geojson``
(:mod:`caravan.roadnet`) and the OpenStreetMap model from a user's extract
(:mod:`caravan.osm`, stored by ``caravan roads build``).

:func:`site_matrix` joins the sites to the graph by **access links**: a straight line times
``access.detour_factor``, driven at ``access.speed_kmh``, to the nearest graph node (and,
with ``direct=True``, straight between every pair of sites too). It then finds the fastest
path between every pair of sites over the whole graph (Dijkstra, scipy) and reports the
distance **along that path**. Times are rounded up to whole minutes, as in every caravan
matrix (see :mod:`caravan.travel`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from caravan.errors import CaravanError, ParameterError
from caravan.types import Site, TravelMatrix

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres
GRAPH_FORMAT = 1  # version of the stored graph file (.npz)


class RoadGraphError(CaravanError):
    """A stored road graph cannot be used, or a site cannot be joined to it."""


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """Nodes ``lon``/``lat`` (degrees) and directed edges ``src`` -> ``dst`` with
    ``seconds`` and ``metres``. ``source`` says where the roads come from (one line)."""

    lon: np.ndarray
    lat: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    seconds: np.ndarray
    metres: np.ndarray
    source: str = ""

    @property
    def n_nodes(self) -> int:
        return int(self.lon.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.src.shape[0])


@dataclass(frozen=True)
class AccessModel:
    """How a site reaches the road network (and, for the built-in model, the next site):
    a straight line times ``detour_factor`` at ``speed_kmh``. A site further than
    ``max_km`` (straight) from every road node cannot be joined (:class:`RoadGraphError`)."""

    detour_factor: float = 1.3
    speed_kmh: float = 30.0
    max_km: float = 5.0

    def __post_init__(self) -> None:
        if not (1.0 <= self.detour_factor <= 5.0):
            raise ParameterError(
                f"must be between 1 and 5, got {self.detour_factor}", param="access detour_factor"
            )
        if not (5.0 <= self.speed_kmh <= 150.0):
            raise ParameterError(
                f"must be between 5 and 150 km/h, got {self.speed_kmh}", param="access speed_kmh"
            )


def great_circle_m(lon1, lat1, lon2, lat2):
    """Haversine distance in metres; accepts scalars or numpy arrays (broadcast)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def local_xy(lon, lat, lat0: float) -> np.ndarray:
    """Equirectangular metres around latitude ``lat0``: good to 0.1 % over a province."""
    k = np.pi / 180.0 * EARTH_RADIUS_M
    return np.column_stack(
        [np.asarray(lon, float) * k * np.cos(np.radians(lat0)), np.asarray(lat, float) * k]
    )


# ------------------------------------------------------------------ storage


def save_graph(graph: RoadGraph, path: str | os.PathLike[str]) -> None:
    """Write ``graph`` to ``path`` (.npz) atomically: a reader never sees half a file."""
    from caravan.atomic import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        format=np.array([GRAPH_FORMAT]),
        lon=graph.lon.astype(np.float64),
        lat=graph.lat.astype(np.float64),
        src=graph.src.astype(np.int32),
        dst=graph.dst.astype(np.int32),
        seconds=graph.seconds.astype(np.float32),
        metres=graph.metres.astype(np.float32),
        source=np.array([graph.source]),
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


def load_graph(path: str | os.PathLike[str]) -> RoadGraph:
    """Read a graph written by :func:`save_graph`; one-line :class:`RoadGraphError` if not."""
    path = Path(path)
    if not path.exists():
        raise RoadGraphError(
            f"no road graph at '{path}': build one with "
            "'caravan roads build --osm FILE.osm.pbf' (or choose --travel road)"
        )
    try:
        with np.load(path, allow_pickle=False) as z:
            fmt = int(z["format"][0])
            if fmt != GRAPH_FORMAT:
                raise RoadGraphError(
                    f"'{path}' is a road graph of format {fmt}; this caravan reads format "
                    f"{GRAPH_FORMAT}: rebuild it with 'caravan roads build --osm FILE'"
                )
            return RoadGraph(
                lon=z["lon"],
                lat=z["lat"],
                src=z["src"].astype(np.int64),
                dst=z["dst"].astype(np.int64),
                seconds=z["seconds"].astype(np.float64),
                metres=z["metres"].astype(np.float64),
                source=str(z["source"][0]),
            )
    except RoadGraphError:
        raise
    except Exception as exc:  # any unreadable file gets the same advice
        raise RoadGraphError(
            f"'{path}' is not a caravan road graph ({exc.__class__.__name__}): rebuild it "
            "with 'caravan roads build --osm FILE.osm.pbf'"
        ) from None


# ------------------------------------------------------------------ components


def largest_component(graph: RoadGraph) -> RoadGraph:
    """The largest strongly connected part of ``graph``: from any of its nodes every other
    one can be reached, one-way streets respected (the rest cannot serve a round trip)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = graph.n_nodes
    if n == 0:
        return graph
    adj = coo_matrix((np.ones(graph.n_edges), (graph.src, graph.dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(adj, directed=True, connection="strong")
    keep = labels == np.bincount(labels).argmax()
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[keep] = np.arange(int(keep.sum()))
    e = keep[graph.src] & keep[graph.dst]
    return RoadGraph(
        lon=graph.lon[keep],
        lat=graph.lat[keep],
        src=new_id[graph.src[e]],
        dst=new_id[graph.dst[e]],
        seconds=graph.seconds[e],
        metres=graph.metres[e],
        source=graph.source,
    )


# ------------------------------------------------------------------ site matrix


def nearest_nodes(graph: RoadGraph, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest graph node to each point, and its great-circle distance (m)."""
    from scipy.spatial import cKDTree

    lat0 = float(np.mean(graph.lat)) if graph.n_nodes else 0.0
    tree = cKDTree(local_xy(graph.lon, graph.lat, lat0))
    _, idx = tree.query(local_xy(lon, lat, lat0))
    idx = np.asarray(idx, dtype=np.int64)
    d = great_circle_m(graph.lon[idx], graph.lat[idx], np.asarray(lon), np.asarray(lat))
    return idx, np.atleast_1d(d)


def site_matrix(
    graph: RoadGraph,
    sites: Sequence[Site],
    access: AccessModel,
    *,
    model: str,
    direct: bool = False,
    joined: Sequence[np.ndarray] | None = None,
) -> TravelMatrix:
    """Fastest drive between every pair of ``sites`` over ``graph`` (module docstring).

    Each site is joined by access links (both ways) to its nearest node, or to the nodes
    ``joined[i]`` when given (the built-in model joins a site to the nearest point of the
    nearest roads, added as nodes). ``direct`` adds an access link between every pair of
    sites, so that every pair has a finite time even where the roads do not reach."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    k = len(sites)
    n = graph.n_nodes
    lon = np.array([s.lon for s in sites], dtype=float)
    lat = np.array([s.lat for s in sites], dtype=float)
    mps = access.speed_kmh / 3.6
    if joined is None:
        if n == 0:
            raise RoadGraphError("the road graph has no roads")
        idx, d = nearest_nodes(graph, lon, lat)
        far = np.flatnonzero(d > access.max_km * 1000.0)
        if far.size:
            s = sites[int(far[0])]
            raise RoadGraphError(
                f"site {s.code} ({s.name_en}) is {d[far[0]] / 1000:.1f} km from the nearest "
                f"road of the road graph (at most {access.max_km:g} km): move it with --sites "
                "or use --travel road"
            )
        joined = [np.array([i]) for i in idx]
    a_src, a_dst = [], []
    for i, nodes in enumerate(joined):
        a_src.append(np.full(len(nodes), n + i))
        a_dst.append(np.asarray(nodes, dtype=np.int64))
    a_src = np.concatenate(a_src) if a_src else np.zeros(0, np.int64)
    a_dst = np.concatenate(a_dst) if a_dst else np.zeros(0, np.int64)
    all_lon = np.concatenate([graph.lon, lon])
    all_lat = np.concatenate([graph.lat, lat])
    a_m = great_circle_m(all_lon[a_src], all_lat[a_src], all_lon[a_dst], all_lat[a_dst])
    a_m = a_m * access.detour_factor
    src = [graph.src, a_src, a_dst]
    dst = [graph.dst, a_dst, a_src]
    metres = [graph.metres, a_m, a_m]
    seconds = [graph.seconds, a_m / mps, a_m / mps]
    if direct and k > 1:
        ii, jj = np.nonzero(~np.eye(k, dtype=bool))
        d_m = great_circle_m(lon[ii], lat[ii], lon[jj], lat[jj]) * access.detour_factor
        src.append(n + ii)
        dst.append(n + jj)
        metres.append(d_m)
        seconds.append(d_m / mps)
    src = np.concatenate(src).astype(np.int64)
    dst = np.concatenate(dst).astype(np.int64)
    metres = np.concatenate(metres).astype(float)
    seconds = np.concatenate(seconds).astype(float)
    total = n + k
    # One edge per (src, dst): the fastest (scipy would add up duplicates).
    order = np.lexsort((seconds, dst, src))
    src, dst, metres, seconds = src[order], dst[order], metres[order], seconds[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, metres, seconds = src[first], dst[first], metres[first], seconds[first]
    # A zero-length edge would vanish from a sparse matrix: give it a tiny positive time.
    w = np.maximum(seconds, 1e-6)
    csr = coo_matrix((w, (src, dst)), shape=(total, total)).tocsr()
    key = src * total + dst  # sorted, for the length of the edge pred -> node
    site_nodes = np.arange(n, n + k)
    t, pred = dijkstra(csr, directed=True, indices=site_nodes, return_predecessors=True)
    sec = np.zeros((k, k), dtype=np.int64)
    met = np.zeros((k, k), dtype=np.int64)
    for i in range(k):
        row_t = t[i, site_nodes]
        if not np.all(np.isfinite(row_t)):
            j = int(np.flatnonzero(~np.isfinite(row_t))[0])
            raise RoadGraphError(
                f"no road from {sites[i].code} to {sites[j].code} in the road graph: "
                "rebuild it from an extract that covers the provinces, or use --travel road"
            )
        met[i] = np.rint(_path_lengths(pred[i], key, metres, total)[site_nodes])
        sec[i] = np.ceil(np.round(row_t / 60.0, 6)).astype(np.int64) * 60
    np.fill_diagonal(sec, 0)
    np.fill_diagonal(met, 0)
    return TravelMatrix(
        codes=tuple(s.code for s in sites),
        seconds=tuple(tuple(int(x) for x in row) for row in sec),
        metres=tuple(tuple(int(x) for x in row) for row in met),
        model=model,
    )


def _path_lengths(pred: np.ndarray, key: np.ndarray, metres: np.ndarray, total: int):
    """Metres from the source to every node along the tree ``pred`` (pointer jumping)."""
    node = np.arange(total)
    has = pred >= 0
    acc = np.zeros(total)
    e = np.searchsorted(key, pred[has] * total + node[has])
    acc[has] = metres[e]
    up = np.where(has, pred, node)
    while True:
        moving = up != up[up]
        if not moving.any():
            break
        acc = acc + np.where(up != node, acc[up], 0.0)
        up = up[up]
    return acc
