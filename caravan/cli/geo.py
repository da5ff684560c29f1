"""``caravan districts`` and ``caravan data build``: the built-in geography."""

from __future__ import annotations

import json
from pathlib import Path

import click

from caravan.cli.common import check_provinces, level_option, provinces_option, translate_errors
from caravan.csvcells import csv_text, safe_cell
from caravan.geo.build import build
from caravan.geo.geography import load_geography
from caravan.geo.listing import SITE_COLUMNS, site_rows, sites_geojson
from caravan.text import text_table


@click.command()
@provinces_option
@level_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "csv", "geojson")),
    default="table",
    show_default=True,
)
@translate_errors
def districts(provinces, level, fmt) -> None:
    """List the districts or tambons with their codes, names and visit sites."""
    provs = check_provinces(provinces)
    geo = load_geography()
    if fmt == "geojson":
        collection = sites_geojson(geo, level=level, provinces=provs)
        click.echo(json.dumps(collection, ensure_ascii=False))
        return
    rows = site_rows(geo, level=level, provinces=provs)
    if fmt == "csv":
        click.echo(csv_text(SITE_COLUMNS, ([safe_cell(v) for v in r] for r in rows)), nl=False)
        return
    for line in text_table(SITE_COLUMNS, rows):
        click.echo(line)


@click.group()
def data() -> None:
    """Build the built-in data."""


@data.command("build")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False),
    required=True,
    help="Folder with the source files (../shared/geo).",
)
@click.option("--out", type=click.Path(file_okay=False), default="data/geo", show_default=True)
@translate_errors
def data_build(source, out) -> None:
    """Build data/geo/ (districts, tambons, provinces, visit sites) from the source files."""
    counts = build(Path(source), Path(out))
    click.echo(
        f"wrote {counts['districts']} districts, {counts['tambons']} tambons and "
        f"{counts['bases']} bases to {out}"
    )
