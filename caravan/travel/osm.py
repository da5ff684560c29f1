"""A routing graph from an OpenStreetMap extract (``caravan roads build --osm FILE``).

:func:`read_osm` reads any file libosmium reads (``.osm.pbf``, ``.osm``, ``.osm.bz2``,
``.osm.gz`` ...) and keeps the drivable roads around the sites; :func:`build_road_graph`
keeps the largest strongly connected part, checks that it reaches every site and stores it
(:func:`caravan.travel.roadgraph.save_graph`, atomic).

Drivable roads and speeds
-------------------------
A way is a road when its ``highway`` tag is one of the classes below. Its drive speed is the
class default, what a small loaded van averages on such a road in rural Thailand (villages,
junctions, trucks and motorbikes included):

==================  ========  ==================  ========
highway             km/h      highway             km/h
==================  ========  ==================  ========
motorway            90        motorway_link       50
trunk               80        trunk_link          45
primary             70        primary_link        40
secondary           60        secondary_link      35
tertiary            50        tertiary_link       30
unclassified        40        road                30
residential         30        service             15
living_street       10        track               15
==================  ========  ==================  ========

A ``maxspeed`` tag can only lower it: **speed = min(class default, 0.8 × maxspeed)**. The
class default is already below Thailand's limits for cars, so a higher limit does not make
a van faster on average; a lower one (a town, a school zone, a bridge) does, and a van
averages about 80 % of a limit that binds. ``maxspeed`` is read as km/h (``"60"``, ``"60
km/h"``, ``"60 kph"``), in mph (``"40 mph"``), or as Thailand's implicit limits for cars
(Ministerial Regulation of 2021): ``TH:urban`` 80, ``TH:rural`` 90, ``TH:motorway`` 120. Any
other value (``none``, ``signals``, ``60;80`` ...) or a number outside 5-200 km/h leaves
the class default.

Not roads for a van: every other ``highway`` value (``footway``, ``path``, ``cycleway``,
``steps``, ``pedestrian``, ``bridleway``, ``construction``, ``proposed`` ...), ``area=yes``,
a ``track`` with ``tracktype=grade4`` or ``grade5`` (soil or grass), and ways closed to cars:
the most specific of ``motorcar``, ``motor_vehicle``, ``vehicle``, ``access`` that is
present is ``no`` or ``private`` (so ``access=no`` with ``motorcar=yes`` is a road).

One-way: ``oneway=yes``/``true``/``1`` forward only, ``-1``/``reverse`` backward only,
``no``/``false``/``0`` both ways. Without an ``oneway`` of these values,
``junction=roundabout``/``circular`` and ``highway=motorway`` are one-way forward;
everything else is two-way.

The graph
---------
A way is kept when its envelope meets the bounding box (a long road crossing the box with
no node inside is kept). Graph nodes are the way nodes shared by two kept ways (or met
twice by one way), the ends of the kept ways and, along a long way, the first node past
every kilometre from its start (so that a site beside a long road without junctions joins
it near where it is, not at a junction kilometres away: ``nearest_nodes`` joins a site to
a graph node), deduplicated by OSM node id. An edge joins consecutive graph nodes along a
way: its length is the sum of the great-circle lengths of the segments, its time that
length at the way's speed; it goes both ways unless the way is one-way. Of parallel edges
between the same two nodes the fastest is kept; loops are dropped. A node whose location is
missing from the file splits its way there.

Memory
------
Ways refer to their nodes by id, so the location of every node in the file is kept in an
index on the C++ side while the file is read, 16 bytes a node (id and location, sorted):
``sparse_mmap_array`` (anonymous memory that grows in place, 1 M entries at a time) where
libosmium has it (Linux), else ``sparse_file_array`` on a temporary file (the pages are
the kernel's to write back). Not ``flex_mem``, libosmium's default: its array doubles, and
past 67 M nodes the old 1.07 GB and its copy are both in memory. A national extract of
Thailand (~70 M nodes) needs about 1.1 GB for the index, which is freed before the graph
is built; a synthetic extract of 70 M nodes peaked at 1,311 MiB in all (2,103 MiB with
``flex_mem``; ``benchmarks/osm_build.py``). Only ``highway`` ways of the classes above
reach Python (``osmium.filter.TagFilter`` in C++; relations are not even decoded), and
the kept ways are stored in flat ``array`` columns, not as Python objects per node.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from caravan.errors import CaravanError
from caravan.folders import user_data_dir
from caravan.travel.roadgraph import (
    RoadGraph,
    great_circle_m,
    largest_component,
    nearest_nodes,
    save_graph,
)
from caravan.types import PROVINCES, Site

#: Default drive speed of a small van by ``highway`` class, km/h (module docstring).
SPEEDS_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 45.0,
    "primary": 70.0,
    "primary_link": 40.0,
    "secondary": 60.0,
    "secondary_link": 35.0,
    "tertiary": 50.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "road": 30.0,
    "service": 15.0,
    "track": 15.0,
}

#: A van averages this share of a posted limit where the limit is below the class default.
LIMIT_SHARE = 0.8

#: Along a way, the first node past every SPLIT_M metres from its start is a graph node.
SPLIT_M = 1000.0

#: Thailand's implicit limits for cars (km/h), as ``maxspeed`` values.
IMPLICIT_MAXSPEED_KMH: dict[str, float] = {
    "TH:urban": 80.0,
    "TH:rural": 90.0,
    "TH:motorway": 120.0,
}

CLOSED = frozenset({"no", "private"})
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")  # most specific first
SOFT_TRACKS = frozenset({"grade4", "grade5"})
FORWARD_VALUES = frozenset({"yes", "true", "1"})
BACKWARD_VALUES = frozenset({"-1", "reverse"})
TWO_WAY_VALUES = frozenset({"no", "false", "0"})
ROUNDABOUTS = frozenset({"roundabout", "circular"})

DOWNLOAD = "thailand-latest.osm.pbf from download.geofabrik.de"
COVER_ADVICE = f"use an extract that covers Thailand, e.g. {DOWNLOAD}"

_MAXSPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?")
_PROGRESS_EVERY = 250_000  # road ways between two progress messages

Progress = Callable[[str], None]


class OsmError(CaravanError):
    """An OpenStreetMap file cannot be read or does not cover the sites (one line)."""


# ------------------------------------------------------------------ tags


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` value in km/h, or None when absent or not understood."""
    if value is None:
        return None
    value = value.strip()
    if value in IMPLICIT_MAXSPEED_KMH:
        return IMPLICIT_MAXSPEED_KMH[value]
    m = _MAXSPEED.fullmatch(value)
    if m is None:
        return None
    kmh = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
    return kmh if 5.0 <= kmh <= 200.0 else None


