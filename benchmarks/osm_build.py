"""Road graph build benchmark: time and peak memory of build_road_graph on a large extract.

Goal: a national extract of Thailand (~70 M nodes, 300-400 MB .osm.pbf) is read in under
2 GB of memory.

    python benchmarks/osm_build.py                       # 5,000,000 nodes
    python benchmarks/osm_build.py --nodes 1000000 --keep /tmp/grid.osm.pbf
    python benchmarks/osm_build.py --index flex_mem      # compare a location index

The .osm.pbf is generated first (synthetic): a grid of roads over Thailand's extent (rows
of secondary and residential roads, some primary, some one-way, some with a maxspeed;
every fourth column a vertical road) and small square buildings scattered over the same
extent, which caravan must skip. Node ids are spread like real data (gaps of 1 to 370, so
~185 ids per node, as 70 M nodes between 1 and 13 G) and road and building nodes are
interleaved in id order. The three provinces' sites (with the 20 km margin) take about an
eighth of the extent: most of the file is outside.

The generator runs in a child process, and the timed part in a grandchild (under a small
process that has no other child), so that its peak memory (``ru_maxrss`` from
``RUSAGE_CHILDREN``) is its own: build_road_graph with every built-in site, as ``caravan
roads build`` runs it. It prints the time, the peak memory, and an estimate for a national
extract: the location index's 16 bytes per node times the node count, plus what the rest
of the peak was here.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EXTENT = (97.5, 5.7, 105.5, 20.4)  # Thailand, lon/lat
INDEX_BYTES_PER_NODE = 16  # sparse index: 8-byte id + 8-byte location


def write_extract(path: Path, n_nodes: int, road_share: float, seed: int) -> dict:
    """Write the synthetic .osm.pbf; return what is in it."""
    import osmium
    from osmium.osm.mutable import Node, Way

    rng = np.random.default_rng(seed)
    min_lon, min_lat, max_lon, max_lat = EXTENT
    w, h = max_lon - min_lon, max_lat - min_lat
    cell = math.sqrt(w * h / (n_nodes * road_share))
    nx, ny = int(w / cell), int(h / cell)
    n_road = nx * ny
    n_build = (n_nodes - n_road) // 4
    total = n_road + 4 * n_build
    ids = np.cumsum(rng.integers(1, 371, size=total))
    perm = rng.permutation(total)
    road_id = ids[perm[:n_road]].reshape(ny, nx)
    build_id = ids[perm[n_road:]].reshape(n_build, 4)
    lon = np.empty(total)
    lat = np.empty(total)
    gx, gy = np.meshgrid(min_lon + cell * np.arange(nx), min_lat + cell * np.arange(ny))
    lon[perm[:n_road]] = gx.ravel()
    lat[perm[:n_road]] = gy.ravel()
    corner_lon = rng.uniform(min_lon, max_lon, n_build)
    corner_lat = rng.uniform(min_lat, max_lat, n_build)
    d = 0.0001  # ~11 m
    lon[perm[n_road:]] = (corner_lon[:, None] + np.array([0, d, d, 0])).ravel()
    lat[perm[n_road:]] = (corner_lat[:, None] + np.array([0, 0, d, d])).ravel()

    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2026-11-20T21:00:00Z")
    n_ways = 0
    with osmium.SimpleWriter(str(path), header=header, overwrite=True) as out:
        for i in range(0, total, 1_000_000):  # in chunks: no Python int per node at once
            part = slice(i, i + 1_000_000)
            for nid, x, y in zip(
                ids[part].tolist(), lon[part].tolist(), lat[part].tolist(), strict=True
            ):
                out.add_node(Node(id=nid, location=(x, y)))
        way_id = 0
        step = 20  # nodes per way

        def add(refs, tags):
            nonlocal way_id
            way_id += 1
            out.add_way(Way(id=way_id, nodes=refs, tags=tags))

        for r in range(ny):
            if r % 50 == 0:
                tags = {"highway": "primary"}
            elif r % 10 == 0:
                tags = {"highway": "secondary", "maxspeed": "TH:rural"}
            elif r % 7 == 3:
                tags = {"highway": "tertiary", "oneway": "yes"}
            else:
                tags = {"highway": "residential"}
            row = road_id[r].tolist()
            for c in range(0, nx - 1, step - 1):
                add(row[c : c + step], tags)
        for c in range(0, nx, 4):
            col = road_id[:, c].tolist()
            tags = {"highway": "unclassified", "maxspeed": "60"}
            for r in range(0, ny - 1, step - 1):
                add(col[r : r + step], tags)
        n_ways = way_id
        for b in range(n_build):
            ring = build_id[b].tolist()
            add([*ring, ring[0]], {"building": "yes"})
    return {
        "nodes": total,
        "road_nodes": n_road,
        "building_nodes": 4 * n_build,
        "road_ways": n_ways,
        "building_ways": n_build,
        "max_id": int(ids[-1]),
        "grid": f"{nx} x {ny}, {cell * 111.32:.2f} km apart",
    }


def build(pbf: Path, index: str | None) -> None:
    """The measured process: build_road_graph with every built-in site; print a JSON line."""
    from caravan.geo.geography import load_geography
    from caravan.travel import osm

    if index:
        osm._location_index = lambda tmpdir: (
            index if "file" not in index else f"{index},{tmpdir}/locations.idx"
        )
    sites = list(load_geography().sites.values())
    lines: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        g = osm.build_road_graph(pbf, Path(tmp) / "roads.npz", sites=sites, progress=lines.append)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - t0,
                "graph_nodes": g.n_nodes,
                "graph_edges": g.n_edges,
                "roads": next(m for m in reversed(lines) if "roads read" in m),
            }
        )
    )


def run(cmd: list[str]) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(pbf: Path, index: str | None) -> None:
    """Run the build in a child and print its JSON with the wall time and the child's peak
    memory. This process stays small and has no other child, so RUSAGE_CHILDREN is the
    build's own: a parent's memory at the moment it starts a child counts in that child's
    ru_maxrss (vfork + exec), and the generator's memory is large."""
    cmd = [sys.executable, __file__, "--build", str(pbf)]
    if index:
        cmd += ["--index", index]
    t0 = time.perf_counter()
    r = run(cmd)
    r["wall"] = time.perf_counter() - t0
    r["peak_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps(r))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=5_000_000)
    ap.add_argument("--road-share", type=float, default=0.4, help="share of nodes on roads")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--keep", type=Path, default=None, help="write the file here and keep it")
    ap.add_argument("--reuse", action="store_true", help="use the --keep file if there")
    ap.add_argument("--index", default=None, help="node location index (default: caravan's)")
    ap.add_argument("--national-nodes", type=float, default=70e6)
    for hidden in ("--write", "--measure", "--build"):
        ap.add_argument(hidden, type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write is not None:
        print(json.dumps(write_extract(args.write, args.nodes, args.road_share, args.seed)))
        return
    if args.measure is not None:
        measure(args.measure, args.index)
        return
    if args.build is not None:
        build(args.build, args.index)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "grid.osm.pbf"
        about = path.with_name(path.name + ".json")  # what write_extract put in it
        if args.reuse and path.exists() and about.exists():
            info = json.loads(about.read_text())
            print(f"reusing {path} ({path.stat().st_size / 1e6:.1f} MB, {info['nodes']:,} nodes)")
        else:
            t0 = time.perf_counter()
            sizes = ["--nodes", str(args.nodes), "--road-share", str(args.road_share)]
            info = run(
                [sys.executable, __file__, "--write", str(path), *sizes, "--seed", str(args.seed)]
            )
            print(
                f"wrote {path.name}: {path.stat().st_size / 1e6:.1f} MB, {info['nodes']:,} "
                f"nodes ({info['road_nodes']:,} on {info['road_ways']:,} roads, grid "
                f"{info['grid']}; {info['building_nodes']:,} in {info['building_ways']:,} "
                f"buildings), ids up to {info['max_id']:,}, in {time.perf_counter() - t0:.1f} s"
            )
            if args.keep:
                about.write_text(json.dumps(info))
        cmd = [sys.executable, __file__, "--measure", str(path)]
        r = run(cmd + (["--index", args.index] if args.index else []))
    n = info["nodes"]
    peak_mib = r["peak_kib"] / 1024
    index_mib = INDEX_BYTES_PER_NODE * n / 2**20
    rest_mib = peak_mib - index_mib
    nat = args.national_nodes
    nat_index = INDEX_BYTES_PER_NODE * nat / 2**20
    print(f"index: {args.index or 'caravan default'}")
    print(
        f"build_road_graph: {r['seconds']:.1f} s ({r['wall']:.1f} s with the interpreter "
        f"start), {r['roads']}; graph {r['graph_nodes']:,} nodes, {r['graph_edges']:,} edges"
    )
    print(
        f"peak memory (ru_maxrss, RUSAGE_CHILDREN of a process whose only child it was): "
        f"{peak_mib:,.0f} MiB"
    )
    print(
        f"of which the location index {INDEX_BYTES_PER_NODE} B x {n:,} nodes = "
        f"{index_mib:,.0f} MiB, the rest {rest_mib:,.0f} MiB"
    )
    print(
        f"national extract, {nat / 1e6:.0f} M nodes: about {nat_index:,.0f} MiB index + "
        f"{rest_mib:,.0f} MiB = {nat_index + rest_mib:,.0f} MiB peak "
        f"({'under' if nat_index + rest_mib < 2048 else 'OVER'} 2 GiB); time about "
        f"{r['seconds'] * nat / n:,.0f} s if it scales with the node count"
    )


if __name__ == "__main__":
    main()
