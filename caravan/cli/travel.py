"""``caravan matrix`` and ``caravan roads``: drive times, and road graphs for --travel osm."""

from __future__ import annotations

from pathlib import Path

import click

from caravan.atomic import check_writable_dir
from caravan.cli.common import (
    check_provinces,
    level_option,
    provinces_option,
    quiet_option,
    translate_errors,
    travel_model,
    travel_options,
    write_output,
)
from caravan.geo.geography import load_geography, read_site_overrides
from caravan.travel.matrix import matrix_csv, travel_matrix
from caravan.travel.osm import build_road_graph, default_graph_path
from caravan.travel.roadgraph import load_graph


@click.command()
@provinces_option
@level_option
@click.option(
    "--sites",
    "site_overrides",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV code,lon,lat moving visit sites.",
)
@travel_options
@click.option(
    "--refresh",
    is_flag=True,
    help="Compute the matrix again even if a cached one exists (and store it).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="CSV file to write (from_code,to_code,minutes,km).",
)
@translate_errors
def matrix(
    provinces,
    level,
    site_overrides,
    travel_mode,
    roads_file,
    osrm_url,
    detour_factor,
    speed_kmh,
    refresh,
    output,
) -> None:
    """Write drive minutes and km between every pair of sites, bases included.

    The same sites, in the same order, as 'caravan plan' with the same --province and
    --level, so that a matrix computed (and cached) here is the one the plan uses.
    """
    provs = check_provinces(provinces)
    geo = load_geography()
    if site_overrides:
        geo = geo.with_overrides(read_site_overrides(site_overrides, geo))
    sites = geo.plan_sites(level=level, provinces=provs)
    model = travel_model(travel_mode, roads_file, osrm_url, detour_factor, speed_kmh)
    m = travel_matrix(sites, model, refresh=refresh)
    write_output(output, matrix_csv(m))
    click.echo(f"wrote {len(sites) * (len(sites) - 1)} pairs of {len(sites)} sites to {output}")
    click.echo(f"travel: {m.model}")


@click.group()
def roads() -> None:
    """Road data for --travel osm: build a road graph from an OpenStreetMap extract."""


@roads.command("build")
@click.option(
    "--osm",
    "osm_file",
    type=click.Path(dir_okay=False),
    required=True,
    help="OpenStreetMap extract (.osm.pbf, or .osm XML), e.g. thailand-latest.osm.pbf.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Road graph file to write. Default: $CARAVAN_ROADS, else roads.npz in the user "
    "data folder (where --travel osm looks).",
)
@quiet_option
@translate_errors
def roads_build(osm_file, out, quiet) -> None:
    """Keep the drivable roads around the three provinces and store them as a road graph.

    Speeds come from maxspeed tags where present, else from defaults per highway class
    (docs/travel.md); one-way streets are respected. Every built-in visit site must
    lie within 5 km of a road of the extract. Nothing is written unless all of it works.
    """
    target = Path(out) if out else default_graph_path()
    check_writable_dir(target.parent)
    geo = load_geography()
    progress = None if quiet else (lambda msg: click.echo(msg, err=True))
    graph = build_road_graph(osm_file, target, sites=list(geo.sites.values()), progress=progress)
    if not quiet:
        click.echo(f"wrote {target}: {graph.n_nodes:,} nodes, {graph.n_edges:,} road edges")
        click.echo("plan with it: caravan plan --travel osm")


@roads.command("info")
@click.option(
    "--roads",
    "roads_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Road graph file. Default: the one 'caravan roads build' writes.",
)
@translate_errors
def roads_info(roads_file) -> None:
    """Say which road graph --travel osm uses: where it is and what it was built from."""
    path = Path(roads_file) if roads_file else default_graph_path()
    graph = load_graph(path)
    km = float(graph.metres.sum()) / 1000
    click.echo(f"road graph: {path}")
    click.echo(f"built from: {graph.source}")
    click.echo(f"{graph.n_nodes:,} nodes, {graph.n_edges:,} one-way edges, {km:,.0f} km of edges")