def way_rule(tags) -> tuple[float, int] | None:
    """(speed km/h, direction) of a way from its tags (a mapping with ``.get``), or None
    when a van cannot use it. Direction: 0 both ways, 1 forward only, -1 backward only."""
    highway = tags.get("highway")
    default = SPEEDS_KMH.get(highway) if highway is not None else None
    if default is None or tags.get("area") == "yes":
        return None
    if highway == "track" and tags.get("tracktype") in SOFT_TRACKS:
        return None
    for key in ACCESS_KEYS:
        value = tags.get(key)
        if value is not None:
            if value in CLOSED:
                return None
            break
    limit = parse_maxspeed(tags.get("maxspeed"))
    speed = default if limit is None else min(default, LIMIT_SHARE * limit)
    oneway = tags.get("oneway")
    if oneway in FORWARD_VALUES:
        direction = 1
    elif oneway in BACKWARD_VALUES:
        direction = -1
    elif oneway in TWO_WAY_VALUES:
        direction = 0
    elif tags.get("junction") in ROUNDABOUTS or highway == "motorway":
        direction = 1
    else:
        direction = 0
    return speed, direction


# ------------------------------------------------------------------ reading


def _check_file(path: Path, shown: str) -> None:
    if not path.exists():
        raise OsmError(f"no OpenStreetMap file at '{shown}': download an extract, e.g. {DOWNLOAD}")
    if path.is_dir():
        raise OsmError(
            f"'{shown}' is a folder, not an OpenStreetMap file: name the extract itself, "
            f"e.g. {DOWNLOAD}"
        )
    if path.stat().st_size == 0:
        raise OsmError(f"'{shown}' is empty (0 bytes): download the extract again, e.g. {DOWNLOAD}")


