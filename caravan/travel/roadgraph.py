"""A directed road graph and the fastest paths between sites over it.

A :class:`RoadGraph` is nodes (WGS84 lon/lat) and directed edges, each with its drive time
(seconds, float) and length (metres, float). Both travel models that use roads build one:
the built-in model from the coarse road layer in ``data/geo/roads.geojson``
(:mod:`caravan.travel.roadnet`) and the OpenStreetMap model from a user's extract
(:mod:`caravan.travel.osm`, stored by ``caravan roads build``).

:func:`site_matrix` joins the sites to the graph by **access links**: a straight line times
``access.detour_factor``, driven at ``access.speed_kmh``, to the nearest graph node (and,
with ``direct=True``, straight between every pair of sites too). It then finds the fastest
path between every pair of sites over the whole graph (Dijkstra, scipy) and reports the
distance **along that path**. Times are rounded up to whole minutes, as in every caravan
matrix (see :mod:`caravan.travel.matrix`). :func:`site_paths` gives those paths themselves
(the nodes they pass), for the maps.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from caravan.errors import CaravanError, check_between
from caravan.types import Site, TravelMatrix, whole_minutes

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
        check_between(self.detour_factor, 1, 5, param="access detour_factor")
        check_between(self.speed_kmh, 5, 150, param="access speed_kmh", unit="km/h")


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


def part_labels(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """For each of ``n`` nodes, the number of its connected part (edges taken both ways)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    adj = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    return connected_components(adj, directed=False)[1]


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


@dataclass(frozen=True, eq=False)
class _SiteGraph:
    """The road graph with the sites joined to it, as scipy wants it. Node ids: graph
    nodes ``0..n-1``, then each site twice: ``n+i`` leaves site i, ``n+k+i`` reaches it."""

    csr: object  # scipy.sparse.csr_matrix of edge seconds
    key: np.ndarray  # src * total + dst of every edge, sorted
    metres: np.ndarray  # of every edge, in the order of ``key``
    lon: np.ndarray  # of every node
    lat: np.ndarray
    n: int
    k: int

    @property
    def total(self) -> int:
        return self.n + 2 * self.k


def _nearest_joins(
    graph: RoadGraph, sites: Sequence[Site], access: AccessModel
) -> list[np.ndarray]:
    """The nearest graph node of each site, within ``access.max_km``."""
    if graph.n_nodes == 0:
        raise RoadGraphError("the road graph has no roads")
    idx, d = nearest_nodes(graph, [s.lon for s in sites], [s.lat for s in sites])
    far = np.flatnonzero(d > access.max_km * 1000.0)
    if far.size:
        s = sites[int(far[0])]
        raise RoadGraphError(
            f"site {s.code} ({s.name_en}) is {d[far[0]] / 1000:.1f} km from the nearest "
            f"road of the road graph (at most {access.max_km:g} km): move it with --sites "
            "or use --travel road"
        )
    return [np.array([i]) for i in idx]