def _unreadable(shown: str, exc: BaseException) -> OsmError:
    reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0].rstrip(".")
    if reason.startswith("Could not detect file format"):
        reason = "unknown file type: the name should end in .osm.pbf, .osm, .osm.bz2 or .osm.gz"
    return OsmError(
        f"'{shown}' is not a readable OpenStreetMap file ({reason}): download a fresh "
        f"extract, e.g. {DOWNLOAD}"
    )


def _location_index(tmpdir: str) -> str:
    """The node location index (module docstring, Memory)."""
    import osmium.index

    if "sparse_mmap_array" in osmium.index.map_types():
        return "sparse_mmap_array"
    return "sparse_file_array," + os.path.join(tmpdir, "locations.idx")


class _Ways:
    """The kept ways as flat columns: node ids and locations one after the other, and per
    way its first position, speed and direction."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.lon = array("d")
        self.lat = array("d")
        self.start = array("q")
        self.speed = array("d")
        self.direction = array("b")

    def add(self, ids, lon, lat, speed: float, direction: int) -> None:
        if len(ids) < 2:
            return
        self.start.append(len(self.ids))
        self.speed.append(speed)
        self.direction.append(direction)
        self.ids.extend(ids)
        self.lon.extend(lon)
        self.lat.extend(lat)

    def __len__(self) -> int:
        return len(self.start)


def _outside(lon, lat, bbox) -> bool:
    min_lon, min_lat, max_lon, max_lat = bbox
    return min(lon) > max_lon or max(lon) < min_lon or min(lat) > max_lat or max(lat) < min_lat


def _add_way(way, ways: _Ways, bbox, wkb) -> None:
    """Add ``way`` to ``ways`` when its envelope meets ``bbox`` and a van may drive it.
    The envelope comes first: it is cheaper than the tags, and most ways are outside."""
    import osmium

    try:
        xy = array("d", bytes.fromhex(wkb.create_linestring(way, osmium.geom.ALL))[9:])
    except Exception:  # a missing node location (or fewer than two nodes): the slow path
        _add_way_pieces(way, ways, bbox)
        return
    lon, lat = xy[0::2], xy[1::2]
    if _outside(lon, lat, bbox):
        return
    rule = way_rule(way.tags)
    if rule is None:
        return
    ids = [n.ref for n in way.nodes]
    if len(ids) != len(lon):  # not one location per node: take the careful path
        _add_way_pieces(way, ways, bbox)
        return
    ways.add(ids, lon, lat, *rule)


def _add_way_pieces(way, ways: _Ways, bbox) -> None:
    """A way with nodes whose location is missing: each run of located nodes is a way."""
    rule = way_rule(way.tags)
    if rule is None:
        return
    pieces: list[tuple[list[int], list[float], list[float]]] = [([], [], [])]
    for node in way.nodes:
        loc = node.location
        if loc.valid():
            pieces[-1][0].append(node.ref)
            pieces[-1][1].append(loc.lon)
            pieces[-1][2].append(loc.lat)
        elif pieces[-1][0]:
            pieces.append(([], [], []))
    for ids, lon, lat in pieces:
        if len(ids) >= 2 and not _outside(lon, lat, bbox):
            ways.add(ids, lon, lat, *rule)


def _read_ways(path: Path, shown: str, bbox, progress: Progress | None) -> _Ways:
    import osmium
    import osmium.filter

    ways = _Ways()
    wkb = osmium.geom.WKBFactory()
    seen = 0
    with tempfile.TemporaryDirectory(prefix="caravan-osm-", ignore_cleanup_errors=True) as tmp:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        fp.with_locations(_location_index(tmp))
        fp.with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        fp.with_filter(osmium.filter.TagFilter(*(("highway", c) for c in SPEEDS_KMH)))
        it = iter(fp)
        try:
            while True:
                try:
                    way = next(it)
                except StopIteration:
                    break
                except (RuntimeError, ValueError, OSError, osmium.InvalidLocationError) as exc:
                    raise _unreadable(shown, exc) from None  # libosmium's read errors
                seen += 1
                if progress is not None and seen % _PROGRESS_EVERY == 0:
                    progress(f"{seen:,} roads read, {len(ways):,} kept")
                _add_way(way, ways, bbox, wkb)
        finally:
            it.close()  # closes the file
            del it, fp  # frees the location index before the graph is built
    if progress is not None:
        progress(f"{seen:,} roads read, {len(ways):,} kept")
    return ways


def _to_graph(ways: _Ways) -> RoadGraph:
    """Simplify the kept ways to a routing graph (module docstring, The graph)."""
    ids = np.frombuffer(ways.ids, dtype=np.int64)
    lon = np.frombuffer(ways.lon, dtype=np.float64)
    lat = np.frombuffer(ways.lat, dtype=np.float64)
    start = np.frombuffer(ways.start, dtype=np.int64)
    n_ways = len(start)
    lengths = np.diff(np.append(start, len(ids)))
    way_of = np.repeat(np.arange(n_ways), lengths)
    # A node repeated right after itself is one node.
    keep = np.ones(len(ids), dtype=bool)
    keep[1:] = (ids[1:] != ids[:-1]) | (way_of[1:] != way_of[:-1])
    # Ways left with fewer than two nodes go.
    keep &= np.bincount(way_of[keep], minlength=n_ways)[way_of] >= 2
    ids, lon, lat, way_of = ids[keep], lon[keep], lat[keep], way_of[keep]
    speed = np.frombuffer(ways.speed, dtype=np.float64)[way_of]
    direction = np.frombuffer(ways.direction, dtype=np.int8)[way_of]

    n = len(ids)
    first = np.ones(n, dtype=bool)
    first[1:] = way_of[1:] != way_of[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    uniq, inv, counts = np.unique(ids, return_inverse=True, return_counts=True)
    is_node = (counts[inv] >= 2) | first | last

    seg = np.flatnonzero(~last)  # segment k -> k + 1
    seg_m = great_circle_m(lon[seg], lat[seg], lon[seg + 1], lat[seg + 1])
    seg_s = seg_m / (speed[seg] / 3.6)
    # Along a long way, the first node past every SPLIT_M from the way's start is a node.
    along = np.zeros(n)
    along[seg + 1] = seg_m
    along = np.cumsum(along)
    along -= along[np.flatnonzero(first)][np.cumsum(first) - 1]
    mark = np.floor(along / SPLIT_M)
    is_node[1:] |= (mark[1:] != mark[:-1]) & ~first[1:]
    group = (np.cumsum(is_node) - 1)[seg]  # the graph node a segment's edge starts at
    node_pos = np.flatnonzero(is_node)
    metres = np.bincount(group, weights=seg_m, minlength=len(node_pos))
    seconds = np.bincount(group, weights=seg_s, minlength=len(node_pos))
    starts = np.flatnonzero(~last[node_pos])  # groups that start an edge
    a = node_pos[starts]
    b = node_pos[starts + 1]
    metres, seconds, way_dir = metres[starts], seconds[starts], direction[a]

    # Graph node numbers: the used OSM ids in ascending order.
    used = np.zeros(len(uniq), dtype=bool)
    used[inv[is_node]] = True
    number = np.cumsum(used) - 1
    node_lon = np.zeros(len(uniq))
    node_lat = np.zeros(len(uniq))
    node_lon[inv] = lon
    node_lat[inv] = lat
    u, v = number[inv[a]], number[inv[b]]
    fwd, bwd = way_dir >= 0, way_dir <= 0
    src = np.concatenate([u[fwd], v[bwd]])
    dst = np.concatenate([v[fwd], u[bwd]])
    e_s = np.concatenate([seconds[fwd], seconds[bwd]])
    e_m = np.concatenate([metres[fwd], metres[bwd]])
    # No loops; of parallel edges the fastest (then the shortest).
    ok = src != dst
    src, dst, e_s, e_m = src[ok], dst[ok], e_s[ok], e_m[ok]
    order = np.lexsort((e_m, e_s, dst, src))
    src, dst, e_s, e_m = src[order], dst[order], e_s[order], e_m[order]
    one = np.ones(len(src), dtype=bool)
    one[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    return RoadGraph(
        lon=node_lon[used],
        lat=node_lat[used],
        src=src[one].astype(np.int64),
        dst=dst[one].astype(np.int64),
        seconds=e_s[one],
        metres=e_m[one],
    )


def read_osm(
    path: str | os.PathLike[str],
    *,
    bbox: tuple[float, float, float, float],
    progress: Progress | None = None,
) -> RoadGraph:
    """The drivable roads of the OpenStreetMap file ``path`` that meet ``bbox``
    (min_lon, min_lat, max_lon, max_lat) as a routing graph (module docstring).

    ``progress(message)`` is called with a short line now and then. Raises
    :class:`OsmError` (one line) when the file is missing, empty or unreadable, or has no
    drivable road in ``bbox``."""
    shown = str(path)
    path = Path(path)
    _check_file(path, shown)
    if progress is not None:
        size = path.stat().st_size / 1e6
        progress(f"reading node locations and roads from '{shown}' ({size:,.0f} MB)")
    ways = _read_ways(path, shown, bbox, progress)
    graph = _to_graph(ways) if len(ways) else None
    if graph is None or graph.n_edges == 0:
        min_lon, min_lat, max_lon, max_lat = bbox
        raise OsmError(
            f"'{shown}' has no drivable roads around the three provinces (lon {min_lon:.2f} "
            f"to {max_lon:.2f}, lat {min_lat:.2f} to {max_lat:.2f}): {COVER_ADVICE}"
        )
    return graph


# ------------------------------------------------------------------ building


def sites_bbox(sites: Sequence[Site], margin_km: float) -> tuple[float, float, float, float]:
    """The envelope of ``sites`` grown by ``margin_km`` on every side."""
    lons = [s.lon for s in sites]
    lats = [s.lat for s in sites]
    dlat = margin_km / 111.32
    widest = max(abs(min(lats) - dlat), abs(max(lats) + dlat))
    dlon = margin_km / (111.32 * max(math.cos(math.radians(widest)), 0.01))
    return (min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat)


def extract_date(path: str | os.PathLike[str]) -> str:
    """When the extract's data was taken: the header's replication timestamp if present,
    else the file's modification time (both UTC)."""
    import osmium

    try:
        with osmium.io.Reader(str(path), osmium.osm.NOTHING) as reader:
            header = reader.header()
        stamp = header.get("osmosis_replication_timestamp", "") or header.get("timestamp", "")
    except Exception:  # the header is a nicety: the file itself was read already
        stamp = ""
    if stamp:
        return f"data of {stamp}"
    mtime = dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.UTC)
    return f"file of {mtime.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def _names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _province(code: str) -> str:
    return PROVINCES[code][1] if code in PROVINCES else f"province {code}"