def _join_sites(
    graph: RoadGraph,
    sites: Sequence[Site],
    access: AccessModel,
    *,
    direct_km: float,
    joined: Sequence[np.ndarray] | None,
) -> _SiteGraph:
    """Join ``sites`` to ``graph`` by access links (:func:`site_matrix`)."""
    from scipy.sparse import coo_matrix

    k = len(sites)
    n = graph.n_nodes
    lon = np.array([s.lon for s in sites], dtype=float)
    lat = np.array([s.lat for s in sites], dtype=float)
    mps = access.speed_kmh / 3.6
    if joined is None:
        joined = _nearest_joins(graph, sites, access)
    a_site = np.concatenate([np.full(len(j), i) for i, j in enumerate(joined)] or [[]])
    a_site = a_site.astype(np.int64)
    a_node = np.concatenate([np.asarray(j, dtype=np.int64) for j in joined] or [[]])
    a_node = a_node.astype(np.int64)
    a_m = great_circle_m(lon[a_site], lat[a_site], graph.lon[a_node], graph.lat[a_node])
    a_m = a_m * access.detour_factor
    src = [graph.src, n + a_site, a_node]
    dst = [graph.dst, a_node, n + k + a_site]
    metres = [graph.metres, a_m, a_m]
    seconds = [graph.seconds, a_m / mps, a_m / mps]
    if direct_km > 0 and k > 1:
        gc = great_circle_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
        ii, jj = np.nonzero((gc <= direct_km * 1000.0) & ~np.eye(k, dtype=bool))
        d_m = gc[ii, jj] * access.detour_factor
        src.append(n + ii)
        dst.append(n + k + jj)
        metres.append(d_m)
        seconds.append(d_m / mps)
    src = np.concatenate(src).astype(np.int64)
    dst = np.concatenate(dst).astype(np.int64)
    metres = np.concatenate(metres).astype(float)
    seconds = np.concatenate(seconds).astype(float)
    total = n + 2 * k
    # One edge per (src, dst): the fastest (scipy would add up duplicates).
    order = np.lexsort((seconds, dst, src))
    src, dst, metres, seconds = src[order], dst[order], metres[order], seconds[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, metres, seconds = src[first], dst[first], metres[first], seconds[first]
    # A zero-length edge would vanish from a sparse matrix: give it a tiny positive time.
    w = np.maximum(seconds, 1e-6)
    return _SiteGraph(
        csr=coo_matrix((w, (src, dst)), shape=(total, total)).tocsr(),
        key=src * total + dst,  # sorted, for the length of the edge pred -> node
        metres=metres,
        lon=np.concatenate([graph.lon, lon, lon]),
        lat=np.concatenate([graph.lat, lat, lat]),
        n=n,
        k=k,
    )


def site_matrix(
    graph: RoadGraph,
    sites: Sequence[Site],
    access: AccessModel,
    *,
    model: str,
    direct_km: float = 0.0,
    joined: Sequence[np.ndarray] | None = None,
) -> TravelMatrix:
    """Fastest drive between every pair of ``sites`` over ``graph`` (module docstring).

    Each site is joined by access links (both ways) to its nearest node, or to the nodes
    ``joined[i]`` when given (the built-in model joins a site to the nearest point of the
    nearest roads, added as nodes). Pairs of sites at most ``direct_km`` apart (straight)
    are also joined directly by an access link. A path never passes through a third site,
    so the time between two sites does not depend on which other sites are in the matrix."""
    sec, met = site_times(graph, sites, access, direct_km=direct_km, joined=joined)
    # Rounded on plain Python floats and ints (.tolist()): the same numbers as on numpy
    # scalars, several times faster (benchmarks/road_matrix.py, benchmarks/RESULTS.md).
    return TravelMatrix(
        codes=tuple(s.code for s in sites),
        seconds=tuple(tuple(whole_minutes(x) for x in row) for row in sec.tolist()),
        metres=tuple(tuple(row) for row in met.tolist()),
        model=model,
    )


def site_times(
    graph: RoadGraph,
    sites: Sequence[Site],
    access: AccessModel,
    *,
    direct_km: float = 0.0,
    joined: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The fastest paths of :func:`site_matrix`, not rounded: seconds (float) and metres
    (int) between every pair of ``sites``, zero on the diagonal."""
    from scipy.sparse.csgraph import dijkstra

    g = _join_sites(graph, sites, access, direct_km=direct_km, joined=joined)
    k, n, total = g.k, g.n, g.total
    leave = np.arange(n, n + k)
    reach = np.arange(n + k, n + 2 * k)
    t, pred = dijkstra(g.csr, directed=True, indices=leave, return_predecessors=True)
    sec = np.zeros((k, k))
    met = np.zeros((k, k), dtype=np.int64)
    for i in range(k):
        row_t = t[i, reach]
        row_t[i] = 0.0
        if not np.all(np.isfinite(row_t)):
            j = int(np.flatnonzero(~np.isfinite(row_t))[0])
            raise RoadGraphError(
                f"no road from {sites[i].code} to {sites[j].code} in the road graph: "
                "rebuild it from an extract that covers the provinces, or use --travel road"
            )
        met[i] = np.rint(_path_lengths(pred[i], g.key, g.metres, total)[reach])
        sec[i] = row_t
    np.fill_diagonal(sec, 0)
    np.fill_diagonal(met, 0)
    return sec, met


def site_paths(
    graph: RoadGraph,
    sites: Sequence[Site],
    access: AccessModel,
    pairs: Sequence[tuple[int, int]],
    *,
    direct_km: float = 0.0,
    joined: Sequence[np.ndarray] | None = None,
) -> dict[tuple[int, int], np.ndarray]:
    """The fastest path of each pair ``(i, j)`` of sites, as :func:`site_matrix` drives it:
    an array of lon/lat rows from site i through the road nodes (and access links, drawn
    straight) to site j. Same arguments as :func:`site_matrix`; a pair without a path is
    a :class:`RoadGraphError`."""
    from scipy.sparse.csgraph import dijkstra

    g = _join_sites(graph, sites, access, direct_km=direct_km, joined=joined)
    sources = sorted({i for i, _ in pairs})
    if not sources:
        return {}
    _, pred = dijkstra(
        g.csr, directed=True, indices=[g.n + i for i in sources], return_predecessors=True
    )
    row = {i: r for r, i in enumerate(sources)}
    out = {}
    for i, j in pairs:
        start, node, nodes = g.n + i, g.n + g.k + j, []
        while node != start:
            if node < 0:
                raise RoadGraphError(
                    f"no road from {sites[i].code} to {sites[j].code} in the road graph"
                )
            nodes.append(node)
            node = int(pred[row[i], node])
        nodes.append(start)
        nodes.reverse()
        out[i, j] = np.column_stack([g.lon[nodes], g.lat[nodes]])
    return out


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