def _coverage_error(shown: str, sites: Sequence[Site], far: np.ndarray, max_km: float) -> str:
    total = Counter(s.province_code for s in sites)
    missed = Counter(sites[int(i)].province_code for i in far)
    whole = [p for p in missed if missed[p] == total[p]]
    if whole:
        n = sum(total[p] for p in whole)
        their = "its" if len(whole) == 1 else "their"
        rest = [int(i) for i in far if sites[int(i)].province_code not in whole]
        nor = ""
        if rest:
            provs = sorted({_province(sites[i].province_code) for i in rest})
            nor = f", nor of {len(rest)} more site{'s' * (len(rest) > 1)} in {_names(provs)}"
        return (
            f"'{shown}' does not cover {_names([_province(p) for p in whole])}: no road within "
            f"{max_km:g} km of any of {their} {n} site{'s' * (n > 1)}{nor}: {COVER_ADVICE}"
        )
    s = sites[int(far[0])]
    more = ""
    if len(far) > 1:
        provs = sorted({_province(sites[int(i)].province_code) for i in far[1:]})
        k = len(far) - 1
        more = f" and {k} more site{'s' * (k > 1)} in {_names(provs)}"
    return (
        f"'{shown}' does not cover every site: no road within {max_km:g} km of site "
        f"{s.code} ({s.name_en}){more}: {COVER_ADVICE}"
    )


def build_road_graph(
    osm_path: str | os.PathLike[str],
    graph_path: str | os.PathLike[str],
    *,
    sites: Sequence[Site],
    margin_km: float = 20.0,
    max_km: float = 5.0,
    progress: Progress | None = None,
) -> RoadGraph:
    """Read the roads of ``osm_path`` within ``margin_km`` of the envelope of ``sites``,
    keep the largest strongly connected part, check that every site has a road node within
    ``max_km``, and store the graph at ``graph_path`` (atomic). Returns the stored graph.

    Raises :class:`OsmError` (one line) before anything is written when the file cannot be
    read or does not cover the sites, :class:`caravan.atomic.OutputError` when
    ``graph_path`` cannot be written; an existing graph there is then left as it was."""
    from caravan.atomic import OutputError

    if not sites:
        raise OsmError("no sites to build a road graph for: give the sites of the provinces")
    shown = str(osm_path)
    graph = read_osm(osm_path, bbox=sites_bbox(sites, margin_km), progress=progress)
    if progress is not None:
        progress(f"keeping the largest connected part of {graph.n_nodes:,} nodes")
    graph = largest_component(graph)
    lon = np.array([s.lon for s in sites], dtype=float)
    lat = np.array([s.lat for s in sites], dtype=float)
    _, d = nearest_nodes(graph, lon, lat)
    far = np.flatnonzero(d > max_km * 1000.0)
    if far.size:
        raise OsmError(_coverage_error(shown, sites, far, max_km))
    source = (
        f"OpenStreetMap extract {Path(osm_path).name} ({extract_date(osm_path)}), "
        f"{graph.n_nodes} nodes, {graph.n_edges} edges"
    )
    # The file keeps times and lengths as float32: return the graph a later load will see.
    graph = dataclasses.replace(
        graph,
        seconds=graph.seconds.astype(np.float32).astype(np.float64),
        metres=graph.metres.astype(np.float32).astype(np.float64),
        source=source,
    )
    if progress is not None:
        progress(f"writing '{graph_path}': {graph.n_nodes:,} nodes, {graph.n_edges:,} edges")
    try:
        save_graph(graph, graph_path)
    except OSError as exc:
        raise OutputError(
            f"cannot write the road graph to '{graph_path}': {exc.strerror or exc}"
        ) from None
    return graph


def default_graph_path() -> Path:
    """``CARAVAN_ROADS`` if set, else ``roads.npz`` in caravan's per-user data folder
    (beside the history database, :func:`caravan.folders.user_data_dir`)."""
    env = os.environ.get("CARAVAN_ROADS")
    if env:
        return Path(env)
    return user_data_dir() / "roads.npz"
